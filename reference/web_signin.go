package reference

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// Sign-in methods of the web UI, as recorded in sign-in events.
const (
	methodPassword = "password"
	methodOkta     = "okta"
)

// outcomeText is what a person sees for each sign-in outcome. %s is the
// location's name where one appears.
var outcomeText = map[string]string{
	outcomeSignedIn:     "You are signed in to Xakia.",
	outcomeNotInvited:   "You have not been invited to Xakia yet: ask your Xakia admin to invite you.",
	outcomeInactive:     "Your Xakia account is an inactive user: you cannot sign in. Your data remains available in Xakia; ask your Xakia admin if this is a mistake.",
	outcomeOktaOnly:     "Your account now signs in with Okta: use \u201cSign in with Okta\u201d.",
	outcomePasswordOnly: "Your account still signs in with a password until Okta provisions it: sign in with your email and password.",
	outcomeUnknown:      "No member of this Xakia location matches your Okta account: ask your Xakia admin to add you.",
	outcomeBadPassword:  "The email or password is not right.",
	outcomeOktaFailed:   "Sign in with Okta did not complete",
}

// outcomeStatus is the HTTP status of each refused outcome's page.
func outcomeStatus(outcome string) int {
	switch outcome {
	case outcomeSignedIn:
		return http.StatusOK
	case outcomeBadPassword:
		return http.StatusUnauthorized
	case outcomeOktaFailed:
		return http.StatusBadRequest
	}
	return http.StatusForbidden
}

// memberOutcome applies the invite rules (docs/behaviour.md §4, §6) to a
// member who proved who they are with method: signed-in, or why not.
func (s *Server) memberOutcome(u store.User, method string) string {
	switch {
	case u.Deleted:
		return outcomeUnknown
	case method == methodOkta && u.SignIn == store.SignInPassword:
		return outcomePasswordOnly
	case method == methodPassword && u.SignIn == store.SignInOkta && !s.faults.Has(faultPasswordAfterOkta):
		return outcomeOktaOnly
	}
	if !s.canSignIn(u) {
		switch {
		case !u.Active:
			return outcomeInactive
		case u.Invitation == store.NotInvited && !(method == methodOkta && s.faults.Has(faultSignInIgnoresInvite)):
			return outcomeNotInvited
		}
	}
	return outcomeSignedIn
}

// recordSignIn keeps a sign-in event for the admin views and logs it
// (never a password or a token).
func (s *Server) recordSignIn(ctx context.Context, e store.SignInEvent) {
	e.Time = time.Now().UTC()
	if e.Detail == "" {
		e.Detail = outcomeText[e.Outcome]
	}
	s.log.Info("web sign-in", "location", e.LocationID, "method", e.Method, "user", e.UserID, "outcome", e.Outcome)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.store.AppendSignIn(ctx, e); err != nil {
		s.log.Error("web: cannot record a sign-in", "location", e.LocationID, "err", err)
	}
}

// findMember finds the non-deleted member of locID whose userName is one of
// logins (case-insensitively), else whose emails hold one of them.
func (s *Server) findMember(ctx context.Context, locID string, logins ...string) (store.User, error) {
	for _, l := range logins {
		if l = strings.TrimSpace(l); l == "" || len(l) > 1024 {
			continue
		}
		u, err := s.store.UserByUserNameKey(ctx, locID, s.userNameKey(l))
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return store.User{}, err
		}
	}
	var found store.User
	var docErr error
	err := s.store.ScanUsers(ctx, locID, false, func(u store.User) bool {
		doc, err := loadDoc(u)
		if err != nil {
			docErr = err
			return false
		}
		for _, e := range memberEmails(doc) {
			for _, l := range logins {
				if l != "" && FoldUserName(strings.TrimSpace(l)) == FoldUserName(e) {
					found = u
					return false
				}
			}
		}
		return true
	})
	if err == nil {
		err = docErr
	}
	if err != nil {
		return store.User{}, err
	}
	if found.ID == "" {
		return store.User{}, store.ErrNotFound
	}
	return found, nil
}

