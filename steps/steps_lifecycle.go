package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
	"github.com/xakia-okta/scimtest/mockokta"
)

// putFromGet sends Okta's GET then the PUT whose body build makes from the
// GET answer; with sent, the profile the PUT carried is recorded as what
// Okta sent.
func (w *World) putFromGet(u *user, sent bool, build func(got []byte) ([]byte, error)) error {
	r, err := w.send(http.MethodGet, "/Users/"+u.ID, nil, reqOpts{})
	if err != nil {
		return err
	}
	if err := expectStatus(r, http.StatusOK); err != nil {
		return fmt.Errorf("the Okta GET before PUT: %w", err)
	}
	body, err := build(r.Body)
	if err != nil {
		return fmt.Errorf("the Okta GET before PUT: %w", err)
	}
	r, err = w.send(http.MethodPut, "/Users/"+u.ID, body, reqOpts{})
	if err != nil {
		return err
	}
	if sent {
		u.Sent = flattenProfile(body)
	}
	w.track(r)
	return nil
}

func (w *World) pushProfile(alias, path, value string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	value, err = w.expand(value)
	if err != nil {
		return err
	}
	switch strings.ToLower(path) {
	case "name.givenname":
		u.Given = value
	case "name.familyname":
		u.Family = value
	}
	// Okta pushes only its profile's attributes, through the mock Okta's
	// PUT builder.
	ou := u.oktaUser(u.UserName)
	if err := ou.Profile.SetAttribute(strings.TrimPrefix(strings.ToLower(path), "name."), value); err != nil {
		return fmt.Errorf("okta pushes only its profile's attributes: %w", err)
	}
	return w.putFromGet(u, true, func(got []byte) ([]byte, error) { return mockokta.ProfilePutBody(got, ou, true) })
}

// oinActive sends Okta's no-path PATCH setting active.
func (w *World) oinActive(u *user, active bool) (*response, error) {
	r, err := w.send(http.MethodPatch, "/Users/"+u.ID, mockokta.PatchActiveBody(active), reqOpts{})
	if err != nil {
		return nil, err
	}
	w.track(r)
	return r, nil
}

func (w *World) deactivateOIN(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	_, err = w.oinActive(u, false)
	return err
}

func (w *World) aiwActive(alias string, active bool) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	// The AIW (de)activation echoes the GET body with only active changed.
	return w.putFromGet(u, false, func(got []byte) ([]byte, error) { return mockokta.ActivePutBody(got, active, u.UserName) })
}

func (w *World) deactivateAIW(alias string) error { return w.aiwActive(alias, false) }
func (w *World) reactivateAIW(alias string) error { return w.aiwActive(alias, true) }

// hasBeenDeactivated deactivates a user the OIN way and checks it worked.
func (w *World) hasBeenDeactivated(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	r, err := w.oinActive(u, false)
	if err != nil {
		return err
	}
	if err := expectStatus(r, http.StatusOK, http.StatusNoContent); err != nil {
		return fmt.Errorf("the Okta deactivation: %w", err)
	}
	return nil
}

// reassign is Okta's re-assignment: the lookup finds the same user, then a
// no-path PATCH sets active true.
func (w *World) reassign(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	r, err := w.send(http.MethodGet, lookupPath(u.UserName), nil, reqOpts{})
	if err != nil {
		return err
	}
	if err := expectStatus(r, http.StatusOK); err != nil {
		return fmt.Errorf("the Okta lookup on re-assign: %w", err)
	}
	if id := r.get("Resources.0.id").String(); r.get("totalResults").Int() != 1 || id != u.ID {
		return fmt.Errorf("the Okta lookup on re-assign must find the same user %s (\"Matching user not found.\"): %s", u.ID, r.describe())
	}
	_, err = w.oinActive(u, true)
	return err
}

