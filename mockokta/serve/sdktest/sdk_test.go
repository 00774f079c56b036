// Package sdktest drives `mockokta serve` with Okta's own Go client,
// github.com/okta/okta-sdk-golang/v5, to prove the Management API subset is
// shaped like Okta's. It is a package of its own because the SDK is slow
// to compile.
package sdktest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v5/okta"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/mockokta/serve"
	"github.com/xakia-okta/scimtest/reference"
)

const testToken = "00sdk-test-token-0123456789abcdef"

// newClient configures the SDK explicitly for a loopback http server: the
// org URL's port is restored (the SDK keeps only the hostname), HTTPS is not
// required, the cache is off and nothing comes from ~/.okta or OKTA_*.
func newClient(t *testing.T, origin string) *okta.APIClient {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	for _, k := range []string{"OKTA_CLIENT_ORGURL", "OKTA_CLIENT_TOKEN", "OKTA_CLIENT_AUTHORIZATIONMODE", "OKTA_CLIENT_CLIENTID", "OKTA_CLIENT_PRIVATEKEY", "OKTA_CLIENT_PROXY_HOST"} {
		t.Setenv(k, "")
	}
	cfg, err := okta.NewConfiguration(
		okta.WithOrgUrl(origin),
		okta.WithToken(testToken),
		okta.WithAuthorizationMode("SSWS"),
		okta.WithCache(false),
		okta.WithTestingDisableHttpsCheck(true),
		okta.WithRequestTimeout(30),
		okta.WithRateLimitMaxRetries(1),
		okta.WithHttpClientPtr(&http.Client{Timeout: 30 * time.Second}),
	)
	require.NoError(t, err)
	u, err := url.Parse(origin)
	require.NoError(t, err)
	cfg.Host = u.Host
	return okta.NewAPIClient(cfg)
}

// scimUser reads a user of the reference through its admin API.
func scimUser(ctx context.Context, ref *reference.Instance, id string) (map[string]any, error) {
	loc := ref.Locations[0]
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ref.Origin+"/admin/api/locations/"+loc.ID+"/users/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+ref.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New("admin API answered " + resp.Status)
	}
	var out map[string]any
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

// eventually polls cond every 50 ms for at most 20 s (the provisioning
// queue is asynchronous) and fails with the last reason.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	last := ""
	for i := 0; i < 400 && time.Now().Before(deadline); i++ {
		ok, why := cond()
		if ok {
			return
		}
		last = why
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not reached in 20 s: %s", what, last)
}

