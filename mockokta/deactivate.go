package mockokta

import (
	"context"
	"fmt"
	"net/http"
)

// Unassign removes the user from the app. OIN: PATCH {base}/Users/{id} with
// a no-path replace of active:false; AIW: GET, then PUT the GET body echoed
// unchanged except active false. Okta never sends DELETE and never falls
// back from PATCH to PUT.
func (o *Okta) Unassign(ctx context.Context, login string) TaskResult {
	return o.retrying(ctx, func() TaskResult { return o.deactivate(ctx, OpUnassign, login) })
}

// DeactivateOktaUser deactivates the user in Okta, which deactivates it in
// the app exactly as an unassignment does. Deactivating an Okta user also
// removes its direct app assignments; the mock keeps the (inactive) link
// only to remember the SCIM id for a later assignment.
func (o *Okta) DeactivateOktaUser(ctx context.Context, login string) TaskResult {
	return o.retrying(ctx, func() TaskResult { return o.deactivateOktaUser(ctx, login) })
}

func (o *Okta) deactivateOktaUser(ctx context.Context, login string) TaskResult {
	if _, err := o.dir.SetStatus(login, StatusDeactivated); err != nil {
		t := o.newTask(ctx, OpDeactivate, &User{Profile: Profile{Login: login}})
		return t.failMsg(err, err.Error())
	}
	u, _ := o.dir.Get(login)
	if _, ok := o.Link(u.ID); !ok {
		t := o.newTask(ctx, OpDeactivate, &u)
		return t.done("User %s was deactivated in Okta; not assigned to app %s, nothing sent", login, o.app.Name)
	}
	return o.deactivate(ctx, OpDeactivate, login)
}

// SuspendOktaUser suspends the user in Okta. Okta sends nothing to the app.
func (o *Okta) SuspendOktaUser(ctx context.Context, login string) TaskResult {
	u, err := o.dir.SetStatus(login, StatusSuspended)
	if err != nil {
		t := o.newTask(ctx, OpSuspend, &User{Profile: Profile{Login: login}})
		return t.failMsg(err, err.Error())
	}
	t := o.newTask(ctx, OpSuspend, &u)
	return t.done("User %s was suspended in Okta; Okta sends nothing to app %s", login, o.app.Name)
}

func (o *Okta) deactivate(ctx context.Context, op Operation, login string) TaskResult {
	u, l, t, fr := o.activeLink(ctx, op, login)
	if fr != nil {
		return *fr
	}
	if !l.Active {
		return t.done("User %s is already deactivated in app %s; nothing sent", login, o.app.Name)
	}
	if !o.app.ToApp.DeactivateUsers {
		o.SetLink(Link{OktaID: l.OktaID, Login: l.Login, SCIMID: l.SCIMID, Active: false})
		return t.done("Deactivate Users is disabled for app %s; nothing sent", o.app.Name)
	}
	doing := "Error while deactivating user " + t.display
	if o.app.Style == StyleOIN {
		if fr := t.patchActive(l.SCIMID, false, doing); fr != nil {
			return *fr
		}
	} else if fr := t.putActive(u, l.SCIMID, false, doing); fr != nil {
		return *fr
	}
	l.Active = false
	o.SetLink(l)
	return t.done("User %s was deactivated in app %s (id %s)", login, o.app.Name, l.SCIMID)
}

// ReactivateOktaUser reactivates the user in Okta. Okta removed the user's
// direct app assignments when it was deactivated (only group assignments
// come back, and the Xakia app has no groups), so nothing is sent to the
// app: an administrator assigns the user again (Assign or Reassign), which
// finds the same SCIM user and reactivates it.
func (o *Okta) ReactivateOktaUser(ctx context.Context, login string) TaskResult {
	u, err := o.dir.SetStatus(login, StatusActive)
	if err != nil {
		t := o.newTask(ctx, OpReactivate, &User{Profile: Profile{Login: login}})
		return t.failMsg(err, err.Error())
	}
	t := o.newTask(ctx, OpReactivate, &u)
	if l, ok := o.Link(u.ID); ok {
		t.res.SCIMID = l.SCIMID
		if l.Active {
			return t.done("User %s was reactivated in Okta; it is still assigned to app %s (id %s), nothing sent", login, o.app.Name, l.SCIMID)
		}
	}
	return t.done("User %s was reactivated in Okta; its direct assignment to app %s was removed when it was deactivated, so nothing is sent until it is assigned again", login, o.app.Name)
}

// Reassign assigns a previously unassigned user again. Okta's lookup must
// find the same user; OIN then PATCHes active:true and pushes the profile;
// AIW makes two rounds of GET then PUT with active true (recorded Okta
// traffic): the first echoes the GET body (activation), the second pushes
// the profile. The SCIM id must not change (Okta's CRUD test). A user never
// assigned is simply assigned.
func (o *Okta) Reassign(ctx context.Context, login string) TaskResult {
	return o.retrying(ctx, func() TaskResult { return o.reassignTask(ctx, login) })
}

