// Command xakia-reference runs the reference Xakia SCIM 2.0 server and
// manages its locations.
//
//	xakia-reference serve [--addr 127.0.0.1:8080] [--db ./xakia-reference.db | :memory: | postgres://…]
//	                      [--public-url URL] [--admin-token TOKEN] [--tls-cert F --tls-key F]
//	                      [--rate-limit N] [--fault NAME ...] [--variant NAME ...]
//	xakia-reference location create NAME [--db …] [--query-attributes limited|full]
//	xakia-reference location list [--db …]
//	xakia-reference location rotate-key ID [--db …]
//	xakia-reference faults
//	xakia-reference variants
//	xakia-reference version [--json]
//
// Exit status: 0 success, 1 runtime error, 2 usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// errUsage marks command-line mistakes (exit 2); its message says what is wrong.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

const mainUsage = `xakia-reference: the reference Xakia SCIM 2.0 server.

Usage:
  xakia-reference serve [flags]                 run the server
  xakia-reference location create NAME [flags]  create a location; prints its SCIM Base URI and API key
  xakia-reference location list [flags]         list locations
  xakia-reference location rotate-key ID [flags] generate a new API key; the old one stops working
  xakia-reference faults                        list the fault names accepted by serve --fault
  xakia-reference variants                      list the variant names accepted by serve --variant
  xakia-reference version [--json]              print the version, commit, build date and Go version

Run "xakia-reference COMMAND --help" for the flags of a command.

Examples:
  xakia-reference serve --db ./xakia-reference.db
  xakia-reference location create "Sydney Office" --query-attributes full
`

// env reads environment variables; tests replace it.
type env func(string) string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) int {
	err := dispatch(ctx, args, stdout, stderr, getenv)
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "xakia-reference: %s\n", ue.msg)
		fmt.Fprintln(stderr, `Run "xakia-reference --help" for usage.`)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "xakia-reference: %v\n", err)
		return exitError
	}
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, mainUsage)
		return usagef("missing command")
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, mainUsage)
		return nil
	case "serve":
		return serve(ctx, args[1:], stdout, stderr, getenv)
	case "location", "locations":
		return location(ctx, args[1:], stdout, stderr, getenv)
	case "faults":
		return listFaults(args[1:], stdout, stderr)
	case "variants":
		return listVariants(args[1:], stdout, stderr)
	case "version", "--version":
		return printVersion(args[1:], stdout, stderr)
	}
	return usagef("unknown command %q (commands: serve, location, faults, variants, version)", args[0])
}

// parseArgs parses flags placed before, between or after positional
// arguments and returns the positional ones. A flag error is a usage error.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlagSet makes a flag set whose usage text is usage plus the flags.
func newFlagSet(name, usage string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, usage)
		fmt.Fprintln(out, "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

// orEnv returns v, or the value of the environment variable name when v is empty.
func orEnv(getenv env, name, def string) string {
	if v := strings.TrimSpace(getenv(name)); v != "" {
		return v
	}
	return def
}
