package serve

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/mockokta/org"
)

// Okta's sign-on modes of the two app kinds: the SDK decodes apps by
// signOnMode, and these two are among the modes it knows. A Xakia SCIM
// app instance is a bookmark to Xakia with provisioning; the OIDC app is an
// OpenID Connect web client.
const (
	signOnSCIM = "BOOKMARK"
	signOnOIDC = "OPENID_CONNECT"
	// xakiaURL is the bookmark of the Xakia app.
	xakiaURL = "https://app.xakia.com"
)

// app renders an app as Okta's Application.
func (a *api) app(app org.App) map[string]any {
	self := "/api/v1/apps/" + url.PathEscape(app.ID)
	links := map[string]any{
		"self":       a.href(self),
		"users":      a.href(self + "/users"),
		"deactivate": a.href(self + "/lifecycle/deactivate"),
	}
	out := map[string]any{
		"id":          app.ID,
		"label":       app.Label,
		"status":      app.Status,
		"created":     oktaTime(app.Created),
		"lastUpdated": oktaTime(app.LastUpdated),
		"accessibility": map[string]any{
			"selfService": false, "errorRedirectUrl": nil, "loginRedirectUrl": nil,
		},
		"visibility": map[string]any{
			"autoSubmitToolbar": false, "hide": map[string]bool{"iOS": false, "web": false},
		},
		"_links": links,
	}
	switch app.Kind {
	case org.KindSCIM:
		out["name"] = "xakia"
		out["signOnMode"] = signOnSCIM
		out["features"] = features(*app.Provisioning)
		out["credentials"] = map[string]any{
			"scheme":           "NONE",
			"userNameTemplate": map[string]any{"template": "${source.login}", "type": "BUILT_IN"},
		}
		out["settings"] = map[string]any{
			"app": map[string]any{"requestIntegration": false, "url": xakiaURL},
		}
		links["connections"] = a.href(self + "/connections/default")
		links["features"] = a.href(self + "/features")
	case org.KindOIDC:
		out["name"] = "oidc_client"
		out["signOnMode"] = signOnOIDC
		out["credentials"] = map[string]any{
			"userNameTemplate": map[string]any{"template": "${source.login}", "type": "BUILT_IN"},
			"oauthClient": map[string]any{
				"autoKeyRotation":            true,
				"client_id":                  app.OIDC.ClientID,
				"token_endpoint_auth_method": "client_secret_basic",
			},
		}
		out["settings"] = map[string]any{
			"app": map[string]any{},
			"oauthClient": map[string]any{
				"redirect_uris":    app.OIDC.RedirectURIs,
				"response_types":   []string{"code"},
				"grant_types":      []string{"authorization_code"},
				"application_type": "web",
				"consent_method":   "REQUIRED",
			},
		}
	}
	return out
}

// features lists the app's provisioning features in Okta's names.
func features(p org.Provisioning) []string {
	out := []string{}
	if !p.Enabled {
		return out
	}
	if p.ToApp.CreateUsers {
		out = append(out, "PUSH_NEW_USERS")
	}
	if p.ToApp.UpdateUsers {
		out = append(out, "PUSH_PROFILE_UPDATES")
	}
	if p.ToApp.DeactivateUsers {
		out = append(out, "PUSH_USER_DEACTIVATION")
	}
	if p.ToApp.SyncPassword {
		out = append(out, "PUSH_PASSWORD_UPDATES")
	}
	return out
}

func (a *api) listApps(w http.ResponseWriter, r *http.Request) {
	limit, after, ok := paging(w, r)
	if !ok {
		return
	}
	apps, err := a.org.Apps(r.Context())
	if err != nil {
		a.orgError(w, r, err, "App", "")
		return
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	if limit == 0 {
		limit = org.DefaultLimit
	}
	out := []map[string]any{}
	next, started := "", after == ""
	for _, app := range apps {
		if !started {
			started = app.ID == after
			continue
		}
		if q != "" && !strings.HasPrefix(strings.ToLower(app.Label), q) {
			continue
		}
		if len(out) == limit {
			next, _ = out[len(out)-1]["id"].(string)
			break
		}
		out = append(out, a.app(app))
	}
	a.writeLinks(w, r, next, limit)
	writeJSON(w, http.StatusOK, out)
}

func (a *api) getApp(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "appId")
	app, err := a.org.App(r.Context(), id)
	if err != nil {
		a.orgError(w, r, err, "App", id)
		return
	}
	writeJSON(w, http.StatusOK, a.app(app))
}

