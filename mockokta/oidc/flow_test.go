package oidc_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/xakia-okta/scimtest/mockokta/oidc"
	"github.com/xakia-okta/scimtest/mockokta/oidc/oidctest"
)

const password = "Corr3ct-horse!"

// rig is one provider, one relying party callback and a browser.
type rig struct {
	okta     *oidctest.Provider
	callback string
	conf     oauth2.Config
	provider *gooidc.Provider
}

func newRig(t *testing.T) *rig {
	t.Helper()
	okta := oidctest.NewProvider(t,
		oidctest.User{Login: "ada@example.com", Password: password, FirstName: "Ada", LastName: "Lovelace"},
		oidctest.User{Login: "bob@example.com", Password: password, FirstName: "Bob", LastName: "Unassigned", NotAssigned: true},
		oidctest.User{Login: "cat@example.com", Password: password, FirstName: "Cat", LastName: "Gone", Status: oidc.StatusDeactivated},
		oidctest.User{Login: "dan@example.com", Password: password, FirstName: "Dan", LastName: "Paused", Status: oidc.StatusSuspended},
	)
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "callback reached")
	}))
	t.Cleanup(rp.Close)
	callback := rp.URL + "/auth/okta/callback"
	okta.SetRedirectURIs(callback)
	provider, err := gooidc.NewProvider(t.Context(), okta.Issuer)
	require.NoError(t, err)
	return &rig{
		okta: okta, callback: callback, provider: provider,
		conf: oauth2.Config{
			ClientID: okta.ClientID, ClientSecret: okta.ClientSecret, Endpoint: provider.Endpoint(),
			RedirectURL: callback, Scopes: []string{gooidc.ScopeOpenID, "profile", "email"},
		},
	}
}

// browser is a cookie-keeping client that follows at most 10 redirects.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(_ *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("too many redirects")
		}
		return nil
	}}
}

var (
	idField   = regexp.MustCompile(`name="id" value="([^"]+)"`)
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

// loginPage is the sign-in page reached from an authorize URL.
type loginPage struct {
	url      *url.URL
	id, csrf string
}

func read(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// openLogin follows the authorize URL to the sign-in page.
func openLogin(t *testing.T, c *http.Client, authURL string) loginPage {
	t.Helper()
	resp, err := c.Get(authURL)
	require.NoError(t, err)
	body := read(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `<form method="post" action="login"`)
	id, csrf := idField.FindStringSubmatch(body), csrfField.FindStringSubmatch(body)
	require.Len(t, id, 2)
	require.Len(t, csrf, 2)
	return loginPage{url: resp.Request.URL, id: id[1], csrf: csrf[1]}
}

// submit posts the sign-in form and returns the final response and body.
func submit(t *testing.T, c *http.Client, p loginPage, login, pw string, withCSRF bool) (*http.Response, string) {
	t.Helper()
	form := url.Values{"id": {p.id}, "username": {login}, "password": {pw}}
	if withCSRF {
		form.Set("csrf", p.csrf)
	}
	resp, err := c.PostForm(p.url.ResolveReference(&url.URL{Path: "login"}).String(), form)
	require.NoError(t, err)
	return resp, read(t, resp)
}

// start begins a sign-in with PKCE, state and nonce.
func (r *rig) start(t *testing.T, c *http.Client) (page loginPage, verifier, state, nonce string) {
	t.Helper()
	verifier, state, nonce = oauth2.GenerateVerifier(), "st-"+oauth2.GenerateVerifier()[:10], "n-"+oauth2.GenerateVerifier()[:10]
	authURL := r.conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), gooidc.Nonce(nonce))
	return openLogin(t, c, authURL), verifier, state, nonce
}

// signIn completes the sign-in and returns the code from the callback.
func (r *rig) signIn(t *testing.T, login string) (code, verifier, nonce string) {
	t.Helper()
	c := browser(t)
	page, verifier, state, nonce := r.start(t, c)
	resp, body := submit(t, c, page, login, password, true)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Equal(t, "callback reached", body)
	q := resp.Request.URL.Query()
	require.Equal(t, r.callback, strings.Split(resp.Request.URL.String(), "?")[0])
	require.Equal(t, state, q.Get("state"))
	require.NotEmpty(t, q.Get("code"))
	return q.Get("code"), verifier, nonce
}

