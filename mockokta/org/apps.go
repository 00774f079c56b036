package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/mockokta"
)

// AppKind is the kind of an app instance.
type AppKind string

// App kinds.
const (
	// KindSCIM is a Xakia app instance with SCIM provisioning (one per
	// Xakia location).
	KindSCIM AppKind = "scim"
	// KindOIDC is the Xakia OIDC app (sign-in).
	KindOIDC AppKind = "oidc"
)

// Default labels of the apps created at first start.
const (
	DefaultSCIMLabel = "Xakia"
	DefaultOIDCLabel = "Xakia OIDC"
)

// App statuses (Okta's).
const (
	AppActive   = "ACTIVE"
	AppInactive = "INACTIVE"
)

// Provisioning is a SCIM app's provisioning settings: the connection
// ("Configure API Integration") and the To App toggles. The SCIM API token
// itself is never returned; HasToken says one is stored.
type Provisioning struct {
	// BaseURL is the SCIM Base URI ("" until configured).
	BaseURL string `json:"baseUrl"`
	// HasToken says an API token is stored.
	HasToken bool `json:"hasToken"`
	// Enabled is "Enable API integration": the connection is ENABLED and
	// provisioning tasks run.
	Enabled bool `json:"enabled"`
	// Style is the app style: OIN (PATCH) or AIW (GET then PUT).
	Style mockokta.Style `json:"style"`
	// ProfileUpdate is how an OIN app pushes profile changes.
	ProfileUpdate mockokta.UpdateMethod `json:"profileUpdate"`
	// ToApp are the To App toggles.
	ToApp mockokta.ToApp `json:"toApp"`
}

// OIDCSettings are the OIDC app's client settings ("Sign On" tab). The
// client id is the app id, as in Okta.
type OIDCSettings struct {
	ClientID     string   `json:"clientId"`
	RedirectURIs []string `json:"redirectUris"`
}

// App is an app instance of the org.
type App struct {
	ID          string    `json:"id"` // "0oa…"
	Kind        AppKind   `json:"kind"`
	Label       string    `json:"label"`
	Status      string    `json:"status"` // ACTIVE or INACTIVE
	Created     time.Time `json:"created"`
	LastUpdated time.Time `json:"lastUpdated"`
	// Provisioning is set for KindSCIM apps.
	Provisioning *Provisioning `json:"provisioning,omitempty"`
	// OIDC is set for KindOIDC apps.
	OIDC *OIDCSettings `json:"oidc,omitempty"`
}

// appSettings is the stored settings column.
type appSettings struct {
	Provisioning *Provisioning `json:"provisioning,omitempty"`
	RedirectURIs []string      `json:"redirectUris,omitempty"`
}

// checkLabel validates an app label.
func checkLabel(label string) (string, error) {
	label = strings.TrimSpace(label)
	if label == "" || len(label) > 100 || strings.ContainsAny(label, "\x00\r\n") {
		return "", invalidf("label: an app label is 1 to 100 characters on one line")
	}
	return label, nil
}

// checkRedirectURIs validates redirect URIs: absolute http(s) URLs without
// a fragment (http only on loopback hosts, as Okta allows for development).
func checkRedirectURIs(uris []string) ([]string, error) {
	if len(uris) > 20 {
		return nil, invalidf("redirect_uris: at most 20")
	}
	out := make([]string, 0, len(uris))
	for _, s := range uris {
		s = strings.TrimSpace(s)
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Fragment != "" || len(s) > 1024 {
			return nil, invalidf("redirect_uris: %q is not an absolute http(s) URL without a fragment", s)
		}
		out = append(out, s)
	}
	return out, nil
}

