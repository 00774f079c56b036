package reference

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xakia-okta/scimtest/internal/pgtest"
	"github.com/xakia-okta/scimtest/reference/internal/store"
	pgstore "github.com/xakia-okta/scimtest/reference/internal/store/postgres"
)

// corpusOutcome is what one corpus case answered.
type corpusOutcome struct {
	Status   int
	ScimType string
}

// TestBadInputCorpus runs the bad-input corpus (badinput_corpus_test.go)
// against SQLite and PostgreSQL: no 5xx, a SCIM error body for every 4xx,
// the expected status and scimType where the case names them, the same
// answer from both stores, and no user changed (count and meta.version)
// after every rejection. PostgreSQL runs unless -short (or no PostgreSQL
// and XAKIA_REQUIRE_POSTGRES is not true).
func TestBadInputCorpus(t *testing.T) {
	cases, raws := corpus()
	if n := len(cases) + len(raws); n < 150 {
		t.Fatalf("the corpus has %d cases, want at least 150", n)
	}
	results := map[string]map[string]corpusOutcome{}
	t.Run("sqlite", func(t *testing.T) {
		st, err := store.Open(context.Background(), ":memory:", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		results["sqlite"] = runCorpus(t, st, cases, raws)
	})
	t.Run("postgres", func(t *testing.T) {
		cluster := pgtest.Start(t)
		st, err := store.Open(context.Background(), pgtest.CreateDatabase(t, cluster), nil, store.WithPostgres(pgstore.Open))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		results["postgres"] = runCorpus(t, st, cases, raws)
	})
	sq, pg := results["sqlite"], results["postgres"]
	if sq == nil || pg == nil {
		t.Logf("corpus of %d cases: the two stores were not compared (one did not run)", len(cases)+len(raws))
		return
	}
	diff := 0
	for name, a := range sq {
		if b := pg[name]; a != b {
			diff++
			t.Errorf("%s: SQLite answered %d %q, PostgreSQL %d %q", name, a.Status, a.ScimType, b.Status, b.ScimType)
		}
	}
	t.Logf("corpus of %d cases: SQLite and PostgreSQL answered identically in %d", len(sq), len(sq)-diff)
}

// runCorpus runs every case against a fresh server over st and returns the
// outcome per case name.
func runCorpus(t *testing.T, st store.Store, cases []badCase, raws []rawCase) map[string]corpusOutcome {
	e := newEnvOn(t, st, Config{}, "default", "second")
	l, l2 := e.loc(0), e.loc(1)
	seed := e.create(l, "Seed.One@example.com", "00useed1")
	e.create(l, "Seed.Two@example.com", "00useed2")
	e.create(l2, "Seed.Three@example.com", "00useed3")
	before := snapshot(t, e)

	out := map[string]corpusOutcome{}
	statuses := map[int]int{}
	for _, c := range cases {
		if _, dup := out[c.Name]; dup {
			t.Fatalf("two corpus cases are named %q", c.Name)
		}
		path := strings.NewReplacer("{loc}", l.ID, "{loc2}", l2.ID, "{id}", seed, "{admin}", "/admin/api").Replace(c.Path)
		key := map[string]string{"key": l.Key, "none": "", "wrong": "wrong-key-0123456789", "other": l2.Key, "admin": testAdminToken}[c.Auth]
		r := sendCase(t, e.http.URL+path, c.Method, key, c.Body, c.Headers)
		o := corpusOutcome{Status: r.Status}
		if st, ok := r.JSON["scimType"].(string); ok {
			o.ScimType = st
		}
		out[c.Name] = o
		statuses[r.Status]++
		switch {
		case r.Status >= 500:
			t.Errorf("%s: %s %s answered %d: %s", c.Name, c.Method, trunc(path), r.Status, trunc(string(r.Raw)))
			continue
		case r.Status < 400 && !c.ReadOnly:
			t.Errorf("%s: %s %s was accepted (%d): %s", c.Name, c.Method, trunc(path), r.Status, trunc(string(r.Raw)))
			continue
		case c.Want != 0 && r.Status != c.Want:
			t.Errorf("%s: status %d, want %d: %s", c.Name, r.Status, c.Want, trunc(string(r.Raw)))
		}
		if r.Status >= 400 && c.Method != http.MethodHead {
			if msg := scimErrorProblem(r); msg != "" {
				t.Errorf("%s: %d answer is not a SCIM error: %s: %s", c.Name, r.Status, msg, trunc(string(r.Raw)))
			}
		}
		if c.ScimType != "" && o.ScimType != c.ScimType {
			t.Errorf("%s: scimType %q, want %q: %s", c.Name, o.ScimType, c.ScimType, trunc(string(r.Raw)))
		}
	}
	addr := strings.TrimPrefix(e.http.URL, "http://")
	for _, c := range raws {
		raw := strings.NewReplacer("{loc}", l.ID, "{key}", l.Key).Replace(c.Raw)
		status := sendRaw(t, addr, raw)
		out["raw "+c.Name] = corpusOutcome{Status: status}
		statuses[status]++
		switch {
		case status >= 500 && status != http.StatusHTTPVersionNotSupported:
			t.Errorf("raw %s: answered %d", c.Name, status)
		case status < 400:
			t.Errorf("raw %s: accepted (%d)", c.Name, status)
		case c.Want != 0 && status != c.Want:
			t.Errorf("raw %s: status %d, want %d", c.Name, status, c.Want)
		}
	}
	after := snapshot(t, e)
	if before != after {
		t.Errorf("the corpus changed the users:\nbefore %s\nafter  %s", before, after)
	}
	var counts []string
	for s, n := range statuses {
		counts = append(counts, fmt.Sprintf("%d×%d", n, s))
	}
	sort.Strings(counts)
	t.Logf("%d cases (%d HTTP, %d raw): statuses %s; users unchanged: %v", len(out), len(cases), len(raws),
		strings.Join(counts, " "), before == after)
	return out
}

// sendCase sends one request without failing on odd answers.
func sendCase(t *testing.T, url, method, key, body string, headers []string) resp {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request %s %s: %v", method, trunc(url), err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header[http.CanonicalHeaderKey(strings.TrimSpace(k))] = []string{strings.TrimPrefix(v, " ")}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, trunc(url), err)
	}
	defer res.Body.Close()
	var b strings.Builder
	if _, err := bufio.NewReader(res.Body).WriteTo(&b); err != nil {
		t.Fatalf("read body: %v", err)
	}
	r := resp{Status: res.StatusCode, Header: res.Header, Raw: []byte(b.String())}
	_ = jsonUnmarshal(r.Raw, &r.JSON)
	return r
}