func TestCodeFlowWithPKCE(t *testing.T) {
	r := newRig(t)
	code, verifier, nonce := r.signIn(t, "ada@example.com")

	tok, err := r.conf.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	raw, ok := tok.Extra("id_token").(string)
	require.True(t, ok, "token response carries an id_token")

	idt, err := r.provider.Verifier(&gooidc.Config{ClientID: r.okta.ClientID}).Verify(t.Context(), raw)
	require.NoError(t, err, "signature (JWKS), issuer, audience and expiry verify")
	assert.Equal(t, r.okta.Issuer, idt.Issuer)
	assert.Equal(t, []string{r.okta.ClientID}, idt.Audience)
	assert.Equal(t, nonce, idt.Nonce)
	ada := r.okta.People["ada@example.com"]
	assert.Equal(t, ada.ID, idt.Subject)
	assert.Regexp(t, `^00u[0-9A-Za-z]{17}$`, idt.Subject)

	var claims map[string]any
	require.NoError(t, idt.Claims(&claims))
	assert.Equal(t, "ada@example.com", claims["email"])
	assert.Equal(t, "ada@example.com", claims["preferred_username"])
	assert.Equal(t, "Ada Lovelace", claims["name"])
	assert.Equal(t, "Ada", claims["given_name"])
	assert.Equal(t, "Lovelace", claims["family_name"])

	// The access token is a JWT with Okta's uid, cid and scp claims.
	at, err := gooidc.NewVerifier(r.okta.Issuer, gooidc.NewRemoteKeySet(t.Context(), r.okta.Issuer+"/v1/keys"),
		&gooidc.Config{ClientID: r.okta.ClientID}).Verify(t.Context(), tok.AccessToken)
	require.NoError(t, err)
	var atClaims map[string]any
	require.NoError(t, at.Claims(&atClaims))
	assert.Equal(t, ada.ID, atClaims["uid"])
	assert.Equal(t, r.okta.ClientID, atClaims["cid"])
	assert.Equal(t, []any{"openid", "profile", "email"}, atClaims["scp"])

	info, err := r.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
	require.NoError(t, err)
	assert.Equal(t, ada.ID, info.Subject)
	assert.Equal(t, "ada@example.com", info.Email)
	var infoClaims map[string]any
	require.NoError(t, info.Claims(&infoClaims))
	assert.Equal(t, "Ada Lovelace", infoClaims["name"])
	assert.Equal(t, "ada@example.com", infoClaims["preferred_username"])
}

func TestDiscoveryIsOktaShaped(t *testing.T) {
	r := newRig(t)
	var doc struct {
		Issuer        string   `json:"issuer"`
		Authorization string   `json:"authorization_endpoint"`
		Token         string   `json:"token_endpoint"`
		Userinfo      string   `json:"userinfo_endpoint"`
		JWKS          string   `json:"jwks_uri"`
		Challenge     []string `json:"code_challenge_methods_supported"`
		ResponseTypes []string `json:"response_types_supported"`
		GrantTypes    []string `json:"grant_types_supported"`
		Device        string   `json:"device_authorization_endpoint"`
	}
	require.NoError(t, r.provider.Claims(&doc))
	e := r.okta.OIDC.Endpoints()
	assert.Equal(t, r.okta.Server.URL+"/oauth2/default", doc.Issuer)
	assert.Equal(t, e.Authorization, doc.Authorization)
	assert.Equal(t, r.okta.Issuer+"/v1/token", doc.Token)
	assert.Equal(t, r.okta.Issuer+"/v1/userinfo", doc.Userinfo)
	assert.Equal(t, r.okta.Issuer+"/v1/keys", doc.JWKS)
	assert.Equal(t, []string{"S256"}, doc.Challenge)
	assert.Equal(t, []string{"code"}, doc.ResponseTypes)
	assert.Equal(t, []string{"authorization_code"}, doc.GrantTypes)
	assert.Empty(t, doc.Device)
}

// refusedAtLogin asserts that the sign-in page answered 401 with Okta's
// "Unable to sign in" and no redirect to the app.
func refusedAtLogin(t *testing.T, resp *http.Response, body string) {
	t.Helper()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, body, "Unable to sign in")
	assert.Equal(t, "/oauth2/default/login", resp.Request.URL.Path, "no redirect to the app")
}

