package reference

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/internal/lockedbuf"
	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// adminSignIn signs b in with the admin token and returns the landing page.
func (e *webEnv) adminSignIn(b *browser) page {
	e.t.Helper()
	b.get(e.http.URL + "/admin/signin")
	p := b.post(e.http.URL+"/admin/signin", url.Values{"token": {testAdminToken}})
	require.Equal(e.t, http.StatusOK, p.Status, p.Body)
	return p
}

// row returns the Members table row of userName.
func row(t *testing.T, p page, userName string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr data-member="` + regexp.QuoteMeta(userName) + `".*?</tr>`).FindString(p.Body)
	require.NotEmpty(t, m, "no row for %s in %s", userName, p.Body)
	return m
}

func TestWebAdminRefusesWithoutSession(t *testing.T) {
	e := newWebEnv(t)
	b := newBrowser(t)
	for _, path := range []string{"/admin", "/admin/locations/default/members", "/admin/locations/default/security/federated-identity/okta", "/admin/locations/default/audit"} {
		p := b.get(e.http.URL + path)
		assert.Equal(t, e.http.URL+"/admin/signin", p.URL, path)
		assert.Contains(t, p.Body, "Xakia admin sign-in", path)
	}
	b.get(e.http.URL + "/admin/signin")
	p := b.post(e.http.URL+"/admin/locations/default/security/federated-identity/okta/api-key", url.Values{})
	assert.Equal(t, http.StatusUnauthorized, p.Status)
	r := e.do("GET", e.loc(0).Base+"/Users", e.loc(0).Key, "")
	assert.Equal(t, http.StatusOK, r.Status, "no key was rotated")

	p = b.post(e.http.URL+"/admin/signin", url.Values{"token": {"not-the-token"}})
	assert.Equal(t, http.StatusUnauthorized, p.Status)
	assert.Contains(t, p.Body, "The admin token is not right.")

	// A forged or expired session is no session.
	expired, err := e.srv.web.seal(sessionCookie, session{Kind: "admin", Method: "token", Expires: time.Now().Add(-time.Minute).Unix()})
	require.NoError(t, err)
	u, _ := url.Parse(e.http.URL)
	for _, v := range []string{expired, "forged"} {
		b2 := newBrowser(t)
		b2.jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: v}})
		assert.Equal(t, e.http.URL+"/admin/signin", b2.get(e.http.URL+"/admin/locations/default/members").URL)
	}
}

func TestWebAdminOktaSettingsAndKey(t *testing.T) {
	var logs lockedbuf.Buffer
	e := &webEnv{testEnv: newEnv(t, Config{Logger: newTestLogger(&logs), OIDC: OIDCConfig{Issuer: "http://127.0.0.1:9/oauth2/default", ClientID: "c", ClientSecret: "s"}}, "default", "second")}
	b := newBrowser(t)
	landing := e.adminSignIn(b)
	assert.Equal(t, e.http.URL+"/admin/locations/default/members", landing.URL)
	assert.Contains(t, landing.Body, `>Admin</a>`)
	assert.Contains(t, landing.Body, `href="/admin/locations/default/security"`, "left menu: Security")

	sec := b.get(e.http.URL + "/admin/locations/default/security")
	assert.Contains(t, sec.Body, "Federated Identity")
	assert.Contains(t, sec.Body, e.http.URL+CallbackPath, "the redirect URI to enter in Okta")
	fi := b.get(e.http.URL + "/admin/locations/default/security/federated-identity")
	assert.Contains(t, fi.Body, `security/federated-identity/okta">Okta</a>`)
	okta := b.get(e.http.URL + "/admin/locations/default/security/federated-identity/okta")
	assert.Contains(t, okta.Body, `value="`+e.loc(0).Base+`"`, "SCIM Base URI")
	assert.NotContains(t, okta.Body, `id="scim-api-key"`, "the key is never shown again")
	assert.Contains(t, okta.Body, "Generate a new API key")
	assert.Contains(t, okta.Body, `value="limited" selected`)

	gen := b.post(e.http.URL+"/admin/locations/default/security/federated-identity/okta/api-key", url.Values{})
	require.Equal(t, http.StatusOK, gen.Status, gen.Body)
	assert.Equal(t, "no-store", gen.Header.Get("Cache-Control"))
	key := regexp.MustCompile(`id="scim-api-key" value="([^"]+)"`).FindStringSubmatch(gen.Body)
	require.NotNil(t, key, gen.Body)
	assert.GreaterOrEqual(t, len(key[1]), 43)
	assert.Equal(t, http.StatusUnauthorized, e.do("GET", e.loc(0).Base+"/Users", e.loc(0).Key, "").Status, "the old key dies at once")
	assert.Equal(t, http.StatusOK, e.do("GET", e.loc(0).Base+"/Users", key[1], "").Status, "the new key works")
	assert.NotContains(t, b.get(e.http.URL+"/admin/locations/default/security/federated-identity/okta").Body, key[1], "shown only once")
	assert.NotContains(t, logs.String(), key[1], "never logged")

	full := b.post(e.http.URL+"/admin/locations/default/security/federated-identity/okta/query-attributes", url.Values{"queryAttributes": {"full"}})
	assert.Contains(t, full.Body, `value="full" selected`)
	assert.Equal(t, "full", e.admin("GET", "/locations/default", "").JSON["queryAttributes"])
	bad := b.post(e.http.URL+"/admin/locations/default/security/federated-identity/okta/query-attributes", url.Values{"queryAttributes": {"everything"}})
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.Equal(t, "full", e.admin("GET", "/locations/default", "").JSON["queryAttributes"], "bad input changes nothing")

	// The location switcher: each location has its own Okta settings.
	second := b.get(e.http.URL + "/admin/locations/second/security/federated-identity/okta")
	assert.Contains(t, second.Body, `value="`+e.loc(1).Base+`"`)
	assert.Contains(t, second.Body, `href="/admin/locations/default/security">default</a>`, "the switcher")
	assert.Equal(t, http.StatusNotFound, b.get(e.http.URL+"/admin/locations/nowhere/members").Status)
}