// insertApp creates an app inside tx.
func (o *Org) insertApp(ctx context.Context, e execer, kind AppKind, label string, redirectURIs []string) (App, error) {
	label, err := checkLabel(label)
	if err != nil {
		return App{}, err
	}
	id, err := newID("0oa")
	if err != nil {
		return App{}, err
	}
	var st appSettings
	secret := ""
	switch kind {
	case KindSCIM:
		st.Provisioning = &Provisioning{Style: mockokta.StyleOIN, ProfileUpdate: mockokta.UpdatePUT, ToApp: mockokta.ToApp{}}
	case KindOIDC:
		if st.RedirectURIs, err = checkRedirectURIs(redirectURIs); err != nil {
			return App{}, err
		}
		if secret, err = randomString(40); err != nil {
			return App{}, err
		}
	default:
		return App{}, invalidf("unknown app kind %q", kind)
	}
	b, _ := json.Marshal(st)
	now := o.stamp()
	if _, err := e.ExecContext(ctx, `INSERT INTO apps(id, kind, label, status, settings, client_secret, created, last_updated) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
		id, string(kind), label, AppActive, string(b), secret, now, now); err != nil {
		return App{}, err
	}
	a := App{ID: id, Kind: kind, Label: label, Status: AppActive, Created: parseTime(now), LastUpdated: parseTime(now)}
	a.fill(st, false)
	return a, nil
}

func (a *App) fill(st appSettings, hasToken bool) {
	switch a.Kind {
	case KindSCIM:
		p := Provisioning{}
		if st.Provisioning != nil {
			p = *st.Provisioning
		}
		p.HasToken = hasToken
		a.Provisioning = &p
	case KindOIDC:
		a.OIDC = &OIDCSettings{ClientID: a.ID, RedirectURIs: append([]string{}, st.RedirectURIs...)}
	}
}

// AddXakiaApp adds a Xakia app instance with SCIM provisioning (Browse App
// Catalog → Xakia → Add): OIN style, connection not configured, To App
// toggles off.
func (o *Org) AddXakiaApp(ctx context.Context, label string) (App, error) {
	return o.insertApp(ctx, o.db, KindSCIM, label, nil)
}

// AddOIDCApp adds a Xakia OIDC app with its redirect URIs and a new client
// secret.
func (o *Org) AddOIDCApp(ctx context.Context, label string, redirectURIs []string) (App, error) {
	return o.insertApp(ctx, o.db, KindOIDC, label, redirectURIs)
}

const appColumns = `id, kind, label, status, settings, scim_token != '', created, last_updated`

func scanApp(s scanner) (App, error) {
	var (
		a                     App
		kind, st, created, lu string
		hasToken              bool
	)
	if err := s.Scan(&a.ID, &kind, &a.Label, &a.Status, &st, &hasToken, &created, &lu); err != nil {
		return App{}, err
	}
	a.Kind = AppKind(kind)
	a.Created, a.LastUpdated = parseTime(created), parseTime(lu)
	var settings appSettings
	if err := json.Unmarshal([]byte(st), &settings); err != nil {
		return App{}, fmt.Errorf("org: stored settings of app %s: %w", a.ID, err)
	}
	a.fill(settings, hasToken)
	return a, nil
}

// Apps returns every app, in creation order.
func (o *Org) Apps(ctx context.Context) ([]App, error) {
	rows, err := o.db.QueryContext(ctx, `SELECT `+appColumns+` FROM apps ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []App
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// App returns the app with that id.
func (o *Org) App(ctx context.Context, id string) (App, error) {
	return o.appQ(ctx, o.db, id)
}

func (o *Org) appQ(ctx context.Context, q querier, id string) (App, error) {
	a, err := scanApp(q.QueryRowContext(ctx, `SELECT `+appColumns+` FROM apps WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return App{}, fmt.Errorf("%w: app %s", ErrNotFound, id)
	}
	return a, err
}

// OIDCClient returns the OIDC app whose client id is clientID and its
// client secret (for the OIDC provider; the console shows it on the Sign
// On tab). ErrNotFound when no OIDC app has that client id.
func (o *Org) OIDCClient(ctx context.Context, clientID string) (App, string, error) {
	a, err := o.App(ctx, clientID)
	if err != nil || a.Kind != KindOIDC {
		return App{}, "", fmt.Errorf("%w: OIDC client %s", ErrNotFound, clientID)
	}
	var secret string
	if err := o.db.QueryRowContext(ctx, `SELECT client_secret FROM apps WHERE id = ?`, a.ID).Scan(&secret); err != nil {
		return App{}, "", err
	}
	return a, secret, nil
}

// SetRedirectURIs replaces the redirect URIs of an OIDC app.
func (o *Org) SetRedirectURIs(ctx context.Context, appID string, uris []string) (App, error) {
	uris, err := checkRedirectURIs(uris)
	if err != nil {
		return App{}, err
	}
	return o.updateSettings(ctx, appID, KindOIDC, func(st *appSettings, _ *string) error {
		st.RedirectURIs = uris
		return nil
	})
}

// SetAppLabel renames an app.
func (o *Org) SetAppLabel(ctx context.Context, appID, label string) (App, error) {
	label, err := checkLabel(label)
	if err != nil {
		return App{}, err
	}
	res, err := o.db.ExecContext(ctx, `UPDATE apps SET label = ?, last_updated = ? WHERE id = ?`, label, o.stamp(), appID)
	if err != nil {
		return App{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return App{}, fmt.Errorf("%w: app %s", ErrNotFound, appID)
	}
	return o.App(ctx, appID)
}

// updateSettings changes an app's settings (and, for SCIM apps, its token)
// in one transaction.
func (o *Org) updateSettings(ctx context.Context, appID string, kind AppKind, change func(*appSettings, *string) error) (App, error) {
	err := o.inTx(ctx, func(tx *sql.Tx) error {
		var raw, token, k string
		err := tx.QueryRowContext(ctx, `SELECT kind, settings, scim_token FROM apps WHERE id = ?`, appID).Scan(&k, &raw, &token)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: app %s", ErrNotFound, appID)
		}
		if err != nil {
			return err
		}
		if AppKind(k) != kind {
			return invalidf("app %s is a %s app, not a %s app", appID, k, kind)
		}
		var st appSettings
		if err := json.Unmarshal([]byte(raw), &st); err != nil {
			return err
		}
		if kind == KindSCIM && st.Provisioning == nil {
			st.Provisioning = &Provisioning{}
		}
		if err := change(&st, &token); err != nil {
			return err
		}
		b, _ := json.Marshal(st)
		_, err = tx.ExecContext(ctx, `UPDATE apps SET settings = ?, scim_token = ?, last_updated = ? WHERE id = ?`, string(b), token, o.stamp(), appID)
		return err
	})
	if err != nil {
		return App{}, err
	}
	return o.App(ctx, appID)
}

// Connection is the input of [Org.SetConnection].
type Connection struct {
	// BaseURL is the SCIM Base URI (required).
	BaseURL string
	// Token is the SCIM API token; empty keeps the stored one (an error
	// when none is stored).
	Token string
	// Style is oin or aiw; empty keeps the current style.
	Style mockokta.Style
	// ProfileUpdate is put or patch (OIN only); empty keeps the current one.
	ProfileUpdate mockokta.UpdateMethod
	// Enable turns the connection on ("Enable API integration"); false
	// leaves its status as it is.
	Enable bool
}

// maxToken bounds a stored SCIM API token.
const maxToken = 4096

// SetConnection configures a SCIM app's connection ("Configure API
// Integration" → Save). The settings are validated as the library
// validates an app (http(s) URL without query, a token, a known style).
func (o *Org) SetConnection(ctx context.Context, appID string, c Connection) (App, error) {
	if len(c.Token) > maxToken || strings.ContainsAny(c.Token, "\r\n") {
		return App{}, invalidf("token: at most %d characters on one line", maxToken)
	}
	return o.updateSettings(ctx, appID, KindSCIM, func(st *appSettings, token *string) error {
		p := st.Provisioning
		next := *p
		next.BaseURL = strings.TrimRight(strings.TrimSpace(c.BaseURL), "/")
		if c.Style != "" {
			next.Style = c.Style
		}
		if c.ProfileUpdate != "" {
			next.ProfileUpdate = c.ProfileUpdate
		}
		tok := *token
		if c.Token != "" {
			tok = c.Token
		}
		if _, err := libraryApp("check", next, tok); err != nil {
			return err
		}
		if c.Enable {
			next.Enabled = true
		}
		*p, *token = next, tok
		return nil
	})
}

// SetConnectionEnabled activates or deactivates a SCIM app's connection
// (Okta's connection lifecycle). Activating needs a base URL and a token.
func (o *Org) SetConnectionEnabled(ctx context.Context, appID string, enabled bool) (App, error) {
	return o.updateSettings(ctx, appID, KindSCIM, func(st *appSettings, token *string) error {
		if enabled {
			if _, err := libraryApp("check", *st.Provisioning, *token); err != nil {
				return fmt.Errorf("%w (configure the API integration first)", err)
			}
		}
		st.Provisioning.Enabled = enabled
		return nil
	})
}

// SetToApp saves a SCIM app's To App toggles.
func (o *Org) SetToApp(ctx context.Context, appID string, t mockokta.ToApp) (App, error) {
	return o.updateSettings(ctx, appID, KindSCIM, func(st *appSettings, _ *string) error {
		st.Provisioning.ToApp = t
		return nil
	})
}

// libraryApp builds the library's app from stored settings.
func libraryApp(label string, p Provisioning, token string) (mockokta.App, error) {
	a := mockokta.App{
		Name:          label,
		BaseURL:       p.BaseURL,
		Auth:          mockokta.AuthBearer,
		Credential:    token,
		Style:         p.Style,
		ProfileUpdate: p.ProfileUpdate,
		ToApp:         p.ToApp,
	}
	if a.ToApp == (mockokta.ToApp{}) {
		// The library reads all-off toggles as "not set" and turns on its
		// defaults; Sync Password alone keeps Create, Update and
		// Deactivate off (the org never queues a password push).
		a.ToApp.SyncPassword = true
	}
	if a.BaseURL == "" {
		return a, invalidf("baseUrl: the SCIM Base URI is empty")
	}
	if token == "" {
		return a, invalidf("token: the API token is empty")
	}
	if err := a.Validate(); err != nil {
		return a, invalidf("%v", err)
	}
	return a, nil
}

// appForTask loads what a task needs: the app, its library form and
// whether its connection is enabled.
func (o *Org) appForTask(ctx context.Context, appID string) (App, mockokta.App, error) {
	a, err := o.App(ctx, appID)
	if err != nil {
		return App{}, mockokta.App{}, err
	}
	if a.Kind != KindSCIM {
		return a, mockokta.App{}, invalidf("app %s has no provisioning", appID)
	}
	var token string
	if err := o.db.QueryRowContext(ctx, `SELECT scim_token FROM apps WHERE id = ?`, appID).Scan(&token); err != nil {
		return App{}, mockokta.App{}, err
	}
	la, err := libraryApp(a.Label, *a.Provisioning, token)
	return a, la, err
}

// TestConnection replays Okta's "Test API Credentials" for a SCIM app,
// synchronously, with the given base URL and token, or the stored ones
// where they are empty. Nothing is saved; the outcome is recorded in the
// provisioning log.
func (o *Org) TestConnection(ctx context.Context, appID, baseURL, token string) (mockokta.TaskResult, error) {
	a, stored, err := o.appForTask(ctx, appID)
	if err != nil && !errors.Is(err, ErrInvalid) {
		return mockokta.TaskResult{}, err
	}
	if a.Kind != KindSCIM {
		return mockokta.TaskResult{}, err
	}
	p := *a.Provisioning
	if baseURL != "" {
		p.BaseURL = strings.TrimRight(strings.TrimSpace(baseURL), "/")
	}
	if token == "" {
		token = stored.Credential
		if token == "" {
			_ = o.db.QueryRowContext(ctx, `SELECT scim_token FROM apps WHERE id = ?`, appID).Scan(&token)
		}
	}
	la, err := libraryApp(a.Label, p, token)
	if err != nil {
		return mockokta.TaskResult{}, err
	}
	mo, err := mockokta.New(la, nil, o.libraryOptions())
	if err != nil {
		return mockokta.TaskResult{}, invalidf("%v", err)
	}
	r := mo.TestConnection(ctx)
	o.appendLog(ctx, 0, appID, "", "", r)
	return r, nil
}

// libraryOptions are the mock Okta options of one task: the org's
// transport, and a single run per task (the queue applies the 429 policy).
func (o *Org) libraryOptions() mockokta.Options {
	return mockokta.Options{
		Transport: o.transport,
		Timeout:   o.opts.Timeout,
		MaxBody:   o.opts.MaxBody,
		RateLimit: mockokta.RateLimitPolicy{MaxAttempts: 1, DefaultWait: o.opts.RateLimit.DefaultWait},
	}
}
