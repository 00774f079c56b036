package mockokta

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// userPath is the path of one SCIM user.
func userPath(id string) string { return "/Users/" + url.PathEscape(id) }

// lookup sends Okta's userName lookup. It returns the first match, nil on a
// miss, or a finished failed result.
func (t *task) lookup(u User) (*userSummary, *TaskResult) {
	doing := "Error while finding user " + t.display
	resp, fr := t.send(doing, http.MethodGet, "/Users", lookupQuery(u.Profile.Login), nil)
	if fr != nil {
		return nil, fr
	}
	switch resp.Status {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, nil // also accepted as a miss
	default:
		r := t.fail(nil, doing, httpDetail(resp))
		return nil, &r
	}
	list, err := parseList(resp.Body)
	if err != nil {
		r := t.fail(nil, doing, "the userName lookup did not answer a valid ListResponse: "+err.Error())
		return nil, &r
	}
	if list.TotalResults == 0 || len(list.Resources) == 0 {
		if list.TotalResults > 0 {
			t.warn("the lookup said totalResults %d but returned no Resources; Okta treats it as not found", list.TotalResults)
		}
		return nil, nil
	}
	if list.TotalResults > 1 || len(list.Resources) > 1 {
		t.warn("the userName lookup for %s matched %d users; Okta links to the first", u.Profile.Login, max(list.TotalResults, len(list.Resources)))
	}
	found, err := readUser(list.Resources[0])
	if err != nil || found.ID == "" {
		r := t.fail(nil, doing, "the user found by the userName lookup has no id")
		return nil, &r
	}
	if found.UserName != "" && !strings.EqualFold(found.UserName, u.Profile.Login) {
		t.warn("the lookup for %s returned userName %q", u.Profile.Login, found.UserName)
	}
	return &found, nil
}

// create POSTs Okta's create body and returns the new SCIM id.
func (t *task) create(u User) (string, *TaskResult) {
	doing := "Error while creating user " + t.display
	pw, err := t.o.password()
	if err != nil {
		r := t.fail(err, doing, err.Error())
		return "", &r
	}
	resp, fr := t.send(doing, http.MethodPost, "/Users", "", createBody(u, pw))
	if fr != nil {
		return "", fr
	}
	if resp.Status < 200 || resp.Status > 299 {
		// 409 included: Okta stops the task and sends nothing more.
		r := t.fail(nil, doing, httpDetail(resp))
		return "", &r
	}
	t.res.LastBody = resp.Body
	if len(strings.TrimSpace(string(resp.Body))) == 0 {
		r := t.fail(nil, doing, "Create new user returned empty user")
		return "", &r
	}
	created, err := readUser(resp.Body)
	if err != nil {
		r := t.fail(nil, doing, "Create new user returned a body that is not a SCIM user: "+err.Error())
		return "", &r
	}
	if created.ID == "" {
		r := t.fail(nil, doing, "Create new user returned a user without an id")
		return "", &r
	}
	if resp.Status != http.StatusCreated {
		t.warn("POST /Users answered %d; SCIM (RFC 7644 §3.3) and Okta expect 201 Created", resp.Status)
	}
	t.res.Created = true
	return created.ID, nil
}

// patchActive sends the OIN PATCH that sets active; 200 or 204 is success.
func (t *task) patchActive(id string, active bool, doing string) *TaskResult {
	resp, fr := t.send(doing, http.MethodPatch, userPath(id), "", patchActiveBody(active))
	if fr != nil {
		return fr
	}
	if resp.Status != http.StatusOK && resp.Status != http.StatusNoContent {
		r := t.fail(nil, doing, httpDetail(resp))
		return &r
	}
	t.res.LastBody = resp.Body
	return nil
}

// updateProfile pushes the Okta profile the app's way: an OIN app whose
// profile update method is PATCH sends one no-path replace (inferred
// shape); otherwise GET then PUT with the profile and active true.
func (t *task) updateProfile(u User, id string) *TaskResult {
	if t.o.app.Style != StyleOIN || t.o.app.ProfileUpdate != UpdatePATCH {
		return t.pushProfile(u, id, true, "")
	}
	doing := "Error while updating user " + t.display
	resp, fr := t.send(doing, http.MethodPatch, userPath(id), "", patchProfileBody(u))
	if fr != nil {
		return fr
	}
	if resp.Status != http.StatusOK && resp.Status != http.StatusNoContent {
		r := t.fail(nil, doing, httpDetail(resp))
		return &r
	}
	t.res.LastBody = resp.Body
	return nil
}

// putActive is the AIW (de)activation: GET the user, then PUT the GET body
// echoed unchanged except active (and without a returned password; with
// the login as userName when the GET had none).
func (t *task) putActive(u User, id string, active bool, doing string) *TaskResult {
	return t.getThenPut(doing, id, func(got []byte) ([]byte, error) {
		return ActivePutBody(got, active, u.Profile.Login)
	})
}

