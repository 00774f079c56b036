package org_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/mockokta/org"
	"github.com/xakia-okta/scimtest/reference"
)

func openOrg(t *testing.T, opts org.Options) *org.Org {
	t.Helper()
	o, err := org.Open(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = o.Close(context.Background()) })
	return o
}

func waitIdle(t *testing.T, o *org.Org) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, o.WaitIdle(ctx))
}

// adminUser reads one user of the reference through its admin API.
func adminUser(t *testing.T, ref *reference.Instance, scimID string) map[string]any {
	t.Helper()
	loc := ref.Locations[0]
	req, err := http.NewRequest(http.MethodGet, ref.Origin+"/admin/api/locations/"+loc.ID+"/users/"+scimID, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+ref.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

func jane() mockokta.Profile {
	return mockokta.Profile{Login: "jane.doe@example.com", Email: "jane.doe@example.com", FirstName: "Jane", LastName: "Doe"}
}

// TestProvisioningAgainstReference walks the article with the org's Go API:
// connection, To App, assign, profile update, deactivate, and checks what
// the reference received.
func TestProvisioningAgainstReference(t *testing.T) {
	ctx := context.Background()
	ref, err := reference.Start(ctx, reference.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ref.Close() })
	o := openOrg(t, org.Options{})
	b, err := o.Bootstrap(ctx, org.BootstrapOptions{})
	require.NoError(t, err)
	require.Len(t, b.Apps, 2)
	app := b.Apps[0]
	require.Equal(t, org.KindSCIM, app.Kind)

	tr, err := o.TestConnection(ctx, app.ID, ref.Locations[0].BaseURL, "wrong-key")
	require.NoError(t, err)
	assert.False(t, tr.OK)
	assert.Contains(t, tr.Message, "Error authenticating")
	tr, err = o.TestConnection(ctx, app.ID, ref.Locations[0].BaseURL, ref.Locations[0].APIKey)
	require.NoError(t, err)
	assert.True(t, tr.OK, tr.Message)

	app, err = o.SetConnection(ctx, app.ID, org.Connection{BaseURL: ref.Locations[0].BaseURL, Token: ref.Locations[0].APIKey, Enable: true})
	require.NoError(t, err)
	assert.True(t, app.Provisioning.Enabled)
	assert.True(t, app.Provisioning.HasToken)
	_, err = o.SetToApp(ctx, app.ID, mockokta.DefaultToApp())
	require.NoError(t, err)

	p, err := o.CreatePerson(ctx, org.NewPerson{Profile: jane(), Password: "Correct-Horse-9", Activate: true})
	require.NoError(t, err)
	assert.Equal(t, mockokta.StatusActive, p.Status)
	as, err := o.Assign(ctx, app.ID, p.ID)
	require.NoError(t, err)
	assert.Equal(t, org.AssignStaged, as.Status)
	waitIdle(t, o)
	as, err = o.Assignment(ctx, app.ID, p.ID)
	require.NoError(t, err)
	require.Equal(t, org.AssignProvisioned, as.Status, as.LastError)
	assert.Equal(t, org.SyncSynchronized, as.SyncState)
	require.NotEmpty(t, as.SCIMID)
	got := adminUser(t, ref, as.SCIMID)
	assert.Equal(t, "jane.doe@example.com", got["userName"])
	assert.Equal(t, true, got["active"])

	prof := p.Profile
	prof.FirstName, prof.DisplayName = "Janet", ""
	_, err = o.UpdateProfile(ctx, p.ID, prof)
	require.NoError(t, err)
	waitIdle(t, o)
	got = adminUser(t, ref, as.SCIMID)
	assert.Equal(t, "Janet", got["name"].(map[string]any)["givenName"])

	_, err = o.Deactivate(ctx, p.ID)
	require.NoError(t, err)
	waitIdle(t, o)
	got = adminUser(t, ref, as.SCIMID)
	assert.Equal(t, false, got["active"])
	ok, err := o.IsAssigned(ctx, app.ID, p.ID)
	require.NoError(t, err)
	assert.False(t, ok, "deactivation removes the assignment")

	tasks, err := o.Tasks(ctx, org.TaskQuery{AppID: app.ID})
	require.NoError(t, err)
	require.Len(t, tasks, 3)
	for _, tk := range tasks {
		assert.Equal(t, org.TaskSucceeded, tk.State, tk.Message)
	}
	assert.Equal(t, mockokta.OpDeactivate, tasks[0].Op)
	log, err := o.Log(ctx, app.ID, 0, 0)
	require.NoError(t, err)
	require.Len(t, log, 5) // two tests, three tasks
	assert.Contains(t, log[0].Message, "was deactivated in app Xakia")
	assert.Equal(t, org.OutcomeSuccess, log[0].Outcome)

	// Import finds the user, linked to the person.
	res, err := o.Import(ctx, app.ID)
	require.NoError(t, err)
	require.True(t, res.Task.OK, res.Task.Message)
	assert.Empty(t, res.Rows, "the deactivated user is left out, as Okta does")
}

// TestReassignBringsBackTheSameUser: unassign, then assign again reactivates
// the same SCIM user (the library's reassign through the queue).
func TestReassignBringsBackTheSameUser(t *testing.T) {
	ctx := context.Background()
	ref, err := reference.Start(ctx, reference.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ref.Close() })
	o := openOrg(t, org.Options{})
	app, err := o.AddXakiaApp(ctx, "Xakia Sydney")
	require.NoError(t, err)
	_, err = o.SetConnection(ctx, app.ID, org.Connection{BaseURL: ref.Locations[0].BaseURL, Token: ref.Locations[0].APIKey, Style: mockokta.StyleAIW, Enable: true})
	require.NoError(t, err)
	_, err = o.SetToApp(ctx, app.ID, mockokta.DefaultToApp())
	require.NoError(t, err)
	p, err := o.CreatePerson(ctx, org.NewPerson{Profile: jane(), Activate: true})
	require.NoError(t, err)
	assert.Equal(t, org.StatusProvisioned, p.Status, "activated without a password")
	_, err = o.Assign(ctx, app.ID, p.ID)
	require.NoError(t, err)
	require.NoError(t, o.Unassign(ctx, app.ID, p.ID))
	waitIdle(t, o)
	_, err = o.Assign(ctx, app.ID, p.ID)
	require.NoError(t, err)
	waitIdle(t, o)
	as, err := o.Assignment(ctx, app.ID, p.ID)
	require.NoError(t, err)
	assert.Equal(t, org.AssignProvisioned, as.Status, as.LastError)
	assert.Equal(t, true, adminUser(t, ref, as.SCIMID)["active"])
	tasks, err := o.Tasks(ctx, org.TaskQuery{PersonID: p.ID})
	require.NoError(t, err)
	require.Len(t, tasks, 3)
	assert.Contains(t, tasks[0].Message, "was reactivated in app Xakia Sydney (same id")
	assert.ErrorIs(t, o.Unassign(ctx, "0oaNOPE", p.ID), org.ErrNotFound)
}

