package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/xakia-okta/scimtest/internal/buildinfo"
)

// printVersion prints the build's version, commit, build date and Go version
// (stamped by make dist / make image), as one line or, with --json, as JSON.
func printVersion(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the build information as JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("version: unexpected argument %q", pos[0])
	}
	info := buildinfo.Read()
	if *asJSON {
		b, _ := json.Marshal(info) // plain strings: cannot fail
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	fmt.Fprintf(stdout, "xakia-reference %s\n", info)
	return nil
}
