package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/go-resty/resty/v2"
	"github.com/tidwall/gjson"

	"github.com/xakia-okta/scimtest/internal/harnesshttp"
	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/reports"
)

// SCIM media types and schema URNs the steps send and expect.
const (
	mediaSCIM      = "application/scim+json"
	schemaUser     = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaList     = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaError    = "urn:ietf:params:scim:api:messages:2.0:Error"
	schemaPatchOp  = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	requestTimeout = 60 * time.Second // Okta's socket timeout
)

// location is a SCIM location the steps talk to.
type location struct {
	Label   string // "first", "second" or "new"
	ID      string // location id for the admin API (may be empty)
	BaseURL string
	APIKey  string
}

// user is a user a scenario created, found or expects, known by alias.
type user struct {
	Alias      string
	UserName   string
	ID         string
	ExternalID string
	Given      string
	Family     string
	Loc        location
	// Full is the last full representation seen (a write response), with
	// lower-cased keys.
	Full gjson.Result
	// Sent is the profile last sent for the user, by lower-cased path.
	Sent map[string]any
	// Password is the password last sent (it must never come back).
	Password string
	// XakiaPassword is the web sign-in password of a pre-existing member.
	XakiaPassword string
}

// response is the last HTTP response, with its JSON body normalised.
type response struct {
	Method   string
	Path     string
	Status   int
	Header   http.Header
	Body     []byte
	Duration time.Duration
	// JSON is the body with every object key lower-cased (SCIM attribute
	// names are case-insensitive); it is empty when the body is not JSON.
	JSON gjson.Result
	// ValidJSON reports whether Body is valid JSON.
	ValidJSON bool
	// RequestSize is the size of the request body sent, in bytes.
	RequestSize int
}

// get returns the value at a path, matched case-insensitively; the path
// may use SCIM's index notation (emails[0].value).
func (r *response) get(path string) gjson.Result {
	if r == nil || !r.ValidJSON {
		return gjson.Result{}
	}
	return r.JSON.Get(jsonPath(path))
}

// scimIndex matches an index in a SCIM-style attribute path ("[0]").
var scimIndex = regexp.MustCompile(`\[(\d+)\]`)

// jsonPath turns an attribute path as features write it ("emails[0].value",
// any case) into the gjson path over lower-cased keys ("emails.0.value").
func jsonPath(path string) string {
	return strings.ToLower(scimIndex.ReplaceAllString(path, ".$1"))
}

// World is the state of one scenario: its HTTP client (recording every
// exchange), the location in use, the last response and the users it knows.
type World struct {
	run      *runState
	seq      int
	scenario *godog.Scenario

	rec    *reports.Recorder
	client *resty.Client
	// ctx is the scenario's context (its deadline, the run's cancellation);
	// every request carries it.
	ctx context.Context
	// cancel ends ctx when the scenario ends.
	cancel context.CancelFunc
	// stopped is why the scenario was not run, or stopped before its end,
	// because the run was interrupted or hit its deadline ("" otherwise).
	stopped string

	loc   location
	locs  map[string]location
	resp  *response
	users map[string]*user
	order []string // user aliases, in creation order

	// created are the users to deactivate when the scenario ends.
	created []*user
	// bulk holds the ids of users created in bulk (import walk).
	bulk map[string]bool
	// oldKey is the API key a rotation replaced.
	oldKey string
	// pages are the responses of the last import walk.
	pages []*response
	// stored holds the read-backs of users (by alias) since the last write,
	// adminSeen the admin views and adminList the admin user list read
	// since then: When steps read, Then steps observe what they read.
	stored    map[string]storedRead
	adminSeen map[string]storedRead
	adminList *storedList
	// adminResp is the last admin API response.
	adminResp *response
	// firstListedID is the id of Resources[0] of the last list (SPEC step 2).
	firstListedID string

	// okta is the scenario's mock Okta (okta-crud.feature).
	okta *oktaState
	// signIn is the end of the last web sign-in (signin.feature).
	signIn *signIn
	// article is the help article's state (help-article.feature); tabs
	// are the scenario's browser windows by role, lastTab the one a
	// step used last (its page is the step's screenshot).
	article *articleState
	tabs    map[string]*tab
	lastTab *tab

	steps      []reports.Step
	cur        stepMeta // the judging context of the running step
	failed     bool
	deviations []deviationHit
}

// deviationHit records that a declared deviation behaved as declared in a
// step, and what Okta would see.
type deviationHit struct {
	ID     string
	Impact string
}