// link is Okta's assignment of a user the server already has: the lookup
// finds it, then GET and PUT push Okta's profile.
func (w *World) link(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	r, err := w.send(http.MethodGet, lookupPath(u.UserName), nil, reqOpts{})
	if err != nil {
		return err
	}
	if id := r.get("Resources.0.id").String(); r.Status != http.StatusOK || id != u.ID {
		return fmt.Errorf("the Okta lookup must find the existing user %s: %s", u.ID, r.describe())
	}
	return w.putFromGet(u, true, func(got []byte) ([]byte, error) { return mockokta.ProfilePutBody(got, u.oktaUser(u.UserName), true) })
}

func (w *World) hasLinked(alias string) error {
	if err := w.link(alias); err != nil {
		return err
	}
	return expectStatus(w.resp, http.StatusOK)
}

func (w *World) resourcesHas(path, literal string) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	var want any
	if err := json.Unmarshal([]byte(strings.TrimSpace(literal)), &want); err != nil {
		return fmt.Errorf("step argument %s is not a JSON value", literal)
	}
	got := r.get("Resources.0." + path)
	if !sameJSON(got, want) {
		return fmt.Errorf("expected Resources[0].%s to be %s, got %s: %s", path, literal, orMissing(got), r.describe())
	}
	return nil
}

// ---- query representations and the declared deviation ----

// oktaReads are the attributes Okta's SPEC test reads in query results.
var oktaReads = []string{"id", "userName", "name.familyName", "name.givenName", "active", "emails.0.value"}

// displayPath writes a gjson path the way SCIM documents do
// ("emails.0.value" → "emails[0].value").
func displayPath(p string) string {
	parts := strings.Split(p, ".")
	out := parts[0]
	for _, part := range parts[1:] {
		if _, err := strconv.Atoi(part); err == nil {
			out += "[" + part + "]"
		} else {
			out += "." + part
		}
	}
	return out
}

// checkQueryRepr checks a user as returned by a query: exactly the declared
// attributes when a query-attributes deviation is declared, else what Okta
// reads. u may be nil (any user).
func (w *World) checkQueryRepr(obj gjson.Result, u *user, where string, specStep int) error {
	if !obj.IsObject() {
		return fmt.Errorf("%s is not a JSON object", where)
	}
	id := obj.Get("id")
	if id.Type != gjson.String || id.Str == "" {
		return fmt.Errorf("%s has no id", where)
	}
	if u != nil && id.Str != u.ID {
		return fmt.Errorf("%s has id %q, expected %q", where, id.Str, u.ID)
	}
	if d, ok := w.run.manifest.QueryAttributes(); ok {
		return w.checkDeclared(d, obj, u, where, specStep)
	}
	return w.checkFull(obj, u, where, specStep)
}

