package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/xakia-okta/scimtest/reports"
	"github.com/xakia-okta/scimtest/steps"
)

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
		cfg.Output = req.Stdout
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
