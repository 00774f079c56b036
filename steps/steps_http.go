package steps

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"github.com/xakia-okta/scimtest/mockokta"
)

// placeholder matches {alias.field} in step arguments and bodies.
var placeholder = regexp.MustCompile(`\{([A-Za-z][A-Za-z0-9]*)\.(id|userName|externalId)\}`)

// expand replaces {alias.id}, {alias.userName} and {alias.externalId}.
// Unknown aliases get namespaced values; an unknown id is an error.
func (w *World) expand(s string) (string, error) {
	var err error
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		p := placeholder.FindStringSubmatch(m)
		u := w.userFor(p[1])
		switch p[2] {
		case "id":
			if u.ID == "" {
				err = fmt.Errorf("%s: the scenario has no SCIM id for %q yet", m, p[1])
			}
			return u.ID
		case "userName":
			return u.UserName
		default:
			return u.ExternalID
		}
	})
	return out, err
}

// oktaRequest splits "GET /Users?x" into method and path, expanding
// placeholders.
func (w *World) oktaRequest(req string) (string, string, error) {
	method, path, ok := strings.Cut(strings.TrimSpace(req), " ")
	if !ok {
		return "", "", fmt.Errorf("step argument %q must read \"METHOD /path\"", req)
	}
	path, err := w.expand(path)
	return method, path, err
}

func (w *World) oktaSends(req string) error {
	method, path, err := w.oktaRequest(req)
	if err != nil {
		return err
	}
	_, err = w.send(method, path, nil, reqOpts{})
	return err
}

func (w *World) oktaSendsWithoutKey(req string) error {
	method, path, err := w.oktaRequest(req)
	if err != nil {
		return err
	}
	_, err = w.send(method, path, nil, reqOpts{noAuth: true})
	return err
}

func (w *World) oktaSendsWithKey(req, key string) error {
	method, path, err := w.oktaRequest(req)
	if err != nil {
		return err
	}
	_, err = w.send(method, path, nil, reqOpts{auth: "Bearer " + key})
	return err
}

func (w *World) oktaSendsBasic(req string) error {
	method, path, err := w.oktaRequest(req)
	if err != nil {
		return err
	}
	cred := base64.StdEncoding.EncodeToString([]byte("okta:" + w.loc.APIKey))
	_, err = w.send(method, path, nil, reqOpts{auth: "Basic " + cred})
	return err
}

func (w *World) oktaSendsOldKey(req string) error {
	if w.oldKey == "" {
		return fmt.Errorf("no API key was rotated in this scenario")
	}
	return w.oktaSendsWithKey(req, w.oldKey)
}

func (w *World) oktaSendsSecondKey(req string) error {
	if w.run.second.APIKey == "" {
		return fmt.Errorf("no second location is configured (%s)", EnvAPIKey2)
	}
	return w.oktaSendsWithKey(req, w.run.second.APIKey)
}

func (w *World) oktaSendsToSecondWithFirstKey(req string) error {
	method, path, err := w.oktaRequest(req)
	if err != nil {
		return err
	}
	second := w.run.second
	_, err = w.send(method, path, nil, reqOpts{loc: &second, auth: "Bearer " + w.run.first.APIKey})
	return err
}

func (w *World) clientSends(req string) error {
	return w.clientSendsBody(req, nil)
}

func (w *World) clientSendsBody(req string, doc *godog.DocString) error {
	return w.clientSendsWith(req, doc, reqOpts{})
}

func (w *World) clientSendsNoKeyBody(req string, doc *godog.DocString) error {
	return w.clientSendsWith(req, doc, reqOpts{noAuth: true})
}

func (w *World) clientSendsTypedBody(req, contentType string, doc *godog.DocString) error {
	return w.clientSendsWith(req, doc, reqOpts{contentType: contentType})
}

// clientSendsWith sends a request with a literal body (placeholders
// expanded), and keeps track of users it creates or writes.
func (w *World) clientSendsWith(req string, doc *godog.DocString, o reqOpts) error {
	method, path, err := w.oktaRequest(req)
	if err != nil {
		return err
	}
	var body []byte
	if doc != nil && strings.TrimSpace(doc.Content) != "" {
		s, err := w.expand(doc.Content)
		if err != nil {
			return err
		}
		body = []byte(s)
	}
	r, err := w.send(method, path, body, o)
	if err != nil {
		return err
	}
	w.track(r)
	return nil
}

