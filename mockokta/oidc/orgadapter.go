package oidc

import (
	"context"
	"errors"

	"github.com/xakia-okta/scimtest/mockokta/org"
)

// signingKeyBlob is the name under which the persistent org keeps the
// provider's signing key.
const signingKeyBlob = "oidc/signing-key"

// ForOrg adapts the persistent mock Okta org (package mockokta/org, the
// store of `mockokta serve`) to [Org]: its OIDC apps (client id = app id),
// people, assignments, and a blob for the signing key.
func ForOrg(o *org.Org) Org { return orgAdapter{o: o} }

type orgAdapter struct{ o *org.Org }

func person(p org.Person) Person {
	return Person{
		ID: p.ID, Login: p.Profile.Login, Email: p.Profile.Email,
		FirstName: p.Profile.FirstName, LastName: p.Profile.LastName, Status: string(p.Status),
	}
}

// Authenticate implements [Org]. The org refuses an inactive person with
// ErrInactive and the person; the provider wants the person and decides.
func (a orgAdapter) Authenticate(ctx context.Context, login, password string) (Person, error) {
	p, err := a.o.Authenticate(ctx, login, password)
	switch {
	case errors.Is(err, org.ErrBadCredentials):
		return Person{}, ErrBadCredentials
	case errors.Is(err, org.ErrInactive):
		if p.ID == "" {
			return Person{}, ErrBadCredentials
		}
		return person(p), nil
	case err != nil:
		return Person{}, err
	}
	return person(p), nil
}

// Person implements [Org].
func (a orgAdapter) Person(ctx context.Context, id string) (Person, error) {
	p, err := a.o.Person(ctx, id)
	if errors.Is(err, org.ErrNotFound) {
		return Person{}, ErrUnknownPerson
	}
	if err != nil {
		return Person{}, err
	}
	return person(p), nil
}

// App implements [Org]: an active OIDC app of the org. An inactive app
// signs nobody in, as in Okta.
func (a orgAdapter) App(ctx context.Context, clientID string) (App, error) {
	app, secret, err := a.o.OIDCClient(ctx, clientID)
	if errors.Is(err, org.ErrNotFound) {
		return App{}, ErrUnknownApp
	}
	if err != nil {
		return App{}, err
	}
	if app.Status != org.AppActive || app.OIDC == nil {
		return App{}, ErrUnknownApp
	}
	return App{ClientID: app.OIDC.ClientID, ClientSecret: secret, RedirectURIs: app.OIDC.RedirectURIs}, nil
}

// Assigned implements [Org].
func (a orgAdapter) Assigned(ctx context.Context, clientID, personID string) (bool, error) {
	return a.o.IsAssigned(ctx, clientID, personID)
}

// SigningKey implements [Org] with the org's blob store. Two providers
// starting at once on one database could both create a key; the last
// stored wins and both read it back, so they agree after their first call.
func (a orgAdapter) SigningKey(ctx context.Context, create func() ([]byte, error)) ([]byte, error) {
	key, err := a.o.Blob(ctx, signingKeyBlob)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, org.ErrNotFound) {
		return nil, err
	}
	key, err = create()
	if err != nil {
		return nil, err
	}
	if err := a.o.PutBlob(ctx, signingKeyBlob, key); err != nil {
		return nil, err
	}
	return a.o.Blob(ctx, signingKeyBlob)
}
