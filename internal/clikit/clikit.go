// Package clikit is the command-line convention shared by the scimtest
// binaries (mockokta, xakia-reference), on top of github.com/spf13/cobra:
//
//   - GNU-style flags ("--name VALUE"), typed by pflag;
//   - a flag may be bound to an environment variable: its help ends with
//     "(env NAME)" and ApplyEnv fills it, after parsing, when the flag was not
//     given (so a secret from the environment never shows as a default);
//   - help goes to stdout, errors to stderr, as "BINARY: message";
//   - Execute turns the outcome into an exit status: 0, a command's own
//     status (ExitError), 2 for a usage error (UsageError, a bad flag, an
//     unknown command or argument), and the binary's status for any other
//     error;
//   - subcommands are the methods of a command set (AddCommands), so adding
//     one is adding one file.
package clikit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// ExitUsage is the exit status of a usage or configuration error, the same
// for every scimtest binary.
const ExitUsage = 2

// envAnnotation is the pflag annotation that names a flag's environment
// variable; envBound marks the flags ApplyEnv fills.
const (
	envAnnotation = "clikit_env"
	envBound      = "clikit_env_bound"
)

// UsageError is a mistake on the command line or in the configuration: the
// binary prints it with a pointer to --help and exits with ExitUsage.
type UsageError struct{ Msg string }

// Error returns the message.
func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// ExitError carries the exit status of a command that has already printed
// its outcome (a failed provisioning task, a failed conformance run): Execute
// prints nothing more and returns Code.
type ExitError struct{ Code int }

// Error describes the status.
func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Exit returns nil for status 0, else an *ExitError with the status.
func Exit(code int) error {
	if code == 0 {
		return nil
	}
	return &ExitError{Code: code}
}

// BindEnv binds the flag name of fs to the environment variable env: the
// flag's help gains "(env ENV)" and ApplyEnv sets the flag from the variable
// when the command line does not give it. It panics when fs has no such flag
// (a programming error, caught by any test that builds the command).
func BindEnv(fs *pflag.FlagSet, name, env string) {
	annotate(fs, name, env)
	if err := fs.SetAnnotation(name, envBound, []string{"true"}); err != nil {
		panic(err)
	}
}

// DocEnv shows "(env ENV)" in the help of flag name without binding it: for
// flags whose variable is read elsewhere (with its own validation), where the
// flag, when given, takes precedence.
func DocEnv(fs *pflag.FlagSet, name, env string) {
	annotate(fs, name, env)
}

func annotate(fs *pflag.FlagSet, name, env string) {
	f := fs.Lookup(name)
	if f == nil {
		panic(fmt.Sprintf("clikit: no flag --%s to bind to %s", name, env))
	}
	f.Usage += " (env " + env + ")"
	if err := fs.SetAnnotation(name, envAnnotation, []string{env}); err != nil {
		panic(err)
	}
}

// EnvOf returns the environment variable bound or documented for flag f, or "".
func EnvOf(f *pflag.Flag) string {
	if v := f.Annotations[envAnnotation]; len(v) == 1 {
		return v[0]
	}
	return ""
}

// ApplyEnv sets every flag of cmd (its own and the inherited ones) that is
// bound with BindEnv and absent from the command line from its environment
// variable, when that is not blank. A value the flag rejects is a UsageError
// naming the variable.
func ApplyEnv(cmd *cobra.Command, getenv func(string) string) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		env := EnvOf(f)
		if err != nil || f.Changed || env == "" || len(f.Annotations[envBound]) == 0 {
			return
		}
		v := strings.TrimSpace(getenv(env))
		if v == "" {
			return
		}
		if serr := cmd.Flags().Set(f.Name, v); serr != nil {
			err = Usagef("%s=%q: %v", env, v, serr)
		}
	})
	return err
}

// NoArgs rejects any positional argument with a UsageError.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return Usagef("%s: unexpected argument %q", path(cmd), args[0])
	}
	return nil
}

// ExactArgs accepts exactly n positional arguments, described by what
// ("NAME", "location ID") in the error.
func ExactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			count := fmt.Sprint(n)
			if n == 1 {
				count = "one"
			}
			return Usagef("%s needs exactly %s %s, got %d arguments", path(cmd), count, what, len(args))
		}
		return nil
	}
}

