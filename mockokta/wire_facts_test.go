package mockokta

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeactivatePatchSize pins the recorded size of the OIN deactivation
// PATCH: 118 bytes, one replace without a path.
func TestDeactivatePatchSize(t *testing.T) {
	b := PatchActiveBody(false)
	assert.Len(t, b, 118, "deactivate PATCH is %d bytes, want 118: %s", len(b), b)
	assert.NotContains(t, string(b), `"path"`, "deactivate PATCH has a path: %s", b)
}

// echoServer answers GET /Users/{id} with a fixed body (a server that
// returns attributes in its own order, an unknown one and, wrongly, a
// password) and records every request.
func echoServer(t *testing.T, getBody string) (*fakeSCIM, *[]recorded) {
	f := newFake(t)
	f.add(fakeUser{UserName: "test.user@example.com", GivenName: "Test", FamilyName: "User", Email: "test.user@example.com", Active: true})
	var seen []recorded
	f.hook = func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		seen = append(seen, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body})
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Users/scim-0001") {
			w.Header().Set("Content-Type", "application/scim+json")
			_, _ = w.Write([]byte(getBody))
			return true
		}
		return false
	}
	return f, &seen
}

const serverGetBody = `{"id":"scim-0001","userName":"Test.User@Example.com","meta":{"resourceType":"User","version":"W/\"3\""},` +
	`"name":{"familyName":"User","givenName":"Test","middleName":"Q"},"active":true,"password":"leaked-hash",` +
	`"emails":[{"value":"test.user@example.com","primary":true}],"title":"Partner",` +
	`"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"old-id"}`

// TestAIWDeactivationPutEchoesGet pins item 1: an AIW deactivation is GET
// then a PUT whose body is the GET body byte for byte, in the server's
// order, with only active set to false and the wrongly returned password
// dropped (nothing from Okta's profile written over it).
func TestAIWDeactivationPutEchoesGet(t *testing.T) {
	ctx := context.Background()
	f, seen := echoServer(t, serverGetBody)
	o := newTestOkta(t, f, StyleAIW, nil)
	o.SetLink(Link{OktaID: "00uX", Login: testProfile.Login, SCIMID: "scim-0001", Active: true})
	o.Directory().Put(User{ID: "00uX", Status: StatusActive, Profile: testProfile})
	mustOK(t, o.Unassign(ctx, testProfile.Login))
	if len(*seen) != 2 || (*seen)[0].Method != "GET" || (*seen)[1].Method != "PUT" {
		t.Fatalf("requests %v, want GET then PUT", methods(*seen))
	}
	want := strings.Replace(serverGetBody, `"active":true,"password":"leaked-hash",`, `"active":false,`, 1)
	if got := string((*seen)[1].Body); got != want {
		t.Errorf("PUT body\n got %s\nwant %s", got, want)
	}
	// The exported builder is the same wire implementation.
	b, err := ActivePutBody([]byte(serverGetBody), false, "ignored@example.com")
	if err != nil || string(b) != want {
		t.Errorf("ActivePutBody = %s, %v", b, err)
	}
}

// TestAIWReassignTwoRounds pins item 2: an AIW re-assignment is the lookup,
// then GET → PUT active:true → GET → PUT active:true; the first PUT echoes
// the GET body, the second pushes the profile.
func TestAIWReassignTwoRounds(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	o := newTestOkta(t, f, StyleAIW, nil)
	mustOK(t, o.AddAndAssign(ctx, testProfile))
	mustOK(t, o.Unassign(ctx, testProfile.Login))
	f.resetRequests()
	r := mustOK(t, o.Reassign(ctx, testProfile.Login))
	reqs := f.requests()
	got := methods(reqs)
	want := "GET /Users?filter, GET /Users/scim-0001, PUT /Users/scim-0001, GET /Users/scim-0001, PUT /Users/scim-0001"
	require.Equal(t, want, got, "requests")
	for _, i := range []int{2, 4} {
		var b struct{ Active *bool }
		if err := json.Unmarshal(reqs[i].Body, &b); err != nil || b.Active == nil || !*b.Active {
			t.Errorf("PUT %d does not set active true: %s", i, reqs[i].Body)
		}
	}
	echo, _ := ActivePutBody(reqs[1].respBody, true, testProfile.Login)
	if string(reqs[2].Body) != string(echo) {
		t.Errorf("first PUT is not the echo of the GET body:\n got %s\nwant %s", reqs[2].Body, echo)
	}
	assert.Contains(t, string(reqs[4].Body), `"groups":[]`, "second PUT (profile push) lacks groups:[]: %s", reqs[4].Body)
	if r.SCIMID != "scim-0001" {
		t.Errorf("SCIM id %s after re-assignment", r.SCIMID)
	}
}