func (o *Okta) reassignTask(ctx context.Context, login string) TaskResult {
	u, err := o.dir.Get(login)
	if err != nil {
		t := o.newTask(ctx, OpReassign, &User{Profile: Profile{Login: login}})
		return t.failMsg(err, err.Error())
	}
	l, ok := o.Link(u.ID)
	if !ok {
		r := o.assign(ctx, login)
		r.Operation = OpReassign
		return r
	}
	return o.reassign(ctx, OpReassign, u, l)
}

func (o *Okta) reassign(ctx context.Context, op Operation, u User, l Link) TaskResult {
	t := o.newTask(ctx, op, &u)
	t.res.SCIMID = l.SCIMID
	doing := "Error while activating user " + t.display
	found, fr := t.lookup(u)
	if fr != nil {
		return *fr
	}
	if found == nil {
		// Okta creates the user again; a conformant server keeps the
		// deactivated user findable, so this is where things go wrong.
		id, fr := t.create(u)
		if fr != nil {
			fr.Message += fmt.Sprintf(" (the userName lookup no longer finds user %s, SCIM id %s, that Okta deactivated, so Okta tried to create it again)", u.Profile.Login, l.SCIMID)
			return *fr
		}
		t.res.SCIMID = id
		o.SetLink(Link{OktaID: u.ID, Login: u.Profile.Login, SCIMID: id, Active: true})
		return t.fail(nil, doing, fmt.Sprintf("the userName lookup no longer finds user %s (SCIM id %s), so Okta created a second user %s; reactivation must bring back the same id", u.Profile.Login, l.SCIMID, id))
	}
	t.res.Linked = true
	if found.ID != l.SCIMID {
		t.res.SCIMID = found.ID
		return t.fail(nil, doing, fmt.Sprintf("the userName lookup returned SCIM id %s, not %s that Okta linked before; reactivation must bring back the same id", found.ID, l.SCIMID))
	}
	if o.app.Style == StyleOIN {
		if fr := t.patchActive(l.SCIMID, true, doing); fr != nil {
			return *fr
		}
		if msg := checkWritten(t.res.LastBody, l.SCIMID, true); msg != "" {
			return t.fail(nil, doing, msg)
		}
		if fr := t.updateProfile(u, l.SCIMID); fr != nil {
			return *fr
		}
	} else {
		if fr := t.putActive(u, l.SCIMID, true, doing); fr != nil {
			return *fr
		}
		if msg := checkWritten(t.res.LastBody, l.SCIMID, true); msg != "" {
			return t.fail(nil, doing, msg)
		}
		if fr := t.pushProfile(u, l.SCIMID, true, ""); fr != nil {
			return *fr
		}
	}
	if msg := checkWritten(t.res.LastBody, l.SCIMID, true); msg != "" {
		return t.fail(nil, doing, msg)
	}
	l.Active = true
	l.Login = u.Profile.Login
	o.SetLink(l)
	return t.done("User %s was reactivated in app %s (same id %s, active)", u.Profile.Login, o.app.Name, l.SCIMID)
}

// checkWritten checks a write response body, when there is one, for the
// expected id and active value; it returns a problem or "".
func checkWritten(body []byte, id string, active bool) string {
	if len(body) == 0 {
		return ""
	}
	got, err := readUser(body)
	if err != nil {
		return "the response is not a SCIM user: " + err.Error()
	}
	if got.ID != "" && got.ID != id {
		return fmt.Sprintf("the server answered with SCIM id %s instead of %s", got.ID, id)
	}
	if got.Active != nil && *got.Active != active {
		return fmt.Sprintf("the server answered active %v, Okta set active %v", *got.Active, active)
	}
	return ""
}

// SyncPassword pushes a password for an assigned user. OIN: PATCH with a
// no-path replace of {password}; AIW: GET then PUT with a top-level password.
func (o *Okta) SyncPassword(ctx context.Context, login, password string) TaskResult {
	return o.retrying(ctx, func() TaskResult { return o.syncPassword(ctx, login, password) })
}

func (o *Okta) syncPassword(ctx context.Context, login, password string) TaskResult {
	u, l, t, fr := o.activeLink(ctx, OpPasswordSync, login)
	if fr != nil {
		return *fr
	}
	if !l.Active {
		return t.done("User %s is not active in app %s; nothing sent", login, o.app.Name)
	}
	if !o.app.ToApp.SyncPassword {
		return t.done("Sync Password is disabled for app %s; nothing sent", o.app.Name)
	}
	doing := "Error while pushing the password of user " + t.display
	if o.app.Style == StyleOIN {
		// The PATCH body is inferred (no public capture).
		resp, fr := t.send(doing, http.MethodPatch, userPath(l.SCIMID), "", patchPasswordBody(password))
		if fr != nil {
			return *fr
		}
		if resp.Status != http.StatusOK && resp.Status != http.StatusNoContent {
			return t.fail(nil, doing, httpDetail(resp))
		}
		t.res.LastBody = resp.Body
	} else if fr := t.pushProfile(u, l.SCIMID, true, password); fr != nil {
		return *fr
	}
	return t.done("The password of user %s was pushed to app %s", login, o.app.Name)
}
