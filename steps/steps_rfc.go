package steps

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/xakia-okta/scimtest/mockokta"
)

// tagETag marks the scenarios that need ETags: they run only when the
// target's ServiceProviderConfig says etag.supported is true.
const tagETag = "@etag"

// rfcSteps are the steps of features/rfc.feature: RFC 7643/7644 rules that
// Okta does not exercise (it sends one primary email and never uses
// attributes or ETags) but that every SCIM client may rely on. One value per
// scenario (registerRFC is called from the scenario initializer).
type rfcSteps struct {
	w *World
	// alias is the user the last write or read of these steps was about.
	alias string
	// before is the meta of that user seen before the last write.
	before gjson.Result
	// requested are the attribute names of the last attributes or
	// excludedAttributes parameter, lower-cased.
	requested []string
	// requestedText is that parameter as the scenario wrote it.
	requestedText string
	// staleTag is a version of the user that a later write replaced.
	staleTag string
}

// registerRFC binds the steps of features/rfc.feature.
func (w *World) registerRFC(sc stepper) {
	r := &rfcSteps{w: w}
	const q = `"([^"]*)"`

	// Several primary values and duplicates (RFC 7643 §2.4).
	sc.Step(`^a client creates the user `+q+` with two primary emails$`, r.createTwoPrimaries)
	sc.Step(`^a client replaces the emails of `+q+` with two primary emails by PUT$`, r.putTwoPrimaries)
	sc.Step(`^a client replaces the whole emails array of `+q+` with two primary emails by PATCH$`, r.patchTwoPrimaries)
	sc.Step(`^the write is refused with 400 or leaves exactly one primary email$`, r.onePrimary)
	sc.Step(`^a client creates the user `+q+` with the same work email twice$`, r.createDuplicateEmail)
	sc.Step(`^the write is refused with 400 or returns the work email once$`, r.emailOnce)

	// PATCH that changes nothing (RFC 7644 §3.5.2).
	sc.Step(`^the displayName of `+q+` has been set to `+q+` by PATCH$`, r.setDisplayName)
	sc.Step(`^a client sets the displayName of `+q+` to `+q+` by PATCH$`, r.setDisplayName)
	sc.Step(`^a client adds the displayName `+q+` to `+q+` by PATCH$`, r.addDisplayName)
	sc.Step(`^a client adds the work email `+q+` already has by PATCH$`, r.addSameEmail)
	sc.Step(`^the PATCH succeeded and left meta\.version and meta\.lastModified of `+q+` unchanged$`, r.metaUnchanged)

	// attributes and excludedAttributes (RFC 7644 §3.4.2.5, §3.9).
	sc.Step(`^a client reads `+q+` by id with attributes `+q+`$`, r.readWithAttributes)
	sc.Step(`^a client reads `+q+` by id with excludedAttributes `+q+`$`, r.readWithExcluded)
	sc.Step(`^a client looks up `+q+` by userName with attributes `+q+`$`, r.lookupWithAttributes)
	sc.Step(`^a client replaces `+q+` by PUT with attributes `+q+`$`, r.putWithAttributes)
	sc.Step(`^the returned user holds only id, schemas and the requested attributes$`, r.onlyRequested)
	sc.Step(`^the returned user lacks the excluded attributes and still holds id and schemas$`, r.lacksExcluded)

	// ETags (RFC 7644 §3.14, RFC 7643 §3.1).
	sc.Step(`^the ETag header equals meta\.version of `+q+`$`, r.etagIsVersion)
	sc.Step(`^`+q+` has been changed since its version was read$`, r.changedSinceRead)
	sc.Step(`^a client sets the displayName of `+q+` to `+q+` by PATCH with If-Match of the version read before$`, r.patchStale)
	sc.Step(`^a client sets the displayName of `+q+` to `+q+` by PATCH with If-Match of its current version$`, r.patchCurrent)
	sc.Step(`^the write is refused with 412 Precondition Failed$`, r.refused412)
	sc.Step(`^the write succeeded$`, r.writeSucceeded)
	sc.Step(`^a client reads `+q+` by id with If-None-Match of its current version$`, r.readIfNoneMatchCurrent)
	sc.Step(`^a client reads `+q+` by id with If-None-Match of another version$`, r.readIfNoneMatchOther)
	sc.Step(`^the server answers 304 Not Modified without a body$`, r.notModified)
	sc.Step(`^the server answers 200 with the user$`, r.okWithUser)
}

