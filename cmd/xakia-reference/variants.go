package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/xakia-okta/scimtest/reference"
)

const variantsUsage = `Usage: xakia-reference variants

Lists the variants accepted by "serve --variant NAME", one per line: the name
and how the behaviour differs from Xakia's. A variant is legal for RFC
7643/7644 and for Okta, so the conformance suite's okta profile must pass
against it; variants exist to prove the suite raises no false alarm. On serve
a variant applies to every location.

Example:
  xakia-reference serve --db :memory: --variant full-replace-put --variant patch-204
`

func listVariants(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("variants", variantsUsage, stderr)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("variants takes no arguments, got %q", pos[0])
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, v := range reference.Variants() {
		fmt.Fprintf(tw, "%s\t%s\n", v.Name, v.Description)
	}
	return tw.Flush()
}