// newWorld builds the state of the scenario numbered seq.
func newWorld(rs *runState, seq int) *World {
	// The harness's one client (bodies capped, redirects never followed),
	// every exchange recorded for the HAR traces and cucumber.json.
	var rec *reports.Recorder
	client := harnesshttp.New(harnesshttp.Options{
		MaxBody: rs.cfg.maxBody(),
		Timeout: requestTimeout,
		Record: func(next http.RoundTripper) http.RoundTripper {
			rec = reports.NewRecorder(next, rs.secrets()...)
			return rec
		},
	})
	w := &World{
		ctx:    context.Background(),
		cancel: func() {},
		run:    rs,
		seq:    seq,
		rec:    rec,
		client: client,
		loc:    rs.first,
		locs:   map[string]location{"first": rs.first},
		users:  map[string]*user{},
		bulk:   map[string]bool{},
	}
	if rs.second.BaseURL != "" {
		w.locs["second"] = rs.second
	}
	return w
}

// userName returns the namespaced userName of an alias: unique per run and
// scenario, so that runs and scenarios never collide.
func (w *World) userName(alias string) string {
	return fmt.Sprintf("ct%s-s%d-%s@example.test", w.run.runID, w.seq, alias)
}

// externalID returns an Okta-shaped user id (00u + 17 alphanumerics) for an
// alias, unique per run, scenario and alias.
func (w *World) externalID(alias string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(alias))
	tail := strconv.FormatUint(uint64(h.Sum32()%2176782336), 36) // 36^6
	seq := strconv.FormatUint(uint64(w.seq%46656), 36)           // 36^3
	return "00u" + w.run.runID + pad0(seq, 3) + pad0(tail, 6)
}

// pad0 left-pads s with zeros to n characters.
func pad0(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// userFor returns the user known by alias, creating the record (not the
// SCIM user) with namespaced values on first use.
func (w *World) userFor(alias string) *user {
	if u, ok := w.users[alias]; ok {
		return u
	}
	given := "User"
	if alias != "" {
		given = strings.ToUpper(alias[:1]) + alias[1:]
	}
	u := &user{
		Alias:      alias,
		UserName:   w.userName(alias),
		ExternalID: w.externalID(alias),
		Given:      given,
		Family:     "Conformance",
		Loc:        w.loc,
	}
	w.users[alias] = u
	w.order = append(w.order, alias)
	return u
}

// knownUser returns a user the scenario already created or found.
func (w *World) knownUser(alias string) (*user, error) {
	u, ok := w.users[alias]
	if !ok || u.ID == "" {
		return nil, fmt.Errorf("the scenario has no user %q with a SCIM id (create it in an earlier step)", alias)
	}
	return u, nil
}

// reqOpts change how a request is sent.
type reqOpts struct {
	contentType string // "" means application/scim+json when there is a body
	accept      string // "" means application/scim+json
	auth        string // Authorization value; "" means Bearer <current key>
	noAuth      bool
	loc         *location
	headers     map[string]string // extra request headers (If-Match, …)
}

// send makes one request to the current location (path relative to its base
// URI, or absolute) and remembers the response.
func (w *World) send(method, path string, body []byte, o reqOpts) (*response, error) {
	loc := w.loc
	if o.loc != nil {
		loc = *o.loc
	}
	target := path
	if !strings.HasPrefix(path, "http://") && !strings.HasPrefix(path, "https://") {
		target = strings.TrimRight(loc.BaseURL, "/") + "/" + strings.TrimLeft(path, "/")
	}
	// Okta's own header set, from the mock Okta; Accept-Encoding is left to
	// Go's transport, which then also decodes a compressed answer.
	req := w.client.R()
	for k, v := range mockokta.RequestHeaders(body != nil) {
		if k != "Accept-Encoding" {
			req.SetHeader(k, v[0])
		}
	}
	if o.accept != "" {
		req.SetHeader("Accept", o.accept)
	}
	for k, v := range o.headers {
		req.SetHeader(k, v)
	}
	switch {
	case o.noAuth:
	case o.auth != "":
		req.SetHeader("Authorization", o.auth)
	default:
		req.SetHeader("Authorization", "Bearer "+loc.APIKey)
	}
	if body != nil {
		if o.contentType != "" {
			req.SetHeader("Content-Type", o.contentType)
		}
		req.SetBody(body)
	}
	req.SetContext(w.ctx)
	if method != http.MethodGet && method != http.MethodHead {
		// A write may change any user: earlier read-backs are stale.
		w.forgetReads()
	}
	start := time.Now()
	res, err := req.Execute(method, target)
	if err != nil {
		return nil, w.requestFailed(method, target, err)
	}
	r := newResponse(method, path, res.StatusCode(), res.Header(), res.Body(), time.Since(start))
	r.RequestSize = len(body)
	w.resp = r
	if isRedirect(r.Status) {
		return r, redirectFinding(method, target, r.Status, r.Header.Get("Location"))
	}
	return r, nil
}

// citeLimits backs the findings of a target that hurts the client: bodies
// too large, redirects, requests past their deadline.
const citeLimits = "docs/okta-wire.md#timeouts-and-errors"

// requestFailed turns a failed request into its finding: a body over the
// limit, a request cut by the scenario's deadline or by the run's end, or
// a plain transport failure.
func (w *World) requestFailed(method, target string, err error) error {
	var big *reports.BodyTooLargeError
	if errors.As(err, &big) {
		return &checkError{Authority: mockokta.AuthorityOkta, Cite: citeLimits,
			Rule: "response body exceeds " + reports.SizeWords(big.Limit), Msg: big.Error()}
	}
	if why := w.run.stopReason(); why != "" {
		w.stopped = why
		return fmt.Errorf("%s %s: not finished: %s", method, redactURL(target), why)
	}
	if errors.Is(w.ctx.Err(), context.DeadlineExceeded) {
		return &checkError{Authority: mockokta.AuthorityOkta, Cite: citeLimits,
			Rule: "the scenario finishes within its deadline",
			Msg: fmt.Sprintf("%s %s did not complete within the scenario's deadline (%s): %v",
				method, redactURL(target), w.run.cfg.scenarioTimeout(), err)}
	}
	return fmt.Errorf("%s %s: the request failed: %w", method, redactURL(target), err)
}

// isRedirect reports whether a status sends the client elsewhere (every
// 3xx but 304 Not Modified, which is an answer).
func isRedirect(status int) bool {
	return status >= 300 && status < 400 && status != http.StatusNotModified
}

// redirectFinding reports a 3xx answer: Okta does not follow redirects, and
// neither does the suite (the credential stays home).
func redirectFinding(method, target string, status int, where string) error {
	if where == "" {
		where = "(no Location header)"
	}
	return &checkError{Authority: mockokta.AuthorityOkta, Cite: citeLimits,
		Rule: "the SCIM base URI answers without a redirect",
		Msg: fmt.Sprintf("the SCIM base URI redirects to %s (%s %s answered %d); Okta does not follow it",
			where, method, redactURL(target), status)}
}

// newResponse builds a response and normalises its JSON body.
func newResponse(method, path string, status int, h http.Header, body []byte, d time.Duration) *response {
	r := &response{Method: method, Path: path, Status: status, Header: h, Body: body, Duration: d}
	if len(bytes.TrimSpace(body)) > 0 && gjson.ValidBytes(body) {
		if norm, err := lowerKeys(body); err == nil {
			r.JSON = gjson.ParseBytes(norm)
			r.ValidJSON = true
		}
	}
	return r
}

// lowerKeys re-encodes a JSON document with every object key lower-cased,
// keeping numbers exactly as sent (so integer/string checks stay possible).
func lowerKeys(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(lowerValue(v))
}

func lowerValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		// Keys are visited in sorted order so that a body naming one
		// attribute twice in different cases always keeps the same value.
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(map[string]any, len(t))
		for _, k := range keys {
			lk := strings.ToLower(k)
			if _, dup := out[lk]; !dup {
				out[lk] = lowerValue(t[k])
			}
		}
		return out
	case []any:
		for i := range t {
			t[i] = lowerValue(t[i])
		}
		return t
	}
	return v
}

