// Command mockokta is an offline mock of Okta's SCIM provisioning client. It
// replays what Okta sends to a SCIM 2.0 server (Test API Credentials,
// assignment, profile update, unassignment, reassignment, import), in the
// OIN or AIW app style, and reports each task the way Okta's provisioning
// log words it. Run "mockokta --help" for the commands.
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
