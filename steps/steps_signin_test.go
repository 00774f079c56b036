package steps

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/reference"
	"github.com/xakia-okta/scimtest/reports"
)

// signInOutcomes runs the @signin scenarios with cfg and returns the status
// of each scenario by name, and the not-run reasons.
func signInOutcomes(t *testing.T, cfg Config) (map[string]string, map[string]string, int) {
	t.Helper()
	var out bytes.Buffer
	cfg.Tags, cfg.ReportsDir, cfg.Output = "@signin", t.TempDir(), &out
	run, code := Run(context.Background(), cfg)
	status, reasons := map[string]string{}, map[string]string{}
	for _, s := range run.Scenarios {
		require.True(t, hasTag(s.Tags, tagSignIn), s.Name)
		status[s.Name] = string(s.Status)
		if s.Status == reports.StatusNotRun {
			reasons[s.Name] = s.Reason
		}
	}
	require.NotEmpty(t, status, out.String())
	return status, reasons, code
}

func TestSignInScenariosAgainstTheEmbeddedReference(t *testing.T) {
	status, _, code := signInOutcomes(t, Config{})
	assert.Equal(t, ExitPass, code)
	assert.Len(t, status, 7)
	for name, s := range status {
		assert.Equal(t, string(reports.StatusPass), s, name)
	}
}

func TestSignInFaultFailsItsScenario(t *testing.T) {
	status, _, code := signInOutcomes(t, Config{Faults: []string{"password-after-okta"}})
	assert.Equal(t, ExitFail, code)
	assert.Equal(t, string(reports.StatusFail), status["After Okta's first write a pre-existing member no longer signs in with its password"])
	assert.Equal(t, string(reports.StatusPass), status["A member who existed before Okta signs in with a password and needs no invite"])
}

// A target without "Sign in with Okta" runs the password scenarios and
// reports the Okta ones not run, saying why.
func TestSignInOktaNotRunWithoutOIDC(t *testing.T) {
	inst, err := reference.Start(context.Background(), reference.Options{})
	require.NoError(t, err)
	defer inst.Close()
	status, reasons, code := signInOutcomes(t, Config{BaseURL: inst.Locations[0].BaseURL, APIKey: inst.Locations[0].APIKey,
		AdminURL: inst.Origin, AdminToken: inst.AdminToken})
	assert.Equal(t, ExitPass, code)
	assert.Equal(t, string(reports.StatusPass), status["A wrong password is refused"])
	why := reasons["A deactivated user cannot sign in with Okta"]
	assert.Contains(t, why, "does not offer an OIDC login")
	assert.Len(t, reasons, 4, "the four @oidc scenarios")
}

// A target with "Sign in with Okta" whose provider the suite cannot sign
// its users in at: the Okta scenarios are not run, naming SCIM_OIDC_PASSWORD.
func TestSignInOktaNotRunWithoutPeople(t *testing.T) {
	okta, err := startEmbeddedOkta(context.Background())
	require.NoError(t, err)
	defer okta.close()
	inst, err := reference.Start(context.Background(), reference.Options{
		OIDC: reference.OIDCConfig{Issuer: okta.issuer, ClientID: okta.clientID, ClientSecret: okta.secret}})
	require.NoError(t, err)
	defer inst.Close()
	_, reasons, code := signInOutcomes(t, Config{BaseURL: inst.Locations[0].BaseURL, APIKey: inst.Locations[0].APIKey,
		AdminURL: inst.Origin, AdminToken: inst.AdminToken})
	assert.Equal(t, ExitPass, code)
	assert.Len(t, reasons, 4)
	assert.Contains(t, reasons["A deactivated user cannot sign in with Okta"], EnvOIDCPassword)
}

// Without an admin API nothing of the sign-in feature runs, and it says so.
func TestSignInNotRunWithoutAdmin(t *testing.T) {
	inst, err := reference.Start(context.Background(), reference.Options{})
	require.NoError(t, err)
	defer inst.Close()
	var out bytes.Buffer
	run, code := Run(context.Background(), Config{BaseURL: inst.Locations[0].BaseURL, APIKey: inst.Locations[0].APIKey,
		Tags: "@signin,@connection", ReportsDir: t.TempDir(), Output: &out})
	assert.Equal(t, ExitPass, code, out.String())
	var signin int
	for _, s := range run.Scenarios {
		if hasTag(s.Tags, tagSignIn) {
			signin++
			assert.Equal(t, reports.StatusNotRun, s.Status, s.Name)
			assert.Contains(t, s.Reason, EnvAdminURL, s.Name)
		}
	}
	assert.Equal(t, 7, signin)
}

func TestParseFormsAndOutcome(t *testing.T) {
	page := []byte(`<html><body>
<p class="message refused" data-outcome="not-invited">You have not been <b>invited</b>: ask your Xakia admin to invite you.</p>
<form method="post" action="/signin/password"><input type="hidden" name="csrf" value="t1">
<select name="location"><option value="default">Default</option><option value="second" selected>Second</option></select>
<input name="login"><input type="password" name="password"></form>
<form method="get" action="https://idp.example/login?x=1"><input name="username" type="text"></form>
</body></html>`)
	forms := parseForms(page)
	require.Len(t, forms, 2)
	f := findForm(forms, actionPassword)
	require.NotNil(t, f)
	assert.Equal(t, "t1", f.Fields.Get("csrf"))
	assert.Equal(t, "default", f.Fields.Get("location"), "the first option")
	assert.Equal(t, "password", f.Inputs["password"])
	assert.Nil(t, findForm(forms, actionOkta))
	assert.Equal(t, forms[0], loginForm(forms))
	assert.True(t, isLoginField("username"))
	assert.False(t, isLoginField("csrf"))
	outcome, text := outcomeOf(page)
	assert.Equal(t, "not-invited", outcome)
	assert.Equal(t, "You have not been invited: ask your Xakia admin to invite you.", text)
	outcome, _ = outcomeOf([]byte(`<p data-outcome="error">x</p>`))
	assert.Empty(t, outcome, "an error page is no sign-in outcome")
}

func TestOIDCPasswordConfig(t *testing.T) {
	cfg, err := ConfigFromEnv(func(k string) string {
		return map[string]string{EnvBaseURL: "http://127.0.0.1:9/scim/v2/x", EnvAPIKey: "k", EnvOIDCPassword: " pw with spaces "}[k]
	})
	require.NoError(t, err)
	assert.Equal(t, " pw with spaces ", cfg.OIDCPassword, "a password is taken as it is")
	_, err = ConfigFromEnv(func(k string) string { return map[string]string{EnvOIDCPassword: "pw"}[k] })
	require.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), "SCIM_OIDC_PASSWORD", "the embedded reference needs none")
	p, err := sharedPassword("pw").person(context.Background(), "a@example.com", "A", "B")
	require.NoError(t, err)
	assert.Equal(t, "pw", p)
}
