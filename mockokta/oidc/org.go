package oidc

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
)

// Okta user statuses that matter to sign-in. Only [StatusActive] may sign in;
// every other status (SUSPENDED, DEPROVISIONED, STAGED, LOCKED_OUT, …) is
// refused with Okta's "Unable to sign in".
const (
	StatusActive      = "ACTIVE"
	StatusSuspended   = "SUSPENDED"
	StatusDeactivated = "DEPROVISIONED"
)

// Errors an [Org] returns.
var (
	// ErrBadCredentials means the login is unknown or the password does not
	// match. The provider does not tell the two apart, as Okta does not.
	ErrBadCredentials = errors.New("oidc: unknown login or wrong password")
	// ErrUnknownPerson means no person has that Okta user id.
	ErrUnknownPerson = errors.New("oidc: no person with that id")
	// ErrUnknownApp means no OIDC app has that client id.
	ErrUnknownApp = errors.New("oidc: no OIDC app with that client id")
)

// Person is a person of the mock Okta org, as the provider sees it.
type Person struct {
	// ID is the Okta user id (00u…); it becomes the sub claim.
	ID string
	// Login is the Okta username; it becomes preferred_username.
	Login string
	// Email becomes the email claim.
	Email string
	// FirstName and LastName become given_name and family_name; together
	// they make the name claim.
	FirstName, LastName string
	// Status is the Okta lifecycle status (ACTIVE, SUSPENDED, DEPROVISIONED, …).
	Status string
}

// Name is the person's display name: first and last name, as Okta's name claim.
func (p Person) Name() string {
	switch {
	case p.FirstName == "":
		return p.LastName
	case p.LastName == "":
		return p.FirstName
	}
	return p.FirstName + " " + p.LastName
}

// App is an OIDC web app of the org: what its Sign On / General tab shows.
type App struct {
	// ClientID is the app's client id (0oa…).
	ClientID string
	// ClientSecret is the app's client secret; the relying party sends it to
	// the token endpoint (client_secret_basic or client_secret_post).
	ClientSecret string
	// RedirectURIs are the app's "Sign-in redirect URIs"; an authorize
	// request must name one of them exactly.
	RedirectURIs []string
	// PostLogoutRedirectURIs are the app's "Sign-out redirect URIs".
	PostLogoutRedirectURIs []string
}

// Org is what the OIDC provider needs from the mock Okta org. The serve
// command adapts its store to it; [MemoryOrg] is an in-memory one for tests.
// Implementations must be safe for concurrent use.
type Org interface {
	// Authenticate checks a login and password and returns the person,
	// whatever its status, or ErrBadCredentials.
	Authenticate(ctx context.Context, login, password string) (Person, error)
	// Person returns the person with that Okta user id, or ErrUnknownPerson.
	Person(ctx context.Context, id string) (Person, error)
	// App returns the OIDC app with that client id, or ErrUnknownApp.
	App(ctx context.Context, clientID string) (App, error)
	// Assigned reports whether the person is assigned to the OIDC app.
	Assigned(ctx context.Context, clientID, personID string) (bool, error)
	// SigningKey returns the provider's stored signing key (PKCS #8 DER).
	// When none is stored yet it calls create, stores its result and returns
	// it, so that tokens signed before a restart still verify after it.
	// Concurrent first calls must all return the same stored key.
	SigningKey(ctx context.Context, create func() ([]byte, error)) ([]byte, error)
}

// idAlphabet is the alphabet of Okta ids and generated secrets.
const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomID returns prefix followed by n characters of idAlphabet drawn from r
// without modulo bias.
func randomID(r io.Reader, prefix string, n int) (string, error) {
	limit := 256 - 256%len(idAlphabet)
	out := make([]byte, 0, len(prefix)+n)
	out = append(out, prefix...)
	buf := make([]byte, 2*n)
	for tries := 0; len(out) < len(prefix)+n; tries++ {
		if tries > 64 {
			return "", errors.New("oidc: random source keeps returning unusable bytes")
		}
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("oidc: reading random bytes: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < len(prefix)+n {
				out = append(out, idAlphabet[int(b)%len(idAlphabet)])
			}
		}
	}
	return string(out), nil
}

// NewClientCredentials returns a client id and secret shaped like Okta's
// (a 20-character 0oa… id, a 40-character secret), for an org that creates
// an OIDC app. A nil r means crypto/rand.
func NewClientCredentials(r io.Reader) (clientID, clientSecret string, err error) {
	if r == nil {
		r = rand.Reader
	}
	if clientID, err = randomID(r, "0oa", 17); err != nil {
		return "", "", err
	}
	if clientSecret, err = randomID(r, "", 40); err != nil {
		return "", "", err
	}
	return clientID, clientSecret, nil
}

// NewUserID returns an Okta-shaped user id (00u followed by 17 characters).
// A nil r means crypto/rand.
func NewUserID(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	return randomID(r, "00u", 17)
}
