package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/xakia-okta/scimtest/mockokta"
)

func (commandSet) Load(a *app) *cobra.Command {
	return a.command(command{
		name:    "load",
		args:    "--users N [--concurrency C] [--max-duration D]",
		summary: "bulk assignment, Okta-shaped (lookup + POST per user), with a progress bar and a rate/latency summary",
		details: `Assigns N new users named load-<random>-I@example.com, C at a time, and
prints users/s, request latency p50/p95/p99 and failures by status. The run
stops starting new users after --max-duration. Each request still has
--timeout. The users are not written to the state file. The progress bar is
drawn only when stdout is a terminal.`,
		examples: []string{
			"mockokta --embedded load --users 2000 --concurrency 8",
			"mockokta --json load --users 500 --concurrency 4 --max-duration 2m",
		},
		bind: func(fs *pflag.FlagSet) func(context.Context, *cli) int {
			users := fs.Int("users", 100, "number of users to assign (`N`)")
			conc := fs.Int("concurrency", 4, "assignments in flight (`C`)")
			maxDur := fs.Duration("max-duration", 30*time.Minute, "stop starting new assignments after `D`")
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
				bar := !c.g.json && c.e.terminal
				rep := c.okta.Load(lctx, mockokta.LoadOptions{
					Users:       *users,
					Concurrency: *conc,
					OnResult: func(r mockokta.TaskResult) {
						if c.g.har != "" {
							c.collect(r.Exchanges)
						}
					},
					Progress: func(done, failed int) {
						if bar {
							drawBar(c, done, failed, *users)
						}
					},
				})
				if bar {
					fmt.Fprintln(c.stdout)
				}
				return c.reportLoad(rep, *users)
			}
		},
	})
}

// drawBar redraws the progress bar in place, about 200 times per run.
func drawBar(c *cli, done, failed, total int) {
	if step := max(total/200, 1); done%step != 0 && done != total {
		return
	}
	const width = 40
	filled := done * width / max(total, 1)
	fmt.Fprintf(c.stdout, "\r[%s%s] %d/%d users, %d failed", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, failed)
}

// reportLoad prints the summary and returns the exit code.
func (c *cli) reportLoad(rep mockokta.LoadReport, wanted int) int {
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
	fmt.Fprintf(c.stdout, "load: %d users assigned in %s (%.1f users/s), %d failed", rep.Succeeded, rep.Duration.Round(time.Millisecond), rep.UsersPerSecond, rep.Failed)
	if rep.Users < wanted {
		fmt.Fprintf(c.stdout, ", %d not attempted (--max-duration)", wanted-rep.Users)
	}
	fmt.Fprintln(c.stdout)
	fmt.Fprintf(c.stdout, "requests: %d (%s); latency p50 %s, p95 %s, p99 %s\n", rep.Requests, countsLine(rep.RequestsByStatus), millis(rep.P50), millis(rep.P95), millis(rep.P99))
	if len(rep.FailuresByCause) > 0 {
		fmt.Fprintf(c.stdout, "failures by cause: %s\n", countsLine(rep.FailuresByCause))
		for _, e := range rep.Examples {
			fmt.Fprintf(c.stdout, "  %s\n", e)
		}
	}
	return c.finish(code)
}

// countsLine renders "200: 10, 201: 10" in key order.
func countsLine(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
