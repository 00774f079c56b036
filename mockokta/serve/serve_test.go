package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/internal/lockedbuf"
	"github.com/xakia-okta/scimtest/mockokta/serve"
)

const token = "00serve-test-token-0123456789"

func start(t *testing.T, cfg serve.Config) *serve.Instance {
	t.Helper()
	if cfg.APIToken == "" {
		cfg.APIToken = token
	}
	inst, err := serve.Start(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = inst.Close() })
	return inst
}

// call sends a Management API request and returns the status, headers and
// decoded JSON body (nil when empty).
func call(t *testing.T, inst *serve.Instance, method, path, body string) (int, http.Header, any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, inst.URL+path, rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", "SSWS "+token)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out any
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &out), string(raw))
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), "%s %s", method, path)
	}
	return resp.StatusCode, resp.Header, out
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func errorCode(v any) string { s, _ := obj(v)["errorCode"].(string); return s }

const janeBody = `{"profile":{"firstName":"Jane","lastName":"Doe","email":"jane@example.com","login":"jane@example.com"},"credentials":{"password":{"value":"Correct-Horse-9"}}}`

func TestErrorsAreOktas(t *testing.T) {
	inst := start(t, serve.Config{})
	for _, auth := range []string{"", "SSWS wrong", "Bearer " + token} {
		req, err := http.NewRequest(http.MethodGet, inst.URL+"/api/v1/users", nil)
		require.NoError(t, err)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var body map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, auth)
		assert.Equal(t, "E0000011", body["errorCode"])
		assert.Equal(t, "Invalid token provided", body["errorSummary"])
		assert.Equal(t, "E0000011", body["errorLink"])
		assert.NotEmpty(t, body["errorId"])
		assert.Equal(t, []any{}, body["errorCauses"])
	}
	status, _, body := call(t, inst, http.MethodGet, "/api/v1/users/00unope", "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "E0000007", errorCode(body))
	assert.Equal(t, "Not found: Resource not found: 00unope (User)", obj(body)["errorSummary"])
	status, _, body = call(t, inst, http.MethodPatch, "/api/v1/users", "{}")
	assert.Equal(t, http.StatusMethodNotAllowed, status)
	assert.Equal(t, "E0000022", errorCode(body))
	status, _, body = call(t, inst, http.MethodGet, "/api/v1/groups", "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "E0000007", errorCode(body))
	status, _, body = call(t, inst, http.MethodPost, "/api/v1/users", `{"profile":`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "E0000003", errorCode(body))
	status, _, body = call(t, inst, http.MethodPost, "/api/v1/users", `{"profile":{"firstName":"J","lastName":"D","email":"x@example.com","login":"nope"}}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "E0000001", errorCode(body))
	assert.Equal(t, "Api validation failed: login", obj(body)["errorSummary"])
	status, _, body = call(t, inst, http.MethodPost, "/api/v1/users", `{"profile":{"firstName":"J","lastName":"D","email":"x@example.com","login":"x@example.com","favouriteColour":"red"}}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, obj(obj(body)["errorCauses"].([]any)[0])["errorSummary"], "Property name 'favouriteColour' is not defined in profile")
	status, _, body = call(t, inst, http.MethodPost, "/api/v1/users", strings.Repeat(" ", serve.DefaultMaxBody+1)+"{}")
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Equal(t, "E0000003", errorCode(body))
	status, _, body = call(t, inst, http.MethodGet, "/api/v1/users?limit=-1", "")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "E0000001", errorCode(body))
	status, _, body = call(t, inst, http.MethodGet, "/api/v1/users?search="+`status%20like%20"x"`, "")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "E0000001", errorCode(body))
	// None of the refused requests created anyone.
	status, _, body = call(t, inst, http.MethodGet, "/api/v1/users", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, []any{}, body)
}