// TestProfilePutsCarryGroups pins item 3: the link PUT and the update PUT
// carry "groups":[] in both styles.
func TestProfilePutsCarryGroups(t *testing.T) {
	for _, style := range []Style{StyleOIN, StyleAIW} {
		ctx := context.Background()
		f := newFake(t)
		f.add(fakeUser{UserName: "test.user@example.com", GivenName: "Old", FamilyName: "Name", Email: "test.user@example.com", Active: true})
		o := newTestOkta(t, f, style, nil)
		mustOK(t, o.AddAndAssign(ctx, testProfile))
		p := testProfile
		p.FirstName = "Tess"
		mustOK(t, o.UpdateProfile(ctx, p.Login, p))
		puts := 0
		for _, r := range f.requests() {
			if r.Method == http.MethodPut {
				puts++
				assert.Contains(t, string(r.Body), `"groups":[]`, "%s: PUT without groups:[]: %s", style, r.Body)
			}
		}
		if puts != 2 {
			t.Errorf("%s: %d PUTs, want 2 (link and update)", style, puts)
		}
	}
}

// TestOINProfileUpdateMethod checks the OIN update setting: PUT (default)
// is GET then PUT; PATCH is one PATCH carrying the profile; AIW ignores it.
func TestOINProfileUpdateMethod(t *testing.T) {
	for _, tc := range []struct {
		style  Style
		method UpdateMethod
		want   string
	}{
		{StyleOIN, "", "GET /Users/scim-0001, PUT /Users/scim-0001"},
		{StyleOIN, UpdatePATCH, "PATCH /Users/scim-0001"},
		{StyleAIW, UpdatePATCH, "GET /Users/scim-0001, PUT /Users/scim-0001"},
	} {
		ctx := context.Background()
		f := newFake(t)
		o := newTestOkta(t, f, tc.style, func(a *App, _ *Options) { a.ProfileUpdate = tc.method })
		mustOK(t, o.AddAndAssign(ctx, testProfile))
		f.resetRequests()
		p := testProfile
		p.FirstName = "Tess"
		mustOK(t, o.UpdateProfile(ctx, p.Login, p))
		if got := methods(f.requests()); got != tc.want {
			t.Errorf("%s/%q: %s, want %s", tc.style, tc.method, got, tc.want)
		}
	}
	if err := (&App{BaseURL: "http://127.0.0.1/x", Credential: "k", ProfileUpdate: "post"}).Validate(); err == nil {
		t.Error("an unknown profile update method was accepted")
	}
}

// TestRateLimitReschedulesTheTask pins item 6: a 429 on the POST pauses the
// task, and the rescheduled task starts again with a fresh lookup; each wait
// doubles the previous one and Retry-After is the minimum.
func TestRateLimitReschedulesTheTask(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	retryAfter := []string{"2", "30", "1"}
	posts := 0
	f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.Method == http.MethodPost && posts < len(retryAfter) {
			w.Header().Set("Retry-After", retryAfter[posts])
			posts++
			writeJSON(w, http.StatusTooManyRequests, scimErr(429, "", "slow down"))
			return true
		}
		return false
	}
	clock := &fakeClock{}
	o := newTestOkta(t, f, StyleOIN, func(_ *App, opts *Options) { opts.Clock = clock })
	r := mustOK(t, o.AddAndAssign(ctx, testProfile))
	want := strings.Repeat("GET /Users?filter, POST /Users, ", 4)
	if got := methods(f.requests()) + ", "; got != want {
		t.Errorf("requests %s\nwant %s", got, want)
	}
	if got, want := clock.slept(), []time.Duration{2 * time.Second, 30 * time.Second, 60 * time.Second}; !equalDurations(got, want) {
		t.Errorf("waits %v, want %v (2 s, then Retry-After 30 s over the doubled 4 s, then 60 s over Retry-After 1 s)", got, want)
	}
	if r.Attempts != 4 || len(r.Exchanges) != 8 || len(r.Warnings) != 3 {
		t.Errorf("attempts %d, %d exchanges, warnings %q; want 4 runs, 8 exchanges, 3 pause notes", r.Attempts, len(r.Exchanges), r.Warnings)
	}
}

