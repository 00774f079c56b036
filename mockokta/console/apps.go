package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/mockokta/org"
)

// catalogEntry is an app of the mock org's App Catalog.
type catalogEntry struct {
	Kind     org.AppKind
	Slug     string
	Name     string
	Summary  string
	Supports []string
	Label    string // default label of a new instance
}

// catalogEntries is the mock org's App Catalog: the two Xakia entries.
func catalogEntries() []catalogEntry {
	return []catalogEntry{
		{Kind: org.KindSCIM, Slug: "xakia", Name: "Xakia", Label: org.DefaultSCIMLabel,
			Summary:  "Legal practice software. Add one instance per Xakia location, and configure SCIM provisioning on each.",
			Supports: []string{"SCIM provisioning", "Create Users", "Update User Attributes", "Deactivate Users"}},
		{Kind: org.KindOIDC, Slug: "xakia-oidc", Name: "Xakia OIDC", Label: org.DefaultOIDCLabel,
			Summary:  "Sign in to Xakia with Okta (OpenID Connect). Added once, for every Xakia location.",
			Supports: []string{"OIDC", "SP-initiated SSO"}},
	}
}

func findCatalog(slug string) (catalogEntry, bool) {
	for _, e := range catalogEntries() {
		if e.Slug == slug {
			return e, true
		}
	}
	return catalogEntry{}, false
}

// importRun is an app's latest import, kept for its Import tab.
type importRun struct {
	At     time.Time
	Result org.ImportResult
}

// maxImports bounds the imports kept in memory.
const maxImports = 100

func (c *Console) apps(w http.ResponseWriter, r *http.Request, ss *session) {
	apps, err := c.org.Apps(r.Context())
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	c.render(w, r, ss, "apps", view{Title: "Applications", Nav: "apps", Data: map[string]any{"Apps": apps}})
}

func (c *Console) catalog(w http.ResponseWriter, r *http.Request, ss *session) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	var hits []catalogEntry
	for _, e := range catalogEntries() {
		if q == "" || strings.Contains(strings.ToLower(e.Name), strings.ToLower(q)) {
			hits = append(hits, e)
		}
	}
	c.render(w, r, ss, "catalog", view{Title: "Browse App Integration Catalog", Nav: "apps", Data: map[string]any{"Entries": hits, "Q": q}})
}

func (c *Console) catalogEntry(w http.ResponseWriter, r *http.Request, ss *session) {
	e, ok := findCatalog(r.PathValue("kind"))
	if !ok {
		c.refuse(w, r, http.StatusNotFound, "No such app in the catalog")
		return
	}
	apps, err := c.org.Apps(r.Context())
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	label, n := e.Label, 0
	for _, a := range apps {
		if a.Kind == e.Kind {
			n++
		}
	}
	if n > 0 {
		label = fmt.Sprintf("%s %d", e.Label, n+1)
	}
	c.render(w, r, ss, "catalog-entry", view{Title: e.Name, Nav: "apps",
		Data: map[string]any{"E": e, "Label": label, "Add": r.URL.Query().Get("add") != "", "Existing": n,
			"RedirectURI": org.DefaultOIDCRedirectURI}})
}

// lines splits a textarea into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (c *Console) addApp(w http.ResponseWriter, r *http.Request, ss *session) {
	e, ok := findCatalog(r.PostForm.Get("kind"))
	if !ok {
		c.done(w, r, ss, "/admin/catalog", invalid("No such app in the catalog"), "")
		return
	}
	var (
		a   org.App
		err error
		tab = "/provisioning"
	)
	if e.Kind == org.KindOIDC {
		a, err = c.org.AddOIDCApp(r.Context(), r.PostForm.Get("label"), lines(r.PostForm.Get("redirectUris")))
		tab = "/sign-on"
	} else {
		a, err = c.org.AddXakiaApp(r.Context(), r.PostForm.Get("label"))
	}
	if err != nil {
		c.done(w, r, ss, "/admin/catalog/"+url.PathEscape(e.Slug)+"?add=1", err, "")
		return
	}
	c.done(w, r, ss, "/admin/apps/"+url.PathEscape(a.ID)+tab, nil, fmt.Sprintf("Application %s was added", a.Label))
}

