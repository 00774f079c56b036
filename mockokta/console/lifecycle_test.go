package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/mockokta/org"
	"github.com/xakia-okta/scimtest/reference"
)

// TestPersonLifecycleReachesXakia edits, suspends, deactivates and
// reactivates an assigned person through the console and checks what the
// reference received.
func TestPersonLifecycleReachesXakia(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ref, err := reference.Start(ctx, reference.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ref.Close() })
	loc := ref.Locations[0]

	f := newFixture(t, false)
	appID, app := f.addApp()
	_, err = f.org.SetConnection(ctx, appID, org.Connection{BaseURL: loc.BaseURL, Token: loc.APIKey, Enable: true})
	require.NoError(t, err)
	_, err = f.org.SetToApp(ctx, appID, mockokta.ToApp{CreateUsers: true, UpdateUsers: true, DeactivateUsers: true})
	require.NoError(t, err)
	p, err := f.org.CreatePerson(ctx, org.NewPerson{Profile: mockokta.Profile{FirstName: "Jane", LastName: "Doe", Login: "jane@example.com", Email: "jane@example.com"}, Password: "Passw0rd!", Activate: true})
	require.NoError(t, err)
	_, err = f.org.Assign(ctx, appID, p.ID)
	require.NoError(t, err)
	xakiaUser(t, ref, loc.ID, "jane@example.com", func(u map[string]any) bool { return u["active"] == true })

	// Edit profile: pushed to the assigned app (Update User Attributes on).
	person := "/admin/people/" + p.ID
	resp, _ := f.form(person+"?edit=1", person+"/profile", url.Values{"firstName": {"Janet"}, "lastName": {"Doe"}, "login": {"jane@example.com"}, "email": {"janet@example.com"}})
	assert.Contains(t, f.follow(resp), "Profile saved")
	u := xakiaUser(t, ref, loc.ID, "jane@example.com", func(u map[string]any) bool {
		name, _ := u["name"].(map[string]any)
		return name["givenName"] == "Janet"
	})
	assert.Contains(t, fmt.Sprint(u["emails"]), "janet@example.com")

	// Suspend sends nothing; an invalid transition is refused and changes nothing.
	resp, _ = f.form(person, person+"/lifecycle", url.Values{"action": {"suspend"}})
	assert.Contains(t, f.follow(resp), "Person suspended")
	resp, _ = f.form(person, person+"/lifecycle", url.Values{"action": {"suspend"}})
	assert.Contains(t, f.follow(resp), "Cannot suspend a user that is not active")
	resp, _ = f.form(person, person+"/lifecycle", url.Values{"action": {"unsuspend"}})
	assert.Contains(t, f.follow(resp), "Person unsuspended")
	got, err := f.org.Person(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, mockokta.StatusActive, got.Status)

	// Deactivate: removed from the app and deactivated in Xakia, same id.
	resp, _ = f.form(person, person+"/lifecycle", url.Values{"action": {"deactivate"}})
	assert.Contains(t, f.follow(resp), "Person deactivated")
	gone := xakiaUser(t, ref, loc.ID, "jane@example.com", func(u map[string]any) bool { return u["active"] == false })
	assert.Equal(t, u["id"], gone["id"])
	rows, err := f.org.Assignments(ctx, appID, org.AssignmentQuery{})
	require.NoError(t, err)
	assert.Empty(t, rows.Items)

	// Activate, assign again: the same Xakia user is reactivated.
	resp, _ = f.form(person, person+"/lifecycle", url.Values{"action": {"reactivate"}})
	assert.Contains(t, f.follow(resp), "Person activated")
	resp, _ = f.form(app+"/assign-people", app+"/assignments", url.Values{"person": {p.ID}})
	f.follow(resp)
	back := xakiaUser(t, ref, loc.ID, "jane@example.com", func(u map[string]any) bool { return u["active"] == true })
	assert.Equal(t, u["id"], back["id"])

	// Import Now: the user is found and linked to Jane (the limited query
	// attributes return no userName, so only the link matches).
	resp, _ = f.form(app+"/import", app+"/import", url.Values{})
	body := f.follow(resp)
	assert.Contains(t, body, "Import from app Xakia Sydney found 1 users: 1 imported")
	assert.Contains(t, body, ">linked<")
	assert.Contains(t, body, `href="/admin/people/`+p.ID+`"`)

	// The org answers after an import (its pages still load).
	resp2, body := f.get(f.c, app+"/assignments")
	assert.Equal(t, http.StatusOK, resp2.StatusCode)
	assert.Contains(t, body, ">PROVISIONED<")
}
