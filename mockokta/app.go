package mockokta

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// DefaultAppName is the name of the app instance in Okta's messages.
const DefaultAppName = "Xakia"

// AuthMode says how the app authenticates to the SCIM server.
type AuthMode string

// Authentication modes of an Okta SCIM app.
const (
	// AuthBearer sends "Authorization: Bearer <credential>" (Xakia's mode).
	AuthBearer AuthMode = "bearer"
	// AuthBasic sends "Authorization: Basic base64(<credential>)"; the
	// credential is "user:password".
	AuthBasic AuthMode = "basic"
	// AuthHeader sends the credential as the raw Authorization value.
	AuthHeader AuthMode = "header"
)

// Style is the kind of Okta app: a catalogue (OIN) template or a custom app
// built with the App Integration Wizard (AIW).
type Style string

// App styles.
const (
	// StyleOIN uses PATCH for active and password changes.
	StyleOIN Style = "oin"
	// StyleAIW uses GET then PUT for every change.
	StyleAIW Style = "aiw"
)

// UpdateMethod is how an OIN app pushes a profile change: Okta's SCIM
// reference shows GET then PUT, its FAQ says PATCH. AIW apps always PUT.
type UpdateMethod string

// OIN profile update methods.
const (
	// UpdatePUT is GET then PUT of the whole user (the default: Okta's SCIM
	// 2.0 reference and its note that the SCIM 2.0 test apps PATCH only
	// active and password, so the Xakia catalogue app most likely PUTs).
	UpdatePUT UpdateMethod = "put"
	// UpdatePATCH is one no-path PATCH replace carrying the profile; its
	// body is inferred.
	UpdatePATCH UpdateMethod = "patch"
)

// ToApp are the "Provisioning → To App" toggles of the app.
type ToApp struct {
	CreateUsers     bool `json:"createUsers"`
	UpdateUsers     bool `json:"updateUsers"`
	DeactivateUsers bool `json:"deactivateUsers"`
	SyncPassword    bool `json:"syncPassword"`
}

// DefaultToApp enables create, update and deactivate, as the Xakia guide says.
func DefaultToApp() ToApp {
	return ToApp{CreateUsers: true, UpdateUsers: true, DeactivateUsers: true}
}

// App is one Okta app instance with SCIM provisioning configured.
type App struct {
	Name       string   // shown in messages; DefaultAppName when empty
	BaseURL    string   // SCIM base URI, without the trailing slash
	Auth       AuthMode // bearer when empty
	Credential string   // API key, "user:password" or raw header value
	Style      Style    // oin when empty
	// ToApp are the enabled provisioning features; the zero value means
	// DefaultToApp() (an app with every feature off would send nothing).
	ToApp ToApp
	// Groups says the app has group features (group push or group import).
	// Only then does Test API Credentials require GET /Groups to succeed;
	// otherwise a /Groups failure is advice. Xakia has no groups: false.
	Groups bool
	// ProfileUpdate is how an OIN app pushes profile changes; UpdatePUT
	// when empty. AIW apps ignore it (they always PUT).
	ProfileUpdate UpdateMethod
}

// Validate checks the app configuration and fills in defaults.
func (a *App) Validate() error {
	if a.Name == "" {
		a.Name = DefaultAppName
	}
	if a.Auth == "" {
		a.Auth = AuthBearer
	}
	if a.Style == "" {
		a.Style = StyleOIN
	}
	if a.ProfileUpdate == "" {
		a.ProfileUpdate = UpdatePUT
	}
	if a.ToApp == (ToApp{}) {
		a.ToApp = DefaultToApp()
	}
	a.BaseURL = strings.TrimRight(strings.TrimSpace(a.BaseURL), "/")
	if a.BaseURL == "" {
		return errors.New("the SCIM base URL is empty")
	}
	u, err := url.Parse(a.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("the SCIM base URL %q is not an http(s) URL", a.BaseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("the SCIM base URL %q must not have a query or fragment", a.BaseURL)
	}
	switch a.Auth {
	case AuthBearer, AuthBasic, AuthHeader:
	default:
		return fmt.Errorf("unknown auth mode %q (bearer, basic or header)", a.Auth)
	}
	if a.Auth == AuthBasic && !strings.Contains(a.Credential, ":") {
		return errors.New(`basic auth needs a credential of the form "user:password"`)
	}
	if a.Credential == "" {
		return errors.New("the API key is empty")
	}
	switch a.Style {
	case StyleOIN, StyleAIW:
	default:
		return fmt.Errorf("unknown app style %q (oin or aiw)", a.Style)
	}
	switch a.ProfileUpdate {
	case UpdatePUT, UpdatePATCH:
	default:
		return fmt.Errorf("unknown profile update method %q (put or patch)", a.ProfileUpdate)
	}
	return nil
}

// AuthorizationHeader returns the Authorization header value Okta sends.
func (a App) AuthorizationHeader() string {
	switch a.Auth {
	case AuthBasic:
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(a.Credential))
	case AuthHeader:
		return a.Credential
	default:
		return "Bearer " + a.Credential
	}
}

// InsecureRemote reports whether the base URL is plain http to a host that
// is not a loopback address; Okta refuses such URLs in production.
func (a App) InsecureRemote() bool {
	u, err := url.Parse(a.BaseURL)
	if err != nil || u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}
