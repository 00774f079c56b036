package reference

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// handleUsers serves /scim/v2/{loc}/Users: GET lists, POST creates.
func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request, loc store.Location) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.listUsers(w, r, loc)
	case http.MethodPost:
		s.createUser(w, r, loc)
	default:
		s.methodNotAllowed(w, r, http.MethodGet, http.MethodPost)
	}
}

// handleUser serves /scim/v2/{loc}/Users/{id}.
func (s *Server) handleUser(w http.ResponseWriter, r *http.Request, loc store.Location) {
	if id := r.PathValue("id"); !validID(id) {
		// Ids are issued in a fixed alphabet: anything else names no user
		// and never reaches the store.
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete:
			s.writeError(w, notFound(id))
		default:
			s.methodNotAllowed(w, r, http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete)
		}
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.getUser(w, r, loc)
	case http.MethodPut:
		s.replaceUser(w, r, loc)
	case http.MethodPatch:
		s.patchUser(w, r, loc)
	case http.MethodDelete:
		s.deleteUser(w, r, loc)
	default:
		s.methodNotAllowed(w, r, http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete)
	}
}

// queryFull reports whether queries of loc return the complete user.
func (s *Server) queryFull(loc store.Location) bool {
	return loc.QueryAttributes == QueryFull || s.faults.Has(faultFullQueryAttributes)
}

// notFound is the 404 of an unknown, deleted or foreign user id.
func notFound(id string) *apiError {
	return newError(http.StatusNotFound, "", fmt.Sprintf("user %q not found in this location", id))
}

// conflict is the answer to a userName already taken in the location.
func (s *Server) conflict(userName string) *apiError {
	detail := fmt.Sprintf("userName %q is already taken in this location (userName is unique, case-insensitively)", userName)
	if s.faults.Has(faultConflictAs400) {
		return newError(http.StatusBadRequest, scimInvalidValue, detail)
	}
	return newError(http.StatusConflict, scimUniqueness, detail)
}

// requireCoreSchema checks the schemas attribute of a POST or PUT body.
func requireCoreSchema(in userInput) error {
	if !in.HasSchemas || !hasCoreSchema(in.Schemas) {
		return newError(http.StatusBadRequest, scimInvalidSyntax, "schemas must include "+schemaUser)
	}
	return nil
}

// userNameRequired is the 400 of a body without a userName.
var errUserNameRequired = newError(http.StatusBadRequest, scimInvalidValue, "userName is required and must be a non-empty string")

// readUserBody reads a POST or PUT body: a JSON object whose schemas hold the
// core User schema, with known attributes of the right types.
func (s *Server) readUserBody(r *http.Request) (userInput, error) {
	body, err := s.readJSONObject(r)
	if err != nil {
		return userInput{}, err
	}
	in, err := parseUserBody(body)
	if err == nil {
		err = s.inputLimits(in)
	}
	if err != nil {
		return userInput{}, err
	}
	return in, requireCoreSchema(in)
}

// createUser handles POST /Users (docs/behaviour.md §3, X-3.2 to ).
func (s *Server) createUser(w http.ResponseWriter, r *http.Request, loc store.Location) {
	in, err := s.readUserBody(r)
	if err == nil {
		err = s.multiValuedRules(variantsIn(r), &in, nil)
	}
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	doc := newDoc(in)
	if _, ok := doc["userName"].(string); !ok {
		s.writeError(w, errUserNameRequired)
		return
	}
	if s.faults.Has(faultReturnsPassword) && in.Password != nil {
		doc["password"] = *in.Password
	}
	id, err := newUserID()
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	now := nowUTC()
	u := store.User{
		LocationID:   loc.ID,
		ID:           id,
		Invitation:   store.NotInvited,
		SignIn:       store.SignInOkta,
		Created:      now,
		LastModified: now,
	}
	if s.faults.Has(faultAutoInvite) {
		u.Invitation = store.Invited
	}
	if err := s.setDoc(&u, doc); err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	userName := u.UserName
	u, err = s.store.CreateUser(r.Context(), u)
	if errors.Is(err, store.ErrConflict) {
		s.writeError(w, s.conflict(userName))
		return
	}
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	s.writeUser(w, r, loc, u, http.StatusCreated)
}

