package mockokta

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestRateLimitPolicy checks the waits of Okta's task-level 429 policy: the
// first wait is Retry-After (or 5 minutes), each later one doubles the
// previous and is never shorter than Retry-After.
func TestRateLimitPolicy(t *testing.T) {
	p := OktaRateLimitPolicy()
	tests := []struct {
		name       string
		prev       time.Duration
		retryAfter string
		want       time.Duration
	}{
		{"first: integer seconds", 0, "2", 2 * time.Second},
		{"first: missing", 0, "", 5 * time.Minute},
		{"first: HTTP-date", 0, "Wed, 21 Oct 2015 07:28:00 GMT", 5 * time.Minute},
		{"first: null", 0, "null", 5 * time.Minute},
		{"first: garbage", 0, "soon", 5 * time.Minute},
		{"first: negative", 0, "-3", 5 * time.Minute},
		{"first: zero", 0, "0", 0},
		{"later: doubles the previous wait", 2 * time.Second, "2", 4 * time.Second},
		{"later: doubles without Retry-After", 5 * time.Minute, "", 10 * time.Minute},
		{"later: a longer Retry-After is the minimum", 2 * time.Second, "30", 30 * time.Second},
		{"later: a shorter Retry-After does not shrink the wait", 40 * time.Second, "1", 80 * time.Second},
		{"later: capped", 20 * time.Hour, "", 24 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Next(tc.prev, tc.retryAfter); got != tc.want {
				t.Errorf("Next(%v, %q) = %v, want %v", tc.prev, tc.retryAfter, got, tc.want)
			}
		})
	}
}