func TestOktaSDKDrivesProvisioning(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ref, err := reference.Start(ctx, reference.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ref.Close() })
	srv, err := serve.Start(ctx, serve.Config{APIToken: testToken})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	c := newClient(t, srv.URL)
	loc := ref.Locations[0]

	// The apps decode as the SDK's Bookmark (Xakia SCIM) and OpenID Connect apps.
	apps, _, err := c.ApplicationAPI.ListApplications(ctx).Execute()
	require.NoError(t, err)
	require.Len(t, apps, 2)
	require.NotNil(t, apps[0].BookmarkApplication, "the Xakia app decodes by its signOnMode")
	xakia := apps[0].BookmarkApplication
	assert.Equal(t, "Xakia", xakia.Label)
	require.NotNil(t, apps[1].OpenIdConnectApplication)
	oidc := apps[1].OpenIdConnectApplication
	assert.Equal(t, oidc.GetId(), oidc.Credentials.OauthClient.GetClientId())
	appID := xakia.GetId()

	// Configure API Integration: base URL + token, activated.
	conn, resp, err := c.ApplicationConnectionsAPI.UpdateDefaultProvisioningConnectionForApplication(ctx, appID).
		UpdateDefaultProvisioningConnectionForApplicationRequest(okta.ProvisioningConnectionTokenRequestAsUpdateDefaultProvisioningConnectionForApplicationRequest(
			&okta.ProvisioningConnectionTokenRequest{BaseUrl: okta.PtrString(loc.BaseURL),
				Profile: okta.ProvisioningConnectionTokenRequestProfile{AuthScheme: "TOKEN", Token: okta.PtrString(loc.APIKey)}})).
		Activate(true).Execute()
	require.NoError(t, err)
	assert.Equal(t, "ENABLED", conn.Status)
	assert.Equal(t, loc.BaseURL, conn.GetBaseUrl())
	raw, _ := json.Marshal(conn)
	assert.NotContains(t, string(raw), loc.APIKey, "the SCIM token is never returned")
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	got, _, err := c.ApplicationConnectionsAPI.GetDefaultProvisioningConnectionForApplication(ctx, appID).Execute()
	require.NoError(t, err)
	assert.Equal(t, "ENABLED", got.Status)

	// To App: Create, Update and Deactivate Users.
	on := okta.PtrString("ENABLED")
	feat, _, err := c.ApplicationFeaturesAPI.UpdateFeatureForApplication(ctx, appID, "USER_PROVISIONING").
		UpdateFeatureForApplicationRequest(okta.CapabilitiesObjectAsUpdateFeatureForApplicationRequest(&okta.CapabilitiesObject{
			Create: &okta.CapabilitiesCreateObject{LifecycleCreate: &okta.LifecycleCreateSettingObject{Status: on}},
			Update: &okta.CapabilitiesUpdateObject{
				Profile:             &okta.ProfileSettingObject{Status: on},
				LifecycleDeactivate: &okta.LifecycleDeactivateSettingObject{Status: on},
			},
		})).Execute()
	require.NoError(t, err)
	require.NotNil(t, feat.UserProvisioningApplicationFeature)
	caps := feat.UserProvisioningApplicationFeature.Capabilities
	assert.Equal(t, "ENABLED", caps.Create.LifecycleCreate.GetStatus())
	assert.Equal(t, "ENABLED", caps.Update.Profile.GetStatus())
	assert.Equal(t, "ENABLED", caps.Update.LifecycleDeactivate.GetStatus())
	assert.Equal(t, "DISABLED", caps.Update.Password.GetStatus())

	// Create a person (and two more, for paging).
	create := func(first, login string) *okta.User {
		u, _, err := c.UserAPI.CreateUser(ctx).Body(okta.CreateUserRequest{
			Profile: okta.UserProfile{
				FirstName: *okta.NewNullableString(okta.PtrString(first)),
				LastName:  *okta.NewNullableString(okta.PtrString("Doe")),
				Email:     okta.PtrString(login), Login: okta.PtrString(login),
			},
			Credentials: &okta.UserCredentials{Password: &okta.PasswordCredential{Value: okta.PtrString("Correct-Horse-9")}},
		}).Activate(true).Execute()
		require.NoError(t, err)
		return u
	}
	jane := create("Jane", "jane.doe@example.com")
	assert.Equal(t, "ACTIVE", jane.GetStatus())
	assert.True(t, strings.HasPrefix(jane.GetId(), "00u"))
	create("John", "john.doe@example.com")
	create("Jill", "jill.doe@example.com")

	found, _, err := c.UserAPI.ListUsers(ctx).Search(`profile.login eq "jane.doe@example.com"`).Execute()
	require.NoError(t, err)
	require.Len(t, found, 1)
	assert.Equal(t, jane.GetId(), found[0].GetId())
	byLogin, _, err := c.UserAPI.GetUser(ctx, "jane.doe@example.com").Execute()
	require.NoError(t, err)
	assert.Equal(t, jane.GetId(), byLogin.GetId())

	// Paging: limit 1 and the next links, one Link header per rel.
	page, resp, err := c.UserAPI.ListUsers(ctx).Limit(1).Execute()
	require.NoError(t, err)
	ids := []string{page[0].GetId()}
	for i := 0; resp.HasNextPage() && i < 10; i++ {
		var next []okta.User
		resp, err = resp.Next(&next)
		require.NoError(t, err)
		for _, u := range next {
			ids = append(ids, u.GetId())
		}
	}
	assert.Len(t, ids, 3)
	assert.Equal(t, jane.GetId(), ids[0])

	// Assign: Okta's create reaches Xakia asynchronously.
	au, _, err := c.ApplicationUsersAPI.AssignUserToApplication(ctx, appID).
		AppUser(okta.AppUserAssignRequest{Id: jane.GetId(), Scope: okta.PtrString("USER")}).Execute()
	require.NoError(t, err)
	assert.Equal(t, jane.GetId(), au.GetId())
	var scimID string
	eventually(t, "the assignment is provisioned", func() (bool, string) {
		au, _, err := c.ApplicationUsersAPI.GetApplicationUser(ctx, appID, jane.GetId()).Execute()
		if err != nil {
			return false, err.Error()
		}
		scimID = au.GetExternalId()
		return au.GetStatus() == "PROVISIONED" && au.GetSyncState() == "SYNCHRONIZED", au.GetStatus() + "/" + au.GetSyncState()
	})
	u, err := scimUser(ctx, ref, scimID)
	require.NoError(t, err)
	assert.Equal(t, "jane.doe@example.com", u["userName"])
	assert.Equal(t, true, u["active"])
	list, _, err := c.ApplicationUsersAPI.ListApplicationUsers(ctx, appID).Execute()
	require.NoError(t, err)
	require.Len(t, list, 1)

	// Update the profile: pushed because Update Users is on.
	_, _, err = c.UserAPI.UpdateUser(ctx, jane.GetId()).User(okta.UpdateUserRequest{Profile: &okta.UserProfile{
		FirstName: *okta.NewNullableString(okta.PtrString("Janet")),
	}}).Execute()
	require.NoError(t, err)
	eventually(t, "Xakia has the new first name", func() (bool, string) {
		u, err := scimUser(ctx, ref, scimID)
		if err != nil {
			return false, err.Error()
		}
		name, _ := u["name"].(map[string]any)
		return name["givenName"] == "Janet", "givenName is " + toString(name["givenName"])
	})

	// Deactivate: Okta's deactivation reaches Xakia; the user is kept.
	_, err = c.UserAPI.DeactivateUser(ctx, jane.GetId()).Execute()
	require.NoError(t, err)
	eventually(t, "Xakia has the user inactive", func() (bool, string) {
		u, err := scimUser(ctx, ref, scimID)
		if err != nil {
			return false, err.Error()
		}
		return u["active"] == false, "active is " + toString(u["active"])
	})
	after, _, err := c.UserAPI.GetUser(ctx, jane.GetId()).Execute()
	require.NoError(t, err)
	assert.Equal(t, "DEPROVISIONED", after.GetStatus())
	_, resp, err = c.ApplicationUsersAPI.GetApplicationUser(ctx, appID, jane.GetId()).Execute()
	require.Error(t, err, "deactivation removes the assignment")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	// The provisioning log as System Log events, newest first.
	events, _, err := c.SystemLogAPI.ListLogEvents(ctx).SortOrder("DESCENDING").Limit(10).Execute()
	require.NoError(t, err)
	require.NotEmpty(t, events)
	assert.Equal(t, "application.provision.user.deactivate", events[0].GetEventType())
	assert.Equal(t, "SUCCESS", events[0].Outcome.GetResult())
	assert.Contains(t, events[0].GetDisplayMessage(), "was deactivated in app Xakia")

	// Okta's error body for an unknown user.
	_, resp, err = c.UserAPI.GetUser(ctx, "00unknown").Execute()
	require.Error(t, err)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	var apiErr *okta.GenericOpenAPIError
	require.ErrorAs(t, err, &apiErr)
	var body map[string]any
	require.NoError(t, json.Unmarshal(apiErr.Body(), &body))
	assert.Equal(t, "E0000007", body["errorCode"])
	assert.NotEmpty(t, body["errorId"])
}

func toString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
