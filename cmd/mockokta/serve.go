package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/xakia-okta/scimtest/internal/clikit"
	"github.com/xakia-okta/scimtest/mockokta/console"
	"github.com/xakia-okta/scimtest/mockokta/oidc"
	"github.com/xakia-okta/scimtest/mockokta/serve"
)

// serveMounts are the extra faces of `mockokta serve` (the admin console,
// the OIDC provider); each adds its serve.Mount here.
func serveMounts() []serve.Mount { return []serve.Mount{console.Mount(), oidc.Mount()} }

// Serve is `mockokta serve`: a long-running mock Okta org.
func (commandSet) Serve(a *app) *cobra.Command {
	return a.command(command{
		name:    "serve",
		args:    "[--addr 127.0.0.1:8090] [--db mockokta.db] [--public-url URL]",
		summary: "run a mock Okta org: the Management API under /api/v1 (SSWS token), asynchronous SCIM provisioning, /healthz",
		details: `The org (people, apps, connections, assignments, the provisioning queue and
log) is kept in a SQLite database. The first start prints the admin sign-in
and an API token once; later starts print the token only when
MOCKOKTA_API_TOKEN sets it. SIGINT or SIGTERM shut it down gracefully: the
running provisioning task may finish, queued tasks resume at the next start.
The scimtest repository documents the Management API subset it serves.`,
		examples: []string{
			"mockokta serve",
			"mockokta serve --import-state .mockokta-state.json",
			"MOCKOKTA_API_TOKEN=00my-ci-token-0123456789 mockokta serve --db /tmp/org.db --addr 127.0.0.1:9000",
		},
		bind: func(fs *pflag.FlagSet) func(context.Context, *cli) int {
			addr := fs.String("addr", serve.DefaultAddr, "listen `ADDR`")
			db := fs.String("db", serve.DefaultDB, "SQLite database `FILE`")
			public := fs.String("public-url", "", "origin `URL` browsers and clients use (default http://ADDR)")
			state := fs.String("import-state", "", "import the people and links of a --state `FILE` of the one-shot commands at start")
			clikit.BindEnv(fs, "addr", serve.EnvAddr)
			clikit.BindEnv(fs, "db", serve.EnvDB)
			clikit.BindEnv(fs, "public-url", serve.EnvPublicURL)
			return func(ctx context.Context, c *cli) int {
				cfg := serve.Config{Addr: *addr, DB: *db, PublicURL: *public, ImportState: *state, APIToken: c.e.getenv(serve.EnvAPIToken), Mounts: serveMounts()}
				if err := serve.Run(ctx, cfg, c.stdout, c.stderr); err != nil {
					fmt.Fprintf(c.stderr, "mockokta serve: %v\n", err)
					return exitUsage
				}
				return exitOK
			}
		},
	})
}
