package reference

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// adminNav is the admin chrome: top navigation Admin, the location
// switcher and the left menu.
type adminNav struct {
	Locations []LocationInfo
	Current   LocationInfo
	Section   string // "members", "security" or "audit"
	Who       string // who is signed in
	CSRF      string
}

// adminHandler serves one admin page of location loc.
type adminHandler func(w http.ResponseWriter, r *http.Request, nav *adminNav)

// adminSession returns the session of an admin: the admin token, or an
// admin member still allowed to sign in (re-checked on every request).
func (s *Server) adminSession(r *http.Request) (session, bool) {
	ss, ok := s.readSession(r)
	if !ok {
		return session{}, false
	}
	switch {
	case ss.Kind == "admin":
		return ss, s.adminHash != nil
	case ss.Kind == "member" && ss.AdminOK:
		u, err := s.store.User(r.Context(), ss.Location, ss.UserID)
		if err != nil || s.memberOutcome(u, ss.Method) != outcomeSignedIn {
			return session{}, false
		}
		cred, err := s.store.Credential(r.Context(), ss.Location, ss.UserID)
		return ss, err == nil && cred.Admin
	}
	return session{}, false
}

// adminLocations lists the locations ss may administer.
func (s *Server) adminLocations(r *http.Request, ss session) ([]LocationInfo, error) {
	locs, err := s.store.Locations(r.Context())
	if err != nil {
		return nil, err
	}
	var out []LocationInfo
	for _, l := range locs {
		if ss.Kind == "admin" || l.ID == ss.Location {
			out = append(out, locationInfo(l))
		}
	}
	return out, nil
}

// adminPage wraps an admin page: no session, no page (GET goes to the admin
// sign-in, anything else is 401); the location must exist and be one the
// session may administer.
func (s *Server) adminPage(h adminHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss, ok := s.adminSession(r)
		if !ok {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/admin/signin", http.StatusSeeOther)
				return
			}
			s.renderError(w, r, errWeb(http.StatusUnauthorized, "Sign in as a Xakia admin first."), nil)
			return
		}
		locs, err := s.adminLocations(r, ss)
		if err != nil {
			s.renderError(w, r, err, nil)
			return
		}
		nav := &adminNav{Locations: locs, Who: ss.Login, CSRF: s.csrfToken(w, r)}
		if ss.Kind == "admin" {
			nav.Who = "admin (token)"
		}
		id := r.PathValue("loc")
		for _, l := range locs {
			if l.ID == id {
				nav.Current = l
			}
		}
		if nav.Current.ID == "" {
			s.renderError(w, r, errWeb(http.StatusNotFound, fmt.Sprintf("There is no location %q you can administer.", id)), nav)
			return
		}
		if v := r.PathValue("userId"); v != "" && !validID(v) {
			s.renderError(w, r, errWeb(http.StatusNotFound, "There is no such member."), nav)
			return
		}
		h(w, r, nav)
	}
}

// handleAdminHome serves GET /admin: the members of the first location,
// or the admin sign-in.
func (s *Server) handleAdminHome(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.adminSession(r)
	if !ok {
		http.Redirect(w, r, "/admin/signin", http.StatusSeeOther)
		return
	}
	locs, err := s.adminLocations(r, ss)
	if err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	if len(locs) == 0 {
		s.renderError(w, r, errWeb(http.StatusNotFound, "There is no location yet: create one with the admin API or `xakia-reference location create`."), nil)
		return
	}
	http.Redirect(w, r, "/admin/locations/"+locs[0].ID+"/members", http.StatusSeeOther)
}

