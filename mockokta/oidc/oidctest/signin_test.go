package oidctest

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignInRefusesAPageWithoutTheForm(t *testing.T) {
	page, err := url.Parse("http://127.0.0.1:1/oauth2/default/login?id=x")
	require.NoError(t, err)
	resp, err := SignIn(http.DefaultClient, page, []byte("<html>no form</html>"), "ada@example.com", "pw")
	assert.Nil(t, resp)
	require.EqualError(t, err, "oidctest: the page is not the mock Okta sign-in page")
}

func TestNewProviderServesTheIssuerAndPeople(t *testing.T) {
	p := NewProvider(t, User{Login: "ada@example.com", Password: "pw", FirstName: "Ada"})
	p.SetRedirectURIs("http://127.0.0.1:1/cb")
	assert.Equal(t, p.Server.URL+"/oauth2/default", p.Issuer)
	assert.Regexp(t, `^0oa`, p.ClientID)
	ada := p.People["ada@example.com"]
	assert.Equal(t, "ada@example.com", ada.Email, "email defaults to the login")
	assert.Equal(t, "ACTIVE", ada.Status)
	assigned, err := p.Org.Assigned(t.Context(), p.ClientID, ada.ID)
	require.NoError(t, err)
	assert.True(t, assigned)
	app, err := p.Org.App(t.Context(), p.ClientID)
	require.NoError(t, err)
	assert.Equal(t, []string{"http://127.0.0.1:1/cb"}, app.RedirectURIs)

	resp, err := http.Get(p.Issuer + "/.well-known/openid-configuration")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}