// TestRateLimitedRequests drives the 429 policy through a fake server and a
// fake clock.
func TestRateLimitedRequests(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string // "" means no header
		limited    int    // how many 429s before the normal answer
		wantSleeps []time.Duration
		wantOK     bool
		wantReqs   int
	}{
		{"integer Retry-After", "2", 1, []time.Duration{2 * time.Second}, true, 3},
		{"HTTP-date Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT", 1, []time.Duration{5 * time.Minute}, true, 3},
		{"missing Retry-After doubles", "", 3, []time.Duration{5 * time.Minute, 10 * time.Minute, 20 * time.Minute}, true, 5},
		{"gives up after 10 attempts", "1", 100, []time.Duration{1 << 0 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, 64 * time.Second, 128 * time.Second, 256 * time.Second}, false, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			left := tc.limited
			f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
				if left > 0 {
					left--
					if tc.retryAfter != "" {
						w.Header().Set("Retry-After", tc.retryAfter)
					}
					writeJSON(w, http.StatusTooManyRequests, scimErr(429, "", "slow down"))
					return true
				}
				return false
			}
			clock := &fakeClock{}
			o := newTestOkta(t, f, StyleOIN, func(_ *App, opts *Options) { opts.Clock = clock })
			r := o.TestConnection(context.Background())
			if r.OK != tc.wantOK {
				t.Fatalf("OK = %v, want %v (%s)", r.OK, tc.wantOK, r.Message)
			}
			if got := clock.slept(); !equalDurations(got, tc.wantSleeps) {
				t.Errorf("slept %v, want %v", got, tc.wantSleeps)
			}
			if n := len(f.requests()); n != tc.wantReqs {
				t.Errorf("%d requests sent, want %d", n, tc.wantReqs)
			}
			if !tc.wantOK && !strings.Contains(r.Message, "429") {
				t.Errorf("message %q does not mention the 429s", r.Message)
			}
			if !tc.wantOK && (r.Status != http.StatusTooManyRequests || r.Attempts != 10 || !errors.Is(r.Err, ErrRateLimited)) {
				t.Errorf("status %d, %d attempts, err %v; want 429 after 10 runs of the task", r.Status, r.Attempts, r.Err)
			}
			assert.Equal(t, tc.wantReqs, len(r.Exchanges), "exchanges recorded, want")
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCreateFailures checks that a failed create stops the task with
// Okta's wording and that nothing more is sent for the user.
func TestCreateFailures(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		wantMsg  string
		wantReqs int
	}{
		{"409 stops the task", 409, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"userName is taken"}`,
			"Automatic provisioning of user test.user@example.com to app Xakia failed: Error while creating user Test User: Conflict. Errors reported by remote server: userName is taken", 2},
		{"empty 201 body", 201, "", "Error while creating user Test User: Create new user returned empty user", 2},
		{"201 without id", 201, `{"userName":"test.user@example.com"}`, "Create new user returned a user without an id", 2},
		{"500 is not retried", 500, `{"detail":"database down"}`, "Internal Server Error. Errors reported by remote server: database down", 2},
		{"400 without detail", 400, `oops`, "Bad Request (HTTP 400), no SCIM error detail in the response", 2},
	}
	for _, tc := range tests {
		for _, style := range []Style{StyleOIN, StyleAIW} {
			t.Run(tc.name+"/"+string(style), func(t *testing.T) {
				f := newFake(t)
				f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
					if r.Method == http.MethodPost {
						w.Header().Set("Content-Type", "application/scim+json")
						w.WriteHeader(tc.status)
						_, _ = w.Write([]byte(tc.body))
						return true
					}
					return false
				}
				o := newTestOkta(t, f, style, nil)
				r := o.AddAndAssign(context.Background(), testProfile)
				if r.OK {
					t.Fatalf("task succeeded, want a failure")
				}
				assert.Contains(t, r.Message, tc.wantMsg, "message %q\nwant it to contain %q", r.Message, tc.wantMsg)
				if n := len(f.requests()); n != tc.wantReqs {
					t.Errorf("%d requests sent, want %d (lookup + POST, nothing more)", n, tc.wantReqs)
				}
				u, _ := o.Directory().Get(testProfile.Login)
				if _, linked := o.Link(u.ID); linked {
					t.Error("a failed create left a link behind")
				}
			})
		}
	}
}

// TestTimeout checks that a response slower than the timeout fails the task
// without a retry.
func TestTimeout(t *testing.T) {
	f := newFake(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return true
	}
	o := newTestOkta(t, f, StyleOIN, func(_ *App, opts *Options) { opts.Timeout = 50 * time.Millisecond })
	r := o.AddAndAssign(context.Background(), testProfile)
	if r.OK {
		t.Fatal("task succeeded against a server slower than the timeout")
	}
	assert.Contains(t, r.Message, "Read timed out", "message %q does not say the read timed out", r.Message)
	var re *RequestError
	if !errors.As(r.Err, &re) || !re.Timeout {
		t.Errorf("Err = %v, want a timeout RequestError", r.Err)
	}
}

// TestImportProblems checks that paging defects are reported as the problem
// Okta would have.
func TestImportProblems(t *testing.T) {
	page := func(total, start any, ids ...string) string {
		var res []string
		for _, id := range ids {
			res = append(res, `{"id":"`+id+`","active":true}`)
		}
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":` + toJSON(total) +
			`,"startIndex":` + toJSON(start) + `,"itemsPerPage":` + toJSON(len(ids)) + `,"Resources":[` + strings.Join(res, ",") + `]}`
	}
	ids := func(from, n int) []string {
		var out []string
		for i := range n {
			out = append(out, "u"+toJSON(from+i))
		}
		return out
	}
	tests := []struct {
		name  string
		pages map[string]string // startIndex → body
		// wantAuth is the authority of the failure ("" means the import
		// succeeds); wantMsg must be in the message.
		wantAuth Authority
		wantMsg  string
		// wantAdvice must be in an advice finding (which never fails).
		wantAdvice string
	}{
		{"string totalResults", map[string]string{"1": page(`"1"`, 1, "a")}, AuthorityOkta, "Okta would fail the import: [okta] totalResults is a string", ""},
		{"string startIndex", map[string]string{"1": page(1, `"1"`, "a")}, AuthorityOkta, "Okta would fail the import: [okta] startIndex is a string", ""},
		{"error page", map[string]string{"1": page(150, 1, ids(0, 100)...)}, AuthorityOkta, "[okta] GET /Users?startIndex=101&count=100: Not Found", ""},
		{"wrong startIndex echo", map[string]string{"1": page(150, 1, ids(0, 100)...), "101": page(150, 1, ids(100, 50)...)}, AuthorityRFC, "[rfc] the page requested at startIndex 101 answered startIndex 1", ""},
		{"duplicated pages", map[string]string{"1": page(150, 1, ids(0, 100)...), "101": page(150, 101, ids(50, 50)...)}, AuthorityRFC, "[rfc] totalResults is 150 but the pages held 100 distinct users, so Okta would miss users; 50 user(s) appeared on more than one page (RFC 7644 §3.4.2)", "appears on the page at startIndex 1 and again at startIndex 101"},
		{"repeats that miss nobody", map[string]string{"1": page(101, 1, ids(0, 100)...), "101": page(101, 101, "u99", "u100")}, "", "", "user u99 appears on the page at startIndex 1 and again at startIndex 101"},
		{"totalResults changing", map[string]string{"1": page(150, 1, ids(0, 100)...), "101": page(151, 101, ids(100, 51)...)}, "", "", "totalResults changed between pages from 150 to 151"},
		{"short pages skip users", map[string]string{"1": page(150, 1, ids(0, 50)...), "101": page(150, 101, ids(100, 50)...)}, AuthorityRFC, "[rfc] totalResults is 150 but the pages held 100 distinct users", ""},
		{"empty page", map[string]string{"1": page(150, 1, ids(0, 100)...), "101": page(150, 101)}, AuthorityRFC, "[rfc] the page at startIndex 101 is empty although totalResults is 150", ""},
		{"total is page size", map[string]string{"1": page(100, 1, ids(0, 100)...)}, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
				body, ok := tc.pages[r.URL.Query().Get("startIndex")]
				if !ok {
					writeJSON(w, 404, scimErr(404, "", "no page"))
					return true
				}
				w.Header().Set("Content-Type", "application/scim+json")
				_, _ = w.Write([]byte(body))
				return true
			}
			o := newTestOkta(t, f, StyleOIN, nil)
			r := o.Import(context.Background())
			if tc.wantAdvice != "" {
				found := false
				for _, fd := range r.Findings {
					if fd.Authority == AuthorityAdvice && strings.Contains(fd.Text, tc.wantAdvice) && fd.Source == "RFC 7644 §3.4.2.4" {
						found = true
					}
				}
				if !found {
					t.Errorf("no advice finding citing RFC 7644 §3.4.2.4 contains %q: %+v", tc.wantAdvice, r.Findings)
				}
			}
			if tc.wantAuth == "" {
				if !r.OK || len(r.Imported) < 100 || r.Authority != "" {
					t.Fatalf("import failed or short: %s (%d users, authority %q)", r.Message, len(r.Imported), r.Authority)
				}
				return
			}
			if r.OK {
				t.Fatalf("import succeeded, want %q", tc.wantMsg)
			}
			assert.Equal(t, tc.wantAuth, r.Authority, "authority")
			assert.Contains(t, r.Message, tc.wantMsg, "message %q\nwant it to contain %q", r.Message, tc.wantMsg)
		})
	}
}