// writeUser writes the full representation of u, narrowed by the request's
// attributes/excludedAttributes, with its ETag. For a creation it adds the
// Location header (equal to meta.location). With the extensions-etag variant
// the user carries the enterprise extension too.
func (s *Server) writeUser(w http.ResponseWriter, r *http.Request, loc store.Location, u store.User, status int) {
	doc, err := loadDoc(u)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	base := SCIMBaseURI(s.origin(r), loc.ID)
	vs := variantsIn(r)
	out := fullUser(u, doc, base)
	decorateUser(vs, u, out)
	withoutVersion(vs, out)
	out = s.selection(r).apply(out)
	s.setETag(w, vs, u)
	if status == http.StatusCreated {
		if !s.faults.Has(faultNoLocationHeader) {
			w.Header().Set("Location", base+"/Users/"+u.ID)
		}
		if s.faults.Has(faultCreateReturns200) {
			status = http.StatusOK
		}
	}
	writeJSON(w, status, out)
}

// visibleUser loads a user for SCIM: deleted users and ids of other
// locations are not found; with forget-deactivated, inactive users neither.
func (s *Server) visibleUser(ctx context.Context, loc store.Location, id string) (store.User, error) {
	var u store.User
	var err error
	if pu, found, ok := prefetchedUser(ctx, store.UserLookup{ID: id}); !ok {
		u, err = s.store.User(ctx, loc.ID, id)
	} else if found {
		u = pu
	} else {
		err = store.ErrNotFound
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.User{}, err
	}
	if err != nil || u.Deleted {
		return store.User{}, notFound(id)
	}
	if !u.Active && s.faults.Has(faultForgetDeactivated) {
		return store.User{}, notFound(id)
	}
	return u, nil
}

// getUser handles GET /Users/{id}: limited or full per the location.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request, loc store.Location) {
	id := r.PathValue("id")
	u, err := s.visibleUser(r.Context(), loc, id)
	if err != nil && s.faults.Has(faultCrossLocationIDs) {
		if other, ok := s.userInAnyLocation(r.Context(), id); ok {
			u, err = other, nil
		}
	}
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	if s.notModified(w, r, u) {
		return
	}
	if !s.queryFull(loc) {
		s.setETag(w, variantsIn(r), u)
		writeJSON(w, http.StatusOK, s.selection(r).apply(limitedUser(u)))
		return
	}
	s.writeUser(w, r, loc, u, http.StatusOK)
}

// selection is the request's attributes/excludedAttributes selection (none
// with the ignore-attributes-param fault). A malformed query string selects
// nothing here; the list handler answers it with a 400.
func (s *Server) selection(r *http.Request) attrSelection {
	if s.faults.Has(faultIgnoreAttributes) {
		return attrSelection{}
	}
	q, err := queryValues(r)
	if err != nil {
		return attrSelection{}
	}
	return parseAttrSelection(q)
}

// userInAnyLocation finds a non-deleted user by id in every location; only
// used by the cross-location-ids fault.
func (s *Server) userInAnyLocation(ctx context.Context, id string) (store.User, bool) {
	locs, err := s.store.Locations(ctx)
	if err != nil {
		return store.User{}, false
	}
	for _, l := range locs {
		if u, err := s.store.User(ctx, l.ID, id); err == nil && !u.Deleted {
			return u, true
		}
	}
	return store.User{}, false
}

// scimWrite applies the Xakia rules of a SCIM write to the Xakia-side state
// (docs/behaviour.md ): a pre-existing password user switches to Okta
// sign-in and keeps needing no invitation.
func (s *Server) scimWrite(u *store.User) {
	if u.SignIn == store.SignInPassword {
		u.SignIn = store.SignInOkta
		if s.faults.Has(faultReinviteExisting) {
			u.Invitation = store.NotInvited
		}
	}
}

