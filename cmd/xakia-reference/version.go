package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/xakia-okta/scimtest/internal/buildinfo"
	"github.com/xakia-okta/scimtest/internal/clikit"
)

// Version prints the build's version, commit, build date and Go version
// (stamped by make dist / make image), as one line or, with --json, as JSON.
func (commandSet) Version(_ *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "print the version, commit, build date and Go version",
		Long:    "Release archives and images stamp these at build time; a plain go build reads \"dev\" and the git commit.",
		Example: "  xakia-reference version --json",
		Args:    clikit.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := buildinfo.Read()
			if asJSON {
				b, _ := json.Marshal(info) // plain strings: cannot fail
				fmt.Fprintln(cmd.OutOrStdout(), string(b))
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "xakia-reference %s\n", info)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the build information as JSON")
	return cmd
}
