package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Exit codes of every command.
const (
	exitOK     = 0 // every task succeeded
	exitFailed = 1 // a provisioning task failed
	exitUsage  = 2 // usage or configuration error, unreachable target
	// exitInterrupted: stopped by SIGINT or SIGTERM before the end.
	exitInterrupted = 130
)

// conformRequest is what the conform command hands to the suite.
type conformRequest struct {
	Args     []string // the arguments after "conform", unparsed
	Profile  string   // --profile
	Tags     string   // --tags
	Reports  string   // --reports
	BaseURL  string   // --base-url / SCIM_BASE_URL (may be empty: embedded default)
	APIKey   string   // --api-key / SCIM_API_KEY
	Embedded bool     // --embedded
	Faults   []string // --fault (embedded reference only)
	Variants []string // conform --variant (embedded reference only)
	Strict   bool     // conform --strict: not-run scenarios fail
	// MaxBody is --max-body ("" keeps SCIM_MAX_BODY or the default).
	MaxBody string
	// MaxDuration is conform --max-duration (0 keeps SCIM_MAX_DURATION or
	// the default).
	MaxDuration time.Duration
	JSON        bool // --json
	Stdout      io.Writer
	Stderr      io.Writer
}

// conformFunc runs the conformance suite and returns the exit code.
type conformFunc func(ctx context.Context, req conformRequest) int

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
	faults             listFlag
	adminURL, admToken string
	har                string
	json               bool
	timeout            time.Duration
	maxBody            string
	retryScale         float64
	appName            string
	groups             bool
	profileUpdate      string

	getenv func(string) string
}

// applyEnv fills the flags left empty from the environment. It runs after
// parsing so that secrets from the environment never show up as flag
// defaults in --help.
func (g *globals) applyEnv() {
	for _, v := range []struct {
		dst *string
		env string
	}{
		{&g.baseURL, "SCIM_BASE_URL"},
		{&g.apiKey, "SCIM_API_KEY"},
		{&g.adminURL, "XAKIA_ADMIN_URL"},
		{&g.admToken, "XAKIA_ADMIN_TOKEN"},
		{&g.maxBody, "SCIM_MAX_BODY"},
	} {
		if *v.dst == "" {
			*v.dst = g.getenv(v.env)
		}
	}
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func newGlobals(getenv func(string) string) *globals {
	return &globals{
		getenv:        getenv,
		auth:          "bearer",
		mode:          "oin",
		statePath:     ".mockokta-state.json",
		timeout:       60 * time.Second,
		retryScale:    1,
		appName:       "Xakia",
		profileUpdate: "put",
	}
}

// register adds the global flags to fs and returns their names.
func (g *globals) register(fs *flag.FlagSet) map[string]bool {
	fs.StringVar(&g.baseURL, "base-url", g.baseURL, "SCIM base URL of the target location `URL` [SCIM_BASE_URL]")
	fs.StringVar(&g.apiKey, "api-key", g.apiKey, "SCIM API key `KEY` [SCIM_API_KEY]; \"user:password\" with --auth basic, the raw header value with --auth header")
	fs.StringVar(&g.auth, "auth", g.auth, "how the key is sent, `MODE` = bearer, basic or header")
	fs.StringVar(&g.mode, "mode", g.mode, "Okta app `STYLE`: oin (catalogue app, PATCH for active) or aiw (App Integration Wizard, PUT for everything)")
	fs.StringVar(&g.statePath, "state", g.statePath, "state `FILE`: the mock Okta directory, assignments and learned SCIM ids (not used with --embedded)")
	fs.BoolVar(&g.embedded, "embedded", g.embedded, "start an in-process reference Xakia server and target its default location")
	fs.Var(&g.faults, "fault", "with --embedded, enable a reference fault `NAME` (repeatable; see xakia-reference faults)")
	fs.StringVar(&g.adminURL, "admin-url", g.adminURL, "origin `URL` of a reference-compatible admin API, used by lifecycle to create a pre-existing user [XAKIA_ADMIN_URL]")
	fs.StringVar(&g.admToken, "admin-token", g.admToken, "admin API `TOKEN` [XAKIA_ADMIN_TOKEN]")
	fs.StringVar(&g.har, "har", g.har, "write every HTTP exchange (redacted) to a HAR 1.2 `FILE`")
	fs.BoolVar(&g.json, "json", g.json, "print machine-readable JSON results instead of the provisioning log")
	fs.DurationVar(&g.timeout, "timeout", g.timeout, "timeout of each HTTP request (Okta uses 60s)")
	fs.StringVar(&g.maxBody, "max-body", g.maxBody, "read at most `SIZE` bytes of each response (e.g. 8MiB, the default); a longer body fails the request [SCIM_MAX_BODY]")
	fs.Float64Var(&g.retryScale, "retry-time-scale", g.retryScale, "multiply 429 waits by `F` (0.001 turns Okta's 5-minute wait into 300ms)")
	fs.StringVar(&g.appName, "app-name", g.appName, "app `NAME` used in Okta's messages")
	fs.BoolVar(&g.groups, "groups", g.groups, "the app has group push or import, so Test API Credentials needs GET /Groups to succeed (Xakia has no groups: off, a /Groups failure is only advice)")
	fs.StringVar(&g.profileUpdate, "profile-update", g.profileUpdate, "how an OIN app pushes profile changes, `METHOD` = put (GET then PUT, the likely Xakia catalogue app) or patch (one PATCH, body inferred); AIW apps always PUT")
	names := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { names[f.Name] = true })
	return names
}

