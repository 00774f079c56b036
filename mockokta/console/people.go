package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/mockokta/org"
)

// loginPage is Okta's sign-in widget. A login CSRF token (double submit:
// cookie and hidden field) protects the form before a session exists.
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	if ss := c.sess.get(r); ss != nil {
		http.Redirect(w, r, "/admin/people", http.StatusSeeOther)
		return
	}
	tok := newToken()
	c.setCookie(w, r, loginCookie, tok, 600)
	c.render(w, r, nil, "login", view{Title: "Sign In", CSRF: tok, Data: map[string]string{"Next": safeNext(r.URL.Query().Get("next"))}})
}

// safeNext keeps a post-sign-in target inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/admin/people"
	}
	return next
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	if !c.parseForm(w, r) {
		return
	}
	ck, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostForm.Get("_csrf"), ck.Value) {
		c.refuse(w, r, http.StatusForbidden, "The sign-in form expired: reload the page and sign in again")
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	user := strings.TrimSpace(r.PostForm.Get("username"))
	addr := clientAddr(r)
	if c.signIns.blocked(addr) {
		c.refuse(w, r, http.StatusTooManyRequests, "Too many failed sign-in attempts: try again in a few minutes")
		return
	}
	if err := c.org.CheckAdmin(r.Context(), user, r.PostForm.Get("password")); err != nil {
		c.signIns.fail(addr)
		c.opts.Logger.Warn("console: sign-in refused", "remote", r.RemoteAddr)
		tok := newToken()
		c.setCookie(w, r, loginCookie, tok, 600)
		c.render(w, r, nil, "login", view{Title: "Sign In", CSRF: tok, Status: http.StatusUnauthorized,
			Flash: []flash{{Error: true, Text: "Unable to sign in"}},
			Data:  map[string]string{"Next": next, "Username": user}})
		return
	}
	c.signIns.reset(addr)
	c.setCookie(w, r, loginCookie, "", -1)
	ss := c.sess.create(user)
	c.setCookie(w, r, sessionCookie, ss.id, int(sessionTTL/time.Second))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request, ss *session) {
	c.sess.drop(ss.id)
	c.draftMu.Lock()
	for k := range c.drafts {
		if strings.HasPrefix(k, ss.id+"/") {
			delete(c.drafts, k)
		}
	}
	c.draftMu.Unlock()
	c.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// people is Directory → People: a search and one page of people.
func (c *Console) people(w http.ResponseWriter, r *http.Request, ss *session) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page, err := c.org.People(r.Context(), org.PeopleQuery{Q: q, After: r.URL.Query().Get("after")})
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	next := ""
	if page.Next != "" {
		next = "/admin/people?" + url.Values{"q": {q}, "after": {page.Next}}.Encode()
	}
	c.render(w, r, ss, "people", view{Title: "People", Nav: "people", Data: map[string]any{"People": page.Items, "Q": q, "Next": next}})
}

func (c *Console) newPerson(w http.ResponseWriter, r *http.Request, ss *session) {
	c.render(w, r, ss, "person-new", view{Title: "Add Person", Nav: "people", Data: map[string]any{}})
}

func profileForm(r *http.Request) mockokta.Profile {
	f := r.PostForm
	return mockokta.Profile{FirstName: f.Get("firstName"), LastName: f.Get("lastName"), Login: f.Get("login"), Email: f.Get("email")}
}

func (c *Console) addPerson(w http.ResponseWriter, r *http.Request, ss *session) {
	p := profileForm(r)
	if strings.TrimSpace(p.Email) == "" && r.PostForm.Get("emailSameAsLogin") != "" {
		p.Email = p.Login
	}
	u, err := c.org.CreatePerson(r.Context(), org.NewPerson{Profile: p, Password: r.PostForm.Get("password"), Activate: true})
	if err != nil {
		// The form is shown again with what was typed (never the password).
		c.render(w, r, ss, "person-new", view{Title: "Add Person", Nav: "people", Status: http.StatusUnprocessableEntity,
			Flash: []flash{{Error: true, Text: c.errText(r, err)}}, Data: map[string]any{"P": p}})
		return
	}
	c.done(w, r, ss, "/admin/people", nil, fmt.Sprintf("%s %s (%s) was added", u.Profile.FirstName, u.Profile.LastName, u.Profile.Login))
}

// appRow is an assignment shown with its app or its person.
type appRow struct {
	A      org.Assignment
	App    org.App
	Person org.Person
}

