package clikit

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testSet is a command set as the binaries declare theirs.
type testSet struct{}

type testApp struct {
	getenv func(string) string
	got    *string
	n      *int
}

// Echo prints its --word flag (bound to WORD) and returns status --code.
func (testSet) Echo(a testApp) *cobra.Command {
	var code int
	cmd := &cobra.Command{
		Use:  "echo",
		Args: NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.Println(*a.got)
			return Exit(code)
		},
	}
	cmd.Flags().StringVar(a.got, "word", "none", "the `WORD`")
	cmd.Flags().IntVar(&code, "code", 0, "exit `STATUS`")
	BindEnv(cmd.Flags(), "word", "WORD")
	cmd.Flags().IntVar(a.n, "n", 0, "a number")
	BindEnv(cmd.Flags(), "n", "N")
	return cmd
}

// Fail fails with a runtime error.
func (testSet) Fail(testApp) *cobra.Command {
	return &cobra.Command{Use: "fail", Args: NoArgs, RunE: func(*cobra.Command, []string) error { return errors.New("disk on fire") }}
}

func runTest(t *testing.T, vars map[string]string, args ...string) (int, string, string, string) {
	t.Helper()
	var got string
	var n int
	getenv := func(k string) string { return vars[k] }
	root := &cobra.Command{Use: "tool", PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return ApplyEnv(cmd, getenv) }}
	Group(root)
	AddCommands(root, testSet{}, testApp{getenv: getenv, got: &got, n: &n})
	var stdout, stderr bytes.Buffer
	code := Execute(context.Background(), root, args, &stdout, &stderr, 1)
	return code, stdout.String(), stderr.String(), got
}

func TestExecuteStatuses(t *testing.T) {
	code, out, errOut, _ := runTest(t, nil, "echo")
	assert.Equal(t, 0, code)
	assert.Equal(t, "none\n", out)
	assert.Empty(t, errOut)

	code, _, errOut, _ = runTest(t, nil, "echo", "--code", "7")
	assert.Equal(t, 7, code, "a command's own status passes through")
	assert.Empty(t, errOut, "an ExitError prints nothing")

	code, out, errOut, _ = runTest(t, nil, "fail")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, "tool: disk on fire\n", errOut)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "tool: no command given (commands: echo, fail)"},
		{[]string{"ecoh"}, `tool: unknown command "ecoh" (commands: echo, fail); did you mean "echo"?`},
		{[]string{"echo", "x"}, `tool: echo: unexpected argument "x"`},
		{[]string{"echo", "--nope"}, "tool: echo: unknown flag: --nope"},
		{[]string{"echo", "--code", "many"}, `invalid argument "many" for "--code"`},
	} {
		code, out, errOut, _ := runTest(t, nil, tc.args...)
		assert.Equal(t, ExitUsage, code, tc.args)
		assert.Contains(t, errOut, tc.want, tc.args)
		assert.Contains(t, errOut, "--help\" for usage.", tc.args)
		assert.NotContains(t, out, tc.want, "errors go to stderr only")
	}
}

func TestApplyEnv(t *testing.T) {
	_, _, _, got := runTest(t, map[string]string{"WORD": " from-env "}, "echo")
	assert.Equal(t, "from-env", got, "a flag left out takes its variable, trimmed")

	_, _, _, got = runTest(t, map[string]string{"WORD": "from-env"}, "echo", "--word", "from-flag")
	assert.Equal(t, "from-flag", got, "the command line wins")

	code, _, errOut, _ := runTest(t, map[string]string{"N": "lots"}, "echo")
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errOut, `N="lots"`, "a bad value names its variable")
}

func TestHelpShowsEnvOnStdout(t *testing.T) {
	code, out, errOut, _ := runTest(t, map[string]string{"WORD": "secret-from-env"}, "echo", "--help")
	require.Equal(t, 0, code)
	assert.Empty(t, errOut)
	assert.Contains(t, out, "--word WORD")
	assert.Contains(t, out, "(env WORD)")
	assert.NotContains(t, out, "secret-from-env", "help never shows a value from the environment")

	_, out, _, _ = runTest(t, nil, "--help")
	assert.Contains(t, out, "Usage:\n  tool COMMAND [flags]\n")
	assert.NotContains(t, out, "tool [flags]")
}

func TestGroupNeedsSubcommand(t *testing.T) {
	parent := &cobra.Command{Use: "tool"}
	group := &cobra.Command{Use: "things"}
	Group(group)
	group.AddCommand(&cobra.Command{Use: "list", Run: func(*cobra.Command, []string) {}})
	parent.AddCommand(group)
	var stdout, stderr bytes.Buffer
	code := Execute(context.Background(), parent, []string{"things"}, &stdout, &stderr, 1)
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, stderr.String(), "things needs a subcommand: list")
	assert.Contains(t, stderr.String(), "Usage:", "the group's help goes to stderr with the error")
	assert.Empty(t, stdout.String())

	stderr.Reset()
	code = Execute(context.Background(), parent, []string{"things", "lsit"}, &stdout, &stderr, 1)
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, stderr.String(), `unknown things subcommand "lsit" (list); did you mean "list"?`)
}

// badSet has a method of the wrong signature.
type badSet struct{}

// Oops takes the wrong argument.
func (badSet) Oops(int) *cobra.Command { return nil }

func TestAddCommandsRejectsWrongSignature(t *testing.T) {
	assert.Panics(t, func() { AddCommands(&cobra.Command{Use: "tool"}, badSet{}, "app") })
}

// TestLegacySingleDashFlags: "-word x" and "-word=x" (the Go flag package's
// forms) still work; a cluster of shorthands or an unknown name is left to
// pflag, and nothing after "--" is touched.
func TestLegacySingleDashFlags(t *testing.T) {
	_, _, _, got := runTest(t, nil, "echo", "-word", "one")
	assert.Equal(t, "one", got)
	_, _, _, got = runTest(t, nil, "echo", "-word=two")
	assert.Equal(t, "two", got)
	code, out, _, _ := runTest(t, nil, "echo", "-help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "Usage:")
	code, _, errOut, _ := runTest(t, nil, "echo", "-nope")
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, errOut, "unknown shorthand flag")

	root := &cobra.Command{Use: "tool"}
	root.Flags().String("word", "", "")
	assert.Equal(t, []string{"--word", "-x", "--", "-word"}, legacyLongFlags(root, []string{"-word", "-x", "--", "-word"}))
}
