package reference

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// Variant is a named switch that makes the reference behave in a way that is
// legal for RFC 7643/7644 and for Okta but differs from one of Xakia's
// stricter choices. Where a fault breaks a rule so that the conformance suite
// must fail, a variant keeps to the standards so that the suite's okta
// profile must pass: it proves the suite raises no false alarm.
type Variant struct {
	// Name is the value given to --variant (and Options.Variants,
	// LocationSpec.Variants, Config.Variants).
	Name string
	// Description says, in one line, how the behaviour differs from Xakia's.
	Description string
}

// Variants returns every variant the reference knows, in a stable order.
func Variants() []Variant {
	return []Variant{
		{variantFullReplacePut, "PUT replaces the whole resource: attributes absent from the body are cleared (RFC 7644 §3.5.1)"},
		{variantNoScimType, "error bodies omit scimType (OPTIONAL, RFC 7644 §3.12), except uniqueness on a 409 (a MUST of RFC 7644 §3.3)"},
		{variantInvalidValueForSyntax, "400s that would say invalidSyntax (malformed JSON, wrong schemas, a malformed PatchOp) say invalidValue"},
		{variantJSONContentType, "responses are sent as Content-Type: application/json instead of application/scim+json"},
		{variantExtensionsETag, "users carry the enterprise extension (derived employeeNumber, organization) and an ETag header equal to meta.version"},
		{variantPatch204, "a successful PATCH answers 204 No Content without a body (RFC 7644 §3.5.2)"},
		{variantDerivedDisplayName, "removing displayName re-derives it from name.givenName and name.familyName"},
		{variantTextPlainAccepted, "request bodies sent as Content-Type: text/plain are read as JSON instead of answering 415"},
		{variantCharsetContentType, "response media types carry a charset parameter: application/scim+json; charset=utf-8 (RFC 7644 §8.1)"},
		{variantNormalisePrimary, "a POST, PUT or PATCH replace giving several values of one attribute primary keeps the first primary instead of answering 400 (RFC 7643 §2.4 asks only for at most one)"},
		{variantETagOff, "no ETags: no ETag header and no meta.version, If-Match and If-None-Match ignored, ServiceProviderConfig etag.supported false (versioning is optional, RFC 7644 §3.14)"},
	}
}

// Variant names, as constants so that the code cannot misspell them.
const (
	variantFullReplacePut        = "full-replace-put"
	variantNoScimType            = "no-scimtype"
	variantInvalidValueForSyntax = "invalidvalue-for-syntax"
	variantJSONContentType       = "json-content-type"
	variantExtensionsETag        = "extensions-etag"
	variantPatch204              = "patch-204"
	variantDerivedDisplayName    = "derived-displayname"
	variantTextPlainAccepted     = "text-plain-accepted"
	variantCharsetContentType    = "charset-content-type"
	variantNormalisePrimary      = "normalise-primary"
	variantETagOff               = "etag-off"
)

// VariantSet is a parsed, immutable set of enabled variants. The zero value
// enables none.
type VariantSet struct {
	set switchSet
}

// variantNames lists the names of [Variants] in order.
func variantNames() []string {
	var out []string
	for _, v := range Variants() {
		out = append(out, v.Name)
	}
	return out
}

// ParseVariants checks every name against [Variants] and returns the set. An
// unknown name is an error that lists the valid names. Empty names are
// ignored and a name may repeat.
func ParseVariants(names []string) (VariantSet, error) {
	set, err := parseSwitches("variant", variantNames(), names)
	return VariantSet{set: set}, err
}

// Has reports whether the variant named name is enabled.
func (v VariantSet) Has(name string) bool { return v.set.has(name) }

// Names returns the enabled variant names in the order of [Variants].
func (v VariantSet) Names() []string { return v.set.names(variantNames()) }

// union returns a new set holding the variants of v and of o.
func (v VariantSet) union(o VariantSet) VariantSet {
	return VariantSet{set: v.set.union(o.set)}
}

// locationVariants holds the variants enabled for single locations, on top
// of the server-wide ones. It lives in memory only: the embedded starter
// ([Start], LocationSpec.Variants) fills it; serve's --variant is
// server-wide.
type locationVariants struct {
	mu sync.RWMutex
	m  map[string]VariantSet
}

// set enables vs (replacing any earlier set) for location id.
func (l *locationVariants) set(id string, vs VariantSet) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = make(map[string]VariantSet)
	}
	l.m[id] = vs
}

// get returns the variants of location id (none when it has none of its own).
func (l *locationVariants) get(id string) VariantSet {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.m[id]
}

// setLocationVariants enables, in addition to the server-wide variants, the
// variants named by names for location id. Only the embedded starter uses it.
func (s *Server) setLocationVariants(id string, names []string) error {
	vs, err := ParseVariants(names)
	if err != nil {
		return err
	}
	s.locVariants.set(id, vs)
	return nil
}

// variantsFor returns the effective variants of a location: the server-wide
// ones and the location's own.
func (s *Server) variantsFor(loc store.Location) VariantSet {
	return s.variants.union(s.locVariants.get(loc.ID))
}

// Request-scoped variants. The server-wide set is bound to every request; a
// SCIM request of a known location is bound again, to that location's
// effective set. Handlers read it from the request (variantsIn); the
// response helpers writeJSON and writeError, which only see the writer, read
// it from the writer (variantsOf).

