package store

import (
	"context"
	"time"
)

// Credential is what a member signs in to the web UI with besides Okta: a
// password hash (never the password) and whether the member administers
// its location. Users created through SCIM have none.
type Credential struct {
	LocationID   string
	UserID       string
	PasswordHash string // an encoded password hash; "" means no password
	Admin        bool   // the member may sign in to the admin UI of its location
}

// SignInEvent is one attempt to sign in to a location's web UI, kept so
// that admins see every outcome (docs/xakia-web.md). It holds no secret:
// neither a password nor a token.
type SignInEvent struct {
	LocationID string
	Time       time.Time // UTC
	Method     string    // "password" or "okta"
	Login      string    // what the person gave: the userName, email or ID token's preferred_username
	UserID     string    // the member matched; "" when none
	Outcome    string    // a stable word: signed-in, not-invited, inactive, …
	Detail     string    // the words shown to the person
}

// SignInKeepPerLocation is how many sign-in events a location keeps.
const SignInKeepPerLocation = 10000

// memberStore is the part of Store that keeps web sign-in data; it is
// embedded in Store.
type memberStore interface {
	// SetCredential stores c, replacing the user's previous credential.
	SetCredential(ctx context.Context, c Credential) error
	// Credential returns a user's credential or ErrNotFound.
	Credential(ctx context.Context, locationID, userID string) (Credential, error)
	// AppendSignIn stores one sign-in event and trims the location to its
	// last SignInKeepPerLocation events.
	AppendSignIn(ctx context.Context, e SignInEvent) error
	// SignIns returns the last limit sign-in events of a location, oldest first.
	SignIns(ctx context.Context, locationID string, limit int) ([]SignInEvent, error)
}

// SetCredential implements Store.
func (c classifying) SetCredential(ctx context.Context, cr Credential) error {
	return classify(c.s.SetCredential(ctx, cr))
}

// Credential implements Store.
func (c classifying) Credential(ctx context.Context, locationID, userID string) (Credential, error) {
	cr, err := c.s.Credential(ctx, locationID, userID)
	return cr, classify(err)
}

// AppendSignIn implements Store.
func (c classifying) AppendSignIn(ctx context.Context, e SignInEvent) error {
	return classify(c.s.AppendSignIn(ctx, e))
}

// SignIns implements Store.
func (c classifying) SignIns(ctx context.Context, locationID string, limit int) ([]SignInEvent, error) {
	es, err := c.s.SignIns(ctx, locationID, limit)
	return es, classify(err)
}
