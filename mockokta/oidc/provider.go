package oidc

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/language"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// IssuerPath is the path of the issuer under the org's public URL: the
// org's "default" custom authorization server, as in every Okta org.
const IssuerPath = "/oauth2/default"

// Limits bound what the provider keeps in memory and reads. Zero fields take
// the defaults shown.
type Limits struct {
	// MaxAuthRequests is how many sign-ins may be in progress (between
	// /v1/authorize and the code exchange) at once; the oldest is dropped
	// when a new one would exceed it. Default 1000.
	MaxAuthRequests int
	// AuthRequestTTL is how long a sign-in may stay in progress. Default 10m.
	AuthRequestTTL time.Duration
	// CodeTTL is how long an authorization code may wait for its exchange.
	// Default 60s.
	CodeTTL time.Duration
	// AccessTokenTTL and IDTokenTTL are the token lifetimes. Default 1h
	// each, Okta's defaults.
	AccessTokenTTL, IDTokenTTL time.Duration
	// MaxBody is the largest request body read by any endpoint. Default 64 KiB.
	MaxBody int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxAuthRequests <= 0 {
		l.MaxAuthRequests = 1000
	}
	if l.AuthRequestTTL <= 0 {
		l.AuthRequestTTL = 10 * time.Minute
	}
	if l.CodeTTL <= 0 {
		l.CodeTTL = time.Minute
	}
	if l.AccessTokenTTL <= 0 {
		l.AccessTokenTTL = time.Hour
	}
	if l.IDTokenTTL <= 0 {
		l.IDTokenTTL = time.Hour
	}
	if l.MaxBody <= 0 {
		l.MaxBody = 64 << 10
	}
	return l
}

// Config configures a [Provider].
type Config struct {
	// Org is the mock Okta org: people, the OIDC app, the signing key.
	Org Org
	// PublicURL is the org's URL as browsers and relying parties reach it
	// (for example http://127.0.0.1:8090). The issuer is PublicURL +
	// IssuerPath. http is accepted, for loopback use.
	PublicURL string
	// Limits bound memory and request bodies.
	Limits Limits
	// Logger receives one line per sign-in outcome (never a password or a
	// token). Nil means slog.Default().
	Logger *slog.Logger
}

// Provider is the OIDC provider of the mock Okta org: an http.Handler for
// every path under [Provider.MountPath].
type Provider struct {
	op        *op.Provider
	store     *storage
	org       Org
	issuer    string
	mount     string // issuer path, without the trailing slash
	secure    bool
	limits    Limits
	log       *slog.Logger
	csrfKey   []byte
	handler   http.Handler
	loginPath string
}

// Endpoints are the provider's URLs, as a relying party is configured with
// them (and as the OIDC app's Sign On tab shows the issuer).
type Endpoints struct {
	Issuer        string // {public-url}/oauth2/default
	Discovery     string // Issuer + /.well-known/openid-configuration
	Authorization string // Issuer + /v1/authorize
	Token         string // Issuer + /v1/token
	Userinfo      string // Issuer + /v1/userinfo
	Keys          string // Issuer + /v1/keys (JWKS)
	Logout        string // Issuer + /v1/logout (end session)
	Revocation    string // Issuer + /v1/revoke
	Introspection string // Issuer + /v1/introspect
}