// replaceUser handles PUT /Users/{id} (docs/behaviour.md ). With the
// full-replace-put variant (or the put-clears-absent fault) absent attributes
// are cleared; active, when absent, keeps its value either way.
func (s *Server) replaceUser(w http.ResponseWriter, r *http.Request, loc store.Location) {
	id := r.PathValue("id")
	vs := variantsIn(r)
	in, err := s.readUserBody(r)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	if un, _ := in.Core["userName"].(string); un == "" {
		s.writeError(w, errUserNameRequired)
		return
	}
	var wasActive bool
	u, err := s.store.UpdateUser(r.Context(), loc.ID, id, func(u *store.User) error {
		if u.Deleted || (!u.Active && s.faults.Has(faultForgetDeactivated)) {
			return notFound(id)
		}
		if err := s.checkIfMatch(r, *u); err != nil {
			return err
		}
		wasActive = u.Active
		stored, err := loadDoc(*u)
		if err != nil {
			return err
		}
		if err := s.multiValuedRules(variantsIn(r), &in, stored); err != nil {
			return err
		}
		var doc map[string]any
		if s.faults.Has(faultPutClearsAbsent) || vs.Has(variantFullReplacePut) {
			doc = newDoc(in)
			if in.Core["active"] == nil {
				doc["active"] = u.Active
			}
		} else {
			if s.faults.Has(faultKeepClearedValues) {
				// Attributes sent empty are treated as absent: kept.
				for k, v := range in.Core {
					if v == nil {
						delete(in.Core, k)
					}
				}
			}
			doc = mergeDoc(stored, in)
		}
		deriveDisplayName(vs, stored, doc)
		if s.faults.Has(faultReturnsPassword) && in.Password != nil {
			doc["password"] = *in.Password
		}
		s.scimWrite(u)
		u.LastModified = nowUTC()
		return s.setDoc(u, doc)
	})
	s.finishWrite(w, r, loc, u, err, wasActive, in.Core["userName"].(string))
}

// finishWrite answers a PUT or PATCH: errors, the new-id-on-reactivate
// fault, then 200 with the full user (a PATCH: 204 without a body with the
// patch-204 variant).
func (s *Server) finishWrite(w http.ResponseWriter, r *http.Request, loc store.Location, u store.User, err error, wasActive bool, userName string) {
	if errors.Is(err, store.ErrNotFound) {
		err = notFound(r.PathValue("id"))
	}
	if errors.Is(err, store.ErrConflict) {
		s.writeError(w, s.conflict(userName))
		return
	}
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	if !wasActive && u.Active && s.faults.Has(faultNewIDOnReactivate) {
		if u, err = s.reissueID(r.Context(), u); err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
	}
	if r.Method == http.MethodPatch && variantsIn(r).Has(variantPatch204) {
		s.setETag(w, variantsIn(r), u)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.writeUser(w, r, loc, u, http.StatusOK)
}

// reissueID implements the new-id-on-reactivate fault: the user row is
// marked deleted and a copy is created under a fresh id.
func (s *Server) reissueID(ctx context.Context, u store.User) (store.User, error) {
	if _, err := s.store.UpdateUser(ctx, u.LocationID, u.ID, func(x *store.User) error {
		x.Deleted = true
		return nil
	}); err != nil {
		return store.User{}, err
	}
	id, err := newUserID()
	if err != nil {
		return store.User{}, err
	}
	n := u
	n.ID = id
	n.Created, n.LastModified = time.Time{}, time.Time{}
	return s.store.CreateUser(ctx, n)
}

// deleteUser handles DELETE /Users/{id}: 204, then the id is 404 for SCIM
// and the userName is free, while the admin view keeps the record inactive.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, loc store.Location) {
	id := r.PathValue("id")
	_, err := s.store.UpdateUser(r.Context(), loc.ID, id, func(u *store.User) error {
		if u.Deleted {
			return notFound(id)
		}
		if err := s.checkIfMatch(r, *u); err != nil {
			return err
		}
		doc, err := loadDoc(*u)
		if err != nil {
			return err
		}
		doc["active"] = false
		u.Deleted = true
		u.LastModified = nowUTC()
		return s.setDoc(u, doc)
	})
	if errors.Is(err, store.ErrNotFound) {
		err = notFound(id)
	}
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