// redactURL drops the query of a URL for error messages (filters may hold
// user names, never secrets, but keep messages short).
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Path
}

// mustJSON marshals v (used for request bodies the steps build).
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("steps: cannot encode a request body: %v", err))
	}
	return b
}

// describe summarises a response for error messages.
func (r *response) describe() string {
	if r == nil {
		return "no response"
	}
	body := string(r.Body)
	if len(body) > 300 {
		body = body[:300] + "…"
	}
	return fmt.Sprintf("%s %s answered %d %s", r.Method, r.Path, r.Status, strings.TrimSpace(body))
}

// expectStatus checks the status of a response.
func expectStatus(r *response, want ...int) error {
	for _, s := range want {
		if r.Status == s {
			return nil
		}
	}
	ws := make([]string, len(want))
	for i, s := range want {
		ws[i] = fmt.Sprint(s)
	}
	rule := fmt.Sprintf("%s %s answers %s", r.Method, pathTemplate(r.Path), strings.Join(ws, " or "))
	if len(want) == 1 && want[0] == http.StatusUnauthorized {
		// Refusing a request without a valid key is one rule, whatever the
		// endpoint.
		rule = "requests without a valid API key answer 401"
	}
	return &checkError{
		Rule: rule,
		Msg:  fmt.Sprintf("expected status %s, but %s", strings.Join(ws, " or "), r.describe()),
	}
}

// idSegment matches a path segment that is a resource id (anything after
// /Users/ or /Groups/).
var idSegment = regexp.MustCompile(`(/(?:Users|Groups)/)[^/?]+`)

// pathTemplate is a request path with ids and query values elided, so the
// same request in different scenarios names the same cause:
// "/Users/2819c223?x=1" → "/Users/{id}?x=…".
func pathTemplate(p string) string {
	path, query, hasQuery := strings.Cut(p, "?")
	path = idSegment.ReplaceAllString(path, "${1}{id}")
	if !hasQuery {
		return path
	}
	var names []string
	for _, kv := range strings.Split(query, "&") {
		k, _, _ := strings.Cut(kv, "=")
		names = append(names, k+"=…")
	}
	return path + "?" + strings.Join(names, "&")
}
