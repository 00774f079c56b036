package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xakia-okta/scimtest/mockokta"
)

// MemoryOptions configure [NewMemoryOrg].
type MemoryOptions struct {
	// AdminLogin and AdminPassword are the administrator's sign-in.
	AdminLogin, AdminPassword string
	// Issuer is the OIDC issuer shown on the OIDC app's Sign On tab.
	Issuer string
	// Okta tunes the provisioning client of every app (transport, timeout,
	// clock of the 429 policy).
	Okta mockokta.Options
	// QueueSize bounds the provisioning queue (256 when zero).
	QueueSize int
}

// MemoryOrg is an in-memory [Org] built on the mockokta provisioning
// client: one directory, app instances that each get their own
// mockokta.Okta once their API integration is enabled, and one worker
// that runs the queued tasks in order. Close stops the worker.
type MemoryOrg struct {
	opts   MemoryOptions
	dir    *mockokta.Directory
	queue  chan string
	cancel context.CancelFunc
	done   chan struct{}

	mu        sync.Mutex
	passwords map[string][32]byte // person id → salted SHA-256
	salt      [16]byte
	apps      []*memApp
	tasks     []*memTask // oldest first
	seq       int
}

type memApp struct {
	app     App
	token   string
	okta    *mockokta.Okta // nil until the API integration is enabled
	assign  map[string]bool
	lastImp *ImportRun
	// links outlive okta: a new mockokta.Okta is built on every save.
	links map[string]mockokta.Link
}

type memTask struct {
	task  Task
	run   func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult
	login string // person the task is about, "" for an import
}

