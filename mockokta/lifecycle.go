package mockokta

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/xakia-okta/scimtest/reports"
)

// LifecycleOptions configure [Okta.Lifecycle].
type LifecycleOptions struct {
	// Users is the number of new users assigned (default 3, at least 2).
	Users int
	// Domain is the email domain of the generated users (default example.com).
	Domain string
	// PreExisting creates a user directly on the server, outside Okta (the
	// reference's admin API, say). Nil means a plain SCIM POST without an
	// externalId, as a user created before Okta was connected.
	PreExisting func(ctx context.Context, p Profile) error
	// OnStep, when set, is called after each step, for live output.
	OnStep func(Step)
	// OnProgress, when set, is called inside a long step (the assignment
	// of the new users) after each of its total tasks, before OnStep.
	OnProgress func(step string, done, total int)
}

// Check is one verification made after a step.
type Check struct {
	OK   bool   `json:"ok"`
	Text string `json:"text"`
}

// Step is one step of the lifecycle with its verdict.
type Step struct {
	Name    string       `json:"name"`
	OK      bool         `json:"ok"`
	NotRun  bool         `json:"notRun,omitempty"`
	Verdict string       `json:"verdict"`
	Tasks   []TaskResult `json:"tasks,omitempty"`
	Checks  []Check      `json:"checks,omitempty"`
	// Exchanges are the verification requests (not sent by Okta).
	Exchanges []reports.Exchange `json:"-"`
}

// LifecycleReport is the outcome of [Okta.Lifecycle].
type LifecycleReport struct {
	OK    bool   `json:"ok"`
	Steps []Step `json:"steps"`
}

// stepRun accumulates a step.
type stepRun struct {
	o    *Okta
	ctx  context.Context
	step Step
	s    *session
}

func (o *Okta) newStep(ctx context.Context, name string) *stepRun {
	s := o.client.session()
	// Verification reads are not Okta tasks: a 429 is waited out in place.
	s.retryInPlace = true
	return &stepRun{o: o, ctx: ctx, step: Step{Name: name, OK: true}, s: s}
}

// task records a task in the step. The step fails when the task failed
// or, like the conformance suite, when the task judged the server's answers
// against a failing authority (okta or rfc) even if Okta itself carried on.
func (r *stepRun) task(tr TaskResult) TaskResult {
	r.step.Tasks = append(r.step.Tasks, tr)
	if !tr.OK {
		r.step.OK = false
	}
	for _, f := range tr.Findings {
		if f.Authority.Fails() {
			r.step.OK = false
			r.step.Checks = append(r.step.Checks, Check{Text: f.String()})
		}
	}
	return tr
}

func (r *stepRun) check(ok bool, format string, args ...any) bool {
	r.step.Checks = append(r.step.Checks, Check{OK: ok, Text: fmt.Sprintf(format, args...)})
	if !ok {
		r.step.OK = false
	}
	return ok
}

func (r *stepRun) finish(okVerdict string) Step {
	r.step.Exchanges = r.s.exchanges()
	if r.step.OK {
		r.step.Verdict = "PASS: " + okVerdict
		return r.step
	}
	var why []string
	for _, t := range r.step.Tasks {
		if !t.OK {
			why = append(why, t.Message)
		}
	}
	for _, c := range r.step.Checks {
		if !c.OK {
			why = append(why, c.Text)
		}
	}
	r.step.Verdict = "FAIL: " + why[0]
	if len(why) > 1 {
		r.step.Verdict += fmt.Sprintf(" (and %d more problems)", len(why)-1)
	}
	return r.step
}

// getUser reads a user by id for verification (not an Okta request).
func (r *stepRun) getUser(id string) (int, userSummary, error) {
	resp, err := r.s.do(r.ctx, http.MethodGet, userPath(id), "", nil)
	if err != nil {
		return 0, userSummary{}, err
	}
	if resp.Status != http.StatusOK {
		return resp.Status, userSummary{}, nil
	}
	u, err := readUser(resp.Body)
	return resp.Status, u, err
}