// twoPrimaryEmails are two emails of u that both claim to be primary.
func twoPrimaryEmails(u *user) []any {
	return []any{
		map[string]any{"value": u.UserName, "type": "work", "primary": true},
		map[string]any{"value": "home." + u.UserName, "type": "home", "primary": true},
	}
}

// patchOps is a PatchOp body.
func patchOps(ops ...map[string]any) []byte {
	return mustJSON(map[string]any{"schemas": []string{schemaPatchOp}, "Operations": ops})
}

// write sends a write about alias (in its location) and adopts the answer
// as the user's last full representation when it carries one.
func (r *rfcSteps) write(alias, method, path string, body []byte, o reqOpts) (*response, error) {
	u, err := r.w.knownUser(alias)
	if err != nil {
		return nil, err
	}
	r.alias = alias
	r.before = u.Full.Get("meta")
	o.loc = &u.Loc
	resp, err := r.w.send(method, path, body, o)
	if err != nil {
		return nil, err
	}
	if resp.Status == http.StatusNoContent {
		// No body to judge: read the user back now, in this When step,
		// keeping the write's answer as "the response".
		doc, err := r.w.readStored(u)
		r.w.remember(alias, doc, err)
		r.w.resp = resp
	}
	if resp.Status/100 == 2 && resp.get("meta").Exists() && resp.get("id").String() == u.ID {
		u.Full = resp.JSON
	}
	return resp, nil
}

func (r *rfcSteps) createTwoPrimaries(alias string) error {
	u := r.w.userFor(alias)
	body := oktaCreateBody(u, u.UserName)
	body["emails"] = twoPrimaryEmails(u)
	return r.create(u, body)
}

func (r *rfcSteps) createDuplicateEmail(alias string) error {
	u := r.w.userFor(alias)
	body := oktaCreateBody(u, u.UserName)
	body["emails"] = []any{
		map[string]any{"value": u.UserName, "type": "work", "primary": true},
		map[string]any{"value": u.UserName, "type": "work"},
	}
	return r.create(u, body)
}

// create POSTs body for u; a created user is cleaned up after the scenario.
func (r *rfcSteps) create(u *user, body map[string]any) error {
	resp, err := r.w.send(http.MethodPost, "/Users", mustJSON(body), reqOpts{})
	if err != nil {
		return err
	}
	r.alias = u.Alias
	if resp.Status/100 == 2 {
		if id := resp.get("id").String(); id != "" {
			r.w.adopt(u, id, resp.JSON)
		}
	}
	return nil
}

func (r *rfcSteps) putTwoPrimaries(alias string) error {
	u, err := r.w.knownUser(alias)
	if err != nil {
		return err
	}
	body := mustJSON(map[string]any{"schemas": []string{schemaUser}, "userName": u.UserName, "emails": twoPrimaryEmails(u)})
	_, err = r.write(alias, http.MethodPut, "/Users/"+u.ID, body, reqOpts{})
	return err
}

func (r *rfcSteps) patchTwoPrimaries(alias string) error {
	u, err := r.w.knownUser(alias)
	if err != nil {
		return err
	}
	body := patchOps(map[string]any{"op": "replace", "path": "emails", "value": twoPrimaryEmails(u)})
	_, err = r.write(alias, http.MethodPatch, "/Users/"+u.ID, body, reqOpts{})
	return err
}

// written returns the user after the last write: its body, or, after a 204
// (legal for PATCH), the stored user read back.
func (r *rfcSteps) written(resp *response) (gjson.Result, error) {
	if resp.Status != http.StatusNoContent && resp.ValidJSON {
		return resp.JSON, nil
	}
	u, err := r.w.knownUser(r.alias)
	if err != nil {
		return gjson.Result{}, err
	}
	doc, err := r.w.storedDoc(u)
	if err != nil {
		return gjson.Result{}, fmt.Errorf("after %s: %w", resp.describe(), err)
	}
	return doc, nil
}

