// Command xakia-reference runs the reference Xakia SCIM 2.0 server and
// manages its locations. Run "xakia-reference --help" for the commands.
//
// Adding a subcommand is a one-file job: create NAME.go with a method
//
//	func (commandSet) Name(a *app) *cobra.Command { … }
//
// and newRoot adds it with the others (clikit.AddCommands walks the methods
// of commandSet). Follow the shared conventions of internal/clikit: typed
// flags, clikit.BindEnv for a flag's environment variable (shown as
// "(env NAME)" in its help and applied before RunE runs), Args: clikit.NoArgs
// or clikit.ExactArgs, output on cmd.OutOrStdout(), and RunE returning a
// clikit.UsageError for a mistake on the command line (exit 2) or any other
// error for a failure (exit 1). The exit statuses are documented once, in the
// root's help and docs/cli.md.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/xakia-okta/scimtest/internal/buildinfo"
	"github.com/xakia-okta/scimtest/internal/clikit"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = clikit.ExitUsage
)

// usagef returns a command-line mistake (exit 2).
func usagef(format string, args ...any) error { return clikit.Usagef(format, args...) }

// env reads environment variables; tests replace it.
type env func(string) string

// app is what every command shares: the environment.
type app struct {
	getenv env
}

// commandSet holds one method per subcommand, each in the file of its
// command; newRoot adds them all.
type commandSet struct{}

const rootLong = `xakia-reference: the reference Xakia SCIM 2.0 server.

Serves SCIM 2.0 per location at {origin}/scim/v2/{location}, an admin API at
{origin}/admin/api, and keeps its data in SQLite (a file or :memory:) or
PostgreSQL. A flag left out takes the value of its environment variable
(env NAME).

Exit status:
  0  success (serve: stopped by SIGINT or SIGTERM)
  1  runtime error (database, listener, unknown location)
  2  usage error: unknown command or flag, bad flag value, wrong arguments`

const rootExamples = `  xakia-reference serve --db ./xakia-reference.db
  xakia-reference location create "Sydney Office" --query-attributes full
  source <(xakia-reference completion bash)   # shell completion (bash, zsh, fish, powershell)`

// newRoot builds the command tree for one run.
func newRoot(getenv env) *cobra.Command {
	root := &cobra.Command{
		Use:     "xakia-reference",
		Short:   "the reference Xakia SCIM 2.0 server",
		Long:    rootLong,
		Example: rootExamples,
		Version: buildinfo.Read().String(),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return clikit.ApplyEnv(cmd, getenv)
		},
	}
	root.SetVersionTemplate("xakia-reference {{.Version}}\n")
	clikit.Group(root)
	clikit.AddCommands(root, commandSet{}, &app{getenv: getenv})
	return root
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) int {
	return clikit.Execute(ctx, newRoot(getenv), args, stdout, stderr, exitError)
}
