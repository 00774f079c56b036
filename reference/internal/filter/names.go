package filter

import "strings"

// canonicalNames maps the lower-case form of every attribute and
// sub-attribute name of the core User schema (RFC 7643 §4.1), the common
// attributes (§3.1) and the enterprise User extension (§4.3) to its
// canonical spelling.
var canonicalNames = func() map[string]string {
	names := []string{
		// common
		"id", "externalId", "meta", "schemas",
		"resourceType", "created", "lastModified", "location", "version",
		// core User
		"userName", "name", "displayName", "nickName", "profileUrl", "title",
		"userType", "preferredLanguage", "locale", "timezone", "active", "password",
		"emails", "phoneNumbers", "ims", "photos", "addresses", "groups",
		"entitlements", "roles", "x509Certificates",
		// sub-attributes
		"formatted", "familyName", "givenName", "middleName", "honorificPrefix",
		"honorificSuffix", "value", "display", "type", "primary", "$ref",
		"streetAddress", "locality", "region", "postalCode", "country",
		// enterprise extension
		"employeeNumber", "costCenter", "organization", "division", "department", "manager",
	}
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = n
	}
	return m
}()

// CanonicalName returns the canonical spelling of a known core User,
// common or enterprise attribute name, matched case-insensitively
// ("USERNAME" → "userName"), or name unchanged when it is not known.
func CanonicalName(name string) string {
	if c, ok := canonicalNames[strings.ToLower(name)]; ok {
		return c
	}
	return name
}

// multiValued lists the lower-case names of the multi-valued core User attributes.
var multiValued = map[string]bool{
	"emails": true, "phonenumbers": true, "ims": true, "photos": true, "addresses": true,
	"groups": true, "entitlements": true, "roles": true, "x509certificates": true, "schemas": true,
}

// IsMultiValued reports whether name (case-insensitive) is a multi-valued
// attribute of the core User schema, such as "emails".
func IsMultiValued(name string) bool { return multiValued[strings.ToLower(name)] }

// caseExact lists the lower-case paths ("attr" or "attr.sub") whose string
// values compare case-sensitively (RFC 7643 §3.1, §4.1).
var caseExact = map[string]bool{
	"id": true, "externalid": true, "password": true,
	"meta.location": true, "meta.version": true, "meta.resourcetype": true,
}

// IsCaseExact reports whether the attribute path ("attr" or "attr.sub",
// case-insensitive) compares its string values case-sensitively. Every
// "$ref" sub-attribute is case-exact.
func IsCaseExact(path string) bool {
	l := strings.ToLower(path)
	return caseExact[l] || strings.HasSuffix(l, ".$ref") || l == "$ref"
}
