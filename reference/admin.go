package reference

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// The admin API (the README's admin API table) manages locations
// and shows the Xakia-side state of users. Lists are JSON arrays; errors use
// the SCIM error shape.

// locationView is the admin representation of a location (never its key).
func (s *Server) locationView(r *http.Request, l store.Location) map[string]any {
	return map[string]any{
		"id":              l.ID,
		"name":            l.Name,
		"scimBaseUri":     SCIMBaseURI(s.origin(r), l.ID),
		"queryAttributes": l.QueryAttributes,
		"created":         l.Created.UTC().Format(time.RFC3339),
	}
}

// adminLocation loads the location named by the {id} path value.
func (s *Server) adminLocation(r *http.Request) (store.Location, error) {
	id := r.PathValue("id")
	if !validID(id) {
		return store.Location{}, newError(http.StatusNotFound, "", "location not found: a location id is made of a-z, 0-9 and '-'")
	}
	l, err := s.store.Location(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return l, newError(http.StatusNotFound, "", fmt.Sprintf("location %q not found", id))
	}
	return l, err
}

// handleAdminLocations serves GET (list) and POST (create) /admin/api/locations.
func (s *Server) handleAdminLocations(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		locs, err := s.store.Locations(r.Context())
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		out := make([]any, 0, len(locs))
		for _, l := range locs {
			out = append(out, s.locationView(r, l))
		}
		writeJSON(w, http.StatusOK, out)
	case http.MethodPost:
		body, err := s.readJSONObject(r)
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		name, ok := body["name"].(string)
		if !ok || name == "" {
			s.writeError(w, newError(http.StatusBadRequest, scimInvalidValue, "name is required and must be a non-empty string"))
			return
		}
		if err := checkLocationName(name); err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		qa, _ := body["queryAttributes"].(string)
		if _, err := normalizeQueryAttributes(qa); err != nil {
			s.writeError(w, newError(http.StatusBadRequest, scimInvalidValue, err.Error()))
			return
		}
		l, key, err := createLocation(r.Context(), s.store, name, qa)
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		out := s.locationView(r, l)
		out["apiKey"] = key
		s.log.Info("location created", "location", l.ID)
		writeJSON(w, http.StatusCreated, out)
	default:
		s.methodNotAllowed(w, r, http.MethodGet, http.MethodPost)
	}
}

// handleAdminLocation serves GET and PATCH /admin/api/locations/{id}; PATCH
// sets queryAttributes to "limited" or "full".
func (s *Server) handleAdminLocation(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		l, err := s.adminLocation(r)
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		writeJSON(w, http.StatusOK, s.locationView(r, l))
	case http.MethodPatch:
		body, err := s.readJSONObject(r)
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		l, err := s.adminLocation(r)
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		if v, present := body["queryAttributes"]; present {
			str, _ := v.(string)
			qa, err := normalizeQueryAttributes(str)
			if err != nil || str == "" {
				s.writeError(w, newError(http.StatusBadRequest, scimInvalidValue,
					fmt.Sprintf("queryAttributes must be %q or %q", QueryLimited, QueryFull)))
				return
			}
			l.QueryAttributes = qa
		}
		if v, present := body["name"]; present {
			str, _ := v.(string)
			if str == "" {
				s.writeError(w, newError(http.StatusBadRequest, scimInvalidValue, "name must be a non-empty string"))
				return
			}
			if err := checkLocationName(str); err != nil {
				s.writeError(w, s.errorFor(r, err))
				return
			}
			l.Name = strings.TrimSpace(str)
		}
		if err := s.store.UpdateLocation(r.Context(), l); err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		writeJSON(w, http.StatusOK, s.locationView(r, l))
	default:
		s.methodNotAllowed(w, r, http.MethodGet, http.MethodPatch)
	}
}

// handleAdminAPIKey serves POST /admin/api/locations/{id}/api-key: a new key,
// shown once; the old one fails at once.
func (s *Server) handleAdminAPIKey(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.methodNotAllowed(w, r, http.MethodPost)
		return
	}
	l, err := s.adminLocation(r)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	key, err := s.RotateKey(r.Context(), l.ID)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	s.log.Info("API key rotated", "location", l.ID)
	writeJSON(w, http.StatusOK, map[string]any{
		"id":          l.ID,
		"scimBaseUri": SCIMBaseURI(s.origin(r), l.ID),
		"apiKey":      key,
	})
}

