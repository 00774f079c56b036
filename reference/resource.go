package reference

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// attrKind is the JSON shape of a known SCIM attribute.
type attrKind int

const (
	kindString  attrKind = iota // a JSON string
	kindBool                    // a JSON boolean ("true"/"false" strings are accepted)
	kindComplex                 // a JSON object of sub-attributes
	kindMulti                   // a JSON array of objects of sub-attributes
)

// attrDef describes one known attribute: its canonical name, its kind and,
// for complex and multi-valued ones, its sub-attributes.
type attrDef struct {
	Name        string
	Kind        attrKind
	Sub         []attrDef
	Description string
}

// Sub-attributes shared by the multi-valued attributes (RFC 7643 §2.4).
var (
	multiSub = []attrDef{
		{Name: "value", Kind: kindString, Description: "The attribute's value."},
		{Name: "display", Kind: kindString, Description: "A human-readable name."},
		{Name: "type", Kind: kindString, Description: "A label indicating the attribute's function, e.g. work."},
		{Name: "primary", Kind: kindBool, Description: "Whether this is the preferred value."},
	}
	addressSub = []attrDef{
		{Name: "formatted", Kind: kindString, Description: "The full mailing address."},
		{Name: "streetAddress", Kind: kindString, Description: "The street address."},
		{Name: "locality", Kind: kindString, Description: "The city or locality."},
		{Name: "region", Kind: kindString, Description: "The state or region."},
		{Name: "postalCode", Kind: kindString, Description: "The zip code or postal code."},
		{Name: "country", Kind: kindString, Description: "The country."},
		{Name: "type", Kind: kindString, Description: "A label, e.g. work or home."},
		{Name: "primary", Kind: kindBool, Description: "Whether this is the preferred address."},
	}
	// coreUserAttrs are the writable attributes of the core User schema that
	// the reference stores (id, meta, groups and password are handled apart).
	coreUserAttrs = []attrDef{
		{Name: "userName", Kind: kindString, Description: "Unique identifier for the User, unique per location, case-insensitive. REQUIRED."},
		{Name: "externalId", Kind: kindString, Description: "Identifier of the User in the provisioning client (Okta's user id)."},
		{Name: "name", Kind: kindComplex, Description: "The components of the user's name.", Sub: []attrDef{
			{Name: "formatted", Kind: kindString, Description: "The full name."},
			{Name: "familyName", Kind: kindString, Description: "The family name."},
			{Name: "givenName", Kind: kindString, Description: "The given name."},
			{Name: "middleName", Kind: kindString, Description: "The middle name."},
			{Name: "honorificPrefix", Kind: kindString, Description: "The honorific prefix."},
			{Name: "honorificSuffix", Kind: kindString, Description: "The honorific suffix."},
		}},
		{Name: "displayName", Kind: kindString, Description: "The name displayed to end-users."},
		{Name: "nickName", Kind: kindString, Description: "The casual name."},
		{Name: "profileUrl", Kind: kindString, Description: "A URI of the user's online profile."},
		{Name: "title", Kind: kindString, Description: "The user's title."},
		{Name: "userType", Kind: kindString, Description: "The relationship to the organization."},
		{Name: "preferredLanguage", Kind: kindString, Description: "The preferred written or spoken language."},
		{Name: "locale", Kind: kindString, Description: "The default location, e.g. en-US."},
		{Name: "timezone", Kind: kindString, Description: "The time zone, e.g. Europe/Paris."},
		{Name: "active", Kind: kindBool, Description: "Whether the user is active; inactive users cannot sign in."},
		{Name: "emails", Kind: kindMulti, Sub: multiSub, Description: "Email addresses."},
		{Name: "phoneNumbers", Kind: kindMulti, Sub: multiSub, Description: "Phone numbers."},
		{Name: "ims", Kind: kindMulti, Sub: multiSub, Description: "Instant messaging addresses."},
		{Name: "photos", Kind: kindMulti, Sub: multiSub, Description: "URLs of photos."},
		{Name: "addresses", Kind: kindMulti, Sub: addressSub, Description: "Physical mailing addresses."},
		{Name: "entitlements", Kind: kindMulti, Sub: multiSub, Description: "Entitlements."},
		{Name: "roles", Kind: kindMulti, Sub: multiSub, Description: "Roles."},
		{Name: "x509Certificates", Kind: kindMulti, Sub: multiSub, Description: "X.509 certificates."},
	}
	// enterpriseAttrs are the attributes of the enterprise User extension.
	enterpriseAttrs = []attrDef{
		{Name: "employeeNumber", Kind: kindString, Description: "Numeric or alphanumeric identifier assigned to a person."},
		{Name: "costCenter", Kind: kindString, Description: "The cost center."},
		{Name: "organization", Kind: kindString, Description: "The organization."},
		{Name: "division", Kind: kindString, Description: "The division."},
		{Name: "department", Kind: kindString, Description: "The department."},
		{Name: "manager", Kind: kindComplex, Description: "The user's manager.", Sub: []attrDef{
			{Name: "value", Kind: kindString, Description: "The id of the manager."},
			{Name: "$ref", Kind: kindString, Description: "The URI of the manager."},
			{Name: "displayName", Kind: kindString, Description: "The manager's display name."},
		}},
	}
)

