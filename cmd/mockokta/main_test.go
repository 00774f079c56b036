package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/reference"
)

// runCLI runs the command line with the given environment variables.
func runCLI(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, env{getenv: func(k string) string { return vars[k] }})
	return code, stdout.String(), stderr.String()
}

func startRef(t *testing.T, faults ...string) *reference.Instance {
	t.Helper()
	inst, err := reference.Start(context.Background(), reference.Options{Faults: faults})
	if err != nil {
		t.Fatalf("reference.Start: %v", err)
	}
	t.Cleanup(func() { _ = inst.Close() })
	return inst
}

func TestHelp(t *testing.T) {
	for _, c := range newRoot(env{}).Commands() {
		t.Run(c.Name(), func(t *testing.T) {
			code, out, stderr := runCLI(t, nil, c.Name(), "--help")
			require.Equal(t, exitOK, code)
			assert.Empty(t, stderr, "help goes to stdout")
			assert.Contains(t, out, "Usage:\n  mockokta "+c.Name())
			assert.Contains(t, out, "Global Flags:")
			if c.Name() != "help" && c.Name() != "completion" {
				assert.Contains(t, out, "Examples:")
			}
		})
	}
	code, out, _ := runCLI(t, nil, "--help")
	require.Equal(t, exitOK, code)
	for _, want := range []string{"--retry-time-scale", "lifecycle", "completion", "(env SCIM_BASE_URL)", "Exit status", "130"} {
		assert.Contains(t, out, want)
	}
	code, out, _ = runCLI(t, nil, "help", "assign")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "--given")
	code, out, _ = runCLI(t, nil, "conform", "--help")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "(env SCIM_PROFILE)")
	assert.Contains(t, out, "(env SCIM_API_KEY)", "the global flags show their variables in every command's help")
}

// TestCompletion checks that cobra's completion scripts are there.
func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, _ := runCLI(t, nil, "completion", shell)
		require.Equal(t, exitOK, code, shell)
		assert.Contains(t, out, "mockokta", shell)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		args    []string
		wantErr string
	}{
		{"no command", nil, nil, "no command given"},
		{"unknown command", nil, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown global flag", nil, []string{"--nope", "import"}, "unknown flag: --nope"},
		{"unknown command flag", nil, []string{"import", "--nope"}, "unknown flag: --nope"},
		{"typed flag", nil, []string{"--timeout", "soon", "import"}, `invalid argument "soon" for "--timeout"`},
		{"typed command flag", nil, []string{"lifecycle", "--users", "x"}, `invalid argument "x" for "--users"`},
		{"missing base URL", nil, []string{"test-connection"}, "no target: set --base-url (or SCIM_BASE_URL)"},
		{"missing key", map[string]string{"SCIM_BASE_URL": "http://127.0.0.1:1/scim"}, []string{"test-connection"}, "no API key"},
		{"bad mode", nil, []string{"--embedded", "--mode", "xyz", "import"}, "--mode must be oin or aiw"},
		{"bad auth", nil, []string{"--auth", "magic", "--embedded", "import"}, "--auth must be bearer, basic or header"},
		{"bad profile update", nil, []string{"--embedded", "--profile-update", "post", "import"}, "--profile-update must be put or patch"},
		{"fault with a target", nil, []string{"--base-url", "http://127.0.0.1:1/scim", "--fault", "groups-404", "import"}, "--fault applies to the embedded reference"},
		{"fault with a target in env", map[string]string{"SCIM_BASE_URL": "http://127.0.0.1:1/scim"}, []string{"--fault", "groups-404", "conform"}, "--fault and --variant apply to the embedded reference"},
		{"unknown fault", nil, []string{"--embedded", "--fault", "nope", "import"}, "unknown fault"},
		{"assign without user", nil, []string{"--embedded", "assign"}, "--user is required"},
		{"update without set", nil, []string{"--embedded", "update", "--user", "a@b.c"}, "at least one --set"},
		{"update unknown user", nil, []string{"--embedded", "update", "--user", "a@b.c", "--set", "firstName=A"}, "not in the mock Okta directory"},
		{"stray argument", nil, []string{"import", "extra"}, `unexpected argument "extra"`},
		{"conform not wired", nil, []string{"conform"}, "conform: not wired"},
		{"lifecycle too few users", nil, []string{"--embedded", "lifecycle", "--users", "1"}, "--users must be between 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.vars, tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr, tc.wantErr)
			assert.NotContains(t, stdout, tc.wantErr, "errors go to stderr only")
		})
	}
}

func TestUnreachableTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, cmd := range []string{"test-connection", "import", "lifecycle"} {
		code, _, stderr := runCLI(t, nil, "--base-url", "http://"+addr+"/scim/v2/x", "--api-key", "k", "--state", filepath.Join(t.TempDir(), "s.json"), cmd)
		if code != exitUsage || !strings.Contains(stderr, "cannot reach the SCIM server") {
			t.Errorf("%s: exit %d, stderr %q", cmd, code, stderr)
		}
	}
}

func TestInsecureRemoteWarning(t *testing.T) {
	_, _, stderr := runCLI(t, nil, "--base-url", "http://xakia.example/scim/v2/a", "--api-key", "k", "--state", filepath.Join(t.TempDir(), "s.json"), "update", "--user", "a@b.c", "--set", "locale=en")
	if !strings.Contains(stderr, "Okta requires HTTPS") {
		t.Errorf("no HTTPS warning: %q", stderr)
	}
}

func TestConformWired(t *testing.T) {
	var got conformRequest
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"conform", "--profile", "okta", "--tags", "@smoke", "--reports", "out"}, &stdout, &stderr, env{
		getenv:  func(k string) string { return map[string]string{"SCIM_BASE_URL": "https://x.test/scim"}[k] },
		conform: func(_ context.Context, r conformRequest) int { got = r; return 1 },
	})
	if code != 1 || got.Profile != "okta" || got.Tags != "@smoke" || got.Reports != "out" || got.BaseURL != "https://x.test/scim" {
		t.Errorf("exit %d, request %+v", code, got)
	}
}

// TestLifecycleEmbedded runs the lifecycle in both styles against the
// embedded reference and checks the verdict and the JSON document.
func TestLifecycleEmbedded(t *testing.T) {
	for _, mode := range []string{"oin", "aiw"} {
		t.Run(mode, func(t *testing.T) {
			har := filepath.Join(t.TempDir(), "trace.har")
			code, out, stderr := runCLI(t, nil, "--embedded", "--mode", mode, "--har", har, "lifecycle")
			wantCode, wantVerdict := exitOK, "lifecycle PASS: 7 of 7 steps passed"
			if code != wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, wantCode, out, stderr)
			}
			if !strings.Contains(out, wantVerdict) || !strings.Contains(out, "[ok]     assign lc-") {
				t.Errorf("output lacks %q:\n%s", wantVerdict, out)
			}
			b, err := os.ReadFile(har)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Log struct {
					Entries []json.RawMessage `json:"entries"`
				} `json:"log"`
			}
			if err := json.Unmarshal(b, &doc); err != nil || len(doc.Log.Entries) < 20 {
				t.Errorf("HAR has %d entries (%v)", len(doc.Log.Entries), err)
			}
			if strings.Contains(string(b), "Bearer ") && !strings.Contains(string(b), "Bearer REDACTED") {
				t.Error("the HAR file holds an unredacted bearer token")
			}
		})
	}
}

// TestLifecycleFault checks exit 1 and Okta's wording with a reference
// that forgets deactivated users, in human and JSON output.
func TestLifecycleFault(t *testing.T) {
	inst := startRef(t, "forget-deactivated")
	loc := inst.Locations[0]
	vars := map[string]string{"SCIM_BASE_URL": loc.BaseURL, "SCIM_API_KEY": loc.APIKey}
	state := filepath.Join(t.TempDir(), "state.json")
	code, out, _ := runCLI(t, vars, "--state", state, "lifecycle")
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"lifecycle FAIL", "[FAILED] reassign", "Automatic provisioning of user", "to app Xakia failed: Error while creating user", "answered 404, want 200 after the deactivation"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, loc.APIKey) {
		t.Error("the output shows the API key")
	}
	code, out, _ = runCLI(t, vars, "--state", state, "--json", "lifecycle")
	var doc jsonOutput
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if code != exitFailed || doc.OK || doc.ExitCode != 1 || len(doc.Steps) != 7 {
		t.Errorf("exit %d doc ok=%v exit=%d steps=%d", code, doc.OK, doc.ExitCode, len(doc.Steps))
	}
}

