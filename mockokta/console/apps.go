package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/xakia-okta/scimtest/mockokta"
)

// catalogEntry is an app of the mock org's App Catalog.
type catalogEntry struct {
	Kind     AppKind
	Name     string
	Summary  string
	Supports []string
	Label    string // default label of a new instance
}

// catalogEntries is the mock org's App Catalog: the two Xakia entries.
func catalogEntries() []catalogEntry {
	return []catalogEntry{
		{Kind: KindXakia, Name: "Xakia", Label: "Xakia",
			Summary:  "Legal practice software. Add one instance per Xakia location, and configure SCIM provisioning on each.",
			Supports: []string{"SCIM provisioning", "Create Users", "Update User Attributes", "Deactivate Users"}},
		{Kind: KindXakiaOIDC, Name: "Xakia OIDC", Label: "Xakia OIDC",
			Summary:  "Sign in to Xakia with Okta (OpenID Connect). Added once, for every Xakia location.",
			Supports: []string{"OIDC", "SP-initiated SSO"}},
	}
}

func findCatalog(kind string) (catalogEntry, bool) {
	for _, e := range catalogEntries() {
		if string(e.Kind) == kind {
			return e, true
		}
	}
	return catalogEntry{}, false
}

func (c *Console) apps(w http.ResponseWriter, r *http.Request, ss *session) {
	c.render(w, r, ss, "apps", view{Title: "Applications", Nav: "apps", Data: map[string]any{"Apps": c.org.Apps()}})
}

func (c *Console) catalogPage(w http.ResponseWriter, r *http.Request, ss *session, q string) {
	var hits []catalogEntry
	for _, e := range catalogEntries() {
		if q == "" || strings.Contains(strings.ToLower(e.Name), strings.ToLower(q)) {
			hits = append(hits, e)
		}
	}
	c.render(w, r, ss, "catalog", view{Title: "Browse App Integration Catalog", Nav: "apps", Data: map[string]any{"Entries": hits, "Q": q}})
}

func (c *Console) catalog(w http.ResponseWriter, r *http.Request, ss *session) {
	c.catalogPage(w, r, ss, strings.TrimSpace(r.URL.Query().Get("q")))
}

func (c *Console) catalogEntry(w http.ResponseWriter, r *http.Request, ss *session) {
	e, ok := findCatalog(r.PathValue("kind"))
	if !ok {
		c.refuse(w, r, http.StatusNotFound, "No such app in the catalog")
		return
	}
	label := e.Label
	if e.Kind == KindXakia {
		n := 1
		for _, a := range c.org.Apps() {
			if a.Kind == KindXakia {
				n++
			}
		}
		if n > 1 {
			label = fmt.Sprintf("%s %d", e.Label, n)
		}
	}
	c.render(w, r, ss, "catalog-entry", view{Title: e.Name, Nav: "apps",
		Data: map[string]any{"E": e, "Label": label, "Add": r.URL.Query().Get("add") != ""}})
}

func (c *Console) addApp(w http.ResponseWriter, r *http.Request, ss *session) {
	kind := r.PostForm.Get("kind")
	if _, ok := findCatalog(kind); !ok {
		c.done(w, r, ss, "/admin/catalog", Invalid("No such app in the catalog"), "")
		return
	}
	a, err := c.org.AddApp(AppKind(kind), r.PostForm.Get("label"))
	if err != nil {
		c.done(w, r, ss, "/admin/catalog/"+url.PathEscape(kind)+"?add=1", err, "")
		return
	}
	tab := "/provisioning"
	if a.Kind == KindXakiaOIDC {
		tab = "/sign-on"
	}
	c.done(w, r, ss, "/admin/apps/"+url.PathEscape(a.ID)+tab, nil, fmt.Sprintf("Application %s was added", a.Label))
}

func (c *Console) appHome(w http.ResponseWriter, r *http.Request, ss *session) {
	a, err := c.org.App(r.PathValue("id"))
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	tab := "/provisioning"
	if a.Kind == KindXakiaOIDC {
		tab = "/sign-on"
	}
	http.Redirect(w, r, "/admin/apps/"+url.PathEscape(a.ID)+tab, http.StatusSeeOther)
}

