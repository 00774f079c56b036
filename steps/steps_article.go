package steps

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/mockokta/org"
)

// The roles of the help article, each in its own browser window (cookie jar).
const (
	roleXakiaAdmin = "Xakia admin"
	roleOktaAdmin  = "Okta admin"
	roleMember     = "member"
)

// articleState is what the help article's steps carry from one to the
// next: the Xakia location, what was noted in Step 1, the Okta app, people.
type articleState struct {
	*articleLoc  // the location the steps are about
	locs         map[string]*articleLoc
	adminSigned  bool
	oktaSignedIn bool
	people       map[string]*articlePerson
	// signIns holds each person's latest "Sign in with Okta" outcome, recorded by
	// the When step that signs in, so the Then steps only look at it.
	signIns map[string]articleSignIn
}

// articleSignIn is what Xakia answered to one "Sign in with Okta".
type articleSignIn struct{ outcome, text string }

// articleLoc is one Xakia location of the article and its Okta app.
type articleLoc struct {
	locID, locName string
	baseURI, key   string // noted in Step 1
	appPath        string // the Xakia app in the Okta console, e.g. /admin/apps/0oa…
}

// articlePerson is a person of the mock Okta org and the location whose
// Xakia app they were assigned to.
type articlePerson struct {
	given, family, login, password, id string
	loc                                *articleLoc
}

func (w *World) art() *articleState {
	if w.article == nil {
		w.article = &articleState{people: map[string]*articlePerson{}, locs: map[string]*articleLoc{}, signIns: map[string]articleSignIn{}}
	}
	return w.article
}

// registerArticle binds the help article's sentences (help-article.feature).
func (w *World) registerArticle(sc stepper) {
	const q = `"([^"]*)"`
	sc.Step(`^I am signed in to Xakia as an admin of a new location `+q+`$`, w.articleAdminSignIn)
	sc.Step(`^`+q+` is a person in Okta who may sign in to Xakia through the OIDC app$`, w.articlePerson)
	// The multi-location tip.
	sc.Step(`^new Xakia locations `+q+` and `+q+`$`, w.articleTwoLocations)
	sc.Step(`^`+q+` and `+q+` are people in Okta who may sign in to Xakia through the one OIDC app$`, w.articleTwoPeople)
	sc.Step(`^I complete Step 1 in Xakia and Step 2 in Okta for the location `+q+`$`, w.articleBothSteps)
	sc.Step(`^I assign `+q+` to the Xakia app of `+q+` in Okta$`, w.articleAssignIn)
	sc.Step(`^`+q+` is added to `+q+` and not to `+q+`$`, w.articleAddedOnlyTo)
	sc.Step(`^I invite `+q+` in Xakia and `+q+` signs in with Okta$`, w.articleInviteAndSignIn)
	sc.Step(`^`+q+` (?:tries to sign|signs) in to Xakia with Okta$`, w.articleTrySignIn)
	sc.Step(`^`+q+` is signed in to Xakia with Okta$`, w.articleSignedIn)
	// Step 1: Xakia.
	sc.Step(`^I click on 'Admin' in the top navigation menu$`, w.articleClickAdmin)
	sc.Step(`^I click on 'Security' in the left hand menu$`, w.articleClickSecurity)
	sc.Step(`^I click on the 'Federated Identity' tab$`, w.articleFederatedIdentity)
	sc.Step(`^I choose Okta$`, w.articleChooseOkta)
	sc.Step(`^I note down both the 'SCIM Base URI' and 'SCIM API Key' fields, generating a new API key as it is not shown$`, w.articleNoteDown)
	// Step 2: Okta.
	sc.Step(`^I browse the app catalogue in Okta and search for Xakia and add the Xakia app$`, w.articleAddApp)
	sc.Step(`^I open the Xakia app in Okta and go to the 'Provisioning' tab$`, w.articleProvisioningTab)
	sc.Step(`^I select 'Configure' and then enable the API Integration$`, w.articleConfigure)
	sc.Step(`^I enter the SCIM details from Xakia as noted in the previous step$`, w.articleEnterDetails)
	sc.Step(`^I press test as a check, and then save$`, w.articleTestAndSave)
	sc.Step(`^I enable the features by going to Provisioning --> To App, click 'Edit' and select enable for creating, updating and deactivating users and press 'Save'$`, w.articleToApp)
	sc.Step(`^I go to 'Assignments' and click the 'Assign' button and 'Assign to People' for `+q+`$`, w.articleAssign)
	// Back in Xakia.
	sc.Step(`^`+q+` is added to Xakia as a member who is not invited$`, w.articleAdded)
	sc.Step(`^`+q+` cannot sign in with Okta until invited$`, w.articleCannotSignInUninvited)
	sc.Step(`^I invite `+q+` by clicking the 'invite' button in Xakia$`, w.articleInvite)
	sc.Step(`^I remove `+q+` from the Xakia application in Okta$`, w.articleUnassign)
	sc.Step(`^`+q+` is deactivated in Xakia$`, w.articleDeactivated)
	sc.Step(`^`+q+` will not be able to log in to the application$`, w.articleCannotLogIn)
	sc.Step(`^the data of `+q+` will remain available as an 'inactive user'$`, w.articleInactiveUser)
}