// memberEmails lists the email values of a SCIM document.
func memberEmails(doc map[string]any) []string {
	var out []string
	list, _ := doc["emails"].([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			if v, ok := m["value"].(string); ok && v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// memberName is a member's display name: displayName, else given and
// family name, else the userName.
func memberName(u store.User, doc map[string]any) string {
	if d, ok := doc["displayName"].(string); ok && strings.TrimSpace(d) != "" {
		return d
	}
	if n, ok := doc["name"].(map[string]any); ok {
		g, _ := n["givenName"].(string)
		f, _ := n["familyName"].(string)
		if full := strings.TrimSpace(g + " " + f); full != "" {
			return full
		}
	}
	return u.UserName
}

// memberEmail is a member's primary (else first) email, else its userName.
func memberEmail(u store.User, doc map[string]any) string {
	list, _ := doc["emails"].([]any)
	first := ""
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		v, _ := m["value"].(string)
		if p, _ := m["primary"].(bool); p && v != "" {
			return v
		}
		if first == "" {
			first = v
		}
	}
	if first != "" {
		return first
	}
	return u.UserName
}

// signInData is the sign-in page's data.
type signInData struct {
	Locations []LocationInfo
	Selected  string
	OIDC      bool
	Login     string
}

// signInView builds the sign-in page for the location selected (by the
// form, the query or the first location).
func (s *Server) signInView(r *http.Request, selected, login string) (view, error) {
	locs, err := s.store.Locations(r.Context())
	if err != nil {
		return view{}, err
	}
	d := signInData{OIDC: s.web.oidc.enabled(), Login: login, Selected: selected}
	for _, l := range locs {
		d.Locations = append(d.Locations, locationInfo(l))
	}
	if d.Selected == "" && len(locs) > 0 {
		d.Selected = locs[0].ID
	}
	return view{Title: "Sign in to Xakia", Data: d}, nil
}

// handleSignInPage serves GET / : the member sign-in page.
func (s *Server) handleSignInPage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.renderError(w, r, errWeb(http.StatusMethodNotAllowed, "This page can only be read."), nil)
		return
	}
	sel := r.URL.Query().Get("location")
	if !validID(sel) {
		sel = ""
	}
	if f, ok := s.takeFlash(w, r); ok {
		s.refuse(w, r, f.Location, "", f.Outcome, f.Text)
		return
	}
	v, err := s.signInView(r, sel, "")
	if err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	s.render(w, r, http.StatusOK, "signin", v)
}

// refuse renders the sign-in page again with an outcome's words.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, locID, login, outcome, text string) {
	v, err := s.signInView(r, locID, login)
	if err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	v.Outcome, v.Message = outcome, text
	s.render(w, r, outcomeStatus(outcome), "signin", v)
}

// flash carries a refused Okta sign-in's outcome from the callback to the
// sign-in page, so that the code and state leave the address bar.
type flash struct {
	Outcome  string `json:"o"`
	Text     string `json:"t"`
	Location string `json:"l"`
	Expires  int64  `json:"e"`
}

// flashCookie names the one-minute cookie that carries a flash.
const flashCookie = "xakia_flash"

// refuseAfterOkta sends the browser from the callback to the sign-in page,
// which shows the outcome (once).
func (s *Server) refuseAfterOkta(w http.ResponseWriter, r *http.Request, locID, outcome, text string) {
	v, err := s.web.seal(flashCookie, flash{Outcome: outcome, Text: text, Location: locID, Expires: time.Now().Add(time.Minute).Unix()})
	if err != nil {
		s.refuse(w, r, locID, "", outcome, text)
		return
	}
	s.setCookie(w, r, flashCookie, v, "/", 60)
	to := "/"
	if validID(locID) {
		to += "?location=" + locID
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// takeFlash returns the request's flash, if any, and deletes it.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) (flash, bool) {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return flash{}, false
	}
	s.setCookie(w, r, flashCookie, "", "/", -1)
	var f flash
	if s.web.open(flashCookie, c.Value, &f) != nil || time.Now().Unix() >= f.Expires || outcomeText[f.Outcome] == "" {
		return flash{}, false
	}
	return f, true
}

// formLocation reads the location chosen on a form; an unknown one is a
// clear error.
func (s *Server) formLocation(r *http.Request) (store.Location, error) {
	id := strings.TrimSpace(r.PostForm.Get("location"))
	if !validID(id) {
		return store.Location{}, errWeb(http.StatusBadRequest, "Choose your Xakia location.")
	}
	l, err := s.store.Location(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return l, errWeb(http.StatusBadRequest, fmt.Sprintf("There is no Xakia location %q.", id))
	}
	return l, err
}

