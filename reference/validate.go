package reference

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xakia-okta/scimtest/reference/internal/filter"
	"github.com/xakia-okta/scimtest/reference/internal/patch"
)

// The input contract: every value that may reach a store is checked here,
// at the edge, the same way for SQLite and PostgreSQL. What the edge refuses
// never touches a store, so a store error is never the answer to bad input.

// Field limits, in characters (Unicode code points). They are published in
// the Schemas endpoint (each attribute's description) and the README.
const (
	// MaxUserNameLength bounds userName.
	MaxUserNameLength = 256
	// MaxExternalIDLength bounds externalId.
	MaxExternalIDLength = 256
	// MaxNameLength bounds name.*, displayName, nickName and emails.value.
	MaxNameLength = 256
	// MaxURLLength bounds profileUrl and photos.value.
	MaxURLLength = 2048
	// MaxCertificateLength bounds x509Certificates.value (a base64 certificate).
	MaxCertificateLength = 16384
	// MaxStringLength bounds every other string attribute.
	MaxStringLength = 1024
	// MaxMultiValues bounds the number of values of a multi-valued attribute.
	MaxMultiValues = 100
	// MaxLocationNameLength bounds an admin location name.
	MaxLocationNameLength = 200
	// maxIDLength bounds a location id or user id in a path; longer ones
	// cannot exist.
	maxIDLength = 80
	// maxUserNameKeyBytes bounds the folded userName key in bytes (case
	// folding may expand a string), well below PostgreSQL's index row limit.
	maxUserNameKeyBytes = 2048
)

// stringLimit returns the length limit of the string attribute at path
// (canonical names, sub-attributes after a dot, enterprise attributes
// prefixed with the extension URN).
func stringLimit(path string) int {
	p := strings.ToLower(path)
	switch {
	case p == "username":
		return MaxUserNameLength
	case p == "externalid":
		return MaxExternalIDLength
	case strings.HasPrefix(p, "name."), p == "displayname", p == "nickname", p == "emails.value":
		return MaxNameLength
	case p == "profileurl", p == "photos.value":
		return MaxURLLength
	case p == "x509certificates.value":
		return MaxCertificateLength
	}
	return MaxStringLength
}

// identifierAttr reports whether path names an identifier, in which no
// control character at all is allowed (other strings may hold tab and line
// breaks, e.g. addresses.formatted).
func identifierAttr(path string) bool {
	switch strings.ToLower(path) {
	case "username", "externalid", "emails.value":
		return true
	}
	return false
}

// checkString applies the contract to the string value of attribute path:
// valid UTF-8, no NUL or other control character (tab, CR and LF allowed
// outside identifiers), not whitespace only. Lengths are checkLimits's.
func checkString(path, s string) error {
	if !utf8.ValidString(s) {
		return newError(http.StatusBadRequest, scimInvalidValue, fmt.Sprintf("attribute %s is not valid UTF-8", path))
	}
	ident := identifierAttr(path)
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && (ident || (r != '\t' && r != '\n' && r != '\r'))) {
			return newError(http.StatusBadRequest, scimInvalidValue,
				fmt.Sprintf("attribute %s contains the control character %U, which is not allowed", path, r))
		}
	}
	if strings.TrimSpace(s) == "" {
		return newError(http.StatusBadRequest, scimInvalidValue,
			fmt.Sprintf("attribute %s is whitespace only: send a value or null to clear it", path))
	}
	return nil
}

// checkLength applies the length limit of attribute path to s.
func checkLength(path, s string) error {
	if n, limit := utf8.RuneCountInString(s), stringLimit(path); n > limit {
		return newError(http.StatusBadRequest, scimInvalidValue,
			fmt.Sprintf("attribute %s is %d characters long; the limit is %d characters", path, n, limit))
	}
	if strings.EqualFold(path, "userName") && len(FoldUserName(s)) > maxUserNameKeyBytes {
		return newError(http.StatusBadRequest, scimInvalidValue,
			fmt.Sprintf("attribute userName is too long once case-folded; the limit is %d characters", MaxUserNameLength))
	}
	return nil
}

// checkLimits applies the length and count limits to a parsed user body
// (checkString has already refused bad characters while parsing).
func checkLimits(in userInput) error {
	for _, k := range sortedKeys(in.Core) {
		if err := checkValueLimits(k, in.Core[k]); err != nil {
			return err
		}
	}
	for _, k := range sortedKeys(in.Enterprise) {
		if err := checkValueLimits(schemaEnterprise+":"+k, in.Enterprise[k]); err != nil {
			return err
		}
	}
	return nil
}