func TestWrongPasswordIsRefused(t *testing.T) {
	r := newRig(t)
	c := browser(t)
	page, _, _, _ := r.start(t, c)
	resp, body := submit(t, c, page, "ada@example.com", "wrong", true)
	refusedAtLogin(t, resp, body)
	// The form is shown again and the right password then works.
	resp, body = submit(t, c, page, "ada@example.com", password, true)
	assert.Equal(t, "callback reached", body)
	assert.NotEmpty(t, resp.Request.URL.Query().Get("code"))
}

func TestDeactivatedAndSuspendedCannotSignIn(t *testing.T) {
	r := newRig(t)
	for _, login := range []string{"cat@example.com", "dan@example.com"} {
		c := browser(t)
		page, _, _, _ := r.start(t, c)
		resp, body := submit(t, c, page, login, password, true)
		refusedAtLogin(t, resp, body)
	}
	// Deactivating a person after assignment refuses them too.
	ada := r.okta.People["ada@example.com"]
	require.NoError(t, r.okta.Org.SetStatus(ada.ID, oidc.StatusDeactivated))
	c := browser(t)
	page, _, _, _ := r.start(t, c)
	resp, body := submit(t, c, page, "ada@example.com", password, true)
	refusedAtLogin(t, resp, body)
}

func TestNotAssignedIsSentBackWithAccessDenied(t *testing.T) {
	r := newRig(t)
	c := browser(t)
	page, _, state, _ := r.start(t, c)
	resp, body := submit(t, c, page, "bob@example.com", password, true)
	require.Equal(t, "callback reached", body)
	q := resp.Request.URL.Query()
	assert.Equal(t, "access_denied", q.Get("error"))
	assert.Equal(t, "User is not assigned to the client application.", q.Get("error_description"))
	assert.Equal(t, state, q.Get("state"))
	assert.Empty(t, q.Get("code"))
}

func TestBadPKCEVerifierIsRefused(t *testing.T) {
	r := newRig(t)
	code, _, _ := r.signIn(t, "ada@example.com")
	_, err := r.conf.Exchange(t.Context(), code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "invalid_grant", re.ErrorCode)
}

func TestMissingPKCEIsRefused(t *testing.T) {
	r := newRig(t)
	c := browser(t)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(r.conf.AuthCodeURL("s1"))
	require.NoError(t, err)
	_ = read(t, resp)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, r.callback, loc.Scheme+"://"+loc.Host+loc.Path)
	assert.Equal(t, "invalid_request", loc.Query().Get("error"))
	assert.Equal(t, "PKCE code challenge is required.", loc.Query().Get("error_description"))
	assert.Equal(t, "s1", loc.Query().Get("state"))
}

func TestReplayedCodeIsRefused(t *testing.T) {
	r := newRig(t)
	code, verifier, _ := r.signIn(t, "ada@example.com")
	_, err := r.conf.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	_, err = r.conf.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "invalid_grant", re.ErrorCode)
}

func TestWrongClientSecretIsRefused(t *testing.T) {
	r := newRig(t)
	code, verifier, _ := r.signIn(t, "ada@example.com")
	conf := r.conf
	conf.ClientSecret = "not-the-secret"
	// One attempt only: auto-detection would retry with the secret in the
	// body, and the first attempt has already consumed the code.
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	_, err := conf.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "invalid_client", re.ErrorCode)
}

func TestUnregisteredRedirectURIGetsAPageNotARedirect(t *testing.T) {
	r := newRig(t)
	conf := r.conf
	conf.RedirectURL = "http://127.0.0.1:1/elsewhere"
	c := browser(t)
	resp, err := c.Get(conf.AuthCodeURL("s2", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	require.NoError(t, err)
	body := read(t, resp)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "/oauth2/default/v1/authorize", resp.Request.URL.Path, "no redirect")
	assert.Contains(t, body, "The &#39;redirect_uri&#39; parameter must be a Login redirect URI in the client app settings.")
}

func TestUnknownClientGetsAPage(t *testing.T) {
	r := newRig(t)
	conf := r.conf
	conf.ClientID = "0oaUNKNOWN"
	resp, err := browser(t).Get(conf.AuthCodeURL("s3", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	require.NoError(t, err)
	body := read(t, resp)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, body, "Invalid value for &#39;client_id&#39; parameter.")
}

func TestMissingCSRFTokenIsRefused(t *testing.T) {
	r := newRig(t)
	c := browser(t)
	page, _, _, _ := r.start(t, c)
	resp, body := submit(t, c, page, "ada@example.com", password, false)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, body, "missing or wrong CSRF token")
	assert.Equal(t, "/oauth2/default/login", resp.Request.URL.Path)

	// A token from another browser (another CSRF cookie) is refused too.
	other := browser(t)
	resp, body = submit(t, other, page, "ada@example.com", password, true)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, body, "missing or wrong CSRF token")
}

