package reference

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// The web UI (docs/xakia-web.md): the member sign-in page at "/", "Sign in
// with Okta" as an OIDC relying party, and the admin UI under /admin, on
// the SCIM API's origin. Pages are html/template; every form carries a
// CSRF token; cookies are HttpOnly, SameSite=Lax and Secure under TLS.

//go:embed web/*.html web/*.css
var webFS embed.FS

// OIDCConfig configures "Sign in with Okta" once per deployment. A zero
// value (no Issuer) leaves it off: the sign-in page then offers passwords
// only.
type OIDCConfig struct {
	// Issuer is the OIDC issuer URL of the Okta org (or authorization
	// server); its discovery document is read on the first sign-in.
	Issuer string
	// ClientID and ClientSecret identify the Xakia OIDC app at the issuer.
	ClientID, ClientSecret string
	// HTTPClient talks to the issuer; nil means a client with a 15 s timeout.
	HTTPClient *http.Client
}

// enabled reports whether OIDC sign-in is configured.
func (c OIDCConfig) enabled() bool { return c.Issuer != "" }

// check validates a configuration: all of issuer, client id and secret, or
// none; the issuer an absolute http(s) URL.
func (c OIDCConfig) check() error {
	if c.Issuer == "" && c.ClientID == "" && c.ClientSecret == "" {
		return nil
	}
	if c.Issuer == "" || c.ClientID == "" || c.ClientSecret == "" {
		return errors.New("reference: OIDC sign-in needs the issuer, the client id and the client secret together")
	}
	u, err := url.Parse(c.Issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("reference: OIDC issuer %q must be an absolute http(s) URL without query", c.Issuer)
	}
	return nil
}

// Cookie names and lifetimes of the web UI.
const (
	sessionCookie = "xakia_session"
	csrfCookie    = "xakia_csrf"
	oidcCookie    = "xakia_oidc"
	// DefaultSessionTTL is how long a web session lasts when Config.SessionTTL is 0.
	DefaultSessionTTL = 8 * time.Hour
	// oidcFlowTTL bounds the time between "Sign in with Okta" and the callback.
	oidcFlowTTL = 10 * time.Minute
	// maxFormBytes caps every form body of the web UI.
	maxFormBytes = 16 << 10
	// CallbackPath is the OIDC redirect path, appended to the public URL.
	CallbackPath = "/auth/okta/callback"
)

// Sign-in outcomes: the stable words of sign-in events, of the admin
// views and of the pages' data-outcome marker.
const (
	outcomeSignedIn     = "signed-in"
	outcomeNotInvited   = "not-invited"
	outcomeInactive     = "inactive"
	outcomeOktaOnly     = "okta-only"
	outcomePasswordOnly = "password-only"
	outcomeUnknown      = "unknown-member"
	outcomeBadPassword  = "wrong-password"
	outcomeOktaFailed   = "okta-failed"
)

// webUI holds the web UI's state: templates, the cookie sealer and the
// OIDC provider once discovered.
type webUI struct {
	pages      map[string]*template.Template
	aead       cipher.AEAD
	sessionTTL time.Duration
	oidc       OIDCConfig
	hc         *http.Client

	mu       sync.Mutex
	provider *oidc.Provider

	dummyOnce sync.Once
	dummyHash string // compared against when a login names no member with a password
}

// newWebUI parses the templates and derives the cookie key: from the
// admin token when there is one (replicas sharing the token accept each
// other's cookies), else random.
func newWebUI(adminToken string, ttl time.Duration, oc OIDCConfig) (*webUI, error) {
	if err := oc.check(); err != nil {
		return nil, err
	}
	if ttl < 0 {
		return nil, fmt.Errorf("reference: session TTL must be >= 0, got %s", ttl)
	}
	if ttl == 0 {
		ttl = DefaultSessionTTL
	}
	var key [32]byte
	if adminToken != "" {
		key = sha256.Sum256([]byte("xakia-reference web cookies v1\x00" + adminToken))
	} else if _, err := rand.Read(key[:]); err != nil {
		return nil, fmt.Errorf("reference: cookie key: %w", err)
	}
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	hc := oc.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	return &webUI{pages: pages, aead: aead, sessionTTL: ttl, oidc: oc, hc: hc}, nil
}

