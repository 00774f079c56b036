package mockokta

import (
	"context"
	"fmt"
)

// activeLink returns the user and its active assignment, or a finished
// failed result.
func (o *Okta) activeLink(ctx context.Context, op Operation, login string) (User, Link, *task, *TaskResult) {
	u, err := o.dir.Get(login)
	if err != nil {
		t := o.newTask(ctx, op, &User{Profile: Profile{Login: login}})
		r := t.failMsg(err, err.Error())
		return User{}, Link{}, nil, &r
	}
	t := o.newTask(ctx, op, &u)
	l, ok := o.Link(u.ID)
	if !ok {
		r := t.failMsg(nil, fmt.Sprintf("User %s is not assigned to app %s", u.Profile.Login, o.app.Name))
		return u, l, nil, &r
	}
	t.res.SCIMID = l.SCIMID
	return u, l, t, nil
}

// UpdateProfile changes the Okta profile of the user with that login and
// pushes it to the app: GET {base}/Users/{id}, then PUT the GET body overlaid
// with the profile and "groups":[] (unknown attributes echoed back). AIW
// apps always PUT; OIN apps PUT unless App.ProfileUpdate is UpdatePATCH.
func (o *Okta) UpdateProfile(ctx context.Context, login string, p Profile) TaskResult {
	return o.retrying(ctx, func() TaskResult { return o.updateProfileTask(ctx, login, p) })
}

func (o *Okta) updateProfileTask(ctx context.Context, login string, p Profile) TaskResult {
	u, l, t, fr := o.activeLink(ctx, OpUpdate, login)
	if fr != nil {
		return *fr
	}
	u, err := o.dir.Update(login, p)
	if err != nil {
		return t.failMsg(err, err.Error())
	}
	t.res.User = u.Profile.Login
	l.Login = u.Profile.Login
	o.SetLink(l)
	if !l.Active {
		return t.done("User %s is not active in app %s; the profile change is not pushed", u.Profile.Login, o.app.Name)
	}
	if !o.app.ToApp.UpdateUsers {
		return t.done("Update User Attributes is disabled for app %s; nothing sent", o.app.Name)
	}
	if fr := t.updateProfile(u, l.SCIMID); fr != nil {
		return *fr
	}
	return t.done("User %s's profile was pushed to app %s (id %s)", u.Profile.Login, o.app.Name, l.SCIMID)
}