// NewMemoryOrg starts an empty in-memory org and its provisioning worker.
func NewMemoryOrg(opts MemoryOptions) (*MemoryOrg, error) {
	if opts.AdminLogin == "" || opts.AdminPassword == "" {
		return nil, errors.New("console: the admin login and password must not be empty")
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 256
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &MemoryOrg{
		opts:      opts,
		dir:       mockokta.NewDirectory(rand.Reader),
		queue:     make(chan string, opts.QueueSize),
		cancel:    cancel,
		done:      make(chan struct{}),
		passwords: make(map[string][32]byte),
	}
	if _, err := rand.Read(m.salt[:]); err != nil {
		cancel()
		return nil, err
	}
	go m.work(ctx)
	return m, nil
}

// Close stops the worker; a running task is cancelled, queued ones are left.
func (m *MemoryOrg) Close() {
	m.cancel()
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.apps {
		if a.okta != nil {
			a.okta.Close()
		}
	}
}

func (m *MemoryOrg) hash(pw string) [32]byte {
	return sha256.Sum256(append(m.salt[:], pw...))
}

// CheckAdmin compares in constant time.
func (m *MemoryOrg) CheckAdmin(login, password string) bool {
	l := subtle.ConstantTimeCompare([]byte(strings.ToLower(login)), []byte(strings.ToLower(m.opts.AdminLogin)))
	p := subtle.ConstantTimeCompare([]byte(password), []byte(m.opts.AdminPassword))
	return l&p == 1
}

// People returns every person, sorted by login.
func (m *MemoryOrg) People() []Person {
	var out []Person
	for _, u := range m.dir.Users() {
		out = append(out, person(u))
	}
	return out
}

func person(u mockokta.User) Person { return Person{ID: u.ID, Status: u.Status, Profile: u.Profile} }

// Person returns one person by id.
func (m *MemoryOrg) Person(id string) (Person, error) {
	for _, u := range m.dir.Users() {
		if u.ID == id {
			return person(u), nil
		}
	}
	return Person{}, fmt.Errorf("person %q: %w", id, ErrNotFound)
}

// checkProfile validates the fields of the Add person and profile forms.
func checkProfile(p *mockokta.Profile) error {
	p.FirstName, p.LastName = strings.TrimSpace(p.FirstName), strings.TrimSpace(p.LastName)
	p.Login, p.Email = strings.TrimSpace(p.Login), strings.TrimSpace(p.Email)
	switch {
	case p.FirstName == "":
		return Invalid("First name: this field cannot be left blank")
	case p.LastName == "":
		return Invalid("Last name: this field cannot be left blank")
	case p.Login == "":
		return Invalid("Username: this field cannot be left blank")
	case p.Email == "":
		return Invalid("Primary email: this field cannot be left blank")
	}
	for _, f := range []struct{ name, v string }{{"Username", p.Login}, {"Primary email", p.Email}} {
		if a, err := mail.ParseAddress(f.v); err != nil || a.Address != f.v {
			return Invalid(f.name + ": must be in the form of an email address")
		}
	}
	for _, v := range []string{p.FirstName, p.LastName, p.Login, p.Email} {
		if len(v) > 100 {
			return Invalid("Each field holds at most 100 characters")
		}
	}
	if p.DisplayName == "" {
		p.DisplayName = p.FirstName + " " + p.LastName
	}
	if p.Locale == "" {
		p.Locale = "en-US"
	}
	return nil
}

// AddPerson adds an active person.
func (m *MemoryOrg) AddPerson(np NewPerson) (Person, error) {
	p := np.Profile
	if err := checkProfile(&p); err != nil {
		return Person{}, err
	}
	if len(np.Password) < 8 {
		return Person{}, Invalid("Password: at least 8 characters")
	}
	if _, err := m.dir.Get(p.Login); err == nil {
		return Person{}, Invalid("Username: a person with this username already exists")
	}
	u, err := m.dir.Add(p)
	if err != nil {
		return Person{}, Invalid(err.Error())
	}
	m.mu.Lock()
	m.passwords[u.ID] = m.hash(np.Password)
	m.mu.Unlock()
	return person(u), nil
}

// UpdatePerson replaces the profile and queues a push to every app the
// person is assigned to.
func (m *MemoryOrg) UpdatePerson(id string, p mockokta.Profile) error {
	old, err := m.Person(id)
	if err != nil {
		return err
	}
	if err := checkProfile(&p); err != nil {
		return err
	}
	if !strings.EqualFold(old.Profile.Login, p.Login) {
		if _, err := m.dir.Get(p.Login); err == nil {
			return Invalid("Username: a person with this username already exists")
		}
	}
	u, err := m.dir.Update(old.Profile.Login, p)
	if err != nil {
		return Invalid(err.Error())
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.apps {
		if !a.assign[id] {
			continue
		}
		login, prof := u.Profile.Login, u.Profile
		m.enqueueLocked(a, mockokta.OpUpdate, login, func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult {
			return o.UpdateProfile(ctx, login, prof)
		})
	}
	return nil
}

// ChangeStatus runs a lifecycle action. Deactivation removes the person's
// assignments (as Okta does) and deactivates it in each provisioned app.
func (m *MemoryOrg) ChangeStatus(id string, a Lifecycle) error {
	p, err := m.Person(id)
	if err != nil {
		return err
	}
	login := p.Profile.Login
	want := map[Lifecycle]struct {
		from []mockokta.Status
		to   mockokta.Status
	}{
		Deactivate: {[]mockokta.Status{mockokta.StatusActive, mockokta.StatusSuspended}, mockokta.StatusDeactivated},
		Reactivate: {[]mockokta.Status{mockokta.StatusDeactivated}, mockokta.StatusActive},
		Suspend:    {[]mockokta.Status{mockokta.StatusActive}, mockokta.StatusSuspended},
		Unsuspend:  {[]mockokta.Status{mockokta.StatusSuspended}, mockokta.StatusActive},
	}
	w, ok := want[a]
	if !ok {
		return Invalid(fmt.Sprintf("unknown action %q", a))
	}
	if !slices.Contains(w.from, p.Status) {
		return Invalid(fmt.Sprintf("%s is %s: it cannot be %s", login, strings.ToLower(string(p.Status)), pastTense(a)))
	}
	if _, err := m.dir.SetStatus(login, w.to); err != nil {
		return err
	}
	if a != Deactivate {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, app := range m.apps {
		if !app.assign[id] {
			continue
		}
		delete(app.assign, id)
		m.enqueueLocked(app, mockokta.OpDeactivate, login, func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult {
			return o.DeactivateOktaUser(ctx, login)
		})
	}
	return nil
}

func pastTense(a Lifecycle) string {
	switch a {
	case Suspend:
		return "suspended"
	case Unsuspend:
		return "unsuspended"
	default:
		return string(a) + "d"
	}
}

// Apps returns every app instance.
func (m *MemoryOrg) Apps() []App {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]App, 0, len(m.apps))
	for _, a := range m.apps {
		out = append(out, a.app)
	}
	return out
}

func (m *MemoryOrg) appLocked(id string) (*memApp, error) {
	for _, a := range m.apps {
		if a.app.ID == id {
			return a, nil
		}
	}
	return nil, fmt.Errorf("app %q: %w", id, ErrNotFound)
}

// App returns one app.
func (m *MemoryOrg) App(id string) (App, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := m.appLocked(id)
	if err != nil {
		return App{}, err
	}
	return a.app, nil
}

// newAppID returns an Okta app id: "0oa" and 17 alphanumerics.
func newAppID() (string, error) {
	id, err := mockokta.NewOktaID(rand.Reader)
	if err != nil {
		return "", err
	}
	return "0oa" + id[3:], nil
}

// AddApp adds an app instance; the OIDC app can be added once.
func (m *MemoryOrg) AddApp(kind AppKind, label string) (App, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		return App{}, Invalid("Application label: this field cannot be left blank")
	}
	if len(label) > 100 {
		return App{}, Invalid("Application label: at most 100 characters")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.apps {
		if strings.EqualFold(a.app.Label, label) {
			return App{}, Invalid("Application label: an app with this label already exists")
		}
		if kind == KindXakiaOIDC && a.app.Kind == KindXakiaOIDC {
			return App{}, Invalid("The Xakia OIDC app is already added: the OIDC configuration is done once for every location")
		}
	}
	id, err := newAppID()
	if err != nil {
		return App{}, err
	}
	app := App{ID: id, Label: label, Kind: kind}
	switch kind {
	case KindXakia:
		app.ToApp = mockokta.ToApp{}
	case KindXakiaOIDC:
		cid, err := newAppID()
		if err != nil {
			return App{}, err
		}
		app.SignOn = SignOn{ClientID: cid, Issuer: m.opts.Issuer}
	default:
		return App{}, Invalid(fmt.Sprintf("no app %q in the catalog", kind))
	}
	m.apps = append(m.apps, &memApp{app: app, assign: map[string]bool{}, links: map[string]mockokta.Link{}})
	return app, nil
}

// credentials fills an empty token with the saved one and checks c.
func (m *MemoryOrg) credentials(a *memApp, c Credentials) (mockokta.App, error) {
	if a.app.Kind != KindXakia {
		return mockokta.App{}, Invalid("this app has no provisioning")
	}
	if c.Token == "" {
		c.Token = a.token
	}
	if len(c.Token) > 4096 || len(c.BaseURL) > 2048 {
		return mockokta.App{}, Invalid("the SCIM Base URI or the API Token is too long")
	}
	app := mockokta.App{Name: a.app.Label, BaseURL: c.BaseURL, Credential: c.Token, ToApp: a.app.ToApp}
	if err := app.Validate(); err != nil {
		return mockokta.App{}, Invalid(strings.Replace(strings.Replace(err.Error(), "SCIM base URL", "SCIM Base URI", 1), "API key", "API Token", 1))
	}
	app.ToApp = a.app.ToApp
	return app, nil
}

// TestAPICredentials runs Okta's test connection.
func (m *MemoryOrg) TestAPICredentials(ctx context.Context, appID string, c Credentials) (mockokta.TaskResult, error) {
	m.mu.Lock()
	a, err := m.appLocked(appID)
	var app mockokta.App
	if err == nil {
		app, err = m.credentials(a, c)
	}
	m.mu.Unlock()
	if err != nil {
		return mockokta.TaskResult{}, err
	}
	o, err := m.newOkta(app)
	if err != nil {
		return mockokta.TaskResult{}, Invalid(err.Error())
	}
	defer o.Close()
	return o.TestConnection(ctx), nil
}

// newOkta builds a provisioning client. mockokta reads an all-off ToApp as
// its default (create, update, deactivate on), so all off is passed as
// Sync Password alone: the memory org never queues a password push, and
// with Create, Update and Deactivate off every other task sends nothing.
func (m *MemoryOrg) newOkta(app mockokta.App) (*mockokta.Okta, error) {
	if app.ToApp == (mockokta.ToApp{}) {
		app.ToApp = mockokta.ToApp{SyncPassword: true}
	}
	return mockokta.New(app, m.dir, m.opts.Okta)
}

// SaveAPIIntegration saves the integration and rebuilds the app's client.
func (m *MemoryOrg) SaveAPIIntegration(appID string, enabled bool, c Credentials) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := m.appLocked(appID)
	if err != nil {
		return err
	}
	if a.app.Kind != KindXakia {
		return Invalid("this app has no provisioning")
	}
	if !enabled {
		a.app.Integration.Enabled = false
		m.rebuildLocked(a)
		return nil
	}
	app, err := m.credentials(a, c)
	if err != nil {
		return err
	}
	a.token = app.Credential
	a.app.Integration = Integration{Enabled: true, BaseURL: app.BaseURL, TokenSet: true}
	m.rebuildLocked(a)
	return nil
}

