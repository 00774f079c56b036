// Package oidctest starts the mock Okta org's OIDC provider in a test: an
// httptest server on 127.0.0.1 with an in-memory org, one OIDC app and the
// people the test names.
//
//	okta := oidctest.NewProvider(t,
//		oidctest.User{Login: "ada@example.com", Password: "Passw0rd!", FirstName: "Ada", LastName: "Lovelace"},
//		oidctest.User{Login: "bob@example.com", Password: "Passw0rd!", NotAssigned: true},
//	)
//	okta.SetRedirectURIs(rp.URL + "/auth/okta/callback")
//	// configure the relying party with okta.Issuer, okta.ClientID, okta.ClientSecret
//
// The server is closed by t.Cleanup.
package oidctest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/xakia-okta/scimtest/mockokta/oidc"
)

// User is a person of the test org. Email defaults to Login; Status to
// ACTIVE (use oidc.StatusDeactivated or oidc.StatusSuspended for people who
// must be refused). People are assigned to the OIDC app unless NotAssigned.
type User struct {
	Login, Password     string
	FirstName, LastName string
	Email               string
	Status              string
	NotAssigned         bool
}

// Provider is a running provider with its org.
type Provider struct {
	// Server is the httptest server; Server.URL is the org's URL.
	Server *httptest.Server
	// OIDC is the provider itself.
	OIDC *oidc.Provider
	// Org is the in-memory org: change statuses and assignments mid-test.
	Org *oidc.MemoryOrg
	// Issuer is Server.URL + "/oauth2/default".
	Issuer string
	// ClientID and ClientSecret are the OIDC app's credentials.
	ClientID, ClientSecret string
	// People are the users as stored (with their 00u… ids), by login.
	People map[string]oidc.Person

	t testing.TB
}

// NewProvider starts a provider whose org holds one OIDC app (no redirect
// URIs yet: call SetRedirectURIs) and the given people.
func NewProvider(t testing.TB, users ...User) *Provider {
	t.Helper()
	org := oidc.NewMemoryOrg()
	app, err := org.AddApp(oidc.App{})
	if err != nil {
		t.Fatalf("oidctest: %v", err)
	}
	p := &Provider{Org: org, ClientID: app.ClientID, ClientSecret: app.ClientSecret, People: map[string]oidc.Person{}, t: t}
	for _, u := range users {
		email := u.Email
		if email == "" {
			email = u.Login
		}
		person, err := org.AddPerson(oidc.Person{
			Login: u.Login, Email: email, FirstName: u.FirstName, LastName: u.LastName, Status: u.Status,
		}, u.Password)
		if err != nil {
			t.Fatalf("oidctest: %v", err)
		}
		if !u.NotAssigned {
			org.Assign(app.ClientID, person.ID)
		}
		p.People[u.Login] = person
	}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	provider, err := oidc.New(context.Background(), oidc.Config{Org: org, PublicURL: "http://" + srv.Listener.Addr().String()})
	if err != nil {
		srv.Close()
		t.Fatalf("oidctest: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(provider.MountPath(), provider)
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	p.Server, p.OIDC, p.Issuer = srv, provider, provider.Issuer()
	return p
}

// SetRedirectURIs replaces the OIDC app's sign-in redirect URIs.
func (p *Provider) SetRedirectURIs(uris ...string) {
	if err := p.Org.SetRedirectURIs(p.ClientID, uris...); err != nil {
		p.t.Fatalf("oidctest: %v", err)
	}
}
