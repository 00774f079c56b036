package reference

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/mockokta/oidc"
	"github.com/xakia-okta/scimtest/mockokta/oidc/oidctest"
	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// browser is a cookie-keeping HTTP client that follows redirects itself
// (at most 10), like a browser without JavaScript.
type browser struct {
	t   *testing.T
	hc  *http.Client
	jar *cookiejar.Jar
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, jar: jar, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return http.ErrUseLastResponse
			}
			return nil
		}}}
}

// page is a fetched page.
type page struct {
	Status int
	URL    string
	Body   string
	Header http.Header
}

func (b *browser) read(res *http.Response, err error) page {
	b.t.Helper()
	require.NoError(b.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	return page{Status: res.StatusCode, URL: res.Request.URL.String(), Body: string(body), Header: res.Header}
}

func (b *browser) get(u string) page { b.t.Helper(); return b.read(b.hc.Get(u)) }

// post sends a form; the CSRF token of the browser's cookie is added unless
// the form has one.
func (b *browser) post(u string, form url.Values) page {
	b.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.cookie(u, csrfCookie))
	}
	return b.read(b.hc.PostForm(u, form))
}

func (b *browser) cookie(u, name string) string {
	pu, err := url.Parse(u)
	require.NoError(b.t, err)
	for _, c := range b.jar.Cookies(pu) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// outcome is the data-outcome of a page's message ("" when none).
func (p page) outcome() string {
	m := regexp.MustCompile(`data-outcome="([^"]*)"`).FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	return m[1]
}

// webEnv is a reference with the web UI, the mock Okta's OIDC provider and
// two locations.
type webEnv struct {
	*testEnv
	idp    *oidctest.Provider
	people map[string]bool // Okta logins added, lower-cased
}

// oktaPassword is the Okta password of every person of the test org.
const oktaPassword = "Okta-Passw0rd!"

func newWebEnv(t *testing.T, faults ...string) *webEnv {
	t.Helper()
	idp := oidctest.NewProvider(t)
	e := newEnv(t, Config{Faults: faults, OIDC: OIDCConfig{Issuer: idp.Issuer, ClientID: idp.ClientID, ClientSecret: idp.ClientSecret}}, "default", "second")
	idp.SetRedirectURIs(e.http.URL + CallbackPath)
	return &webEnv{testEnv: e, idp: idp, people: map[string]bool{}}
}

// person adds an Okta person with that login (assigned to the Xakia OIDC
// app unless unassigned), once.
func (e *webEnv) person(login string, unassigned bool) {
	e.t.Helper()
	if e.people[strings.ToLower(login)] {
		return
	}
	p, err := e.idp.Org.AddPerson(oidc.Person{Login: login, Email: strings.ToLower(login), FirstName: "Test", LastName: "Person"}, oktaPassword)
	require.NoError(e.t, err)
	if !unassigned {
		e.idp.Org.Assign(e.idp.ClientID, p.ID)
	}
	e.people[strings.ToLower(login)] = true
}

// hidden returns the value of the hidden input name of an HTML page.
func hidden(t testing.TB, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(body)
	require.NotNil(t, m, "no %s in %s", name, body)
	return m[1]
}

// signInWithOkta drives "Sign in with Okta" for the Okta login at location
// loc through the mock Okta's sign-in page and returns the final page.
func (e *webEnv) signInWithOkta(b *browser, loc, login string) page {
	e.t.Helper()
	e.person(login, false)
	p := b.get(e.http.URL + "/")
	require.Equal(e.t, http.StatusOK, p.Status)
	form := b.post(e.http.URL+"/auth/okta/start", url.Values{"location": {loc}})
	require.Equal(e.t, http.StatusOK, form.Status, form.Body)
	require.True(e.t, strings.HasPrefix(form.URL, e.idp.Issuer), form.URL)
	base, err := url.Parse(form.URL)
	require.NoError(e.t, err)
	action, err := base.Parse("login")
	require.NoError(e.t, err)
	return b.read(b.hc.PostForm(action.String(), url.Values{"id": {hidden(e.t, form.Body, "id")}, "csrf": {hidden(e.t, form.Body, "csrf")},
		"username": {login}, "password": {oktaPassword}}))
}

// member creates a pre-existing member with a password through the admin API.
func (e *webEnv) member(loc, email, password string) string {
	e.t.Helper()
	r := e.admin("POST", "/locations/"+loc+"/users", `{"userName":"`+email+`","name":{"givenName":"Dave","familyName":"Pre"},"emails":[{"value":"`+email+`","primary":true}],"password":"`+password+`"}`)
	require.Equal(e.t, http.StatusCreated, r.Status, string(r.Raw))
	return r.JSON["id"].(string)
}

func (e *webEnv) invite(loc, id string) {
	e.t.Helper()
	r := e.admin("POST", "/locations/"+loc+"/users/"+id+"/invite", "")
	require.Equal(e.t, http.StatusOK, r.Status, string(r.Raw))
}

func (e *webEnv) deactivate(l testLoc, id string) {
	e.t.Helper()
	r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
	require.Equal(e.t, http.StatusOK, r.Status, string(r.Raw))
}

func (e *webEnv) signIns(loc string) []store.SignInEvent {
	e.t.Helper()
	ev, err := e.st.SignIns(e.t.Context(), loc, 100)
	require.NoError(e.t, err)
	return ev
}

func TestWebOktaSignInOutcomes(t *testing.T) {
	e := newWebEnv(t)
	l := e.loc(0)

	// Not yet invited → refused with the rule's words.
	aliceID := e.create(l, "alice@example.com", "00ualice")
	e.person("Alice@Example.COM", false) // Okta logins match userNames case-insensitively
	refused := newBrowser(t)
	p := e.signInWithOkta(refused, l.ID, "Alice@Example.COM")
	assert.Equal(t, http.StatusForbidden, p.Status)
	assert.Equal(t, outcomeNotInvited, p.outcome())
	assert.Contains(t, p.Body, "ask your Xakia admin to invite you")
	assert.Equal(t, e.http.URL+"/?location="+l.ID, p.URL, "the code leaves the address bar")
	assert.Empty(t, refused.get(e.http.URL+"/").outcome(), "the outcome is shown once")

	// Invited → signed in, the home page says who and how.
	e.invite(l.ID, aliceID)
	b := newBrowser(t)
	p = e.signInWithOkta(b, l.ID, "alice@example.com")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	assert.Equal(t, e.http.URL+"/home", p.URL)
	assert.Equal(t, outcomeSignedIn, p.outcome())
	assert.Contains(t, p.Body, "alice@example.com, with Okta")

	// Deactivated → refused, and the open session ends too.
	e.deactivate(l, aliceID)
	p = b.get(e.http.URL + "/home")
	assert.Equal(t, outcomeInactive, p.outcome())
	p = e.signInWithOkta(newBrowser(t), l.ID, "alice@example.com")
	assert.Equal(t, http.StatusForbidden, p.Status)
	assert.Equal(t, outcomeInactive, p.outcome())
	assert.Contains(t, p.Body, "inactive user")

	// A member of another location only.
	p = e.signInWithOkta(newBrowser(t), e.loc(1).ID, "alice@example.com")
	assert.Equal(t, outcomeUnknown, p.outcome())

	// Okta refuses a person not assigned to the Xakia OIDC app.
	e.person("bob@example.com", true)
	p = e.signInWithOkta(newBrowser(t), l.ID, "bob@example.com")
	assert.Equal(t, http.StatusBadRequest, p.Status)
	assert.Equal(t, outcomeOktaFailed, p.outcome())
	assert.Contains(t, p.Body, "User is not assigned to the client application.")

	var outcomes []string
	for _, ev := range e.signIns(l.ID) {
		outcomes = append(outcomes, ev.Outcome)
		assert.Equal(t, methodOkta, ev.Method)
	}
	assert.Equal(t, []string{outcomeNotInvited, outcomeSignedIn, outcomeInactive, outcomeOktaFailed}, outcomes,
		"every outcome is in the audit (the other location's attempt is in its own)")
}

func TestWebPreExistingMemberConvertedByFirstSCIMWrite(t *testing.T) {
	e := newWebEnv(t)
	l := e.loc(0)
	id := e.member(l.ID, "dave@example.com", "correct horse battery")

	// Before Okta provisions it: password yes, Okta not yet.
	p := e.signInWithOkta(newBrowser(t), l.ID, "dave@example.com")
	assert.Equal(t, outcomePasswordOnly, p.outcome())
	b := newBrowser(t)
	b.get(e.http.URL + "/")
	p = b.post(e.http.URL+"/signin/password", url.Values{"location": {l.ID}, "login": {"dave@example.com"}, "password": {"wrong password"}})
	assert.Equal(t, http.StatusUnauthorized, p.Status)
	assert.Equal(t, outcomeBadPassword, p.outcome())
	p = b.post(e.http.URL+"/signin/password", url.Values{"location": {l.ID}, "login": {"Dave@Example.com"}, "password": {"correct horse battery"}})
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	assert.Equal(t, outcomeSignedIn, p.outcome())
	assert.Contains(t, p.Body, "with a password")

	// Okta links it and pushes its profile: converted, no invite needed.
	r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"externalId":"00udave"}}]}`)
	require.Equal(t, http.StatusOK, r.Status)
	p = e.signInWithOkta(newBrowser(t), l.ID, "dave@example.com")
	assert.Equal(t, outcomeSignedIn, p.outcome(), p.Body)
	assert.Contains(t, p.Body, "with Okta")

	b = newBrowser(t)
	b.get(e.http.URL + "/")
	p = b.post(e.http.URL+"/signin/password", url.Values{"location": {l.ID}, "login": {"dave@example.com"}, "password": {"correct horse battery"}})
	assert.Equal(t, http.StatusForbidden, p.Status)
	assert.Equal(t, outcomeOktaOnly, p.outcome())
	assert.Contains(t, p.Body, "Your account now signs in with Okta")
}

func TestWebSignInFaults(t *testing.T) {
	t.Run("password-after-okta", func(t *testing.T) {
		e := newWebEnv(t, faultPasswordAfterOkta)
		l := e.loc(0)
		id := e.member(l.ID, "dave@example.com", "correct horse battery")
		r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"externalId":"00udave"}}]}`)
		require.Equal(t, http.StatusOK, r.Status)
		b := newBrowser(t)
		b.get(e.http.URL + "/")
		p := b.post(e.http.URL+"/signin/password", url.Values{"location": {l.ID}, "login": {"dave@example.com"}, "password": {"correct horse battery"}})
		assert.Equal(t, outcomeSignedIn, p.outcome())
	})
	t.Run("signin-ignores-invite", func(t *testing.T) {
		e := newWebEnv(t, faultSignInIgnoresInvite)
		l := e.loc(0)
		id := e.create(l, "alice@example.com", "00ualice")
		assert.Equal(t, outcomeSignedIn, e.signInWithOkta(newBrowser(t), l.ID, "alice@example.com").outcome())
		assert.Equal(t, false, e.adminUserByID(l, id)["canSignIn"], "the admin view still says no")
	})
	t.Run("deactivated-can-sign-in", func(t *testing.T) {
		e := newWebEnv(t, faultDeactivatedCanSignIn)
		l := e.loc(0)
		id := e.create(l, "alice@example.com", "00ualice")
		e.invite(l.ID, id)
		e.deactivate(l, id)
		assert.Equal(t, outcomeSignedIn, e.signInWithOkta(newBrowser(t), l.ID, "alice@example.com").outcome())
	})
	t.Run("reinvite-existing", func(t *testing.T) {
		e := newWebEnv(t, faultReinviteExisting)
		l := e.loc(0)
		id := e.member(l.ID, "dave@example.com", "correct horse battery")
		r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"externalId":"00udave"}}]}`)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, outcomeNotInvited, e.signInWithOkta(newBrowser(t), l.ID, "dave@example.com").outcome())
	})
}