// parsePages builds one template set per page: layout.html plus the page.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(webFS, "web/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "web/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(template.FuncMap{
			"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
		}).ParseFS(webFS, "web/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("reference: web template %s: %w", n, err)
		}
		out[base] = t
	}
	return out, nil
}

// spendPasswordCheck costs what a real password check costs, so that the
// time of a refusal does not tell whether the login names a member.
func (wu *webUI) spendPasswordCheck(pw string) {
	wu.dummyOnce.Do(func() {
		wu.dummyHash, _ = hashPassword(randomToken())
	})
	_ = passwordMatches(pw, wu.dummyHash)
}

// seal encrypts and authenticates v into a cookie value.
func (wu *webUI) seal(purpose string, v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, wu.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(wu.aead.Seal(nonce, nonce, raw, []byte(purpose))), nil
}

// open decrypts a cookie value sealed for purpose into v.
func (wu *webUI) open(purpose, value string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < wu.aead.NonceSize() {
		return errors.New("malformed cookie")
	}
	plain, err := wu.aead.Open(nil, raw[:wu.aead.NonceSize()], raw[wu.aead.NonceSize():], []byte(purpose))
	if err != nil {
		return errors.New("cookie not sealed by this server")
	}
	return json.Unmarshal(plain, v)
}

// session is the content of the session cookie.
type session struct {
	Kind     string `json:"k"`           // "admin" (admin token) or "member"
	Location string `json:"l,omitempty"` // member sessions: the member's location
	UserID   string `json:"u,omitempty"` // member sessions: the member
	Method   string `json:"m"`           // "token", "password" or "okta"
	Expires  int64  `json:"e"`           // Unix seconds
	AdminOK  bool   `json:"a,omitempty"` // a member allowed in the admin UI of its location
	Created  int64  `json:"c,omitempty"` // Unix seconds
	Login    string `json:"n,omitempty"` // the login used, for display
}

// oidcFlow is the content of the short-lived cookie that binds an Okta
// sign-in's state, nonce and PKCE verifier to the browser that started it.
type oidcFlow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Location string `json:"l"`
	Expires  int64  `json:"e"`
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	t, err := NewAPIKey()
	if err != nil {
		panic("reference: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return t
}

// secure reports whether cookies of r must be Secure: the request came over
// TLS, or the public URL is https.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.publicURL, "https://")
}

// setCookie sets a cookie of the web UI: HttpOnly, SameSite=Lax, Secure
// under TLS; maxAge 0 keeps it for the browser session, < 0 deletes it.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r),
	})
}

// csrfToken returns the browser's CSRF token, setting the cookie when the
// browser has none yet. Forms carry it in the "csrf" field.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return c.Value
	}
	t := randomToken()
	s.setCookie(w, r, csrfCookie, t, "/", 0)
	// Later reads in the same request see it.
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: t})
	return t
}

// readForm parses a POST form (at most maxFormBytes) and checks its CSRF
// token against the cookie and, when the browser sent one, the Origin.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodPost {
		return errWeb(http.StatusMethodNotAllowed, "This page takes a form: use the button on the page.")
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return errWeb(http.StatusUnsupportedMediaType, "This page takes a form (application/x-www-form-urlencoded).")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errWeb(http.StatusRequestEntityTooLarge, fmt.Sprintf("The form is over the limit of %d bytes.", maxFormBytes))
		}
		return errWeb(http.StatusBadRequest, "The form could not be read.")
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" && !strings.EqualFold(o, s.origin(r)) {
		return errWeb(http.StatusForbidden, "The form was sent from another site.")
	}
	c, err := r.Cookie(csrfCookie)
	got := r.PostForm.Get("csrf")
	if err != nil || got == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(got)) != 1 {
		return errWeb(http.StatusForbidden, "The form has expired or was not sent from this site: reload the page and try again.")
	}
	return nil
}

// webError is an error page: its status and the words shown.
type webError struct {
	Status int
	Text   string
}

func (e *webError) Error() string { return e.Text }

func errWeb(status int, text string) *webError { return &webError{Status: status, Text: text} }

// view is what every page template receives.
type view struct {
	Title   string
	CSRF    string
	Outcome string // data-outcome of the page's main message ("" for none)
	Message string
	Error   string
	Nav     *adminNav // the admin chrome; nil on member pages
	Data    any
}

