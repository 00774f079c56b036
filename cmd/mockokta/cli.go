package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/xakia-okta/scimtest/internal/buildinfo"
	"github.com/xakia-okta/scimtest/internal/clikit"
)

// Exit codes of every command (documented once, in the root's help and
// docs/cli.md).
const (
	exitOK     = 0                // every task succeeded
	exitFailed = 1                // a provisioning task failed
	exitUsage  = clikit.ExitUsage // usage or configuration error, unreachable target
	// exitInterrupted: stopped by SIGINT or SIGTERM before the end.
	exitInterrupted = 130
)

// env is what run needs from the process, injectable by tests.
type env struct {
	getenv   func(string) string
	terminal bool // stdout is a terminal (progress bar)
	conform  conformFunc
}

// globals are the flags accepted before or after any command.
type globals struct {
	baseURL, apiKey    string
	auth, mode         string
	statePath          string
	embedded           bool
	faults             []string
	adminURL, admToken string
	har                string
	json               bool
	timeout            time.Duration
	maxBody            string
	retryScale         float64
	appName            string
	groups             bool
	profileUpdate      string
}

func newGlobals() *globals {
	return &globals{
		auth:          "bearer",
		mode:          "oin",
		statePath:     ".mockokta-state.json",
		timeout:       60 * time.Second,
		retryScale:    1,
		appName:       "Xakia",
		profileUpdate: "put",
	}
}

// register adds the global flags to fs, with their environment variables.
func (g *globals) register(fs *pflag.FlagSet) {
	fs.StringVar(&g.baseURL, "base-url", g.baseURL, "SCIM base URL of the target location `URL`")
	fs.StringVar(&g.apiKey, "api-key", g.apiKey, "SCIM API key `KEY`; \"user:password\" with --auth basic, the raw header value with --auth header")
	fs.StringVar(&g.auth, "auth", g.auth, "how the key is sent, `MODE` = bearer, basic or header")
	fs.StringVar(&g.mode, "mode", g.mode, "Okta app `STYLE`: oin (catalogue app, PATCH for active) or aiw (App Integration Wizard, PUT for everything)")
	fs.StringVar(&g.statePath, "state", g.statePath, "state `FILE`: the mock Okta directory, assignments and learned SCIM ids (not used with --embedded)")
	fs.BoolVar(&g.embedded, "embedded", g.embedded, "start an in-process reference Xakia server and target its default location (implied by --fault when no target is set)")
	fs.StringSliceVar(&g.faults, "fault", nil, "enable a fault `NAME` of the embedded reference (repeatable or comma-separated; see xakia-reference faults); implies --embedded when no --base-url is set")
	fs.StringVar(&g.adminURL, "admin-url", g.adminURL, "origin `URL` of a reference-compatible admin API, used by lifecycle to create a pre-existing user")
	fs.StringVar(&g.admToken, "admin-token", g.admToken, "admin API `TOKEN`")
	fs.StringVar(&g.har, "har", g.har, "write every HTTP exchange (redacted) to a HAR 1.2 `FILE`")
	fs.BoolVar(&g.json, "json", g.json, "print machine-readable JSON results instead of the provisioning log")
	fs.DurationVar(&g.timeout, "timeout", g.timeout, "timeout `D` of each HTTP request (Okta uses 60s)")
	fs.StringVar(&g.maxBody, "max-body", g.maxBody, "read at most `SIZE` bytes of each response (default 8MiB); a longer body fails the request")
	fs.Float64Var(&g.retryScale, "retry-time-scale", g.retryScale, "multiply 429 waits by `F` (0.001 turns Okta's 5-minute wait into 300ms)")
	fs.StringVar(&g.appName, "app-name", g.appName, "app `NAME` used in Okta's messages")
	fs.BoolVar(&g.groups, "groups", g.groups, "the app has group push or import, so Test API Credentials needs GET /Groups to succeed (Xakia has no groups: off, a /Groups failure is only advice)")
	fs.StringVar(&g.profileUpdate, "profile-update", g.profileUpdate, "how an OIN app pushes profile changes, `METHOD` = put (GET then PUT, the likely Xakia catalogue app) or patch (one PATCH, body inferred); AIW apps always PUT")
	clikit.BindEnv(fs, "base-url", "SCIM_BASE_URL")
	clikit.BindEnv(fs, "api-key", "SCIM_API_KEY")
	clikit.BindEnv(fs, "admin-url", "XAKIA_ADMIN_URL")
	clikit.BindEnv(fs, "admin-token", "XAKIA_ADMIN_TOKEN")
	clikit.BindEnv(fs, "max-body", "SCIM_MAX_BODY")
}