// TestReactivationSendsNothing pins item 8: deactivating an Okta user
// removes its direct assignment, so reactivating it sends nothing; the next
// assignment finds the same SCIM user.
func TestReactivationSendsNothing(t *testing.T) {
	ctx := context.Background()
	for _, style := range []Style{StyleOIN, StyleAIW} {
		f := newFake(t)
		o := newTestOkta(t, f, style, nil)
		mustOK(t, o.AddAndAssign(ctx, testProfile))
		mustOK(t, o.DeactivateOktaUser(ctx, testProfile.Login))
		f.resetRequests()
		mustOK(t, o.ReactivateOktaUser(ctx, testProfile.Login))
		if n := len(f.requests()); n != 0 {
			t.Errorf("%s: reactivating the Okta user sent %d requests (%s)", style, n, methods(f.requests()))
		}
		r := mustOK(t, o.Assign(ctx, testProfile.Login))
		if r.SCIMID != "scim-0001" || !strings.HasPrefix(methods(f.requests()), "GET /Users?filter") {
			t.Errorf("%s: assigning again: id %s, requests %s", style, r.SCIMID, methods(f.requests()))
		}
	}
}

// TestHTTP11KeepAlive pins item 8: over TLS to a server that offers HTTP/2,
// the mock still speaks HTTP/1.1 and sends Connection: Keep-Alive.
func TestHTTP11KeepAlive(t *testing.T) {
	var proto, conn string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto, conn = r.Proto, r.Header.Get("Connection")
		writeJSON(w, 200, map[string]any{"totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []any{}})
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	o, err := New(App{BaseURL: srv.URL + "/scim/v2", Credential: "k"}, nil, Options{})
	require.NoError(t, err)
	t.Cleanup(o.Close)
	tr := o.client.transport.(*http.Transport)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	mustOK(t, o.TestConnection(context.Background()))
	if proto != "HTTP/1.1" || conn != "Keep-Alive" {
		t.Errorf("proto %q, Connection %q; want HTTP/1.1 and Keep-Alive", proto, conn)
	}
}

// TestActivePutBodyLimitedGet pins the inferred case: a GET without
// userName (limited query attributes) gets the login added after id, and
// nothing else of Okta's profile.
func TestActivePutBodyLimitedGet(t *testing.T) {
	got := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"7","active":true,"externalId":"00uX"}`
	want := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"7","userName":"a@x.test","active":false,"externalId":"00uX"}`
	b, err := ActivePutBody([]byte(got), false, "a@x.test")
	if err != nil || string(b) != want {
		t.Errorf("got  %s (%v)\nwant %s", b, err, want)
	}
}

// methods lists requests as "METHOD path" (the base path and a query cut
// to its first key).
func methods(reqs []recorded) string {
	var out []string
	for _, r := range reqs {
		p := strings.TrimPrefix(r.Path, fakePrefix)
		if r.Query != "" {
			k, _, _ := strings.Cut(r.Query, "=")
			p += "?" + k
		}
		out = append(out, r.Method+" "+p)
	}
	return strings.Join(out, ", ")
}

// cancelingClock cancels the task's context when asked to wait, as a user
// interrupting a paused run would.
type cancelingClock struct {
	fakeClock
	cancel context.CancelFunc
}

func (c *cancelingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.cancel()
	return c.fakeClock.Sleep(ctx, d)
}

// TestRateLimitWaitCanceled checks that a task whose 429 pause is cut short
// by cancellation stops at once, is not reported as a 429 failure and
// keeps the exchanges it made.
func TestRateLimitWaitCanceled(t *testing.T) {
	f := newFake(t)
	f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		writeJSON(w, http.StatusTooManyRequests, scimErr(429, "", "slow down"))
		return true
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := newTestOkta(t, f, StyleOIN, func(_ *App, opts *Options) { opts.Clock = &cancelingClock{cancel: cancel} })
	r := o.AddAndAssign(ctx, testProfile)
	if r.OK || r.Status != 0 || r.Attempts != 1 || len(r.Exchanges) != 1 || !strings.Contains(r.Message, "interrupted") {
		t.Errorf("OK=%v status %d attempts %d exchanges %d message %q; want a canceled task after one run", r.OK, r.Status, r.Attempts, len(r.Exchanges), r.Message)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests sent, want 1 (no run after the cancellation)", n)
	}
}