// TestSingleCommandsWithState drives assign → update → unassign → reassign
// → import through the state file against one reference.
func TestSingleCommandsWithState(t *testing.T) {
	inst := startRef(t)
	loc := inst.Locations[0]
	statePath := filepath.Join(t.TempDir(), "state.json")
	base := []string{"--base-url", loc.BaseURL, "--api-key", loc.APIKey, "--state", statePath}
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"test-connection"}, 0, "App Xakia was verified successfully!"},
		{[]string{"assign", "--user", "jane.doe@example.com"}, 0, "was created in app Xakia"},
		{[]string{"assign", "--user", "jane.doe@example.com"}, 0, "already assigned"},
		{[]string{"update", "--user", "jane.doe@example.com", "--set", "firstName=Janet"}, 0, "profile was pushed"},
		{[]string{"unassign", "--user", "jane.doe@example.com"}, 0, "was deactivated in app Xakia"},
		{[]string{"--mode", "aiw", "reassign", "--user", "jane.doe@example.com"}, 0, "same id"},
		{[]string{"import"}, 0, "1 imported, 0 inactive skipped"},
		{[]string{"--api-key", "wrong-key-123", "test-connection"}, 1, "Error authenticating"},
	}
	for _, s := range steps {
		code, out, stderr := runCLI(t, nil, append(append([]string{}, base...), s.args...)...)
		if code != s.code || !strings.Contains(out, s.want) {
			t.Fatalf("%v: exit %d (want %d), output lacks %q\n%s\n%s", s.args, code, s.code, s.want, out, stderr)
		}
	}
	b, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	links := st.Apps[strings.TrimRight(loc.BaseURL, "/")]
	if links == nil || len(links.Links) != 1 || !links.Links[0].Active || len(st.Directory) != 1 || st.Directory[0].Profile.FirstName != "Janet" {
		t.Errorf("state %s", b)
	}
	if strings.Contains(string(b), loc.APIKey) {
		t.Error("the state file holds the API key")
	}
}

func TestLoadEmbeddedJSON(t *testing.T) {
	code, out, stderr := runCLI(t, nil, "--embedded", "--json", "load", "--users", "30", "--concurrency", "3")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	var doc jsonOutput
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Load == nil || doc.Load.Succeeded != 30 || doc.Load.Requests != 60 || doc.Load.P99Ms <= 0 {
		t.Errorf("load %+v", doc.Load)
	}
	if strings.Contains(out, "\r[") {
		t.Error("a progress bar was drawn although stdout is not a terminal")
	}
}

// TestHelpHidesEnvironmentSecrets checks that keys from the environment are
// used but never printed as flag defaults.
func TestHelpHidesEnvironmentSecrets(t *testing.T) {
	vars := map[string]string{"SCIM_API_KEY": "env-secret-key-123", "XAKIA_ADMIN_TOKEN": "env-admin-token-456", "SCIM_BASE_URL": "https://x.test/scim"}
	for _, args := range [][]string{{"--help"}, {"assign", "--help"}} {
		_, out, _ := runCLI(t, vars, args...)
		if strings.Contains(out, "env-secret-key-123") || strings.Contains(out, "env-admin-token-456") {
			t.Errorf("%v prints a secret from the environment", args)
		}
	}
}

func TestLoadProgressBarOnTerminal(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--embedded", "load", "--users", "10", "--concurrency", "2"}, &stdout, &stderr, env{terminal: true})
	out := stdout.String()
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr.String())
	}
	for _, want := range []string{"\r[", "10/10 users, 0 failed", "load: 10 users assigned", "users/s", "p99"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%q", want, out)
		}
	}
}