func TestUserLifecycle(t *testing.T) {
	inst := start(t, serve.Config{})
	status, _, body := call(t, inst, http.MethodPost, "/api/v1/users?activate=false", janeBody)
	require.Equal(t, http.StatusOK, status, body)
	u := obj(body)
	id := u["id"].(string)
	assert.True(t, strings.HasPrefix(id, "00u") && len(id) == 20, id)
	assert.Equal(t, "STAGED", u["status"])
	assert.Nil(t, u["activated"])
	assert.Contains(t, obj(u["_links"]), "activate")
	status, _, body = call(t, inst, http.MethodPost, "/api/v1/users", janeBody)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, obj(obj(body)["errorCauses"].([]any)[0])["errorSummary"], "already exists")

	status, _, body = call(t, inst, http.MethodPost, "/api/v1/users/"+id+"/lifecycle/suspend", "")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "E0000001", errorCode(body))
	status, _, _ = call(t, inst, http.MethodPost, "/api/v1/users/"+id+"/lifecycle/activate?sendEmail=false", "")
	assert.Equal(t, http.StatusOK, status)
	status, _, body = call(t, inst, http.MethodPost, "/api/v1/users/"+id+"/lifecycle/activate", "")
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "E0000016", errorCode(body))
	for _, op := range []string{"suspend", "unsuspend"} {
		status, _, _ = call(t, inst, http.MethodPost, "/api/v1/users/"+id+"/lifecycle/"+op, "")
		assert.Equal(t, http.StatusOK, status, op)
	}
	status, _, body = call(t, inst, http.MethodGet, "/api/v1/users/jane@example.com", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ACTIVE", obj(body)["status"])

	// POST is partial, PUT is full (required attributes must be given).
	status, _, body = call(t, inst, http.MethodPost, "/api/v1/users/"+id, `{"profile":{"firstName":"Janet"}}`)
	require.Equal(t, http.StatusOK, status, body)
	p := obj(obj(body)["profile"])
	assert.Equal(t, "Janet", p["firstName"])
	assert.Equal(t, "Doe", p["lastName"])
	assert.Equal(t, "Janet Doe", p["displayName"])
	status, _, body = call(t, inst, http.MethodPut, "/api/v1/users/"+id, `{"profile":{"firstName":"Jo"}}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "E0000001", errorCode(body))
	_, _, body = call(t, inst, http.MethodGet, "/api/v1/users/"+id, "")
	assert.Equal(t, "Janet", obj(obj(body)["profile"])["firstName"], "a refused PUT changes nothing")

	// DELETE deactivates, then deletes.
	status, _, _ = call(t, inst, http.MethodDelete, "/api/v1/users/"+id, "")
	assert.Equal(t, http.StatusNoContent, status)
	_, _, body = call(t, inst, http.MethodGet, "/api/v1/users/"+id, "")
	assert.Equal(t, "DEPROVISIONED", obj(body)["status"])
	status, _, _ = call(t, inst, http.MethodDelete, "/api/v1/users/"+id, "")
	assert.Equal(t, http.StatusNoContent, status)
	status, _, _ = call(t, inst, http.MethodGet, "/api/v1/users/"+id, "")
	assert.Equal(t, http.StatusNotFound, status)
}

func TestPagingLinks(t *testing.T) {
	inst := start(t, serve.Config{})
	for _, n := range []string{"a", "b", "c"} {
		status, _, _ := call(t, inst, http.MethodPost, "/api/v1/users", strings.ReplaceAll(janeBody, "jane@", n+"@"))
		require.Equal(t, http.StatusOK, status)
	}
	status, h, body := call(t, inst, http.MethodGet, "/api/v1/users?limit=2", "")
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, body, 2)
	links := h.Values("Link")
	require.Len(t, links, 2, "one Link header per rel")
	assert.Equal(t, "<"+inst.URL+`/api/v1/users?limit=2>; rel="self"`, links[0])
	require.True(t, strings.HasSuffix(links[1], `>; rel="next"`), links[1])
	next := strings.TrimSuffix(strings.TrimPrefix(links[1], "<"+inst.URL), `>; rel="next"`)
	assert.Contains(t, next, "after=")
	status, h, body = call(t, inst, http.MethodGet, next, "")
	require.Equal(t, http.StatusOK, status)
	require.Len(t, body, 1)
	assert.Equal(t, "c@example.com", obj(obj(body.([]any)[0])["profile"])["login"])
	assert.Len(t, h.Values("Link"), 1, "no next on the last page")
	_, _, body = call(t, inst, http.MethodGet, "/api/v1/users?q=b", "")
	assert.Len(t, body, 1)
}

func TestAppsConnectionAndFeature(t *testing.T) {
	inst := start(t, serve.Config{})
	status, _, body := call(t, inst, http.MethodGet, "/api/v1/apps", "")
	require.Equal(t, http.StatusOK, status)
	apps := body.([]any)
	require.Len(t, apps, 2)
	xakia, oidc := obj(apps[0]), obj(apps[1])
	assert.Equal(t, "BOOKMARK", xakia["signOnMode"])
	assert.Equal(t, "OPENID_CONNECT", oidc["signOnMode"])
	assert.NotContains(t, obj(obj(oidc["credentials"])["oauthClient"]), "client_secret")
	id := xakia["id"].(string)
	assert.True(t, strings.HasPrefix(id, "0oa"))

	status, _, body = call(t, inst, http.MethodGet, "/api/v1/apps/"+id+"/connections/default", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "DISABLED", obj(body)["status"])
	status, _, body = call(t, inst, http.MethodPost, "/api/v1/apps/"+id+"/connections/default/lifecycle/activate", "")
	assert.Equal(t, http.StatusBadRequest, status, "no base URL yet")
	assert.Equal(t, "E0000001", errorCode(body))
	status, _, body = call(t, inst, http.MethodPost, "/api/v1/apps/"+id+"/connections/default?activate=true",
		`{"baseUrl":"http://127.0.0.1:9/scim/v2/loc","profile":{"authScheme":"TOKEN","token":"very-secret-scim-key"}}`)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "ENABLED", obj(body)["status"])
	raw, _ := json.Marshal(body)
	assert.NotContains(t, string(raw), "very-secret-scim-key")
	status, _, _ = call(t, inst, http.MethodPost, "/api/v1/apps/"+id+"/connections/default/lifecycle/deactivate", "")
	assert.Equal(t, http.StatusNoContent, status)
	status, _, body = call(t, inst, http.MethodPost, "/api/v1/apps/"+id+"/connections/default", `{"baseUrl":"x","profile":{"authScheme":"OAUTH2"}}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "E0000001", errorCode(body))

	status, _, body = call(t, inst, http.MethodPut, "/api/v1/apps/"+id+"/features/USER_PROVISIONING", `{"create":{"lifecycleCreate":{"status":"ENABLED"}}}`)
	require.Equal(t, http.StatusOK, status)
	caps := obj(obj(body)["capabilities"])
	assert.Equal(t, "ENABLED", obj(obj(caps["create"])["lifecycleCreate"])["status"])
	assert.Equal(t, "DISABLED", obj(obj(caps["update"])["profile"])["status"])
	status, _, body = call(t, inst, http.MethodPut, "/api/v1/apps/"+id+"/features/USER_PROVISIONING", `{"create":{"lifecycleCreate":{"status":"MAYBE"}}}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "E0000001", errorCode(body))
	status, _, body = call(t, inst, http.MethodGet, "/api/v1/apps/"+id+"/features/INBOUND_PROVISIONING", "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "E0000007", errorCode(body))
	status, _, _ = call(t, inst, http.MethodGet, "/api/v1/apps/"+oidc["id"].(string)+"/connections/default", "")
	assert.Equal(t, http.StatusNotFound, status, "the OIDC app has no provisioning")

	// Assign, list, get and unassign (no provisioning: the connection is off).
	status, _, body = call(t, inst, http.MethodPost, "/api/v1/users", janeBody)
	require.Equal(t, http.StatusOK, status)
	uid := obj(body)["id"].(string)
	status, _, body = call(t, inst, http.MethodPost, "/api/v1/apps/"+id+"/users", `{"id":"`+uid+`","scope":"USER"}`)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "ACTIVE", obj(body)["status"])
	assert.Equal(t, "DISABLED", obj(body)["syncState"])
	_, _, body = call(t, inst, http.MethodGet, "/api/v1/apps/"+id+"/users", "")
	assert.Len(t, body, 1)
	status, _, _ = call(t, inst, http.MethodGet, "/api/v1/apps/"+id+"/users/"+uid, "")
	assert.Equal(t, http.StatusOK, status)
	status, _, _ = call(t, inst, http.MethodDelete, "/api/v1/apps/"+id+"/users/"+uid, "")
	assert.Equal(t, http.StatusNoContent, status)
	status, _, body = call(t, inst, http.MethodDelete, "/api/v1/apps/"+id+"/users/"+uid, "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "E0000007", errorCode(body))
	status, _, body = call(t, inst, http.MethodPost, "/api/v1/apps/"+id+"/users", `{"id":""}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "E0000001", errorCode(body))
}