// sendRaw writes raw on a new connection and returns the answer's status
// (0 when the server closed without answering).
func sendRaw(t *testing.T, addr, raw string) int {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write([]byte(raw)); err != nil {
		return 0
	}
	// Half-close: a server waiting for more body sees its end at once.
	_ = conn.(*net.TCPConn).CloseWrite()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	return res.StatusCode
}

// scimErrorProblem says what makes r not a SCIM error body ("" when it is one).
func scimErrorProblem(r resp) string {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, contentTypeSCIM) {
		return "Content-Type " + ct
	}
	schemas, _ := r.JSON["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != schemaError {
		return "schemas is not [" + schemaError + "]"
	}
	if r.JSON["status"] != fmt.Sprint(r.Status) {
		return fmt.Sprintf("status %v is not the string %q", r.JSON["status"], fmt.Sprint(r.Status))
	}
	return ""
}

// snapshot describes every user of every location (admin view, deleted
// ones included): id, meta.version and active, plus the number of locations.
func snapshot(t *testing.T, e *testEnv) string {
	t.Helper()
	locs := e.admin("GET", "/locations", "")
	if locs.Status != 200 {
		t.Fatalf("admin locations: %d %s", locs.Status, locs.Raw)
	}
	var parts []string
	for _, x := range locs.List {
		id := x.(map[string]any)["id"].(string)
		r := e.admin("GET", "/locations/"+id+"/users", "")
		if r.Status != 200 {
			t.Fatalf("admin users: %d %s", r.Status, r.Raw)
		}
		for _, u := range r.List {
			m := u.(map[string]any)
			meta, _ := m["meta"].(map[string]any)
			parts = append(parts, fmt.Sprintf("%s/%v:%v:%v", id, m["userName"], meta["version"], m["active"]))
		}
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d locations, %d users [%s]", len(locs.List), len(parts), strings.Join(parts, " "))
}

// jsonUnmarshal decodes raw into v when it is a JSON object.
func jsonUnmarshal(raw []byte, v *map[string]any) error { return json.Unmarshal(raw, v) }