func (c *Console) appHome(w http.ResponseWriter, r *http.Request, ss *session) {
	a, err := c.org.App(r.Context(), r.PathValue("id"))
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	tab := "/provisioning"
	if a.Kind == org.KindOIDC {
		tab = "/sign-on"
	}
	http.Redirect(w, r, "/admin/apps/"+url.PathEscape(a.ID)+tab, http.StatusSeeOther)
}

// assignmentRows returns up to the first 10 pages of an app's assignments
// with their people.
func (c *Console) assignmentRows(r *http.Request, appID, q string) ([]appRow, error) {
	var rows []appRow
	after := ""
	for range 10 {
		page, err := c.org.Assignments(r.Context(), appID, org.AssignmentQuery{Q: q, After: after})
		if err != nil {
			return nil, err
		}
		for _, a := range page.Items {
			p, err := c.org.Person(r.Context(), a.PersonID)
			if err != nil {
				continue
			}
			rows = append(rows, appRow{A: a, Person: p})
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	return rows, nil
}

// appTab renders one tab of an app's page.
func (c *Console) appTab(tab string) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, ss *session) {
		a, err := c.org.App(r.Context(), r.PathValue("id"))
		if err != nil {
			c.notFound(w, r, err)
			return
		}
		scim := a.Kind == org.KindSCIM && a.Provisioning != nil
		if (tab == "integration" || tab == "to-app" || tab == "import") && !scim || tab == "sign-on" && a.OIDC == nil {
			c.refuse(w, r, http.StatusNotFound, "This app has no such tab")
			return
		}
		data := map[string]any{"App": a, "Tab": tab, "Edit": r.URL.Query().Get("edit") != "", "Issuer": c.opts.Issuer}
		switch tab {
		case "integration":
			d, ok := c.draft(ss, a.ID)
			data["Draft"], data["HasDraft"] = d, ok
		case "sign-on":
			_, secret, err := c.org.OIDCClient(r.Context(), a.ID)
			if err != nil {
				c.notFound(w, r, err)
				return
			}
			data["Secret"] = secret
		case "assignments":
			rows, err := c.assignmentRows(r, a.ID, "")
			if err != nil {
				c.notFound(w, r, err)
				return
			}
			data["Rows"] = rows
		case "import":
			c.importMu.Lock()
			run, ok := c.imports[a.ID]
			c.importMu.Unlock()
			if ok {
				data["Run"] = run
			}
		}
		c.render(w, r, ss, "app", view{Title: a.Label, Nav: "apps", Data: data})
	}
}

// draft is what the Integration form held when Test API Credentials ran:
// kept server-side so that Save can use the token without the page ever
// holding it again.
type draft struct {
	BaseURL string
	Token   string
	Enabled bool
}

func (c *Console) draftKey(ss *session, appID string) string { return ss.id + "/" + appID }

func (c *Console) draft(ss *session, appID string) (draft, bool) {
	c.draftMu.Lock()
	defer c.draftMu.Unlock()
	d, ok := c.drafts[c.draftKey(ss, appID)]
	return d, ok
}

func (c *Console) setDraft(ss *session, appID string, d *draft) {
	c.draftMu.Lock()
	defer c.draftMu.Unlock()
	if d == nil {
		delete(c.drafts, c.draftKey(ss, appID))
		return
	}
	if len(c.drafts) >= maxSessions {
		clear(c.drafts)
	}
	c.drafts[c.draftKey(ss, appID)] = *d
}

// saveIntegration handles the Integration form's three buttons: Test API
// Credentials (the values are kept server-side for Save; the token is
// never written back into the page), Save and Cancel.
func (c *Console) saveIntegration(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	base := "/admin/apps/" + url.PathEscape(id) + "/provisioning"
	f := r.PostForm
	d := draft{BaseURL: strings.TrimSpace(f.Get("baseUrl")), Token: strings.TrimSpace(f.Get("apiToken")), Enabled: f.Get("enabled") != ""}
	if d.Token == "" {
		if prev, ok := c.draft(ss, id); ok {
			d.Token = prev.Token
		}
	}
	switch f.Get("action") {
	case "cancel":
		c.setDraft(ss, id, nil)
		http.Redirect(w, r, base, http.StatusSeeOther)
	case "test":
		ctx, cancel := c.withTimeout(r)
		defer cancel()
		res, err := c.org.TestConnection(ctx, id, d.BaseURL, d.Token)
		c.setDraft(ss, id, &d)
		if err == nil && !res.OK {
			err = invalid(res.Message)
		}
		c.done(w, r, ss, base+"?edit=1", err, res.Message)
	case "save":
		var err error
		if d.Enabled {
			_, err = c.org.SetConnection(r.Context(), id, org.Connection{BaseURL: d.BaseURL, Token: d.Token, Enable: true})
		} else {
			_, err = c.org.SetConnectionEnabled(r.Context(), id, false)
		}
		if err != nil {
			c.setDraft(ss, id, &d)
			c.done(w, r, ss, base+"?edit=1", err, "")
			return
		}
		c.setDraft(ss, id, nil)
		c.done(w, r, ss, base, nil, "Your changes have been saved")
	default:
		c.done(w, r, ss, base+"?edit=1", invalid("Choose Test API Credentials, Save or Cancel"), "")
	}
}

