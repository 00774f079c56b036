package reference

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// SCIM URNs used in bodies.
const (
	schemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaGroup      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	schemaError      = "urn:ietf:params:scim:api:messages:2.0:Error"
	schemaList       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaSPC        = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	schemaRT         = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaSchema     = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// SCIM error types (RFC 7644 §3.12) used by the reference.
const (
	scimInvalidSyntax = "invalidSyntax"
	scimInvalidValue  = "invalidValue"
	scimInvalidFilter = "invalidFilter"
	scimUniqueness    = "uniqueness"
)

// contentTypeSCIM is the media type of every response body (unless the
// json-content-type variant is on).
const contentTypeSCIM = "application/scim+json"

// apiError is an HTTP error with a SCIM error type, returned by handlers and
// written as a SCIM error body.
type apiError struct {
	Status     int
	ScimType   string
	Detail     string
	RetryAfter int // seconds; sent as Retry-After when > 0
}

func (e *apiError) Error() string { return e.Detail }

// newError builds an apiError.
func newError(status int, scimType, detail string) *apiError {
	return &apiError{Status: status, ScimType: scimType, Detail: detail}
}

// writeJSON writes v as a SCIM JSON body with the given status, as
// application/scim+json (application/json with the json-content-type
// variant bound to w).
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"schemas":["` + schemaError + `"],"status":"500","detail":"internal error: cannot encode the response"}`)
	}
	w.Header().Set("Content-Type", contentTypeFor(variantsOf(w)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError writes a SCIM error body (docs/behaviour.md ). With the
// no-error-schema fault the body lacks the schemas and its status is a number.
// The variants bound to w decide the scimType (see errorScimType).
func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	scimType := errorScimType(variantsOf(w), e)
	if e.Status == http.StatusUnauthorized && !s.faults.Has(faultNoWWWAuthenticate) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="xakia-scim"`)
	}
	if s.faults.Has(faultNoErrorSchema) {
		body := map[string]any{"status": e.Status, "detail": e.Detail}
		if scimType != "" {
			body["scimType"] = scimType
		}
		writeJSON(w, e.Status, body)
		return
	}
	body := map[string]any{
		"schemas": []string{schemaError},
		"status":  strconv.Itoa(e.Status),
		"detail":  e.Detail,
	}
	if scimType != "" {
		body["scimType"] = scimType
	}
	writeJSON(w, e.Status, body)
}
