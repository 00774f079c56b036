package reference

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// onlyGet answers 405 for methods other than GET and HEAD and reports
// whether the request may proceed.
func (s *Server) onlyGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	s.methodNotAllowed(w, r, http.MethodGet)
	return false
}

// handleServiceProviderConfig describes what the reference really supports
// (RFC 7643 §5): PATCH, filters and ETags yes; bulk, sort and password
// change no.
func (s *Server) handleServiceProviderConfig(w http.ResponseWriter, r *http.Request, loc store.Location) {
	if !s.onlyGet(w, r) {
		return
	}
	base := SCIMBaseURI(s.origin(r), loc.ID)
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":          []string{schemaSPC},
		"documentationUri": "https://github.com/xakia-okta/scimtest",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": maxCount},
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": false},
		"etag":             map[string]any{"supported": !variantsIn(r).Has(variantETagOff)},
		"authenticationSchemes": []any{map[string]any{
			"type":        "oauthbearertoken",
			"name":        "SCIM API Key",
			"description": "The location's SCIM API key sent as Authorization: Bearer <key>.",
			"primary":     true,
		}},
		"meta": map[string]any{
			"resourceType": "ServiceProviderConfig",
			"location":     base + "/ServiceProviderConfig",
		},
	})
}

// userResourceType is the User resource type of a location.
func userResourceType(base string) map[string]any {
	return map[string]any{
		"schemas":     []string{schemaRT},
		"id":          "User",
		"name":        "User",
		"endpoint":    "/Users",
		"description": "A member of the Xakia location",
		"schema":      schemaUser,
		"schemaExtensions": []any{map[string]any{
			"schema":   schemaEnterprise,
			"required": false,
		}},
		"meta": map[string]any{
			"resourceType": "ResourceType",
			"location":     base + "/ResourceTypes/User",
		},
	}
}

// handleResourceTypes lists the resource types: only User (groups are not a
// Xakia feature).
func (s *Server) handleResourceTypes(w http.ResponseWriter, r *http.Request, loc store.Location) {
	if !s.onlyGet(w, r) {
		return
	}
	base := SCIMBaseURI(s.origin(r), loc.ID)
	writeJSON(w, http.StatusOK, s.listResponse(1, 1, []any{userResourceType(base)}))
}

// handleResourceType answers one resource type by id.
func (s *Server) handleResourceType(w http.ResponseWriter, r *http.Request, loc store.Location) {
	if !s.onlyGet(w, r) {
		return
	}
	if !strings.EqualFold(r.PathValue("id"), "User") {
		s.writeError(w, newError(http.StatusNotFound, "", "no resource type "+r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, userResourceType(SCIMBaseURI(s.origin(r), loc.ID)))
}

// schemaAttributes describes attribute definitions in RFC 7643 §7 form.
// prefix is the path of the parent attribute ("" at the top, "emails." for
// sub-attributes); the description of a string states its length limit.
func schemaAttributes(defs []attrDef, prefix string) []any {
	out := make([]any, 0, len(defs))
	for _, d := range defs {
		desc := d.Description
		switch d.Kind {
		case kindString:
			desc += fmt.Sprintf(" At most %d characters; no control characters; not whitespace only.", stringLimit(prefix+d.Name))
		case kindMulti:
			desc += fmt.Sprintf(" At most %d values.", MaxMultiValues)
		}
		a := map[string]any{
			"name":        d.Name,
			"description": desc,
			"multiValued": d.Kind == kindMulti,
			"required":    d.Name == "userName",
			"caseExact":   d.Name == "externalId" || d.Name == "id",
			"mutability":  "readWrite",
			"returned":    "default",
			"uniqueness":  "none",
		}
		switch d.Kind {
		case kindString:
			a["type"] = "string"
		case kindBool:
			a["type"] = "boolean"
		default:
			a["type"] = "complex"
			a["subAttributes"] = schemaAttributes(d.Sub, prefix+d.Name+".")
		}
		if d.Name == "userName" {
			a["uniqueness"] = "server"
		}
		out = append(out, a)
	}
	return out
}

// schemaDocs are the schemas the reference serves.
func schemaDocs(base string) []any {
	pw := map[string]any{
		"name": "password", "type": "string", "multiValued": false, "required": false,
		"caseExact": false, "mutability": "writeOnly", "returned": "never", "uniqueness": "none",
		"description": "Accepted and never stored or returned.",
	}
	groups := map[string]any{
		"name": "groups", "type": "complex", "multiValued": true, "required": false,
		"caseExact": false, "mutability": "readOnly", "returned": "default", "uniqueness": "none",
		"description": "Groups are not a Xakia feature; always absent.",
	}
	user := append(schemaAttributes(coreUserAttrs, ""), pw, groups)
	return []any{
		map[string]any{
			"schemas":     []string{schemaSchema},
			"id":          schemaUser,
			"name":        "User",
			"description": "User account; in limited locations queries return only id, active and externalId",
			"attributes":  user,
			"meta":        map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + schemaUser},
		},
		map[string]any{
			"schemas":     []string{schemaSchema},
			"id":          schemaEnterprise,
			"name":        "EnterpriseUser",
			"description": "Enterprise User extension",
			"attributes":  schemaAttributes(enterpriseAttrs, schemaEnterprise+":"),
			"meta":        map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + schemaEnterprise},
		},
	}
}

// handleSchemas lists the User and enterprise User schemas.
func (s *Server) handleSchemas(w http.ResponseWriter, r *http.Request, loc store.Location) {
	if !s.onlyGet(w, r) {
		return
	}
	docs := schemaDocs(SCIMBaseURI(s.origin(r), loc.ID))
	writeJSON(w, http.StatusOK, s.listResponse(len(docs), 1, docs))
}

// handleSchema answers one schema by URN.
func (s *Server) handleSchema(w http.ResponseWriter, r *http.Request, loc store.Location) {
	if !s.onlyGet(w, r) {
		return
	}
	id := r.PathValue("id")
	for _, d := range schemaDocs(SCIMBaseURI(s.origin(r), loc.ID)) {
		if strings.EqualFold(d.(map[string]any)["id"].(string), id) {
			writeJSON(w, http.StatusOK, d)
			return
		}
	}
	s.writeError(w, newError(http.StatusNotFound, "", "no schema "+id))
}
