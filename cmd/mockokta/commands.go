package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/xakia-okta/scimtest/mockokta"
)

func (commandSet) TestConnection(a *app) *cobra.Command {
	return a.command(command{
		name:    "test-connection",
		summary: "Okta's \"Test API Credentials\": GET /Users?startIndex=1&count=2, then GET /Groups?startIndex=1&count=100",
		details: "Passes when /Users answers 200 with a SCIM ListResponse whose paging fields are integers.\n/Groups is judged the same way only with --groups (an app with group push or import);\notherwise a /Groups failure is an advice warning. A 401 is reported as Okta does:\n\"Error authenticating\". See docs/okta-wire.md, \"Test connection\".",
		examples: []string{
			"mockokta --base-url https://xakia.example/scim/v2/loc1 --api-key $KEY test-connection",
			"mockokta --embedded --json test-connection",
		},
		bind: func(fs *pflag.FlagSet) func(context.Context, *cli) int {
			return func(ctx context.Context, c *cli) int {
				if code := c.prepare(ctx); code >= 0 {
					return code
				}
				return c.reportTasks(c.okta.TestConnection(ctx))
			}
		},
	})
}

func (commandSet) Assign(a *app) *cobra.Command {
	return a.command(command{
		name:    "assign",
		args:    "--user EMAIL [--given NAME] [--family NAME]",
		summary: "assign a user to the app: Okta's userName lookup, then a link to the user found or a POST /Users",
		details: `The user is added to the mock Okta directory when it is not there yet (names
derived from the email unless --given/--family are set). A user found by the
lookup is linked and its profile pushed (never POSTed); otherwise Okta's exact
create body is POSTed and 201 with an id is expected. A 409 stops the task.`,
		examples: []string{
			"mockokta assign --user jane.doe@example.com",
			"mockokta --mode aiw assign --user jane.doe@example.com --given Jane --family Doe",
		},
		bind: func(fs *pflag.FlagSet) func(context.Context, *cli) int {
			user := fs.String("user", "", "login and email of the Okta user `EMAIL` (required)")
			given := fs.String("given", "", "first name `NAME` (default: from the email)")
			family := fs.String("family", "", "last name `NAME` (default: from the email)")
			return func(ctx context.Context, c *cli) int {
				if *user == "" {
					return c.configError(usagef("--user is required"))
				}
				if code := c.prepare(ctx); code >= 0 {
					return code
				}
				if _, err := c.okta.Directory().Get(*user); err != nil {
					if _, err := c.okta.Directory().Add(mockokta.ProfileFromEmail(*user, *given, *family)); err != nil {
						return c.configError(err)
					}
				}
				r := c.okta.Assign(ctx, *user)
				c.saveState()
				return c.reportTasks(r)
			}
		},
	})
}

func (commandSet) Update(a *app) *cobra.Command {
	return a.command(command{
		name:    "update",
		args:    "--user EMAIL --set ATTR=VALUE [--set ATTR=VALUE ...]",
		summary: "change Okta profile attributes and push them: GET /Users/{id}, then PUT the object overlaid with the profile (OIN with --profile-update patch: one PATCH)",
		details: `ATTR is an Okta profile attribute: login, email, firstName, lastName,
displayName, locale. Changing firstName or lastName without --set displayName
recomputes displayName as "first last". An empty VALUE pushes a cleared value.`,
		examples: []string{
			"mockokta update --user jane.doe@example.com --set firstName=Janet",
			"mockokta update --user jane.doe@example.com --set locale=en-AU --set displayName='Dr Jane Doe'",
		},
		bind: func(fs *pflag.FlagSet) func(context.Context, *cli) int {
			user := fs.String("user", "", "login of an assigned user `EMAIL` (required)")
			sets := fs.StringArray("set", nil, "profile change `ATTR=VALUE` (repeatable, at least one)")
			return func(ctx context.Context, c *cli) int {
				if *user == "" || len(*sets) == 0 {
					return c.configError(usagef("--user and at least one --set ATTR=VALUE are required"))
				}
				if code := c.prepare(ctx); code >= 0 {
					return code
				}
				if err := c.knownUser(*user); err != nil {
					return c.configError(err)
				}
				u, _ := c.okta.Directory().Get(*user)
				p := u.Profile
				setDisplay, setNames := false, false
				for _, s := range *sets {
					k, v, ok := strings.Cut(s, "=")
					if !ok {
						return c.configError(usagef("--set %q is not ATTR=VALUE", s))
					}
					if err := p.SetAttribute(strings.TrimSpace(k), v); err != nil {
						return c.configError(usagef("--set %s: %v", k, err))
					}
					switch strings.ToLower(strings.TrimSpace(k)) {
					case "displayname":
						setDisplay = true
					case "firstname", "lastname", "givenname", "familyname":
						setNames = true
					}
				}
				if setNames && !setDisplay {
					p.DisplayName = strings.TrimSpace(p.FirstName + " " + p.LastName)
				}
				r := c.okta.UpdateProfile(ctx, *user, p)
				c.saveState()
				return c.reportTasks(r)
			}
		},
	})
}