// checkValueLimits checks one normalized value at path.
func checkValueLimits(path string, v any) error {
	switch x := v.(type) {
	case string:
		return checkLength(path, x)
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if err := checkValueLimits(path+"."+k, x[k]); err != nil {
				return err
			}
		}
	case []any:
		if len(x) > MaxMultiValues {
			return newError(http.StatusBadRequest, scimInvalidValue,
				fmt.Sprintf("attribute %s has %d values; the limit is %d values", path, len(x), MaxMultiValues))
		}
		for _, e := range x {
			if err := checkValueLimits(path, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// inputLimits applies checkLimits unless the no-body-limit fault is on: that
// fault accepts any body, and a body over 1 MiB is most easily one long value.
func (s *Server) inputLimits(in userInput) error {
	if s.faults.Has(faultNoBodyLimit) {
		return nil
	}
	return checkLimits(in)
}

// validID reports whether id (a location id or a user id taken from a path)
// is made of the fixed alphabet ids are issued in: a-z, A-Z, 0-9 and '-',
// at most maxIDLength bytes. Anything else names nothing and must not reach
// a store.
func validID(id string) bool {
	if id == "" || len(id) > maxIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// checkLocationName applies the contract to an admin location name.
func checkLocationName(name string) error {
	switch {
	case !utf8.ValidString(name):
		return newError(http.StatusBadRequest, scimInvalidValue, "name is not valid UTF-8")
	case strings.TrimSpace(name) == "":
		return newError(http.StatusBadRequest, scimInvalidValue, "name is required and must not be empty or whitespace only")
	case utf8.RuneCountInString(name) > MaxLocationNameLength:
		return newError(http.StatusBadRequest, scimInvalidValue,
			fmt.Sprintf("name is %d characters long; the limit is %d characters", utf8.RuneCountInString(name), MaxLocationNameLength))
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return newError(http.StatusBadRequest, scimInvalidValue,
				fmt.Sprintf("name contains the control character %U, which is not allowed", r))
		}
	}
	return nil
}

// credentialParams are query parameter names that carry credentials in
// other APIs. A SCIM client must send its key in the Authorization header;
// a key in a URL ends up in proxy logs and browser history.
var credentialParams = map[string]bool{
	"access_token": true, "accesstoken": true, "api_key": true, "apikey": true, "api-key": true,
	"token": true, "key": true, "auth": true, "authorization": true, "bearer": true,
	"password": true, "secret": true, "client_secret": true, "admin_token": true, "scim_api_key": true,
}

// isCredentialParam reports whether a query parameter name carries a credential.
func isCredentialParam(name string) bool {
	return credentialParams[strings.ToLower(strings.TrimSpace(name))]
}

// redactQuery returns rawQuery with the values of credential parameters
// replaced by "REDACTED"; a query that does not parse is replaced whole.
func redactQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	parts := strings.Split(rawQuery, "&")
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil || isCredentialParam(name) {
			parts[i] = k + "=REDACTED"
			if err != nil {
				return "REDACTED"
			}
		}
	}
	return strings.Join(parts, "&")
}

// checkQuery applies the contract to a request's query string: it parses
// strictly, every name and value is valid UTF-8 without control characters,
// and no credential rides in it.
func checkQuery(rawQuery string) (url.Values, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, newError(http.StatusBadRequest, scimInvalidValue, "malformed query string: "+err.Error())
	}
	return q, checkQueryValues(q)
}

// checkQueryValues is checkQuery on a parsed query string.
func checkQueryValues(q url.Values) error {
	for k, vs := range q {
		if isCredentialParam(k) {
			return newError(http.StatusBadRequest, scimInvalidValue,
				"credentials are refused in the query string (parameter "+redactName(k)+"): send Authorization: Bearer <key>")
		}
		for _, s := range append([]string{k}, vs...) {
			if !utf8.ValidString(s) {
				return newError(http.StatusBadRequest, scimInvalidValue, "query parameter "+redactName(k)+" is not valid UTF-8")
			}
			for _, r := range s {
				if unicode.IsControl(r) {
					return newError(http.StatusBadRequest, scimInvalidValue,
						fmt.Sprintf("query parameter %s contains the control character %U", redactName(k), r))
				}
			}
		}
	}
	return nil
}

// redactName quotes a parameter name for an error detail, or a placeholder
// when it is not printable.
func redactName(k string) string {
	if utf8.ValidString(k) && len(k) <= 64 && !strings.ContainsFunc(k, unicode.IsControl) {
		return fmt.Sprintf("%q", k)
	}
	return "(unprintable name)"
}

// checkPatchPaths refuses operations whose path names no attribute of the
// User schemas (RFC 7644 §3.5.2: invalidPath), before anything is applied.
// Paths that do not parse are left to the patch package, which answers
// invalidPath with the position of the error.
func checkPatchPaths(ops []patch.Operation) error {
	for _, op := range ops {
		if op.Path == "" || strings.EqualFold(op.Path, schemaUser) || strings.EqualFold(op.Path, schemaEnterprise) {
			continue
		}
		p, err := filter.ParsePath(op.Path)
		if err != nil {
			continue
		}
		if err := checkAttrPath(p); err != nil {
			return err
		}
	}
	return nil
}

// checkAttrPath checks that p names a known attribute (and sub-attribute).
func checkAttrPath(p filter.Path) error {
	unknown := func() error {
		return &patch.Error{ScimType: patch.InvalidPath,
			Detail: fmt.Sprintf("the path %q names no attribute of the User schema or its enterprise extension", p.String())}
	}
	var defs []attrDef
	switch {
	case p.Attr.InCoreSchema():
		defs = coreUserAttrs
		switch strings.ToLower(p.Attr.Name) {
		case "id", "meta", "groups", "password", "schemas":
			return nil // known; the patch rules decide about mutability
		}
	case strings.EqualFold(p.Attr.URN, schemaEnterprise):
		defs = enterpriseAttrs
	default:
		return unknown()
	}
	d, ok := findDef(defs, p.Attr.Name)
	if !ok {
		return unknown()
	}
	for _, sub := range []string{p.Attr.Sub, p.Sub} {
		if sub == "" {
			continue
		}
		if _, ok := findDef(d.Sub, sub); !ok {
			return unknown()
		}
	}
	return nil
}

// checkLookupValue applies the contract to a filter value that an indexed
// lookup hands to the store (userName, externalId or id eq "…"): a value
// no attribute could hold (a control character, written as a JSON escape
// such as \u0000 inside the filter) is a 400 invalidFilter on every store.
func checkLookupValue(v string) error {
	for _, r := range v {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return newError(http.StatusBadRequest, scimInvalidFilter,
				fmt.Sprintf("the filter value contains the character %U, which no attribute can hold", r))
		}
	}
	return nil
}