// css is a CSS selector for chromedp.
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

func (w *World) articleAdminSignIn(name string) error {
	if err := w.articleLocation(name); err != nil {
		return err
	}
	return w.xakiaAdminSignIn()
}

// articleLocation creates the Xakia location name (made unique by the run
// id) through the admin API and makes it the current one.
func (w *World) articleLocation(name string) error {
	a := w.art()
	full := fmt.Sprintf("%s %s-%d", name, w.run.runID, w.seq)
	r, err := w.admin(http.MethodPost, "/admin/api/locations", map[string]any{"name": full})
	if err != nil {
		return err
	}
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		return fmt.Errorf("creating the location %q through the admin API answered %d", full, r.Status)
	}
	l := &articleLoc{locID: r.JSON.Get("id").String(), locName: full}
	a.locs[name], a.articleLoc = l, l
	if k := r.JSON.Get("apiKey").String(); k != "" {
		w.run.learn(k)
	}
	return nil
}

// xakiaAdminSignIn signs the Xakia admin in with the admin token, once.
func (w *World) xakiaAdminSignIn() error {
	a := w.art()
	if a.adminSigned {
		return nil
	}
	origin := w.run.adminURL
	a.adminSigned = true
	return w.in(roleXakiaAdmin, "sign in as the Xakia admin",
		chromedp.Navigate(origin+"/admin/signin"),
		chromedp.WaitVisible(css(`input[name="token"]`)),
		chromedp.SendKeys(css(`input[name="token"]`), w.run.adminTok),
		loads(chromedp.Submit(css(`input[name="token"]`))),
		chromedp.WaitVisible(css(`nav.topnav a[href="/admin"]`)))
}

func (w *World) articlePerson(alias string) error {
	b := w.run.browser
	given, family, _ := strings.Cut(alias, " ")
	login := fmt.Sprintf("%s.%s.%s-%d@example.test", strings.ToLower(given), strings.ToLower(family), w.run.runID, w.seq)
	pw := randomPassword()
	w.run.learn(pw)
	p, err := b.okta.Org.CreatePerson(w.ctx, org.NewPerson{Profile: mockokta.Profile{Login: login, Email: login, FirstName: given, LastName: family},
		Password: pw, Activate: true})
	if err != nil {
		return fmt.Errorf("adding %s to the mock Okta org: %w", login, err)
	}
	// The OIDC configuration is done once (the article's requirements):
	// the person is assigned to the Xakia OIDC app.
	if _, err := b.okta.Org.Assign(w.ctx, b.oidcApp, p.ID); err != nil {
		return fmt.Errorf("assigning %s to the Xakia OIDC app: %w", login, err)
	}
	w.art().people[alias] = &articlePerson{given: given, family: family, login: login, password: pw, id: p.ID}
	return nil
}

func (w *World) articleClickAdmin() error {
	a := w.art()
	return w.in(roleXakiaAdmin, "Admin, then the location "+a.locName,
		clickLoads(`nav.topnav a[href="/admin"]`),
		chromedp.WaitVisible(css(`aside.leftmenu`)),
		clickLoads(`.switcher a[href^="/admin/locations/`+a.locID+`/"]`),
		chromedp.WaitVisible(css(`main.content[data-location="`+a.locID+`"]`)))
}

func (w *World) articleClickSecurity() error {
	return w.in(roleXakiaAdmin, "Security",
		clickLoads(`ul.menu a[href="/admin/locations/`+w.art().locID+`/security"]`),
		chromedp.WaitVisible(css(`nav.tabs`)))
}

func (w *World) articleFederatedIdentity() error {
	return w.in(roleXakiaAdmin, "Federated Identity",
		clickLoads(`nav.tabs a[href$="/security/federated-identity"]`),
		chromedp.WaitVisible(css(`a.provider`)))
}

