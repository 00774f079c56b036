package console

import (
	"context"
	"errors"
	"time"

	"github.com/xakia-okta/scimtest/mockokta"
)

// ErrNotFound is returned by an Org when an id names no person, app or task.
var ErrNotFound = errors.New("not found")

// InputError is a refusal of bad input; its message is shown to the
// administrator as is, and nothing was changed.
type InputError struct{ Msg string }

// Error returns the message.
func (e *InputError) Error() string { return e.Msg }

// Invalid returns an *InputError with that message.
func Invalid(msg string) error { return &InputError{Msg: msg} }

// Org is what the console needs of a mock Okta org. Methods that start
// provisioning (Assign, Unassign, UpdatePerson, ChangeStatus, ImportNow,
// RetryTask) only queue the work and return; TestAPICredentials runs the
// test connection before it returns, as Okta's button does. Bad input is an
// *InputError (or wraps ErrNotFound) and changes nothing.
type Org interface {
	// CheckAdmin reports whether login and password are an administrator's.
	CheckAdmin(login, password string) bool

	// People returns every person of the directory, sorted by login.
	People() []Person
	// Person returns one person by Okta id.
	Person(id string) (Person, error)
	// AddPerson adds an active person with a password.
	AddPerson(p NewPerson) (Person, error)
	// UpdatePerson replaces the profile and pushes it to every app the
	// person is assigned to whose To App "Update User Attributes" is on.
	UpdatePerson(id string, p mockokta.Profile) error
	// ChangeStatus runs a lifecycle action on the person.
	ChangeStatus(id string, a Lifecycle) error

	// Apps returns every app instance, in the order they were added.
	Apps() []App
	// App returns one app instance by id.
	App(id string) (App, error)
	// AddApp adds an app instance from the catalog.
	AddApp(kind AppKind, label string) (App, error)
	// TestAPICredentials runs Okta's test connection with c (an empty
	// token means the saved one) and returns its outcome in Okta's words.
	TestAPICredentials(ctx context.Context, appID string, c Credentials) (mockokta.TaskResult, error)
	// SaveAPIIntegration saves the Provisioning → Integration settings; an
	// empty token keeps the saved one.
	SaveAPIIntegration(appID string, enabled bool, c Credentials) error
	// SaveToApp saves the Provisioning → To App toggles.
	SaveToApp(appID string, t mockokta.ToApp) error

	// Assignments returns the people assigned to the app, by login.
	Assignments(appID string) ([]Assignment, error)
	// Assign assigns the person to the app and queues its provisioning.
	Assign(appID, personID string) error
	// Unassign removes the assignment and queues the deactivation.
	Unassign(appID, personID string) error

	// ImportNow queues an import of the app's users.
	ImportNow(appID string) error
	// LastImport returns the app's latest import, nil when none ran.
	LastImport(appID string) (*ImportRun, error)

	// Tasks returns the provisioning tasks, newest first.
	Tasks() []Task
	// RetryTask queues a failed task again.
	RetryTask(id string) error
}

// Lifecycle is an action of a person's "More Actions" menu.
type Lifecycle string

// The lifecycle actions of a person.
const (
	Deactivate Lifecycle = "deactivate"
	Reactivate Lifecycle = "reactivate"
	Suspend    Lifecycle = "suspend"
	Unsuspend  Lifecycle = "unsuspend"
)

// Person is a person of the Okta directory.
type Person struct {
	ID      string
	Status  mockokta.Status
	Profile mockokta.Profile
}

// NewPerson is the "Add person" form.
type NewPerson struct {
	Profile  mockokta.Profile
	Password string
}

// AppKind is a catalog entry.
type AppKind string

// The catalog entries of the mock org.
const (
	// KindXakia is the Xakia app with SCIM provisioning, one per location.
	KindXakia AppKind = "xakia"
	// KindXakiaOIDC is the Xakia OIDC sign-in app, added once.
	KindXakiaOIDC AppKind = "xakia-oidc"
)

// Credentials are the SCIM settings of the Integration form.
type Credentials struct {
	BaseURL string
	Token   string
}

// App is an app instance.
type App struct {
	ID    string // 0oa…
	Label string
	Kind  AppKind
	// Integration is Provisioning → Integration (KindXakia only).
	Integration Integration
	// ToApp are the Provisioning → To App toggles (KindXakia only).
	ToApp mockokta.ToApp
	// SignOn is the Sign On tab (KindXakiaOIDC only).
	SignOn SignOn
}

// Integration is the saved API integration of an app; the token itself is
// never returned.
type Integration struct {
	Enabled  bool
	BaseURL  string
	TokenSet bool
}

// SignOn is what the OIDC app's Sign On tab shows.
type SignOn struct {
	ClientID     string
	RedirectURIs []string
	Issuer       string
}

// State is the provisioning state of an assignment or a task.
type State string

// Provisioning states.
const (
	StateQueued      State = "Queued"
	StateRunning     State = "In progress"
	StateProvisioned State = "Provisioned"
	// StateCompleted is a task that succeeded.
	StateCompleted State = "Completed"
	StateFailed    State = "Failed"
	// StateNotProvisioned: assigned in Okta only (no API integration, or
	// Create Users off).
	StateNotProvisioned State = "Not provisioned"
)

// Assignment is one row of an app's Assignments tab.
type Assignment struct {
	Person Person
	State  State
	// Detail is the latest task's message in Okta's words.
	Detail string
	SCIMID string
}

// Task is one provisioning task.
type Task struct {
	ID      string
	AppID   string
	AppName string
	Queued  time.Time
	State   State
	// Operation and User name the work before it ran; Result holds Okta's
	// wording once it finished.
	Operation mockokta.Operation
	User      string
	Result    mockokta.TaskResult
}

// ImportRun is an app's latest import.
type ImportRun struct {
	Task  Task
	Users []ImportMatch
}

// ImportMatch is one user an import found and how it matches the directory.
type ImportMatch struct {
	mockokta.ImportedUser
	// Match is Okta's match type: "Exact match" or "No match".
	Match string
	// Login is the matching person's login.
	Login string
}
