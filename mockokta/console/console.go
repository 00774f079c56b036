package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/xakia-okta/scimtest/mockokta"
)

// MaxFormBytes limits every form body the console reads.
const MaxFormBytes = 64 << 10

// DefaultTestTimeout bounds a Test API Credentials run.
const DefaultTestTimeout = 60 * time.Second

//go:embed templates/*.html
var templateFS embed.FS

// Options configure a [Console].
type Options struct {
	// Logger receives one line per refused request; slog.Default() when nil.
	Logger *slog.Logger
	// TestTimeout bounds Test API Credentials; DefaultTestTimeout when zero.
	TestTimeout time.Duration
	// Now is the clock of the session table; time.Now when nil.
	Now func() time.Time
}

// Console is the admin console: an http.Handler to mount at "/".
type Console struct {
	org   Org
	opts  Options
	pages map[string]*template.Template
	sess  *sessions
	mux   *http.ServeMux

	draftMu sync.Mutex
	drafts  map[string]Credentials // session id + app id → values being tested
}

// New returns the console of org.
func New(org Org, opts Options) (*Console, error) {
	if org == nil {
		return nil, errors.New("console: the org is nil")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.TestTimeout <= 0 {
		opts.TestTimeout = DefaultTestTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	c := &Console{
		org: org, opts: opts, pages: pages,
		sess:   &sessions{byID: map[string]*session{}, now: opts.Now},
		drafts: map[string]Credentials{},
	}
	c.routes()
	return c, nil
}

// funcs are the template functions.
func funcs() template.FuncMap {
	return template.FuncMap{
		"lower": func(v any) string { return strings.ToLower(fmt.Sprint(v)) },
		"onoff": func(b bool) string {
			if b {
				return "Enabled"
			}
			return "Disabled"
		},
		"when": func(t time.Time) string { return t.UTC().Format("Jan 2, 2006 15:04:05 UTC") },
		"path": url.PathEscape,
	}
}

func parsePages() (map[string]*template.Template, error) {
	names, err := templateFS.ReadDir("templates")
	if err != nil {
		return nil, err
	}
	base, err := template.New("layout.html").Funcs(funcs()).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		if n.Name() == "layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+n.Name())
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", n.Name(), err)
		}
		pages[strings.TrimSuffix(n.Name(), ".html")] = t
	}
	return pages, nil
}

// ServeHTTP serves the console with its security headers.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	}
	c.mux.ServeHTTP(w, r)
}

// view is what every page template gets.
type view struct {
	Title  string
	Nav    string
	Admin  string
	CSRF   string
	Flash  []flash
	Data   any
	Status int
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, ss *session, page string, v view) {
	if ss != nil {
		v.Admin, v.CSRF = ss.login, ss.csrf
		v.Flash = append(c.sess.takeFlash(ss), v.Flash...)
	}
	t, ok := c.pages[page]
	if !ok {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		c.opts.Logger.Error("console: rendering a page", "page", page, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if v.Status != 0 {
		w.WriteHeader(v.Status)
	}
	_, _ = io.Copy(w, &buf)
}

// authed wraps a handler that needs a signed-in administrator. A POST must
// carry the session's CSRF token and a form within MaxFormBytes.
func (c *Console) authed(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss := c.sess.get(r)
		if ss == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			c.refuse(w, r, http.StatusForbidden, "Your session has expired: sign in again")
			return
		}
		if r.Method == http.MethodPost {
			if !c.parseForm(w, r) {
				return
			}
			if !sameToken(r.PostForm.Get("_csrf"), ss.csrf) {
				c.refuse(w, r, http.StatusForbidden, "The form's security token is missing or stale: reload the page and try again")
				return
			}
		}
		h(w, r, ss)
	}
}

// parseForm reads a form body, refusing a body over MaxFormBytes.
func (c *Console) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.refuse(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The form is larger than %d KiB", MaxFormBytes>>10))
			return false
		}
		c.refuse(w, r, http.StatusBadRequest, "The form could not be read")
		return false
	}
	return true
}

// refuse answers a refused request with a plain page.
func (c *Console) refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c.opts.Logger.Warn("console: request refused", "method", r.Method, "path", r.URL.Path, "status", status)
	c.render(w, r, nil, "error", view{Title: http.StatusText(status), Status: status, Flash: []flash{{Error: true, Text: msg}}})
}

