package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/xakia-okta/scimtest/internal/clikit"

	"github.com/xakia-okta/scimtest/reports"
	"github.com/xakia-okta/scimtest/steps"
)

// conformRequest is what the conform command hands to the suite.
type conformRequest struct {
	Profile  string   // --profile
	Tags     string   // --tags
	Reports  string   // --reports
	BaseURL  string   // --base-url / SCIM_BASE_URL (may be empty: embedded default)
	APIKey   string   // --api-key / SCIM_API_KEY
	Embedded bool     // --embedded
	Faults   []string // --fault (embedded reference only)
	Variants []string // conform --variant (embedded reference only)
	Strict   bool     // conform --strict: not-run scenarios fail
	// MaxBody is --max-body ("" keeps SCIM_MAX_BODY or the default).
	MaxBody string
	// MaxDuration is conform --max-duration (0 keeps SCIM_MAX_DURATION or
	// the default).
	MaxDuration time.Duration
	JSON        bool // --json
	Verbose     bool // conform --verbose: every scenario and step
	Stdout      io.Writer
	Stderr      io.Writer
}

// conformFunc runs the conformance suite and returns the exit code.
type conformFunc func(ctx context.Context, req conformRequest) int

func (commandSet) Conform(a *app) *cobra.Command {
	return a.command(command{
		name:    "conform",
		args:    "[--profile xakia|okta] [--tags EXPR] [--reports DIR]",
		summary: "run the embedded Gherkin conformance suite against the target (the embedded reference when no target is set)",
		details: `The console prints a line per feature, then every failure in full (step,
request, answer, authority), the findings and the verdict line; --verbose
prints every scenario and step instead. The reports are written in every
case once the target was reached. --fault and --variant start the embedded
reference with them. The exit statuses are those of "mockokta --help".`,
		examples: []string{
			"mockokta conform",
			"SCIM_BASE_URL=https://xakia.example/scim/v2/loc1 SCIM_API_KEY=... mockokta conform --profile xakia --reports out",
			"mockokta conform --fault keep-cleared-values --verbose",
		},
		bind: func(fs *pflag.FlagSet) func(context.Context, *cli) int {
			profile := fs.String("profile", "", "suite `PROFILE`: xakia (limited query attributes declared; the default) or okta (full-attribute server)")
			tags := fs.String("tags", "", "extra godog tag `EXPR`, ANDed with the profile's")
			reportsDir := fs.String("reports", "", "report `DIR` (default "+steps.DefaultReportsDir+")")
			verbose := fs.Bool("verbose", false, "print every scenario and step as it runs, instead of one line per feature and the failures in full")
			strict := fs.Bool("strict", false, "a not-run scenario fails the verdict (env "+steps.EnvFailOnNotRun+"=true)")
			maxDur := fs.Duration("max-duration", 0, "stop the run after `D` (default 10m); the scenarios left are reported not run (deadline)")
			variants := fs.StringSlice("variant", nil, "with the embedded reference, enable an allowed variant `NAME` (repeatable or comma-separated; see xakia-reference variants)")
			// The suite reads these variables itself (steps.ConfigFromEnv,
			// with its own validation); a flag, when given, wins.
			clikit.DocEnv(fs, "profile", steps.EnvProfile)
			clikit.DocEnv(fs, "tags", steps.EnvTags)
			clikit.DocEnv(fs, "reports", steps.EnvReports)
			clikit.DocEnv(fs, "max-duration", steps.EnvMaxDuration)
			return func(ctx context.Context, c *cli) int {
				if (len(c.g.faults) > 0 || len(*variants) > 0) && c.g.baseURL != "" && !c.g.embedded {
					fmt.Fprintln(c.stderr, "mockokta conform: --fault and --variant apply to the embedded reference; drop --base-url (or SCIM_BASE_URL), or add --embedded")
					return exitUsage
				}
				if c.e.conform == nil {
					fmt.Fprintln(c.stderr, "mockokta conform: not wired")
					return exitUsage
				}
				return c.e.conform(ctx, conformRequest{
					Faults: c.g.faults, Variants: *variants, Strict: *strict, Verbose: *verbose,
					Profile: *profile, Tags: *tags, Reports: *reportsDir,
					BaseURL: c.g.baseURL, APIKey: c.g.apiKey, Embedded: c.g.embedded, JSON: c.g.json,
					Stdout: c.stdout, Stderr: c.stderr,
					MaxBody: c.g.maxBody, MaxDuration: *maxDur,
				})
			}
		},
	})
}

// runConform runs the embedded Gherkin suite: the environment of the suite
// (SCIM_*, XAKIA_ADMIN_*) first, then the command's flags on top of it.
func runConform(getenv func(string) string) conformFunc {
	return func(ctx context.Context, req conformRequest) int {
		cfg, err := steps.ConfigFromEnv(func(k string) string {
			switch k {
			case steps.EnvBaseURL:
				if req.Embedded {
					return ""
				}
				return req.BaseURL
			case steps.EnvAPIKey:
				if req.Embedded {
					return ""
				}
				return req.APIKey
			case steps.EnvProfile:
				if req.Profile != "" {
					return req.Profile
				}
			case steps.EnvTags:
				if req.Tags != "" {
					return req.Tags
				}
			case steps.EnvReports:
				if req.Reports != "" {
					return req.Reports
				}
			case steps.EnvMaxBody:
				if req.MaxBody != "" {
					return req.MaxBody
				}
			}
			return getenv(k)
		})
		if err != nil {
			fmt.Fprintf(req.Stderr, "mockokta conform: %v\n", err)
			return steps.ExitConfig
		}
		if req.MaxDuration < 0 {
			fmt.Fprintln(req.Stderr, "mockokta conform: --max-duration must be positive")
			return steps.ExitConfig
		}
		if req.MaxDuration > 0 {
			cfg.MaxDuration = req.MaxDuration
		}
		cfg.Faults = req.Faults
		cfg.Variants = req.Variants
		cfg.FailOnNotRun = cfg.FailOnNotRun || req.Strict
		cfg.Verbose = req.Verbose
		cfg.StartImage = imageStarter()
		cfg.Output = req.Stdout
		cfg.ErrOutput = req.Stderr
		if req.JSON {
			// The console report goes to stderr; stdout gets summary.json.
			cfg.Output = req.Stderr
		}
		run, code := steps.Run(ctx, cfg)
		if req.JSON {
			printSummary(req, cfg.ReportsDir, run)
		}
		return code
	}
}

// printSummary copies summary.json to stdout, or the verdict as JSON when the
// run ended before reports were written.
func printSummary(req conformRequest, dir string, run reports.Run) {
	if b, err := os.ReadFile(filepath.Join(dir, reports.SummaryFile)); err == nil && run.Duration > 0 && len(run.Scenarios) > 0 {
		_, _ = req.Stdout.Write(b)
		return
	}
	pass, fail, dev, notRun := reports.Counts(run)
	b, _ := json.Marshal(map[string]any{
		"verdict": reports.Verdict(run), "verdictLine": reports.VerdictLine(run),
		"counts": map[string]int{"pass": pass, "fail": fail, "deviation": dev, "notRun": notRun},
	})
	fmt.Fprintln(req.Stdout, string(b))
}
