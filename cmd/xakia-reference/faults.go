package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/xakia-okta/scimtest/internal/clikit"
	"github.com/xakia-okta/scimtest/reference"
)

// Faults is the faults command.
func (commandSet) Faults(_ *app) *cobra.Command {
	return &cobra.Command{
		Use:   "faults",
		Short: "list the fault names accepted by serve --fault",
		Long: `Lists the faults accepted by "serve --fault NAME", one per line: the name and
the rule it breaks. Faults exist so that the conformance suite can prove it
notices each broken rule.`,
		Example: "  xakia-reference serve --db :memory: --fault string-paging --fault groups-404",
		Args:    clikit.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			for _, f := range reference.Faults() {
				fmt.Fprintf(tw, "%s\t%s\n", f.Name, f.Description)
			}
			return tw.Flush()
		},
	}
}