// done redirects after a POST, with a flash message.
func (c *Console) done(w http.ResponseWriter, r *http.Request, ss *session, to string, err error, okMsg string) {
	switch {
	case err == nil && okMsg != "":
		c.sess.addFlash(ss, flash{Text: okMsg})
	case err != nil:
		c.sess.addFlash(ss, flash{Error: true, Text: c.errText(r, err)})
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// errText words an Org error for the page; unexpected errors are logged and
// shown without details.
func (c *Console) errText(r *http.Request, err error) string {
	var in *InputError
	switch {
	case errors.As(err, &in):
		return in.Msg
	case errors.Is(err, ErrNotFound):
		return "Not found: " + err.Error()
	default:
		c.opts.Logger.Error("console: org error", "path", r.URL.Path, "err", err)
		return "Something went wrong; the change was not made"
	}
}

// notFound answers a GET for an unknown id.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrNotFound) {
		c.refuse(w, r, http.StatusNotFound, "Not found: "+err.Error())
		return
	}
	c.refuse(w, r, http.StatusInternalServerError, c.errText(r, err))
}

func (c *Console) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/people", http.StatusSeeOther)
	})
	m.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/people", http.StatusSeeOther)
	})
	m.HandleFunc("GET /login", c.loginPage)
	m.HandleFunc("POST /login", c.login)
	m.HandleFunc("POST /logout", c.authed(c.logout))

	m.HandleFunc("GET /admin/people", c.authed(c.people))
	m.HandleFunc("GET /admin/people/new", c.authed(c.newPerson))
	m.HandleFunc("POST /admin/people", c.authed(c.addPerson))
	m.HandleFunc("GET /admin/people/{id}", c.authed(c.personPage))
	m.HandleFunc("POST /admin/people/{id}/profile", c.authed(c.savePerson))
	m.HandleFunc("POST /admin/people/{id}/lifecycle", c.authed(c.lifecycle))

	m.HandleFunc("GET /admin/apps", c.authed(c.apps))
	m.HandleFunc("GET /admin/catalog", c.authed(c.catalog))
	m.HandleFunc("GET /admin/catalog/{kind}", c.authed(c.catalogEntry))
	m.HandleFunc("POST /admin/apps", c.authed(c.addApp))
	m.HandleFunc("GET /admin/apps/{id}", c.authed(c.appHome))
	m.HandleFunc("GET /admin/apps/{id}/general", c.authed(c.appTab("general")))
	m.HandleFunc("GET /admin/apps/{id}/sign-on", c.authed(c.appTab("sign-on")))
	m.HandleFunc("GET /admin/apps/{id}/provisioning", c.authed(c.appTab("integration")))
	m.HandleFunc("POST /admin/apps/{id}/provisioning/integration", c.authed(c.saveIntegration))
	m.HandleFunc("GET /admin/apps/{id}/provisioning/to-app", c.authed(c.appTab("to-app")))
	m.HandleFunc("POST /admin/apps/{id}/provisioning/to-app", c.authed(c.saveToApp))
	m.HandleFunc("GET /admin/apps/{id}/import", c.authed(c.appTab("import")))
	m.HandleFunc("POST /admin/apps/{id}/import", c.authed(c.importNow))
	m.HandleFunc("GET /admin/apps/{id}/assignments", c.authed(c.appTab("assignments")))
	m.HandleFunc("GET /admin/apps/{id}/assign-people", c.authed(c.assignPeople))
	m.HandleFunc("POST /admin/apps/{id}/assignments", c.authed(c.assign))
	m.HandleFunc("POST /admin/apps/{id}/assignments/{person}/unassign", c.authed(c.unassign))

	m.HandleFunc("GET /admin/tasks", c.authed(c.tasks))
	m.HandleFunc("POST /admin/tasks/{id}/retry", c.authed(c.retry))
	c.mux = m
}

// loginPage is Okta's sign-in widget. A login CSRF token (double submit:
// cookie and hidden field) protects the form before a session exists.
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	if ss := c.sess.get(r); ss != nil {
		http.Redirect(w, r, "/admin/people", http.StatusSeeOther)
		return
	}
	tok := newToken()
	setCookie(w, r, loginCookie, tok, 600)
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
	if !c.org.CheckAdmin(r.PostForm.Get("username"), r.PostForm.Get("password")) {
		c.opts.Logger.Warn("console: sign-in refused", "remote", r.RemoteAddr)
		tok := newToken()
		setCookie(w, r, loginCookie, tok, 600)
		c.render(w, r, nil, "login", view{Title: "Sign In", CSRF: tok, Status: http.StatusUnauthorized,
			Flash: []flash{{Error: true, Text: "Unable to sign in"}},
			Data:  map[string]string{"Next": next, "Username": r.PostForm.Get("username")}})
		return
	}
	setCookie(w, r, loginCookie, "", -1)
	ss := c.sess.create(r.PostForm.Get("username"))
	setCookie(w, r, sessionCookie, ss.id, int(sessionTTL/time.Second))
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
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// people is Directory → People.
func (c *Console) people(w http.ResponseWriter, r *http.Request, ss *session) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	var list []Person
	for _, p := range c.org.People() {
		if matches(p, q) {
			list = append(list, p)
		}
	}
	c.render(w, r, ss, "people", view{Title: "People", Nav: "people", Data: map[string]any{"People": list, "Q": q}})
}