func (w *World) articleChooseOkta() error {
	return w.in(roleXakiaAdmin, "Okta",
		clickLoads(`a.provider`),
		chromedp.WaitVisible(css(`#scim-base-uri`)))
}

func (w *World) articleNoteDown() error {
	a := w.art()
	uri, err := read(w, roleXakiaAdmin, "read the SCIM Base URI", chromedp.Value(css(`#scim-base-uri`)))
	if err != nil {
		return err
	}
	hidden, err := read(w, roleXakiaAdmin, "look for the API key", chromedp.Evaluate[bool](`document.querySelector('#scim-api-key') === null`))
	if err != nil {
		return err
	}
	if !hidden {
		return fmt.Errorf("the SCIM API Key is shown before a new one was generated; Xakia keeps only its hash")
	}
	if err := w.in(roleXakiaAdmin, "Generate a new API key",
		clickLoads(`form[action$="/okta/api-key"] button`),
		chromedp.WaitVisible(css(`#scim-api-key`))); err != nil {
		return err
	}
	key, err := read(w, roleXakiaAdmin, "read the SCIM API Key", chromedp.Value(css(`#scim-api-key`)))
	if err != nil {
		return err
	}
	if key == "" {
		return fmt.Errorf("the SCIM API Key field is empty after Generate a new API key")
	}
	w.run.learn(key)
	if !strings.HasSuffix(uri, "/scim/v2/"+a.locID) {
		return fmt.Errorf("the SCIM Base URI %q is not the location's (…/scim/v2/%s)", uri, a.locID)
	}
	a.baseURI, a.key = uri, key
	return nil
}

// oktaSignIn signs the Okta admin in to the console once per scenario.
func (w *World) oktaSignIn() error {
	a := w.art()
	if a.oktaSignedIn {
		return nil
	}
	b := w.run.browser
	w.run.learn(b.okta.Bootstrap.AdminPassword)
	if err := w.in(roleOktaAdmin, "sign in to the Okta admin console",
		chromedp.Navigate(b.okta.URL+"/"),
		chromedp.WaitVisible(css(`#okta-signin-submit`)),
		chromedp.SendKeys(css(`#username`), b.okta.Bootstrap.AdminLogin),
		chromedp.SendKeys(css(`#password`), b.okta.Bootstrap.AdminPassword),
		clickLoads(`#okta-signin-submit`),
		chromedp.WaitVisible(css(`#add-person`))); err != nil {
		return err
	}
	a.oktaSignedIn = true
	return nil
}

func (w *World) articleAddApp() error {
	if err := w.oktaSignIn(); err != nil {
		return err
	}
	a := w.art()
	base := w.run.browser.okta.URL
	if err := w.in(roleOktaAdmin, "browse the catalog and add Xakia",
		chromedp.Navigate(base+"/admin/apps"),
		clickLoads(`#browse-catalog`),
		loads(chromedp.SendKeys(css(`#catalog-search`), "Xakia\n")),
		chromedp.WaitVisible(css(`a[href="/admin/catalog/xakia"]`)),
		clickLoads(`a[href="/admin/catalog/xakia"]`),
		clickLoads(`#add-integration`),
		chromedp.WaitVisible(css(`#done`)),
		chromedp.Clear(css(`#label`)),
		chromedp.SendKeys(css(`#label`), "Xakia "+a.locName),
		clickLoads(`#done`),
		chromedp.WaitVisible(css(`#configure-api`))); err != nil {
		return err
	}
	here, err := read(w, roleOktaAdmin, "read the app's address", chromedp.Location())
	if err != nil {
		return err
	}
	a.appPath = strings.TrimSuffix(strings.TrimPrefix(here, base), "/provisioning")
	if !strings.HasPrefix(a.appPath, "/admin/apps/") {
		return fmt.Errorf("after adding the Xakia app the console is at %s, not the app's page", here)
	}
	return nil
}

func (w *World) articleProvisioningTab() error {
	a := w.art()
	return w.in(roleOktaAdmin, "open the app and its Provisioning tab",
		chromedp.Navigate(w.run.browser.okta.URL+"/admin/apps"),
		clickLoads(`a[href="`+a.appPath+`"]`),
		clickLoads(`#tab-provisioning`),
		chromedp.WaitVisible(css(`#configure-api`)))
}

