package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/xakia-okta/scimtest/reference"
)

const faultsUsage = `Usage: xakia-reference faults

Lists the faults accepted by "serve --fault NAME", one per line: the name and
the rule it breaks. Faults exist so that the conformance suite can prove it
notices each broken rule.

Example:
  xakia-reference serve --db :memory: --fault string-paging --fault groups-404
`

func listFaults(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("faults", faultsUsage, stderr)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("faults takes no arguments, got %q", pos[0])
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, f := range reference.Faults() {
		fmt.Fprintf(tw, "%s\t%s\n", f.Name, f.Description)
	}
	return tw.Flush()
}