// checkFull checks a query result of a full-attribute server: it carries
// what Okta reads.
func (w *World) checkFull(obj gjson.Result, u *user, where string, specStep int) error {
	var missing []string
	for _, p := range oktaReads {
		if isEmptyValue(obj.Get(strings.ToLower(p))) {
			missing = append(missing, displayPath(p))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the Okta SPEC step %d fails: %s lacks %s (no deviation is declared)", specStep, where, strings.Join(missing, ", "))
	}
	if !obj.Get("active").IsBool() {
		return fmt.Errorf("%s: active must be a boolean, got %s", where, obj.Get("active").Raw)
	}
	if u != nil {
		if got := obj.Get("username").String(); got != u.UserName {
			return fmt.Errorf("%s has userName %q, expected %q", where, got, u.UserName)
		}
		if u.ExternalID != "" && obj.Get("externalid").String() != u.ExternalID {
			return fmt.Errorf("%s has externalId %s, expected %q", where, orMissing(obj.Get("externalid")), u.ExternalID)
		}
	}
	return nil
}

// checkDeclared checks that a query result carries exactly what the
// deviation declares, and records the deviation with its Okta impact.
func (w *World) checkDeclared(d Deviation, obj gjson.Result, u *user, where string, specStep int) error {
	allowed := map[string]bool{"schemas": true}
	for _, a := range d.Returned {
		allowed[strings.ToLower(a)] = true
	}
	var extra []string
	obj.ForEach(func(k, _ gjson.Result) bool {
		if !allowed[k.Str] {
			extra = append(extra, k.Str)
		}
		return true
	})
	if len(extra) > 0 {
		// The target returns more than it declares: the limitation is gone
		// (or narrower). That is an improvement, not a failure: say so once
		// and judge what is returned.
		sort.Strings(extra)
		w.run.notice(fmt.Sprintf("declared deviation %s is not observed: query results carry more than %s (e.g. %s returned %s). "+
			"If the target no longer has this limitation, remove it from the deviation manifest (%s) or run the okta profile (--profile okta / %s=okta); "+
			"meanwhile query results are judged on what they carry.",
			d.ID, strings.Join(d.Returned, ", "), where, strings.Join(extra, ", "), EnvDeviations, EnvProfile))
		complete := true
		for _, p := range oktaReads {
			complete = complete && !isEmptyValue(obj.Get(strings.ToLower(p)))
		}
		if complete {
			return w.checkFull(obj, u, where, specStep)
		}
		for _, k := range extra {
			allowed[k] = true
		}
	}
	var missing []string
	for _, a := range d.Returned {
		la := strings.ToLower(a)
		v := obj.Get(la)
		if la == "externalid" {
			switch {
			case u == nil:
			case u.ExternalID != "" && v.String() != u.ExternalID:
				return fmt.Errorf("declared deviation %s not observed: %s has externalId %s, expected %q", d.ID, where, orMissing(v), u.ExternalID)
			case u.ExternalID == "" && !isEmptyValue(v):
				return fmt.Errorf("%s has externalId %s but the user was created without one", where, v.Raw)
			}
			continue
		}
		if !v.Exists() {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("declared deviation %s not observed: %s lacks %s, which the manifest says is returned", d.ID, where, strings.Join(missing, ", "))
	}
	if a := obj.Get("active"); a.Exists() && !a.IsBool() {
		return fmt.Errorf("%s: active must be a boolean, got %s", where, a.Raw)
	}
	var lacks []string
	for _, p := range oktaReads {
		if !allowed[strings.ToLower(strings.Split(p, ".")[0])] {
			lacks = append(lacks, displayPath(p))
		}
	}
	if len(lacks) > 0 {
		w.deviations = append(w.deviations, deviationHit{
			ID:     d.ID,
			Impact: fmt.Sprintf("Okta SPEC step %d would fail: %s lacks %s", specStep, where, strings.Join(lacks, ", ")),
		})
	}
	return nil
}

func (w *World) queryReprOf(alias string, step int) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	return w.checkQueryRepr(r.JSON, u, r.Method+" /Users/{id}", step)
}

func (w *World) listedQueryReprOf(alias string, step int) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	return w.checkQueryRepr(r.get("Resources.0"), u, "Resources[0] of GET /Users", step)
}

func (w *World) queryReprAny(step int) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	return w.checkQueryRepr(r.JSON, nil, "GET /Users/{id}", step)
}

func (w *World) listedQueryReprAny(step int) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	if r.get("totalResults").Int() < 1 {
		return fmt.Errorf("the Okta SPEC step %d needs at least one user, the list is empty: %s", step, r.describe())
	}
	return w.checkQueryRepr(r.get("Resources.0"), nil, "Resources[0] of GET /Users", step)
}

func (w *World) readFirstListed() error {
	r, err := w.last()
	if err != nil {
		return err
	}
	id := r.get("Resources.0.id").String()
	if id == "" {
		return fmt.Errorf("the list has no Resources[0].id: %s", r.describe())
	}
	w.firstListedID = id
	_, err = w.send(http.MethodGet, "/Users/"+id, nil, reqOpts{})
	return err
}

func (w *World) idIsFirstListed() error {
	r, err := w.last()
	if err != nil {
		return err
	}
	if got := r.get("id").String(); got != w.firstListedID {
		return fmt.Errorf("GET /Users/%s returned id %q", w.firstListedID, got)
	}
	return nil
}

// ---- import walk ----

// maxBulkUsers bounds the users one scenario may create in bulk.
const maxBulkUsers = 2000

func (w *World) bulkCreate(n int) error {
	if n < 1 || n > maxBulkUsers {
		return fmt.Errorf("bulk creation is limited to 1..%d users", maxBulkUsers)
	}
	for i := 0; i < n; i++ {
		alias := "bulk" + strconv.Itoa(i)
		r, err := w.create(alias, w.userFor(alias).UserName, "", true)
		if err != nil {
			return err
		}
		if err := expectStatus(r, http.StatusCreated); err != nil {
			return fmt.Errorf("creating user %d of %d: %w", i+1, n, err)
		}
		w.bulk[w.users[alias].ID] = true
	}
	return nil
}

// maxImportPages bounds an import walk.
const maxImportPages = 1000

func (w *World) importAll(pageSize int) error {
	w.pages = nil
	deadline := time.Now().Add(10 * time.Minute)
	start := 1
	for page := 0; page < maxImportPages && time.Now().Before(deadline); page++ {
		r, err := w.send(http.MethodGet, fmt.Sprintf("/Users?startIndex=%d&count=%d", start, pageSize), nil, reqOpts{})
		if err != nil {
			return err
		}
		w.pages = append(w.pages, r)
		if r.Status != http.StatusOK {
			return nil // judged by the next step
		}
		total := r.get("totalResults").Int()
		n := len(r.get("Resources").Array())
		start += pageSize
		if int64(start) > total || n == 0 {
			return nil
		}
	}
	return fmt.Errorf("the import walk did not end within %d pages", maxImportPages)
}

func (w *World) pagesOK() error {
	if len(w.pages) == 0 {
		return fmt.Errorf("no import page was fetched")
	}
	for i, p := range w.pages {
		if err := expectStatus(p, http.StatusOK); err != nil {
			return fmt.Errorf("import page %d: %w", i+1, err)
		}
		if err := checkListResponse(p); err != nil {
			return fmt.Errorf("import page %d: %w", i+1, err)
		}
	}
	return nil
}

func (w *World) pagesSameTotal() error {
	if len(w.pages) == 0 {
		return fmt.Errorf("no import page was fetched")
	}
	first := w.pages[0].get("totalResults").Raw
	for i, p := range w.pages {
		if got := p.get("totalResults").Raw; got != first {
			return fmt.Errorf("import page %d reports totalResults %s, page 1 reported %s", i+1, got, first)
		}
	}
	return nil
}

// importedIDs returns the ids of the walk, in order.
func (w *World) importedIDs() []string {
	var ids []string
	for _, p := range w.pages {
		for _, res := range p.get("Resources").Array() {
			ids = append(ids, res.Get("id").String())
		}
	}
	return ids
}

func (w *World) importComplete() error {
	if len(w.pages) == 0 {
		return fmt.Errorf("no import page was fetched")
	}
	ids := w.importedIDs()
	seen := map[string]int{}
	var dups []string
	for _, id := range ids {
		seen[id]++
		if seen[id] == 2 {
			dups = append(dups, id)
		}
	}
	if len(dups) > 0 {
		return fmt.Errorf("the import walk returned %d users more than once (unstable order across pages?), e.g. %s", len(dups), dups[0])
	}
	total := w.pages[0].get("totalResults").Int()
	if int64(len(ids)) != total {
		return fmt.Errorf("totalResults is %d but the walk over %d pages returned %d users", total, len(w.pages), len(ids))
	}
	return nil
}

func (w *World) importHasMine() error {
	seen := map[string]int{}
	for _, id := range w.importedIDs() {
		seen[id]++
	}
	var missing []string
	for id := range w.bulk {
		if seen[id] != 1 {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("%d of the %d users created in this scenario were not imported exactly once, e.g. %s", len(missing), len(w.bulk), missing[0])
	}
	return nil
}

// ---- admin API: locations, keys, invitations ----

func (w *World) newLocation() error { return w.createLocation() }
func (w *World) newKey() error      { return w.rotateKey() }

func (w *World) preExisting(alias string) error {
	u := w.userFor(alias)
	if w.loc.ID == "" {
		return fmt.Errorf("the current location has no admin id")
	}
	body := adminUserBody(u)
	r, err := w.admin(http.MethodPost, "/admin/api/locations/"+w.loc.ID+"/users", body)
	if err != nil {
		return err
	}
	w.adminResp = r
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		return fmt.Errorf("creating a pre-existing user through the admin API: %s", r.describe())
	}
	u.ID = r.get("id").String()
	if u.ID == "" {
		return fmt.Errorf("the admin API returned no id for the pre-existing user: %s", r.describe())
	}
	w.adopt(u, u.ID, gjson.Result{})
	return nil
}

func (w *World) adminListsOne(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	if w.adminList == nil {
		return fmt.Errorf("the admin user list was not read since the last write (a When step \"an admin lists the users of the location\" must come before this check)")
	}
	r, err := w.adminList.resp, w.adminList.err
	if err != nil {
		return err
	}
	if r.Status != http.StatusOK {
		return fmt.Errorf("admin user list: %s", r.describe())
	}
	var ids []string
	for _, it := range adminItems(r) {
		if strings.EqualFold(it.Get("username").String(), u.UserName) {
			ids = append(ids, it.Get("id").String())
		}
	}
	if len(ids) != 1 || ids[0] != u.ID {
		return fmt.Errorf("expected exactly one member %q with id %s in the location, the admin API lists ids %v", u.UserName, u.ID, ids)
	}
	return nil
}

func (w *World) adminView(alias, invitation, signIn, canSignIn string) error {
	it, err := w.adminSeenOf(alias)
	if err != nil {
		return err
	}
	got := fmt.Sprintf("invitation %q, sign-in %q, canSignIn %s", it.Get("invitation").String(), it.Get("signin").String(), it.Get("cansignin").Raw)
	want := fmt.Sprintf("invitation %q, sign-in %q, canSignIn %s", invitation, signIn, canSignIn)
	if got != want {
		return fmt.Errorf("the admin view of %q shows %s, expected %s (active %s)", alias, got, want, it.Get("active").Raw)
	}
	return nil
}

func (w *World) adminDeleted(alias string) error {
	it, err := w.adminSeenOf(alias)
	if err != nil {
		return err
	}
	if !it.Get("deleted").Bool() || it.Get("active").Bool() {
		return fmt.Errorf("a deleted user must stay in the admin view as deleted and inactive, got deleted %s, active %s", it.Get("deleted").Raw, it.Get("active").Raw)
	}
	return nil
}

func (w *World) invite(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	r, err := w.admin(http.MethodPost, "/admin/api/locations/"+u.Loc.ID+"/users/"+u.ID+"/invite", nil)
	if err != nil {
		return err
	}
	w.adminResp = r
	return nil
}

func (w *World) hasInvited(alias string) error {
	if err := w.invite(alias); err != nil {
		return err
	}
	return w.adminSucceeded()
}

func (w *World) adminSucceeded() error {
	if w.adminResp == nil {
		return fmt.Errorf("no admin request was sent")
	}
	if s := w.adminResp.Status; s < 200 || s > 299 {
		return fmt.Errorf("the admin request failed: %s", w.adminResp.describe())
	}
	return nil
}

func (w *World) adminRefused(code int) error {
	if w.adminResp == nil {
		return fmt.Errorf("no admin request was sent")
	}
	if w.adminResp.Status != code {
		return fmt.Errorf("the admin request must be refused with %d: %s", code, w.adminResp.describe())
	}
	if len(bytes.TrimSpace(w.adminResp.Body)) == 0 {
		return fmt.Errorf("a refused admin request must say why (empty body)")
	}
	return nil
}

// adminUserBody is the SCIM user Xakia's admin API creates for a member
// that existed before Okta: Okta's profile (from the mock Okta), not yet
// linked (no externalId), without Okta's password and groups.
func adminUserBody(u *user) map[string]any {
	body := oktaCreateBody(u, u.UserName)
	for _, k := range []string{"externalId", "password", "groups"} {
		delete(body, k)
	}
	return body
}
