package oidc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// errNotFound is returned for an unknown, expired or already used auth
// request or code; the library turns it into invalid_grant or a 400.
var errNotFound = errors.New("oidc: unknown or expired request")

// authRequest is one authorization request between /v1/authorize and the
// code exchange. Stored values are never modified in place: updates replace
// the map entry, so a value handed to the library is never raced.
type authRequest struct {
	id           string
	created      time.Time
	clientID     string
	redirectURI  string
	state        string
	nonce        string
	loginHint    string
	scopes       []string
	responseType zoidc.ResponseType
	responseMode zoidc.ResponseMode
	challenge    *zoidc.CodeChallenge
	subject      string
	authTime     time.Time
	done         bool
}

// GetID implements op.AuthRequest.
func (a *authRequest) GetID() string { return a.id }

// GetACR implements op.AuthRequest.
func (a *authRequest) GetACR() string { return "" }

// GetAMR implements op.AuthRequest.
func (a *authRequest) GetAMR() []string { return []string{"pwd"} }

// GetAudience implements op.AuthRequest.
func (a *authRequest) GetAudience() []string { return []string{a.clientID} }

// GetAuthTime implements op.AuthRequest.
func (a *authRequest) GetAuthTime() time.Time { return a.authTime }

// GetClientID implements op.AuthRequest.
func (a *authRequest) GetClientID() string { return a.clientID }

// GetCodeChallenge implements op.AuthRequest.
func (a *authRequest) GetCodeChallenge() *zoidc.CodeChallenge { return a.challenge }

// GetNonce implements op.AuthRequest.
func (a *authRequest) GetNonce() string { return a.nonce }

// GetRedirectURI implements op.AuthRequest.
func (a *authRequest) GetRedirectURI() string { return a.redirectURI }

// GetResponseType implements op.AuthRequest.
func (a *authRequest) GetResponseType() zoidc.ResponseType { return a.responseType }

// GetResponseMode implements op.AuthRequest.
func (a *authRequest) GetResponseMode() zoidc.ResponseMode { return a.responseMode }

// GetScopes implements op.AuthRequest.
func (a *authRequest) GetScopes() []string { return a.scopes }

// GetState implements op.AuthRequest.
func (a *authRequest) GetState() string { return a.state }

// GetSubject implements op.AuthRequest.
func (a *authRequest) GetSubject() string { return a.subject }

// Done implements op.AuthRequest.
func (a *authRequest) Done() bool { return a.done }

// codeEntry maps an issued authorization code to its request.
type codeEntry struct {
	requestID string
	expires   time.Time
}

// signingKey is the provider's RSA key, for signing and for the JWKS.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

// SignatureAlgorithm implements op.SigningKey.
func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }

// Key implements op.SigningKey.
func (k signingKey) Key() any { return k.key }

// ID implements op.SigningKey.
func (k signingKey) ID() string { return k.id }

// publicKey is the JWKS entry of the signing key.
type publicKey struct{ signingKey }

// Algorithm implements op.Key.
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }

// Use implements op.Key.
func (k publicKey) Use() string { return "sig" }

// Key implements op.Key.
func (k publicKey) Key() any { return &k.key.PublicKey }

