package serve

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/mockokta/org"
)

// defaultUserTypeID is the id of Okta's default user type, the only one.
const defaultUserTypeID = "oty00000000000000001"

// profileJSON is an Okta user profile in Okta's key order.
type profileJSON struct {
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	MobilePhone any    `json:"mobilePhone"`
	SecondEmail any    `json:"secondEmail"`
	Login       string `json:"login"`
	Email       string `json:"email"`
	DisplayName string `json:"displayName,omitempty"`
	Locale      string `json:"locale,omitempty"`
}

// userJSON is an Okta user.
type userJSON struct {
	ID              string         `json:"id"`
	Status          string         `json:"status"`
	Created         any            `json:"created"`
	Activated       any            `json:"activated"`
	StatusChanged   any            `json:"statusChanged"`
	LastLogin       any            `json:"lastLogin"`
	LastUpdated     any            `json:"lastUpdated"`
	PasswordChanged any            `json:"passwordChanged"`
	Type            map[string]any `json:"type"`
	Profile         profileJSON    `json:"profile"`
	Credentials     map[string]any `json:"credentials"`
	Links           map[string]any `json:"_links"`
}

func (a *api) user(p org.Person) userJSON {
	self := "/api/v1/users/" + url.PathEscape(p.ID)
	links := map[string]any{"self": a.href(self)}
	lc := func(op string) map[string]any {
		l := a.href(self + "/lifecycle/" + op)
		l["method"] = "POST"
		return l
	}
	switch p.Status {
	case org.StatusStaged:
		links["activate"] = lc("activate")
	case mockokta.StatusDeactivated:
		links["activate"] = lc("activate")
	case mockokta.StatusActive:
		links["suspend"], links["deactivate"] = lc("suspend"), lc("deactivate")
	case mockokta.StatusSuspended:
		links["unsuspend"], links["deactivate"] = lc("unsuspend"), lc("deactivate")
	case org.StatusProvisioned:
		links["reactivate"], links["deactivate"] = lc("reactivate"), lc("deactivate")
	}
	creds := map[string]any{"provider": map[string]string{"type": "OKTA", "name": "OKTA"}}
	if p.HasPassword {
		creds["password"] = map[string]any{}
	}
	return userJSON{
		ID: p.ID, Status: org.APIStatus(p), Created: oktaTime(p.Created), Activated: oktaTime(p.Activated),
		StatusChanged: oktaTime(p.StatusChanged), LastLogin: oktaTime(p.LastLogin), LastUpdated: oktaTime(p.LastUpdated),
		PasswordChanged: oktaTime(p.PasswordChanged),
		Type:            map[string]any{"id": defaultUserTypeID},
		Profile: profileJSON{FirstName: p.Profile.FirstName, LastName: p.Profile.LastName, Login: p.Profile.Login,
			Email: p.Profile.Email, DisplayName: p.Profile.DisplayName, Locale: p.Profile.Locale},
		Credentials: creds,
		Links:       links,
	}
}

// userRequest is the body of create, update and replace.
type userRequest struct {
	Profile     map[string]any `json:"profile"`
	Credentials *struct {
		Password *struct {
			Value *string `json:"value"`
		} `json:"password"`
	} `json:"credentials"`
}

// password returns the password of the request ("" when none).
func (u userRequest) password() string {
	if u.Credentials == nil || u.Credentials.Password == nil || u.Credentials.Password.Value == nil {
		return ""
	}
	return *u.Credentials.Password.Value
}

// applyProfile sets the request's profile attributes on p. Only string
// values (or null, which clears) of the attributes the org models are
// accepted; any other defined value is a validation error, as in Okta.
func applyProfile(p *mockokta.Profile, in map[string]any) error {
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := in[k]
		var s string
		switch x := v.(type) {
		case nil:
		case string:
			s = x
		default:
			return fmt.Errorf("%w: %s: the value must be a string", org.ErrInvalid, k)
		}
		switch k {
		case "login", "email", "firstName", "lastName", "displayName", "locale":
			_ = p.SetAttribute(k, s)
		default:
			if v != nil {
				return fmt.Errorf("%w: %s: Property name '%s' is not defined in profile", org.ErrInvalid, k, k)
			}
		}
	}
	return nil
}