func (commandSet) Unassign(a *app) *cobra.Command {
	return a.command(command{
		name:    "unassign",
		args:    "--user EMAIL",
		summary: "remove a user from the app: OIN PATCH active:false (no path), AIW GET + PUT of the GET body with active false; never DELETE",
		examples: []string{
			"mockokta unassign --user jane.doe@example.com",
			"mockokta --mode aiw unassign --user jane.doe@example.com",
		},
		bind: userCommand(func(ctx context.Context, o *mockokta.Okta, login string) mockokta.TaskResult {
			return o.Unassign(ctx, login)
		}),
	})
}

func (commandSet) Reassign(a *app) *cobra.Command {
	return a.command(command{
		name:    "reassign",
		args:    "--user EMAIL",
		summary: "assign a previously unassigned user again: the lookup must find the same id; OIN PATCHes active:true and pushes the profile, AIW makes two GET + PUT rounds",
		examples: []string{
			"mockokta reassign --user jane.doe@example.com",
		},
		bind: userCommand(func(ctx context.Context, o *mockokta.Okta, login string) mockokta.TaskResult {
			return o.Reassign(ctx, login)
		}),
	})
}

// userCommand binds a command that takes --user and runs one task.
func userCommand(task func(context.Context, *mockokta.Okta, string) mockokta.TaskResult) func(fs *pflag.FlagSet) func(context.Context, *cli) int {
	return func(fs *pflag.FlagSet) func(context.Context, *cli) int {
		user := fs.String("user", "", "login of the Okta user `EMAIL` (required)")
		return func(ctx context.Context, c *cli) int {
			if *user == "" {
				return c.configError(usagef("--user is required"))
			}
			if code := c.prepare(ctx); code >= 0 {
				return code
			}
			if err := c.knownUser(*user); err != nil {
				return c.configError(err)
			}
			r := task(ctx, c.okta, *user)
			c.saveState()
			return c.reportTasks(r)
		}
	}
}

func (commandSet) Import(a *app) *cobra.Command {
	return a.command(command{
		name:    "import",
		summary: "Okta's user import: GET /Users?startIndex=1&count=100, 101, 201, … checking integer paging, stable order and totalResults",
		details: "Inactive users are left out, as Okta does. Each finding carries its authority: okta (Okta's import breaks),\nrfc (RFC 7644 §3.4.2) or advice (a warning; RFC 7644 §3.4.2.4 lets pages change). See docs/okta-wire.md, \"Import\".",
		examples: []string{
			"mockokta import",
			"mockokta --embedded --json import",
		},
		bind: func(fs *pflag.FlagSet) func(context.Context, *cli) int {
			return func(ctx context.Context, c *cli) int {
				if code := c.prepare(ctx); code >= 0 {
					return code
				}
				r := c.okta.Import(ctx)
				if r.OK && !c.g.json {
					defer func() {
						const shown = 50
						for i, u := range r.Imported {
							if i == shown {
								fmt.Fprintf(c.stdout, "  … and %d more (use --json for the full list)\n", len(r.Imported)-shown)
								break
							}
							fmt.Fprintf(c.stdout, "  imported %s externalId=%s userName=%s\n", u.ID, orDash(u.ExternalID), orDash(u.UserName))
						}
					}()
				}
				return c.reportTasks(r)
			}
		},
	})
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