// findDef finds a definition by case-insensitive name (RFC 7643 §2.1).
func findDef(defs []attrDef, name string) (attrDef, bool) {
	for _, d := range defs {
		if strings.EqualFold(d.Name, name) {
			return d, true
		}
	}
	return attrDef{}, false
}

// userInput is a parsed user body: every known attribute it mentions with its
// normalized value, where nil means "sent empty: clear it".
type userInput struct {
	Core           map[string]any // canonical core attribute → value or nil
	Enterprise     map[string]any // canonical enterprise attribute → value or nil
	EnterpriseNull bool           // the extension object itself was null
	Schemas        []string       // the schemas attribute as sent
	HasSchemas     bool
	Password       *string // write-only; never stored
}

// sortedKeys returns the keys of m in a stable order so that a body naming one
// attribute twice in different cases gives the same result every time.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// parseUserBody normalizes a decoded user body: canonical attribute names,
// checked types, unknown attributes dropped, empty values marked for clearing.
// A wrong type for a known attribute is a 400 invalidValue naming it.
func parseUserBody(body map[string]any) (userInput, error) {
	in := userInput{Core: map[string]any{}, Enterprise: map[string]any{}}
	for _, k := range sortedKeys(body) {
		v := body[k]
		switch {
		case strings.EqualFold(k, "schemas"):
			in.HasSchemas = true
			list, ok := v.([]any)
			if !ok {
				return in, newError(400, scimInvalidSyntax, "schemas must be an array of schema URNs")
			}
			for _, x := range list {
				s, ok := x.(string)
				if !ok {
					return in, newError(400, scimInvalidSyntax, "schemas must be an array of schema URNs")
				}
				in.Schemas = append(in.Schemas, s)
			}
		case strings.EqualFold(k, "password"):
			if s, ok := v.(string); ok {
				in.Password = &s
			} else if v != nil {
				return in, newError(400, scimInvalidValue, "password must be a string")
			}
		case strings.EqualFold(k, "id"), strings.EqualFold(k, "meta"), strings.EqualFold(k, "groups"):
			// read-only: ignored (docs/behaviour.md)
		case strings.EqualFold(k, schemaEnterprise):
			if v == nil {
				in.EnterpriseNull = true
				continue
			}
			obj, ok := v.(map[string]any)
			if !ok {
				return in, newError(400, scimInvalidValue, "the enterprise extension "+schemaEnterprise+" must be an object")
			}
			for _, ek := range sortedKeys(obj) {
				d, ok := findDef(enterpriseAttrs, ek)
				if !ok {
					continue
				}
				nv, err := normalizeValue(d, obj[ek], schemaEnterprise+":"+d.Name)
				if err != nil {
					return in, err
				}
				in.Enterprise[d.Name] = nv
			}
		default:
			d, ok := findDef(coreUserAttrs, k)
			if !ok {
				continue // unknown attribute: ignored, not fatal
			}
			nv, err := normalizeValue(d, v, d.Name)
			if err != nil {
				return in, err
			}
			in.Core[d.Name] = nv
		}
	}
	return in, nil
}