// SaveToApp saves the To App toggles.
func (m *MemoryOrg) SaveToApp(appID string, t mockokta.ToApp) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := m.appLocked(appID)
	if err != nil {
		return err
	}
	if a.app.Kind != KindXakia || !a.app.Integration.Enabled {
		return Invalid("Enable the API integration first (Provisioning → Integration)")
	}
	a.app.ToApp = t
	m.rebuildLocked(a)
	return nil
}

// rebuildLocked replaces the app's client after a settings change.
func (m *MemoryOrg) rebuildLocked(a *memApp) {
	if a.okta != nil {
		a.okta.Close()
		a.okta = nil
	}
	if !a.app.Integration.Enabled {
		return
	}
	o, err := m.newOkta(mockokta.App{Name: a.app.Label, BaseURL: a.app.Integration.BaseURL, Credential: a.token, ToApp: a.app.ToApp})
	if err != nil {
		return
	}
	for _, l := range a.links {
		o.SetLink(l)
	}
	a.okta = o
}

// Assignments returns the app's assigned people with their state.
func (m *MemoryOrg) Assignments(appID string) ([]Assignment, error) {
	m.mu.Lock()
	a, err := m.appLocked(appID)
	if err != nil {
		m.mu.Unlock()
		return nil, err
	}
	ids := make(map[string]bool, len(a.assign))
	for id := range a.assign {
		ids[id] = true
	}
	m.mu.Unlock()
	var out []Assignment
	for _, p := range m.People() {
		if !ids[p.ID] {
			continue
		}
		row := Assignment{Person: p, State: StateNotProvisioned, Detail: "Assigned in Okta only: no provisioning task has run"}
		m.mu.Lock()
		if l, ok := a.links[p.ID]; ok && l.Active {
			row.SCIMID, row.State, row.Detail = l.SCIMID, StateProvisioned, ""
		}
		if t := m.lastTaskLocked(appID, p.ID); t != nil {
			row.Detail = t.Result.Message
			switch t.State {
			case StateQueued, StateRunning, StateFailed:
				row.State = t.State
			}
		}
		m.mu.Unlock()
		out = append(out, row)
	}
	return out, nil
}