func (w *World) articleConfigure() error {
	return w.in(roleOktaAdmin, "Configure API Integration, Enable API integration",
		clickLoads(`#configure-api`),
		chromedp.WaitVisible(css(`#test-api`)),
		chromedp.Click(css(`#enable-api`)))
}

func (w *World) articleEnterDetails() error {
	a := w.art()
	return w.in(roleOktaAdmin, "enter the SCIM Base URI and API Token",
		chromedp.SendKeys(css(`#baseUrl`), a.baseURI),
		chromedp.SendKeys(css(`#apiToken`), a.key))
}

func (w *World) articleTestAndSave() error {
	if err := w.in(roleOktaAdmin, "Test API Credentials", clickLoads(`#test-api`), chromedp.WaitVisible(css(`div.banner`))); err != nil {
		return err
	}
	msg, err := read(w, roleOktaAdmin, "read the banner", chromedp.Text(css(`div.banner`)))
	if err != nil {
		return err
	}
	if !strings.Contains(msg, "was verified successfully") {
		return fmt.Errorf("the console's Test API Credentials with the SCIM details from Xakia says %q", strings.TrimSpace(msg))
	}
	return w.in(roleOktaAdmin, "Save", clickLoads(`#save-api`), chromedp.WaitVisible(css(`#edit-api`)))
}

func (w *World) articleToApp() error {
	if err := w.in(roleOktaAdmin, "To App → Edit → create, update, deactivate → Save",
		clickLoads(`#nav-to-app`),
		clickLoads(`#edit-to-app`),
		chromedp.WaitVisible(css(`#save-to-app`)),
		chromedp.Click(css(`#create-users`)),
		chromedp.Click(css(`#update-users`)),
		chromedp.Click(css(`#deactivate-users`)),
		clickLoads(`#save-to-app`),
		chromedp.WaitVisible(css(`#edit-to-app`))); err != nil {
		return err
	}
	txt, err := read(w, roleOktaAdmin, "read To App", chromedp.Text(css(`#to-app`)))
	if err != nil {
		return err
	}
	if n := strings.Count(txt, "Disabled"); n != 1 {
		return fmt.Errorf("the To App tab shows %d features disabled, want only Sync Password: %q", n, txt)
	}
	return nil
}

func (w *World) person(alias string) (*articlePerson, error) {
	p, ok := w.art().people[alias]
	if !ok {
		return nil, fmt.Errorf("no person %q in Okta in this scenario", alias)
	}
	return p, nil
}

func (w *World) articleAssign(alias string) error {
	p, err := w.person(alias)
	if err != nil {
		return err
	}
	a := w.art()
	if err := w.in(roleOktaAdmin, "Assignments → Assign → Assign to People",
		chromedp.Navigate(w.run.browser.okta.URL+a.appPath+"/assignments"),
		chromedp.Click(css(`#assign`)),
		clickLoads(`#assign-to-people`),
		chromedp.WaitVisible(css(`#people-search`)),
		loads(chromedp.SendKeys(css(`#people-search`), strings.ToLower(p.given)+"\n")),
		chromedp.WaitVisible(css(`button[data-login="`+p.login+`"]`)),
		clickLoads(`button[data-login="`+p.login+`"]`),
		chromedp.WaitVisible(css(`span.assigned`))); err != nil {
		return err
	}
	if err := w.in(roleOktaAdmin, "Done", clickLoads(`#assign-done`), chromedp.WaitVisible(css(`#assignments`))); err != nil {
		return err
	}
	p.loc = a.articleLoc
	return nil
}

// memberRow waits until the Members page of the location lists login with
// the attribute values of want (e.g. data-status=active), reloading.
func (w *World) memberRow(login string, want map[string]string) error {
	return w.memberRowIn(w.art().articleLoc, login, want)
}

// memberRowIn is memberRow on the Members page of location a.
func (w *World) memberRowIn(a *articleLoc, login string, want map[string]string) error {
	sel := `tr[data-member="` + login + `"]`
	for k, v := range want {
		sel += `[` + k + `="` + v + `"]`
	}
	page := w.run.adminURL + "/admin/locations/" + a.locID + "/members"
	deadline := time.Now().Add(browserPollTimeout)
	for {
		if err := w.in(roleXakiaAdmin, "open Members", chromedp.Navigate(page), chromedp.WaitVisible(css(`table.members`))); err != nil {
			return err
		}
		found, err := read(w, roleXakiaAdmin, "look for "+login, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q) !== null`, sel)))
		if err != nil {
			return err
		}
		if found {
			return nil
		}
		if time.Now().After(deadline) || w.ctx.Err() != nil {
			row, _ := read(w, roleXakiaAdmin, "read the row", chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector('tr[data-member="%s"]')||{outerHTML:'(no row)'}).outerHTML`, login)))
			return fmt.Errorf("the Members page of Xakia never listed %s as %v within %s; its row: %s", login, want, browserPollTimeout, row)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func (w *World) articleAdded(alias string) error {
	p, err := w.person(alias)
	if err != nil {
		return err
	}
	if err := w.memberRow(p.login, map[string]string{"data-status": "active"}); err != nil {
		return err
	}
	return w.memberRow(p.login, map[string]string{"data-status": "active", "data-invitation": "not-invited"})
}