// normalizeValue checks v against d and returns its normalized form, or nil
// for an empty value (null, "", [], {} or an object of empty sub-attributes).
func normalizeValue(d attrDef, v any, path string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch d.Kind {
	case kindString:
		s, ok := v.(string)
		if !ok {
			return nil, newError(400, scimInvalidValue, fmt.Sprintf("attribute %s must be a string, got %s", path, jsonType(v)))
		}
		if s == "" {
			return nil, nil
		}
		if err := checkString(path, s); err != nil {
			return nil, err
		}
		return s, nil
	case kindBool:
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			switch strings.ToLower(b) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
		}
		return nil, newError(400, scimInvalidValue, fmt.Sprintf("attribute %s must be a boolean, got %s", path, jsonType(v)))
	case kindComplex:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, newError(400, scimInvalidValue, fmt.Sprintf("attribute %s must be an object, got %s", path, jsonType(v)))
		}
		return normalizeObject(d.Sub, obj, path)
	case kindMulti:
		list, ok := v.([]any)
		if !ok {
			return nil, newError(400, scimInvalidValue, fmt.Sprintf("attribute %s must be an array, got %s", path, jsonType(v)))
		}
		out := make([]any, 0, len(list))
		for i, x := range list {
			obj, ok := x.(map[string]any)
			if !ok {
				return nil, newError(400, scimInvalidValue, fmt.Sprintf("attribute %s[%d] must be an object, got %s", path, i, jsonType(x)))
			}
			nv, err := normalizeObject(d.Sub, obj, path)
			if err != nil {
				return nil, err
			}
			if nv != nil {
				out = append(out, nv)
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	return nil, nil
}

// normalizeObject normalizes the sub-attributes of a complex value.
func normalizeObject(sub []attrDef, obj map[string]any, path string) (any, error) {
	out := map[string]any{}
	for _, k := range sortedKeys(obj) {
		sd, ok := findDef(sub, k)
		if !ok {
			continue
		}
		nv, err := normalizeValue(sd, obj[k], path+"."+sd.Name)
		if err != nil {
			return nil, err
		}
		if nv != nil {
			out[sd.Name] = nv
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// jsonType names the JSON type of a decoded value for error details.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// hasCoreSchema reports whether schemas lists the core User URN.
func hasCoreSchema(schemas []string) bool {
	for _, s := range schemas {
		if strings.EqualFold(s, schemaUser) {
			return true
		}
	}
	return false
}

// newDoc builds a stored document from a parsed body: every non-empty value.
func newDoc(in userInput) map[string]any {
	doc := map[string]any{}
	for k, v := range in.Core {
		if v != nil {
			doc[k] = v
		}
	}
	ext := map[string]any{}
	for k, v := range in.Enterprise {
		if v != nil {
			ext[k] = v
		}
	}
	if len(ext) > 0 {
		doc[schemaEnterprise] = ext
	}
	return doc
}

// mergeDoc applies a PUT body to a stored document (docs/behaviour.md ): present
// attributes replace, absent ones keep their value, empty ones are removed.
// The enterprise extension merges attribute by attribute; a null extension
// clears it. active sent as null keeps its value.
func mergeDoc(stored map[string]any, in userInput) map[string]any {
	doc := deepCopy(stored).(map[string]any)
	for k, v := range in.Core {
		switch {
		case v != nil:
			doc[k] = v
		case k == "active":
		default:
			delete(doc, k)
		}
	}
	if in.EnterpriseNull {
		delete(doc, schemaEnterprise)
	}
	if len(in.Enterprise) > 0 {
		ext, _ := doc[schemaEnterprise].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
		}
		for k, v := range in.Enterprise {
			if v != nil {
				ext[k] = v
			} else {
				delete(ext, k)
			}
		}
		if len(ext) > 0 {
			doc[schemaEnterprise] = ext
		} else {
			delete(doc, schemaEnterprise)
		}
	}
	return doc
}

// deepCopy copies decoded JSON values.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

// userNameKey folds a userName for the case-insensitive unique index: NFC
// normalization then Unicode full case folding (so "Straße" and "STRASSE"
// collide, as do "É" written precomposed or decomposed). Surrounding spaces
// are significant. With the case-sensitive-username fault the key is the
// userName itself.
func (s *Server) userNameKey(userName string) string {
	if s.faults.Has(faultCaseSensitiveName) {
		return userName
	}
	return FoldUserName(userName)
}

// FoldUserName is the folding used for the unique userName index and the
// userName eq lookup: NFC normalization then Unicode full case folding.
func FoldUserName(userName string) string {
	return cases.Fold().String(norm.NFC.String(userName))
}

// loadDoc decodes a stored user's document.
func loadDoc(u store.User) (map[string]any, error) {
	doc := map[string]any{}
	if len(u.Doc) == 0 {
		return doc, nil
	}
	if err := json.Unmarshal(u.Doc, &doc); err != nil {
		return nil, fmt.Errorf("user %s: stored document: %w", u.ID, err)
	}
	return doc, nil
}

// setDoc stores doc in u and mirrors userName, externalId and active. active
// defaults to true when the document has none.
func (s *Server) setDoc(u *store.User, doc map[string]any) error {
	if _, ok := doc["active"].(bool); !ok {
		doc["active"] = true
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode user: %w", err)
	}
	u.Doc = raw
	u.UserName, _ = doc["userName"].(string)
	u.UserNameKey = s.userNameKey(u.UserName)
	u.ExternalID, _ = doc["externalId"].(string)
	u.Active, _ = doc["active"].(bool)
	return nil
}

// timeFormat renders meta timestamps (RFC 3339 with milliseconds, UTC).
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// fullUser is the complete SCIM representation of u under baseURI (the
// location's SCIM base URI).
func fullUser(u store.User, doc map[string]any, baseURI string) map[string]any {
	out := make(map[string]any, len(doc)+3)
	for k, v := range doc {
		out[k] = v
	}
	schemas := []string{schemaUser}
	if _, ok := doc[schemaEnterprise]; ok {
		schemas = append(schemas, schemaEnterprise)
	}
	out["schemas"] = schemas
	out["id"] = u.ID
	out["active"] = u.Active
	out["meta"] = map[string]any{
		"resourceType": "User",
		"created":      u.Created.UTC().Format(timeFormat),
		"lastModified": u.LastModified.UTC().Format(timeFormat),
		"location":     baseURI + "/Users/" + u.ID,
		"version":      fmt.Sprintf("W/%q", fmt.Sprint(u.Version)),
	}
	return out
}

// limitedUser is the Xakia query representation (docs/behaviour.md ): schemas,
// id, active and externalId when set.
func limitedUser(u store.User) map[string]any {
	out := map[string]any{
		"schemas": []string{schemaUser},
		"id":      u.ID,
		"active":  u.Active,
	}
	if u.ExternalID != "" {
		out["externalId"] = u.ExternalID
	}
	return out
}

// canSignIn derives the Xakia sign-in right (docs/behaviour.md §4).
func (s *Server) canSignIn(u store.User) bool {
	if u.Deleted || u.Invitation == store.NotInvited {
		return false
	}
	return u.Active || s.faults.Has(faultDeactivatedCanSignIn)
}

// adminUser is the admin view of a user: the full SCIM user plus the Xakia
// state (invitation, signIn, canSignIn, deleted).
func (s *Server) adminUser(u store.User, doc map[string]any, baseURI string) map[string]any {
	out := fullUser(u, doc, baseURI)
	out["invitation"] = u.Invitation
	out["signIn"] = u.SignIn
	out["canSignIn"] = s.canSignIn(u)
	out["deleted"] = u.Deleted
	return out
}

// nowUTC is the current time in UTC, truncated to milliseconds like meta.
func nowUTC() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