func matches(p Person, q string) bool {
	if q == "" {
		return true
	}
	q = strings.ToLower(q)
	for _, s := range []string{p.Profile.Login, p.Profile.Email, p.Profile.FirstName, p.Profile.LastName, p.Profile.FirstName + " " + p.Profile.LastName} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
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
	if p.Email == "" && r.PostForm.Get("emailSameAsLogin") != "" {
		p.Email = p.Login
	}
	u, err := c.org.AddPerson(NewPerson{Profile: p, Password: r.PostForm.Get("password")})
	if err != nil {
		// The form is shown again with what was typed (never the password).
		c.render(w, r, ss, "person-new", view{Title: "Add Person", Nav: "people", Status: http.StatusUnprocessableEntity,
			Flash: []flash{{Error: true, Text: c.errText(r, err)}}, Data: map[string]any{"P": p}})
		return
	}
	c.done(w, r, ss, "/admin/people", nil, fmt.Sprintf("%s %s (%s) was added", u.Profile.FirstName, u.Profile.LastName, u.Profile.Login))
}

func (c *Console) personPage(w http.ResponseWriter, r *http.Request, ss *session) {
	p, err := c.org.Person(r.PathValue("id"))
	if err != nil {
		c.notFound(w, r, err)
		return
	}
	type appRow struct {
		App   App
		State Assignment
	}
	var apps []appRow
	for _, a := range c.org.Apps() {
		rows, err := c.org.Assignments(a.ID)
		if err != nil {
			continue
		}
		for _, row := range rows {
			if row.Person.ID == p.ID {
				apps = append(apps, appRow{App: a, State: row})
			}
		}
	}
	c.render(w, r, ss, "person", view{Title: p.Profile.FirstName + " " + p.Profile.LastName, Nav: "people",
		Data: map[string]any{"P": p, "Edit": r.URL.Query().Get("edit") != "", "Apps": apps}})
}

func (c *Console) savePerson(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	old, err := c.org.Person(id)
	if err != nil {
		c.done(w, r, ss, "/admin/people", err, "")
		return
	}
	p := profileForm(r)
	p.DisplayName, p.Locale = "", old.Profile.Locale
	if err := c.org.UpdatePerson(id, p); err != nil {
		c.done(w, r, ss, "/admin/people/"+url.PathEscape(id)+"?edit=1", err, "")
		return
	}
	c.done(w, r, ss, "/admin/people/"+url.PathEscape(id), nil, "Profile saved; the change is pushed to every assigned app with Update User Attributes enabled")
}

func (c *Console) lifecycle(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	a := Lifecycle(r.PostForm.Get("action"))
	err := c.org.ChangeStatus(id, a)
	msg := map[Lifecycle]string{
		Deactivate: "Person deactivated: removed from its apps, and deactivated in each app with Deactivate Users enabled",
		Reactivate: "Person activated; assign it to its apps again",
		Suspend:    "Person suspended; Okta sends nothing to the apps",
		Unsuspend:  "Person unsuspended",
	}[a]
	c.done(w, r, ss, "/admin/people/"+url.PathEscape(id), err, msg)
}

func (c *Console) tasks(w http.ResponseWriter, r *http.Request, ss *session) {
	c.render(w, r, ss, "tasks", view{Title: "Tasks", Nav: "tasks", Data: map[string]any{"Tasks": c.org.Tasks()}})
}

func (c *Console) retry(w http.ResponseWriter, r *http.Request, ss *session) {
	err := c.org.RetryTask(r.PathValue("id"))
	c.done(w, r, ss, "/admin/tasks", err, "The task was queued again")
}

// withTimeout bounds a synchronous org call.
func (c *Console) withTimeout(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), c.opts.TestTimeout)
}
