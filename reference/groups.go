package reference

import (
	"net/http"
	"strings"

	"github.com/xakia-okta/scimtest/reference/internal/filter"
	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// errGroupsNotImplemented is the answer to every Group method but the list.
var errGroupsNotImplemented = newError(http.StatusNotImplemented, "",
	"groups are not a Xakia feature: only GET /Groups (always empty) is supported")

// handleGroups serves /Groups. Groups are not a Xakia feature: GET answers an
// empty ListResponse (so Okta's Test API Credentials passes), anything else
// 501 (docs/behaviour.md ).
func (s *Server) handleGroups(w http.ResponseWriter, r *http.Request, _ store.Location) {
	if s.faults.Has(faultGroups404) {
		s.writeError(w, newError(http.StatusNotFound, "", "no such endpoint: "+r.URL.Path))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.writeError(w, errGroupsNotImplemented)
		return
	}
	q, err := query(r)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	p, err := parsePaging(q)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	if f := strings.TrimSpace(q.Get("filter")); f != "" {
		if _, err := filter.Parse(f); err != nil {
			s.writeError(w, filterError(err))
			return
		}
	}
	writeJSON(w, http.StatusOK, s.listResponse(0, p.StartIndex, nil))
}

// handleGroup serves /Groups/{id}: 501 for every method.
func (s *Server) handleGroup(w http.ResponseWriter, r *http.Request, _ store.Location) {
	s.writeError(w, errGroupsNotImplemented)
}