// app is what every command shares: the process environment and the global
// flags, filled once the command line is parsed.
type app struct {
	e env
	g *globals
}

// commandSet holds one method per mockokta subcommand, each in the file of
// its command; newRoot adds them all (clikit.AddCommands).
type commandSet struct{}

const rootLong = `mockokta replays what Okta's SCIM provisioning client sends to a SCIM 2.0
server (headers, queries, bodies and the 429 policy) and reports each task the
way Okta's provisioning log words it. The docs of the scimtest repository
describe every request, its public source (or say it is inferred) and the
app settings. Global flags go before or after the command; a flag left out
takes the value of its environment variable (env NAME).

Exit status (every command):
  0    every task succeeded (conform: every selected scenario passed)
  1    a provisioning task failed (conform: conformance failures, or the run
       reached --max-duration)
  2    usage or configuration error: missing URL or key, unknown flag or
       command, unreachable target, no scenario selected, engine error
  130  interrupted by SIGINT or SIGTERM; the results printed are partial`

const rootExamples = `  mockokta --embedded lifecycle                    # everything, against an in-process reference
  export SCIM_BASE_URL=https://xakia.example/scim/v2/loc1 SCIM_API_KEY=...
  mockokta test-connection
  mockokta assign --user jane.doe@example.com
  mockokta --mode aiw update --user jane.doe@example.com --set firstName=Janet
  mockokta --embedded load --users 2000 --concurrency 8
  mockokta conform --fault keep-cleared-values     # the suite against a broken embedded reference
  source <(mockokta completion bash)               # shell completion (bash, zsh, fish, powershell)`

// newRoot builds the command tree for one run.
func newRoot(e env) *cobra.Command {
	a := &app{e: e, g: newGlobals()}
	root := &cobra.Command{
		Use:     "mockokta",
		Short:   "a mock of Okta's SCIM provisioning client, and the conformance suite",
		Long:    rootLong,
		Example: rootExamples,
		Version: buildinfo.Read().String(),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return clikit.ApplyEnv(cmd, e.getenv)
		},
	}
	root.SetVersionTemplate("mockokta {{.Version}}\n")
	a.g.register(root.PersistentFlags())
	clikit.Group(root)
	clikit.AddCommands(root, commandSet{}, a)
	return root
}

// run is the whole command line: it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, e env) int {
	if e.getenv == nil {
		e.getenv = func(string) string { return "" }
	}
	return clikit.Execute(ctx, newRoot(e), args, stdout, stderr, exitUsage)
}

// examples indents example lines for cobra's Examples section.
func examples(lines ...string) string {
	return "  " + strings.Join(lines, "\n  ")
}

// body turns a command body into cobra's RunE: it builds the invocation,
// closes it after the body and returns the body's exit status.
func (a *app) body(fn func(ctx context.Context, c *cli) int) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		name := cmd.Name()
		c := &cli{g: a.g, e: a.e, stdout: cmd.OutOrStdout(), stderr: cmd.ErrOrStderr(), command: name}
		defer c.close()
		code := fn(ctx, c)
		if ctx.Err() != nil && name != "conform" && code != exitOK {
			// A signal cut the command short: what it printed is partial
			// (its HAR, if asked for, was written), and it never passes.
			// conform reports its own interruption.
			fmt.Fprintf(c.stderr, "mockokta %s: VERDICT: INTERRUPTED — stopped by a signal before the end; the results above are partial (exit %d)\n", name, exitInterrupted)
			return clikit.Exit(exitInterrupted)
		}
		return clikit.Exit(code)
	}
}

// usagef returns a configuration problem: exit 2.
func usagef(format string, args ...any) error { return clikit.Usagef(format, args...) }

// command describes one mockokta subcommand in the words of its help.
type command struct {
	name     string
	args     string // usage after the name
	summary  string // one line, shown in the command list
	details  string // the rest of the command's help
	examples []string
	// bind registers the command's flags and returns its body.
	bind func(fs *pflag.FlagSet) func(ctx context.Context, c *cli) int
}

// command builds the cobra command of c: positional arguments are refused,
// the body runs through app.body.
func (a *app) command(c command) *cobra.Command {
	long := c.summary
	if d := strings.TrimSpace(c.details); d != "" {
		long += ".\n\n" + d
	}
	cmd := &cobra.Command{
		Use:     strings.TrimSpace(c.name + " " + c.args),
		Short:   c.summary,
		Long:    long,
		Example: examples(c.examples...),
		Args:    clikit.NoArgs,
	}
	cmd.RunE = a.body(c.bind(cmd.Flags()))
	return cmd
}