func (c *Console) saveToApp(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	to := "/admin/apps/" + url.PathEscape(id) + "/provisioning/to-app"
	if r.PostForm.Get("action") == "cancel" {
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	f := r.PostForm
	t := mockokta.ToApp{
		CreateUsers: f.Get("createUsers") != "", UpdateUsers: f.Get("updateUsers") != "",
		DeactivateUsers: f.Get("deactivateUsers") != "", SyncPassword: f.Get("syncPassword") != "",
	}
	_, err := c.org.SetToApp(r.Context(), id, t)
	if err != nil {
		to += "?edit=1"
	}
	c.done(w, r, ss, to, err, "Your changes have been saved")
}

func (c *Console) saveSignOn(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	_, err := c.org.SetRedirectURIs(r.Context(), id, lines(r.PostForm.Get("redirectUris")))
	c.done(w, r, ss, "/admin/apps/"+url.PathEscape(id)+"/sign-on", err, "Your changes have been saved")
}

// importNow runs Okta's import (bounded) and keeps the result for the tab.
func (c *Console) importNow(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	back := "/admin/apps/" + url.PathEscape(id) + "/import"
	ctx, cancel := c.withTimeout(r)
	defer cancel()
	res, err := c.org.Import(ctx, id)
	if err != nil {
		c.done(w, r, ss, back, err, "")
		return
	}
	c.importMu.Lock()
	if len(c.imports) >= maxImports {
		clear(c.imports)
	}
	c.imports[id] = importRun{At: time.Now(), Result: res}
	c.importMu.Unlock()
	if !res.Task.OK {
		c.done(w, r, ss, back, invalid(res.Task.Message), "")
		return
	}
	c.done(w, r, ss, back, nil, res.Task.Message)
}

// assignPeople is the "Assign Xakia to People" dialog as a page: a search
// box, an Assign button per person, and Done.
func (c *Console) assignPeople(w http.ResponseWriter, r *http.Request, ss *session) {
	a, err := c.org.App(r.Context(), r.PathValue("id"))
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	rows, err := c.assignmentRows(r, a.ID, "")
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	assigned := map[string]bool{}
	for _, row := range rows {
		assigned[row.Person.ID] = true
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page, err := c.org.People(r.Context(), org.PeopleQuery{Q: q})
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	type pick struct {
		P        org.Person
		Assigned bool
	}
	var people []pick
	for _, p := range page.Items {
		if p.Status != mockokta.StatusDeactivated {
			people = append(people, pick{P: p, Assigned: assigned[p.ID]})
		}
	}
	c.render(w, r, ss, "assign", view{Title: "Assign " + a.Label + " to People", Nav: "apps",
		Data: map[string]any{"App": a, "People": people, "Q": q, "More": page.Next != ""}})
}

func (c *Console) assign(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	_, err := c.org.Assign(r.Context(), id, r.PostForm.Get("person"))
	to := "/admin/apps/" + url.PathEscape(id) + "/assign-people"
	if q := r.PostForm.Get("q"); q != "" {
		to += "?q=" + url.QueryEscape(q)
	}
	c.done(w, r, ss, to, err, "")
}

func (c *Console) unassign(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	err := c.org.Unassign(r.Context(), id, r.PathValue("person"))
	c.done(w, r, ss, "/admin/apps/"+url.PathEscape(id)+"/assignments", err, "Unassigned; Okta's deactivation is queued when the app provisioned the user")
}