// handlePasswordSignIn serves POST /signin/password: a pre-existing
// member's password sign-in.
func (s *Server) handlePasswordSignIn(w http.ResponseWriter, r *http.Request) {
	if err := s.readForm(w, r); err != nil {
		s.renderError(w, r, err, nil)
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
	s.recordSignIn(r.Context(), store.SignInEvent{LocationID: loc.ID, Method: methodPassword, Login: bounded(login), UserID: u.ID, Outcome: outcome})
	if outcome != outcomeSignedIn {
		s.refuse(w, r, loc.ID, login, outcome, outcomeText[outcome])
		return
	}
	if err := s.startSession(w, r, session{Kind: "member", Location: loc.ID, UserID: u.ID, Method: methodPassword, AdminOK: cred.Admin, Login: bounded(login)}); err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	http.Redirect(w, r, "/home", http.StatusSeeOther)
}

// checkPassword finds the member of locID named login and checks its
// password; the outcome is wrong-password unless both match, then the
// invite rules decide. Store failures are errors.
func (s *Server) checkPassword(ctx context.Context, locID, login, password string) (store.User, store.Credential, string, error) {
	if login == "" || password == "" {
		return store.User{}, store.Credential{}, outcomeBadPassword, nil
	}
	u, err := s.findMember(ctx, locID, login)
	if errors.Is(err, store.ErrNotFound) {
		s.web.spendPasswordCheck(password)
		return store.User{}, store.Credential{}, outcomeBadPassword, nil
	}
	if err != nil {
		return store.User{}, store.Credential{}, "", err
	}
	cred, err := s.store.Credential(ctx, locID, u.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && cred.PasswordHash == "") {
		s.web.spendPasswordCheck(password)
		return u, store.Credential{}, outcomeBadPassword, nil
	}
	if err != nil {
		return store.User{}, store.Credential{}, "", err
	}
	if !passwordMatches(password, cred.PasswordHash) {
		return u, store.Credential{}, outcomeBadPassword, nil
	}
	return u, cred, s.memberOutcome(u, methodPassword), nil
}

// bounded cuts a login to 256 characters for events and logs.
func bounded(s string) string {
	if r := []rune(s); len(r) > 256 {
		return string(r[:256])
	}
	return s
}

// oauthConfig is the OAuth 2.0 client of "Sign in with Okta" for r's origin.
func (s *Server) oauthConfig(r *http.Request, p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     s.web.oidc.ClientID,
		ClientSecret: s.web.oidc.ClientSecret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  s.origin(r) + CallbackPath,
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
	}
}