// verifyUser checks GET /Users/{id}: 200, the expected active value and,
// when the server returns them (full query attributes), externalId and
// userName. In limited mode only id, active and externalId come back.
func (r *stepRun) verifyUser(u User, id string, active bool, why string) {
	status, got, err := r.getUser(id)
	switch {
	case err != nil:
		r.check(false, "GET /Users/%s for %s failed: %v", id, u.Profile.Login, err)
		return
	case status != http.StatusOK:
		r.check(false, "GET /Users/%s for %s answered %d, want 200 %s", id, u.Profile.Login, status, why)
		return
	}
	r.check(got.ID == id, "GET /Users/%s returns id %q", id, got.ID)
	if got.Active == nil {
		r.check(false, "GET /Users/%s returns no active attribute (Xakia documents Active as always returned)", id)
	} else {
		r.check(*got.Active == active, "GET /Users/%s returns active %v, want %v %s", id, *got.Active, active, why)
	}
	if got.ExternalID != "" {
		r.check(got.ExternalID == u.ID, "GET /Users/%s returns externalId %s, want the Okta id %s", id, got.ExternalID, u.ID)
	}
	if got.UserName != "" {
		r.check(strings.EqualFold(got.UserName, u.Profile.Login), "GET /Users/%s returns userName %s, want %s", id, got.UserName, u.Profile.Login)
	}
}

// verifyFindable checks that the userName filter still finds the user with
// that id (deactivated users included).
func (r *stepRun) verifyFindable(u User, id string) {
	resp, err := r.s.do(r.ctx, http.MethodGet, "/Users", lookupQuery(u.Profile.Login), nil)
	if err != nil {
		r.check(false, "the userName lookup for %s failed: %v", u.Profile.Login, err)
		return
	}
	list, perr := parseList(resp.Body)
	if resp.Status != http.StatusOK || perr != nil {
		r.check(false, "the userName lookup for %s answered %d (%v)", u.Profile.Login, resp.Status, perr)
		return
	}
	found := ""
	if len(list.Resources) > 0 {
		s, _ := readUser(list.Resources[0])
		found = s.ID
	}
	r.check(found == id, "the userName lookup for deactivated %s finds id %q, want %s (otherwise Okta's reassignment creates a duplicate or hits 409)", u.Profile.Login, found, id)
}

// verifyWritten checks a full write response (POST/PUT/PATCH return the
// whole user even in limited mode).
func (r *stepRun) verifyWritten(what string, body []byte, u User, check func(userSummary) (bool, string)) {
	if len(body) == 0 {
		return // 204 to a PATCH is legal
	}
	got, err := readUser(body)
	if err != nil {
		r.check(false, "the %s response is not a SCIM user: %v", what, err)
		return
	}
	r.check(strings.EqualFold(got.UserName, u.Profile.Login), "the %s response returns userName %q, want %s (write responses carry the full user)", what, got.UserName, u.Profile.Login)
	if check != nil {
		ok, text := check(got)
		r.check(ok, "%s", text)
	}
}