// fakeSCIM answers Okta's assignment: an empty lookup, then a create that
// gets 429 (Retry-After 0) for the first `limited` POSTs.
func fakeSCIM(t *testing.T, limited int32, status int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/scim+json")
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/scim/Users":
			_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
		case r.Method == http.MethodPost && r.URL.Path == "/scim/Users":
			n := posts.Add(1)
			if n <= limited {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			if status != http.StatusCreated {
				w.WriteHeader(status)
				_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":"boom"}`)
				return
			}
			w.WriteHeader(http.StatusCreated)
			_, _ = fmt.Fprintf(w, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"scim-%d","userName":"x","active":true}`, n)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &posts
}

func provisioningApp(t *testing.T, o *org.Org, base string) org.App {
	t.Helper()
	ctx := context.Background()
	app, err := o.AddXakiaApp(ctx, "Xakia")
	require.NoError(t, err)
	_, err = o.SetConnection(ctx, app.ID, org.Connection{BaseURL: base, Token: "key-123", Enable: true})
	require.NoError(t, err)
	app, err = o.SetToApp(ctx, app.ID, mockokta.DefaultToApp())
	require.NoError(t, err)
	return app
}

// TestRateLimitedTaskIsRescheduled: a 429 puts the task back in the queue
// (logged as RETRY) and the next run succeeds.
func TestRateLimitedTaskIsRescheduled(t *testing.T) {
	ctx := context.Background()
	srv, posts := fakeSCIM(t, 2, http.StatusCreated)
	o := openOrg(t, org.Options{})
	app := provisioningApp(t, o, srv.URL+"/scim")
	p, err := o.CreatePerson(ctx, org.NewPerson{Profile: jane(), Activate: true})
	require.NoError(t, err)
	_, err = o.Assign(ctx, app.ID, p.ID)
	require.NoError(t, err)
	waitIdle(t, o)
	tasks, err := o.Tasks(ctx, org.TaskQuery{})
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, org.TaskSucceeded, tasks[0].State, tasks[0].Message)
	assert.Equal(t, 3, tasks[0].Attempts)
	assert.Equal(t, int32(3), posts.Load())
	log, err := o.Log(ctx, "", 0, 0)
	require.NoError(t, err)
	require.Len(t, log, 3)
	assert.Equal(t, org.OutcomeRetry, log[2].Outcome)
	assert.Contains(t, log[2].Message, "answered 429 (Retry-After 0)")
	as, err := o.Assignment(ctx, app.ID, p.ID)
	require.NoError(t, err)
	assert.Equal(t, "scim-3", as.SCIMID)
	_, err = o.RetryTask(ctx, tasks[0].ID)
	assert.ErrorIs(t, err, org.ErrLifecycle, "only failed tasks are retried")
}

// TestRetryMarksTheAssignmentSyncing: retrying a failed task puts its
// assignment back to SYNCING until the task runs.
func TestRetryMarksTheAssignmentSyncing(t *testing.T) {
	ctx := context.Background()
	srv, _ := fakeSCIM(t, 0, http.StatusInternalServerError)
	path := filepath.Join(t.TempDir(), "org.db")
	o, err := org.Open(ctx, org.Options{Path: path})
	require.NoError(t, err)
	app := provisioningApp(t, o, srv.URL+"/scim")
	p, err := o.CreatePerson(ctx, org.NewPerson{Profile: jane(), Activate: true})
	require.NoError(t, err)
	_, err = o.Assign(ctx, app.ID, p.ID)
	require.NoError(t, err)
	waitIdle(t, o)
	require.NoError(t, o.Close(ctx))
	o2 := openOrg(t, org.Options{Path: path, NoWorker: true})
	as, err := o2.Assignment(ctx, app.ID, p.ID)
	require.NoError(t, err)
	require.Equal(t, org.SyncError, as.SyncState)
	tasks, err := o2.Tasks(ctx, org.TaskQuery{State: org.TaskFailed})
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	_, err = o2.RetryTask(ctx, tasks[0].ID)
	require.NoError(t, err)
	as, err = o2.Assignment(ctx, app.ID, p.ID)
	require.NoError(t, err)
	assert.Equal(t, org.SyncSyncing, as.SyncState)
}

// TestFailedTaskCanBeRetried: a 500 fails the task with Okta's wording;
// Retry runs it again.
func TestFailedTaskCanBeRetried(t *testing.T) {
	ctx := context.Background()
	srv, _ := fakeSCIM(t, 0, http.StatusInternalServerError)
	o := openOrg(t, org.Options{})
	app := provisioningApp(t, o, srv.URL+"/scim")
	p, err := o.CreatePerson(ctx, org.NewPerson{Profile: jane(), Activate: true})
	require.NoError(t, err)
	_, err = o.Assign(ctx, app.ID, p.ID)
	require.NoError(t, err)
	waitIdle(t, o)
	tasks, err := o.Tasks(ctx, org.TaskQuery{State: org.TaskFailed})
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Contains(t, tasks[0].Message, "Automatic provisioning of user jane.doe@example.com to app Xakia failed: Error while creating user Jane Doe")
	as, err := o.Assignment(ctx, app.ID, p.ID)
	require.NoError(t, err)
	assert.Equal(t, org.SyncError, as.SyncState)
	assert.Equal(t, org.AssignStaged, as.Status)

	_, err = o.RetryTask(ctx, tasks[0].ID+100)
	assert.ErrorIs(t, err, org.ErrNotFound)
	re, err := o.RetryTask(ctx, tasks[0].ID)
	require.NoError(t, err)
	// The worker may pick the retried task up before RetryTask re-reads it.
	assert.Contains(t, []org.TaskState{org.TaskQueued, org.TaskRunning}, re.State)

	waitIdle(t, o)
	tk, err := o.Task(ctx, tasks[0].ID)
	require.NoError(t, err)
	assert.Equal(t, 2, tk.Attempts)
	assert.Equal(t, org.TaskFailed, tk.State, "the server still answers 500")
}

// TestQueueSurvivesRestart: a task queued while no worker runs is run by
// the next Open of the same database; the secrets are created once.
func TestQueueSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	srv, posts := fakeSCIM(t, 0, http.StatusCreated)
	path := filepath.Join(t.TempDir(), "org.db")
	o, err := org.Open(ctx, org.Options{Path: path, NoWorker: true})
	require.NoError(t, err)
	b, err := o.Bootstrap(ctx, org.BootstrapOptions{})
	require.NoError(t, err)
	require.True(t, b.FirstStart)
	require.NotEmpty(t, b.AdminPassword)
	require.NotEmpty(t, b.APIToken)
	app := provisioningApp(t, o, srv.URL+"/scim")
	p, err := o.CreatePerson(ctx, org.NewPerson{Profile: jane(), Activate: true})
	require.NoError(t, err)
	_, err = o.Assign(ctx, app.ID, p.ID)
	require.NoError(t, err)
	n, err := o.Pending(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoError(t, o.Close(ctx))
	assert.Equal(t, int32(0), posts.Load())

	o2 := openOrg(t, org.Options{Path: path})
	b2, err := o2.Bootstrap(ctx, org.BootstrapOptions{})
	require.NoError(t, err)
	assert.False(t, b2.FirstStart)
	assert.Empty(t, b2.AdminPassword)
	assert.Empty(t, b2.APIToken)
	require.NoError(t, o2.CheckAPIToken(ctx, b.APIToken))
	assert.ErrorIs(t, o2.CheckAPIToken(ctx, b.APIToken+"x"), org.ErrBadCredentials)
	require.NoError(t, o2.CheckAdmin(ctx, b.AdminLogin, b.AdminPassword))
	assert.ErrorIs(t, o2.CheckAdmin(ctx, b.AdminLogin, "nope-nope"), org.ErrBadCredentials)
	waitIdle(t, o2)
	assert.Equal(t, int32(1), posts.Load())
	as, err := o2.Assignment(ctx, app.ID, p.ID)
	require.NoError(t, err)
	assert.Equal(t, org.AssignProvisioned, as.Status)
}

// TestBadInputChangesNothing: invalid people, connections and lifecycle
// changes are refused with clear errors and leave the org as it was.
func TestBadInputChangesNothing(t *testing.T) {
	ctx := context.Background()
	o := openOrg(t, org.Options{NoWorker: true})
	_, err := o.CreatePerson(ctx, org.NewPerson{Profile: mockokta.Profile{Login: "not-an-email", Email: "x@example.com", FirstName: "A", LastName: "B"}})
	assert.ErrorIs(t, err, org.ErrInvalid)
	_, err = o.CreatePerson(ctx, org.NewPerson{Profile: jane(), Password: "short"})
	assert.ErrorIs(t, err, org.ErrInvalid)
	page, err := o.People(ctx, org.PeopleQuery{})
	require.NoError(t, err)
	assert.Empty(t, page.Items)

	p, err := o.CreatePerson(ctx, org.NewPerson{Profile: jane()})
	require.NoError(t, err)
	assert.Equal(t, org.StatusStaged, p.Status)
	_, err = o.CreatePerson(ctx, org.NewPerson{Profile: jane()})
	assert.ErrorIs(t, err, org.ErrConflict)
	_, err = o.Suspend(ctx, p.ID)
	assert.ErrorIs(t, err, org.ErrLifecycle)
	assert.ErrorIs(t, o.DeletePerson(ctx, p.ID), org.ErrLifecycle)
	_, err = o.Authenticate(ctx, p.Profile.Login, "whatever-123")
	assert.ErrorIs(t, err, org.ErrBadCredentials)

	app, err := o.AddXakiaApp(ctx, "Xakia")
	require.NoError(t, err)
	for _, c := range []org.Connection{
		{BaseURL: "ftp://x.example/scim", Token: "k"},
		{BaseURL: "https://x.example/scim?x=1", Token: "k"},
		{BaseURL: "https://x.example/scim"},
		{BaseURL: "https://x.example/scim", Token: "k", Style: "weird"},
	} {
		_, err := o.SetConnection(ctx, app.ID, c)
		assert.ErrorIs(t, err, org.ErrInvalid, "%+v", c)
	}
	_, err = o.SetConnectionEnabled(ctx, app.ID, true)
	assert.ErrorIs(t, err, org.ErrInvalid)
	got, err := o.App(ctx, app.ID)
	require.NoError(t, err)
	assert.Equal(t, org.Provisioning{Style: mockokta.StyleOIN, ProfileUpdate: mockokta.UpdatePUT}, *got.Provisioning)
	_, err = o.AddOIDCApp(ctx, "OIDC", []string{"javascript:alert(1)"})
	assert.ErrorIs(t, err, org.ErrInvalid)
	apps, err := o.Apps(ctx)
	require.NoError(t, err)
	assert.Len(t, apps, 1)
}

// TestAuthenticateAndOIDCClient covers what the OIDC provider uses.
func TestAuthenticateAndOIDCClient(t *testing.T) {
	ctx := context.Background()
	o := openOrg(t, org.Options{NoWorker: true})
	oidc, err := o.AddOIDCApp(ctx, "Xakia OIDC", []string{"http://127.0.0.1:8080/auth/okta/callback"})
	require.NoError(t, err)
	got, secret, err := o.OIDCClient(ctx, oidc.OIDC.ClientID)
	require.NoError(t, err)
	assert.Len(t, secret, 40)
	assert.Equal(t, []string{"http://127.0.0.1:8080/auth/okta/callback"}, got.OIDC.RedirectURIs)
	_, _, err = o.OIDCClient(ctx, "0oaunknown")
	assert.ErrorIs(t, err, org.ErrNotFound)

	p, err := o.CreatePerson(ctx, org.NewPerson{Profile: jane(), Password: "Correct-Horse-9", Activate: true})
	require.NoError(t, err)
	signed, err := o.Authenticate(ctx, "JANE.DOE@example.com", "Correct-Horse-9")
	require.NoError(t, err)
	assert.False(t, signed.LastLogin.IsZero())
	_, err = o.Authenticate(ctx, "jane.doe@example.com", "Wrong-Horse-9")
	assert.ErrorIs(t, err, org.ErrBadCredentials)
	_, err = o.Authenticate(ctx, "nobody@example.com", "Correct-Horse-9")
	assert.ErrorIs(t, err, org.ErrBadCredentials)
	assigned, err := o.IsAssigned(ctx, oidc.ID, p.ID)
	require.NoError(t, err)
	assert.False(t, assigned)
	as, err := o.Assign(ctx, oidc.ID, p.Profile.Login)
	require.NoError(t, err)
	assert.Equal(t, org.AssignActive, as.Status)
	assigned, err = o.IsAssigned(ctx, oidc.ID, p.Profile.Login)
	require.NoError(t, err)
	assert.True(t, assigned)
	_, err = o.Deactivate(ctx, p.ID)
	require.NoError(t, err)
	_, err = o.Authenticate(ctx, "jane.doe@example.com", "Correct-Horse-9")
	assert.ErrorIs(t, err, org.ErrInactive)

	_, err = o.Blob(ctx, "oidc-signing-key")
	assert.ErrorIs(t, err, org.ErrNotFound)
	require.NoError(t, o.PutBlob(ctx, "oidc-signing-key", []byte("key")))
	v, err := o.Blob(ctx, "oidc-signing-key")
	require.NoError(t, err)
	assert.Equal(t, []byte("key"), v)
}

// TestPeopleSearchAndPaging: q, search, filter and the after cursor.
func TestPeopleSearchAndPaging(t *testing.T) {
	ctx := context.Background()
	o := openOrg(t, org.Options{NoWorker: true})
	for i, n := range []string{"amy", "bob", "bea", "cal"} {
		_, err := o.CreatePerson(ctx, org.NewPerson{Activate: i%2 == 0, Password: "Correct-Horse-9",
			Profile: mockokta.Profile{Login: n + "@example.com", Email: n + "@example.com", FirstName: strings.ToUpper(n[:1]) + n[1:], LastName: "Test"}})
		require.NoError(t, err)
	}
	logins := func(q org.PeopleQuery) []string {
		page, err := o.People(ctx, q)
		require.NoError(t, err)
		var out []string
		for _, p := range page.Items {
			out = append(out, p.Profile.Login)
		}
		return out
	}
	assert.Equal(t, []string{"bob@example.com", "bea@example.com"}, logins(org.PeopleQuery{Q: "b"}))
	assert.Equal(t, []string{"amy@example.com", "bea@example.com"}, logins(org.PeopleQuery{Filter: `status eq "ACTIVE"`}))
	assert.Equal(t, []string{"cal@example.com"}, logins(org.PeopleQuery{Search: `profile.login eq "CAL@example.com" or profile.firstName sw "zz"`}))
	assert.Equal(t, []string{"bob@example.com"}, logins(org.PeopleQuery{Search: `status eq "STAGED" and profile.login sw "b"`}))
	page, err := o.People(ctx, org.PeopleQuery{Limit: 3})
	require.NoError(t, err)
	require.Len(t, page.Items, 3)
	require.NotEmpty(t, page.Next)
	assert.Equal(t, []string{"cal@example.com"}, logins(org.PeopleQuery{Limit: 3, After: page.Next}))
	for _, bad := range []string{`status eq`, `nope eq "x"`, `status like "x"`, `(status eq "ACTIVE")`, `status eq "ACTIVE" and`, `status eq "x`} {
		_, err := o.People(ctx, org.PeopleQuery{Search: bad})
		assert.ErrorIs(t, err, org.ErrInvalid, bad)
		assert.False(t, errors.Is(err, org.ErrNotFound))
	}
}

