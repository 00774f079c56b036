// Package oidc is the OpenID Connect provider of the mock Okta org: the
// org's "default" authorization server, which a relying party such as
// Xakia's "Sign in with Okta" uses as it would a real Okta org's.
//
// It is built on github.com/zitadel/oidc/v3/pkg/op (token signing, the
// endpoints' protocol) with an RS256 key kept by the org, and adds the parts
// that are Okta's: the issuer path, the /v1/… endpoint names, a sign-in page,
// and who may sign in.
//
// # Endpoints
//
// The issuer is {public-url}/oauth2/default. Under it:
//
//	/.well-known/openid-configuration   discovery
//	/v1/authorize                       authorization code flow (PKCE S256 required, state, nonce)
//	/login                              the sign-in page (server-rendered, no JavaScript, CSRF token)
//	/v1/token                           code exchange (client_secret_basic or client_secret_post)
//	/v1/userinfo                        claims for the access token
//	/v1/keys                            JWKS
//	/v1/logout                          end session (no Okta session is kept; redirects)
//	/v1/revoke, /v1/introspect          accepted; access tokens are self-contained JWTs
//
// # Who may sign in
//
// A person signs in with their Okta login and password. Only ACTIVE people
// assigned to the OIDC app get a code. A wrong password, an unknown login,
// a deactivated (DEPROVISIONED) or suspended person get Okta's "Unable to
// sign in" on the sign-in page (HTTP 401), the reason going to the log; an
// active person who is not assigned is sent back to the app's redirect URI
// with error=access_denied and Okta's "User is not assigned to the client
// application.", as Okta does (OIDC sends authorization errors to the
// client). An unknown client_id or an unregistered redirect_uri get an
// error page (HTTP 400) and no redirect.
//
// # Claims
//
// The ID token carries sub (the Okta user id, 00u…), and, for the profile
// scope, name, given_name, family_name and preferred_username (the login),
// and for the email scope email and email_verified; userinfo answers the
// same claims for the access token's scopes.
//
// # Configuring a relying party
//
//	issuer:         {public-url}/oauth2/default (discovery finds the rest)
//	client id:      the OIDC app's client id (0oa…)
//	client secret:  the OIDC app's client secret
//	redirect URI:   one of the app's sign-in redirect URIs, exactly
//	                (Xakia's is {xakia-public-url}/auth/okta/callback)
//	scopes:         openid profile email
//	PKCE:           S256, required
//
// With golang.org/x/oauth2 and github.com/coreos/go-oidc/v3: oidc.NewProvider
// on the issuer, oauth2.Config{Endpoint: provider.Endpoint(), …},
// AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)),
// Exchange(ctx, code, oauth2.VerifierOption(verifier)), then verify the
// id_token with provider.Verifier(&oidc.Config{ClientID: …}) and compare its
// nonce.
//
// # Embedding
//
// [New] takes an [Org] (what the provider needs from the org: sign-in
// checks, people, the OIDC app, the stored signing key) and the org's
// public URL; mount the [Provider] at [Provider.MountPath]. [MemoryOrg] is
// an in-memory Org; package oidctest starts a provider in a test in one call.
//
// # Limits
//
// Sign-ins in progress and authorization codes live in memory: at most
// Limits.MaxAuthRequests (default 1000) sign-ins, the oldest dropped first,
// each for Limits.AuthRequestTTL (10 minutes); a code lives Limits.CodeTTL
// (60 seconds) and is consumed by its first exchange attempt, successful or
// not. A restart forgets sign-ins in progress but not the signing key, so
// tokens issued before it still verify. Every request body is capped at
// Limits.MaxBody (64 KiB).
package oidc