func toJSON(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return string(marshal(v))
}

// TestImportSkipsInactive checks that inactive users are left out.
func TestImportSkipsInactive(t *testing.T) {
	f := newFake(t)
	for i := range 250 {
		f.add(fakeUser{UserName: "u" + toJSON(i) + "@example.com", Active: i%5 != 0})
	}
	f.limited = true
	o := newTestOkta(t, f, StyleAIW, nil)
	r := mustOK(t, o.Import(context.Background()))
	if len(r.Imported) != 200 || r.ImportSkipped != 50 {
		t.Errorf("imported %d, skipped %d; want 200 and 50", len(r.Imported), r.ImportSkipped)
	}
	if n := len(f.requests()); n != 3 {
		t.Errorf("%d pages requested, want 3", n)
	}
}

// TestCompressedResponses checks that gzip and deflate answers are decoded,
// since Okta's Accept-Encoding is set by hand.
func TestCompressedResponses(t *testing.T) {
	list := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
	compress := map[string]func([]byte) []byte{
		"gzip": func(b []byte) []byte {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			_, _ = zw.Write(b)
			_ = zw.Close()
			return buf.Bytes()
		},
		"deflate": func(b []byte) []byte {
			var buf bytes.Buffer
			zw := zlib.NewWriter(&buf)
			_, _ = zw.Write(b)
			_ = zw.Close()
			return buf.Bytes()
		},
		"raw-deflate": func(b []byte) []byte {
			var buf bytes.Buffer
			zw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
			_, _ = zw.Write(b)
			_ = zw.Close()
			return buf.Bytes()
		},
	}
	for name, fn := range compress {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
				enc := name
				if name == "raw-deflate" {
					enc = "deflate"
				}
				w.Header().Set("Content-Encoding", enc)
				w.Header().Set("Content-Type", "application/scim+json")
				_, _ = w.Write(fn(list))
				return true
			}
			o := newTestOkta(t, f, StyleOIN, nil)
			mustOK(t, o.TestConnection(context.Background()))
		})
	}
}