func (c *Console) personPage(w http.ResponseWriter, r *http.Request, ss *session) {
	p, err := c.org.Person(r.Context(), r.PathValue("id"))
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	as, err := c.org.PersonAssignments(r.Context(), p.ID)
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	var rows []appRow
	for _, a := range as {
		app, err := c.org.App(r.Context(), a.AppID)
		if err == nil {
			rows = append(rows, appRow{A: a, App: app})
		}
	}
	c.render(w, r, ss, "person", view{Title: p.Profile.FirstName + " " + p.Profile.LastName, Nav: "people",
		Data: map[string]any{"P": p, "Edit": r.URL.Query().Get("edit") != "", "Apps": rows}})
}

func (c *Console) savePerson(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	old, err := c.org.Person(r.Context(), id)
	if err != nil {
		c.done(w, r, ss, "/admin/people", err, "")
		return
	}
	p := profileForm(r)
	p.Locale = old.Profile.Locale
	if old.Profile.DisplayName != old.Profile.FirstName+" "+old.Profile.LastName {
		p.DisplayName = old.Profile.DisplayName // a display name set on purpose stays
	}
	back := "/admin/people/" + url.PathEscape(old.ID)
	if _, err := c.org.UpdateProfile(r.Context(), old.ID, p); err != nil {
		c.done(w, r, ss, back+"?edit=1", err, "")
		return
	}
	c.done(w, r, ss, back, nil, "Profile saved; the change is pushed to every assigned app with Update User Attributes enabled")
}

func (c *Console) lifecycle(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	actions := map[string]struct {
		run func(*http.Request, string) (org.Person, error)
		msg string
	}{
		"deactivate": {func(r *http.Request, id string) (org.Person, error) { return c.org.Deactivate(r.Context(), id) },
			"Person deactivated: removed from its apps, and deactivated in each app that provisioned it (when Deactivate Users is enabled)"},
		"reactivate": {func(r *http.Request, id string) (org.Person, error) { return c.org.Reactivate(r.Context(), id) },
			"Person activated; Okta removed its app assignments when it was deactivated: assign it again"},
		"suspend": {func(r *http.Request, id string) (org.Person, error) { return c.org.Suspend(r.Context(), id) },
			"Person suspended; Okta sends nothing to the apps"},
		"unsuspend": {func(r *http.Request, id string) (org.Person, error) { return c.org.Unsuspend(r.Context(), id) },
			"Person unsuspended"},
	}
	a, ok := actions[r.PostForm.Get("action")]
	if !ok {
		c.done(w, r, ss, "/admin/people/"+url.PathEscape(id), invalid("Unknown action"), "")
		return
	}
	_, err := a.run(r, id)
	c.done(w, r, ss, "/admin/people/"+url.PathEscape(id), err, a.msg)
}

// appLabels maps app ids to labels for the task and log pages.
func (c *Console) appLabels(r *http.Request) map[string]string {
	out := map[string]string{}
	apps, err := c.org.Apps(r.Context())
	if err != nil {
		return out
	}
	for _, a := range apps {
		out[a.ID] = a.Label
	}
	return out
}

// tasks is the Tasks page: every provisioning task, failed ones with Retry.
func (c *Console) tasks(w http.ResponseWriter, r *http.Request, ss *session) {
	q := org.TaskQuery{State: org.TaskState(r.URL.Query().Get("state"))}
	switch q.State {
	case "", org.TaskQueued, org.TaskRunning, org.TaskSucceeded, org.TaskFailed:
	default:
		q.State = ""
	}
	tasks, err := c.org.Tasks(r.Context(), q)
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	c.render(w, r, ss, "tasks", view{Title: "Tasks", Nav: "tasks", Data: map[string]any{"Tasks": tasks, "Apps": c.appLabels(r), "State": string(q.State)}})
}

func (c *Console) retry(w http.ResponseWriter, r *http.Request, ss *session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.done(w, r, ss, "/admin/tasks", invalid("No such task"), "")
		return
	}
	_, err = c.org.RetryTask(r.Context(), id)
	c.done(w, r, ss, "/admin/tasks", err, "The task was queued again")
}

// logs is the provisioning log (Reports → System Log, provisioning events).
func (c *Console) logs(w http.ResponseWriter, r *http.Request, ss *session) {
	entries, err := c.org.Log(r.Context(), "", 0, 200)
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	c.render(w, r, ss, "logs", view{Title: "System Log", Nav: "logs", Data: map[string]any{"Entries": entries, "Apps": c.appLabels(r)}})
}
