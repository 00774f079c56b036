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

	"github.com/xakia-okta/scimtest/mockokta/org"
)

// MaxFormBytes limits every form body the console reads.
const MaxFormBytes = 64 << 10

// DefaultTestTimeout bounds a Test API Credentials run and an Import Now.
const DefaultTestTimeout = 60 * time.Second

//go:embed templates/*.html
var templateFS embed.FS

// Options configure a [Console].
type Options struct {
	// Logger receives one line per refused request; slog.Default() when nil.
	Logger *slog.Logger
	// TestTimeout bounds Test API Credentials and Import Now, which run
	// while the administrator waits; DefaultTestTimeout when zero.
	TestTimeout time.Duration
	// Now is the clock of the sessions and of the sign-in throttle;
	// time.Now when nil.
	Now func() time.Time
	// Issuer is the OIDC issuer shown on the OIDC app's Sign On tab.
	Issuer string
	// SecureCookies marks the cookies Secure even when the request did not
	// come over TLS (a TLS-terminating proxy, an https public URL).
	SecureCookies bool
}

// Console is the admin console: an http.Handler to mount at "/".
type Console struct {
	org   Org
	opts  Options
	pages map[string]*template.Template
	sess  *sessions
	mux   *http.ServeMux

	draftMu sync.Mutex
	drafts  map[string]draft // session id + app id → values being tested

	importMu sync.Mutex
	imports  map[string]importRun // app id → its latest import

	signIns *throttle
}

// New returns the console of org.
func New(o Org, opts Options) (*Console, error) {
	if o == nil {
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
		org: o, opts: opts, pages: pages,
		sess:    &sessions{byID: map[string]*session{}, now: opts.Now},
		drafts:  map[string]draft{},
		imports: map[string]importRun{},
		signIns: &throttle{by: map[string]failures{}, now: opts.Now},
	}
	c.routes()
	return c, nil
}

// funcs are the template functions.
func funcs() template.FuncMap {
	return template.FuncMap{
		"onoff": func(b bool) string {
			if b {
				return "Enabled"
			}
			return "Disabled"
		},
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("Jan 2, 2006 15:04:05 UTC")
		},
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
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(templateFS, "templates/"+n.Name())
		}
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

// InputError is a refusal of bad input by the console itself; its message
// is shown as is.
type InputError struct{ Msg string }

// Error returns the message.
func (e *InputError) Error() string { return e.Msg }

func invalid(msg string) error { return &InputError{Msg: msg} }

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

// errText words an Org error for the page: bad input in the org's words
// (without the sentinel's prefix); unexpected errors are logged and shown
// without details.
func (c *Console) errText(r *http.Request, err error) string {
	var in *InputError
	if errors.As(err, &in) {
		return in.Msg
	}
	for _, s := range []error{org.ErrInvalid, org.ErrConflict, org.ErrLifecycle, org.ErrNotFound, org.ErrQueueFull} {
		if errors.Is(err, s) {
			msg := strings.TrimPrefix(err.Error(), s.Error()+": ")
			if s == org.ErrNotFound {
				return "Not found: " + msg
			}
			for field, label := range map[string]string{"login: ": "Username: ", "email: ": "Primary email: ",
				"firstName: ": "First name: ", "lastName: ": "Last name: ", "password: ": "Password: ", "label: ": "Application label: ",
				"baseUrl: ": "SCIM Base URI: ", "token: ": "API Token: "} {
				if strings.HasPrefix(msg, field) {
					return label + msg[len(field):]
				}
			}
			if msg != "" {
				msg = strings.ToUpper(msg[:1]) + msg[1:]
			}
			return msg
		}
	}
	c.opts.Logger.Error("console: org error", "path", r.URL.Path, "err", err)
	return "Something went wrong; the change was not made"
}

// notFound answers a GET for an unknown id.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, org.ErrNotFound) {
		c.refuse(w, r, http.StatusNotFound, c.errText(r, err))
		return
	}
	c.refuse(w, r, http.StatusInternalServerError, c.errText(r, err))
}

func (c *Console) routes() {
	m := http.NewServeMux()
	home := func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/people", http.StatusSeeOther)
	}
	m.HandleFunc("GET /{$}", home)
	m.HandleFunc("GET /admin", home)
	m.HandleFunc("GET /admin/{$}", home)
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
	m.HandleFunc("POST /admin/apps/{id}/sign-on", c.authed(c.saveSignOn))
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
	m.HandleFunc("GET /admin/logs", c.authed(c.logs))
	c.mux = m
}

// withTimeout bounds a synchronous org call (Test API Credentials, Import).
func (c *Console) withTimeout(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), c.opts.TestTimeout)
}
