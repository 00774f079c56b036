package reference

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// ETags (RFC 7644 §3.14, RFC 7643 §3.1): every response that carries one user
// has an ETag header equal to its meta.version, a weak tag W/"<n>" where n
// counts the user's writes. PUT, PATCH and DELETE honour If-Match (412 when
// no listed tag is the current one), GET and HEAD honour If-None-Match (304
// when one is). Tags compare weakly: W/"3" and "3" are the same version.
// The etag-off variant turns all of this off (and drops meta.version).

// versionTag is the meta.version of u, which is also its ETag.
func versionTag(u store.User) string { return fmt.Sprintf("W/%q", fmt.Sprint(u.Version)) }

// setETag sets the ETag header of an answer carrying u (none with the
// etag-off variant).
func (s *Server) setETag(w http.ResponseWriter, vs VariantSet, u store.User) {
	if vs.Has(variantETagOff) {
		return
	}
	if s.faults.Has(faultETagMismatch) {
		w.Header().Set("ETag", fmt.Sprintf("W/%q", fmt.Sprint(u.Version+1)))
		return
	}
	w.Header().Set("ETag", versionTag(u))
}

// withoutVersion drops meta.version from a full representation when the
// etag-off variant is on: a version the server does not offer as an ETag
// would contradict RFC 7643 §3.1.
func withoutVersion(vs VariantSet, out map[string]any) {
	if !vs.Has(variantETagOff) {
		return
	}
	if meta, ok := out["meta"].(map[string]any); ok {
		delete(meta, "version")
	}
}

// opaqueTag strips the weak prefix of an entity tag.
func opaqueTag(t string) string {
	t = strings.TrimSpace(t)
	if len(t) > 2 && (t[:2] == "W/" || t[:2] == "w/") {
		t = t[2:]
	}
	return t
}

// tagListMatches reports whether a comma-separated If-Match or If-None-Match
// value names the current tag ("*" names any).
func tagListMatches(header, current string) bool {
	want := opaqueTag(current)
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || (t != "" && opaqueTag(t) == want) {
			return true
		}
	}
	return false
}

// checkIfMatch answers 412 when the request's If-Match names no current
// version of u. It runs inside the write transaction, so the check and the
// write are atomic.
func (s *Server) checkIfMatch(r *http.Request, u store.User) error {
	h := r.Header.Get("If-Match")
	if h == "" || s.faults.Has(faultIgnoreIfMatch) || variantsIn(r).Has(variantETagOff) || tagListMatches(h, versionTag(u)) {
		return nil
	}
	return newError(http.StatusPreconditionFailed, "",
		fmt.Sprintf("If-Match %s does not match the current version %s of user %q: read it again and retry", h, versionTag(u), u.ID))
}

// notModified answers 304 (with the ETag and no body) and reports true when
// a GET's If-None-Match names the current version of u.
func (s *Server) notModified(w http.ResponseWriter, r *http.Request, u store.User) bool {
	h := r.Header.Get("If-None-Match")
	vs := variantsIn(r)
	if h == "" || s.faults.Has(faultIgnoreIfNoneMatch) || vs.Has(variantETagOff) || !tagListMatches(h, versionTag(u)) {
		return false
	}
	s.setETag(w, vs, u)
	w.WriteHeader(http.StatusNotModified)
	return true
}