func TestMountsHealthzAndBodyLimit(t *testing.T) {
	var got serve.Env
	inst := start(t, serve.Config{MaxBody: 64, Mounts: []serve.Mount{
		{Pattern: "/", Handler: func(env serve.Env) (http.Handler, error) {
			got = env
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, err := io.ReadAll(r.Body)
				if err != nil {
					http.Error(w, "too large", http.StatusRequestEntityTooLarge)
					return
				}
				_, _ = io.WriteString(w, "console "+r.URL.Path+" "+string(b))
			}), nil
		}},
		{Pattern: serve.IssuerPath + "/", Handler: func(serve.Env) (http.Handler, error) {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "oidc") }), nil
		}},
	}})
	require.NotNil(t, got.Org)
	assert.Equal(t, inst.URL, got.PublicURL)
	assert.Equal(t, inst.URL+"/oauth2/default", got.Issuer)
	get := func(path string) (int, string) {
		resp, err := http.Get(inst.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := get("/healthz")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok\n", body)
	_, body = get("/admin/people")
	assert.Equal(t, "console /admin/people ", body)
	_, body = get("/oauth2/default/.well-known/openid-configuration")
	assert.Equal(t, "oidc", body)
	status, _ = get("/api/v1/users")
	assert.Equal(t, http.StatusUnauthorized, status, "the API is not the console's")
	resp, err := http.Post(inst.URL+"/form", "text/plain", bytes.NewReader(bytes.Repeat([]byte("x"), 65)))
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)

	_, err = serve.Start(context.Background(), serve.Config{Mounts: []serve.Mount{{Pattern: "/"}}})
	assert.Error(t, err)
}

