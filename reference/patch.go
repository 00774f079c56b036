package reference

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/xakia-okta/scimtest/reference/internal/patch"
	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// patchUser handles PATCH /Users/{id}: the operations apply atomically (all
// or none) and the answer is 200 with the full user. Okta's deactivation is
// a no-path replace of {"active": false}.
func (s *Server) patchUser(w http.ResponseWriter, r *http.Request, loc store.Location) {
	id := r.PathValue("id")
	raw, err := s.readBody(r)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	if !json.Valid(raw) {
		s.writeError(w, s.badJSON("malformed JSON body"))
		return
	}
	ops, err := patch.ParseRequest(raw)
	if err == nil && !s.faults.Has(faultPatchNotAtomic) {
		// Checked before anything applies (with patch-not-atomic, per
		// operation below, so that earlier operations stay applied).
		err = checkPatchPaths(ops)
	}
	if err != nil {
		s.writeError(w, patchError(err))
		return
	}
	if s.faults.Has(faultIgnoreNoPathPatch) || s.faults.Has(faultKeepClearedValues) {
		kept := ops[:0]
		for _, op := range ops {
			switch {
			case op.Path == "" && s.faults.Has(faultIgnoreNoPathPatch):
			case op.Op == "remove" && op.Path != "" && s.faults.Has(faultKeepClearedValues):
			default:
				kept = append(kept, op)
			}
		}
		ops = kept
	}
	var wasActive bool
	var userName string
	var opErr error // patch-not-atomic: the failure kept after a partial write
	var unchanged store.User
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
		resource := deepCopy(stored).(map[string]any)
		resource["id"] = u.ID
		resource["schemas"] = userSchemas(stored)
		var result map[string]any
		if s.faults.Has(faultPatchNotAtomic) {
			result = resource
			for _, op := range ops {
				if err := checkPatchPaths([]patch.Operation{op}); err != nil {
					opErr = err
					break
				}
				next, err := patch.Apply(result, []patch.Operation{op})
				if err != nil {
					opErr = err
					break
				}
				result = next
			}
		} else {
			result, err = patch.Apply(resource, ops)
			if err != nil {
				return err
			}
		}
		in, err := parseUserBody(result)
		if err == nil {
			err = s.inputLimits(in)
		}
		if err != nil {
			return err
		}
		if err := s.multiValuedRules(variantsIn(r), &in, stored); err != nil {
			return err
		}
		doc := newDoc(in)
		if _, ok := doc["userName"].(string); !ok {
			return errUserNameRequired
		}
		userName = doc["userName"].(string)
		deriveDisplayName(variantsIn(r), stored, doc)
		if _, ok := doc["active"]; !ok {
			doc["active"] = u.Active
		}
		if pw, ok := stored["password"]; ok && s.faults.Has(faultReturnsPassword) {
			doc["password"] = pw
		}
		if s.faults.Has(faultReturnsPassword) && in.Password != nil {
			doc["password"] = *in.Password
		}
		if s.unchangedBy(*u, stored, doc) {
			unchanged = *u
			return errNoChange
		}
		s.scimWrite(u)
		u.LastModified = nowUTC()
		return s.setDoc(u, doc)
	})
	if errors.Is(err, errNoChange) {
		u, err = unchanged, nil
	}
	var pe *patch.Error
	if errors.As(err, &pe) {
		s.writeError(w, patchError(err))
		return
	}
	if err == nil && opErr != nil {
		s.writeError(w, patchError(opErr))
		return
	}
	s.finishWrite(w, r, loc, u, err, wasActive, userName)
}

// errNoChange aborts the write transaction of a PATCH that changes nothing.
var errNoChange = errors.New("the PATCH changes nothing")

// unchangedBy reports whether writing doc would leave u exactly as it is
// (RFC 7644 §3.5.2: a value already present SHALL NOT change the modify
// timestamp): the same SCIM document and no Xakia-side change (the first
// SCIM write converting a pre-existing password user is a change). Such a
// PATCH answers 200 with the user as stored, same meta.version and
// meta.lastModified, and writes nothing.
func (s *Server) unchangedBy(u store.User, stored, doc map[string]any) bool {
	if s.faults.Has(faultNoopPatchBumps) || u.SignIn == store.SignInPassword {
		return false
	}
	withActive := doc
	if _, ok := doc["active"].(bool); !ok {
		withActive = deepCopy(doc).(map[string]any)
		withActive["active"] = true
	}
	return sameJSON(stored, withActive)
}

// userSchemas lists the schemas of a stored document.
func userSchemas(doc map[string]any) []any {
	out := []any{schemaUser}
	if _, ok := doc[schemaEnterprise]; ok {
		out = append(out, schemaEnterprise)
	}
	return out
}

// patchError maps a patch package error to a 400 with its scimType.
func patchError(err error) *apiError {
	var pe *patch.Error
	if errors.As(err, &pe) {
		return newError(http.StatusBadRequest, pe.ScimType, pe.Detail)
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return newError(http.StatusBadRequest, scimInvalidValue, err.Error())
}
