package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/xakia-okta/scimtest/internal/clikit"
	"github.com/xakia-okta/scimtest/reference"
)

// Variants is the variants command.
func (commandSet) Variants(_ *app) *cobra.Command {
	return &cobra.Command{
		Use:   "variants",
		Short: "list the variant names accepted by serve --variant",
		Long: `Lists the variants accepted by "serve --variant NAME", one per line: the name
and how the behaviour differs from Xakia's. A variant is legal for RFC
7643/7644 and for Okta, so the conformance suite's okta profile must pass
against it; variants exist to prove the suite raises no false alarm. On serve
a variant applies to every location.`,
		Example: "  xakia-reference serve --db :memory: --variant full-replace-put --variant patch-204",
		Args:    clikit.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			for _, v := range reference.Variants() {
				fmt.Fprintf(tw, "%s\t%s\n", v.Name, v.Description)
			}
			return tw.Flush()
		},
	}
}