// runOnce runs serve.Run until it printed its issuer line, checks /healthz,
// stops it and returns what it printed.
func runOnce(t *testing.T, cfg serve.Config) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, logs lockedbuf.Buffer
	done := make(chan error, 1)
	go func() { done <- serve.Run(ctx, cfg, &out, &logs) }()
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; i < 400 && !strings.Contains(out.String(), "OIDC issuer:") && time.Now().Before(deadline); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	require.Contains(t, out.String(), "OIDC issuer:", logs.String())
	console := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(out.String(), "\n", 2)[0], "Okta console: "), "/")
	if strings.HasPrefix(console, "http://127.0.0.1:") { // never leave the loopback
		resp, err := http.Get(console + "/healthz")
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	assert.NotContains(t, logs.String(), "SSWS")
	return out.String()
}

func TestRunPrintsSecretsOnce(t *testing.T) {
	db := filepath.Join(t.TempDir(), "org.db")
	first := runOnce(t, serve.Config{Addr: "127.0.0.1:0", DB: db})
	lines := strings.Split(strings.TrimSpace(first), "\n")
	require.Len(t, lines, 4, first)
	assert.True(t, strings.HasPrefix(lines[0], "Okta console: http://127.0.0.1:"))
	assert.True(t, strings.HasPrefix(lines[1], "Admin sign-in: admin@mockokta.local / "))
	assert.True(t, strings.HasPrefix(lines[2], "API token (SSWS): 00"))
	assert.True(t, strings.HasPrefix(lines[3], "OIDC issuer: http://127.0.0.1:"))
	assert.True(t, strings.HasSuffix(lines[3], "/oauth2/default"))

	second := runOnce(t, serve.Config{Addr: "127.0.0.1:0", DB: db})
	assert.NotContains(t, second, "Admin sign-in")
	assert.NotContains(t, second, "API token")
	third := runOnce(t, serve.Config{Addr: "127.0.0.1:0", DB: db, APIToken: token, PublicURL: "https://okta.example.test"})
	assert.Contains(t, third, "Okta console: https://okta.example.test/\n")
	assert.Contains(t, third, "API token (SSWS): "+token+"\n")
	assert.Contains(t, third, "OIDC issuer: https://okta.example.test/oauth2/default\n")

	assert.Error(t, serve.Run(context.Background(), serve.Config{Addr: "127.0.0.1:0", DB: db, PublicURL: "ftp://x"}, io.Discard, io.Discard))
	assert.Error(t, serve.Run(context.Background(), serve.Config{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "missing", "org.db")}, io.Discard, io.Discard))
}

func TestSystemLog(t *testing.T) {
	inst := start(t, serve.Config{})
	apps, err := inst.Org.Apps(context.Background())
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		// Port 9 on the loopback refuses connections: a failed test.
		r, err := inst.Org.TestConnection(context.Background(), apps[0].ID, "http://127.0.0.1:9/scim/v2/x", "key")
		require.NoError(t, err)
		require.False(t, r.OK)
	}
	status, h, body := call(t, inst, http.MethodGet, "/api/v1/logs?limit=2", "")
	require.Equal(t, http.StatusOK, status)
	events := body.([]any)
	require.Len(t, events, 2)
	e := obj(events[0])
	assert.Equal(t, "application.provision.test_connection", e["eventType"])
	assert.Equal(t, "ERROR", e["severity"])
	assert.Equal(t, "FAILURE", obj(e["outcome"])["result"])
	assert.Contains(t, e["displayMessage"], "Could not verify app Xakia")
	assert.Equal(t, apps[0].ID, obj(e["target"].([]any)[0])["id"])
	links := h.Values("Link")
	require.Len(t, links, 2)
	next := strings.TrimSuffix(strings.TrimPrefix(links[1], "<"+inst.URL), `>; rel="next"`)
	status, _, body = call(t, inst, http.MethodGet, next, "")
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, body, 1)
	_, _, body = call(t, inst, http.MethodGet, "/api/v1/logs?sortOrder=DESCENDING&limit=1", "")
	assert.Equal(t, "mockokta-log-3", obj(body.([]any)[0])["uuid"])
	_, _, body = call(t, inst, http.MethodGet, "/api/v1/logs?since=2999-01-01T00:00:00Z", "")
	assert.Equal(t, []any{}, body)
	for _, bad := range []string{"since=yesterday", "sortOrder=UP", "after=x"} {
		status, _, body = call(t, inst, http.MethodGet, "/api/v1/logs?"+bad, "")
		assert.Equal(t, http.StatusBadRequest, status, bad)
		assert.Equal(t, "E0000001", errorCode(body), bad)
	}
}
