package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/mockokta/oidc/oidctest"
	"github.com/xakia-okta/scimtest/mockokta/org"
	"github.com/xakia-okta/scimtest/mockokta/serve"
)

// TestServeMountsTheOIDCProvider signs a person of the served org in to the
// bootstrap Xakia OIDC app through the issuer `mockokta serve` prints.
func TestServeMountsTheOIDCProvider(t *testing.T) {
	inst, err := serve.Start(t.Context(), serve.Config{Mounts: serveMounts()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = inst.Close() })

	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "callback reached")
	}))
	t.Cleanup(rp.Close)
	callback := rp.URL + "/auth/okta/callback"

	var app org.App
	for _, a := range inst.Bootstrap.Apps {
		if a.Kind == org.KindOIDC {
			app = a
		}
	}
	require.NotEmpty(t, app.ID, "the first start creates the Xakia OIDC app")
	_, err = inst.Org.SetRedirectURIs(t.Context(), app.ID, []string{callback})
	require.NoError(t, err)
	_, secret, err := inst.Org.OIDCClient(t.Context(), app.ID)
	require.NoError(t, err)
	const pw = "Sup3r-secret!"
	ada, err := inst.Org.CreatePerson(t.Context(), org.NewPerson{Activate: true, Password: pw,
		Profile: mockokta.Profile{Login: "ada@example.com", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"}})
	require.NoError(t, err)
	_, err = inst.Org.Assign(t.Context(), app.ID, ada.ID)
	require.NoError(t, err)

	require.Equal(t, inst.URL+"/oauth2/default", inst.Issuer)
	provider, err := gooidc.NewProvider(t.Context(), inst.Issuer)
	require.NoError(t, err)
	conf := oauth2.Config{ClientID: app.ID, ClientSecret: secret, Endpoint: provider.Endpoint(),
		RedirectURL: callback, Scopes: []string{gooidc.ScopeOpenID, "profile", "email"}}
	verifier := oauth2.GenerateVerifier()

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), gooidc.Nonce("nn")))
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = oidctest.SignIn(browser, resp.Request.URL, page, "ada@example.com", pw)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	q := resp.Request.URL.Query()
	require.Equal(t, "st", q.Get("state"))

	tok, err := conf.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&gooidc.Config{ClientID: app.ID}).Verify(t.Context(), raw)
	require.NoError(t, err)
	assert.Equal(t, ada.ID, idt.Subject)
	assert.Equal(t, "nn", idt.Nonce)
}