// TestGroupsSwitch checks --groups: against a server whose /Groups answers
// 404, Test API Credentials passes with an advice warning by default (Xakia
// has no groups) and fails, with its authority, when the app has groups.
func TestGroupsSwitch(t *testing.T) {
	code, out, stderr := runCLI(t, nil, "--embedded", "--fault", "groups-404", "test-connection")
	if code != exitOK || !strings.Contains(out, "warning: [advice] GET /Groups: Not Found") {
		t.Errorf("without --groups: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, nil, "--embedded", "--fault", "groups-404", "--groups", "test-connection")
	if code != exitFailed || !strings.Contains(out, "Could not verify app Xakia: GET /Groups") || !strings.Contains(out, "authority: okta") {
		t.Errorf("with --groups: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestProfileUpdateSwitch checks --profile-update patch: an OIN update is
// one PATCH instead of GET then PUT.
func TestProfileUpdateSwitch(t *testing.T) {
	inst := startRef(t)
	loc := inst.Locations[0]
	statePath := filepath.Join(t.TempDir(), "state.json")
	base := []string{"--base-url", loc.BaseURL, "--api-key", loc.APIKey, "--state", statePath, "--profile-update", "patch"}
	if code, out, _ := runCLI(t, nil, append(base, "assign", "--user", "jane.doe@example.com")...); code != exitOK {
		t.Fatalf("assign: exit %d\n%s", code, out)
	}
	code, out, _ := runCLI(t, nil, append(base, "update", "--user", "jane.doe@example.com", "--set", "firstName=Janet")...)
	if code != exitOK || !strings.Contains(out, "PATCH  /scim/v2/") || strings.Contains(out, "PUT ") {
		t.Errorf("exit %d, want one PATCH and no PUT:\n%s", code, out)
	}
}

// TestFaultImpliesEmbedded checks that --fault without a target starts the
// embedded reference, before or after the command, and reaches conform.
func TestFaultImpliesEmbedded(t *testing.T) {
	code, out, stderr := runCLI(t, nil, "--fault", "groups-404", "--groups", "test-connection")
	assert.Equal(t, exitFailed, code, stderr)
	assert.Contains(t, out, "Could not verify app Xakia: GET /Groups")
	code, out, stderr = runCLI(t, nil, "test-connection", "--fault", "groups-404")
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "warning: [advice] GET /Groups: Not Found")

	for _, args := range [][]string{{"--fault", "keep-cleared-values", "conform"}, {"conform", "--fault", "keep-cleared-values"}} {
		var got conformRequest
		var stdout, errb bytes.Buffer
		code := run(context.Background(), args, &stdout, &errb, env{
			getenv:  func(string) string { return "" },
			conform: func(_ context.Context, r conformRequest) int { got = r; return 1 },
		})
		assert.Equal(t, 1, code, errb.String())
		assert.Equal(t, []string{"keep-cleared-values"}, got.Faults, args)
		assert.Empty(t, got.BaseURL, args)
	}
}

// TestEnvBindings checks that the environment fills the flags left out and
// that a flag on the command line wins.
func TestEnvBindings(t *testing.T) {
	var got conformRequest
	conform := func(_ context.Context, r conformRequest) int { got = r; return 0 }
	vars := map[string]string{"SCIM_BASE_URL": "https://env.test/scim", "SCIM_API_KEY": "env-key", "SCIM_MAX_BODY": "2MiB"}
	var stdout, errb bytes.Buffer
	getenv := func(k string) string { return vars[k] }
	code := run(context.Background(), []string{"conform"}, &stdout, &errb, env{getenv: getenv, conform: conform})
	require.Equal(t, exitOK, code, errb.String())
	assert.Equal(t, "https://env.test/scim", got.BaseURL)
	assert.Equal(t, "env-key", got.APIKey)
	assert.Equal(t, "2MiB", got.MaxBody)
	code = run(context.Background(), []string{"--api-key", "flag-key", "conform", "--max-body", "1MiB"}, &stdout, &errb, env{getenv: getenv, conform: conform})
	require.Equal(t, exitOK, code, errb.String())
	assert.Equal(t, "flag-key", got.APIKey)
	assert.Equal(t, "1MiB", got.MaxBody)
}

// TestConformErrorsOnStderr: a configuration error of the suite goes to
// stderr, the verdict line stays the last line of stdout, and the exit
// status is 2.
func TestConformErrorsOnStderr(t *testing.T) {
	getenv := func(string) string { return "" }
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"conform", "--tags", "@no-such-tag", "--reports", t.TempDir()}, &stdout, &stderr, env{getenv: getenv, conform: runConform(getenv)})
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr.String(), "no scenario is selected")
	assert.NotContains(t, stdout.String(), "no scenario is selected")
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	assert.True(t, strings.HasPrefix(lines[len(lines)-1], "VERDICT: ERROR"), stdout.String())
}