// track remembers users created by a request (for cleanup) and the full
// representation returned by a write.
func (w *World) track(r *response) {
	id := r.get("id").String()
	if id == "" || !r.ValidJSON {
		return
	}
	if r.Method == http.MethodPost && r.Status == http.StatusCreated {
		un := r.get("userName").String()
		for _, u := range w.users {
			if strings.EqualFold(u.UserName, un) && u.ID == "" {
				w.adopt(u, id, r.JSON)
				return
			}
		}
		w.created = append(w.created, &user{ID: id, Loc: w.loc})
		return
	}
	if (r.Method == http.MethodPut || r.Method == http.MethodPatch) && r.Status == http.StatusOK && r.get("userName").Exists() {
		for _, u := range w.users {
			if u.ID == id && u.Loc.BaseURL == w.loc.BaseURL {
				u.Full = r.JSON
			}
		}
	}
}

func (w *World) useLocation(which string) error {
	l, ok := w.locs[which]
	if !ok {
		return fmt.Errorf("no %s location is configured", which)
	}
	w.loc = l
	return nil
}

// last returns the last response or an error when there is none.
func (w *World) last() (*response, error) {
	if w.resp == nil {
		return nil, fmt.Errorf("no request was sent yet")
	}
	return w.resp, nil
}

func (w *World) statusIs(code int) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	return expectStatus(r, code)
}

func (w *World) statusIsOneOf(a, b int) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	return expectStatus(r, a, b)
}

// Causes and citations of the ListResponse checks, shared by every step
// that judges a list.
const (
	citeListResponse = "RFC 7644 §3.4.2"
	citeOktaImport   = "docs/okta-wire.md#import"
	ruleListShape    = "a list answer is a ListResponse (schema, Resources array)"
	rulePagingInts   = "totalResults, startIndex and itemsPerPage are JSON integers"
	ruleItemsPerPage = "itemsPerPage is the number of Resources returned"
	ruleTotalAtLeast = "totalResults is at least the number of Resources returned"
)

// listResources checks only what every list reader needs: a JSON body whose
// Resources (when present) is an array. The paging fields are judged by
// checkListResponse in scenarios about them, not here.
func listResources(r *response) ([]gjson.Result, error) {
	if !r.ValidJSON {
		return nil, finding(mockokta.AuthorityRFC, citeListResponse, ruleListShape,
			"expected a ListResponse, but the body is not JSON: %s", r.describe())
	}
	res := r.get("Resources")
	if res.Exists() && !res.IsArray() {
		return nil, finding(mockokta.AuthorityRFC, citeListResponse, ruleListShape,
			"the Resources attribute is not an array: %s", r.describe())
	}
	return res.Array(), nil
}

// checkListResponse checks a ListResponse: schema and integer paging
// fields consistent with Resources. Each broken rule is its own cause.
func checkListResponse(r *response) error {
	items, err := listResources(r)
	if err != nil {
		return err
	}
	if !hasSchema(r.JSON, schemaList) {
		return finding(mockokta.AuthorityRFC, citeListResponse, ruleListShape,
			"the ListResponse lacks the schema %s: %s", schemaList, r.describe())
	}
	for _, f := range []string{"totalResults", "startIndex", "itemsPerPage"} {
		v := r.get(f)
		if !v.Exists() {
			if f == "totalResults" {
				return finding(mockokta.AuthorityRFC, citeListResponse, ruleListShape,
					"the ListResponse lacks totalResults (REQUIRED): %s", r.describe())
			}
			return finding(mockokta.AuthorityOkta, citeOktaImport, rulePagingInts,
				"the ListResponse lacks %s (Okta pages its import by startIndex and itemsPerPage): %s", f, r.describe())
		}
		if !isInteger(v) {
			return finding(mockokta.AuthorityOkta, citeOktaImport, rulePagingInts,
				"%s is %s, not a JSON integer (Okta's import breaks on strings such as \"1\"): %s", f, v.Raw, r.describe())
		}
	}
	n := len(items)
	if ipp := r.get("itemsPerPage").Int(); ipp != int64(n) {
		return finding(mockokta.AuthorityRFC, citeListResponse, ruleItemsPerPage,
			"itemsPerPage is %d but Resources holds %d items (itemsPerPage is the number returned, not the count asked for): %s", ipp, n, r.describe())
	}
	if total := r.get("totalResults").Int(); total < int64(n) {
		return finding(mockokta.AuthorityRFC, citeListResponse, ruleTotalAtLeast,
			"totalResults %d is smaller than the %d Resources returned: %s", total, n, r.describe())
	}
	return nil
}

func (w *World) isListResponse() error {
	r, err := w.last()
	if err != nil {
		return err
	}
	return checkListResponse(r)
}

// isInteger reports whether a JSON value is a number without fraction.
func isInteger(v gjson.Result) bool {
	if v.Type != gjson.Number {
		return false
	}
	_, err := strconv.ParseInt(v.Raw, 10, 64)
	return err == nil
}

// hasSchema reports whether a resource lists a schema URN.
func hasSchema(obj gjson.Result, urn string) bool {
	for _, s := range obj.Get("schemas").Array() {
		if strings.EqualFold(s.String(), urn) {
			return true
		}
	}
	return false
}

