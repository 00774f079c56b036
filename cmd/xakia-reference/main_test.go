package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/internal/lockedbuf"
	"github.com/xakia-okta/scimtest/reference"
)

func envOf(m map[string]string) env { return func(k string) string { return m[k] } }

func runCmd(t *testing.T, getenv env, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(t.Context(), args, &out, &errb, getenv)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "no command given"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"location"}, 2, "needs a subcommand"},
		{[]string{"location", "create", "--db", db}, 2, "exactly one NAME"},
		{[]string{"location", "create", "a", "b", "--db", db}, 2, "exactly one NAME"},
		{[]string{"location", "create", "a", "--query-attributes", "most", "--db", db}, 2, "limited or full"},
		{[]string{"location", "rotate-key", "--db", db}, 2, "exactly one location ID"},
		{[]string{"location", "list", "extra", "--db", db}, 2, "unexpected argument"},
		{[]string{"location", "explode"}, 2, "unknown location subcommand"},
		{[]string{"serve", "--tls-cert", "c.pem"}, 2, "go together"},
		{[]string{"serve", "--fault", "bogus"}, 2, "unknown fault"},
		{[]string{"serve", "--variant", "bogus"}, 2, "unknown variant"},
		{[]string{"serve", "--variant", "patch-204,bogus"}, 2, "full-replace-put"},
		{[]string{"variants", "x"}, 2, "unexpected argument"},
		{[]string{"serve", "--rate-limit", "fast"}, 2, "rate-limit"},
		{[]string{"serve", "--addr", "nope"}, 2, "host:port"},
		{[]string{"serve", "--no-such-flag"}, 2, "no-such-flag"},
		{[]string{"faults", "x"}, 2, "unexpected argument"},
		{[]string{"serve", "--rate-limit", "-1"}, 2, ">= 0"},
		{[]string{"sreve"}, 2, `did you mean "serve"`},
		{[]string{"location", "rotate-key", "nowhere", "--db", db}, 1, "no location"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCmd(t, envOf(nil), tc.args...)
			assert.Equal(t, tc.code, code)
			assert.Contains(t, stderr, tc.msg)
			assert.NotContains(t, stdout, tc.msg, "errors go to stderr only")
		})
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"location", "--help"}, {"location", "create", "--help"}, {"faults", "-h"}, {"variants", "--help"}, {"help", "serve"}} {
		code, out, errOut := runCmd(t, envOf(nil), args...)
		assert.Equal(t, exitOK, code, args)
		assert.Empty(t, errOut, "help goes to stdout: %v", args)
		assert.Contains(t, out, "Examples:", args)
	}
	_, out, _ := runCmd(t, envOf(nil), "serve", "--help")
	for _, want := range []string{"--addr HOST:PORT", "(env XAKIA_ADDR)", "--rate-limit N", "(env XAKIA_RATE_LIMIT)", "(env XAKIA_FAULTS)"} {
		assert.Contains(t, out, want)
	}
	_, out, _ = runCmd(t, envOf(nil), "--help")
	for _, want := range []string{"Exit status", "completion", "serve", "location", "variants"} {
		assert.Contains(t, out, want)
	}
}

// TestHelpHidesEnvironmentSecrets: a token from the environment is used but
// never shown as a flag default.
func TestHelpHidesEnvironmentSecrets(t *testing.T) {
	_, out, _ := runCmd(t, envOf(map[string]string{"XAKIA_ADMIN_TOKEN": "env-admin-token-456"}), "serve", "--help")
	assert.NotContains(t, out, "env-admin-token-456")
}

// TestEnvRateLimit: a typed flag rejects a bad environment value, naming
// the variable.
func TestEnvRateLimit(t *testing.T) {
	code, _, errOut := runCmd(t, envOf(map[string]string{"XAKIA_RATE_LIMIT": "fast"}), "serve", "--db", ":memory:")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "XAKIA_RATE_LIMIT")
}

