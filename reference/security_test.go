package reference

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/xakia-okta/scimtest/internal/lockedbuf"
	"github.com/xakia-okta/scimtest/internal/pgtest"
	"github.com/xakia-okta/scimtest/reference/internal/store"
	pgstore "github.com/xakia-okta/scimtest/reference/internal/store/postgres"
)

// TestOne401 checks that a missing key, a wrong key, another location's key,
// an unknown location and an id outside the alphabet get byte-identical
// 401 answers: nothing tells whether a location exists.
func TestOne401(t *testing.T) {
	e := newEnv(t, Config{}, "default", "other")
	l, o := e.loc(0), e.loc(1)
	origin := e.http.URL
	var first resp
	for i, c := range []struct{ url, key string }{
		{l.Base + "/Users", ""},
		{l.Base + "/Users", "wrong-key"},
		{l.Base + "/Users", o.Key},
		{origin + "/scim/v2/no-such-location/Users", ""},
		{origin + "/scim/v2/no-such-location/Users", l.Key},
		{origin + "/scim/v2/%ff/Users", ""},
		{origin + "/scim/v2/" + strings.Repeat("x", 300) + "/Users", "k"},
	} {
		r := e.do("GET", c.url, c.key, "")
		if r.Status != 401 {
			t.Fatalf("%s: status %d", c.url, r.Status)
		}
		if i == 0 {
			first = r
			continue
		}
		if string(r.Raw) != string(first.Raw) || r.Header.Get("WWW-Authenticate") != first.Header.Get("WWW-Authenticate") {
			t.Errorf("%s (key %q): 401 differs:\n%s\n%s", c.url, c.key, r.Raw, first.Raw)
		}
	}
}

// TestQueryCredentials checks that a credential in the query string is
// refused and appears in no log line and no audit record.
func TestQueryCredentials(t *testing.T) {
	var logs lockedbuf.Buffer
	e := newEnv(t, Config{Logger: newTestLogger(&logs)})
	l := e.loc(0)
	for _, q := range []string{"access_token=", "api_key=", "token=", "Access_Token=", "filter=userName%20pr&apikey="} {
		r := e.do("GET", l.Base+"/Users?"+q+url.QueryEscape(l.Key), l.Key, "")
		if r.Status != 400 || r.JSON["scimType"] != "invalidValue" {
			t.Errorf("?%s: %d %s", q, r.Status, r.Raw)
		}
		if strings.Contains(string(r.Raw), l.Key) {
			t.Errorf("?%s: the answer repeats the key", q)
		}
	}
	a := e.admin("GET", "/locations/"+l.ID+"/audit", "")
	if strings.Contains(logs.String(), l.Key) || strings.Contains(string(a.Raw), l.Key) {
		t.Errorf("the key leaked:\nlogs: %s\naudit: %s", logs.String(), a.Raw)
	}
	if got := redactQuery("filter=x&access_token=abc&Token=d"); got != "filter=x&access_token=REDACTED&Token=REDACTED" {
		t.Errorf("redactQuery: %q", got)
	}
}

// TestAuditSurvivesFlood checks that refused requests are counted, not
// stored one by one, so that they cannot evict the audit history.
func TestAuditSurvivesFlood(t *testing.T) {
	e := newEnv(t, Config{AuditSize: 10})
	l := e.loc(0)
	e.do("GET", l.Base+"/Users?count=1", l.Key, "")
	const flood = 300
	for range flood {
		e.do("GET", l.Base+"/Users", "wrong-key", "")
	}
	a := e.admin("GET", "/locations/"+l.ID+"/audit", "")
	if len(a.List) != 1 || a.List[0].(map[string]any)["path"] != "/scim/v2/default/Users?count=1" {
		t.Fatalf("audit after a flood of refused requests: %s", a.Raw)
	}
	f := e.admin("GET", "/locations/"+l.ID+"/audit/failures", "")
	total := 0
	for _, x := range f.List {
		total += num(t, x.(map[string]any)["count"])
	}
	if total != flood || len(f.List) > 2 {
		t.Errorf("failures: %d counted in %d rows, want %d in one or two minutes: %s", total, len(f.List), flood, f.Raw)
	}
}

// TestInternalErrorHasRequestID checks that a 500 names the request id
// that the log line and the X-Request-Id header carry.
func TestInternalErrorHasRequestID(t *testing.T) {
	var logs lockedbuf.Buffer
	e := newEnv(t, Config{Logger: newTestLogger(&logs)})
	h := e.srv.withRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.srv.writeError(w, e.srv.errorFor(r, errors.New("boom")))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	id := rec.Header().Get("X-Request-Id")
	if rec.Code != 500 || id == "" || !strings.Contains(rec.Body.String(), id) || !strings.Contains(logs.String(), id) {
		t.Errorf("500: %d id %q body %s logs %s", rec.Code, id, rec.Body, logs.String())
	}
}

// TestPostgresUnavailable cuts the connection to PostgreSQL (through a
// proxy the test closes) and checks that SCIM answers 503 with Retry-After
// and /healthz says why, instead of 500.
func TestPostgresUnavailable(t *testing.T) {
	dsn := pgtest.CreateDatabase(t, pgtest.Start(t))
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, u.Host)
	u.Host = p.addr
	st, err := store.Open(context.Background(), u.String(), nil, store.WithPostgres(pgstore.Open))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e := newEnvOn(t, st, Config{})
	l := e.loc(0)
	id := e.create(l, "up@example.com", "")
	p.stop()
	for _, c := range []struct{ method, url, body string }{
		{"GET", l.Base + "/Users/" + id, ""},
		{"POST", l.Base + "/Users", oktaUser("down@example.com", "")},
		{"GET", l.Base + "/Users?filter=userName%20eq%20%22up@example.com%22", ""},
	} {
		r := e.do(c.method, c.url, l.Key, c.body)
		if r.Status != 503 || r.Header.Get("Retry-After") == "" {
			t.Errorf("%s %s with PostgreSQL down: %d (Retry-After %q) %s", c.method, c.url, r.Status, r.Header.Get("Retry-After"), r.Raw)
		}
	}
	h := e.do("GET", e.http.URL+"/healthz", "", "")
	if h.Status != 503 || !strings.Contains(string(h.Raw), "unavailable") || h.Header.Get("Retry-After") == "" {
		t.Errorf("/healthz with PostgreSQL down: %d %s", h.Status, h.Raw)
	}
}

// tcpProxy forwards connections to a backend until stop.
type tcpProxy struct {
	addr  string
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t *testing.T, backend string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{addr: ln.Addr().String(), ln: ln}
	t.Cleanup(p.stop)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", backend)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, b)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(b, c); _ = b.Close() }()
			go func() { _, _ = io.Copy(c, b); _ = c.Close() }()
		}
	}()
	return p
}

// stop closes the listener and every forwarded connection.
func (p *tcpProxy) stop() {
	_ = p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}