// oktaSignInAs signs the member in with Okta in a fresh window and returns
// the outcome Xakia shows (data-outcome) and its words.
func (w *World) oktaSignInAs(p *articlePerson) (string, string, error) {
	if t, ok := w.tabs[roleMember]; ok {
		t.cancel()
		delete(w.tabs, roleMember)
	}
	a := w.art().articleLoc
	if p.loc != nil {
		a = p.loc
	}
	if err := w.in(roleMember, "open the Xakia sign-in page, choose the location, Sign in with Okta",
		chromedp.Navigate(w.run.adminURL+"/"),
		chromedp.WaitVisible(css(`#okta select[name="location"]`)),
		chromedp.SetValue(css(`#okta select[name="location"]`), a.locID),
		clickLoads(`#okta button`),
		chromedp.WaitVisible(css(`#username`)),
		chromedp.SendKeys(css(`#username`), p.login),
		chromedp.SendKeys(css(`#password`), p.password),
		loads(chromedp.Submit(css(`#password`))),
		chromedp.WaitVisible(css(`p.message`))); err != nil {
		return "", "", err
	}
	outcome, err := read(w, roleMember, "read the outcome", chromedp.AttributeValue(css(`p.message`), "data-outcome"))
	if err != nil {
		return "", "", err
	}
	text, err := read(w, roleMember, "read the message", chromedp.Text(css(`p.message`)))
	return outcome.Value, strings.TrimSpace(text), err
}

func (w *World) articleCannotSignInUninvited(alias string) error {
	got, err := w.articleLastSignIn(alias)
	if err != nil {
		return err
	}
	if got.outcome != "not-invited" {
		return fmt.Errorf("a new Xakia user who was not invited signed in with Okta: Xakia said %q (%s), want not-invited", got.text, got.outcome)
	}
	return nil
}

// articleTrySignIn is the When step: the person signs in with Okta in the browser,
// and Xakia's answer is recorded for the Then steps.
func (w *World) articleTrySignIn(alias string) error {
	p, err := w.person(alias)
	if err != nil {
		return err
	}
	outcome, text, err := w.oktaSignInAs(p)
	if err != nil {
		return err
	}
	w.art().signIns[alias] = articleSignIn{outcome: outcome, text: text}
	return nil
}

// articleLastSignIn is the outcome recorded by the latest sign-in step for alias.
func (w *World) articleLastSignIn(alias string) (articleSignIn, error) {
	got, ok := w.art().signIns[alias]
	if !ok {
		return got, fmt.Errorf("no sign-in of %q was tried: a When step (%q tries to sign in to Xakia with Okta) must come first", alias, alias)
	}
	return got, nil
}

func (w *World) articleInvite(alias string) error {
	p, err := w.person(alias)
	if err != nil {
		return err
	}
	if p.loc != nil {
		w.art().articleLoc = p.loc
	}
	if err := w.memberRow(p.login, map[string]string{"data-invitation": "not-invited"}); err != nil {
		return err
	}
	if err := w.in(roleXakiaAdmin, "Invite",
		clickLoads(`tr[data-member="`+p.login+`"] form[action$="/invite"] button`),
		chromedp.WaitVisible(css(`table.members`))); err != nil {
		return err
	}
	return w.memberRow(p.login, map[string]string{"data-invitation": "invited"})
}

func (w *World) articleSignedIn(alias string) error {
	got, err := w.articleLastSignIn(alias)
	if err != nil {
		return err
	}
	if got.outcome != "signed-in" {
		return fmt.Errorf("the invited user could not sign in with Okta: Xakia said %q (%s)", got.text, got.outcome)
	}
	return nil
}