// appUser renders an assignment as Okta's AppUser.
func (a *api) appUser(as org.Assignment, p org.Person) map[string]any {
	out := map[string]any{
		"id":              as.PersonID,
		"externalId":      nilIfEmpty(as.SCIMID),
		"created":         oktaTime(as.Created),
		"lastUpdated":     oktaTime(as.LastUpdated),
		"scope":           "USER",
		"status":          as.Status,
		"statusChanged":   oktaTime(as.LastUpdated),
		"passwordChanged": nil,
		"syncState":       as.SyncState,
		"lastSync":        oktaTime(as.LastSync),
		"credentials":     map[string]any{"userName": p.Profile.Login},
		"profile": map[string]any{
			"givenName": p.Profile.FirstName, "familyName": p.Profile.LastName,
			"email": p.Profile.Email, "displayName": p.Profile.DisplayName, "locale": p.Profile.Locale,
		},
		"_links": map[string]any{
			"app":  a.href("/api/v1/apps/" + url.PathEscape(as.AppID)),
			"user": a.href("/api/v1/users/" + url.PathEscape(as.PersonID)),
		},
	}
	if as.LastError != "" {
		// Okta shows the failure on the assignment; the SDK keeps unknown
		// properties in AdditionalProperties.
		out["_embedded"] = map[string]any{"provisioningError": map[string]any{"errorSummary": as.LastError}}
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (a *api) listAppUsers(w http.ResponseWriter, r *http.Request) {
	appID := pathID(r, "appId")
	limit, after, ok := paging(w, r)
	if !ok {
		return
	}
	page, err := a.org.Assignments(r.Context(), appID, org.AssignmentQuery{Q: r.URL.Query().Get("q"), After: after, Limit: limit})
	if err != nil {
		a.orgError(w, r, err, "App", appID)
		return
	}
	out := make([]map[string]any, 0, len(page.Items))
	for _, as := range page.Items {
		p, err := a.org.Person(r.Context(), as.PersonID)
		if err != nil {
			a.orgError(w, r, err, "User", as.PersonID)
			return
		}
		out = append(out, a.appUser(as, p))
	}
	a.writeLinks(w, r, page.Next, limit)
	writeJSON(w, http.StatusOK, out)
}

func (a *api) assignUser(w http.ResponseWriter, r *http.Request) {
	appID := pathID(r, "appId")
	var req struct {
		ID    string `json:"id"`
		Scope string `json:"scope"`
	}
	if !a.readJSON(w, r, &req, false) {
		return
	}
	if strings.TrimSpace(req.ID) == "" {
		writeError(w, r, http.StatusBadRequest, "E0000001", "Api validation failed: id", []string{"id: The field cannot be left blank"})
		return
	}
	if req.Scope != "" && !strings.EqualFold(req.Scope, "USER") {
		writeError(w, r, http.StatusBadRequest, "E0000001", "Api validation failed: scope", []string{"scope: only USER assignments are modelled"})
		return
	}
	as, err := a.org.Assign(r.Context(), appID, req.ID)
	if err != nil {
		a.orgError(w, r, err, "App or User", appID+" / "+req.ID)
		return
	}
	p, err := a.org.Person(r.Context(), as.PersonID)
	if err != nil {
		a.orgError(w, r, err, "User", req.ID)
		return
	}
	writeJSON(w, http.StatusOK, a.appUser(as, p))
}

func (a *api) getAppUser(w http.ResponseWriter, r *http.Request) {
	appID, userID := pathID(r, "appId"), pathID(r, "userId")
	as, err := a.org.Assignment(r.Context(), appID, userID)
	if err != nil {
		a.orgError(w, r, err, "AppUser", userID)
		return
	}
	p, err := a.org.Person(r.Context(), as.PersonID)
	if err != nil {
		a.orgError(w, r, err, "User", userID)
		return
	}
	writeJSON(w, http.StatusOK, a.appUser(as, p))
}

func (a *api) unassignUser(w http.ResponseWriter, r *http.Request) {
	appID, userID := pathID(r, "appId"), pathID(r, "userId")
	if err := a.org.Unassign(r.Context(), appID, userID); err != nil {
		a.orgError(w, r, err, "AppUser", userID)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// scimApp loads a SCIM app or answers 404.
func (a *api) scimApp(w http.ResponseWriter, r *http.Request) (org.App, bool) {
	id := pathID(r, "appId")
	app, err := a.org.App(r.Context(), id)
	if err == nil && app.Kind != org.KindSCIM {
		err = org.ErrNotFound
	}
	if err != nil {
		a.orgError(w, r, err, "Provisioning connection of App", id)
		return org.App{}, false
	}
	return app, true
}

// connection renders the default provisioning connection. The token is
// never returned.
func (a *api) connection(app org.App) map[string]any {
	self := "/api/v1/apps/" + url.PathEscape(app.ID) + "/connections/default"
	status := "DISABLED"
	links := map[string]any{"self": a.href(self)}
	if app.Provisioning.Enabled {
		status = "ENABLED"
		l := a.href(self + "/lifecycle/deactivate")
		l["method"] = "POST"
		links["deactivate"] = l
	} else {
		l := a.href(self + "/lifecycle/activate")
		l["method"] = "POST"
		links["activate"] = l
	}
	return map[string]any{
		"authScheme": "TOKEN",
		"baseUrl":    app.Provisioning.BaseURL,
		"profile":    map[string]any{"authScheme": "TOKEN"},
		"status":     status,
		"_links":     links,
	}
}

func (a *api) getConnection(w http.ResponseWriter, r *http.Request) {
	app, ok := a.scimApp(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, a.connection(app))
}

// setConnection is POST connections/default[?activate=true]: the base URL
// and the token (authScheme TOKEN only: Xakia's).
func (a *api) setConnection(w http.ResponseWriter, r *http.Request) {
	app, ok := a.scimApp(w, r)
	if !ok {
		return
	}
	activate, ok := queryBool(w, r, "activate", false)
	if !ok {
		return
	}
	var req struct {
		BaseURL string `json:"baseUrl"`
		Profile struct {
			AuthScheme string `json:"authScheme"`
			Token      string `json:"token"`
		} `json:"profile"`
	}
	if !a.readJSON(w, r, &req, false) {
		return
	}
	if !strings.EqualFold(req.Profile.AuthScheme, "TOKEN") {
		writeError(w, r, http.StatusBadRequest, "E0000001", "Api validation failed: profile.authScheme", []string{"profile.authScheme: the Xakia app authenticates with TOKEN (OAuth 2.0 connections are not modelled)"})
		return
	}
	app, err := a.org.SetConnection(r.Context(), app.ID, org.Connection{BaseURL: req.BaseURL, Token: req.Profile.Token, Enable: activate})
	if err != nil {
		a.orgError(w, r, err, "App", app.ID)
		return
	}
	writeJSON(w, http.StatusOK, a.connection(app))
}

func (a *api) connectionLifecycle(w http.ResponseWriter, r *http.Request) {
	app, ok := a.scimApp(w, r)
	if !ok {
		return
	}
	var enable bool
	switch pathID(r, "op") {
	case "activate":
		enable = true
	case "deactivate":
	default:
		writeError(w, r, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+pathID(r, "op")+" (Lifecycle operation)", nil)
		return
	}
	if _, err := a.org.SetConnectionEnabled(r.Context(), app.ID, enable); err != nil {
		a.orgError(w, r, err, "App", app.ID)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// featureName is the only feature the Xakia app has: To App.
const featureName = "USER_PROVISIONING"

func enabled(b bool) string {
	if b {
		return "ENABLED"
	}
	return "DISABLED"
}

// feature renders USER_PROVISIONING with the To App toggles.
func (a *api) feature(app org.App) map[string]any {
	t := app.Provisioning.ToApp
	self := "/api/v1/apps/" + url.PathEscape(app.ID) + "/features/" + featureName
	seed := "RANDOM"
	if t.SyncPassword {
		seed = "OKTA"
	}
	return map[string]any{
		"name":        featureName,
		"status":      enabled(app.Provisioning.Enabled),
		"description": "User provisioning settings from Okta to a downstream application",
		"capabilities": map[string]any{
			"create": map[string]any{"lifecycleCreate": map[string]any{"status": enabled(t.CreateUsers)}},
			"update": map[string]any{
				"profile":             map[string]any{"status": enabled(t.UpdateUsers)},
				"lifecycleDeactivate": map[string]any{"status": enabled(t.DeactivateUsers)},
				"password":            map[string]any{"status": enabled(t.SyncPassword), "seed": seed, "change": "KEEP_EXISTING"},
			},
		},
		"_links": map[string]any{"self": a.href(self), "application": a.href("/api/v1/apps/" + url.PathEscape(app.ID))},
	}
}

func (a *api) listFeatures(w http.ResponseWriter, r *http.Request) {
	app, ok := a.scimApp(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, []map[string]any{a.feature(app)})
}

func (a *api) featureApp(w http.ResponseWriter, r *http.Request) (org.App, bool) {
	app, ok := a.scimApp(w, r)
	if !ok {
		return org.App{}, false
	}
	if name := pathID(r, "name"); name != featureName {
		writeError(w, r, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+name+" (AppFeature)", nil)
		return org.App{}, false
	}
	return app, true
}

func (a *api) getFeature(w http.ResponseWriter, r *http.Request) {
	app, ok := a.featureApp(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, a.feature(app))
}

// statusObject is {"status": "ENABLED"|"DISABLED"}.
type statusObject struct {
	Status *string `json:"status"`
}

// updateFeature is PUT features/USER_PROVISIONING with Okta's capabilities
// object; only the capabilities given change.
func (a *api) updateFeature(w http.ResponseWriter, r *http.Request) {
	app, ok := a.featureApp(w, r)
	if !ok {
		return
	}
	var req struct {
		Create *struct {
			LifecycleCreate *statusObject `json:"lifecycleCreate"`
		} `json:"create"`
		Update *struct {
			Profile             *statusObject `json:"profile"`
			LifecycleDeactivate *statusObject `json:"lifecycleDeactivate"`
			Password            *statusObject `json:"password"`
		} `json:"update"`
	}
	if !a.readJSON(w, r, &req, false) {
		return
	}
	t := app.Provisioning.ToApp
	set := func(dst *bool, s *statusObject, field string) bool {
		if s == nil || s.Status == nil {
			return true
		}
		switch strings.ToUpper(*s.Status) {
		case "ENABLED":
			*dst = true
		case "DISABLED":
			*dst = false
		default:
			writeError(w, r, http.StatusBadRequest, "E0000001", "Api validation failed: "+field, []string{field + ": must be ENABLED or DISABLED"})
			return false
		}
		return true
	}
	if req.Create != nil && !set(&t.CreateUsers, req.Create.LifecycleCreate, "create.lifecycleCreate.status") {
		return
	}
	if req.Update != nil {
		if !set(&t.UpdateUsers, req.Update.Profile, "update.profile.status") ||
			!set(&t.DeactivateUsers, req.Update.LifecycleDeactivate, "update.lifecycleDeactivate.status") ||
			!set(&t.SyncPassword, req.Update.Password, "update.password.status") {
			return
		}
	}
	app, err := a.org.SetToApp(r.Context(), app.ID, mockokta.ToApp(t))
	if err != nil {
		a.orgError(w, r, err, "App", app.ID)
		return
	}
	writeJSON(w, http.StatusOK, a.feature(app))
}