// TestStateRoundTrip: a CLI state file's people and links come into the
// org (no task queued) and go back out in the same format; a bad state
// changes nothing.
func TestStateRoundTrip(t *testing.T) {
	ctx := context.Background()
	o := openOrg(t, org.Options{NoWorker: true})
	app, err := o.AddXakiaApp(ctx, "Xakia")
	require.NoError(t, err)
	_, err = o.SetConnection(ctx, app.ID, org.Connection{BaseURL: "http://127.0.0.1:8080/scim/v2/default", Token: "k"})
	require.NoError(t, err)
	file := `{
  "version": 1,
  "directory": [
    {"id": "00uAAAAAAAAAAAAAAAAA", "status": "ACTIVE", "profile": {"login": "amy@example.com", "email": "amy@example.com", "firstName": "Amy", "lastName": "Test", "displayName": "Amy Test", "locale": "en-US"}},
    {"id": "00uBBBBBBBBBBBBBBBBB", "status": "DEACTIVATED", "profile": {"login": "bob@example.com", "email": "bob@example.com", "firstName": "Bob", "lastName": "Test", "displayName": "Bob Test", "locale": "en-US"}}
  ],
  "apps": {
    "http://127.0.0.1:8080/scim/v2/default": {"links": [
      {"oktaId": "00uAAAAAAAAAAAAAAAAA", "login": "amy@example.com", "scimId": "s-1", "active": true},
      {"oktaId": "00uBBBBBBBBBBBBBBBBB", "login": "bob@example.com", "scimId": "s-2", "active": false}
    ]},
    "http://127.0.0.1:9999/scim/v2/other": {"links": []}
  }
}`
	s, err := org.ReadState(strings.NewReader(file))
	require.NoError(t, err)
	res, err := o.ImportState(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, 2, res.People)
	assert.Equal(t, 2, res.Links)
	assert.Zero(t, res.Apps)
	assert.Empty(t, res.Skipped, "an app without links is not created")
	as, err := o.Assignment(ctx, app.ID, "amy@example.com")
	require.NoError(t, err)
	assert.Equal(t, "s-1", as.SCIMID)
	ok, err := o.IsAssigned(ctx, app.ID, "bob@example.com")
	require.NoError(t, err)
	assert.False(t, ok)
	n, err := o.Pending(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)

	out, err := o.ExportState(ctx)
	require.NoError(t, err)
	assert.Equal(t, s.Directory, out.Directory)
	assert.Equal(t, s.Apps["http://127.0.0.1:8080/scim/v2/default"].Links, out.Apps["http://127.0.0.1:8080/scim/v2/default"].Links)

	// Importing again adds nothing; a bad state changes nothing.
	res, err = o.ImportState(ctx, s)
	require.NoError(t, err)
	assert.Zero(t, res.People)
	bad := s
	bad.Directory = append([]mockokta.User{{ID: "00uCCCCCCCCCCCCCCCCC", Status: mockokta.StatusActive, Profile: mockokta.Profile{Login: "cat@example.com", Email: "cat@example.com", FirstName: "Cat", LastName: "Test"}}},
		mockokta.User{ID: "not-an-id", Status: mockokta.StatusActive, Profile: jane()})
	_, err = o.ImportState(ctx, bad)
	assert.ErrorIs(t, err, org.ErrInvalid)
	_, err = o.Person(ctx, "cat@example.com")
	assert.ErrorIs(t, err, org.ErrNotFound, "the transaction was rolled back")
	_, err = org.ReadState(strings.NewReader(`{"version": 2}`))
	assert.ErrorIs(t, err, org.ErrInvalid)

	// A base URL no app has yet gets a new Xakia app instance.
	other := org.State{Version: 1, Apps: map[string]*org.StateApp{"http://127.0.0.1:9999/scim/v2/other": {Links: []mockokta.Link{
		{OktaID: "00uAAAAAAAAAAAAAAAAA", Login: "amy@example.com", SCIMID: "o-1", Active: true}}}}}
	res, err = o.ImportState(ctx, other)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Apps)
	apps, err := o.Apps(ctx)
	require.NoError(t, err)
	require.Len(t, apps, 2)
	assert.Equal(t, "http://127.0.0.1:9999/scim/v2/other", apps[1].Provisioning.BaseURL)
	assert.False(t, apps[1].Provisioning.Enabled)
	as, err = o.Assignment(ctx, apps[1].ID, "amy@example.com")
	require.NoError(t, err)
	assert.Equal(t, "o-1", as.SCIMID)
}
