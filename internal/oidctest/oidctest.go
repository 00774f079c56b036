// Package oidctest is a minimal OpenID Connect provider for tests only: the
// authorization code flow with PKCE (S256), a plain HTML login form that
// accepts any username (and, when set, one password), and RS256-signed ID
// tokens. It listens on 127.0.0.1. It is not a product: the mock Okta's
// provider is the one users run.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Provider is a running test OIDC provider.
type Provider struct {
	// Issuer is the provider's issuer URL (its origin).
	Issuer string
	// ClientID and ClientSecret are the one client it knows.
	ClientID, ClientSecret string

	srv    *httptest.Server
	key    *rsa.PrivateKey
	signer jose.Signer

	mu       sync.Mutex
	password string             // "" accepts any password
	requests map[string]authReq // pending logins by request id
	codes    map[string]issued  // issued codes, used once
	denied   map[string]bool    // usernames refused with access_denied
	emails   map[string]string  // username → email claim when it differs
	tokens   int                // ID tokens issued
}

// authReq is a pending authorization request.
type authReq struct {
	RedirectURI, State, Nonce, Challenge string
}

// issued is an authorization code's grant.
type issued struct {
	authReq
	Username string
	Expires  time.Time
}

// Start starts a provider with the given client credentials; Close stops it.
func Start(clientID, clientSecret string) (*Provider, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1", Algorithm: "RS256"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, err
	}
	p := &Provider{ClientID: clientID, ClientSecret: clientSecret, key: key, signer: signer,
		requests: map[string]authReq{}, codes: map[string]issued{}, denied: map[string]bool{}, emails: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /keys", p.keys)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /login", p.login)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	p.Issuer = p.srv.URL
	return p, nil
}

// Close stops the provider.
func (p *Provider) Close() { p.srv.Close() }

// SetPassword makes the login form require pw ("" accepts any).
func (p *Provider) SetPassword(pw string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.password = pw
}

// Deny makes the login of username end with error=access_denied.
func (p *Provider) Deny(username string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.denied[strings.ToLower(username)] = true
}

// SetEmail gives username's ID tokens another email claim.
func (p *Provider) SetEmail(username, email string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.emails[strings.ToLower(username)] = email
}

// TokensIssued counts the ID tokens issued so far.
func (p *Provider) TokensIssued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokens
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.Issuer,
		"authorization_endpoint":                p.Issuer + "/authorize",
		"token_endpoint":                        p.Issuer + "/token",
		"jwks_uri":                              p.Issuer + "/keys",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "profile", "email"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (p *Provider) keys(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
}

func randomID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html><head><title>Sign in · test OIDC provider</title></head><body>
<h1>Sign in</h1>
<form method="post" action="{{.Action}}">
<input type="hidden" name="request" value="{{.Request}}">
<label>Username <input type="text" name="username"></label>
<label>Password <input type="password" name="password"></label>
<button type="submit">Sign in</button>
</form></body></html>`))

// authorize checks the request (client, redirect URI on 127.0.0.1 or
// localhost, code flow, S256 challenge, state, nonce) and shows the form.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ru, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("client_id") != p.ClientID:
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	case err != nil || (ru.Hostname() != "127.0.0.1" && ru.Hostname() != "localhost"):
		http.Error(w, "redirect_uri must be on 127.0.0.1 or localhost", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code", !strings.Contains(" "+q.Get("scope")+" ", " openid "):
		http.Error(w, "only the code flow with scope openid", http.StatusBadRequest)
		return
	case q.Get("code_challenge_method") != "S256", q.Get("code_challenge") == "":
		http.Error(w, "PKCE with S256 is required", http.StatusBadRequest)
		return
	case q.Get("state") == "", q.Get("nonce") == "":
		http.Error(w, "state and nonce are required", http.StatusBadRequest)
		return
	}
	id := randomID()
	p.mu.Lock()
	p.requests[id] = authReq{RedirectURI: ru.String(), State: q.Get("state"), Nonce: q.Get("nonce"), Challenge: q.Get("code_challenge")}
	p.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = loginPage.Execute(w, map[string]string{"Action": p.Issuer + "/login", "Request": id})
}

// login takes the form and sends the browser back with a code (or
// error=access_denied for a denied user).
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	p.mu.Lock()
	req, ok := p.requests[r.PostForm.Get("request")]
	delete(p.requests, r.PostForm.Get("request"))
	badPassword := p.password != "" && subtle.ConstantTimeCompare([]byte(p.password), []byte(r.PostForm.Get("password"))) != 1
	denied := p.denied[strings.ToLower(username)]
	p.mu.Unlock()
	if !ok || username == "" || badPassword {
		http.Error(w, "unknown request, empty username or wrong password", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(req.RedirectURI)
	v := back.Query()
	v.Set("state", req.State)
	if denied {
		v.Set("error", "access_denied")
		v.Set("error_description", "User is not assigned to the client application.")
	} else {
		code := randomID()
		p.mu.Lock()
		p.codes[code] = issued{authReq: req, Username: username, Expires: time.Now().Add(time.Minute)}
		p.mu.Unlock()
		v.Set("code", code)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token redeems a code once, checking the client, the redirect URI and the
// PKCE verifier, and answers with a signed ID token.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, ok := p.codes[code]
	delete(p.codes, code)
	email := p.emails[strings.ToLower(g.Username)]
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case r.PostForm.Get("grant_type") != "authorization_code", !ok, time.Now().After(g.Expires):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	case r.PostForm.Get("redirect_uri") != g.RedirectURI:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "redirect_uri differs"})
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.Challenge:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "PKCE verification failed"})
		return
	}
	if email == "" && strings.Contains(g.Username, "@") {
		email = g.Username
	}
	now := time.Now()
	claims := map[string]any{
		"iss": p.Issuer, "sub": "00u" + fmt.Sprintf("%x", sha256.Sum256([]byte(g.Username)))[:17], "aud": p.ClientID,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "nonce": g.Nonce,
		"preferred_username": g.Username, "email": email, "email_verified": email != "",
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	jws, err := p.signer.Sign(payload)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	p.mu.Lock()
	p.tokens++
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": randomID(), "token_type": "Bearer", "expires_in": 300, "id_token": raw})
}