// handleAdminSignIn serves GET and POST /admin/signin: the admin token, or
// an admin member's location, email and password.
func (s *Server) handleAdminSignIn(w http.ResponseWriter, r *http.Request) {
	show := func(status int, outcome, msg string) {
		v, err := s.signInView(r, r.PostFormValue("location"), r.PostFormValue("login"))
		if err != nil {
			s.renderError(w, r, err, nil)
			return
		}
		v.Title, v.Outcome, v.Message = "Xakia admin sign-in", outcome, msg
		s.render(w, r, status, "admin-signin", v)
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		show(http.StatusOK, "", "")
		return
	}
	if err := s.readForm(w, r); err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	if token := strings.TrimSpace(r.PostForm.Get("token")); token != "" {
		if s.adminHash == nil || subtle.ConstantTimeCompare(HashKey(token), s.adminHash) != 1 {
			s.log.Info("web admin sign-in refused", "method", "token")
			show(http.StatusUnauthorized, outcomeBadPassword, "The admin token is not right.")
			return
		}
		if err := s.startSession(w, r, session{Kind: "admin", Method: "token"}); err != nil {
			s.renderError(w, r, err, nil)
			return
		}
		s.log.Info("web admin signed in", "method", "token")
		http.Redirect(w, r, "/admin", http.StatusSeeOther)
		return
	}
	loc, err := s.formLocation(r)
	if err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	login := strings.TrimSpace(r.PostForm.Get("login"))
	u, cred, outcome, err := s.checkPassword(r.Context(), loc.ID, login, r.PostForm.Get("password"))
	if err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	text := outcomeText[outcome]
	if outcome == outcomeSignedIn && !cred.Admin {
		outcome, text = "not-admin", "Your account is not a Xakia admin: sign in on the member sign-in page."
	}
	s.recordSignIn(r.Context(), store.SignInEvent{LocationID: loc.ID, Method: methodPassword, Login: bounded(login), UserID: u.ID, Outcome: outcome, Detail: text})
	if outcome != outcomeSignedIn {
		show(outcomeStatus(outcome), outcome, text)
		return
	}
	if err := s.startSession(w, r, session{Kind: "member", Location: loc.ID, UserID: u.ID, Method: methodPassword, AdminOK: true, Login: bounded(login)}); err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	http.Redirect(w, r, "/admin/locations/"+loc.ID+"/members", http.StatusSeeOther)
}

// securityData is the Security pages' data.
type securityData struct {
	Tab            string
	Origin         string
	OIDC           bool
	Issuer         string
	CallbackURL    string
	SCIMBaseURI    string
	APIKey         string // only right after "Generate a new API key"
	QueryAttrs     string
	QueryLimited   string
	QueryFull      string
	SignInPageURL  string
	LocationSignIn string
}

// securityView fills the Security pages of nav's location.
func (s *Server) securityView(r *http.Request, nav *adminNav, tab string) (view, error) {
	l, err := s.store.Location(r.Context(), nav.Current.ID)
	if err != nil {
		return view{}, err
	}
	nav.Section = "security"
	origin := s.origin(r)
	return view{Title: "Security", Nav: nav, CSRF: nav.CSRF, Data: &securityData{
		Tab: tab, Origin: origin, OIDC: s.web.oidc.enabled(), Issuer: s.web.oidc.Issuer,
		CallbackURL: origin + CallbackPath, SCIMBaseURI: SCIMBaseURI(origin, l.ID), QueryAttrs: l.QueryAttributes,
		QueryLimited: QueryLimited, QueryFull: QueryFull, SignInPageURL: origin + "/",
		LocationSignIn: origin + "/?location=" + url.QueryEscape(l.ID),
	}}, nil
}

// getOnly refuses methods other than GET and HEAD on a page.
func (s *Server) getOnly(w http.ResponseWriter, r *http.Request, nav *adminNav) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.renderError(w, r, errWeb(http.StatusMethodNotAllowed, "This page can only be read."), nav)
		return false
	}
	return true
}

// handleSecurity serves the Security page (its General tab).
func (s *Server) handleSecurity(w http.ResponseWriter, r *http.Request, nav *adminNav) {
	s.showSecurity(w, r, nav, "general")
}

// handleFederatedIdentity serves the Federated Identity tab.
func (s *Server) handleFederatedIdentity(w http.ResponseWriter, r *http.Request, nav *adminNav) {
	s.showSecurity(w, r, nav, "federated-identity")
}

// handleOktaSettings serves Federated Identity → Okta: the SCIM Base URI,
// the key (never shown again after it was generated) and the query mode.
func (s *Server) handleOktaSettings(w http.ResponseWriter, r *http.Request, nav *adminNav) {
	s.showSecurity(w, r, nav, "okta")
}

func (s *Server) showSecurity(w http.ResponseWriter, r *http.Request, nav *adminNav, tab string) {
	if !s.getOnly(w, r, nav) {
		return
	}
	v, err := s.securityView(r, nav, tab)
	if err != nil {
		s.renderError(w, r, err, nav)
		return
	}
	s.render(w, r, http.StatusOK, "security", v)
}

