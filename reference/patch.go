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
	if err != nil {
		s.writeError(w, patchError(err))
		return
	}
	if s.faults.Has(faultIgnoreNoPathPatch) {
		kept := ops[:0]
		for _, op := range ops {
			if op.Path != "" {
				kept = append(kept, op)
			}
		}
		ops = kept
	}
	var wasActive bool
	var userName string
	var opErr error // patch-not-atomic: the failure kept after a partial write
	u, err := s.store.UpdateUser(r.Context(), loc.ID, id, func(u *store.User) error {
		if u.Deleted || (!u.Active && s.faults.Has(faultForgetDeactivated)) {
			return notFound(id)
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
		if err != nil {
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
		s.scimWrite(u)
		u.LastModified = nowUTC()
		return s.setDoc(u, doc)
	})
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