// Group makes cmd a command that only holds subcommands (the root, or a
// group such as "location"): run alone it prints its help on stderr and
// fails with a UsageError, and an unknown subcommand is a UsageError (cobra
// alone would print the help and exit 0 for a group).
func Group(cmd *cobra.Command) {
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		names := strings.Join(subcommandNames(c), ", ")
		hint := ""
		if c.SuggestionsMinimumDistance <= 0 {
			c.SuggestionsMinimumDistance = 2
		}
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			hint = fmt.Sprintf("; did you mean %q?", s[0])
		}
		if !c.HasParent() {
			return Usagef("unknown command %q (commands: %s)%s", args[0], names, hint)
		}
		return Usagef("unknown %s subcommand %q (%s)%s", path(c), args[0], names, hint)
	}
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		c.SetOut(c.ErrOrStderr())
		_ = c.Help()
		names := strings.Join(subcommandNames(c), ", ")
		if !c.HasParent() {
			return Usagef("no command given (commands: %s)", names)
		}
		return Usagef("%s needs a subcommand: %s", path(c), names)
	}
}

// path is the command's path without the binary's name ("location
// create"), for messages that Execute prefixes with the binary's name.
func path(c *cobra.Command) string {
	if !c.HasParent() {
		return c.Name()
	}
	return strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ")
}

// subcommandNames lists the available subcommands of c, sorted.
func subcommandNames(c *cobra.Command) []string {
	var names []string
	for _, s := range c.Commands() {
		if s.IsAvailableCommand() && s.Name() != "help" && s.Name() != "completion" {
			names = append(names, s.Name())
		}
	}
	sort.Strings(names)
	return names
}

// AddCommands adds to parent one subcommand per exported method of set whose
// signature is func(A) *cobra.Command, called with a. It panics on an
// exported method of any other signature, so a mistyped command cannot go
// missing silently.
func AddCommands[A any](parent *cobra.Command, set any, a A) {
	v := reflect.ValueOf(set)
	want := reflect.TypeFor[func(A) *cobra.Command]()
	for i := range v.NumMethod() {
		m := v.Method(i)
		if m.Type() != want {
			panic(fmt.Sprintf("clikit: %s.%s is %s, want %s", v.Type(), v.Type().Method(i).Name, m.Type(), want))
		}
		out := m.Call([]reflect.Value{reflect.ValueOf(a)})
		parent.AddCommand(out[0].Interface().(*cobra.Command))
	}
}

// Execute runs root with args and returns the exit status. It prints every
// error except an ExitError on stderr as "ROOT: message"; usage errors add a
// pointer to --help and return ExitUsage, other errors return errorCode.
func Execute(ctx context.Context, root *cobra.Command, args []string, stdout, stderr io.Writer, errorCode int) int {
	root.SetArgs(legacyLongFlags(root, args))
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SilenceErrors = true
	root.SilenceUsage = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return Usagef("%s: %v", path(c), err)
	})
	// A command with subcommands is used as "PATH COMMAND [flags]" (cobra
	// would also list "PATH [flags]", because Group makes it runnable).
	root.SetUsageTemplate(strings.Replace(root.UsageTemplate(),
		"Usage:{{if .Runnable}}\n  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}\n  {{.CommandPath}} [command]{{end}}",
		"Usage:{{if .HasAvailableSubCommands}}\n  {{.CommandPath}} COMMAND [flags]{{else}}\n  {{.UseLine}}{{end}}", 1))
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	var exit *ExitError
	if errors.As(err, &exit) {
		return exit.Code
	}
	var usage *UsageError
	if errors.As(err, &usage) || isCobraUsageError(err) {
		fmt.Fprintf(stderr, "%s: %v\n", root.Name(), err)
		if cmd == nil {
			cmd = root
		}
		fmt.Fprintf(stderr, "Run \"%s --help\" for usage.\n", cmd.CommandPath())
		return ExitUsage
	}
	fmt.Fprintf(stderr, "%s: %v\n", root.Name(), err)
	return errorCode
}

// legacyLongFlags rewrites "-name" and "-name=value" into "--name…" when
// name (two letters or more) is a long flag of some command of root: the
// Go flag package the binaries used before accepted one dash, and scripts
// written then keep working. Arguments after "--" are left alone.
func legacyLongFlags(root *cobra.Command, args []string) []string {
	names := map[string]bool{"help": true, "version": root.Version != ""} // added by cobra when it runs
	var collect func(c *cobra.Command)
	collect = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.LocalFlags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		}
		for _, sub := range c.Commands() {
			collect(sub)
		}
	}
	collect(root)
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		if a == "--" {
			break
		}
		if len(a) < 3 || a[0] != '-' || a[1] == '-' {
			continue
		}
		name, _, _ := strings.Cut(a[1:], "=")
		if len(name) >= 2 && names[name] {
			out[i] = "-" + a
		}
	}
	return out
}

// isCobraUsageError recognises the few usage errors cobra makes itself.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command ") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag") || strings.Contains(msg, "flag needs an argument") ||
		strings.HasPrefix(msg, "invalid argument ")
}
