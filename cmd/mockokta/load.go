package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/xakia-okta/scimtest/mockokta"
)

func (commandSet) Load(a *app) *cobra.Command {
	return a.command(command{
		name:    "load",
		args:    "--users N [--concurrency C] [--max-duration D] [--chart FILE] [--quiet]",
		summary: "bulk assignment, Okta-shaped (lookup + POST per user), with a progress bar and a rate/latency summary",
		details: `Assigns N new users named load-<random>-I@example.com, C at a time, and
prints users/s, request latency p50/p95/p99 (overall and for lookups and
creates apart), the peak memory of this process and of a server on this
machine, failures by status and a latency histogram. The run stops starting
new users after --max-duration. Each request still has --timeout. The users
are not written to the state file. On a terminal a progress bar shows the
rate and the time left; otherwise a progress line is printed every 2 s.`,
		examples: []string{
			"mockokta --embedded load --users 2000 --concurrency 8",
			"mockokta --json load --users 500 --concurrency 4 --max-duration 2m",
			"mockokta load --users 10000 --concurrency 8 --chart load-latency.svg",
		},
		bind: func(fs *pflag.FlagSet) func(context.Context, *cli) int {
			users := fs.Int("users", 100, "number of users to assign (`N`)")
			conc := fs.Int("concurrency", 4, "assignments in flight (`C`)")
			maxDur := fs.Duration("max-duration", 30*time.Minute, "stop starting new assignments after `D`")
			chart := fs.String("chart", "", "write the latency histogram as an SVG chart to `FILE`")
			quiet := fs.Bool("quiet", false, "print only the summary: no progress, no histogram")
			return func(ctx context.Context, c *cli) int {
				if *users < 1 || *users > 10_000_000 {
					return c.configError(usagef("--users must be between 1 and 10000000"))
				}
				if *conc < 1 || *conc > 1024 {
					return c.configError(usagef("--concurrency must be between 1 and 1024"))
				}
				if *maxDur <= 0 {
					return c.configError(usagef("--max-duration must be positive"))
				}
				c.noRecord = true
				if code := c.prepare(ctx); code >= 0 {
					return code
				}
				// Fail fast and clearly when the target is not there at all.
				if r := c.okta.TestConnection(ctx); !r.OK {
					c.collect(r.Exchanges)
					if mockokta.IsUnreachable(r.Err) {
						return c.unreachable(r.Err)
					}
					return c.reportTasks(r)
				}
				lctx, cancel := context.WithTimeout(ctx, *maxDur)
				defer cancel()
				progress := mockokta.NewProgressPrinter(c.stdout, progressMode(*quiet, c.g.json, c.e.terminal), *users, "load: ", 0)
				rep := c.okta.Load(lctx, mockokta.LoadOptions{
					Users:       *users,
					Concurrency: *conc,
					// The users are not saved: keep the memory flat.
					Forget: true,
					OnResult: func(r mockokta.TaskResult) {
						if c.g.har != "" {
							c.collect(r.Exchanges)
						}
					},
					Progress: progress.Update,
				})
				progress.Stop()
				rep.Memory = measureMemory(c.g.baseURL, c.g.embedded)
				chartNote := ""
				if *chart != "" {
					if err := writeChart(*chart, rep, *users, *conc, c.g.baseURL, c.g.mode); err != nil {
						fmt.Fprintf(c.stderr, "mockokta load: writing the chart: %v\n", err)
					} else {
						chartNote = "latency chart: " + *chart
					}
				}
				return c.reportLoad(rep, *users, !*quiet, chartNote)
			}
		},
	})
}

// reportLoad prints the summary and returns the exit code.
func (c *cli) reportLoad(rep mockokta.LoadReport, wanted int, histogram bool, chartNote string) int {
	code := exitOK
	if rep.Failed > 0 || rep.Users < wanted {
		code = exitFailed
	}
	if c.g.json {
		out := c.newJSONOutput()
		out.Load = &jsonLoad{LoadReport: rep, DurationMs: ms(rep.Duration), P50Ms: ms(rep.P50), P95Ms: ms(rep.P95), P99Ms: ms(rep.P99)}
		out.OK, out.ExitCode = code == exitOK, code
		if rep.Users < wanted {
			out.Warnings = append(out.Warnings, fmt.Sprintf("only %d of %d users were attempted before --max-duration", rep.Users, wanted))
		}
		c.printJSON(out)
		return c.finish(code)
	}
	if err := rep.WriteText(c.stdout, mockokta.LoadTextOptions{Wanted: wanted, Histogram: histogram}); err != nil {
		fmt.Fprintf(c.stderr, "mockokta load: %v\n", err)
	}
	if chartNote != "" {
		fmt.Fprintln(c.stdout, chartNote)
	}
	return c.finish(code)
}
