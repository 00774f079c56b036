package mockokta

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeUser is a user of the fake SCIM server.
type fakeUser struct {
	ID, UserName, ExternalID, DisplayName, Locale, GivenName, FamilyName, Email, NickName string
	Active                                                                                bool
}

// fakeUserJSON renders a fakeUser with a fixed key order.
type fakeUserJSON struct {
	Schemas     []string    `json:"schemas"`
	ID          string      `json:"id"`
	ExternalID  string      `json:"externalId,omitempty"`
	UserName    string      `json:"userName,omitempty"`
	Name        *wireName   `json:"name,omitempty"`
	Emails      []wireEmail `json:"emails,omitempty"`
	DisplayName string      `json:"displayName,omitempty"`
	NickName    string      `json:"nickName,omitempty"`
	Locale      string      `json:"locale,omitempty"`
	Active      bool        `json:"active"`
	Meta        *fakeMeta   `json:"meta,omitempty"`
}

type fakeMeta struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location"`
}

// recorded is one request the fake received, as pinned by golden files.
type recorded struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   string            `json:"query"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
	Status  int               `json:"status"`
	// Inferred says why this request's shape has no public source (set by
	// the golden test, not by the fake).
	Inferred string `json:"inferred,omitempty"`

	auth     string
	respBody []byte
}

const (
	fakeKey    = "test-api-key-0123456789"
	fakePrefix = "/scim/v2/loc1"
)

// fakeSCIM is a small deterministic SCIM server for the mock's tests.
type fakeSCIM struct {
	t       testing.TB
	srv     *httptest.Server
	mu      sync.Mutex
	users   []*fakeUser
	nextID  int
	limited bool
	reqs    []recorded
	// hook, when set, may answer a request itself (returns true).
	hook func(w http.ResponseWriter, r *http.Request, body []byte) bool
}

func newFake(t testing.TB) *fakeSCIM {
	f := &fakeSCIM{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSCIM) baseURL() string { return f.srv.URL + fakePrefix }

func (f *fakeSCIM) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fakeSCIM) resetRequests() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = nil
}

func (f *fakeSCIM) add(u fakeUser) *fakeUser {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	u.ID = fmt.Sprintf("scim-%04d", f.nextID)
	f.users = append(f.users, &u)
	return &u
}

func (f *fakeSCIM) find(id string) *fakeUser {
	for _, u := range f.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func (f *fakeSCIM) render(u *fakeUser, full bool) fakeUserJSON {
	j := fakeUserJSON{Schemas: []string{schemaUser}, ID: u.ID, ExternalID: u.ExternalID, Active: u.Active}
	if full {
		j.UserName = u.UserName
		j.Name = &wireName{GivenName: u.GivenName, FamilyName: u.FamilyName}
		if u.Email != "" {
			j.Emails = []wireEmail{{Primary: true, Value: u.Email, Type: "work"}}
		}
		j.DisplayName, j.NickName, j.Locale = u.DisplayName, u.NickName, u.Locale
		j.Meta = &fakeMeta{ResourceType: "User", Location: "https://scim.example.test" + fakePrefix + "/Users/" + u.ID}
	}
	return j
}

type statusWriter struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.body = append(s.body, b...)
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (f *fakeSCIM) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Headers: map[string]string{}, auth: r.Header.Get("Authorization")}
	for k, v := range r.Header {
		if k != "Authorization" {
			rec.Headers[k] = strings.Join(v, ", ")
		}
	}
	if json.Valid(body) {
		rec.Body = json.RawMessage(body)
	} else if len(body) > 0 {
		rec.Body = marshal(string(body))
	}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		rec.Status = sw.status
		rec.respBody = sw.body
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		f.mu.Unlock()
	}()
	if f.hook != nil && f.hook(sw, r, body) {
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+fakeKey {
		writeJSON(sw, http.StatusUnauthorized, scimErr(401, "", "Invalid API key"))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, fakePrefix)
	switch {
	case path == "/Groups" && r.Method == http.MethodGet:
		writeJSON(sw, 200, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"}, "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []any{}})
	case path == "/Users" && r.Method == http.MethodGet:
		f.list(sw, r)
	case path == "/Users" && r.Method == http.MethodPost:
		var in createUserBody
		if err := json.Unmarshal(body, &in); err != nil || in.UserName == "" {
			writeJSON(sw, 400, scimErr(400, "invalidValue", "bad body"))
			return
		}
		for _, u := range f.users {
			if strings.EqualFold(u.UserName, in.UserName) {
				writeJSON(sw, 409, scimErr(409, "uniqueness", "userName "+in.UserName+" is taken"))
				return
			}
		}
		f.nextID++
		u := &fakeUser{ID: fmt.Sprintf("scim-%04d", f.nextID), UserName: in.UserName, ExternalID: in.ExternalID, DisplayName: in.DisplayName,
			Locale: in.Locale, GivenName: in.Name.GivenName, FamilyName: in.Name.FamilyName, Active: in.Active}
		if len(in.Emails) > 0 {
			u.Email = in.Emails[0].Value
		}
		f.users = append(f.users, u)
		sw.Header().Set("Location", f.srv.URL+fakePrefix+"/Users/"+u.ID)
		writeJSON(sw, 201, f.render(u, true))
	case strings.HasPrefix(path, "/Users/"):
		u := f.find(strings.TrimPrefix(path, "/Users/"))
		if u == nil {
			writeJSON(sw, 404, scimErr(404, "", "User not found"))
			return
		}
		switch r.Method {
		case http.MethodGet:
			writeJSON(sw, 200, f.render(u, !f.limited))
		case http.MethodPut:
			var in struct {
				UserName    *string     `json:"userName"`
				Name        *wireName   `json:"name"`
				Emails      []wireEmail `json:"emails"`
				DisplayName *string     `json:"displayName"`
				NickName    *string     `json:"nickName"`
				Locale      *string     `json:"locale"`
				ExternalID  *string     `json:"externalId"`
				Active      *bool       `json:"active"`
			}
			if err := json.Unmarshal(body, &in); err != nil {
				writeJSON(sw, 400, scimErr(400, "invalidSyntax", err.Error()))
				return
			}
			set := func(dst *string, src *string) {
				if src != nil {
					*dst = *src
				}
			}
			set(&u.UserName, in.UserName)
			set(&u.DisplayName, in.DisplayName)
			set(&u.NickName, in.NickName)
			set(&u.Locale, in.Locale)
			set(&u.ExternalID, in.ExternalID)
			if in.Name != nil {
				u.GivenName, u.FamilyName = in.Name.GivenName, in.Name.FamilyName
			}
			if len(in.Emails) > 0 {
				u.Email = in.Emails[0].Value
			}
			if in.Active != nil {
				u.Active = *in.Active
			}
			writeJSON(sw, 200, f.render(u, true))
		case http.MethodPatch:
			var in struct {
				Operations []struct {
					Op    string `json:"op"`
					Value struct {
						Active   *bool  `json:"active"`
						Password string `json:"password"`
					} `json:"value"`
				} `json:"Operations"`
			}
			if err := json.Unmarshal(body, &in); err != nil {
				writeJSON(sw, 400, scimErr(400, "invalidSyntax", err.Error()))
				return
			}
			for _, op := range in.Operations {
				if op.Value.Active != nil {
					u.Active = *op.Value.Active
				}
			}
			writeJSON(sw, 200, f.render(u, true))
		default:
			writeJSON(sw, 405, scimErr(405, "", "method not allowed"))
		}
	default:
		writeJSON(sw, 404, scimErr(404, "", "no such endpoint"))
	}
}

func (f *fakeSCIM) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	matched := f.users
	if filter := q.Get("filter"); filter != "" {
		const prefix = `userName eq "`
		if !strings.HasPrefix(filter, prefix) || !strings.HasSuffix(filter, `"`) {
			writeJSON(w, 400, scimErr(400, "invalidFilter", "unsupported filter"))
			return
		}
		want := strings.TrimSuffix(strings.TrimPrefix(filter, prefix), `"`)
		matched = nil
		for _, u := range f.users {
			if strings.EqualFold(u.UserName, want) {
				matched = append(matched, u)
			}
		}
	}
	start, _ := strconv.Atoi(q.Get("startIndex"))
	count, err := strconv.Atoi(q.Get("count"))
	if start < 1 {
		start = 1
	}
	if err != nil {
		count = 100
	}
	var page []fakeUserJSON
	for i := start - 1; i < len(matched) && len(page) < count; i++ {
		page = append(page, f.render(matched[i], !f.limited))
	}
	if page == nil {
		page = []fakeUserJSON{}
	}
	writeJSON(w, 200, struct {
		Schemas      []string       `json:"schemas"`
		TotalResults int            `json:"totalResults"`
		StartIndex   int            `json:"startIndex"`
		ItemsPerPage int            `json:"itemsPerPage"`
		Resources    []fakeUserJSON `json:"Resources"`
	}{[]string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"}, len(matched), start, len(page), page})
}

func scimErr(status int, scimType, detail string) map[string]any {
	m := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"}, "status": strconv.Itoa(status), "detail": detail}
	if scimType != "" {
		m["scimType"] = scimType
	}
	return m
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_, _ = w.Write(marshal(v))
}
