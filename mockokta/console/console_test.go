package console_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/mockokta/console"
	"github.com/xakia-okta/scimtest/mockokta/org"
)

// fixture is a console over a fresh org, served on 127.0.0.1.
type fixture struct {
	t        *testing.T
	org      *org.Org
	srv      *httptest.Server
	c        *http.Client // signed in, follows no redirect
	login    string       // the administrator's sign-in
	password string
}

func newFixture(t *testing.T, tls bool) *fixture {
	t.Helper()
	ctx := context.Background()
	o, err := org.Open(ctx, org.Options{Path: ":memory:", Timeout: 10 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = o.Close(context.Background()) })
	b, err := o.Bootstrap(ctx, org.BootstrapOptions{})
	require.NoError(t, err)
	c, err := console.New(o, console.Options{TestTimeout: 20 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(c)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	f := &fixture{t: t, org: o, srv: srv, login: b.AdminLogin, password: b.AdminPassword}
	f.c = f.client()
	f.signIn(f.c)
	return f
}

// people returns every person of the org.
func (f *fixture) people() []org.Person {
	f.t.Helper()
	page, err := f.org.People(context.Background(), org.PeopleQuery{})
	require.NoError(f.t, err)
	return page.Items
}

// app returns an app by id.
func (f *fixture) app(id string) org.App {
	f.t.Helper()
	a, err := f.org.App(context.Background(), id)
	require.NoError(f.t, err)
	return a
}

func (f *fixture) client() *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(f.t, err)
	c := *f.srv.Client() // a copy: Client() returns one shared value
	c.Jar = jar
	c.Timeout = 30 * time.Second
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// get returns the status and body of a GET.
func (f *fixture) get(c *http.Client, path string) (*http.Response, string) {
	f.t.Helper()
	resp, err := c.Get(f.srv.URL + path)
	require.NoError(f.t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	return resp, string(b)
}

// csrf reads the CSRF token of a page's forms.
func (f *fixture) csrf(c *http.Client, path string) string {
	f.t.Helper()
	_, body := f.get(c, path)
	m := csrfField.FindStringSubmatch(body)
	require.NotNil(f.t, m, "no CSRF field on %s", path)
	return m[1]
}

func (f *fixture) post(c *http.Client, path string, form url.Values) (*http.Response, string) {
	f.t.Helper()
	resp, err := c.PostForm(f.srv.URL+path, form)
	require.NoError(f.t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	return resp, string(b)
}

func (f *fixture) signIn(c *http.Client) *http.Response {
	f.t.Helper()
	tok := f.csrf(c, "/login")
	resp, _ := f.post(c, "/login", url.Values{"_csrf": {tok}, "username": {f.login}, "password": {f.password}})
	require.Equal(f.t, http.StatusSeeOther, resp.StatusCode)
	return resp
}

// form posts with the signed-in session's CSRF token (read from page).
func (f *fixture) form(page, path string, form url.Values) (*http.Response, string) {
	f.t.Helper()
	form.Set("_csrf", f.csrf(f.c, page))
	return f.post(f.c, path, form)
}

func TestSignInRequiredAndCookieFlags(t *testing.T) {
	f := newFixture(t, false)
	anon := f.client()
	resp, _ := f.get(anon, "/admin/people")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/login?next=%2Fadmin%2Fpeople", resp.Header.Get("Location"))

	// A wrong password: 401, Okta's words, no session.
	tok := f.csrf(anon, "/login")
	resp, body := f.post(anon, "/login", url.Values{"_csrf": {tok}, "username": {f.login}, "password": {"wrong"}})
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, body, "Unable to sign in")
	resp, _ = f.get(anon, "/admin/people")
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)

	// The sign-in form without its CSRF token is refused.
	resp, _ = f.post(f.client(), "/login", url.Values{"username": {f.login}, "password": {f.password}})
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	// The session cookie: HttpOnly, SameSite=Lax, not Secure over plain HTTP.
	c := f.client()
	resp = f.signIn(c)
	sid := sessionCookie(t, resp)
	assert.True(t, sid.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, sid.SameSite)
	assert.False(t, sid.Secure)
	assert.Equal(t, "/admin/people", resp.Header.Get("Location"))
	resp, body = f.get(c, "/admin/people")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, "Add person")
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
}

func sessionCookie(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == "mockokta_sid" && c.Value != "" {
			return c
		}
	}
	t.Fatal("no session cookie set")
	return nil
}

func TestSessionCookieSecureUnderTLS(t *testing.T) {
	f := newFixture(t, true)
	resp := f.signIn(f.client())
	sid := sessionCookie(t, resp)
	assert.True(t, sid.Secure)
	assert.True(t, sid.HttpOnly)
}

