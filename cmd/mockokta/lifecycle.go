package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/xakia-okta/scimtest/mockokta"
)

func (commandSet) Lifecycle(a *app) *cobra.Command {
	return a.command(command{
		name:    "lifecycle",
		args:    "[--users N]",
		summary: "test-connection → assign → assign an existing user → update → unassign → reassign → import, each verified",
		details: `Replays Okta's CRUD test offline and checks after each step what SCIM lets a
client see (with limited query attributes GET returns only id, active and
externalId; write responses carry the full user). The pre-existing user is
created through the admin API with --embedded or --admin-url/--admin-token,
otherwise through a plain SCIM POST. Users are named lc-<random>-N@example.com.
Use --users above 100 to make the import walk several pages.`,
		examples: []string{
			"mockokta --embedded lifecycle",
			"mockokta --embedded --mode aiw lifecycle --users 120",
			"mockokta --embedded --fault forget-deactivated lifecycle   # fails, as Okta would",
			"mockokta --base-url https://xakia.example/scim/v2/loc1 --api-key $KEY lifecycle",
		},
		bind: func(fs *pflag.FlagSet) func(context.Context, *cli) int {
			users := fs.Int("users", 3, "number of new users to assign (`N`, at least 2)")
			return func(ctx context.Context, c *cli) int {
				if *users < 2 || *users > 100000 {
					return c.configError(usagef("--users must be between 2 and 100000"))
				}
				if code := c.prepare(ctx); code >= 0 {
					return code
				}
				if !c.g.json {
					fmt.Fprintf(c.stdout, "mock Okta lifecycle against %s (app %s, %s style)\n\n", c.okta.App().BaseURL, c.okta.App().Name, c.okta.App().Style)
				}
				rep := c.okta.Lifecycle(ctx, mockokta.LifecycleOptions{
					Users:       *users,
					PreExisting: c.adminCreator(),
					OnStep: func(s mockokta.Step) {
						if !c.g.json {
							c.printStep(s)
						}
					},
				})
				c.saveState()
				return c.reportLifecycle(rep)
			}
		},
	})
}

// reportLifecycle prints the verdict and returns the exit code.
func (c *cli) reportLifecycle(rep mockokta.LifecycleReport) int {
	code := exitOK
	if !rep.OK {
		code = exitFailed
	}
	var unreachable error
	out := c.newJSONOutput()
	for _, s := range rep.Steps {
		js := jsonStep{Name: s.Name, OK: s.OK, NotRun: s.NotRun, Verdict: s.Verdict, Checks: s.Checks, Requests: requestsOf(s.Exchanges)}
		for _, t := range s.Tasks {
			c.collect(t.Exchanges)
			js.Tasks = append(js.Tasks, taskJSON(t))
			if !t.OK && mockokta.IsUnreachable(t.Err) && unreachable == nil {
				unreachable = t.Err
			}
		}
		c.collect(s.Exchanges)
		out.Steps = append(out.Steps, js)
	}
	if unreachable != nil {
		code = exitUsage
		out.Unreached = unreachable.Error()
	}
	out.OK, out.ExitCode = code == exitOK, code
	if c.g.json {
		c.printJSON(out)
	} else {
		passed := 0
		for _, s := range rep.Steps {
			if s.OK {
				passed++
			}
		}
		verdict := "PASS"
		if !rep.OK {
			verdict = "FAIL"
		}
		fmt.Fprintf(c.stdout, "lifecycle %s: %d of %d steps passed (%s style)\n", verdict, passed, len(rep.Steps), c.okta.App().Style)
	}
	if unreachable != nil {
		return c.unreachable(unreachable)
	}
	return c.finish(code)
}
