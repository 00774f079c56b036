package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/xakia-okta/scimtest/internal/buildinfo"
)

// versionCommand prints the build's version, commit, build date and Go
// version (stamped by make dist / make image-mockokta).
func (commandSet) Version(a *app) *cobra.Command {
	return a.command(command{
		name:    "version",
		summary: "print the version, commit, build date and Go version of this binary",
		details: "Release archives and the container image stamp these at build time; a plain go build reads \"dev\" and the git commit.",
		examples: []string{
			"mockokta version",
			"mockokta --json version",
		},
		bind: func(fs *pflag.FlagSet) func(context.Context, *cli) int {
			return func(_ context.Context, c *cli) int {
				info := buildinfo.Read()
				if c.g.json {
					b, _ := json.Marshal(info) // plain strings: cannot fail
					fmt.Fprintln(c.stdout, string(b))
					return exitOK
				}
				fmt.Fprintf(c.stdout, "mockokta %s\n", info)
				return exitOK
			}
		},
	})
}