func (m *MemoryOrg) lastTaskLocked(appID, personID string) *Task {
	for i := len(m.tasks) - 1; i >= 0; i-- {
		t := m.tasks[i]
		if t.task.AppID == appID && t.task.Result.OktaID == personID {
			return &t.task
		}
	}
	return nil
}

// Assign assigns the person and queues its provisioning.
func (m *MemoryOrg) Assign(appID, personID string) error {
	p, err := m.Person(personID)
	if err != nil {
		return err
	}
	if p.Status != mockokta.StatusActive {
		return Invalid(fmt.Sprintf("%s is %s and cannot be assigned", p.Profile.Login, strings.ToLower(string(p.Status))))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := m.appLocked(appID)
	if err != nil {
		return err
	}
	if a.assign[personID] {
		return Invalid(p.Profile.Login + " is already assigned to " + a.app.Label)
	}
	a.assign[personID] = true
	login := p.Profile.Login
	m.enqueueLocked(a, mockokta.OpAssign, login, func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult {
		return o.Assign(ctx, login)
	})
	return nil
}

// Unassign removes the assignment and queues the deactivation.
func (m *MemoryOrg) Unassign(appID, personID string) error {
	p, err := m.Person(personID)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := m.appLocked(appID)
	if err != nil {
		return err
	}
	if !a.assign[personID] {
		return Invalid(p.Profile.Login + " is not assigned to " + a.app.Label)
	}
	delete(a.assign, personID)
	login := p.Profile.Login
	m.enqueueLocked(a, mockokta.OpUnassign, login, func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult {
		return o.Unassign(ctx, login)
	})
	return nil
}

// ImportNow queues an import.
func (m *MemoryOrg) ImportNow(appID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := m.appLocked(appID)
	if err != nil {
		return err
	}
	if a.app.Kind != KindXakia || !a.app.Integration.Enabled {
		return Invalid("Enable the API integration first (Provisioning → Integration)")
	}
	t := m.enqueueLocked(a, mockokta.OpImport, "", func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult {
		return o.Import(ctx)
	})
	a.lastImp = &ImportRun{Task: t}
	return nil
}

// LastImport returns the latest import.
func (m *MemoryOrg) LastImport(appID string) (*ImportRun, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := m.appLocked(appID)
	if err != nil || a.lastImp == nil {
		return nil, err
	}
	run := *a.lastImp
	for _, t := range m.tasks {
		if t.task.ID == run.Task.ID {
			run.Task = t.task
		}
	}
	run.Users = nil
	for _, u := range run.Task.Result.Imported {
		im := ImportMatch{ImportedUser: u, Match: "No match"}
		for _, p := range m.dir.Users() {
			if (u.ExternalID != "" && u.ExternalID == p.ID) || (u.UserName != "" && strings.EqualFold(u.UserName, p.Profile.Login)) {
				im.Match, im.Login = "Exact match", p.Profile.Login
				break
			}
		}
		if im.Login == "" {
			for _, l := range a.links {
				if l.SCIMID == u.ID {
					im.Match, im.Login = "Exact match", l.Login
				}
			}
		}
		run.Users = append(run.Users, im)
	}
	return &run, nil
}

// Tasks returns every task, newest first.
func (m *MemoryOrg) Tasks() []Task {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Task, 0, len(m.tasks))
	for i := len(m.tasks) - 1; i >= 0; i-- {
		out = append(out, m.tasks[i].task)
	}
	return out
}

