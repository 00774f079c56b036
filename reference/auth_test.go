package reference

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xakia-okta/scimtest/internal/lockedbuf"
)

func TestAuth(t *testing.T) {
	e := newEnv(t, Config{}, "alpha", "beta")
	a, b := e.loc(0), e.loc(1)
	idB := e.create(b, "b@example.com", "")
	tests := []struct {
		name   string
		url    string
		header string
		status int
	}{
		{"own key", a.Base + "/Users", "Authorization: Bearer " + a.Key, 200},
		{"scheme case-insensitive", a.Base + "/Users", "Authorization: bearer " + a.Key, 200},
		{"no header", a.Base + "/Users", "", 401},
		{"non-token", a.Base + "/Users", "Authorization: non-token", 401},
		{"basic", a.Base + "/Users", "Authorization: Basic " + a.Key, 401},
		{"wrong key", a.Base + "/Users", "Authorization: Bearer " + a.Key + "x", 401},
		{"empty bearer", a.Base + "/Users", "Authorization: Bearer ", 401},
		{"other location's key", a.Base + "/Users", "Authorization: Bearer " + b.Key, 401},
		{"unknown location", e.http.URL + "/scim/v2/nowhere/Users", "Authorization: Bearer " + a.Key, 401},
		{"other location's user id", a.Base + "/Users/" + idB, "Authorization: Bearer " + a.Key, 404},
		{"groups need a key too", a.Base + "/Groups", "", 401},
		{"discovery needs a key too", a.Base + "/ServiceProviderConfig", "", 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hs []string
			if tc.header != "" {
				hs = append(hs, tc.header)
			}
			r := e.do("GET", tc.url, "", "", hs...)
			if r.Status != tc.status {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			if tc.status >= 400 {
				assertSCIMError(t, r, tc.status, "")
			}
			if tc.status == 401 && r.Header.Get("WWW-Authenticate") != `Bearer realm="xakia-scim"` {
				t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
			}
			if strings.Contains(string(r.Raw), a.Key) || strings.Contains(string(r.Raw), b.Key) {
				t.Errorf("key in body")
			}
		})
	}
}