// variantWriter is a ResponseWriter that carries the variants of its request.
type variantWriter struct {
	http.ResponseWriter
	set VariantSet
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *variantWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// bindVariants returns w and r carrying vs, in r's reqState (a new one when
// r has none).
func bindVariants(w http.ResponseWriter, r *http.Request, vs VariantSet) (http.ResponseWriter, *http.Request) {
	w = &variantWriter{ResponseWriter: w, set: vs}
	if st := stateOf(r.Context()); st != nil {
		st.variants = vs
		return w, r
	}
	return w, r.WithContext(context.WithValue(r.Context(), reqStateKey{}, &reqState{variants: vs}))
}

// variantsIn returns the variants bound to r (none when unbound).
func variantsIn(r *http.Request) VariantSet {
	if st := stateOf(r.Context()); st != nil {
		return st.variants
	}
	return VariantSet{}
}

// variantsOf returns the variants bound to w, looking through wrapping
// writers (none when unbound).
func variantsOf(w http.ResponseWriter) VariantSet {
	for w != nil {
		switch x := w.(type) {
		case *variantWriter:
			return x.set
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return VariantSet{}
		}
	}
	return VariantSet{}
}

// withVariants binds the server-wide variants to every request.
func (s *Server) withVariants(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w, r = bindVariants(w, r, s.variants)
		next.ServeHTTP(w, r)
	})
}

// contentTypeFor is the media type of response bodies: application/json
// with the json-content-type variant, else application/scim+json; with the
// charset-content-type variant followed by "; charset=utf-8".
func contentTypeFor(vs VariantSet) string {
	ct := contentTypeSCIM
	if vs.Has(variantJSONContentType) {
		ct = "application/json"
	}
	if vs.Has(variantCharsetContentType) {
		ct += "; charset=utf-8"
	}
	return ct
}

// errorScimType is the scimType sent for e, "" for none: omitted with the
// no-scimtype variant (except uniqueness on a 409, which RFC 7644 §3.3
// requires), invalidSyntax turned into invalidValue with the
// invalidvalue-for-syntax variant.
func errorScimType(vs VariantSet, e *apiError) string {
	switch {
	case vs.Has(variantNoScimType) && e.ScimType == scimUniqueness:
		return e.ScimType
	case vs.Has(variantNoScimType):
		return ""
	case e.ScimType == scimInvalidSyntax && vs.Has(variantInvalidValueForSyntax):
		return scimInvalidValue
	}
	return e.ScimType
}

// acceptedMediaType reports whether a request body of media type mt is read
// as JSON: application/scim+json and application/json, and text/plain with
// the text-plain-accepted variant.
func acceptedMediaType(vs VariantSet, mt string) bool {
	switch mt {
	case "application/scim+json", "application/json":
		return true
	case "text/plain":
		return vs.Has(variantTextPlainAccepted)
	}
	return false
}

// enterpriseOrganization is the organization the extensions-etag variant
// reports for every user.
const enterpriseOrganization = "Xakia Reference"

// variantETag is the ETag header the extensions-etag variant sends for u
// (its meta.version), "" without the variant.
func variantETag(vs VariantSet, u store.User) string {
	if !vs.Has(variantExtensionsETag) {
		return ""
	}
	return fmt.Sprintf("W/%q", fmt.Sprint(u.Version))
}

// decorateUser adds to a full user representation out what the
// extensions-etag variant sends: the enterprise extension schema and object
// (values the client stored win over the derived employeeNumber and
// organization) and meta.version. It returns the representation's version
// for the ETag header, "" without the variant. The limited query
// representation of a limited location is left as it is (it is the declared
// Xakia limitation, which names exactly what queries return); its GET still
// sends the ETag header.
func decorateUser(vs VariantSet, u store.User, out map[string]any) string {
	version := variantETag(vs, u)
	if version == "" {
		return ""
	}
	ext := map[string]any{}
	if stored, ok := out[schemaEnterprise].(map[string]any); ok {
		for k, v := range stored {
			ext[k] = v
		}
	}
	if _, ok := ext["employeeNumber"]; !ok {
		ext["employeeNumber"] = employeeNumber(u.ID)
	}
	if _, ok := ext["organization"]; !ok {
		ext["organization"] = enterpriseOrganization
	}
	out[schemaEnterprise] = ext
	out["schemas"] = []string{schemaUser, schemaEnterprise}
	meta, _ := out["meta"].(map[string]any)
	if meta == nil {
		meta = map[string]any{"resourceType": "User"}
		out["meta"] = meta
	}
	meta["version"] = version
	return version
}

// employeeNumber derives the extensions-etag variant's employee number from a
// user id: "E" and the id's first eight hex digits in upper case.
func employeeNumber(id string) string {
	hex := strings.ReplaceAll(id, "-", "")
	if len(hex) > 8 {
		hex = hex[:8]
	}
	return "E" + strings.ToUpper(hex)
}

// deriveDisplayName implements the derived-displayname variant on a write
// that turns stored into doc: when the write removed displayName, the server
// derives a new one from name.givenName and name.familyName (none when both
// are empty).
func deriveDisplayName(vs VariantSet, stored, doc map[string]any) {
	if !vs.Has(variantDerivedDisplayName) {
		return
	}
	if _, had := stored["displayName"]; !had {
		return
	}
	if _, has := doc["displayName"]; has {
		return
	}
	name, _ := doc["name"].(map[string]any)
	given, _ := name["givenName"].(string)
	family, _ := name["familyName"].(string)
	if d := strings.TrimSpace(given + " " + family); d != "" {
		doc["displayName"] = d
	}
}