// TestTestConnectionFailures checks the wording of a failed connection test.
func TestTestConnectionFailures(t *testing.T) {
	t.Run("wrong key", func(t *testing.T) {
		f := newFake(t)
		o := newTestOkta(t, f, StyleOIN, func(a *App, _ *Options) { a.Credential = "wrong-key" })
		r := o.TestConnection(context.Background())
		if r.OK || !strings.HasPrefix(r.Message, "Error authenticating") {
			t.Errorf("OK=%v message %q, want Error authenticating", r.OK, r.Message)
		}
		for _, ex := range r.Exchanges {
			if got := ex.RequestHeaders.Get("Authorization"); strings.Contains(got, "wrong-key") {
				t.Errorf("the recorded exchange leaks the key: %q", got)
			}
		}
	})
	t.Run("groups 404", func(t *testing.T) {
		f := newFake(t)
		f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
			if strings.HasSuffix(r.URL.Path, "/Groups") {
				writeJSON(w, 404, scimErr(404, "", "no groups"))
				return true
			}
			return false
		}
		o := newTestOkta(t, f, StyleOIN, func(a *App, _ *Options) { a.Groups = true })
		r := o.TestConnection(context.Background())
		if r.OK || !strings.Contains(r.Message, "GET /Groups") {
			t.Errorf("OK=%v message %q, want a Groups failure", r.OK, r.Message)
		}
		// Without group features (the default, Xakia's case) it is advice.
		o = newTestOkta(t, f, StyleOIN, nil)
		r = o.TestConnection(context.Background())
		if !r.OK || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "[advice] GET /Groups: Not Found") {
			t.Errorf("without groups: OK=%v warnings %q, want success with one advice warning", r.OK, r.Warnings)
		}
	})
	t.Run("string paging", func(t *testing.T) {
		f := newFake(t)
		f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
			_, _ = w.Write([]byte(`{"totalResults":"0","startIndex":1,"itemsPerPage":0,"Resources":[]}`))
			return true
		}
		o := newTestOkta(t, f, StyleOIN, nil)
		r := o.TestConnection(context.Background())
		if r.OK || !strings.Contains(r.Message, "totalResults is a string") {
			t.Errorf("OK=%v message %q", r.OK, r.Message)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		f := newFake(t)
		f.srv.Close()
		o := newTestOkta(t, f, StyleOIN, nil)
		r := o.TestConnection(context.Background())
		if r.OK || !IsUnreachable(r.Err) {
			t.Errorf("OK=%v Err=%v, want an unreachable error", r.OK, r.Err)
		}
	})
}

// TestAssignExistingInactiveOIN checks the OIN link path: an inactive user
// found by the lookup is PATCHed active before the profile push, and never
// POSTed.
func TestAssignExistingInactiveOIN(t *testing.T) {
	for _, tc := range []struct {
		style       Style
		wantMethods string
	}{
		{StyleOIN, "GET PATCH GET PUT"},
		{StyleAIW, "GET GET PUT"},
	} {
		t.Run(string(tc.style), func(t *testing.T) {
			f := newFake(t)
			existing := f.add(fakeUser{UserName: testProfile.Login, Active: false})
			o := newTestOkta(t, f, tc.style, nil)
			r := mustOK(t, o.AddAndAssign(context.Background(), testProfile))
			if !r.Linked || r.Created || r.SCIMID != existing.ID {
				t.Errorf("linked=%v created=%v id=%s, want a link to %s", r.Linked, r.Created, r.SCIMID, existing.ID)
			}
			var methods []string
			for _, q := range f.requests() {
				methods = append(methods, q.Method)
			}
			if got := strings.Join(methods, " "); got != tc.wantMethods {
				t.Errorf("methods %q, want %q", got, tc.wantMethods)
			}
			if !existing.Active {
				t.Error("the existing user is still inactive")
			}
		})
	}
}