// loadSigningKey gets the stored key from the org, creating an RSA 2048 key
// on first use. Its key id is the key's RFC 7638 thumbprint, so it stays the
// same across restarts.
func loadSigningKey(ctx context.Context, org Org) (signingKey, error) {
	der, err := org.SigningKey(ctx, func() ([]byte, error) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKCS8PrivateKey(k)
	})
	if err != nil {
		return signingKey{}, fmt.Errorf("oidc: signing key: %w", err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return signingKey{}, fmt.Errorf("oidc: stored signing key: %w", err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return signingKey{}, fmt.Errorf("oidc: stored signing key is %T, not RSA", parsed)
	}
	thumb, err := (&jose.JSONWebKey{Key: &key.PublicKey}).Thumbprint(cryptoSHA256)
	if err != nil {
		return signingKey{}, fmt.Errorf("oidc: key id: %w", err)
	}
	return signingKey{id: base64.RawURLEncoding.EncodeToString(thumb), key: key}, nil
}

// storage implements op.Storage: auth requests and codes in memory, bounded
// and expiring; people, apps and the key from the Org.
type storage struct {
	org       Org
	key       signingKey
	limits    Limits
	loginPath string
	now       func() time.Time

	mu       sync.Mutex
	requests map[string]*authRequest
	codes    map[string]codeEntry
}

func newStorage(org Org, key signingKey, limits Limits, loginPath string) *storage {
	return &storage{
		org: org, key: key, limits: limits, loginPath: loginPath, now: time.Now,
		requests: make(map[string]*authRequest),
		codes:    make(map[string]codeEntry),
	}
}

// sweep drops expired requests, and codes that expired or whose request is
// gone, so there are never more codes than requests; the caller holds mu.
func (s *storage) sweep(now time.Time) {
	for id, r := range s.requests {
		if now.Sub(r.created) > s.limits.AuthRequestTTL {
			delete(s.requests, id)
		}
	}
	for c, e := range s.codes {
		if _, ok := s.requests[e.requestID]; !ok || now.After(e.expires) {
			delete(s.codes, c)
		}
	}
}

// CreateAuthRequest stores a validated authorize request. PKCE with S256 is
// required: Okta requires it of public clients, and this mock of every
// client, so that relying parties are built with it. prompt=none gets
// login_required (there is no session), and only response_mode=query is
// offered.
func (s *storage) CreateAuthRequest(_ context.Context, req *zoidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if slices.Contains([]string(req.Prompt), zoidc.PromptNone) {
		// No Okta session is kept, so a sign-in without the page cannot succeed.
		return nil, zoidc.ErrLoginRequired().WithDescription("The client specified not to prompt, but the user is not logged in.")
	}
	if req.ResponseMode != "" && req.ResponseMode != zoidc.ResponseModeQuery {
		// form_post needs JavaScript to submit itself; fragment is for implicit flows.
		return nil, zoidc.ErrInvalidRequest().WithDescription("The response_mode is not supported: only query is.")
	}
	if req.CodeChallenge == "" {
		return nil, zoidc.ErrInvalidRequest().WithDescription("PKCE code challenge is required.")
	}
	if req.CodeChallengeMethod != zoidc.CodeChallengeMethodS256 {
		return nil, zoidc.ErrInvalidRequest().WithDescription("PKCE code challenge method must be S256.")
	}
	id, err := randomID(rand.Reader, "", 32)
	if err != nil {
		return nil, err
	}
	now := s.now()
	a := &authRequest{
		id: id, created: now, clientID: req.ClientID, redirectURI: req.RedirectURI,
		state: req.State, nonce: req.Nonce, loginHint: req.LoginHint,
		scopes: slices.Clone([]string(req.Scopes)), responseType: req.ResponseType,
		responseMode: req.ResponseMode,
		challenge:    &zoidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod},
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	for len(s.requests) >= s.limits.MaxAuthRequests {
		s.evictOldest()
	}
	s.requests[id] = a
	return a, nil
}

// evictOldest drops the oldest pending auth request; the caller holds mu.
func (s *storage) evictOldest() {
	var oldest *authRequest
	for _, r := range s.requests {
		if oldest == nil || r.created.Before(oldest.created) {
			oldest = r
		}
	}
	if oldest != nil {
		delete(s.requests, oldest.id)
	}
}

// request returns the live auth request with that id.
func (s *storage) request(id string) (*authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok || s.now().Sub(r.created) > s.limits.AuthRequestTTL {
		return nil, errNotFound
	}
	return r, nil
}

// complete marks a pending auth request as signed in by subject. It fails
// when the request is gone or was already completed, so one login form
// yields at most one code.
func (s *storage) complete(id, subject string) (*authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	now := s.now()
	if !ok || r.done || now.Sub(r.created) > s.limits.AuthRequestTTL {
		return nil, errNotFound
	}
	done := *r
	done.subject, done.authTime, done.done = subject, now, true
	s.requests[id] = &done
	return &done, nil
}

// drop forgets an auth request (refused sign-in).
func (s *storage) drop(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
}

// AuthRequestByID implements op.AuthStorage.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	return s.request(id)
}

// AuthRequestByCode implements op.AuthStorage. The code is consumed here, so
// it is single-use whatever happens next (a failed PKCE check burns it too).
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.codes[code]
	delete(s.codes, code)
	now := s.now()
	if !ok || now.After(e.expires) {
		return nil, errNotFound
	}
	r, ok := s.requests[e.requestID]
	if !ok || !r.done {
		return nil, errNotFound
	}
	return r, nil
}

// SaveAuthCode implements op.AuthStorage.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweep(now)
	if _, ok := s.requests[id]; !ok {
		return errNotFound
	}
	for c, e := range s.codes {
		if e.requestID == id {
			delete(s.codes, c)
		}
	}
	s.codes[code] = codeEntry{requestID: id, expires: now.Add(s.limits.CodeTTL)}
	return nil
}

// DeleteAuthRequest implements op.AuthStorage.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.drop(id)
	return nil
}

// Access token ids carry the scopes that decide the userinfo claims, so
// that userinfo needs no token store and works after a restart:
// "AT.<random>.<flags>", flags a decimal bit set of scopeProfile|scopeEmail.
const (
	scopeProfile = 1 << iota
	scopeEmail
)

func scopeFlags(scopes []string) int {
	f := 0
	if slices.Contains(scopes, zoidc.ScopeProfile) {
		f |= scopeProfile
	}
	if slices.Contains(scopes, zoidc.ScopeEmail) {
		f |= scopeEmail
	}
	return f
}

func flagsFromTokenID(id string) int {
	i := strings.LastIndexByte(id, '.')
	if i < 0 || i == len(id)-1 || len(id)-i > 2 {
		return 0
	}
	d := id[i+1]
	if d < '0' || d > '3' {
		return 0
	}
	return int(d - '0')
}