func (w *World) attrIsInteger(path string, want int) error {
	return w.attrInteger(path, fmt.Sprintf("the integer %d", want), func(n int64) bool { return n == int64(want) })
}

func (w *World) attrIsIntegerAtLeast(path string, min int) error {
	return w.attrInteger(path, fmt.Sprintf("an integer of at least %d", min), func(n int64) bool { return n >= int64(min) })
}

// attrInteger checks that the last response's path is a JSON integer for
// which ok holds; want describes the expectation in the error.
func (w *World) attrInteger(path, want string, ok func(int64) bool) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	v := r.get(path)
	if v.Exists() && !isInteger(v) && isPagingField(path) {
		// A paging field that is not an integer is the list-shape rule,
		// asserted by its own scenarios; here it only stops the check.
		return &checkError{Authority: mockokta.AuthorityOkta, Cite: citeOktaImport, Rule: rulePagingInts, Precondition: true,
			Msg: fmt.Sprintf("%s is %s, not a JSON integer: %s", path, v.Raw, r.describe())}
	}
	if !isInteger(v) || !ok(v.Int()) {
		return fmt.Errorf("expected %s to be %s, got %s: %s", path, want, orMissing(v), r.describe())
	}
	return nil
}

// isPagingField reports whether path is one of a ListResponse's paging
// fields.
func isPagingField(path string) bool {
	switch strings.ToLower(path) {
	case "totalresults", "startindex", "itemsperpage":
		return true
	}
	return false
}

func (w *World) attrIsBool(path, want string) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	v := r.get(path)
	if !v.IsBool() || strconv.FormatBool(v.Bool()) != want {
		return fmt.Errorf("expected %s to be the boolean %s, got %s: %s", path, want, orMissing(v), r.describe())
	}
	return nil
}

func (w *World) attrIs(path, want string) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	want, err = w.expand(want)
	if err != nil {
		return err
	}
	v := r.get(path)
	if v.Type != gjson.String || v.Str != want {
		return fmt.Errorf("expected %s to be %q, got %s: %s", path, want, orMissing(v), r.describe())
	}
	return nil
}

func (w *World) attrIsNot(path, want string) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	want, err = w.expand(want)
	if err != nil {
		return err
	}
	v := r.get(path)
	if !v.Exists() {
		return fmt.Errorf("expected %s in the response: %s", path, r.describe())
	}
	if v.String() == want {
		return fmt.Errorf("expected %s to differ from %q (an id must never be reused): %s", path, want, r.describe())
	}
	return nil
}

func orMissing(v gjson.Result) string {
	if !v.Exists() {
		return "nothing (missing)"
	}
	return v.Raw
}

// Causes and citations of the SCIM error checks.
const (
	citeErrors      = "RFC 7644 §3.12"
	citeXakiaErrors = "docs/behaviour.md §9"
	ruleErrorBody   = "error responses carry a SCIM error body (Error schema, status as a string)"
	ruleErrorDetail = "error bodies carry a non-empty detail"
	ruleErrorLeak   = "error bodies never leak a stack trace or a secret"
	ruleErrorType   = "error responses are JSON"
)

// checkSCIMError checks a SCIM error response (RFC 7644 §3.12). Each broken
// rule is its own cause with its own authority: the status and the error
// schema are the step's; scimType is RFC-backed for 409 uniqueness (RFC
// 7644 §3.3) and otherwise Xakia's choice (scimType is OPTIONAL); a missing
// detail is advice.
func (w *World) checkSCIMError(r *response, statuses []int, scimTypes []string) error {
	if err := expectStatus(r, statuses...); err != nil {
		return err
	}
	if err := errorBodyShape(r); err != nil {
		// The shape of error bodies is one rule with its own scenario; here
		// it only stops the check (the scenario is blocked by that finding).
		var ce *checkError
		if errors.As(err, &ce) {
			ce.Precondition = true
		}
		return err
	}
	body := string(r.Body)
	for _, leak := range []string{"goroutine ", "panic:", ".go:"} {
		if strings.Contains(body, leak) {
			return finding(mockokta.AuthorityXakia, citeXakiaErrors, ruleErrorLeak,
				"the error body leaks a stack trace (%q): %s", leak, r.describe())
		}
	}
	for _, secret := range w.run.secrets() {
		if len(secret) >= 8 && strings.Contains(body, secret) {
			return finding(mockokta.AuthorityXakia, citeXakiaErrors, ruleErrorLeak,
				"the error body of %s %s contains an API key or token", r.Method, r.Path)
		}
	}
	if len(scimTypes) > 0 {
		got := r.get("scimType").String()
		ok := false
		for _, t := range scimTypes {
			ok = ok || got == t
		}
		if !ok {
			want := strings.Join(scimTypes, " or ")
			rule := fmt.Sprintf("%s %s answers scimType %s", r.Method, pathTemplate(r.Path), want)
			if r.Status == 409 && len(scimTypes) == 1 && scimTypes[0] == "uniqueness" {
				return finding(mockokta.AuthorityRFC, "RFC 7644 §3.3", rule,
					"a conflict on userName must carry scimType \"uniqueness\", got %q: %s", got, r.describe())
			}
			if got == "" {
				// No scimType at all is one cause, wherever it shows.
				rule = "error responses carry the scimType Xakia documents"
			}
			return finding(mockokta.AuthorityXakia, citeXakiaErrors, rule,
				"expected scimType %s, got %q (scimType is OPTIONAL in RFC 7644 §3.12; this is Xakia's choice): %s", want, got, r.describe())
		}
	}
	if ct := strings.ToLower(r.Header.Get("Content-Type")); !strings.HasPrefix(ct, mediaSCIM) && !strings.HasPrefix(ct, "application/json") {
		return finding(mockokta.AuthorityAdvice, citeErrors, ruleErrorType,
			"an error body should be sent as application/scim+json, got Content-Type %q: %s", r.Header.Get("Content-Type"), r.describe())
	}
	detail := r.get("detail")
	if detail.Type != gjson.String || strings.TrimSpace(detail.Str) == "" {
		return finding(mockokta.AuthorityAdvice, "docs/okta-wire.md#timeouts-and-errors", ruleErrorDetail,
			"the error body has no detail; Okta shows the detail to the admin in its task list: %s", r.describe())
	}
	return nil
}

