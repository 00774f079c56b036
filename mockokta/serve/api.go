package serve

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/mockokta/org"
)

// api is the Management API subset under /api/v1.
type api struct {
	org    *org.Org
	public string
	log    *slog.Logger
	mux    *http.ServeMux
}

func newAPI(o *org.Org, public string, log *slog.Logger) *api {
	a := &api{org: o, public: public, log: log, mux: http.NewServeMux()}
	m := a.mux
	m.HandleFunc("POST /api/v1/users", a.createUser)
	m.HandleFunc("GET /api/v1/users", a.listUsers)
	m.HandleFunc("GET /api/v1/users/{id}", a.getUser)
	m.HandleFunc("POST /api/v1/users/{id}", a.updateUser(false))
	m.HandleFunc("PUT /api/v1/users/{id}", a.updateUser(true))
	m.HandleFunc("DELETE /api/v1/users/{id}", a.deleteUser)
	m.HandleFunc("POST /api/v1/users/{id}/lifecycle/{op}", a.lifecycle)
	m.HandleFunc("GET /api/v1/apps", a.listApps)
	m.HandleFunc("GET /api/v1/apps/{appId}", a.getApp)
	m.HandleFunc("GET /api/v1/apps/{appId}/users", a.listAppUsers)
	m.HandleFunc("POST /api/v1/apps/{appId}/users", a.assignUser)
	m.HandleFunc("GET /api/v1/apps/{appId}/users/{userId}", a.getAppUser)
	m.HandleFunc("DELETE /api/v1/apps/{appId}/users/{userId}", a.unassignUser)
	m.HandleFunc("GET /api/v1/apps/{appId}/connections/default", a.getConnection)
	m.HandleFunc("POST /api/v1/apps/{appId}/connections/default", a.setConnection)
	m.HandleFunc("POST /api/v1/apps/{appId}/connections/default/lifecycle/{op}", a.connectionLifecycle)
	m.HandleFunc("GET /api/v1/apps/{appId}/features", a.listFeatures)
	m.HandleFunc("GET /api/v1/apps/{appId}/features/{name}", a.getFeature)
	m.HandleFunc("PUT /api/v1/apps/{appId}/features/{name}", a.updateFeature)
	m.HandleFunc("GET /api/v1/logs", a.listLogs)
	return a
}

// ServeHTTP checks the SSWS token, then routes.
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "SSWS") || a.org.CheckAPIToken(r.Context(), strings.TrimSpace(token)) != nil {
		writeError(w, r, http.StatusUnauthorized, "E0000011", "Invalid token provided", nil)
		return
	}
	if _, pattern := a.mux.Handler(r); pattern == "" {
		// Okta's bodies instead of the mux's plain-text 404 and 405.
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			c := r.Clone(r.Context())
			c.Method = m
			if _, p := a.mux.Handler(c); p != "" {
				writeError(w, r, http.StatusMethodNotAllowed, "E0000022", "The endpoint does not support the provided HTTP method", nil)
				return
			}
		}
		writeError(w, r, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+r.URL.Path+" (Endpoint)", nil)
		return
	}
	a.mux.ServeHTTP(w, r)
}

// oktaError is Okta's error body.
type oktaError struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

// writeError writes Okta's error body.
func writeError(w http.ResponseWriter, _ *http.Request, status int, code, summary string, causes []string) {
	e := oktaError{ErrorCode: code, ErrorSummary: summary, ErrorLink: code, ErrorID: errorID(), ErrorCauses: []errorCause{}}
	for _, c := range causes {
		e.ErrorCauses = append(e.ErrorCauses, errorCause{ErrorSummary: c})
	}
	writeJSON(w, status, e)
}

// errorID returns an Okta-shaped error id ("oae" and 22 characters).
func errorID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	out := make([]byte, 0, 25)
	out = append(out, "oae"...)
	for i := 0; i < 22; i++ {
		out = append(out, alphabet[int(b[i%16]^byte(i*31))%len(alphabet)])
	}
	return string(out)
}