// handleWebAPIKey serves POST …/okta/api-key: "Generate a new API key". The
// new key is in this answer only (never in a URL, a log or a cache); the
// old key fails at once, as with the admin API.
func (s *Server) handleWebAPIKey(w http.ResponseWriter, r *http.Request, nav *adminNav) {
	if err := s.readForm(w, r); err != nil {
		s.renderError(w, r, err, nav)
		return
	}
	key, err := s.RotateKey(r.Context(), nav.Current.ID)
	if err != nil {
		s.renderError(w, r, err, nav)
		return
	}
	s.log.Info("API key rotated", "location", nav.Current.ID, "by", "web")
	v, err := s.securityView(r, nav, "okta")
	if err != nil {
		s.renderError(w, r, err, nav)
		return
	}
	v.Data.(*securityData).APIKey = key
	v.Outcome, v.Message = "key-generated", "A new SCIM API Key was generated. Copy it now: it is shown only once, and the previous key no longer works."
	s.render(w, r, http.StatusOK, "security", v)
}

// handleWebQueryAttributes serves POST …/okta/query-attributes.
func (s *Server) handleWebQueryAttributes(w http.ResponseWriter, r *http.Request, nav *adminNav) {
	if err := s.readForm(w, r); err != nil {
		s.renderError(w, r, err, nav)
		return
	}
	mode := r.PostForm.Get("queryAttributes")
	if mode != QueryLimited && mode != QueryFull {
		s.renderError(w, r, errWeb(http.StatusBadRequest, fmt.Sprintf("The query attributes are %q or %q.", QueryLimited, QueryFull)), nav)
		return
	}
	l, err := s.store.Location(r.Context(), nav.Current.ID)
	if err == nil {
		l.QueryAttributes = mode
		err = s.store.UpdateLocation(r.Context(), l)
	}
	if err != nil {
		s.renderError(w, r, err, nav)
		return
	}
	nav.Current.QueryAttributes = mode
	v, err := s.securityView(r, nav, "okta")
	if err != nil {
		s.renderError(w, r, err, nav)
		return
	}
	v.Message = "Query attributes are now " + mode + "."
	s.render(w, r, http.StatusOK, "security", v)
}

// memberRow is one line of the Members page.
type memberRow struct {
	ID, Name, Email, UserName, ExternalID, Created string
	Status, Invitation, InvitationState, SignIn    string
	Active, Deleted, Admin, CanInvite              bool
	InviteRule                                     string
	LastSignIn                                     *store.SignInEvent
}

// membersData is the Members page's data.
type membersData struct {
	Rows []memberRow
	Form struct{ Given, Family, Email string }
}

// invitationWords are the Members page's words for invitation states.
var invitationWords = map[string]string{
	store.NotInvited: "Not invited", store.Invited: "Invited", store.NotNeeded: "Not needed",
}

// membersView lists the members of nav's location, deleted ones included,
// each with the invite rule's verdict and its last sign-in.
func (s *Server) membersView(r *http.Request, nav *adminNav) (view, error) {
	nav.Section = "members"
	events, err := s.store.SignIns(r.Context(), nav.Current.ID, 1000)
	if err != nil {
		return view{}, err
	}
	last := map[string]*store.SignInEvent{}
	for i := range events {
		if events[i].UserID != "" {
			last[events[i].UserID] = &events[i]
		}
	}
	d := &membersData{}
	var docErr error
	err = s.store.ScanUsers(r.Context(), nav.Current.ID, true, func(u store.User) bool {
		doc, err := loadDoc(u)
		if err != nil {
			docErr = err
			return false
		}
		row := memberRow{
			ID: u.ID, Name: memberName(u, doc), Email: memberEmail(u, doc), UserName: u.UserName, ExternalID: u.ExternalID,
			Created: u.Created.UTC().Format("2006-01-02"), Active: u.Active, Deleted: u.Deleted,
			Invitation: invitationWords[u.Invitation], InvitationState: u.Invitation, SignIn: "Password", LastSignIn: last[u.ID],
		}
		if row.Invitation == "" {
			row.Invitation = u.Invitation
		}
		if u.SignIn == store.SignInOkta {
			row.SignIn = "Okta"
		}
		switch {
		case u.Deleted:
			row.Status = "Inactive user (deleted)"
		case u.Active:
			row.Status = "Active"
		default:
			row.Status = "Inactive user"
		}
		row.InviteRule = s.inviteRefusal(u)
		row.CanInvite = row.InviteRule == ""
		d.Rows = append(d.Rows, row)
		return true
	})
	if err == nil {
		err = docErr
	}
	if err != nil {
		return view{}, err
	}
	for i := range d.Rows {
		if cred, err := s.store.Credential(r.Context(), nav.Current.ID, d.Rows[i].ID); err == nil {
			d.Rows[i].Admin = cred.Admin
		}
	}
	return view{Title: "Members", Nav: nav, CSRF: nav.CSRF, Data: d}, nil
}