// errorBodyShape checks the shape of a SCIM error body (RFC 7644 §3.12): JSON
// with the Error schema and the HTTP status as a string.
func errorBodyShape(r *response) error {
	if !r.ValidJSON {
		return finding(mockokta.AuthorityRFC, citeErrors, ruleErrorBody,
			"a %d must carry a SCIM error body (JSON), but %s", r.Status, r.describe())
	}
	if !hasSchema(r.JSON, schemaError) {
		return finding(mockokta.AuthorityRFC, citeErrors, ruleErrorBody,
			"the error body lacks the schema %s: %s", schemaError, r.describe())
	}
	st := r.get("status")
	if st.Type != gjson.String || st.Str != strconv.Itoa(r.Status) {
		return finding(mockokta.AuthorityRFC, citeErrors, ruleErrorBody,
			"the error body's status must be the string %q, got %s: %s", strconv.Itoa(r.Status), orMissing(st), r.describe())
	}
	return nil
}

// isSCIMErrorBody is the scenario that owns the error-body shape rule.
func (w *World) isSCIMErrorBody() error {
	r, err := w.last()
	if err != nil {
		return err
	}
	if r.Status < 400 {
		return fmt.Errorf("expected an error response, but %s", r.describe())
	}
	return errorBodyShape(r)
}

func (w *World) isSCIMError(code int) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	return w.checkSCIMError(r, []int{code}, nil)
}

func (w *World) isSCIMErrorEither(a, b int) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	return w.checkSCIMError(r, []int{a, b}, nil)
}

func (w *World) isSCIMErrorType(code int, scimType string) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	return w.checkSCIMError(r, []int{code}, []string{scimType})
}

func (w *World) isSCIMErrorTypes(code int, list string) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	var types []string
	for _, t := range strings.Split(list, ",") {
		types = append(types, strings.TrimSpace(t))
	}
	return w.checkSCIMError(r, []int{code}, types)
}

func (w *World) hasBearerChallenge() error {
	r, err := w.last()
	if err != nil {
		return err
	}
	for _, v := range r.Header.Values("WWW-Authenticate") {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "bearer") {
			return nil
		}
	}
	return fmt.Errorf("a 401 must carry WWW-Authenticate: Bearer, got %q", r.Header.Values("WWW-Authenticate"))
}

func (w *World) isSCIMContentType() error {
	r, err := w.last()
	if err != nil {
		return err
	}
	if ct := strings.ToLower(r.Header.Get("Content-Type")); !strings.HasPrefix(ct, mediaSCIM) {
		return fmt.Errorf("responses must be application/scim+json, got Content-Type %q", r.Header.Get("Content-Type"))
	}
	return nil
}

func (w *World) arrivedWithin(ms int) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	if r.Duration.Milliseconds() > int64(ms) {
		return fmt.Errorf("the response took %d ms; Okta's SPEC test allows %d ms", r.Duration.Milliseconds(), ms)
	}
	return nil
}

func (w *World) responseHasNo(path string) error {
	r, err := w.last()
	if err != nil {
		return err
	}
	if v := r.get(path); !isEmptyValue(v) {
		return fmt.Errorf("expected no %s in the response, got %s: %s", path, v.Raw, r.describe())
	}
	return nil
}
