// Command mockokta is an offline mock of Okta's SCIM provisioning client. It
// replays what Okta sends to a SCIM 2.0 server (Test API Credentials,
// assignment, profile update, unassignment, reassignment, import), in the
// OIN or AIW app style, and reports each task the way Okta's provisioning
// log words it. Run "mockokta --help" for the commands.
//
// Adding a subcommand is a one-file job: create NAME.go with a method
//
//	func (commandSet) Name(a *app) *cobra.Command { return a.command(command{…}) }
//
// and newRoot (cli.go) adds it with the others (clikit.AddCommands walks the
// methods of commandSet). a.command gives it the shared conventions: the
// global flags, environment bindings shown as "(env NAME)" in its help
// (clikit.BindEnv), help on stdout, errors on stderr, the exit statuses of
// the root's help and docs/cli.md, no positional arguments. A command that
// needs more than a.command offers may build its *cobra.Command itself and
// return clikit.Exit(status) or a clikit.UsageError from RunE.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, env{
		getenv:   os.Getenv,
		terminal: isTerminal(os.Stdout),
		conform:  runConform(os.Getenv),
	})
	stop()
	os.Exit(code)
}

// isTerminal reports whether f is a character device (a terminal), the only
// place a progress bar is drawn.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
