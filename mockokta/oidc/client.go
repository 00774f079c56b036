package oidc

import (
	"crypto"
	"net/url"
	"slices"
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// cryptoSHA256 is the hash of key thumbprints.
const cryptoSHA256 = crypto.SHA256

// client is an [App] as the library sees it: a confidential web app using
// the authorization code grant, JWT access tokens, profile claims in the ID
// token (as Okta puts them there when no access token is needed to read them).
type client struct {
	app      App
	loginURL string
	idTTL    time.Duration
}

// GetID implements op.Client.
func (c *client) GetID() string { return c.app.ClientID }

// RedirectURIs implements op.Client.
func (c *client) RedirectURIs() []string { return slices.Clone(c.app.RedirectURIs) }

// PostLogoutRedirectURIs implements op.Client.
func (c *client) PostLogoutRedirectURIs() []string {
	return slices.Clone(c.app.PostLogoutRedirectURIs)
}

// ApplicationType implements op.Client.
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }

// AuthMethod implements op.Client.
func (c *client) AuthMethod() zoidc.AuthMethod { return zoidc.AuthMethodBasic }

// ResponseTypes implements op.Client.
func (c *client) ResponseTypes() []zoidc.ResponseType {
	return []zoidc.ResponseType{zoidc.ResponseTypeCode}
}

// GrantTypes implements op.Client.
func (c *client) GrantTypes() []zoidc.GrantType {
	return []zoidc.GrantType{zoidc.GrantTypeCode}
}

// LoginURL implements op.Client.
func (c *client) LoginURL(id string) string {
	return c.loginURL + "?id=" + url.QueryEscape(id)
}

// AccessTokenType implements op.Client.
func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }

// IDTokenLifetime implements op.Client.
func (c *client) IDTokenLifetime() time.Duration { return c.idTTL }

// DevMode implements op.Client.
func (c *client) DevMode() bool { return false }

// RestrictAdditionalIdTokenScopes implements op.Client.
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// RestrictAdditionalAccessTokenScopes implements op.Client.
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed implements op.Client.
func (c *client) IsScopeAllowed(string) bool { return false }

// IDTokenUserinfoClaimsAssertion implements op.Client.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }

// ClockSkew implements op.Client.
func (c *client) ClockSkew() time.Duration { return 0 }