// handleAdminUsers serves GET (every user, deleted ones included, with the
// Xakia state) and POST (a pre-existing member: password sign-in, no
// invitation needed) on /admin/api/locations/{id}/users.
func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		l, err := s.adminLocation(r)
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		base := SCIMBaseURI(s.origin(r), l.ID)
		if r.URL.Query().Has("count") || r.URL.Query().Has("after") {
			s.adminUsersPage(w, r, l.ID, base)
			return
		}
		out := []any{}
		var docErr error
		err = s.store.ScanUsers(r.Context(), l.ID, true, func(u store.User) bool {
			doc, err := loadDoc(u)
			if err != nil {
				docErr = err
				return false
			}
			out = append(out, s.adminUser(u, doc, base))
			return true
		})
		if err == nil {
			err = docErr
		}
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		writeJSON(w, http.StatusOK, out)
	case http.MethodPost:
		s.createMember(w, r)
	default:
		s.methodNotAllowed(w, r, http.MethodGet, http.MethodPost)
	}
}

// handleAdminUser answers GET /admin/api/locations/{id}/users/{userId}: the
// admin view of one user (deleted ones included), so a caller need not list
// the whole location to read one user.
func (s *Server) handleAdminUser(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		s.methodNotAllowed(w, r, http.MethodGet)
		return
	}
	l, err := s.adminLocation(r)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	userID := r.PathValue("userId")
	if !validID(userID) {
		s.writeAdminUser(w, r, l.ID, userID, store.User{}, store.ErrNotFound)
		return
	}
	u, err := s.store.User(r.Context(), l.ID, userID)
	s.writeAdminUser(w, r, l.ID, userID, u, err)
}

// writeAdminUser answers with the admin view of u, or with the error of the
// store call that produced it (a missing user is a 404 naming the id).
func (s *Server) writeAdminUser(w http.ResponseWriter, r *http.Request, locationID, userID string, u store.User, err error) {
	if errors.Is(err, store.ErrNotFound) {
		err = newError(http.StatusNotFound, "", fmt.Sprintf("user %q not found in location %q", userID, locationID))
	}
	var doc map[string]any
	if err == nil {
		doc, err = loadDoc(u)
	}
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	writeJSON(w, http.StatusOK, s.adminUser(u, doc, SCIMBaseURI(s.origin(r), locationID)))
}

// createMember creates a user that existed in Xakia before Okta
// (docs/behaviour.md ). The body takes SCIM attributes (userName,
// name, emails, displayName, externalId, …); schemas is optional. A
// "password" becomes the member's web sign-in password (stored hashed).
func (s *Server) createMember(w http.ResponseWriter, r *http.Request) {
	body, err := s.readJSONObject(r)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	l, err := s.adminLocation(r)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	u, doc, err := s.addMember(r.Context(), l.ID, body, false)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	writeJSON(w, http.StatusCreated, s.adminUser(u, doc, SCIMBaseURI(s.origin(r), l.ID)))
}

// addMember creates a pre-existing member (password sign-in, no invitation
// needed) of location locID from SCIM attributes; a "password" attribute
// becomes its web sign-in password and admin lets it sign in to the admin
// UI. Bad input is an *apiError and writes nothing.
func (s *Server) addMember(ctx context.Context, locID string, body map[string]any, admin bool) (store.User, map[string]any, error) {
	in, err := parseUserBody(body)
	if err == nil {
		err = s.inputLimits(in)
	}
	if err != nil {
		return store.User{}, nil, err
	}
	doc := newDoc(in)
	userName, ok := doc["userName"].(string)
	if !ok {
		return store.User{}, nil, errUserNameRequired
	}
	var hash string
	if in.Password != nil && *in.Password != "" {
		if err := checkPassword(*in.Password); err != nil {
			return store.User{}, nil, err
		}
		if hash, err = hashPassword(*in.Password); err != nil {
			return store.User{}, nil, err
		}
	}
	id, err := newUserID()
	if err != nil {
		return store.User{}, nil, err
	}
	now := nowUTC()
	u := store.User{
		LocationID:   locID,
		ID:           id,
		Invitation:   store.NotNeeded,
		SignIn:       store.SignInPassword,
		Created:      now,
		LastModified: now,
	}
	if err := s.setDoc(&u, doc); err != nil {
		return store.User{}, nil, err
	}
	u, err = s.store.CreateUser(ctx, u)
	if errors.Is(err, store.ErrConflict) {
		return store.User{}, nil, newError(http.StatusConflict, scimUniqueness,
			fmt.Sprintf("userName %q is already taken in this location", userName))
	}
	if err != nil {
		return store.User{}, nil, err
	}
	if hash != "" || admin {
		if err := s.store.SetCredential(ctx, store.Credential{LocationID: locID, UserID: u.ID, PasswordHash: hash, Admin: admin}); err != nil {
			return store.User{}, nil, err
		}
	}
	doc, err = loadDoc(u)
	if err != nil {
		return store.User{}, nil, err
	}
	s.log.Info("member added", "location", locID, "user", u.ID, "password", hash != "", "admin", admin)
	return u, doc, nil
}