func (w *World) articleUnassign(alias string) error {
	p, err := w.person(alias)
	if err != nil {
		return err
	}
	a := w.art()
	return w.in(roleOktaAdmin, "Assignments → remove "+p.login,
		chromedp.Navigate(w.run.browser.okta.URL+a.appPath+"/assignments"),
		chromedp.WaitVisible(css(`tr[data-login="`+p.login+`"] button.danger`)),
		clickLoads(`tr[data-login="`+p.login+`"] button.danger`),
		chromedp.WaitVisible(css(`div.banner.ok`)))
}

func (w *World) articleDeactivated(alias string) error {
	p, err := w.person(alias)
	if err != nil {
		return err
	}
	return w.memberRow(p.login, map[string]string{"data-status": "inactive"})
}

func (w *World) articleCannotLogIn(alias string) error {
	got, err := w.articleLastSignIn(alias)
	if err != nil {
		return err
	}
	if got.outcome != "inactive" {
		return fmt.Errorf("a user deactivated in Xakia tried to sign in with Okta: Xakia said %q (%s), want inactive", got.text, got.outcome)
	}
	return nil
}

func (w *World) articleInactiveUser(alias string) error {
	p, err := w.person(alias)
	if err != nil {
		return err
	}
	if err := w.memberRow(p.login, map[string]string{"data-status": "inactive"}); err != nil {
		return err
	}
	row, err := read(w, roleXakiaAdmin, "read the row", chromedp.Text(css(`tr[data-member="`+p.login+`"]`)))
	if err != nil {
		return err
	}
	for _, want := range []string{p.given + " " + p.family, p.login} {
		if !strings.Contains(row, want) {
			return fmt.Errorf("the inactive user's row in Members lacks %q: %q", want, row)
		}
	}
	return nil
}

func (w *World) articleTwoLocations(first, second string) error {
	if err := w.articleLocation(first); err != nil {
		return err
	}
	return w.articleLocation(second)
}

func (w *World) articleTwoPeople(first, second string) error {
	if err := w.articlePerson(first); err != nil {
		return err
	}
	return w.articlePerson(second)
}

// articleBothSteps does the article's Step 1 and Step 2 for one location:
// its own SCIM Base URI and API key, its own Xakia app in Okta.
func (w *World) articleBothSteps(name string) error {
	a := w.art()
	l, ok := a.locs[name]
	if !ok {
		return fmt.Errorf("no location %q in this scenario", name)
	}
	a.articleLoc = l
	for _, step := range []func() error{w.xakiaAdminSignIn, w.articleClickAdmin, w.articleClickSecurity, w.articleFederatedIdentity,
		w.articleChooseOkta, w.articleNoteDown, w.articleAddApp, w.articleProvisioningTab, w.articleConfigure,
		w.articleEnterDetails, w.articleTestAndSave, w.articleToApp} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (w *World) articleAssignIn(alias, name string) error {
	a := w.art()
	l, ok := a.locs[name]
	if !ok {
		return fmt.Errorf("no location %q in this scenario", name)
	}
	a.articleLoc = l
	return w.articleAssign(alias)
}

func (w *World) articleAddedOnlyTo(alias, in, notIn string) error {
	p, err := w.person(alias)
	if err != nil {
		return err
	}
	a := w.art()
	yes, no := a.locs[in], a.locs[notIn]
	if yes == nil || no == nil {
		return fmt.Errorf("unknown location %q or %q", in, notIn)
	}
	if err := w.memberRowIn(yes, p.login, map[string]string{"data-status": "active", "data-invitation": "not-invited"}); err != nil {
		return err
	}
	if err := w.in(roleXakiaAdmin, "open Members of "+no.locName,
		chromedp.Navigate(w.run.adminURL+"/admin/locations/"+no.locID+"/members"), chromedp.WaitVisible(css(`table.members`))); err != nil {
		return err
	}
	there, err := read(w, roleXakiaAdmin, "look for "+p.login, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector('tr[data-member="%s"]') !== null`, p.login)))
	if err != nil {
		return err
	}
	if there {
		return fmt.Errorf("%s, assigned only to the Xakia app of %s, is also a member of %s", p.login, yes.locName, no.locName)
	}
	// Back to the page that shows the user where the user is.
	return w.memberRowIn(yes, p.login, map[string]string{"data-status": "active"})
}

func (w *World) articleInviteAndSignIn(alias, again string) error {
	if alias != again {
		return fmt.Errorf("the step names two people (%q, %q): invite and sign in one person", alias, again)
	}
	if err := w.articleInvite(alias); err != nil {
		return err
	}
	return w.articleTrySignIn(alias)
}
