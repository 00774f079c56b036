package reference

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xakia-okta/scimtest/internal/lockedbuf"
	"github.com/xakia-okta/scimtest/reference/internal/store"
)

func TestRoutingErrorsAreSCIM(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	tests := []struct {
		method, url string
		status      int
		allow       string
	}{
		{"GET", e.http.URL + "/nothing", 404, ""},
		{"GET", l.Base + "/Users/", 404, ""},
		{"GET", l.Base + "/Widgets", 404, ""},
		{"POST", l.Base + "/Users/some-id", 405, "GET, PUT, PATCH, DELETE"},
		{"DELETE", l.Base + "/Users", 405, "GET, POST"},
		{"POST", l.Base + "/ServiceProviderConfig", 405, "GET"},
		{"PUT", e.http.URL + "/admin/api/locations", 405, "GET, POST"},
		{"POST", e.http.URL + "/healthz", 405, "GET, HEAD"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.url, func(t *testing.T) {
			key := l.Key
			if strings.Contains(tc.url, "/admin/") {
				key = testAdminToken
			}
			r := e.do(tc.method, tc.url, key, "")
			if r.Status != tc.status {
				t.Fatalf("status %d %s", r.Status, r.Raw)
			}
			assertSCIMError(t, r, tc.status, "")
			if r.Header.Get("Allow") != tc.allow {
				t.Errorf("Allow %q", r.Header.Get("Allow"))
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	big := `{"schemas":["` + schemaUser + `"],"userName":"big@example.com","displayName":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
	r := e.do("POST", l.Base+"/Users", l.Key, big)
	if r.Status != 413 {
		t.Fatalf("status %d", r.Status)
	}
	assertSCIMError(t, r, 413, "")
	// Without a declared length (chunked) the limit holds while reading.
	req, _ := http.NewRequestWithContext(t.Context(), "POST", l.Base+"/Users", &chunked{s: big})
	req.Header.Set("Authorization", "Bearer "+l.Key)
	req.Header.Set("Content-Type", "application/scim+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 413 {
		t.Errorf("chunked: %d", res.StatusCode)
	}
	if n := e.do("GET", l.Base+"/Users", l.Key, ""); num(t, n.JSON["totalResults"]) != 0 {
		t.Errorf("oversized user created")
	}
}

// chunked is a reader of unknown length, so the client sends it chunked.
type chunked struct {
	s string
	i int
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.i >= len(c.s) {
		return 0, errEOF
	}
	n := copy(p, c.s[c.i:])
	c.i += n
	return n, nil
}

func TestRecoverAnswersSCIM500(t *testing.T) {
	var logs lockedbuf.Buffer
	e := newEnv(t, Config{Logger: newTestLogger(&logs)})
	h := e.srv.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom at a secret place") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "boom") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Errorf("%d %s", rec.Code, rec.Body.String())
	}
	if !strings.Contains(rec.Body.String(), `"status":"500"`) || !strings.Contains(logs.String(), "boom") {
		t.Errorf("body %s logs %s", rec.Body.String(), logs.String())
	}
}

func TestHealthz(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:", nil)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, st, Config{})
	if r := e.do("GET", e.http.URL+"/healthz", "", ""); r.Status != 200 {
		t.Errorf("healthy: %d", r.Status)
	}
	_ = st.Close()
	r := e.do("GET", e.http.URL+"/healthz", "", "")
	if r.Status != 503 {
		t.Errorf("closed store: %d", r.Status)
	}
	assertSCIMError(t, r, 503, "")
}
