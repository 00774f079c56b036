package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"
	"golang.org/x/net/html"

	"github.com/xakia-okta/scimtest/mockokta/oidc"
)

// The @signin scenarios (features/signin.feature) prove the invite rules
// through real sign-ins on the target's web sign-in page, over HTTP only:
// the page at {XAKIA_ADMIN_URL}/ with a password form (action
// /signin/password) and, for @oidc, a "Sign in with Okta" form (action
// /auth/okta/start) that leads through the OIDC provider's login form back
// to the target. The page that ends a sign-in names its outcome in a
// data-outcome attribute (signed-in, not-invited, inactive, okta-only, …).

// Sign-in capability tags.
const (
	tagSignIn = "@signin"
	tagOIDC   = "@oidc"
)

// Form actions of the sign-in page.
const (
	actionPassword = "/signin/password"
	actionOkta     = "/auth/okta/start"
)

// maxHops bounds the redirects and forms of one sign-in.
const maxHops = 12

// oidcPeople lets a suite user sign in at the target's OIDC provider.
type oidcPeople interface {
	// person makes login able to sign in and returns its password.
	person(ctx context.Context, login, given, family string) (string, error)
}

// embeddedOkta is the mock Okta org's OIDC provider that the embedded
// reference signs in with: people are added in-process.
type embeddedOkta struct {
	org      *oidc.MemoryOrg
	clientID string
	issuer   string
	secret   string
	srv      *http.Server

	mu        sync.Mutex
	passwords map[string]string // by lower-cased login: each person is added once
}