// command is one mockokta command.
type command struct {
	name     string
	args     string // usage after the name
	summary  string
	details  string
	examples []string
	// bind registers the command's flags and returns its body.
	bind func(fs *flag.FlagSet) func(ctx context.Context, c *cli) int
}

func commands() []command {
	return []command{
		testConnectionCommand(), assignCommand(), updateCommand(), unassignCommand(),
		reassignCommand(), importCommand(), lifecycleCommand(), loadCommand(), conformCommand(),
		serveCommand(), versionCommand(),
	}
}

const rootSummary = `mockokta replays what Okta's SCIM provisioning client sends to a SCIM 2.0
server (headers, queries, bodies and the 429 policy) and reports each task the
way Okta's provisioning log words it. docs/okta-wire.md in the scimtest
repository describes every request, its public source (or says it is
inferred) and the app settings.

usage: mockokta [global flags] COMMAND [command flags]
`

const rootExamples = `examples:
  mockokta --embedded lifecycle                    # everything, against an in-process reference
  export SCIM_BASE_URL=https://xakia.example/scim/v2/loc1 SCIM_API_KEY=...
  mockokta test-connection
  mockokta assign --user jane.doe@example.com
  mockokta --mode aiw update --user jane.doe@example.com --set firstName=Janet
  mockokta --embedded load --users 2000 --concurrency 8

exit status: 0 every task succeeded; 1 a provisioning task failed; 2 usage or
configuration error (missing URL or key, unknown flag, unreachable target).
`

func printRootUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, rootSummary)
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-16s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nglobal flags (accepted before or after the command; env in brackets):")
	var all []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { all = append(all, f) })
	printFlags(w, all)
	fmt.Fprintln(w)
	fmt.Fprint(w, rootExamples)
	fmt.Fprintln(w, "\nRun \"mockokta COMMAND --help\" for a command's flags and examples.")
}

func printCommandUsage(w io.Writer, c command, fs *flag.FlagSet, global map[string]bool) {
	fmt.Fprintf(w, "usage: mockokta [global flags] %s %s\n\n%s\n", c.name, c.args, c.summary)
	if c.details != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.details))
	}
	var own []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if !global[f.Name] {
			own = append(own, f)
		}
	})
	if len(own) > 0 {
		fmt.Fprintln(w, "\nflags:")
		printFlags(w, own)
	}
	if len(c.examples) > 0 {
		fmt.Fprintln(w, "\nexamples:")
		for _, e := range c.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	fmt.Fprintln(w, "\nGlobal flags (--base-url, --api-key, --mode, --embedded, --json, …): see \"mockokta --help\".")
}

// printFlags lists flags GNU-style ("--name VALUE"), sorted by name.
func printFlags(w io.Writer, flags []*flag.Flag) {
	sort.Slice(flags, func(i, j int) bool { return flags[i].Name < flags[j].Name })
	for _, f := range flags {
		name, usage := flag.UnquoteUsage(f)
		if name == "value" {
			name = "VALUE"
		}
		fmt.Fprintf(w, "  --%s %s\n      %s", f.Name, name, usage)
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" && f.DefValue != "[]" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	}
}

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help", "--h":
			return true
		}
	}
	return false
}

// run is the whole command line: it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, e env) int {
	if e.getenv == nil {
		e.getenv = func(string) string { return "" }
	}
	g := newGlobals(e.getenv)
	root := flag.NewFlagSet("mockokta", flag.ContinueOnError)
	root.SetOutput(io.Discard)
	g.register(root)
	if err := root.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printRootUsage(stdout, root)
			return exitOK
		}
		fmt.Fprintf(stderr, "mockokta: %v\n\nRun \"mockokta --help\" for usage.\n", err)
		return exitUsage
	}
	rest := root.Args()
	if len(rest) == 0 {
		printRootUsage(stderr, root)
		fmt.Fprintln(stderr, "\nmockokta: no command given")
		return exitUsage
	}
	name := rest[0]
	if name == "help" {
		if len(rest) > 1 {
			return run(ctx, []string{rest[1], "--help"}, stdout, stderr, e)
		}
		printRootUsage(stdout, root)
		return exitOK
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == name {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "mockokta: unknown command %q\n\nRun \"mockokta --help\" for the commands.\n", name)
		return exitUsage
	}
	fs := flag.NewFlagSet("mockokta "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	global := g.register(fs)
	body := cmd.bind(fs)
	cmdArgs := rest[1:]
	if wantsHelp(cmdArgs) {
		printCommandUsage(stdout, *cmd, fs, global)
		return exitOK
	}
	if err := fs.Parse(cmdArgs); err != nil {
		fmt.Fprintf(stderr, "mockokta %s: %v\n\nRun \"mockokta %s --help\" for usage.\n", name, err, name)
		return exitUsage
	}
	g.applyEnv()
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mockokta %s: unexpected argument %q\n\nRun \"mockokta %s --help\" for usage.\n", name, fs.Arg(0), name)
		return exitUsage
	}
	c := &cli{g: g, e: e, stdout: stdout, stderr: stderr, command: name, rawArgs: cmdArgs}
	defer c.close()
	code := body(ctx, c)
	if ctx.Err() != nil && name != "conform" && code != exitOK {
		// A signal cut the command short: what it printed is partial
		// (its HAR, if asked for, was written), and it never passes.
		// conform reports its own interruption.
		fmt.Fprintf(stderr, "mockokta %s: VERDICT: INTERRUPTED — stopped by a signal before the end; the results above are partial (exit %d)\n", name, exitInterrupted)
		return exitInterrupted
	}
	return code
}

// usageError is a configuration problem: exit 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }
