package steps

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/xakia-okta/scimtest/mockokta"
)

// randomPassword returns the kind of random password Okta sends on create,
// from the mock Okta (shaped by an org's password policy).
func randomPassword() string {
	pw, err := mockokta.NewPassword(rand.Reader)
	if err != nil {
		panic("steps: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return pw
}

// oktaUser is the Okta directory user behind u, logging in as login: every
// Okta-shaped request body the steps send is built from it by the mock
// Okta's builders (one wire implementation, pinned by its golden
// transcripts).
func (u *user) oktaUser(login string) mockokta.User {
	p := mockokta.ProfileFromEmail(u.UserName, u.Given, u.Family)
	p.Login = login
	return mockokta.User{ID: u.ExternalID, Profile: p}
}

// adopt records that the SCIM user of u now exists with id in the current
// location (full is its representation, when the answer carried one), and
// that the scenario deactivates it when it ends.
func (w *World) adopt(u *user, id string, full gjson.Result) {
	u.ID, u.Loc = id, w.loc
	if full.Exists() {
		u.Full = full
	}
	w.created = append(w.created, u)
}

// oktaCreateBody is Okta's POST /Users body for u (the mock Okta's, with a
// fresh Okta-style password), decoded so that a client step can vary it:
// drop the externalId, pad it past the size limit, add a second email.
func oktaCreateBody(u *user, userName string) map[string]any {
	var body map[string]any
	if err := json.Unmarshal(mockokta.CreateBody(u.oktaUser(userName), randomPassword()), &body); err != nil {
		panic("steps: the mock Okta's create body is not a JSON object: " + err.Error())
	}
	return body
}

// lookupPath is Okta's userName lookup, as the mock Okta sends it.
func lookupPath(userName string) string {
	return "/Users?" + mockokta.LookupQuery(userName)
}

func (w *World) lookup(alias string) error {
	_, err := w.send(http.MethodGet, lookupPath(w.userFor(alias).UserName), nil, reqOpts{})
	return err
}

func (w *World) lookupUpper(alias string) error {
	_, err := w.send(http.MethodGet, lookupPath(strings.ToUpper(w.userFor(alias).UserName)), nil, reqOpts{})
	return err
}

func (w *World) lookupPlus(alias string) error {
	// Okta encodes spaces as %20; some clients send "+", which a server
	// must read as a space too.
	path := strings.ReplaceAll(lookupPath(w.userFor(alias).UserName), "%20", "+")
	_, err := w.send(http.MethodGet, path, nil, reqOpts{})
	return err
}

func (w *World) lookupWithAuth(alias, auth string) error {
	_, err := w.send(http.MethodGet, lookupPath(w.userFor(alias).UserName), nil, reqOpts{auth: auth})
	return err
}

// create sends Okta's POST for alias with the given userName and records
// the expectations; it does not judge the status.
func (w *World) create(alias, userName, contentType string, adopt bool) (*response, error) {
	u := w.userFor(alias)
	// Okta's exact bytes, from the mock Okta: one wire implementation.
	password := randomPassword()
	raw := mockokta.CreateBody(u.oktaUser(userName), password)
	r, err := w.send(http.MethodPost, "/Users", raw, reqOpts{contentType: contentType})
	if err != nil {
		return nil, err
	}
	u.Sent = flattenProfile(raw)
	u.Password = password
	if r.Status == http.StatusCreated || r.Status == http.StatusOK {
		if id := r.get("id").String(); id != "" {
			if adopt {
				w.adopt(u, id, r.JSON)
			} else {
				w.created = append(w.created, &user{ID: id, Loc: w.loc})
			}
		}
	}
	return r, nil
}

func (w *World) oktaCreates(alias string) error {
	_, err := w.create(alias, w.userFor(alias).UserName, "", true)
	return err
}

func (w *World) oktaCreatesTyped(alias, contentType string) error {
	_, err := w.create(alias, w.userFor(alias).UserName, contentType, true)
	return err
}

func (w *World) oktaCreatesAgain(alias string) error {
	_, err := w.create(alias, w.userFor(alias).UserName, "", false)
	return err
}

func (w *World) oktaCreatesAgainUpper(alias string) error {
	_, err := w.create(alias, strings.ToUpper(w.userFor(alias).UserName), "", false)
	return err
}

// assign is Okta's assignment: lookup (a miss), then POST, each judged.
func (w *World) assign(alias string) error {
	if err := w.lookup(alias); err != nil {
		return err
	}
	r := w.resp
	if err := expectStatus(r, http.StatusOK); err != nil {
		return fmt.Errorf("the Okta lookup before create: %w", err)
	}
	if n := r.get("totalResults").Int(); n != 0 {
		return fmt.Errorf("the Okta lookup of a new userName found %d users: %s", n, r.describe())
	}
	r, err := w.create(alias, w.userFor(alias).UserName, "", true)
	if err != nil {
		return err
	}
	if err := expectStatus(r, http.StatusCreated); err != nil {
		return fmt.Errorf("the Okta create: %w", err)
	}
	if w.users[alias].ID == "" {
		return fmt.Errorf("the Okta create returned no id (\"Create new user returned empty user\"): %s", r.describe())
	}
	return nil
}

// clientCreatesWithoutExternalID creates a user with no externalId.
func (w *World) clientCreatesWithoutExternalID(alias string) error {
	u := w.userFor(alias)
	u.ExternalID = ""
	body := oktaCreateBody(u, u.UserName)
	delete(body, "externalId")
	r, err := w.send(http.MethodPost, "/Users", mustJSON(body), reqOpts{})
	if err != nil {
		return err
	}
	if err := expectStatus(r, http.StatusCreated); err != nil {
		return err
	}
	u.Sent = flattenProfile(mustJSON(body))
	w.adopt(u, r.get("id").String(), r.JSON)
	return nil
}

// flattenProfile lists the attributes of the Okta profile a request body
// carried, by lower-cased path.
func flattenProfile(body []byte) map[string]any {
	norm, _ := lowerKeys(body)
	doc := gjson.ParseBytes(norm)
	out := map[string]any{}
	for _, p := range []string{"username", "name.givenname", "name.familyname", "displayname", "emails.0.value", "externalid", "active", "locale"} {
		if v := doc.Get(p); v.Exists() {
			out[p] = v.Value()
		}
	}
	return out
}

func (w *World) isUserWithID() error {
	r, err := w.last()
	if err != nil {
		return err
	}
	if !r.ValidJSON {
		return fmt.Errorf("expected a SCIM user, the body is not JSON: %s", r.describe())
	}
	if id := r.get("id"); id.Type != gjson.String || id.Str == "" {
		return fmt.Errorf("the user has no server-issued id: %s", r.describe())
	}
	if !hasSchema(r.JSON, schemaUser) {
		return fmt.Errorf("the user lacks the core User schema %s: %s", schemaUser, r.describe())
	}
	return nil
}

func (w *World) locationIsMetaLocation() error {
	r, err := w.last()
	if err != nil {
		return err
	}
	loc := r.Header.Get("Location")
	meta := r.get("meta.location").String()
	switch {
	case loc == "":
		return fmt.Errorf("a 201 must carry a Location header: %s", r.describe())
	case meta == "":
		return fmt.Errorf("the created user has no meta.location: %s", r.describe())
	case loc != meta:
		return fmt.Errorf("the Location header %q differs from meta.location %q", loc, meta)
	case !strings.HasSuffix(loc, "/Users/"+r.get("id").String()):
		return fmt.Errorf("meta.location %q does not end with /Users/<id>", meta)
	}
	return nil
}

// echoes checks that a write response carries what Okta sent.
func (w *World) echoes(alias string) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	u := w.userFor(alias)
	if len(u.Sent) == 0 {
		return fmt.Errorf("nothing was sent for %q yet", alias)
	}
	var diffs []string
	paths := make([]string, 0, len(u.Sent))
	for p := range u.Sent {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		want := u.Sent[p]
		got := r.get(p)
		if !got.Exists() || fmt.Sprint(got.Value()) != fmt.Sprint(want) {
			diffs = append(diffs, fmt.Sprintf("%s: sent %v, got %s", p, want, orMissing(got)))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("the write response does not echo what Okta sent (%s): %s", strings.Join(diffs, "; "), r.describe())
	}
	return nil
}

// noPassword checks that no password is returned, anywhere in the body.
func (w *World) noPassword() error {
	r, err := w.last()
	if err != nil {
		return err
	}
	if strings.Contains(strings.ToLower(r.JSON.Raw), `"password"`) {
		return fmt.Errorf("the response contains a password attribute (it must never be returned): %s", r.Method+" "+r.Path)
	}
	for _, u := range w.users {
		if u.Password != "" && strings.Contains(string(r.Body), u.Password) {
			return fmt.Errorf("the response contains the password Okta sent for %q", u.Alias)
		}
	}
	return nil
}

func (w *World) findsExactly(alias string) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	if err := expectStatus(r, http.StatusOK); err != nil {
		return err
	}
	items, err := listResources(r)
	if err != nil {
		return err
	}
	if len(items) != 1 {
		return fmt.Errorf("expected the filter to find exactly the user %q, Resources holds %d items: %s", alias, len(items), r.describe())
	}
	if id := items[0].Get("id").String(); id != u.ID {
		return fmt.Errorf("the filter found id %q, expected the id of %q, %q (ids must be stable): %s", id, alias, u.ID, r.describe())
	}
	return nil
}

func (w *World) userNamePreserved(alias string) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	want := w.userFor(alias).UserName
	if got := r.get("userName").String(); got != want {
		return fmt.Errorf("userName must keep the case it was created with: sent %q, got %q", want, got)
	}
	return nil
}

// readStored fetches the full stored representation of a user: from GET
// when it is a full representation, else from the admin API when there is
// one, else from the answer to a no-op PATCH (write responses are full).
// Only Given/When steps call it (readBack, and writes answered 204): a
// Then observes what they stored.
func (w *World) readStored(u *user) (gjson.Result, error) {
	r, err := w.send(http.MethodGet, "/Users/"+u.ID, nil, reqOpts{loc: &u.Loc})
	if err != nil {
		return gjson.Result{}, err
	}
	if r.Status != http.StatusOK {
		return gjson.Result{}, fmt.Errorf("reading back %q: %s", u.Alias, r.describe())
	}
	if r.get("userName").Exists() {
		return r.JSON, nil
	}
	if w.run.adminURL != "" && u.Loc.ID != "" {
		return w.adminUser(u)
	}
	active := r.get("active")
	if !active.IsBool() {
		return gjson.Result{}, fmt.Errorf("reading back %q: GET returned no active attribute: %s", u.Alias, r.describe())
	}
	// Okta's own no-path PATCH, setting active to what it already is.
	p, err := w.send(http.MethodPatch, "/Users/"+u.ID, mockokta.PatchActiveBody(active.Bool()), reqOpts{loc: &u.Loc})
	if err != nil {
		return gjson.Result{}, err
	}
	if p.Status != http.StatusOK || !p.get("userName").Exists() {
		return gjson.Result{}, fmt.Errorf("reading back %q through a no-op PATCH (GET hides the profile): %s", u.Alias, p.describe())
	}
	return p.JSON, nil
}

// storedRead is what a read-back of a user saw: its full stored
// representation, or why it could not be read (reported by the Then step
// that needed it, as the check it stops).
type storedRead struct {
	doc gjson.Result
	err error
}

// readBack is the When step that reads a user's stored profile for the
// Then steps after it. It never fails itself: a read that goes wrong is
// reported by the check that needed it. Like every request it becomes "the
// response".
func (w *World) readBack(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	doc, err := w.readStored(u)
	w.remember(alias, doc, err)
	return nil
}

// remember records a read-back of alias (after any write it made).
func (w *World) remember(alias string, doc gjson.Result, err error) {
	if w.stored == nil {
		w.stored = map[string]storedRead{}
	}
	w.stored[alias] = storedRead{doc: doc, err: err}
}

// storedDoc returns the last read-back of a user since the last write.
func (w *World) storedDoc(u *user) (gjson.Result, error) {
	s, ok := w.stored[u.Alias]
	if !ok {
		return gjson.Result{}, fmt.Errorf("the stored profile of %q was not read back since the last write (a When step \"the stored profile of %q is read back\" must come before this check)", u.Alias, u.Alias)
	}
	return s.doc, s.err
}

// storedHas compares a stored attribute with a JSON literal.
func (w *World) storedHas(alias, path, literal string) error {
	got, want, err := w.storedValue(alias, path, literal)
	if err != nil {
		return err
	}
	if !got.Exists() || !sameJSON(got, want) {
		return fmt.Errorf("the stored %s of %q is %s, expected %s", path, alias, orMissing(got), literal)
	}
	return nil
}

// storedValue reads the stored value at path of a known user, and decodes
// the step's JSON literal (placeholders expanded) to compare it with.
func (w *World) storedValue(alias, path, literal string) (gjson.Result, any, error) {
	u, err := w.knownUser(alias)
	if err != nil {
		return gjson.Result{}, nil, err
	}
	literal, err = w.expand(strings.TrimSpace(literal))
	if err != nil {
		return gjson.Result{}, nil, err
	}
	var want any
	if err := json.Unmarshal([]byte(literal), &want); err != nil {
		return gjson.Result{}, nil, fmt.Errorf("step argument %s is not a JSON value", literal)
	}
	doc, err := w.storedDoc(u)
	if err != nil {
		return gjson.Result{}, nil, err
	}
	return doc.Get(jsonPath(path)), want, nil
}

// sameJSON compares a gjson value with a decoded JSON literal, types
// included.
func sameJSON(got gjson.Result, want any) bool {
	switch v := want.(type) {
	case string:
		return got.Type == gjson.String && got.Str == v
	case bool:
		return got.IsBool() && got.Bool() == v
	case float64:
		return got.Type == gjson.Number && got.Num == v
	case nil:
		return got.Type == gjson.Null
	}
	b, _ := json.Marshal(want)
	return got.Raw == string(b)
}

// storedNoLonger checks that a removed value is gone: the attribute is
// empty or holds another value (a server may re-derive a default after a
// remove, e.g. displayName from the name).
func (w *World) storedNoLonger(alias, path, literal string) error {
	got, old, err := w.storedValue(alias, path, literal)
	if err != nil {
		return err
	}
	if got.Exists() && sameJSON(got, old) {
		// One cause whichever attribute shows it: clearing is ignored.
		return &checkError{Rule: "a value removed by PATCH or cleared by PUT (null, \"\", []) is gone",
			Msg: fmt.Sprintf("the stored %s of %q is still %s after it was removed", path, alias, got.Raw)}
	}
	return nil
}

func (w *World) storedHasNo(alias, path string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	doc, err := w.storedDoc(u)
	if err != nil {
		return err
	}
	got := doc.Get(jsonPath(path))
	if isEmptyValue(got) {
		return nil
	}
	return fmt.Errorf("the stored %s of %q should have been cleared, it is %s", path, alias, got.Raw)
}

func isEmptyValue(v gjson.Result) bool {
	switch {
	case !v.Exists(), v.Type == gjson.Null:
		return true
	case v.Type == gjson.String:
		return v.Str == ""
	case v.IsArray():
		return len(v.Array()) == 0
	}
	return false
}

// comparedAttributes are the stored attributes "unchanged" compares.
var comparedAttributes = []string{"username", "name.givenname", "name.familyname", "displayname", "emails.0.value", "externalid", "active", "locale", "title"}

func (w *World) unchanged(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	if !u.Full.Exists() {
		return fmt.Errorf("no full representation of %q was seen before", alias)
	}
	doc, err := w.storedDoc(u)
	if err != nil {
		return err
	}
	var diffs []string
	for _, p := range comparedAttributes {
		before, after := u.Full.Get(p), doc.Get(p)
		if isEmptyValue(before) && isEmptyValue(after) {
			continue
		}
		if before.Raw != after.Raw {
			diffs = append(diffs, fmt.Sprintf("%s was %s, is now %s", p, orMissing(before), orMissing(after)))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("a refused request must change nothing, but %q changed: %s", alias, strings.Join(diffs, "; "))
	}
	return nil
}

func (w *World) noUser(alias string) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	if r.Method != http.MethodGet || r.Path != lookupPath(w.userFor(alias).UserName) {
		return fmt.Errorf("the last request was %s %s, not Okta's lookup of %q (a When step \"Okta looks up the user %q by userName\" must come before this check)", r.Method, r.Path, alias, alias)
	}
	if r.Status != http.StatusOK {
		return fmt.Errorf("checking that %q was not created: %s", alias, r.describe())
	}
	if n := r.get("totalResults").Int(); n != 0 {
		return fmt.Errorf("a refused create must create nothing, but the lookup of %q finds %d users", alias, n)
	}
	return nil
}

// manySmallAttributesCreate creates a user with a body over 1 MiB made of
// thousands of small unknown attributes: no single field is long, so only a
// request-size limit can refuse it.
func (w *World) manySmallAttributesCreate(alias string) error {
	u := w.userFor(alias)
	body := oktaCreateBody(u, u.UserName)
	pad := map[string]string{}
	for i := 0; i < 60000; i++ {
		pad[fmt.Sprintf("k%05d", i)] = "small-value"
	}
	body["urn:example:params:scim:padding"] = pad
	r, err := w.send(http.MethodPost, "/Users", mustJSON(body), reqOpts{})
	if err != nil {
		return err
	}
	w.track(r)
	return nil
}

// refusedAsTooLarge judges the answer to an oversized body: 413 passes; a
// 2xx means the server has no request-size limit at all; another 4xx means
// a limit (or a field check) answered with another status, which is advice.
func (w *World) refusedAsTooLarge() error {
	r, err := w.last()
	if err != nil {
		return err
	}
	size := r.RequestSize
	switch {
	case r.Status == http.StatusRequestEntityTooLarge:
		return nil
	case r.Status >= 200 && r.Status < 300:
		return &checkError{Rule: "request bodies over the size limit are refused",
			Msg: fmt.Sprintf("no request-size limit at all: a %d-byte body was accepted: %s", size, r.describe())}
	case r.Status >= 500:
		return &checkError{Rule: "request bodies over the size limit are refused",
			Msg: fmt.Sprintf("an oversized body (%d bytes) must be refused with 413, not a server error: %s", size, r.describe())}
	default:
		return finding(mockokta.AuthorityAdvice, "RFC 7644 §3.12", "an oversized body is refused with 413",
			"an oversized body (%d bytes) was refused, but with %d rather than 413 (Request Entity Too Large): %s", size, r.Status, r.describe())
	}
}

func (w *World) oversizedCreate(alias string) error {
	u := w.userFor(alias)
	body := oktaCreateBody(u, u.UserName)
	body["displayName"] = strings.Repeat("x", 1<<20+4096)
	r, err := w.send(http.MethodPost, "/Users", mustJSON(body), reqOpts{})
	if err != nil {
		return err
	}
	w.track(r)
	return nil
}

// oktaReadsByID sends Okta's GET of a user by id to the current location
// with its current key.
func (w *World) oktaReadsByID(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	_, err = w.send(http.MethodGet, "/Users/"+u.ID, nil, reqOpts{})
	return err
}

// clientDeletes sends DELETE for a user to the current location.
func (w *World) clientDeletes(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	r, err := w.send(http.MethodDelete, "/Users/"+u.ID, nil, reqOpts{})
	if err != nil {
		return err
	}
	w.track(r)
	return nil
}
