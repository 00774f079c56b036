package reference

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// testAdminToken is the admin token of test servers.
const testAdminToken = "test-admin-token-0123456789abcdefghijklmnop"

// testLoc is a location of a test server with its plain key.
type testLoc struct {
	ID   string
	Key  string
	Base string
}

// testEnv is a reference server over an in-memory store behind httptest.
type testEnv struct {
	t    testing.TB
	srv  *Server
	st   store.Store
	http *httptest.Server
	locs []testLoc
}

// newEnv starts a server with the given faults and locations ("name" or
// "name:full").
func newEnv(t testing.TB, cfg Config, locations ...string) *testEnv {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:", nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return newEnvOn(t, st, cfg, locations...)
}

// newEnvOn is newEnv over an existing store.
func newEnvOn(t testing.TB, st store.Store, cfg Config, locations ...string) *testEnv {
	t.Helper()
	if cfg.AdminToken == "" {
		cfg.AdminToken = testAdminToken
	}
	srv, err := NewServer(st, cfg)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	e := &testEnv{t: t, srv: srv, st: st, http: hs}
	if len(locations) == 0 {
		locations = []string{"default"}
	}
	for _, spec := range locations {
		name, qa, _ := strings.Cut(spec, ":")
		l, key, err := srv.CreateLocation(context.Background(), name, qa)
		if err != nil {
			t.Fatalf("create location: %v", err)
		}
		e.locs = append(e.locs, testLoc{ID: l.ID, Key: key, Base: hs.URL + "/scim/v2/" + l.ID})
	}
	return e
}

// resp is a decoded HTTP response.
type resp struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
	List   []any // when the body is a JSON array
}

// do sends a request. key "" sends no Authorization; body "" sends none.
// Extra headers come as "Name: value" strings.
func (e *testEnv) do(method, url, key, body string, headers ...string) resp {
	e.t.Helper()
	return doReq(e.t, method, url, key, body, headers...)
}

func doReq(t testing.TB, method, url, key, body string, headers ...string) resp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	r := resp{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(raw) > 0 {
		if raw[0] == '[' {
			if err := json.Unmarshal(raw, &r.List); err != nil {
				t.Fatalf("%s %s: bad JSON array %q: %v", method, url, raw, err)
			}
		} else if err := json.Unmarshal(raw, &r.JSON); err != nil {
			t.Fatalf("%s %s: status %d, body is not a JSON object: %q", method, url, res.StatusCode, raw)
		}
	}
	return r
}

// loc0 is the first location.
func (e *testEnv) loc(i int) testLoc { return e.locs[i] }

// admin sends an admin API request.
func (e *testEnv) admin(method, path, body string) resp {
	e.t.Helper()
	return e.do(method, e.http.URL+"/admin/api"+path, testAdminToken, body)
}

// oktaUser is the body Okta sends to create a user.
func oktaUser(userName, externalID string) string {
	b, _ := json.Marshal(map[string]any{
		"schemas":     []string{schemaUser},
		"userName":    userName,
		"name":        map[string]any{"givenName": "Test", "familyName": "User"},
		"emails":      []any{map[string]any{"primary": true, "value": userName, "type": "work"}},
		"displayName": "Test User",
		"locale":      "en-US",
		"externalId":  externalID,
		"groups":      []any{},
		"password":    "1mz050nq",
		"active":      true,
	})
	return string(b)
}

// create POSTs an Okta-shaped user and returns its id, failing on non-201.
func (e *testEnv) create(l testLoc, userName, externalID string) string {
	e.t.Helper()
	r := e.do("POST", l.Base+"/Users", l.Key, oktaUser(userName, externalID))
	if r.Status != http.StatusCreated {
		e.t.Fatalf("create %s: status %d %s", userName, r.Status, r.Raw)
	}
	id, _ := r.JSON["id"].(string)
	if id == "" {
		e.t.Fatalf("create %s: no id in %s", userName, r.Raw)
	}
	return id
}

// filterURL is the Okta lookup URL for userName (spaces as %20).
func filterURL(l testLoc, userName string) string {
	return l.Base + "/Users?filter=" + strings.ReplaceAll(`userName%20eq%20%22`+userName+`%22`, "@", "%40") + "&startIndex=1&count=100"
}

// adminUserByID finds a user in the admin list of location l.
func (e *testEnv) adminUserByID(l testLoc, id string) map[string]any {
	e.t.Helper()
	r := e.admin("GET", "/locations/"+l.ID+"/users", "")
	if r.Status != 200 {
		e.t.Fatalf("admin users: %d %s", r.Status, r.Raw)
	}
	for _, x := range r.List {
		m := x.(map[string]any)
		if m["id"] == id {
			return m
		}
	}
	e.t.Fatalf("admin users: no user %s in %s", id, r.Raw)
	return nil
}

// num reads a JSON number as an int, failing when v is not a number.
func num(t *testing.T, v any) int {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("want a JSON number, got %T %v", v, v)
	}
	return int(f)
}

// keysOf returns the sorted keys of m.
func keysOf(m map[string]any) []string { return sortedKeys(m) }

// errEOF is io.EOF without importing io twice in tests.
var errEOF = io.EOF

// newTestLogger logs text to w at debug level.
func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