// render writes a page with status; no caching, framing or sniffing.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	t, ok := s.web.pages[page]
	if !ok {
		s.log.Error("web: no such page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if v.CSRF == "" {
		v.CSRF = s.csrfToken(w, r)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.log.Error("web: rendering a page", "request_id", requestID(r), "page", page, "err", err)
		http.Error(w, "internal error (request id "+requestID(r)+")", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' "+s.formActions()+"; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// formActions is the CSP form-action source of the OIDC issuer (a form's
// redirect to the issuer counts as a form action in some browsers).
func (s *Server) formActions() string {
	u, err := url.Parse(s.web.oidc.Issuer)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// renderError writes the error page of err (a *webError, else a 500).
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error, nav *adminNav) {
	var we *webError
	if !errors.As(err, &we) {
		ae := s.errorFor(r, err)
		we = errWeb(ae.Status, ae.Detail)
	}
	s.render(w, r, we.Status, "error", view{Title: "Xakia", Error: we.Text, Nav: nav})
}

// serveCSS serves the stylesheet.
func (s *Server) serveCSS(w http.ResponseWriter, r *http.Request) {
	css, err := webFS.ReadFile("web/style.css")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(css)
}

// readSession returns the request's valid, unexpired session.
func (s *Server) readSession(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	var ss session
	if err := s.web.open(sessionCookie, c.Value, &ss); err != nil || time.Now().Unix() >= ss.Expires {
		return session{}, false
	}
	return ss, true
}

// startSession sets the session cookie for ss, expiring after the TTL, and
// a fresh CSRF token (a new session never reuses the old one's).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, ss session) error {
	now := time.Now()
	ss.Created = now.Unix()
	ss.Expires = now.Add(s.web.sessionTTL).Unix()
	v, err := s.web.seal(sessionCookie, ss)
	if err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, v, "/", int(s.web.sessionTTL.Seconds()))
	s.setCookie(w, r, csrfCookie, randomToken(), "/", 0)
	return nil
}

// endSession deletes the session cookie.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	s.setCookie(w, r, sessionCookie, "", "/", -1)
}

// oidcProvider discovers the issuer once (a failure is retried on the next
// sign-in).
func (s *Server) oidcProvider(ctx context.Context) (*oidc.Provider, error) {
	s.web.mu.Lock()
	defer s.web.mu.Unlock()
	if s.web.provider != nil {
		return s.web.provider, nil
	}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, s.web.hc), 15*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, s.web.oidc.Issuer)
	if err != nil {
		return nil, err
	}
	s.web.provider = p
	return p, nil
}

// webRoutes adds the web UI's routes to mux.
func (s *Server) webRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/{$}", s.handleSignInPage)
	mux.HandleFunc("/static/style.css", s.serveCSS)
	mux.HandleFunc("/signin/password", s.handlePasswordSignIn)
	mux.HandleFunc("/auth/okta/start", s.handleOktaStart)
	mux.HandleFunc(CallbackPath, s.handleOktaCallback)
	mux.HandleFunc("/home", s.handleHome)
	mux.HandleFunc("/signout", s.handleSignOut)

	mux.HandleFunc("/admin", s.handleAdminHome)
	mux.HandleFunc("/admin/{$}", s.handleAdminHome)
	mux.HandleFunc("/admin/signin", s.handleAdminSignIn)
	mux.HandleFunc("/admin/signout", s.handleSignOut)
	mux.HandleFunc("/admin/locations/{loc}/security", s.adminPage(s.handleSecurity))
	mux.HandleFunc("/admin/locations/{loc}/security/federated-identity", s.adminPage(s.handleFederatedIdentity))
	mux.HandleFunc("/admin/locations/{loc}/security/federated-identity/okta", s.adminPage(s.handleOktaSettings))
	mux.HandleFunc("/admin/locations/{loc}/security/federated-identity/okta/api-key", s.adminPage(s.handleWebAPIKey))
	mux.HandleFunc("/admin/locations/{loc}/security/federated-identity/okta/query-attributes", s.adminPage(s.handleWebQueryAttributes))
	mux.HandleFunc("/admin/locations/{loc}/members", s.adminPage(s.handleMembers))
	mux.HandleFunc("/admin/locations/{loc}/members/{userId}/invite", s.adminPage(s.handleWebInvite))
	mux.HandleFunc("/admin/locations/{loc}/audit", s.adminPage(s.handleWebAudit))
}