func TestWebAdminMembersAndInvite(t *testing.T) {
	e := newWebEnv(t)
	l := e.loc(0)
	newID := e.create(l, "new@example.com", "00unew")
	goneID := e.create(l, "gone@example.com", "00ugone")
	e.deactivate(l, goneID)
	invitedID := e.create(l, "invited@example.com", "00uinv")
	e.invite(l.ID, invitedID)
	e.member(l.ID, "dave@example.com", "correct horse battery")

	b := newBrowser(t)
	e.adminSignIn(b)
	p := b.get(e.http.URL + "/admin/locations/default/members")
	require.Equal(t, http.StatusOK, p.Status)
	r := row(t, p, "new@example.com")
	assert.Contains(t, r, `data-status="active" data-invitation="not-invited" data-signin="Okta"`)
	assert.Contains(t, r, ">Invite</button>")
	r = row(t, p, "gone@example.com")
	assert.Contains(t, r, "<td>Inactive user</td>")
	assert.Contains(t, r, "00ugone", "inactive users are listed with their data")
	assert.Contains(t, r, "cannot invite an inactive user: reactivate it first")
	assert.NotContains(t, r, "<button")
	assert.Contains(t, row(t, p, "invited@example.com"), "the user is already invited")
	r = row(t, p, "dave@example.com")
	assert.Contains(t, r, `data-invitation="not-needed" data-signin="Password"`)
	assert.Contains(t, r, "the user existed before Okta and needs no invitation")

	p = b.post(e.http.URL+"/admin/locations/default/members/"+newID+"/invite", url.Values{})
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	assert.Contains(t, p.Body, "new@example.com is invited")
	assert.Contains(t, row(t, p, "new@example.com"), `data-invitation="invited"`)
	assert.Equal(t, "invited", e.adminUserByID(l, newID)["invitation"])
	p = b.post(e.http.URL+"/admin/locations/default/members/"+goneID+"/invite", url.Values{})
	assert.Equal(t, http.StatusConflict, p.Status)
	assert.Equal(t, "not-invited", e.adminUserByID(l, goneID)["invitation"], "a refused invite changes nothing")

	// Add member: a pre-existing password member; bad input is refused and adds nothing.
	p = b.post(e.http.URL+"/admin/locations/default/members", url.Values{"givenName": {"<b>Eve</b>"}, "familyName": {"Smith"}, "email": {"eve@example.com"}, "password": {"long enough pw"}})
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	r = row(t, p, "eve@example.com")
	assert.Contains(t, r, "&lt;b&gt;Eve&lt;/b&gt; Smith", "names are escaped")
	assert.Contains(t, r, `data-invitation="not-needed" data-signin="Password"`)
	p = b.post(e.http.URL+"/admin/locations/default/members", url.Values{"email": {"EVE@example.com"}, "password": {"long enough pw"}})
	assert.Equal(t, http.StatusConflict, p.Status)
	p = b.post(e.http.URL+"/admin/locations/default/members", url.Values{"email": {"short@example.com"}, "password": {"short"}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	assert.NotContains(t, p.Body, `data-member="short@example.com"`)
	p = b.post(e.http.URL+"/admin/locations/default/members", url.Values{"email": {"nopw@example.com"}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	assert.Contains(t, p.Body, "Give the member a password")
	assert.NotContains(t, p.Body, `data-member="nopw@example.com"`)

	// The new member signs in with its password; the members page and the audit show it.
	mb := newBrowser(t)
	mb.get(e.http.URL + "/")
	home := mb.post(e.http.URL+"/signin/password", url.Values{"location": {"default"}, "login": {"eve@example.com"}, "password": {"long enough pw"}})
	assert.Equal(t, outcomeSignedIn, home.outcome())
	assert.Contains(t, row(t, b.get(e.http.URL+"/admin/locations/default/members"), "eve@example.com"), `data-last-outcome="signed-in"`)
	audit := b.get(e.http.URL + "/admin/locations/default/audit")
	assert.Contains(t, audit.Body, `<tr data-outcome="signed-in"`)
	assert.Contains(t, audit.Body, "eve@example.com")
	assert.Contains(t, audit.Body, "PATCH /scim/v2/default/Users/"+goneID, "SCIM requests too")
	signins := e.admin("GET", "/locations/default/audit/signins", "")
	require.Equal(t, http.StatusOK, signins.Status, string(signins.Raw))
	assert.Contains(t, string(signins.Raw), `"outcome":"signed-in"`)
}

func TestWebAdminMember(t *testing.T) {
	e := newWebEnv(t)
	b := newBrowser(t)
	e.adminSignIn(b)
	p := b.post(e.http.URL+"/admin/locations/second/members", url.Values{"email": {"boss@example.com"}, "password": {"boss password"}, "admin": {"on"}})
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	b.post(e.http.URL+"/admin/locations/second/members", url.Values{"email": {"staff@example.com"}, "password": {"staff password"}})

	staff := newBrowser(t)
	staff.get(e.http.URL + "/admin/signin")
	p = staff.post(e.http.URL+"/admin/signin", url.Values{"location": {"second"}, "login": {"staff@example.com"}, "password": {"staff password"}})
	assert.Equal(t, http.StatusForbidden, p.Status)
	assert.Contains(t, p.Body, "not a Xakia admin")

	boss := newBrowser(t)
	boss.get(e.http.URL + "/admin/signin")
	p = boss.post(e.http.URL+"/admin/signin", url.Values{"location": {"second"}, "login": {"boss@example.com"}, "password": {"boss password"}})
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	assert.Equal(t, e.http.URL+"/admin/locations/second/members", p.URL)
	assert.NotContains(t, p.Body, `href="/admin/locations/default/`, "an admin member sees its own location only")
	assert.Equal(t, http.StatusNotFound, boss.get(e.http.URL+"/admin/locations/default/members").Status)
}

func TestWebSecurity(t *testing.T) {
	e := newWebEnv(t)
	b := newBrowser(t)
	p := b.get(e.http.URL + "/")
	assert.Contains(t, p.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Equal(t, "DENY", p.Header.Get("X-Frame-Options"))
	assert.Contains(t, p.Body, "Sign in with Okta")
	// CSRF: a form without the token, with another token, or from another origin changes nothing.
	e.adminSignIn(b)
	inv := e.create(e.loc(0), "csrf@example.com", "")
	for name, form := range map[string]url.Values{"no token": {"csrf": {""}}, "other token": {"csrf": {strings.Repeat("x", 43)}}} {
		p = b.post(e.http.URL+"/admin/locations/default/members/"+inv+"/invite", form)
		assert.Equal(t, http.StatusForbidden, p.Status, name)
	}
	req, err := http.NewRequest("POST", e.http.URL+"/admin/locations/default/members/"+inv+"/invite",
		strings.NewReader(url.Values{"csrf": {b.cookie(e.http.URL, csrfCookie)}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	assert.Equal(t, http.StatusForbidden, b.read(b.hc.Do(req)).Status)
	assert.Equal(t, "not-invited", e.adminUserByID(e.loc(0), inv)["invitation"])

	// Body limit.
	big := url.Values{"email": {strings.Repeat("a", maxFormBytes) + "@example.com"}, "password": {"long enough pw"}}
	assert.Equal(t, http.StatusRequestEntityTooLarge, b.post(e.http.URL+"/admin/locations/default/members", big).Status)

	// Cookies: HttpOnly and SameSite=Lax; not Secure over plain HTTP.
	req, err = http.NewRequest("POST", e.http.URL+"/admin/signin", strings.NewReader(url.Values{"token": {testAdminToken}, "csrf": {"t0123456789012345678901234567890123456789"}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: "t0123456789012345678901234567890123456789"})
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	var seen bool
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			seen = true
			assert.True(t, c.HttpOnly)
			assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
			assert.False(t, c.Secure)
			assert.Equal(t, int(DefaultSessionTTL.Seconds()), c.MaxAge, "sessions expire")
		}
	}
	assert.True(t, seen)
}

func TestWebCookiesSecureUnderTLS(t *testing.T) {
	st, err := store.Open(t.Context(), ":memory:", nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	srv, err := NewServer(st, Config{AdminToken: testAdminToken})
	require.NoError(t, err)
	hs := httptest.NewTLSServer(srv.Handler())
	t.Cleanup(hs.Close)
	res, err := hs.Client().Get(hs.URL + "/admin/signin")
	require.NoError(t, err)
	res.Body.Close()
	require.NotEmpty(t, res.Cookies())
	for _, c := range res.Cookies() {
		assert.True(t, c.Secure, c.Name)
		assert.True(t, c.HttpOnly, c.Name)
	}
}

func TestWebOktaFlowIsBound(t *testing.T) {
	e := newWebEnv(t)
	b := newBrowser(t)
	b.get(e.http.URL + "/")
	noFollow := &http.Client{Jar: b.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.PostForm(e.http.URL+"/auth/okta/start", url.Values{"location": {"default"}, "csrf": {b.cookie(e.http.URL, csrfCookie)}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	to, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	q := to.Query()
	assert.Equal(t, "S256", q.Get("code_challenge_method"))
	assert.NotEmpty(t, q.Get("code_challenge"))
	assert.NotEmpty(t, q.Get("nonce"))
	assert.Equal(t, e.http.URL+CallbackPath, q.Get("redirect_uri"))
	var flowCookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == oidcCookie {
			flowCookie = c
		}
	}
	require.NotNil(t, flowCookie)
	assert.Equal(t, int(oidcFlowTTL.Seconds()), flowCookie.MaxAge, "short-lived")
	assert.True(t, flowCookie.HttpOnly)

	// Another state, or no flow cookie (another browser, a replay), fails.
	p := b.get(e.http.URL + CallbackPath + "?code=x&state=other")
	assert.Equal(t, outcomeOktaFailed, p.outcome())
	assert.Contains(t, p.Body, "state mismatch")
	p = newBrowser(t).get(e.http.URL + CallbackPath + "?code=x&state=" + url.QueryEscape(q.Get("state")))
	assert.Equal(t, outcomeOktaFailed, p.outcome())
}

func TestWebTemplatesEscape(t *testing.T) {
	e := newWebEnv(t)
	var buf bytes.Buffer
	require.NoError(t, e.srv.web.pages["error"].Execute(&buf, view{Title: "x", Error: `<script>alert(1)</script>`}))
	assert.NotContains(t, buf.String(), "<script>")
	assert.Contains(t, buf.String(), "&lt;script&gt;")
}

func TestWebSignOut(t *testing.T) {
	e := newWebEnv(t)
	admin := newBrowser(t)
	e.adminSignIn(admin)
	p := admin.post(e.http.URL+"/admin/signout", url.Values{})
	assert.Equal(t, e.http.URL+"/admin/signin", p.URL)
	assert.Equal(t, e.http.URL+"/admin/signin", admin.get(e.http.URL+"/admin/locations/default/members").URL, "the session is gone")

	e.member("default", "dave@example.com", "correct horse battery")
	m := newBrowser(t)
	m.get(e.http.URL + "/")
	p = m.post(e.http.URL+"/signin/password", url.Values{"location": {"default"}, "login": {"dave@example.com"}, "password": {"correct horse battery"}})
	require.Equal(t, outcomeSignedIn, p.outcome())
	assert.Equal(t, http.StatusForbidden, m.post(e.http.URL+"/signout", url.Values{"csrf": {"forged-token-forged-token-forged-token-123"}}).Status, "sign-out needs the CSRF token too")
	p = m.post(e.http.URL+"/signout", url.Values{})
	assert.Equal(t, e.http.URL+"/", p.URL)
	assert.Equal(t, e.http.URL+"/", m.get(e.http.URL+"/home").URL, "no session: back to the sign-in page")
}