// Lifecycle replays Okta's CRUD test offline, verifying after each step
// what SCIM lets a client see: test connection → assign new users → assign
// a user that already exists on the server (linked, never POSTed) → update
// → unassign → reassign (same id, active) → import.
func (o *Okta) Lifecycle(ctx context.Context, opts LifecycleOptions) LifecycleReport {
	if opts.Users < 2 {
		opts.Users = max(opts.Users, 2)
	}
	if opts.Domain == "" {
		opts.Domain = "example.com"
	}
	var rep LifecycleReport
	emit := func(s Step) {
		rep.Steps = append(rep.Steps, s)
		if opts.OnStep != nil {
			opts.OnStep(s)
		}
	}
	// skip records a step that depends on a failed one.
	skip := func(name, because string) {
		emit(Step{Name: name, NotRun: true, Verdict: "NOT RUN: it needs " + because})
	}
	tag, err := randomString(o.random, lowerAlphanumerics, 6)
	if err != nil {
		emit(Step{Name: "setup", Verdict: "FAIL: " + err.Error()})
		return rep
	}

	// Every step that does not depend on a failed one runs: Test API
	// Credentials, the assignments and the import are independent; update,
	// unassign and reassign need the assigned users (reassign also needs
	// the unassignment).

	// 1. Test API Credentials.
	st := o.newStep(ctx, "test-connection")
	st.task(o.TestConnection(ctx))
	emit(st.finish("Okta's Test API Credentials passes"))

	// 2. Assign new users.
	st = o.newStep(ctx, "assign")
	var users []User
	var ids []string
	for i := 1; i <= opts.Users; i++ {
		p := ProfileFromEmail(fmt.Sprintf("lc-%s-%d@%s", tag, i, opts.Domain), "Life", fmt.Sprintf("Cycle%d", i))
		r := st.task(o.AddAndAssign(ctx, p))
		if !r.OK {
			break
		}
		u, _ := o.dir.Get(p.Login)
		st.check(r.Created && !r.Linked, "new user %s: created with a POST %v, linked %v; want a POST", p.Login, r.Created, r.Linked)
		st.verifyWritten("POST /Users", r.LastBody, u, func(g userSummary) (bool, string) {
			return g.GivenName == p.FirstName && g.FamilyName == p.LastName && g.Active != nil && *g.Active,
				fmt.Sprintf("the POST response has name %q %q active %v, want %q %q true", g.GivenName, g.FamilyName, boolOr(g.Active), p.FirstName, p.LastName)
		})
		st.verifyUser(u, r.SCIMID, true, "after the create")
		users = append(users, u)
		ids = append(ids, r.SCIMID)
		if opts.OnProgress != nil {
			opts.OnProgress("assign", i, opts.Users)
		}
	}
	emit(st.finish(fmt.Sprintf("%d users created, each readable by id with active true", len(users))))
	assigned := len(users) >= 2

	// 3. Assign a user that already exists on the server.
	st = o.newStep(ctx, "assign-existing")
	pe := ProfileFromEmail(fmt.Sprintf("lc-%s-existing@%s", tag, opts.Domain), "Pre", "Existing")
	create := opts.PreExisting
	if create == nil {
		create = o.createOutsideOkta
	}
	if err := create(ctx, pe); err != nil {
		st.check(false, "could not create the pre-existing user %s on the server: %v", pe.Login, err)
	} else {
		r := st.task(o.AddAndAssign(ctx, pe))
		if r.OK {
			posted := false
			for _, ex := range r.Exchanges {
				posted = posted || ex.Method == http.MethodPost
			}
			st.check(r.Linked && !r.Created && !posted, "existing user %s (id %s): linked %v, POSTed %v; want a link without a POST", pe.Login, r.SCIMID, r.Linked, posted)
			u, _ := o.dir.Get(pe.Login)
			st.verifyWritten("PUT /Users/"+r.SCIMID, r.LastBody, u, nil)
			st.verifyUser(u, r.SCIMID, true, "after the link")
		}
	}
	emit(st.finish("the existing user was found by the userName lookup and linked, not created again"))

	// 4. Update the first user's profile.
	var unassigned bool
	if !assigned {
		skip("update", "two assigned users, and the assign step failed")
		skip("unassign", "two assigned users, and the assign step failed")
		skip("reassign", "an unassigned user, and the assign step failed")
	} else {
		st = o.newStep(ctx, "update")
		first := users[0]
		p := first.Profile
		p.FirstName, p.DisplayName = "Renamed", "Renamed "+p.LastName
		if r := st.task(o.UpdateProfile(ctx, p.Login, p)); r.OK {
			first, _ = o.dir.Get(p.Login)
			st.verifyWritten("PUT /Users/"+ids[0], r.LastBody, first, func(g userSummary) (bool, string) {
				return g.GivenName == "Renamed", fmt.Sprintf("the PUT response has givenName %q, want Renamed", g.GivenName)
			})
			st.verifyUser(first, ids[0], true, "after the update")
		}
		emit(st.finish("the new givenName was accepted and returned by the PUT"))

		// 5. Unassign the first two users.
		st = o.newStep(ctx, "unassign")
		unassigned = true
		for i := range 2 {
			r := st.task(o.Unassign(ctx, users[i].Profile.Login))
			// Reassign needs Okta's unassignment to have happened, not the
			// server to have passed the checks that follow it.
			unassigned = unassigned && r.OK
			if r.OK {
				st.verifyUser(users[i], ids[i], false, "after the deactivation (a deactivated user keeps its data)")
				st.verifyFindable(users[i], ids[i])
			}
		}
		emit(st.finish("deactivated users stay readable with active false and findable by userName"))

		// 6. Reassign the first user.
		if !unassigned {
			skip("reassign", "an unassigned user, and the unassign step failed")
		} else {
			st = o.newStep(ctx, "reassign")
			first, _ = o.dir.Get(first.Profile.Login)
			if r := st.task(o.Reassign(ctx, first.Profile.Login)); r.OK {
				st.check(r.SCIMID == ids[0], "reassignment brought back id %s, want the same id %s", r.SCIMID, ids[0])
				st.verifyUser(first, ids[0], true, "after the reassignment")
			}
			emit(st.finish("the same id came back with active true"))
		}
	}

	// 7. Import.
	st = o.newStep(ctx, "import")
	if r := st.task(o.Import(ctx)); r.OK {
		imported := make(map[string]bool, len(r.Imported))
		for _, u := range r.Imported {
			imported[u.ID] = true
		}
		for _, l := range o.Links() {
			if !strings.HasPrefix(l.Login, "lc-"+tag+"-") {
				continue
			}
			if l.Active {
				st.check(imported[l.SCIMID], "active user %s (id %s): imported %v, want true (Okta's import walk missed it)", l.Login, l.SCIMID, imported[l.SCIMID])
			} else {
				st.check(!imported[l.SCIMID], "inactive user %s (id %s): imported %v, want false (Okta does not import inactive users)", l.Login, l.SCIMID, imported[l.SCIMID])
			}
		}
		total := len(r.Imported) + r.ImportSkipped
		pages := max(1, (total+importPageSize-1)/importPageSize)
		if len(r.Exchanges) > 0 {
			st.check(len(r.Exchanges) == pages, "the import walked %d pages for %d users, want %d", len(r.Exchanges), total, pages)
		}
	}
	emit(st.finish("every active user imported, inactive users left out, pages consistent"))

	rep.OK = true
	for _, s := range rep.Steps {
		rep.OK = rep.OK && s.OK && !s.NotRun
	}
	return rep
}

func boolOr(b *bool) any {
	if b == nil {
		return "absent"
	}
	return *b
}

// createOutsideOkta creates a user with a plain SCIM POST (no externalId,
// no Okta headers beyond the defaults), as a user that existed before the
// app was connected.
func (o *Okta) createOutsideOkta(ctx context.Context, p Profile) error {
	s := o.client.session()
	body := marshal(struct {
		Schemas     []string    `json:"schemas"`
		UserName    string      `json:"userName"`
		Name        wireName    `json:"name"`
		Emails      []wireEmail `json:"emails"`
		DisplayName string      `json:"displayName"`
		Active      bool        `json:"active"`
	}{[]string{schemaUser}, p.Login, wireName{p.FirstName, p.LastName}, emailsOf(p), p.DisplayName, true})
	resp, err := s.do(ctx, http.MethodPost, "/Users", "", body)
	if err != nil {
		return err
	}
	if resp.Status != http.StatusCreated && resp.Status != http.StatusOK {
		return fmt.Errorf("POST /Users answered %d: %s", resp.Status, httpDetail(resp))
	}
	return nil
}