func TestOneSignInGivesOneCode(t *testing.T) {
	r := newRig(t)
	c := browser(t)
	page, _, _, _ := r.start(t, c)
	_, body := submit(t, c, page, "ada@example.com", password, true)
	require.Equal(t, "callback reached", body)
	resp, body := submit(t, c, page, "ada@example.com", password, true)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, body, "expired or was already used")
}

func TestSigningKeySurvivesARestart(t *testing.T) {
	r := newRig(t)
	code, verifier, _ := r.signIn(t, "ada@example.com")
	tok, err := r.conf.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	raw, _ := tok.Extra("id_token").(string)

	// A second provider on the same org and URL, as after a restart, serves
	// the same key: a verifier built from its JWKS accepts the old token.
	again, err := oidc.New(context.Background(), oidc.Config{Org: r.okta.Org, PublicURL: r.okta.Server.URL})
	require.NoError(t, err)
	srv := httptest.NewServer(again)
	t.Cleanup(srv.Close)
	keys := gooidc.NewRemoteKeySet(t.Context(), srv.URL+"/oauth2/default/v1/keys")
	v := gooidc.NewVerifier(r.okta.Issuer, keys, &gooidc.Config{ClientID: r.okta.ClientID})
	idt, err := v.Verify(t.Context(), raw)
	require.NoError(t, err)
	assert.Equal(t, r.okta.People["ada@example.com"].ID, idt.Subject)
}

func TestBodiesAreCapped(t *testing.T) {
	r := newRig(t)
	big := strings.NewReader("grant_type=authorization_code&code=" + strings.Repeat("x", 100<<10))
	resp, err := http.Post(r.okta.Issuer+"/v1/token", "application/x-www-form-urlencoded", big)
	require.NoError(t, err)
	_ = read(t, resp)
	assert.GreaterOrEqual(t, resp.StatusCode, 400)
	assert.Less(t, resp.StatusCode, 500)
}

func TestConcurrentExchangesOfOneCodeYieldOneToken(t *testing.T) {
	r := newRig(t)
	code, verifier, _ := r.signIn(t, "ada@example.com")
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := r.conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
			errs <- err
		}()
	}
	ok := 0
	for range n {
		if err := <-errs; err == nil {
			ok++
		} else {
			var re *oauth2.RetrieveError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "invalid_grant", re.ErrorCode)
		}
	}
	assert.Equal(t, 1, ok)
}

func TestUserinfoRefusesAPersonDeactivatedSinceSignIn(t *testing.T) {
	r := newRig(t)
	code, verifier, _ := r.signIn(t, "ada@example.com")
	tok, err := r.conf.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	require.NoError(t, r.okta.Org.SetStatus(r.okta.People["ada@example.com"].ID, oidc.StatusSuspended))
	_, err = r.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "403")
}

func TestOpenIDScopeAloneGivesOnlySub(t *testing.T) {
	r := newRig(t)
	r.conf.Scopes = []string{gooidc.ScopeOpenID}
	code, verifier, _ := r.signIn(t, "ada@example.com")
	tok, err := r.conf.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	raw, _ := tok.Extra("id_token").(string)
	idt, err := r.provider.Verifier(&gooidc.Config{ClientID: r.okta.ClientID}).Verify(t.Context(), raw)
	require.NoError(t, err)
	var claims map[string]any
	require.NoError(t, idt.Claims(&claims))
	assert.Equal(t, r.okta.People["ada@example.com"].ID, claims["sub"])
	assert.NotContains(t, claims, "email")
	assert.NotContains(t, claims, "name")
	info, err := r.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
	require.NoError(t, err)
	assert.Empty(t, info.Email)
}