func TestFaultsCommand(t *testing.T) {
	code, out, _ := runCmd(t, envOf(nil), "faults")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != len(reference.Faults()) {
		t.Fatalf("exit %d, %d lines", code, len(lines))
	}
	for i, f := range reference.Faults() {
		if !strings.HasPrefix(lines[i], f.Name+" ") || !strings.HasSuffix(lines[i], f.Description) {
			t.Errorf("line %q", lines[i])
		}
	}
}

func TestVariantsCommand(t *testing.T) {
	code, out, _ := runCmd(t, envOf(nil), "variants")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != len(reference.Variants()) {
		t.Fatalf("exit %d, %d lines", code, len(lines))
	}
	for i, v := range reference.Variants() {
		if !strings.HasPrefix(lines[i], v.Name+" ") || !strings.HasSuffix(lines[i], v.Description) {
			t.Errorf("line %q", lines[i])
		}
	}
	_, help, _ := runCmd(t, envOf(nil), "--help")
	if !strings.Contains(help, "variants") {
		t.Errorf("main help does not name the variants command")
	}
}

func TestServeVariants(t *testing.T) {
	for _, tc := range []struct {
		name   string
		getenv env
		args   []string
	}{
		{"flags", envOf(nil), []string{"--variant", "json-content-type", "--variant", "patch-204"}},
		{"comma", envOf(nil), []string{"--variant", "patch-204,json-content-type", "--fault", "groups-404"}},
		{"env", envOf(map[string]string{"XAKIA_VARIANTS": "json-content-type, patch-204"}), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			origin, out, stop := startServe(t, tc.getenv, append([]string{"--db", ":memory:"}, tc.args...)...)
			defer stop()
			text := out.String()
			key := keyLine.FindStringSubmatch(text)
			if key == nil || !strings.Contains(text, "VARIANTS ENABLED") || !strings.Contains(text, "json-content-type, patch-204") {
				t.Fatalf("output: %s", text)
			}
			base := origin + "/scim/v2/default"
			req, _ := http.NewRequestWithContext(t.Context(), "POST", base+"/Users", strings.NewReader(
				`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"v@example.com"}`))
			req.Header.Set("Authorization", "Bearer "+key[1])
			req.Header.Set("Content-Type", "application/scim+json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 201 || res.Header.Get("Content-Type") != "application/json" {
				t.Errorf("POST: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
			}
			loc := res.Header.Get("Location")
			patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
			if s := httpDo(t, "PATCH", loc, key[1], patch); s != 204 {
				t.Errorf("PATCH: %d", s)
			}
		})
	}
}

var keyLine = regexp.MustCompile(`SCIM API Key:\s+(\S+)`)
var baseLine = regexp.MustCompile(`SCIM Base URI:\s+(\S+)`)

func TestLocationCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	code, out, errOut := runCmd(t, envOf(nil), "location", "create", "Sydney Office", "--db", db, "--query-attributes", "full", "--public-url", "https://scim.example.com")
	if code != 0 || !strings.Contains(out, "sydney-office") || baseLine.FindStringSubmatch(out)[1] != "https://scim.example.com/scim/v2/sydney-office" {
		t.Fatalf("create: %d %q %q", code, out, errOut)
	}
	key := keyLine.FindStringSubmatch(out)[1]
	code, out, _ = runCmd(t, envOf(map[string]string{"XAKIA_DB": db}), "location", "list")
	if code != 0 || !strings.Contains(out, "sydney-office") || !strings.Contains(out, "full") || strings.Contains(out, key) {
		t.Errorf("list: %d %q", code, out)
	}
	code, out, _ = runCmd(t, envOf(nil), "location", "rotate-key", "sydney-office", "--db", db)
	if m := keyLine.FindStringSubmatch(out); code != 0 || m == nil || m[1] == key {
		t.Errorf("rotate: %d %q", code, out)
	}
}

// startServe runs serve in the background and returns its origin.
func startServe(t *testing.T, getenv env, args ...string) (origin string, out *lockedbuf.Buffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &lockedbuf.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), out, io.Discard, getenv)
	}()
	re := regexp.MustCompile(`listening on (https?://\S+)`)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			origin = m[1]
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited with %d: %s", code, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if origin == "" {
		cancel()
		t.Fatalf("serve did not print its address: %s", out.String())
	}
	return origin, out, func() int {
		cancel()
		select {
		case c := <-done:
			return c
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop")
			return -1
		}
	}
}

func TestServeFirstRunAndRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "serve.db")
	getenv := envOf(map[string]string{"XAKIA_DB": db, "XAKIA_ADMIN_TOKEN": "env-admin-token"})
	origin, out, stop := startServe(t, getenv)
	text := out.String()
	key := keyLine.FindStringSubmatch(text)
	if key == nil || baseLine.FindStringSubmatch(text)[1] != origin+"/scim/v2/default" {
		t.Fatalf("first run output: %s", text)
	}
	if strings.Contains(text, "env-admin-token") {
		t.Errorf("a given admin token is printed")
	}
	base := origin + "/scim/v2/default"
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"cli@example.com","active":true}`
	if s := httpDo(t, "POST", base+"/Users", key[1], body); s != 201 {
		t.Fatalf("create: %d", s)
	}
	if s := httpDo(t, "GET", origin+"/admin/api/locations", "env-admin-token", ""); s != 200 {
		t.Errorf("admin with env token: %d", s)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exit %d", code)
	}

	origin, out, stop = startServe(t, envOf(map[string]string{"XAKIA_DB": db}), "--fault", "groups-404")
	defer stop()
	text = out.String()
	if keyLine.MatchString(text) {
		t.Errorf("second run created a location: %s", text)
	}
	if !strings.Contains(text, "Admin token (generated") || !strings.Contains(text, "FAULTS ENABLED") {
		t.Errorf("second run output: %s", text)
	}
	base = origin + "/scim/v2/default"
	if s := httpDo(t, "GET", base+"/Users?filter=userName%20eq%20%22CLI@example.com%22", key[1], ""); s != 200 {
		t.Errorf("lookup after restart: %d", s)
	}
	if s := httpDo(t, "POST", base+"/Users", key[1], body); s != 409 {
		t.Errorf("user not persisted (POST again answered %d)", s)
	}
	if s := httpDo(t, "GET", base+"/Groups", key[1], ""); s != 404 {
		t.Errorf("--fault ignored: %d", s)
	}
}

func httpDo(t *testing.T, method, url, key, body string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestServeOIDCFlags: the three OIDC settings go together, come from flags
// or the environment, and the secret never shows in help or output.
func TestServeOIDCFlags(t *testing.T) {
	code, _, errOut := runCmd(t, envOf(nil), "serve", "--db", ":memory:", "--oidc-issuer", "http://127.0.0.1:1")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--oidc-issuer, --oidc-client-id and --oidc-client-secret go together")
	code, _, errOut = runCmd(t, envOf(map[string]string{"XAKIA_OIDC_ISSUER": "ftp://x", "XAKIA_OIDC_CLIENT_ID": "c", "XAKIA_OIDC_CLIENT_SECRET": "s"}),
		"serve", "--db", ":memory:", "--addr", "127.0.0.1:0")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "must be an absolute http(s) URL")

	secret := "oidc-client-secret-789"
	env := envOf(map[string]string{"XAKIA_OIDC_CLIENT_SECRET": secret, "XAKIA_OIDC_CLIENT_ID": "0oaxakia", "XAKIA_OIDC_ISSUER": "http://127.0.0.1:9/oauth2/default"})
	_, help, _ := runCmd(t, env, "serve", "--help")
	for _, want := range []string{"--oidc-issuer URL", "(env XAKIA_OIDC_ISSUER)", "(env XAKIA_OIDC_CLIENT_ID)", "(env XAKIA_OIDC_CLIENT_SECRET)"} {
		assert.Contains(t, help, want)
	}
	assert.NotContains(t, help, secret)
	origin, out, stop := startServe(t, env, "--db", ":memory:")
	defer stop()
	text := out.String()
	assert.Contains(t, text, "Sign in with Okta: issuer http://127.0.0.1:9/oauth2/default, client 0oaxakia, redirect URI "+origin+"/auth/okta/callback")
	assert.NotContains(t, text, secret)
	res, err := http.Get(origin + "/")
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(body), "Sign in with Okta")
}