// pushProfile is Okta's read-modify-write update: GET the user, then PUT the
// GET body overlaid with the Okta profile, active and, when not empty, a
// password.
func (t *task) pushProfile(u User, id string, active bool, password string) *TaskResult {
	doing := "Error while updating user " + t.display
	if !active {
		doing = "Error while deactivating user " + t.display
	}
	return t.getThenPut(doing, id, func(got []byte) ([]byte, error) {
		body, err := overlayProfile(got, u, active)
		if err == nil && password != "" {
			body, err = withPassword(body, password)
		}
		return body, err
	})
}

// getThenPut is Okta's read-modify-write: GET /Users/{id}, build the PUT
// body from the GET body, PUT it. A non-200 GET or a non-2xx PUT fails the
// task with Okta's wording; a 2xx other than 200 is a warning.
func (t *task) getThenPut(doing, id string, build func(got []byte) ([]byte, error)) *TaskResult {
	resp, fr := t.send(doing, http.MethodGet, userPath(id), "", nil)
	if fr != nil {
		return fr
	}
	if resp.Status != http.StatusOK {
		r := t.fail(nil, doing, httpDetail(resp))
		return &r
	}
	body, err := build(resp.Body)
	if err != nil {
		r := t.fail(nil, doing, err.Error())
		return &r
	}
	resp, fr = t.send(doing, http.MethodPut, userPath(id), "", body)
	if fr != nil {
		return fr
	}
	if resp.Status < 200 || resp.Status > 299 {
		r := t.fail(nil, doing, httpDetail(resp))
		return &r
	}
	if resp.Status != http.StatusOK {
		t.warn("PUT %s answered %d; Okta expects 200 with the user", userPath(id), resp.Status)
	}
	t.res.LastBody = resp.Body
	return nil
}

// Assign assigns the directory user with that login to the app: Okta's
// lookup, then either a link to the user found (never a POST) or a create.
// An already-active assignment sends nothing; an inactive one is reassigned.
// A 429 reschedules the whole task (a fresh lookup before the POST).
func (o *Okta) Assign(ctx context.Context, login string) TaskResult {
	return o.retrying(ctx, func() TaskResult { return o.assign(ctx, login) })
}

func (o *Okta) assign(ctx context.Context, login string) TaskResult {
	u, err := o.dir.Get(login)
	if err != nil {
		t := o.newTask(ctx, OpAssign, &User{Profile: Profile{Login: login}})
		return t.failMsg(err, err.Error())
	}
	if l, ok := o.Link(u.ID); ok {
		if l.Active {
			t := o.newTask(ctx, OpAssign, &u)
			t.res.SCIMID = l.SCIMID
			return t.done("User %s is already assigned to app %s (id %s); nothing sent", u.Profile.Login, o.app.Name, l.SCIMID)
		}
		return o.reassign(ctx, OpAssign, u, l)
	}
	t := o.newTask(ctx, OpAssign, &u)
	if !o.app.ToApp.CreateUsers {
		return t.done("Create Users is disabled for app %s; user %s is assigned in Okta only, nothing sent", o.app.Name, u.Profile.Login)
	}
	found, fr := t.lookup(u)
	if fr != nil {
		return *fr
	}
	if found != nil {
		t.res.Linked = true
		t.res.SCIMID = found.ID
		if o.app.Style == StyleOIN && found.Active != nil && !*found.Active {
			// Inferred (no public capture): an OIN app activates the
			// inactive user it found before pushing the profile.
			if fr := t.patchActive(found.ID, true, "Error while activating user "+t.display); fr != nil {
				return *fr
			}
		}
		if fr := t.updateProfile(u, found.ID); fr != nil {
			return *fr
		}
		o.SetLink(Link{OktaID: u.ID, Login: u.Profile.Login, SCIMID: found.ID, Active: true})
		return t.done("User %s matched an existing user in app %s (id %s); linked and profile pushed", u.Profile.Login, o.app.Name, found.ID)
	}
	id, fr := t.create(u)
	if fr != nil {
		return *fr
	}
	t.res.SCIMID = id
	o.SetLink(Link{OktaID: u.ID, Login: u.Profile.Login, SCIMID: id, Active: true})
	return t.done("User %s was created in app %s (id %s)", u.Profile.Login, o.app.Name, id)
}

// AddAndAssign adds a user with profile p to the directory (unless its login
// exists already) and assigns it.
func (o *Okta) AddAndAssign(ctx context.Context, p Profile) TaskResult {
	if _, err := o.dir.Get(p.Login); err != nil {
		if _, err := o.dir.Add(p); err != nil {
			t := o.newTask(ctx, OpAssign, &User{Profile: p})
			return t.failMsg(err, err.Error())
		}
	}
	return o.Assign(ctx, p.Login)
}