// handleMembers serves GET (the list) and POST ("Add member": a
// pre-existing member with a password) of the Members page.
func (s *Server) handleMembers(w http.ResponseWriter, r *http.Request, nav *adminNav) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		v, err := s.membersView(r, nav)
		if err != nil {
			s.renderError(w, r, err, nav)
			return
		}
		s.render(w, r, http.StatusOK, "members", v)
		return
	}
	if err := s.readForm(w, r); err != nil {
		s.renderError(w, r, err, nav)
		return
	}
	f := r.PostForm
	given, family, email := strings.TrimSpace(f.Get("givenName")), strings.TrimSpace(f.Get("familyName")), strings.TrimSpace(f.Get("email"))
	status, msg, errText := http.StatusOK, "", ""
	switch {
	case email == "" || !strings.Contains(email, "@"):
		status, errText = http.StatusBadRequest, "Give the member's email: it is their Xakia sign-in name."
	case f.Get("password") == "":
		status, errText = http.StatusBadRequest, "Give the member a password: members added here sign in with a password until Okta provisions them."
	default:
		body := map[string]any{
			"userName": email,
			"name":     map[string]any{"givenName": given, "familyName": family},
			"emails":   []any{map[string]any{"value": email, "type": "work", "primary": true}},
			"password": f.Get("password"),
		}
		if dn := strings.TrimSpace(given + " " + family); dn != "" {
			body["displayName"] = dn
		}
		if _, _, err := s.addMember(r.Context(), nav.Current.ID, body, f.Get("admin") == "on"); err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				s.renderError(w, r, err, nav)
				return
			}
			status, errText = ae.Status, ae.Detail
		} else {
			msg = fmt.Sprintf("%s was added as a member who signs in with a password and needs no invitation.", email)
		}
	}
	v, err := s.membersView(r, nav)
	if err != nil {
		s.renderError(w, r, err, nav)
		return
	}
	if errText != "" {
		d := v.Data.(*membersData)
		d.Form.Given, d.Form.Family, d.Form.Email = given, family, email
	}
	v.Message, v.Error = msg, errText
	s.render(w, r, status, "members", v)
}

// handleWebInvite serves POST …/members/{userId}/invite: the Invite button,
// under the same rules as the admin API.
func (s *Server) handleWebInvite(w http.ResponseWriter, r *http.Request, nav *adminNav) {
	if err := s.readForm(w, r); err != nil {
		s.renderError(w, r, err, nav)
		return
	}
	u, err := s.inviteUser(r.Context(), nav.Current.ID, r.PathValue("userId"))
	status, msg, errText := http.StatusOK, "", ""
	var ae *apiError
	switch {
	case errors.Is(err, store.ErrNotFound):
		status, errText = http.StatusNotFound, "There is no such member in this location."
	case errors.As(err, &ae):
		status, errText = ae.Status, "Not invited: "+ae.Detail+"."
	case err != nil:
		s.renderError(w, r, err, nav)
		return
	default:
		msg = fmt.Sprintf("%s is invited and can now sign in with Okta.", u.UserName)
	}
	v, verr := s.membersView(r, nav)
	if verr != nil {
		s.renderError(w, r, verr, nav)
		return
	}
	v.Message, v.Error = msg, errText
	s.render(w, r, status, "members", v)
}

// auditData is the Audit page's data.
type auditData struct {
	SignIns  []store.SignInEvent
	Requests []AuditEntry
}

// handleWebAudit serves the Audit page: sign-ins and SCIM requests, newest
// first.
func (s *Server) handleWebAudit(w http.ResponseWriter, r *http.Request, nav *adminNav) {
	if !s.getOnly(w, r, nav) {
		return
	}
	nav.Section = "audit"
	events, err := s.store.SignIns(r.Context(), nav.Current.ID, 200)
	if err != nil {
		s.renderError(w, r, err, nav)
		return
	}
	reqs, err := s.audit.entries(r.Context(), nav.Current.ID)
	if err != nil {
		s.renderError(w, r, err, nav)
		return
	}
	if len(reqs) > 200 {
		reqs = reqs[len(reqs)-200:]
	}
	d := auditData{}
	for i := len(events) - 1; i >= 0; i-- {
		d.SignIns = append(d.SignIns, events[i])
	}
	for i := len(reqs) - 1; i >= 0; i-- {
		d.Requests = append(d.Requests, reqs[i])
	}
	s.render(w, r, http.StatusOK, "audit", view{Title: "Audit", Nav: nav, CSRF: nav.CSRF, Data: d})
}