// New returns the provider. It loads the signing key from the org (creating
// and storing it on the first start).
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if cfg.Org == nil {
		return nil, errors.New("oidc: Config.Org is nil")
	}
	issuer, err := IssuerFor(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(issuer) // IssuerFor parsed it
	p := &Provider{
		org: cfg.Org, issuer: issuer, mount: u.Path, secure: u.Scheme == "https",
		log: cfg.Logger,
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	p.loginPath = p.mount + "/login"
	p.limits = cfg.Limits.withDefaults()
	key, err := loadSigningKey(ctx, cfg.Org)
	if err != nil {
		return nil, err
	}
	p.store = newStorage(cfg.Org, key, p.limits, p.loginPath)
	p.csrfKey = make([]byte, 32)
	if _, err := rand.Read(p.csrfKey); err != nil {
		return nil, err
	}
	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		return nil, err
	}
	opts := []op.Option{
		op.WithCustomAuthEndpoint(op.NewEndpoint("v1/authorize")),
		op.WithCustomTokenEndpoint(op.NewEndpoint("v1/token")),
		op.WithCustomUserinfoEndpoint(op.NewEndpoint("v1/userinfo")),
		op.WithCustomKeysEndpoint(op.NewEndpoint("v1/keys")),
		op.WithCustomEndSessionEndpoint(op.NewEndpoint("v1/logout")),
		op.WithCustomRevocationEndpoint(op.NewEndpoint("v1/revoke")),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint("v1/introspect")),
	}
	if !p.secure {
		opts = append(opts, op.WithAllowInsecure())
	}
	p.op, err = op.NewProvider(&op.Config{
		CryptoKey:                cryptoKey,
		DefaultLogoutRedirectURI: p.mount + "/signed-out",
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		SupportedUILocales:       []language.Tag{language.English},
		SupportedClaims: []string{
			"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "at_hash", "c_hash",
			"name", "given_name", "family_name", "preferred_username", "email", "email_verified",
		},
		SupportedScopes: []string{zoidc.ScopeOpenID, zoidc.ScopeProfile, zoidc.ScopeEmail},
	}, p.store, op.StaticIssuer(issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	p.handler = p.routes()
	return p, nil
}

// IssuerFor returns the issuer of the org at publicURL: publicURL +
// IssuerPath, without a trailing slash.
func IssuerFor(publicURL string) (string, error) {
	u, err := url.Parse(strings.TrimRight(publicURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("oidc: public URL %q is not an absolute http(s) URL", publicURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("oidc: public URL %q has a query or fragment", publicURL)
	}
	return u.String() + IssuerPath, nil
}

// Issuer is the issuer URL ({public-url}/oauth2/default).
func (p *Provider) Issuer() string { return p.issuer }

// MountPath is the path prefix the provider serves, with a trailing slash
// ("/oauth2/default/"), for http.ServeMux.Handle.
func (p *Provider) MountPath() string { return p.mount + "/" }

// Endpoints returns the provider's URLs.
func (p *Provider) Endpoints() Endpoints {
	return Endpoints{
		Issuer:        p.issuer,
		Discovery:     p.issuer + zoidc.DiscoveryEndpoint,
		Authorization: p.issuer + "/v1/authorize",
		Token:         p.issuer + "/v1/token",
		Userinfo:      p.issuer + "/v1/userinfo",
		Keys:          p.issuer + "/v1/keys",
		Logout:        p.issuer + "/v1/logout",
		Revocation:    p.issuer + "/v1/revoke",
		Introspection: p.issuer + "/v1/introspect",
	}
}

// ServeHTTP serves every path under MountPath.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.handler.ServeHTTP(w, r)
}

// routes builds the handler: the sign-in page, checks in front of
// /v1/authorize, and the library's endpoints under the mount path.
func (p *Provider) routes() http.Handler {
	mux := http.NewServeMux()
	lib := http.StripPrefix(p.mount, p.op)
	mux.Handle(p.mount+"/", lib)
	mux.HandleFunc(p.loginPath, p.login)
	mux.HandleFunc(p.mount+"/signed-out", p.signedOut)
	mux.HandleFunc(p.mount+zoidc.DiscoveryEndpoint, p.discovery)
	mux.HandleFunc(p.mount+"/v1/authorize", func(w http.ResponseWriter, r *http.Request) {
		if p.checkAuthorize(w, r) {
			lib.ServeHTTP(w, r)
		}
	})
	// The library's own post-login callback is not used: the sign-in page
	// answers the relying party itself, so the route is closed.
	mux.Handle(p.mount+"/v1/authorize/callback", http.NotFoundHandler())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, p.limits.MaxBody)
		}
		mux.ServeHTTP(w, r)
	})
}

// checkAuthorize answers an authorize request whose client id is unknown or
// whose redirect_uri is not registered with Okta's error page (such errors
// must not be sent to the unchecked redirect_uri). It reports whether the
// request may go on.
func (p *Provider) checkAuthorize(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		p.page(w, http.StatusBadRequest, pageData{Title: "400 Bad Request", Message: "The request could not be read."})
		return false
	}
	clientID := r.Form.Get("client_id")
	app, err := p.org.App(r.Context(), clientID)
	if errors.Is(err, ErrUnknownApp) || clientID == "" {
		p.log.Info("oidc authorize refused", "reason", "unknown client_id")
		p.page(w, http.StatusBadRequest, pageData{Title: "400 Bad Request", Message: "Invalid value for 'client_id' parameter."})
		return false
	}
	if err != nil {
		p.log.Error("oidc authorize", "error", err)
		p.page(w, http.StatusInternalServerError, pageData{Title: "500 Internal Server Error", Message: "The mock Okta org could not answer."})
		return false
	}
	redirect := r.Form.Get("redirect_uri")
	registered := false
	for _, u := range app.RedirectURIs {
		if u == redirect {
			registered = true
		}
	}
	if !registered {
		p.log.Info("oidc authorize refused", "reason", "redirect_uri not registered", "client_id", clientID)
		p.page(w, http.StatusBadRequest, pageData{Title: "400 Bad Request",
			Message: "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings."})
		return false
	}
	return true
}

// signedOut is where /v1/logout lands when the relying party names no
// post_logout_redirect_uri.
func (p *Provider) signedOut(w http.ResponseWriter, _ *http.Request) {
	p.page(w, http.StatusOK, pageData{Title: "Signed out", Message: "You have been signed out."})
}

// discovery serves the library's discovery document narrowed to what this
// provider offers: the code flow with PKCE S256 and a client secret. (The
// library would also list implicit and device flows, which the OIDC app's
// settings do not allow.)
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	cfg := op.CreateDiscoveryConfig(op.ContextWithIssuer(r.Context(), p.issuer), p.op, p.store)
	cfg.DeviceAuthorizationEndpoint = ""
	cfg.ResponseTypesSupported = []string{string(zoidc.ResponseTypeCode)}
	cfg.ResponseModesSupported = []string{string(zoidc.ResponseModeQuery)}
	cfg.GrantTypesSupported = []zoidc.GrantType{zoidc.GrantTypeCode}
	secret := []zoidc.AuthMethod{zoidc.AuthMethodBasic, zoidc.AuthMethodPost}
	cfg.TokenEndpointAuthMethodsSupported = secret
	cfg.RevocationEndpointAuthMethodsSupported = secret
	cfg.CodeChallengeMethodsSupported = []zoidc.CodeChallengeMethod{zoidc.CodeChallengeMethodS256}
	w.Header().Set("Cache-Control", "no-store")
	op.Discover(w, cfg)
}