// refusedOr accepts a 400 SCIM error, or a 2xx whose user passes check.
func (r *rfcSteps) refusedOr(check func(user gjson.Result) error) error {
	resp, err := r.w.last()
	if err != nil {
		return err
	}
	if resp.Status == http.StatusBadRequest {
		return r.w.checkSCIMError(resp, []int{http.StatusBadRequest}, nil)
	}
	if resp.Status/100 != 2 {
		return fmt.Errorf("expected 400 or a success, but %s", resp.describe())
	}
	doc, err := r.written(resp)
	if err != nil {
		return err
	}
	return check(doc)
}

func (r *rfcSteps) onePrimary() error {
	return r.refusedOr(func(doc gjson.Result) error {
		n := 0
		for _, e := range doc.Get("emails").Array() {
			if p := e.Get("primary"); p.Type == gjson.True {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("the write was accepted and the user has %d primary emails, but at most one value may be primary and the request named one: emails %s", n, orMissing(doc.Get("emails")))
		}
		return nil
	})
}

func (r *rfcSteps) emailOnce() error {
	u := r.w.userFor(r.alias)
	return r.refusedOr(func(doc gjson.Result) error {
		n := 0
		for _, e := range doc.Get("emails").Array() {
			if strings.EqualFold(e.Get("value").String(), u.UserName) && strings.EqualFold(e.Get("type").String(), "work") {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("the work email %s came back %d times: emails %s", u.UserName, n, orMissing(doc.Get("emails")))
		}
		return nil
	})
}

func (r *rfcSteps) setDisplayName(alias, value string) error {
	u, err := r.w.knownUser(alias)
	if err != nil {
		return err
	}
	resp, err := r.write(alias, http.MethodPatch, "/Users/"+u.ID,
		patchOps(map[string]any{"op": "replace", "path": "displayName", "value": value}), reqOpts{})
	if err != nil {
		return err
	}
	if err := expectStatus(resp, http.StatusOK, http.StatusNoContent); err != nil {
		return err
	}
	return r.refresh(u, resp)
}

// refresh makes u.Full the user after a successful write answered by resp
// (read back when the answer has no body).
func (r *rfcSteps) refresh(u *user, resp *response) error {
	if resp.get("meta").Exists() {
		return nil // write adopted it
	}
	doc, err := r.w.readStored(u)
	if err != nil {
		return err
	}
	u.Full = doc
	return nil
}

func (r *rfcSteps) addDisplayName(value, alias string) error {
	u, err := r.w.knownUser(alias)
	if err != nil {
		return err
	}
	_, err = r.write(alias, http.MethodPatch, "/Users/"+u.ID,
		patchOps(map[string]any{"op": "add", "path": "displayName", "value": value}), reqOpts{})
	return err
}

func (r *rfcSteps) addSameEmail(alias string) error {
	u, err := r.w.knownUser(alias)
	if err != nil {
		return err
	}
	email := map[string]any{"value": u.UserName, "type": "work", "primary": true}
	_, err = r.write(alias, http.MethodPatch, "/Users/"+u.ID,
		patchOps(map[string]any{"op": "add", "path": "emails", "value": []any{email}}), reqOpts{})
	return err
}

func (r *rfcSteps) metaUnchanged(alias string) error {
	resp, err := r.w.last()
	if err != nil {
		return err
	}
	if err := expectStatus(resp, http.StatusOK, http.StatusNoContent); err != nil {
		return err
	}
	if r.alias != alias {
		return fmt.Errorf("the last write was about %q, not %q", r.alias, alias)
	}
	before := r.before
	if !before.Get("version").Exists() && !before.Get("lastmodified").Exists() {
		return fmt.Errorf("cannot judge: the last full representation of %q seen before the PATCH has neither meta.version nor meta.lastModified", alias)
	}
	doc, err := r.written(resp)
	if err != nil {
		return err
	}
	moved := map[string]string{}
	for _, k := range []string{"version", "lastModified"} {
		b, a := before.Get(strings.ToLower(k)), doc.Get("meta."+strings.ToLower(k))
		if b.Exists() && a.Raw != b.Raw {
			moved[k] = fmt.Sprintf("meta.%s %s → %s", k, b.Raw, orMissing(a))
		}
	}
	switch {
	case moved["lastModified"] != "":
		// "this operation SHALL NOT change the modify timestamp"
		return fmt.Errorf("a PATCH that changes nothing changed %s", strings.Join(slices.Sorted(maps.Values(moved)), ", "))
	case moved["version"] != "":
		// "no changes SHOULD be made to the resource": a new version for
		// the same resource is a SHOULD, not a MUST.
		return finding(mockokta.AuthorityAdvice, "RFC 7644 §3.5.2.1", "a PATCH that changes nothing keeps meta.version",
			"a PATCH that changes nothing changed %s (meta.lastModified stayed)", moved["version"])
	}
	return nil
}

// attrList splits a comma-separated attribute list into lower-cased names
// (core attributes, possibly with a sub-attribute: "name.givenname").
func attrList(list string) []string {
	var out []string
	for _, a := range strings.Split(list, ",") {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			out = append(out, a)
		}
	}
	return out
}

func (r *rfcSteps) readWith(alias, param, list string) error {
	u, err := r.w.knownUser(alias)
	if err != nil {
		return err
	}
	r.alias, r.requested, r.requestedText = alias, attrList(list), list
	_, err = r.w.send(http.MethodGet, "/Users/"+u.ID+"?"+param+"="+url.QueryEscape(list), nil, reqOpts{loc: &u.Loc})
	return err
}

func (r *rfcSteps) readWithAttributes(alias, list string) error {
	return r.readWith(alias, "attributes", list)
}

func (r *rfcSteps) readWithExcluded(alias, list string) error {
	return r.readWith(alias, "excludedAttributes", list)
}

func (r *rfcSteps) lookupWithAttributes(alias, list string) error {
	u, err := r.w.knownUser(alias)
	if err != nil {
		return err
	}
	r.alias, r.requested, r.requestedText = alias, attrList(list), list
	_, err = r.w.send(http.MethodGet, lookupPath(u.UserName)+"&attributes="+url.QueryEscape(list), nil, reqOpts{loc: &u.Loc})
	return err
}

func (r *rfcSteps) putWithAttributes(alias, list string) error {
	u, err := r.w.knownUser(alias)
	if err != nil {
		return err
	}
	body := mustJSON(map[string]any{"schemas": []string{schemaUser}, "userName": u.UserName})
	_, err = r.write(alias, http.MethodPut, "/Users/"+u.ID+"?attributes="+url.QueryEscape(list), body, reqOpts{})
	r.requested, r.requestedText = attrList(list), list
	return err
}

// returnedUser is the user the last response returned: the body, or the
// only item of a ListResponse. query reports whether it answered a query
// (where a declared query-attributes deviation applies).
func (r *rfcSteps) returnedUser() (obj gjson.Result, where string, query bool, err error) {
	resp, err := r.w.last()
	if err != nil {
		return obj, "", false, err
	}
	if err := expectStatus(resp, http.StatusOK, http.StatusCreated); err != nil {
		return obj, "", false, err
	}
	where = resp.Method + " " + resp.Path
	query = resp.Method == http.MethodGet
	if resp.get("Resources").Exists() {
		items := resp.get("Resources").Array()
		if len(items) != 1 {
			return obj, "", false, fmt.Errorf("the lookup should list exactly one user: %s", resp.describe())
		}
		return items[0], "Resources[0] of " + where, query, nil
	}
	if !resp.JSON.IsObject() {
		return obj, "", false, fmt.Errorf("no user came back: %s", resp.describe())
	}
	return resp.JSON, where, query, nil
}

func (r *rfcSteps) onlyRequested() error {
	obj, where, query, err := r.returnedUser()
	if err != nil {
		return err
	}
	// allowed may come back; required must. A query under a declared
	// query-attributes deviation may leave out what the declaration does
	// not return (the deviation); returning it anyway is more than declared:
	// a notice, judged on what comes back, never a failure.
	allowed := map[string]bool{"id": true, "schemas": true}
	required := map[string]bool{"id": true, "schemas": true}
	declared, limited := r.w.run.manifest.QueryAttributes()
	var beyond []string
	for _, a := range r.requested {
		t, _, _ := strings.Cut(a, ".")
		allowed[t] = true
		if query && limited && a != "id" && !containsFold(declared.Returned, t) {
			beyond = append(beyond, a)
			continue
		}
		required[a] = true
	}
	var extra, missing, dropped []string
	obj.ForEach(func(k, _ gjson.Result) bool {
		if !allowed[k.Str] {
			extra = append(extra, k.Str)
		}
		return true
	})
	for a := range required {
		if !obj.Get(a).Exists() {
			missing = append(missing, a)
		}
	}
	for _, a := range beyond {
		if !obj.Get(a).Exists() {
			dropped = append(dropped, a)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	if len(extra) > 0 || len(missing) > 0 {
		return fmt.Errorf("%s with attributes=%s: unrequested %s, missing %s (only id, schemas and the requested attributes may come back)",
			where, r.requestedText, orNone(extra), orNone(missing))
	}
	switch {
	case len(dropped) > 0:
		r.w.deviations = append(r.w.deviations, deviationHit{ID: declared.ID, Impact: fmt.Sprintf(
			"a query with attributes=%s does not return %s: a query never returns more than the declared attributes (%s)",
			r.requestedText, strings.Join(dropped, ", "), strings.Join(declared.Returned, ", "))})
	case len(beyond) > 0:
		r.w.run.notice(fmt.Sprintf("declared deviation %s is not observed: %s returned %s, which the manifest says queries do not return. "+
			"If the target no longer has this limitation, remove it from the deviation manifest (%s) or run the okta profile (--profile okta / %s=okta).",
			declared.ID, where, strings.Join(beyond, ", "), EnvDeviations, EnvProfile))
	}
	return nil
}

func (r *rfcSteps) lacksExcluded() error {
	obj, where, _, err := r.returnedUser()
	if err != nil {
		return err
	}
	var present []string
	for _, a := range r.requested {
		if a != "id" && a != "schemas" && obj.Get(a).Exists() {
			present = append(present, a)
		}
	}
	if len(present) > 0 {
		return fmt.Errorf("%s with excludedAttributes=%s still returned %s", where, r.requestedText, strings.Join(present, ", "))
	}
	for _, a := range []string{"id", "schemas"} {
		if !obj.Get(a).Exists() {
			return fmt.Errorf("%s lacks %s, which is always returned", where, a)
		}
	}
	return nil
}

// orNone joins a list, or says "none".
func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// currentVersion is meta.version of the last full representation of alias.
func (r *rfcSteps) currentVersion(alias string) (*user, string, error) {
	u, err := r.w.knownUser(alias)
	if err != nil {
		return nil, "", err
	}
	v := u.Full.Get("meta.version").String()
	if v == "" {
		return nil, "", fmt.Errorf("the last full representation of %q has no meta.version, although ServiceProviderConfig advertises etag", alias)
	}
	return u, v, nil
}

func (r *rfcSteps) etagIsVersion(alias string) error {
	resp, err := r.w.last()
	if err != nil {
		return err
	}
	if resp.Status/100 != 2 {
		return fmt.Errorf("expected a user, but %s", resp.describe())
	}
	want := resp.get("meta.version").String()
	source := "its meta.version"
	if want == "" {
		_, v, err := r.currentVersion(alias)
		if err != nil {
			return err
		}
		want, source = v, "meta.version of the last full representation of "+alias
	}
	got := resp.Header.Get("ETag")
	if got == "" {
		return fmt.Errorf("%s %s has no ETag header, although ServiceProviderConfig advertises etag", resp.Method, resp.Path)
	}
	if got != want {
		return fmt.Errorf("%s %s: ETag %s differs from %s %s", resp.Method, resp.Path, got, source, want)
	}
	return nil
}

func (r *rfcSteps) changedSinceRead(alias string) error {
	_, v, err := r.currentVersion(alias)
	if err != nil {
		return err
	}
	if err := r.setDisplayName(alias, "Changed Since Read"); err != nil {
		return err
	}
	_, now, err := r.currentVersion(alias)
	if err != nil {
		return err
	}
	if now == v {
		return fmt.Errorf("a change of displayName kept meta.version %s", v)
	}
	r.staleTag = v
	return nil
}

func (r *rfcSteps) patchIfMatch(alias, value, tag string) error {
	u, err := r.w.knownUser(alias)
	if err != nil {
		return err
	}
	_, err = r.write(alias, http.MethodPatch, "/Users/"+u.ID,
		patchOps(map[string]any{"op": "replace", "path": "displayName", "value": value}), reqOpts{headers: map[string]string{"If-Match": tag}})
	return err
}

func (r *rfcSteps) patchStale(alias, value string) error {
	if r.staleTag == "" {
		return errors.New("no earlier version was read (use the step \"… has been changed since its version was read\" first)")
	}
	return r.patchIfMatch(alias, value, r.staleTag)
}

func (r *rfcSteps) patchCurrent(alias, value string) error {
	_, v, err := r.currentVersion(alias)
	if err != nil {
		return err
	}
	return r.patchIfMatch(alias, value, v)
}

func (r *rfcSteps) refused412() error {
	resp, err := r.w.last()
	if err != nil {
		return err
	}
	return r.w.checkSCIMError(resp, []int{http.StatusPreconditionFailed}, nil)
}

func (r *rfcSteps) writeSucceeded() error {
	resp, err := r.w.last()
	if err != nil {
		return err
	}
	return expectStatus(resp, http.StatusOK, http.StatusNoContent)
}

func (r *rfcSteps) readIfNoneMatch(alias string, current bool) error {
	u, v, err := r.currentVersion(alias)
	if err != nil {
		return err
	}
	if !current {
		v = `W/"scimtest-not-a-version"`
	}
	r.alias = alias
	_, err = r.w.send(http.MethodGet, "/Users/"+u.ID, nil, reqOpts{loc: &u.Loc, headers: map[string]string{"If-None-Match": v}})
	return err
}

func (r *rfcSteps) readIfNoneMatchCurrent(alias string) error { return r.readIfNoneMatch(alias, true) }
func (r *rfcSteps) readIfNoneMatchOther(alias string) error   { return r.readIfNoneMatch(alias, false) }

func (r *rfcSteps) notModified() error {
	resp, err := r.w.last()
	if err != nil {
		return err
	}
	if err := expectStatus(resp, http.StatusNotModified); err != nil {
		return err
	}
	if len(strings.TrimSpace(string(resp.Body))) > 0 {
		return fmt.Errorf("a 304 must not carry a body, got %q", resp.Body)
	}
	return nil
}

func (r *rfcSteps) okWithUser() error {
	resp, err := r.w.last()
	if err != nil {
		return err
	}
	if err := expectStatus(resp, http.StatusOK); err != nil {
		return err
	}
	u, err := r.w.knownUser(r.alias)
	if err != nil {
		return err
	}
	if resp.get("id").String() != u.ID {
		return fmt.Errorf("expected the user %s, but %s", u.ID, resp.describe())
	}
	return nil
}

// etagUnsupported asks the target's ServiceProviderConfig whether it
// supports ETags; it returns why the @etag scenarios cannot run, or "".
func (rs *runState) etagUnsupported(ctx context.Context) string {
	return rs.spcUnsupported(ctx, "etag")
}

// serviceProviderConfig fetches the target's ServiceProviderConfig once
// per call, with keys lower-cased; why says what went wrong, or is "".
func (rs *runState) serviceProviderConfig(ctx context.Context) (gjson.Result, string) {
	ctx, cancel := context.WithTimeout(ctx, rs.requestTimeout())
	defer cancel()
	res, err := rs.client().R().SetContext(ctx).
		SetHeader("Accept", mediaSCIM).
		SetHeader("Authorization", "Bearer "+rs.first.APIKey).
		Get(rs.first.BaseURL + "/ServiceProviderConfig")
	if err != nil {
		return gjson.Result{}, "cannot ask ServiceProviderConfig: " + err.Error()
	}
	body := res.Body()
	if res.StatusCode() != http.StatusOK || !gjson.ValidBytes(body) {
		return gjson.Result{}, fmt.Sprintf("ServiceProviderConfig did not answer with JSON (status %d)", res.StatusCode())
	}
	norm, err := lowerKeys(body)
	if err != nil {
		return gjson.Result{}, "ServiceProviderConfig is not JSON"
	}
	return gjson.ParseBytes(norm), ""
}