func TestSignInNextStaysInTheConsole(t *testing.T) {
	f := newFixture(t, false)
	c := f.client()
	tok := f.csrf(c, "/login?next=//evil.example/x")
	resp, _ := f.post(c, "/login", url.Values{"_csrf": {tok}, "username": {f.login}, "password": {f.password}, "next": {"//evil.example/x"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/admin/people", resp.Header.Get("Location"))
}

func TestFormsNeedTheSessionCSRFToken(t *testing.T) {
	f := newFixture(t, false)
	add := url.Values{"firstName": {"Jane"}, "lastName": {"Doe"}, "login": {"jane@example.com"}, "email": {"jane@example.com"}, "password": {"Passw0rd!"}}
	resp, body := f.post(f.c, "/admin/people", add)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, body, "security token")
	add.Set("_csrf", "forged")
	resp, _ = f.post(f.c, "/admin/people", add)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Empty(t, f.people(), "a refused form changed nothing")

	// Another session's token does not work either.
	other := f.client()
	f.signIn(other)
	add.Set("_csrf", f.csrf(other, "/admin/people"))
	resp, _ = f.post(f.c, "/admin/people", add)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Empty(t, f.people())

	resp, _ = f.form("/admin/people/new", "/admin/people", add)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Len(t, f.people(), 1)
}

func TestFormBodyLimit(t *testing.T) {
	f := newFixture(t, false)
	tok := f.csrf(f.c, "/admin/people/new")
	form := url.Values{"_csrf": {tok}, "firstName": {strings.Repeat("J", console.MaxFormBytes)}, "lastName": {"Doe"},
		"login": {"jane@example.com"}, "email": {"jane@example.com"}, "password": {"Passw0rd!"}}
	resp, _ := f.post(f.c, "/admin/people", form)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Empty(t, f.people())
}

func TestAddPersonBadInputChangesNothing(t *testing.T) {
	f := newFixture(t, false)
	for name, tc := range map[string]struct {
		form url.Values
		want string
	}{
		"no last name":   {url.Values{"firstName": {"Jane"}, "login": {"jane@example.com"}, "password": {"Passw0rd!"}}, "Last name: The field cannot be left blank"},
		"bad login":      {url.Values{"firstName": {"Jane"}, "lastName": {"Doe"}, "login": {"jane"}, "password": {"Passw0rd!"}}, "Primary email: Does not match required pattern"},
		"short password": {url.Values{"firstName": {"Jane"}, "lastName": {"Doe"}, "login": {"jane@example.com"}, "password": {"short"}}, "Password: Password requirements were not met. Password requirements: at least 8 characters."},
	} {
		t.Run(name, func(t *testing.T) {
			tc.form.Set("emailSameAsLogin", "1")
			resp, body := f.form("/admin/people/new", "/admin/people", tc.form)
			assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
			assert.Contains(t, body, tc.want)
			assert.NotContains(t, body, "Passw0rd!", "the password is never written back")
			assert.Empty(t, f.people())
		})
	}
}

// scimStub answers Okta's test connection: 401 unless the key is right;
// its /Users POST fails while failing is set.
func scimStub(t *testing.T, key string, failing *atomic.Bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		if r.Header.Get("Authorization") != "Bearer "+key {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"bad key"}`)
			return
		}
		switch {
		case r.Method == http.MethodGet:
			_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
		case r.Method == http.MethodPost && failing.Load():
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":"database down"}`)
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"jane@example.com","active":true}`)
		default:
			w.WriteHeader(http.StatusNotImplemented)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// addApp adds a Xakia app "Xakia Sydney" from the catalog and returns its
// id and console path.
func (f *fixture) addApp() (string, string) {
	f.t.Helper()
	resp, _ := f.form("/admin/catalog/xakia?add=1", "/admin/apps", url.Values{"kind": {"xakia"}, "label": {"Xakia Sydney"}})
	require.Equal(f.t, http.StatusSeeOther, resp.StatusCode)
	apps, err := f.org.Apps(context.Background())
	require.NoError(f.t, err)
	for _, a := range apps {
		if a.Label == "Xakia Sydney" {
			require.Equal(f.t, "/admin/apps/"+a.ID+"/provisioning", resp.Header.Get("Location"))
			return a.ID, "/admin/apps/" + a.ID
		}
	}
	f.t.Fatal("the app was not added")
	return "", ""
}

// follow reads the page a POST redirected to (its flash messages included).
func (f *fixture) follow(resp *http.Response) string {
	f.t.Helper()
	require.Equal(f.t, http.StatusSeeOther, resp.StatusCode)
	_, body := f.get(f.c, resp.Header.Get("Location"))
	return body
}

func TestIntegrationTestSaveAndTheTokenIsNeverShown(t *testing.T) {
	f := newFixture(t, false)
	const key = "the-secret-scim-key-123"
	stub := scimStub(t, key, &atomic.Bool{})
	id, app := f.addApp()
	page := app + "/provisioning?edit=1"

	resp, _ := f.form(page, app+"/provisioning/integration", url.Values{"action": {"test"}, "enabled": {"1"}, "baseUrl": {stub.URL + "/scim/v2"}, "apiToken": {"wrong"}})
	body := f.follow(resp)
	assert.Contains(t, body, "Error authenticating: Unauthorized. Errors reported by remote server: bad key")

	resp, _ = f.form(page, app+"/provisioning/integration", url.Values{"action": {"test"}, "enabled": {"1"}, "baseUrl": {stub.URL + "/scim/v2"}, "apiToken": {key}})
	body = f.follow(resp)
	assert.Contains(t, body, "App Xakia Sydney was verified successfully!")
	assert.NotContains(t, body, key)
	assert.False(t, f.app(id).Provisioning.Enabled, "Test API Credentials saves nothing")

	// Save with the token field empty keeps the tested token.
	resp, _ = f.form(page, app+"/provisioning/integration", url.Values{"action": {"save"}, "enabled": {"1"}, "baseUrl": {stub.URL + "/scim/v2"}})
	body = f.follow(resp)
	assert.Contains(t, body, "Your changes have been saved")
	assert.True(t, f.app(id).Provisioning.HasToken)
	assert.True(t, f.app(id).Provisioning.Enabled)
	for _, p := range []string{app + "/provisioning", page, app + "/general", "/admin/apps", "/admin/tasks"} {
		_, body := f.get(f.c, p)
		assert.NotContains(t, body, key, p)
	}
	// The saved token is still the one used.
	r, err := f.org.TestConnection(context.Background(), id, "", "")
	require.NoError(t, err)
	assert.True(t, r.OK, r.Message)

	// A base URI that is not http(s): a clear error, nothing saved.
	resp, _ = f.form(page, app+"/provisioning/integration", url.Values{"action": {"save"}, "enabled": {"1"}, "baseUrl": {"ftp://x"}, "apiToken": {"k"}})
	assert.Contains(t, f.follow(resp), "is not an http(s) URL")
	assert.Equal(t, stub.URL+"/scim/v2", f.app(id).Provisioning.BaseURL)
}

func TestFailedTaskRetry(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, false)
	var failing atomic.Bool
	failing.Store(true)
	stub := scimStub(t, "k", &failing)
	id, app := f.addApp()
	_, err := f.org.SetConnection(ctx, id, org.Connection{BaseURL: stub.URL, Token: "k", Enable: true})
	require.NoError(t, err)
	resp, _ := f.form(app+"/provisioning/to-app?edit=1", app+"/provisioning/to-app", url.Values{"action": {"save"}, "createUsers": {"1"}, "updateUsers": {"1"}, "deactivateUsers": {"1"}})
	assert.Contains(t, f.follow(resp), "Your changes have been saved")
	assert.Equal(t, mockokta.ToApp{CreateUsers: true, UpdateUsers: true, DeactivateUsers: true}, f.app(id).Provisioning.ToApp)
	p, err := f.org.CreatePerson(ctx, org.NewPerson{Profile: mockokta.Profile{FirstName: "Jane", LastName: "Doe", Login: "jane@example.com", Email: "jane@example.com"}, Password: "Passw0rd!", Activate: true})
	require.NoError(t, err)

	resp, _ = f.form(app+"/assign-people", app+"/assignments", url.Values{"person": {p.ID}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	failed := waitTask(t, f.org, org.TaskFailed)
	assert.Contains(t, failed.Message, "Automatic provisioning of user jane@example.com to app Xakia Sydney failed: Error while creating user Jane Doe: Internal Server Error. Errors reported by remote server: database down")
	_, body := f.get(f.c, "/admin/tasks")
	assert.Contains(t, body, ">Retry</button>")
	_, body = f.get(f.c, app+"/assignments")
	assert.Contains(t, body, ">ERROR<")
	assert.Contains(t, body, "database down")

	failing.Store(false)
	resp, _ = f.form("/admin/tasks", fmt.Sprintf("/admin/tasks/%d/retry", failed.ID), url.Values{})
	assert.Contains(t, f.follow(resp), "The task was queued again")
	done := waitTask(t, f.org, org.TaskSucceeded)
	assert.Equal(t, failed.ID, done.ID)
	assert.Contains(t, done.Message, "was created in app Xakia Sydney (id u1)")
	_, body = f.get(f.c, app+"/assignments")
	assert.Contains(t, body, ">PROVISIONED<")
	_, body = f.get(f.c, "/admin/logs")
	assert.Contains(t, body, "database down")
	assert.Contains(t, body, "was created in app Xakia Sydney")

	// Retrying a task that did not fail is refused.
	resp, _ = f.form("/admin/tasks", fmt.Sprintf("/admin/tasks/%d/retry", done.ID), url.Values{})
	assert.Contains(t, f.follow(resp), "only a failed task can be retried")
	tasks, err := f.org.Tasks(ctx, org.TaskQuery{})
	require.NoError(t, err)
	assert.Len(t, tasks, 1)
}

// waitTask polls the org until its newest task reaches state (bounded).
func waitTask(t *testing.T, o *org.Org, state org.TaskState) org.Task {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		tasks, err := o.Tasks(context.Background(), org.TaskQuery{Limit: 1})
		require.NoError(t, err)
		if len(tasks) == 1 && tasks[0].State == state {
			return tasks[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the newest task never reached %s: %+v", state, tasks)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestUnknownIDsAnswerNotFound(t *testing.T) {
	f := newFixture(t, false)
	for _, p := range []string{"/admin/people/00uNOPE", "/admin/apps/0oaNOPE/provisioning", "/admin/catalog/nope"} {
		resp, _ := f.get(f.c, p)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, p)
	}
}

func TestOIDCAppFromTheCatalogAndItsSignOnTab(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, false)
	resp, _ := f.form("/admin/catalog/xakia-oidc?add=1", "/admin/apps", url.Values{"kind": {"xakia-oidc"}, "label": {"Xakia Sign-in"},
		"redirectUris": {"http://127.0.0.1:8080/auth/okta/callback\r\nhttps://xakia.example/auth/okta/callback\r\n"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	path := resp.Header.Get("Location")
	require.True(t, strings.HasSuffix(path, "/sign-on"), path)
	id := strings.TrimSuffix(strings.TrimPrefix(path, "/admin/apps/"), "/sign-on")
	_, secret, err := f.org.OIDCClient(ctx, id)
	require.NoError(t, err)
	body := f.follow(resp)
	assert.Contains(t, body, "Application Xakia Sign-in was added")
	assert.Contains(t, body, `id="client-id">`+id+`<`)
	assert.Contains(t, body, "https://xakia.example/auth/okta/callback")
	assert.Contains(t, body, `<details class="secret">`, "the secret is folded")
	assert.Contains(t, body, secret)

	// Redirect URIs are edited on the Sign On tab; a bad one is refused
	// and changes nothing.
	resp, _ = f.form(path+"?edit=1", path, url.Values{"redirectUris": {"not a url"}})
	assert.NotContains(t, f.follow(resp), "Your changes have been saved")
	assert.Equal(t, []string{"http://127.0.0.1:8080/auth/okta/callback", "https://xakia.example/auth/okta/callback"}, f.app(id).OIDC.RedirectURIs)
	resp, _ = f.form(path+"?edit=1", path, url.Values{"redirectUris": {"https://xakia.example/auth/okta/callback"}})
	assert.Contains(t, f.follow(resp), "Your changes have been saved")
	assert.Equal(t, []string{"https://xakia.example/auth/okta/callback"}, f.app(id).OIDC.RedirectURIs)

	// A SCIM tab of the OIDC app does not exist.
	resp, _ = f.get(f.c, "/admin/apps/"+id+"/provisioning")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestSignOutEndsTheSession(t *testing.T) {
	f := newFixture(t, false)
	u, err := url.Parse(f.srv.URL)
	require.NoError(t, err)
	var old *http.Cookie
	for _, c := range f.c.Jar.Cookies(u) {
		if c.Name == "mockokta_sid" {
			old = c
		}
	}
	require.NotNil(t, old)
	resp, _ := f.form("/admin/people", "/logout", url.Values{})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/login", resp.Header.Get("Location"))

	// The old cookie, sent again by hand, no longer signs in.
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+"/admin/people", nil)
	require.NoError(t, err)
	req.AddCookie(&http.Cookie{Name: old.Name, Value: old.Value})
	bare := f.client()
	resp, err = bare.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode, "the old session no longer signs in")
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/login"))
}

func TestRepeatedFailedSignInsAreThrottled(t *testing.T) {
	f := newFixture(t, false)
	c := f.client()
	for i := range console.MaxSignInFailures {
		tok := f.csrf(c, "/login")
		resp, _ := f.post(c, "/login", url.Values{"_csrf": {tok}, "username": {f.login}, "password": {"wrong"}})
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "attempt %d", i+1)
	}
	// Now even the right password is refused, without being checked.
	tok := f.csrf(c, "/login")
	resp, body := f.post(c, "/login", url.Values{"_csrf": {tok}, "username": {f.login}, "password": {f.password}})
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Contains(t, body, "Too many failed sign-in attempts")
	for _, ck := range resp.Cookies() {
		assert.NotEqual(t, "mockokta_sid", ck.Name, "no session after a throttled sign-in")
	}
}