// startEmbeddedOkta starts the mock Okta's OIDC provider on 127.0.0.1 with
// one OIDC app and no people yet.
func startEmbeddedOkta(ctx context.Context) (*embeddedOkta, error) {
	org := oidc.NewMemoryOrg()
	app, err := org.AddApp(oidc.App{})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p, err := oidc.New(ctx, oidc.Config{Org: org, PublicURL: "http://" + ln.Addr().String(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(p.MountPath(), p)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &embeddedOkta{org: org, clientID: app.ClientID, secret: app.ClientSecret, issuer: p.Issuer(), srv: srv,
		passwords: map[string]string{}}, nil
}

// close stops the provider.
func (o *embeddedOkta) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = o.srv.Shutdown(ctx)
}

// person adds login to the org, assigned to the OIDC app, with a fresh
// password (once; later calls return that password).
func (o *embeddedOkta) person(_ context.Context, login, given, family string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if pw, ok := o.passwords[strings.ToLower(login)]; ok {
		return pw, nil
	}
	pw := randomPassword()
	p, err := o.org.AddPerson(oidc.Person{Login: login, Email: login, FirstName: given, LastName: family}, pw)
	if err != nil {
		return "", err
	}
	o.org.Assign(o.clientID, p.ID)
	o.passwords[strings.ToLower(login)] = pw
	return pw, nil
}

// sharedPassword is an OIDC provider that signs every suite user in with
// one password (SCIM_OIDC_PASSWORD: a test provider of the target's).
type sharedPassword string

func (p sharedPassword) person(context.Context, string, string, string) (string, error) {
	return string(p), nil
}

// signInCaps probes the target's sign-in page: whether it offers password
// sign-in and "Sign in with Okta". The reasons say why not.
func (rs *runState) signInCaps(ctx context.Context) (signin, okta bool, whySignIn, whyOkta string) {
	page := rs.adminURL + "/"
	whySignIn = "needs a web sign-in page with a password form (action " + actionPassword + ") at " + page
	whyOkta = "the target does not offer an OIDC login (\"Sign in with Okta\", action " + actionOkta + ") on its sign-in page " + page
	ctx, cancel := context.WithTimeout(ctx, rs.requestTimeout())
	defer cancel()
	res, err := rs.client().R().SetContext(ctx).SetHeader("Accept", "text/html").Get(page)
	if err != nil {
		return false, false, whySignIn + " (unreachable: " + err.Error() + ")", whyOkta
	}
	body := res.Body()
	if res.StatusCode() != http.StatusOK {
		return false, false, fmt.Sprintf("%s (it answered %d)", whySignIn, res.StatusCode()), whyOkta
	}
	forms := parseForms(body)
	signin = findForm(forms, actionPassword) != nil
	okta = findForm(forms, actionOkta) != nil
	if okta && rs.people == nil {
		okta = false
		whyOkta = fmt.Sprintf("the target offers \"Sign in with Okta\", but the suite cannot sign its users in at the OIDC provider: set %s to a password that provider accepts for every user", EnvOIDCPassword)
	}
	return signin, okta, whySignIn, whyOkta
}

// form is an HTML form: its action, method and fields (the first value of
// each named input, select or button).
type form struct {
	Action, Method string
	Fields         url.Values
	Inputs         map[string]string // name → input type
}

// parseForms reads every form of an HTML page.
func parseForms(body []byte) []*form {
	z := html.NewTokenizer(strings.NewReader(string(body)))
	var out []*form
	var cur *form
	var selectName string
	for range 100000 {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		tok := z.Token()
		attr := func(k string) string {
			for _, a := range tok.Attr {
				if a.Key == k {
					return a.Val
				}
			}
			return ""
		}
		switch {
		case tt == html.StartTagToken && tok.Data == "form":
			cur = &form{Action: attr("action"), Method: strings.ToUpper(attr("method")), Fields: url.Values{}, Inputs: map[string]string{}}
			out = append(out, cur)
		case tt == html.EndTagToken && tok.Data == "form":
			cur = nil
		case cur == nil:
		case (tt == html.StartTagToken || tt == html.SelfClosingTagToken) && tok.Data == "input":
			if n := attr("name"); n != "" {
				cur.Inputs[n] = strings.ToLower(attr("type"))
				if _, ok := cur.Fields[n]; !ok {
					cur.Fields.Set(n, attr("value"))
				}
			}
		case tt == html.StartTagToken && tok.Data == "select":
			selectName = attr("name")
			cur.Inputs[selectName] = "select"
		case tt == html.StartTagToken && tok.Data == "option" && selectName != "":
			if _, ok := cur.Fields[selectName]; !ok {
				cur.Fields.Set(selectName, attr("value"))
			}
		case tt == html.EndTagToken && tok.Data == "select":
			selectName = ""
		}
	}
	return out
}

// findForm returns the first form whose action path is action.
func findForm(forms []*form, action string) *form {
	for _, f := range forms {
		if u, err := url.Parse(f.Action); err == nil && u.Path == action {
			return f
		}
	}
	return nil
}

// outcomeOf reads a page's sign-in outcome: the data-outcome attribute and
// the text of its element.
func outcomeOf(body []byte) (outcome, text string) {
	z := html.NewTokenizer(strings.NewReader(string(body)))
	depth := 0
	var b strings.Builder
	for range 100000 {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		if outcome == "" && tt == html.StartTagToken {
			for _, a := range tok.Attr {
				if a.Key == "data-outcome" && a.Val != "" && a.Val != "error" {
					outcome, depth = a.Val, 1
				}
			}
			continue
		}
		if outcome != "" {
			switch tt {
			case html.StartTagToken:
				depth++
			case html.EndTagToken:
				depth--
			case html.TextToken:
				b.WriteString(tok.Data)
			}
			if depth == 0 {
				break
			}
		}
	}
	return outcome, strings.Join(strings.Fields(b.String()), " ")
}

// signIn is the end of one sign-in: the final page and what it says.
type signIn struct {
	Status  int
	URL     string
	Outcome string
	Text    string
}

// browser is a fresh cookie jar over the World's recording transport,
// redirects followed by hand so that each hop is recorded and bounded.
type browser struct {
	w   *World
	hc  *http.Client
	hop int
}

func (w *World) newBrowser() (*browser, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	return &browser{w: w, hc: &http.Client{Transport: w.rec, Jar: jar, Timeout: requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// do sends one request and follows redirects (GET) until a page answers.
func (b *browser) do(method, target string, form url.Values) (int, string, []byte, error) {
	for {
		b.hop++
		if b.hop > maxHops {
			return 0, target, nil, fmt.Errorf("the sign-in took more than %d requests (a redirect loop?) at %s", maxHops, redactURL(target))
		}
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequestWithContext(b.w.ctx, method, target, body)
		if err != nil {
			return 0, target, nil, err
		}
		req.Header.Set("Accept", "text/html")
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res, err := b.hc.Do(req)
		if err != nil {
			return 0, target, nil, b.w.requestFailed(method, target, err)
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return 0, target, nil, b.w.requestFailed(method, target, err)
		}
		if isRedirect(res.StatusCode) {
			loc, err := res.Request.URL.Parse(res.Header.Get("Location"))
			if err != nil || (loc.Scheme != "http" && loc.Scheme != "https") {
				return res.StatusCode, target, raw, fmt.Errorf("%s %s redirects to an unusable Location %q", method, redactURL(target), res.Header.Get("Location"))
			}
			method, target, form = http.MethodGet, loc.String(), nil
			continue
		}
		return res.StatusCode, target, raw, nil
	}
}

// submit fills f (found on the page at pageURL) with values and sends it.
func (b *browser) submit(pageURL string, f *form, values map[string]string) (int, string, []byte, error) {
	base, err := url.Parse(pageURL)
	if err != nil {
		return 0, pageURL, nil, err
	}
	action, err := base.Parse(f.Action)
	if err != nil {
		return 0, pageURL, nil, fmt.Errorf("the form of %s has an unusable action %q", redactURL(pageURL), f.Action)
	}
	data := url.Values{}
	for k, v := range f.Fields {
		data[k] = append([]string(nil), v...)
	}
	for k, v := range values {
		data.Set(k, v)
	}
	method := http.MethodPost
	if f.Method == http.MethodGet {
		action.RawQuery = data.Encode()
		return b.do(http.MethodGet, action.String(), nil)
	}
	return b.do(method, action.String(), data)
}

// signInPage loads the target's sign-in page and its form for action.
func (b *browser) signInPage(action string) (string, *form, error) {
	page := b.w.run.adminURL + "/"
	status, at, body, err := b.do(http.MethodGet, page, nil)
	if err != nil {
		return "", nil, err
	}
	if status != http.StatusOK {
		return "", nil, fmt.Errorf("the sign-in page %s answered %d", page, status)
	}
	f := findForm(parseForms(body), action)
	if f == nil {
		return "", nil, fmt.Errorf("the sign-in page %s has no form for %s", page, action)
	}
	return at, f, nil
}

// finish records the final page of a sign-in.
func (w *World) finish(status int, at string, body []byte) {
	outcome, text := outcomeOf(body)
	w.signIn = &signIn{Status: status, URL: at, Outcome: outcome, Text: text}
}

// signInWithPassword signs the user of alias in on the password form.
func (w *World) signInWithPassword(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	if u.XakiaPassword == "" {
		return fmt.Errorf("the user %q has no Xakia password (create it with one first)", alias)
	}
	return w.passwordSignIn(u, u.XakiaPassword)
}

// signInWithWrongPassword signs the user of alias in with a wrong password.
func (w *World) signInWithWrongPassword(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	return w.passwordSignIn(u, "Wrong-"+randomPassword())
}

func (w *World) passwordSignIn(u *user, password string) error {
	w.rec.AddSecret(password)
	b, err := w.newBrowser()
	if err != nil {
		return err
	}
	at, f, err := b.signInPage(actionPassword)
	if err != nil {
		return err
	}
	status, end, body, err := b.submit(at, f, map[string]string{"location": u.Loc.ID, "login": u.UserName, "password": password})
	if err != nil {
		return err
	}
	w.finish(status, end, body)
	return nil
}

// signInWithOkta signs the user of alias in with "Sign in with Okta": the
// target's form, the OIDC provider's login form, back to the target.
func (w *World) signInWithOkta(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	if w.run.people == nil {
		return fmt.Errorf("this step needs an OIDC provider the suite can sign its users in at")
	}
	pw, err := w.run.people.person(w.ctx, u.UserName, u.Given, u.Family)
	if err != nil {
		return fmt.Errorf("adding %q to the OIDC provider: %w", alias, err)
	}
	w.rec.AddSecret(pw)
	b, err := w.newBrowser()
	if err != nil {
		return err
	}
	at, f, err := b.signInPage(actionOkta)
	if err != nil {
		return err
	}
	status, at, body, err := b.submit(at, f, map[string]string{"location": u.Loc.ID})
	if err != nil {
		return err
	}
	origin, _ := url.Parse(w.run.adminURL)
	for range 3 {
		here, _ := url.Parse(at)
		if here != nil && origin != nil && here.Host == origin.Host {
			break // back on the target
		}
		login := loginForm(parseForms(body))
		if login == nil {
			return fmt.Errorf("the OIDC provider's page %s (status %d) has no login form", redactURL(at), status)
		}
		values := map[string]string{}
		for name, typ := range login.Inputs {
			switch {
			case typ == "password":
				values[name] = pw
			case typ == "text" || typ == "email" || typ == "":
				if isLoginField(name) {
					values[name] = u.UserName
				}
			}
		}
		if status, at, body, err = b.submit(at, login, values); err != nil {
			return err
		}
	}
	w.finish(status, at, body)
	return nil
}

// loginForm finds the form with a password input.
func loginForm(forms []*form) *form {
	for _, f := range forms {
		for _, typ := range f.Inputs {
			if typ == "password" {
				return f
			}
		}
	}
	return nil
}

// isLoginField reports whether an input name asks for the login.
func isLoginField(name string) bool {
	n := strings.ToLower(name)
	for _, k := range []string{"user", "login", "email", "identifier"} {
		if strings.Contains(n, k) {
			return true
		}
	}
	return false
}

// signInSucceeds checks that the last sign-in ended signed in.
func (w *World) signInSucceeds() error {
	if w.signIn == nil {
		return errors.New("no sign-in was attempted")
	}
	if w.signIn.Outcome != "signed-in" || w.signIn.Status != http.StatusOK {
		return fmt.Errorf("the sign-in ended on %s with status %d and outcome %q (%q), expected signed-in",
			redactURL(w.signIn.URL), w.signIn.Status, w.signIn.Outcome, w.signIn.Text)
	}
	return nil
}

// signInRefused checks that the last sign-in was refused with outcome and
// a page saying words.
func (w *World) signInRefused(outcome, words string) error {
	if w.signIn == nil {
		return errors.New("no sign-in was attempted")
	}
	if w.signIn.Outcome != outcome {
		return fmt.Errorf("the sign-in ended with outcome %q (%q, status %d), expected it refused as %q",
			w.signIn.Outcome, w.signIn.Text, w.signIn.Status, outcome)
	}
	if w.signIn.Status < 400 {
		return fmt.Errorf("the refused sign-in answered %d, expected a 4xx page", w.signIn.Status)
	}
	if !strings.Contains(strings.ToLower(w.signIn.Text), strings.ToLower(words)) {
		return fmt.Errorf("the refusal page says %q, expected it to say %q", w.signIn.Text, words)
	}
	return nil
}

// preExistingWithPassword creates a pre-existing member with a Xakia
// password through the admin API.
func (w *World) preExistingWithPassword(alias string) error {
	u := w.userFor(alias)
	if w.loc.ID == "" {
		return fmt.Errorf("the current location has no admin id")
	}
	pw := randomPassword()
	w.rec.AddSecret(pw)
	body := adminUserBody(u)
	body["password"] = pw
	r, err := w.admin(http.MethodPost, "/admin/api/locations/"+w.loc.ID+"/users", body)
	if err != nil {
		return err
	}
	w.adminResp = r
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		return fmt.Errorf("creating a pre-existing member with a password through the admin API: %s", r.describe())
	}
	id := r.get("id").String()
	if id == "" {
		return fmt.Errorf("the admin API returned no id for the pre-existing member: %s", r.describe())
	}
	u.XakiaPassword = pw
	w.adopt(u, id, gjson.Result{})
	return nil
}

// auditShowsSignIn checks the admin API's sign-in audit: the last attempt
// of the user of alias has outcome.
func (w *World) auditShowsSignIn(alias, outcome string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	r, err := w.admin(http.MethodGet, "/admin/api/locations/"+u.Loc.ID+"/audit/signins", nil)
	if err != nil {
		return err
	}
	if r.Status != http.StatusOK {
		return fmt.Errorf("the sign-in audit: %s", r.describe())
	}
	last := ""
	for _, it := range adminItems(r) {
		if it.Get("userid").String() == u.ID || strings.EqualFold(it.Get("login").String(), u.UserName) {
			last = it.Get("outcome").String()
		}
	}
	if last != outcome {
		return fmt.Errorf("the sign-in audit's last attempt of %q is %q, expected %q", alias, last, outcome)
	}
	return nil
}