// TestReassignDetectsNewID checks that a reassignment that does not bring
// back the same SCIM id fails with the reason.
func TestReassignDetectsNewID(t *testing.T) {
	ctx := context.Background()
	t.Run("lookup misses, create conflicts", func(t *testing.T) {
		f := newFake(t)
		o := newTestOkta(t, f, StyleOIN, nil)
		mustOK(t, o.AddAndAssign(ctx, testProfile))
		mustOK(t, o.Unassign(ctx, testProfile.Login))
		f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
			if r.Method == http.MethodGet && r.URL.Query().Get("filter") != "" {
				writeJSON(w, 200, map[string]any{"totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []any{}})
				return true
			}
			return false
		}
		r := o.Reassign(ctx, testProfile.Login)
		if r.OK {
			t.Fatal("reassign succeeded although the lookup lost the user")
		}
		for _, want := range []string{"Error while creating user Test User: Conflict", "no longer finds user"} {
			assert.Contains(t, r.Message, want, "message %q lacks %q", r.Message, want)
		}
	})
	t.Run("lookup returns another id", func(t *testing.T) {
		f := newFake(t)
		o := newTestOkta(t, f, StyleAIW, nil)
		mustOK(t, o.AddAndAssign(ctx, testProfile))
		mustOK(t, o.Unassign(ctx, testProfile.Login))
		f.mu.Lock()
		f.users[0].ID = "scim-new"
		f.mu.Unlock()
		r := o.Reassign(ctx, testProfile.Login)
		if r.OK || !strings.Contains(r.Message, "returned SCIM id scim-new, not scim-0001") {
			t.Errorf("OK=%v message %q", r.OK, r.Message)
		}
	})
}

// TestSuspendSendsNothing checks that suspending an Okta user sends nothing
// and that DELETE is never used.
func TestSuspendSendsNothing(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	o := newTestOkta(t, f, StyleOIN, nil)
	mustOK(t, o.AddAndAssign(ctx, testProfile))
	f.resetRequests()
	mustOK(t, o.SuspendOktaUser(ctx, testProfile.Login))
	if n := len(f.requests()); n != 0 {
		t.Errorf("suspend sent %d requests", n)
	}
	mustOK(t, o.DeactivateOktaUser(ctx, testProfile.Login))
	mustOK(t, o.ReactivateOktaUser(ctx, testProfile.Login))
	for _, q := range f.requests() {
		if q.Method == http.MethodDelete {
			t.Errorf("DELETE sent: %s", q.Path)
		}
	}
	u, _ := o.Directory().Get(testProfile.Login)
	if u.Status != StatusActive {
		t.Errorf("status %s after reactivation", u.Status)
	}
}

// TestPatchFailureHasNoFallback checks that a failed OIN PATCH is not
// retried as a PUT.
func TestPatchFailureHasNoFallback(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	o := newTestOkta(t, f, StyleOIN, nil)
	mustOK(t, o.AddAndAssign(ctx, testProfile))
	f.resetRequests()
	f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.Method == http.MethodPatch {
			writeJSON(w, 501, scimErr(501, "", "PATCH not supported"))
			return true
		}
		return false
	}
	r := o.Unassign(ctx, testProfile.Login)
	if r.OK || !strings.Contains(r.Message, "Error while deactivating user Test User: Not Implemented. Errors reported by remote server: PATCH not supported") {
		t.Errorf("OK=%v message %q", r.OK, r.Message)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests after a failed PATCH, want exactly the PATCH", n)
	}
}

func TestRealClockScale(t *testing.T) {
	tests := []struct {
		scale float64
		in    time.Duration
		want  time.Duration
	}{
		{0, 5 * time.Minute, 5 * time.Minute},
		{1, 2 * time.Second, 2 * time.Second},
		{0.001, 5 * time.Minute, 300 * time.Millisecond},
		{-1, time.Second, time.Second},
	}
	for _, tc := range tests {
		if got := (RealClock{Scale: tc.scale}).Scaled(tc.in); got != tc.want {
			t.Errorf("Scale %v: Scaled(%v) = %v, want %v", tc.scale, tc.in, got, tc.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (RealClock{}).Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context returned %v", err)
	}
}

// TestToAppToggles checks that a disabled "To App" feature sends nothing.
func TestToAppToggles(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		toggle func(*ToApp)
		task   func(o *Okta) TaskResult
		want   string
	}{
		{"create off", func(a *ToApp) { a.CreateUsers = false }, func(o *Okta) TaskResult { return o.AddAndAssign(ctx, testProfile) }, "Create Users is disabled"},
		{"update off", func(a *ToApp) { a.UpdateUsers = false }, func(o *Okta) TaskResult {
			return o.UpdateProfile(ctx, testProfile.Login, testProfile)
		}, "Update User Attributes is disabled"},
		{"deactivate off", func(a *ToApp) { a.DeactivateUsers = false }, func(o *Okta) TaskResult { return o.Unassign(ctx, testProfile.Login) }, "Deactivate Users is disabled"},
		{"password sync off", func(a *ToApp) { a.SyncPassword = false }, func(o *Okta) TaskResult { return o.SyncPassword(ctx, testProfile.Login, "pw") }, "Sync Password is disabled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			o := newTestOkta(t, f, StyleOIN, func(a *App, _ *Options) { tc.toggle(&a.ToApp) })
			if tc.name != "create off" {
				mustOK(t, o.AddAndAssign(ctx, testProfile))
			}
			f.resetRequests()
			r := mustOK(t, tc.task(o))
			assert.Contains(t, r.Message, tc.want, "message %q lacks %q", r.Message, tc.want)
			if n := len(f.requests()); n != 0 {
				t.Errorf("%d requests sent with the feature off", n)
			}
		})
	}
}