// handleOktaStart serves POST /auth/okta/start: it binds a fresh state,
// nonce and PKCE verifier to a short-lived cookie and sends the browser to
// the issuer.
func (s *Server) handleOktaStart(w http.ResponseWriter, r *http.Request) {
	if err := s.readForm(w, r); err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	if !s.web.oidc.enabled() {
		s.renderError(w, r, errWeb(http.StatusNotFound, "Sign in with Okta is not configured on this Xakia."), nil)
		return
	}
	loc, err := s.formLocation(r)
	if err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	p, err := s.oidcProvider(r.Context())
	if err != nil {
		s.log.Warn("web: OIDC discovery failed", "err", err)
		s.refuse(w, r, loc.ID, "", outcomeOktaFailed, outcomeText[outcomeOktaFailed]+": Okta cannot be reached. Try again later.")
		return
	}
	flow := oidcFlow{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(),
		Location: loc.ID, Expires: time.Now().Add(oidcFlowTTL).Unix()}
	v, err := s.web.seal(oidcCookie, flow)
	if err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	s.setCookie(w, r, oidcCookie, v, "/auth/okta/", int(oidcFlowTTL.Seconds()))
	target := s.oauthConfig(r, p).AuthCodeURL(flow.State, oidc.Nonce(flow.Nonce), oauth2.S256ChallengeOption(flow.Verifier))
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// idClaims are the ID token claims used to find the member.
type idClaims struct {
	Email             string `json:"email"`
	PreferredUsername string `json:"preferred_username"`
}

// handleOktaCallback serves GET /auth/okta/callback: it checks the state
// against the flow cookie (used once), exchanges the code with the PKCE
// verifier, verifies the ID token and its nonce, and applies the invite
// rules to the member it names in the location chosen on the sign-in page.
func (s *Server) handleOktaCallback(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		s.renderError(w, r, errWeb(http.StatusMethodNotAllowed, "This address is only for Okta's answer."), nil)
		return
	}
	s.setCookie(w, r, oidcCookie, "", "/auth/okta/", -1)
	failed := func(locID, why string) {
		if locID != "" {
			s.recordSignIn(r.Context(), store.SignInEvent{LocationID: locID, Method: methodOkta, Outcome: outcomeOktaFailed,
				Detail: outcomeText[outcomeOktaFailed] + ": " + why})
		}
		s.refuseAfterOkta(w, r, locID, outcomeOktaFailed, outcomeText[outcomeOktaFailed]+": "+why)
	}
	if !s.web.oidc.enabled() {
		s.renderError(w, r, errWeb(http.StatusNotFound, "Sign in with Okta is not configured on this Xakia."), nil)
		return
	}
	var flow oidcFlow
	c, err := r.Cookie(oidcCookie)
	if err != nil || s.web.open(oidcCookie, c.Value, &flow) != nil {
		failed("", "this browser did not start it, or it was already used. Start again from the sign-in page.")
		return
	}
	q := r.URL.Query()
	if time.Now().Unix() >= flow.Expires {
		failed(flow.Location, "it took too long. Start again.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(flow.State)) != 1 {
		failed(flow.Location, "the answer does not belong to this sign-in (state mismatch). Start again.")
		return
	}
	if e := q.Get("error"); e != "" {
		why := "Okta refused it (" + bounded(e) + ")"
		if d := q.Get("error_description"); d != "" {
			why += ": " + bounded(d)
		}
		failed(flow.Location, why)
		return
	}
	p, err := s.oidcProvider(r.Context())
	if err != nil {
		failed(flow.Location, "Okta cannot be reached. Try again later.")
		return
	}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(r.Context(), s.web.hc), 15*time.Second)
	defer cancel()
	tok, err := s.oauthConfig(r, p).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(flow.Verifier))
	if err != nil {
		s.log.Warn("web: OIDC code exchange failed", "location", flow.Location, "err", err)
		failed(flow.Location, "Okta did not accept the sign-in code.")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		failed(flow.Location, "Okta sent no ID token.")
		return
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: s.web.oidc.ClientID}).Verify(ctx, raw)
	if err != nil {
		s.log.Warn("web: ID token refused", "location", flow.Location, "err", err)
		failed(flow.Location, "the ID token is not valid.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.Nonce)) != 1 {
		failed(flow.Location, "the ID token does not belong to this sign-in (nonce mismatch).")
		return
	}
	var cl idClaims
	if err := idt.Claims(&cl); err != nil {
		failed(flow.Location, "the ID token's claims cannot be read.")
		return
	}
	login := cl.PreferredUsername
	if login == "" {
		login = cl.Email
	}
	u, err := s.findMember(r.Context(), flow.Location, cl.PreferredUsername, cl.Email)
	outcome := ""
	switch {
	case errors.Is(err, store.ErrNotFound):
		outcome = outcomeUnknown
	case err != nil:
		s.renderError(w, r, err, nil)
		return
	default:
		outcome = s.memberOutcome(u, methodOkta)
	}
	s.recordSignIn(r.Context(), store.SignInEvent{LocationID: flow.Location, Method: methodOkta, Login: bounded(login), UserID: u.ID, Outcome: outcome})
	if outcome != outcomeSignedIn {
		s.refuseAfterOkta(w, r, flow.Location, outcome, outcomeText[outcome])
		return
	}
	admin := false
	if cred, err := s.store.Credential(r.Context(), flow.Location, u.ID); err == nil {
		admin = cred.Admin
	}
	if err := s.startSession(w, r, session{Kind: "member", Location: flow.Location, UserID: u.ID, Method: methodOkta, AdminOK: admin, Login: bounded(login)}); err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	http.Redirect(w, r, "/home", http.StatusSeeOther)
}

// homeData is the signed-in member's page.
type homeData struct {
	Name, Email, LocationName, LocationID, Method string
	Admin                                         bool
}

// handleHome serves GET /home: who is signed in, and how. A member whose
// state no longer lets them in (deactivated since) is signed out.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.readSession(r)
	if !ok || ss.Kind != "member" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	u, err := s.store.User(r.Context(), ss.Location, ss.UserID)
	if errors.Is(err, store.ErrNotFound) {
		s.endSession(w, r)
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	if outcome := s.memberOutcome(u, ss.Method); outcome != outcomeSignedIn {
		s.endSession(w, r)
		s.refuse(w, r, ss.Location, "", outcome, outcomeText[outcome])
		return
	}
	doc, err := loadDoc(u)
	if err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	l, err := s.store.Location(r.Context(), ss.Location)
	if err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	method := "a password"
	if ss.Method == methodOkta {
		method = "Okta"
	}
	s.render(w, r, http.StatusOK, "home", view{Title: "Xakia", Outcome: outcomeSignedIn, Message: outcomeText[outcomeSignedIn],
		Data: homeData{Name: memberName(u, doc), Email: memberEmail(u, doc), LocationName: l.Name, LocationID: l.ID, Method: method, Admin: ss.AdminOK}})
}

// handleSignOut serves POST /signout and /admin/signout.
func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if err := s.readForm(w, r); err != nil {
		s.renderError(w, r, err, nil)
		return
	}
	s.endSession(w, r)
	to := "/"
	if strings.HasPrefix(r.URL.Path, "/admin") {
		to = "/admin/signin"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
