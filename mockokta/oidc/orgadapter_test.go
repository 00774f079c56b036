package oidc_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/mockokta/oidc"
	"github.com/xakia-okta/scimtest/mockokta/org"
)

// startOnOrg serves a provider over the persistent org at srvURL's listener.
func startOnOrg(t *testing.T, o *org.Org) (*httptest.Server, *oidc.Provider) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	p, err := oidc.New(t.Context(), oidc.Config{Org: oidc.ForOrg(o), PublicURL: "http://" + srv.Listener.Addr().String()})
	require.NoError(t, err)
	srv.Config.Handler = p
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, p
}

// TestCodeFlowOnThePersistentOrg signs a person of mockokta/org in through
// the adapter, is refused once deactivated, and the key survives reopening
// the database.
func TestCodeFlowOnThePersistentOrg(t *testing.T) {
	path := filepath.Join(t.TempDir(), "org.db")
	o, err := org.Open(t.Context(), org.Options{Path: path, NoWorker: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = o.Close(context.Background()) })

	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "callback reached")
	}))
	t.Cleanup(rp.Close)
	callback := rp.URL + "/auth/okta/callback"
	boot, err := o.Bootstrap(t.Context(), org.BootstrapOptions{OIDCRedirectURIs: []string{callback}})
	require.NoError(t, err)
	var app org.App
	for _, a := range boot.Apps {
		if a.Kind == org.KindOIDC {
			app = a
		}
	}
	require.NotNil(t, app.OIDC)
	_, secret, err := o.OIDCClient(t.Context(), app.OIDC.ClientID)
	require.NoError(t, err)

	ada, err := o.CreatePerson(t.Context(), org.NewPerson{Activate: true, Password: password,
		Profile: mockokta.Profile{Login: "ada@example.com", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"}})
	require.NoError(t, err)
	_, err = o.Assign(t.Context(), app.ID, ada.ID)
	require.NoError(t, err)

	srv, p := startOnOrg(t, o)
	provider, err := gooidc.NewProvider(t.Context(), p.Issuer())
	require.NoError(t, err)
	r := &rig{callback: callback, provider: provider, conf: oauth2.Config{
		ClientID: app.OIDC.ClientID, ClientSecret: secret, Endpoint: provider.Endpoint(),
		RedirectURL: callback, Scopes: []string{gooidc.ScopeOpenID, "profile", "email"},
	}}
	code, verifier, nonce := r.signIn(t, "ada@example.com")
	tok, err := r.conf.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&gooidc.Config{ClientID: app.OIDC.ClientID}).Verify(t.Context(), raw)
	require.NoError(t, err)
	assert.Equal(t, ada.ID, idt.Subject)
	assert.Equal(t, nonce, idt.Nonce)
	assert.Equal(t, srv.URL+"/oauth2/default", idt.Issuer)

	_, err = o.Deactivate(t.Context(), ada.ID)
	require.NoError(t, err)
	c := browser(t)
	page, _, _, _ := r.start(t, c)
	resp, body := submit(t, c, page, "ada@example.com", password, true)
	refusedAtLogin(t, resp, body)

	// Reopen the database, as after a restart: the same key verifies the old token.
	require.NoError(t, o.Close(t.Context()))
	o2, err := org.Open(t.Context(), org.Options{Path: path, NoWorker: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = o2.Close(context.Background()) })
	srv2, _ := startOnOrg(t, o2)
	keys := gooidc.NewRemoteKeySet(t.Context(), srv2.URL+"/oauth2/default/v1/keys")
	_, err = gooidc.NewVerifier(srv.URL+"/oauth2/default", keys, &gooidc.Config{ClientID: app.OIDC.ClientID}).Verify(t.Context(), raw)
	require.NoError(t, err)
}
