package console_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/mockokta/console"
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
	app := f.addApp()
	appID := f.org.Apps()[0].ID
	require.NoError(t, f.org.SaveAPIIntegration(appID, true, console.Credentials{BaseURL: loc.BaseURL, Token: loc.APIKey}))
	require.NoError(t, f.org.SaveToApp(appID, mockokta.ToApp{CreateUsers: true, UpdateUsers: true, DeactivateUsers: true}))
	p, err := f.org.AddPerson(console.NewPerson{Profile: mockokta.Profile{FirstName: "Jane", LastName: "Doe", Login: "jane@example.com", Email: "jane@example.com"}, Password: "Passw0rd!"})
	require.NoError(t, err)
	require.NoError(t, f.org.Assign(appID, p.ID))
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
	assert.Contains(t, f.follow(resp), "jane@example.com is suspended: it cannot be suspended")
	resp, _ = f.form(person, person+"/lifecycle", url.Values{"action": {"unsuspend"}})
	assert.Contains(t, f.follow(resp), "Person unsuspended")
	got, err := f.org.Person(p.ID)
	require.NoError(t, err)
	assert.Equal(t, mockokta.StatusActive, got.Status)

	// Deactivate: removed from the app and deactivated in Xakia, same id.
	resp, _ = f.form(person, person+"/lifecycle", url.Values{"action": {"deactivate"}})
	assert.Contains(t, f.follow(resp), "Person deactivated")
	gone := xakiaUser(t, ref, loc.ID, "jane@example.com", func(u map[string]any) bool { return u["active"] == false })
	assert.Equal(t, u["id"], gone["id"])
	rows, err := f.org.Assignments(appID)
	require.NoError(t, err)
	assert.Empty(t, rows)

	// Activate, assign again: the same Xakia user is reactivated.
	resp, _ = f.form(person, person+"/lifecycle", url.Values{"action": {"reactivate"}})
	assert.Contains(t, f.follow(resp), "Person activated")
	resp, _ = f.form(app+"/assign-people", app+"/assignments", url.Values{"person": {p.ID}})
	f.follow(resp)
	back := xakiaUser(t, ref, loc.ID, "jane@example.com", func(u map[string]any) bool { return u["active"] == true })
	assert.Equal(t, u["id"], back["id"])

	// Import Now: the user is found and matches Jane by externalId.
	resp, _ = f.form(app+"/import", app+"/import", url.Values{})
	assert.Contains(t, f.follow(resp), "Import started")
	deadline := time.Now().Add(30 * time.Second)
	for {
		run, err := f.org.LastImport(appID)
		require.NoError(t, err)
		if run.Task.State == console.StateCompleted {
			require.Len(t, run.Users, 1)
			assert.Equal(t, "Exact match", run.Users[0].Match)
			assert.Equal(t, "jane@example.com", run.Users[0].Login)
			break
		}
		require.True(t, time.Now().Before(deadline), "the import never finished: %+v", run.Task)
		time.Sleep(50 * time.Millisecond)
	}
	_, body := f.get(f.c, app+"/import")
	assert.Contains(t, body, "Exact match")
}