func (a *api) createUser(w http.ResponseWriter, r *http.Request) {
	activate, ok := queryBool(w, r, "activate", true)
	if !ok {
		return
	}
	var req userRequest
	if !a.readJSON(w, r, &req, false) {
		return
	}
	var p mockokta.Profile
	if err := applyProfile(&p, req.Profile); err != nil {
		a.orgError(w, r, err, "User", "")
		return
	}
	person, err := a.org.CreatePerson(r.Context(), org.NewPerson{Profile: p, Password: req.password(), Activate: activate})
	if err != nil {
		a.orgError(w, r, err, "User", "")
		return
	}
	writeJSON(w, http.StatusOK, a.user(person))
}

func (a *api) listUsers(w http.ResponseWriter, r *http.Request) {
	limit, after, ok := paging(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	page, err := a.org.People(r.Context(), org.PeopleQuery{Q: q.Get("q"), Search: q.Get("search"), Filter: q.Get("filter"), After: after, Limit: limit})
	if err != nil {
		a.orgError(w, r, err, "User", "")
		return
	}
	out := make([]userJSON, 0, len(page.Items))
	for _, p := range page.Items {
		out = append(out, a.user(p))
	}
	a.writeLinks(w, r, page.Next, limit)
	writeJSON(w, http.StatusOK, out)
}

func (a *api) getUser(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	p, err := a.org.Person(r.Context(), id)
	if err != nil {
		a.orgError(w, r, err, "User", id)
		return
	}
	writeJSON(w, http.StatusOK, a.user(p))
}

// updateUser is POST (partial: only the given attributes change) or PUT
// (full: attributes not given are cleared, so required ones must be given).
func (a *api) updateUser(full bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := pathID(r, "id")
		var req userRequest
		if !a.readJSON(w, r, &req, false) {
			return
		}
		cur, err := a.org.Person(r.Context(), id)
		if err != nil {
			a.orgError(w, r, err, "User", id)
			return
		}
		p := cur.Profile
		if full {
			p = mockokta.Profile{}
		}
		if req.Profile != nil || full {
			if err := applyProfile(&p, req.Profile); err != nil {
				a.orgError(w, r, err, "User", id)
				return
			}
			if p.DisplayName == cur.Profile.DisplayName && (p.FirstName != cur.Profile.FirstName || p.LastName != cur.Profile.LastName) {
				if _, given := req.Profile["displayName"]; !given && cur.Profile.DisplayName == cur.Profile.FirstName+" "+cur.Profile.LastName {
					p.DisplayName = "" // derived again from the new names
				}
			}
		}
		pw := req.password()
		if p != cur.Profile {
			if cur, err = a.org.UpdateProfile(r.Context(), cur.ID, p); err != nil {
				a.orgError(w, r, err, "User", id)
				return
			}
		}
		if pw != "" {
			if cur, err = a.org.SetPassword(r.Context(), cur.ID, pw); err != nil {
				a.orgError(w, r, err, "User", id)
				return
			}
		}
		writeJSON(w, http.StatusOK, a.user(cur))
	}
}

// deleteUser deactivates a user that is not deactivated, and deletes a
// deactivated one, as Okta does.
func (a *api) deleteUser(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	p, err := a.org.Person(r.Context(), id)
	if err != nil {
		a.orgError(w, r, err, "User", id)
		return
	}
	if p.Status != mockokta.StatusDeactivated {
		_, err = a.org.Deactivate(r.Context(), p.ID)
	} else {
		err = a.org.DeletePerson(r.Context(), p.ID)
	}
	if err != nil {
		a.orgError(w, r, err, "User", id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) lifecycle(w http.ResponseWriter, r *http.Request) {
	id, op := pathID(r, "id"), pathID(r, "op")
	var change func(org.Person) (org.Person, error)
	ctx := r.Context()
	switch strings.ToLower(op) {
	case "activate":
		change = func(p org.Person) (org.Person, error) { return a.org.Activate(ctx, p.ID) }
	case "deactivate":
		change = func(p org.Person) (org.Person, error) { return a.org.Deactivate(ctx, p.ID) }
	case "suspend":
		change = func(p org.Person) (org.Person, error) { return a.org.Suspend(ctx, p.ID) }
	case "unsuspend":
		change = func(p org.Person) (org.Person, error) { return a.org.Unsuspend(ctx, p.ID) }
	case "reactivate":
		change = func(p org.Person) (org.Person, error) { return a.org.Reactivate(ctx, p.ID) }
	default:
		writeError(w, r, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+op+" (Lifecycle operation)", nil)
		return
	}
	p, err := a.org.Person(ctx, id)
	if err != nil {
		a.orgError(w, r, err, "User", id)
		return
	}
	if _, err := change(p); err != nil {
		a.orgError(w, r, err, "User", id)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}