// writeJSON writes v with Okta's JSON content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"errorCode":"E0000009","errorSummary":"Internal Server Error","errorLink":"E0000009","errorId":"oae0","errorCauses":[]}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// orgError maps an org error to Okta's status and error body.
func (a *api) orgError(w http.ResponseWriter, r *http.Request, err error, what, id string) {
	msg := err.Error()
	detail := func(sentinel error) string {
		return strings.TrimPrefix(strings.TrimPrefix(msg, sentinel.Error()), ": ")
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, r, http.StatusRequestEntityTooLarge, "E0000003", "The request body was not well-formed: it is larger than the limit", nil)
	case errors.Is(err, org.ErrNotFound):
		writeError(w, r, http.StatusNotFound, "E0000007", fmt.Sprintf("Not found: Resource not found: %s (%s)", id, what), nil)
	case errors.Is(err, org.ErrInvalid):
		d := detail(org.ErrInvalid)
		field, _, _ := strings.Cut(d, ":")
		writeError(w, r, http.StatusBadRequest, "E0000001", "Api validation failed: "+field, []string{d})
	case errors.Is(err, org.ErrConflict):
		d := detail(org.ErrConflict)
		field, _, _ := strings.Cut(d, ":")
		writeError(w, r, http.StatusBadRequest, "E0000001", "Api validation failed: "+field, []string{d})
	case errors.Is(err, org.ErrLifecycle):
		d := detail(org.ErrLifecycle)
		if strings.HasPrefix(d, "Activation failed") {
			writeError(w, r, http.StatusForbidden, "E0000016", d, nil)
			return
		}
		writeError(w, r, http.StatusBadRequest, "E0000001", "Api validation failed: "+d, []string{d})
	case errors.Is(err, org.ErrQueueFull):
		w.Header().Set("Retry-After", "60")
		w.Header().Set("X-Rate-Limit-Limit", "0")
		w.Header().Set("X-Rate-Limit-Remaining", "0")
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10))
		writeError(w, r, http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests: "+msg, nil)
	default:
		a.log.Error("management API", "path", r.URL.Path, "err", err)
		writeError(w, r, http.StatusInternalServerError, "E0000009", "Internal Server Error", nil)
	}
}

// readJSON decodes a JSON object body into v. An empty body decodes to
// nothing when allowEmpty.
func (a *api) readJSON(w http.ResponseWriter, r *http.Request, v any, allowEmpty bool) bool {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		a.orgError(w, r, err, "", "")
		return false
	}
	if len(bytes.TrimSpace(b)) == 0 && allowEmpty {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil || dec.More() {
		writeError(w, r, http.StatusBadRequest, "E0000003", "The request body was not well-formed.", nil)
		return false
	}
	return true
}

// paging reads limit and after.
func paging(w http.ResponseWriter, r *http.Request) (limit int, after string, ok bool) {
	q := r.URL.Query()
	after = q.Get("after")
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			writeError(w, r, http.StatusBadRequest, "E0000001", "Api validation failed: limit", []string{"limit: must be a positive number"})
			return 0, "", false
		}
		limit = n
	}
	if len(after) > 200 {
		writeError(w, r, http.StatusBadRequest, "E0000001", "Api validation failed: after", []string{"after: not a cursor"})
		return 0, "", false
	}
	return limit, after, true
}

// writeLinks writes one Link header per rel: self, and next when there is
// a next page (Okta's cursor paging).
func (a *api) writeLinks(w http.ResponseWriter, r *http.Request, next string, limit int) {
	self := a.public + r.URL.Path
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	w.Header().Add("Link", "<"+self+`>; rel="self"`)
	if next == "" {
		return
	}
	q := r.URL.Query()
	q.Set("after", next)
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	w.Header().Add("Link", "<"+a.public+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
}

// href returns a link object.
func (a *api) href(path string) map[string]any {
	return map[string]any{"href": a.public + path}
}

// oktaTime renders a timestamp as Okta does ("2024-05-01T10:00:00.000Z"),
// or null when zero.
func oktaTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// queryBool reads a boolean query parameter with a default.
func queryBool(w http.ResponseWriter, r *http.Request, name string, def bool) (bool, bool) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, true
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "E0000001", "Api validation failed: "+name, []string{name + ": must be true or false"})
		return false, false
	}
	return v, true
}

// pathID returns a path value.
func pathID(r *http.Request, name string) string { return r.PathValue(name) }