func TestKeysAreHashedAndStrong(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	if len(l.Key) < 43 {
		t.Errorf("key %d characters: fewer than 32 bytes of entropy", len(l.Key))
	}
	loc, err := e.st.Location(t.Context(), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(loc.KeyHash, []byte(l.Key)) || !bytes.Equal(loc.KeyHash, HashKey(l.Key)) {
		t.Errorf("stored key material is not the SHA-256 of the key")
	}
	k2, _ := NewAPIKey()
	if k2 == l.Key {
		t.Errorf("keys repeat")
	}
}

func TestRotateKey(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	r := e.admin("POST", "/locations/"+l.ID+"/api-key", "")
	newKey, _ := r.JSON["apiKey"].(string)
	if r.Status != 200 || newKey == "" || newKey == l.Key {
		t.Fatalf("rotate: %d %s", r.Status, r.Raw)
	}
	if r := e.do("GET", l.Base+"/Users", l.Key, ""); r.Status != 401 {
		t.Errorf("old key: %d", r.Status)
	}
	if r := e.do("GET", l.Base+"/Users", newKey, ""); r.Status != 200 {
		t.Errorf("new key: %d", r.Status)
	}
	if r := e.admin("POST", "/locations/nowhere/api-key", ""); r.Status != 404 {
		t.Errorf("rotate unknown: %d", r.Status)
	}
}

func TestAdminAuth(t *testing.T) {
	e := newEnv(t, Config{})
	for _, h := range []string{"", "Authorization: Bearer nope", "Authorization: Bearer " + e.loc(0).Key, "Authorization: Basic " + testAdminToken} {
		var hs []string
		if h != "" {
			hs = append(hs, h)
		}
		r := e.do("GET", e.http.URL+"/admin/api/locations", "", "", hs...)
		if r.Status != 401 {
			t.Errorf("%q: %d", h, r.Status)
		}
	}
	// A server without an admin token has no admin API.
	srv, err := NewServer(e.st, Config{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	for _, tok := range []string{"", " "} {
		if r := e.do("GET", hs.URL+"/admin/api/locations", "", "", "Authorization: Bearer "+tok); r.Status != 401 {
			t.Errorf("admin API without a configured token, bearer %q: %d", tok, r.Status)
		}
	}
}

// TestNoSecretsInLogs checks that keys and tokens never reach a log line.
func TestNoSecretsInLogs(t *testing.T) {
	var buf lockedbuf.Buffer
	e := newEnv(t, Config{Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	l := e.loc(0)
	e.create(l, "log@example.com", "")
	e.do("GET", l.Base+"/Users", "wrong-key-value", "")
	rot := e.admin("POST", "/locations/"+l.ID+"/api-key", "")
	e.do("GET", l.Base+"/Users?filter=userName%20eq%20%22log@example.com%22", rot.JSON["apiKey"].(string), "")
	logs := buf.String()
	if !strings.Contains(logs, "status=201") {
		t.Fatalf("no request logs: %s", logs)
	}
	for _, secret := range []string{l.Key, rot.JSON["apiKey"].(string), testAdminToken, "wrong-key-value", "1mz050nq"} {
		if strings.Contains(logs, secret) {
			t.Errorf("secret %q in logs", secret)
		}
	}
}

// TestRotationFromAnotherProcessFailsAtOnce rotates a location's key through
// a second handle on the server's SQLite file (what `xakia-reference location
// rotate-key` does from another process) and checks, with no delay, that
// the old key fails on every read Okta makes, including the two whose
// location and user come from one store query, and that the new key reads
// the right users.
func TestRotationFromAnotherProcessFailsAtOnce(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "rot.db")
	served, err := OpenDB(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer served.Close()
	e := newEnvOn(t, served.st, Config{})
	l := e.loc(0)
	var ids []string
	for _, name := range []string{"ada@example.com", "bob@example.com"} {
		r := e.do("POST", l.Base+"/Users", l.Key, oktaUser(name, "00u"+name[:3]))
		if r.Status != 201 {
			t.Fatalf("create %s: %d %s", name, r.Status, r.Raw)
		}
		ids = append(ids, r.JSON["id"].(string))
	}
	reads := []string{
		l.Base + "/Users/" + ids[0],
		l.Base + "/Users/" + ids[1],
		l.Base + `/Users?filter=userName%20eq%20%22BOB@example.com%22`,
		l.Base + "/Users?startIndex=1&count=100",
	}
	for _, u := range reads {
		if r := e.do("GET", u, l.Key, ""); r.Status != 200 {
			t.Fatalf("before rotation, GET %s: %d", u, r.Status)
		}
	}
	other, err := OpenDB(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	newKey, err := other.RotateKey(ctx, l.ID)
	if cerr := other.Close(); err != nil || cerr != nil {
		t.Fatalf("rotate from another handle: %v, %v", err, cerr)
	}
	for _, u := range reads {
		if r := e.do("GET", u, l.Key, ""); r.Status != 401 {
			t.Errorf("old key right after rotation, GET %s: %d, want 401", u, r.Status)
		}
	}
	for i, id := range ids {
		r := e.do("GET", l.Base+"/Users/"+id, newKey, "")
		if r.Status != 200 || r.JSON["id"] != id {
			t.Errorf("new key, GET user %d: %d %s", i, r.Status, r.Raw)
		}
	}
	r := e.do("GET", reads[2], newKey, "")
	if res, _ := r.JSON["Resources"].([]any); r.Status != 200 || len(res) != 1 || res[0].(map[string]any)["id"] != ids[1] {
		t.Errorf("new key, userName lookup: %d %s", r.Status, r.Raw)
	}
}