// RetryTask queues a failed task again, as a new task.
func (m *MemoryOrg) RetryTask(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range m.tasks {
		if t.task.ID != id {
			continue
		}
		if t.task.State != StateFailed {
			return Invalid("only a failed task can be retried")
		}
		a, err := m.appLocked(t.task.AppID)
		if err != nil {
			return err
		}
		nt := m.enqueueLocked(a, t.task.Operation, t.login, t.run)
		if t.task.Operation == mockokta.OpImport {
			a.lastImp = &ImportRun{Task: nt}
		}
		return nil
	}
	return fmt.Errorf("task %q: %w", id, ErrNotFound)
}

// enqueueLocked records a task and hands it to the worker. A task of an
// app without a client finishes at once: Okta sends nothing.
func (m *MemoryOrg) enqueueLocked(a *memApp, op mockokta.Operation, login string, run func(context.Context, *mockokta.Okta) mockokta.TaskResult) Task {
	m.seq++
	t := &memTask{run: run, login: login, task: Task{
		ID: strconv.Itoa(m.seq), AppID: a.app.ID, AppName: a.app.Label, Queued: time.Now(),
		State: StateQueued, Operation: op, User: login,
	}}
	if u, err := m.dir.Get(login); err == nil {
		t.task.Result.OktaID = u.ID
	}
	m.tasks = append(m.tasks, t)
	if len(m.tasks) > 1000 {
		m.tasks = m.tasks[len(m.tasks)-1000:]
	}
	select {
	case m.queue <- t.task.ID:
	default:
		t.task.State = StateFailed
		t.task.Result.Message = "The provisioning queue is full; retry the task later"
	}
	return t.task
}

func (m *MemoryOrg) work(ctx context.Context) {
	defer close(m.done)
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-m.queue:
			m.runTask(ctx, id)
		}
	}
}

func (m *MemoryOrg) runTask(ctx context.Context, id string) {
	m.mu.Lock()
	var t *memTask
	for _, c := range m.tasks {
		if c.task.ID == id {
			t = c
		}
	}
	if t == nil {
		m.mu.Unlock()
		return
	}
	a, err := m.appLocked(t.task.AppID)
	if err != nil {
		m.mu.Unlock()
		return
	}
	o := a.okta
	t.task.State = StateRunning
	oktaID := t.task.Result.OktaID
	m.mu.Unlock()

	var res mockokta.TaskResult
	if o == nil {
		res = mockokta.TaskResult{Operation: t.task.Operation, User: t.login, OK: true,
			Message: fmt.Sprintf("The API integration of app %s is not enabled; nothing sent", a.app.Label)}
	} else {
		res = t.run(ctx, o)
	}
	if res.OktaID == "" {
		res.OktaID = oktaID
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t.task.Result = res
	t.task.State = StateCompleted
	if !res.OK {
		t.task.State = StateFailed
	}
	if o != nil && oktaID != "" {
		if l, ok := o.Link(oktaID); ok {
			a.links[oktaID] = l
			if a.okta != nil && a.okta != o {
				a.okta.SetLink(l)
			}
		}
	}
}