// appTab renders one tab of an app's page.
func (c *Console) appTab(tab string) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, ss *session) {
		a, err := c.org.App(r.PathValue("id"))
		if err != nil {
			c.notFound(w, r, err)
			return
		}
		data := map[string]any{"App": a, "Tab": tab, "Edit": r.URL.Query().Get("edit") != ""}
		switch tab {
		case "integration":
			d, ok := c.draft(ss, a.ID)
			data["Draft"], data["HasDraft"] = d, ok
		case "assignments":
			rows, err := c.org.Assignments(a.ID)
			if err != nil {
				c.notFound(w, r, err)
				return
			}
			data["Rows"] = rows
		case "import":
			run, err := c.org.LastImport(a.ID)
			if err != nil {
				c.notFound(w, r, err)
				return
			}
			data["Run"] = run
		}
		c.render(w, r, ss, "app", view{Title: a.Label, Nav: "apps", Data: data})
	}
}

func (c *Console) draftKey(ss *session, appID string) string { return ss.id + "/" + appID }

func (c *Console) draft(ss *session, appID string) (Credentials, bool) {
	c.draftMu.Lock()
	defer c.draftMu.Unlock()
	d, ok := c.drafts[c.draftKey(ss, appID)]
	return d, ok
}

func (c *Console) setDraft(ss *session, appID string, d *Credentials) {
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
// Credentials (the values are kept server-side for Save, the token is
// never written back into the page), Save and Cancel.
func (c *Console) saveIntegration(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	base := "/admin/apps/" + url.PathEscape(id) + "/provisioning"
	f := r.PostForm
	cr := Credentials{BaseURL: strings.TrimSpace(f.Get("baseUrl")), Token: strings.TrimSpace(f.Get("apiToken"))}
	if cr.Token == "" {
		if d, ok := c.draft(ss, id); ok {
			cr.Token = d.Token
		}
	}
	enabled := f.Get("enabled") != ""
	switch f.Get("action") {
	case "cancel":
		c.setDraft(ss, id, nil)
		http.Redirect(w, r, base, http.StatusSeeOther)
	case "test":
		ctx, cancel := c.withTimeout(r)
		defer cancel()
		res, err := c.org.TestAPICredentials(ctx, id, cr)
		c.setDraft(ss, id, &cr)
		if err == nil && !res.OK {
			err = Invalid(res.Message)
		}
		c.done(w, r, ss, base+"?edit=1", err, res.Message)
	case "save":
		err := c.org.SaveAPIIntegration(id, enabled, cr)
		if err != nil {
			c.setDraft(ss, id, &cr)
			c.done(w, r, ss, base+"?edit=1", err, "")
			return
		}
		c.setDraft(ss, id, nil)
		c.done(w, r, ss, base, nil, "Your changes have been saved")
	default:
		c.done(w, r, ss, base+"?edit=1", Invalid("Choose Test API Credentials, Save or Cancel"), "")
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
	err := c.org.SaveToApp(id, t)
	if err != nil {
		to += "?edit=1"
	}
	c.done(w, r, ss, to, err, "Your changes have been saved")
}

func (c *Console) importNow(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	err := c.org.ImportNow(id)
	c.done(w, r, ss, "/admin/apps/"+url.PathEscape(id)+"/import", err, "Import started; reload to see the users found")
}

// assignPeople is the "Assign Xakia to People" dialog as a page: a search
// box, an Assign button per person, and Done.
func (c *Console) assignPeople(w http.ResponseWriter, r *http.Request, ss *session) {
	a, err := c.org.App(r.PathValue("id"))
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	rows, err := c.org.Assignments(a.ID)
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	assigned := map[string]bool{}
	for _, row := range rows {
		assigned[row.Person.ID] = true
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	type pick struct {
		P        Person
		Assigned bool
	}
	var people []pick
	for _, p := range c.org.People() {
		if p.Status == mockokta.StatusActive && matches(p, q) {
			people = append(people, pick{P: p, Assigned: assigned[p.ID]})
		}
	}
	c.render(w, r, ss, "assign", view{Title: "Assign " + a.Label + " to People", Nav: "apps",
		Data: map[string]any{"App": a, "People": people, "Q": q}})
}

func (c *Console) assign(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	err := c.org.Assign(id, r.PostForm.Get("person"))
	to := "/admin/apps/" + url.PathEscape(id) + "/assign-people"
	if q := r.PostForm.Get("q"); q != "" {
		to += "?q=" + url.QueryEscape(q)
	}
	c.done(w, r, ss, to, err, "")
}

func (c *Console) unassign(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	err := c.org.Unassign(id, r.PathValue("person"))
	c.done(w, r, ss, "/admin/apps/"+url.PathEscape(id)+"/assignments", err, "Unassigned; the deactivation is queued")
}