// handleAdminAudit serves GET /admin/api/locations/{id}/audit: the last
// authenticated SCIM requests of the location, oldest first (kept in the
// store, shared by replicas).
func (s *Server) handleAdminAudit(w http.ResponseWriter, r *http.Request) {
	s.serveAdminRead(w, r, func(ctx context.Context, id string) (any, error) { return s.audit.entries(ctx, id) })
}

// handleAdminAuditFailures serves GET
// /admin/api/locations/{id}/audit/failures: the refused (unauthenticated)
// SCIM requests of the location, counted per source address and minute,
// oldest first, kept for 30 days.
func (s *Server) handleAdminAuditFailures(w http.ResponseWriter, r *http.Request) {
	s.serveAdminRead(w, r, func(ctx context.Context, id string) (any, error) { return s.audit.failureCounts(ctx, id) })
}

// SignInEntry is one web sign-in attempt as the admin API shows it.
type SignInEntry struct {
	Time    time.Time `json:"time"`
	Method  string    `json:"method"`
	Login   string    `json:"login"`
	UserID  string    `json:"userId,omitempty"`
	Outcome string    `json:"outcome"`
	Detail  string    `json:"detail"`
}

// handleAdminAuditSignIns serves GET
// /admin/api/locations/{id}/audit/signins: the location's last web sign-in
// attempts with their outcome, oldest first.
func (s *Server) handleAdminAuditSignIns(w http.ResponseWriter, r *http.Request) {
	s.serveAdminRead(w, r, func(ctx context.Context, id string) (any, error) {
		evs, err := s.store.SignIns(ctx, id, s.audit.size)
		if err != nil {
			return nil, err
		}
		out := make([]SignInEntry, 0, len(evs))
		for _, e := range evs {
			out = append(out, SignInEntry{Time: e.Time, Method: e.Method, Login: e.Login, UserID: e.UserID, Outcome: e.Outcome, Detail: e.Detail})
		}
		return out, nil
	})
}

// serveAdminRead answers a GET of the admin API about one location with
// what read returns for it as JSON.
func (s *Server) serveAdminRead(w http.ResponseWriter, r *http.Request, read func(ctx context.Context, locationID string) (any, error)) {
	if r.Method != http.MethodGet {
		s.methodNotAllowed(w, r, http.MethodGet)
		return
	}
	l, err := s.adminLocation(r)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	out, err := read(r.Context(), l.ID)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// maxAdminPage is the largest page of the admin users list.
const maxAdminPage = 1000

// adminUsersPage answers GET /admin/api/locations/{id}/users?count=N[&after=C]:
// at most N users (1..1000) in the order of the full list, starting after
// the cursor C of the previous page. The answer is the same JSON array as
// the full list; X-Total-Count holds the number of users (deleted ones
// included) and, when more users follow, a Link header rel="next" gives the
// URL of the next page.
func (s *Server) adminUsersPage(w http.ResponseWriter, r *http.Request, locID, base string) {
	q := r.URL.Query()
	count, err := strconv.Atoi(q.Get("count"))
	if err != nil || count < 1 || count > maxAdminPage {
		s.writeError(w, newError(http.StatusBadRequest, scimInvalidValue,
			fmt.Sprintf("count must be an integer from 1 to %d, got %q", maxAdminPage, q.Get("count"))))
		return
	}
	var after int64
	if v := q.Get("after"); v != "" {
		after, err = strconv.ParseInt(v, 10, 64)
		if err != nil || after < 1 {
			s.writeError(w, newError(http.StatusBadRequest, scimInvalidValue,
				"after must be the cursor given by the previous page's Link header, got "+strconv.Quote(v)))
			return
		}
	}
	users, total, err := s.store.ListUsers(r.Context(), locID, store.Page{AfterSeq: after, Limit: count + 1, IncludeDeleted: true})
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	more := len(users) > count
	if more {
		users = users[:count]
	}
	out := make([]any, 0, len(users))
	for _, u := range users {
		doc, err := loadDoc(u)
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		out = append(out, s.adminUser(u, doc, base))
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	if more {
		next := fmt.Sprintf("%s/admin/api/locations/%s/users?count=%d&after=%d", s.origin(r), locID, count, users[len(users)-1].Seq)
		w.Header().Set("Link", "<"+next+`>; rel="next"`)
	}
	writeJSON(w, http.StatusOK, out)
}
