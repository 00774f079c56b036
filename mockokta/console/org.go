package console

import (
	"context"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/mockokta/org"
)

// Org is what the console needs of a mock Okta org: a subset of the
// methods of [org.Org], so that the persistent org serves the console as
// is and a test can stand in for it. Methods that start provisioning
// (Assign, Unassign, UpdateProfile, Deactivate, RetryTask) only queue the
// work and return; TestConnection and Import run before they return, as
// Okta's buttons do. Errors wrap org.ErrInvalid, org.ErrConflict,
// org.ErrLifecycle or org.ErrNotFound for bad input, which changes nothing.
type Org interface {
	// CheckAdmin checks the administrator's sign-in.
	CheckAdmin(ctx context.Context, login, password string) error

	// People lists people, one page at a time.
	People(ctx context.Context, q org.PeopleQuery) (org.Page[org.Person], error)
	// Person returns a person by id or login.
	Person(ctx context.Context, idOrLogin string) (org.Person, error)
	// CreatePerson adds a person.
	CreatePerson(ctx context.Context, in org.NewPerson) (org.Person, error)
	// UpdateProfile replaces a profile and pushes it to the apps.
	UpdateProfile(ctx context.Context, id string, p mockokta.Profile) (org.Person, error)
	// Deactivate, Reactivate, Suspend and Unsuspend are the lifecycle actions.
	Deactivate(ctx context.Context, id string) (org.Person, error)
	// Reactivate is the console's "Activate" of a deactivated person.
	Reactivate(ctx context.Context, id string) (org.Person, error)
	// Suspend suspends an active person.
	Suspend(ctx context.Context, id string) (org.Person, error)
	// Unsuspend makes a suspended person active.
	Unsuspend(ctx context.Context, id string) (org.Person, error)

	// Apps lists the app instances.
	Apps(ctx context.Context) ([]org.App, error)
	// App returns one app instance.
	App(ctx context.Context, id string) (org.App, error)
	// AddXakiaApp adds a Xakia SCIM app instance.
	AddXakiaApp(ctx context.Context, label string) (org.App, error)
	// AddOIDCApp adds the Xakia OIDC app.
	AddOIDCApp(ctx context.Context, label string, redirectURIs []string) (org.App, error)
	// OIDCClient returns the OIDC app of a client id and its secret.
	OIDCClient(ctx context.Context, clientID string) (org.App, string, error)
	// SetRedirectURIs replaces the OIDC app's sign-in redirect URIs.
	SetRedirectURIs(ctx context.Context, appID string, uris []string) (org.App, error)

	// TestConnection is Test API Credentials (empty values: the stored ones).
	TestConnection(ctx context.Context, appID, baseURL, token string) (mockokta.TaskResult, error)
	// SetConnection saves the API integration (an empty token keeps the
	// stored one).
	SetConnection(ctx context.Context, appID string, c org.Connection) (org.App, error)
	// SetConnectionEnabled turns the API integration on or off.
	SetConnectionEnabled(ctx context.Context, appID string, enabled bool) (org.App, error)
	// SetToApp saves the To App toggles.
	SetToApp(ctx context.Context, appID string, t mockokta.ToApp) (org.App, error)

	// Assignments lists the people assigned to an app.
	Assignments(ctx context.Context, appID string, q org.AssignmentQuery) (org.Page[org.Assignment], error)
	// PersonAssignments lists the apps a person is assigned to.
	PersonAssignments(ctx context.Context, personID string) ([]org.Assignment, error)
	// Assign assigns a person and queues its provisioning.
	Assign(ctx context.Context, appID, personID string) (org.Assignment, error)
	// Unassign removes an assignment and queues the deactivation.
	Unassign(ctx context.Context, appID, personID string) error

	// Import runs Okta's import of an app's users.
	Import(ctx context.Context, appID string) (org.ImportResult, error)

	// Tasks lists provisioning tasks, newest first.
	Tasks(ctx context.Context, q org.TaskQuery) ([]org.Task, error)
	// RetryTask queues a failed task again.
	RetryTask(ctx context.Context, id int64) (org.Task, error)
	// Log lists the provisioning log, newest first.
	Log(ctx context.Context, appID string, before int64, limit int) ([]org.LogEntry, error)
}

// The persistent org is a console Org.
var _ Org = (*org.Org)(nil)