// CreateAccessToken implements op.AuthStorage.
func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	r, err := randomID(rand.Reader, "AT.", 32)
	if err != nil {
		return "", time.Time{}, err
	}
	return fmt.Sprintf("%s.%d", r, scopeFlags(req.GetScopes())), s.now().Add(s.limits.AccessTokenTTL), nil
}

// CreateAccessAndRefreshTokens implements op.AuthStorage; refresh tokens
// are not offered (the app's grant types are authorization_code only).
func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, zoidc.ErrUnsupportedGrantType().WithDescription("refresh tokens are not offered by this mock")
}

// TokenRequestByRefreshToken implements op.AuthStorage.
func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

// TerminateSession implements op.AuthStorage; there is no Okta session to end.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

// RevokeToken implements op.AuthStorage. Access tokens are self-contained
// JWTs that expire after an hour; revocation is accepted and has no effect.
func (s *storage) RevokeToken(context.Context, string, string, string) *zoidc.Error { return nil }

// GetRefreshTokenInfo implements op.AuthStorage.
func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// SigningKey implements op.AuthStorage.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.key, nil }

// SignatureAlgorithms implements op.AuthStorage.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet implements op.AuthStorage: the JWKS.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.key}}, nil
}

// GetClientByClientID implements op.OPStorage.
func (s *storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	app, err := s.org.App(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return &client{app: app, loginURL: s.loginPath, idTTL: s.limits.IDTokenTTL}, nil
}

// AuthorizeClientIDSecret implements op.OPStorage.
func (s *storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	app, err := s.org.App(ctx, clientID)
	if err != nil {
		return err
	}
	if app.ClientSecret == "" || subtle.ConstantTimeCompare([]byte(app.ClientSecret), []byte(secret)) != 1 {
		return errors.New("oidc: wrong client secret")
	}
	return nil
}

// SetUserinfoFromScopes implements op.OPStorage; the library asks for an
// empty implementation in favour of SetUserinfoFromRequest.
func (s *storage) SetUserinfoFromScopes(context.Context, *zoidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims from the scopes.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *zoidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.userinfo(ctx, info, req.GetSubject(), scopeFlags(scopes))
}

// SetUserinfoFromToken implements op.OPStorage: the userinfo endpoint. A
// person who was deactivated or suspended since the token was issued gets
// no claims (403), like a revoked session.
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *zoidc.UserInfo, tokenID, subject, _ string) error {
	return s.userinfo(ctx, info, subject, flagsFromTokenID(tokenID))
}

func (s *storage) userinfo(ctx context.Context, info *zoidc.UserInfo, subject string, flags int) error {
	p, err := s.org.Person(ctx, subject)
	if err != nil {
		return err
	}
	if p.Status != StatusActive {
		return zoidc.ErrAccessDenied().WithDescription("The user is not active.")
	}
	info.Subject = p.ID
	if flags&scopeProfile != 0 {
		info.Name = p.Name()
		info.GivenName = p.FirstName
		info.FamilyName = p.LastName
		info.PreferredUsername = p.Login
	}
	if flags&scopeEmail != 0 {
		info.Email = p.Email
		info.EmailVerified = true
	}
	return nil
}

// SetIntrospectionFromToken implements op.OPStorage.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *zoidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	p, err := s.org.Person(ctx, subject)
	if err != nil || p.Status != StatusActive {
		return errors.New("oidc: token of an inactive or unknown person")
	}
	resp.Active = true
	resp.Subject = p.ID
	resp.Username = p.Login
	resp.ClientID = clientID
	resp.JWTID = tokenID
	return nil
}

// GetPrivateClaimsFromScopes implements op.OPStorage: the access token
// carries Okta's uid (the user id), cid (the client id) and scp (the
// granted scopes) claims.
func (s *storage) GetPrivateClaimsFromScopes(_ context.Context, userID, clientID string, scopes []string) (map[string]any, error) {
	return map[string]any{"uid": userID, "cid": clientID, "scp": slices.Clone(scopes)}, nil
}

// GetPrivateClaimsFromRequest is the library's preferred form of
// GetPrivateClaimsFromScopes; it sees every granted scope, the OIDC ones too.
func (s *storage) GetPrivateClaimsFromRequest(ctx context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	clientID := ""
	if a, ok := req.(op.AuthRequest); ok {
		clientID = a.GetClientID()
	}
	return s.GetPrivateClaimsFromScopes(ctx, req.GetSubject(), clientID, req.GetScopes())
}

// GetKeyByIDAndClientID implements op.OPStorage; JWT client authentication
// is not offered.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("oidc: private_key_jwt is not offered")
}

// ValidateJWTProfileScopes implements op.OPStorage; the JWT profile grant
// is not offered.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("oidc: the JWT profile grant is not offered")
}

// Health implements op.Storage.
func (s *storage) Health(context.Context) error { return nil }
