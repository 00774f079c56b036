package reference

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// caseExactValues are the multi-valued attributes whose "value" compares
// case-sensitively (RFC 7643 §8.7.1: photos are URLs, certificates binary);
// every other value (emails, phone numbers, ims, entitlements, roles)
// compares case-insensitively.
var caseExactValues = map[string]bool{"photos": true, "x509Certificates": true}

// addressParts are the sub-attributes that together are an address's
// "value" when duplicates are looked for.
var addressParts = []string{"formatted", "streetAddress", "locality", "region", "postalCode", "country"}

// multiValuedRules applies the RFC 7643 §2.4 rules for multi-valued
// attributes to every multi-valued core attribute a write sets:
//
//   - exact duplicates are dropped: two values with the same type and the same
//     value (compared as the attribute's schema says: case-insensitively except
//     for photos and x509Certificates; addresses compare all their parts) keep
//     the first one, which becomes primary if any duplicate was;
//   - at most one value may be primary: more is a 400 invalidValue naming the
//     attribute. The reference rejects rather than guesses which one the
//     client meant.
//
// stored is the document before the write (nil for a create): an attribute
// the write leaves exactly as it was is not judged for primaries, so a user
// stored before these rules can still be deactivated. With the
// normalise-primary variant several primaries are not refused: the first
// one stays primary and the others get primary false.
func (s *Server) multiValuedRules(vs VariantSet, in *userInput, stored map[string]any) error {
	for _, d := range coreUserAttrs {
		if d.Kind != kindMulti {
			continue
		}
		list, ok := in.Core[d.Name].([]any)
		if !ok {
			continue
		}
		if !s.faults.Has(faultKeepDuplicateValues) {
			list = dropDuplicateValues(d.Name, list)
			in.Core[d.Name] = list
		}
		if s.faults.Has(faultDuplicatePrimary) {
			continue
		}
		if stored != nil && sameJSON(stored[d.Name], list) {
			continue
		}
		if n := countPrimary(list); n > 1 && vs.Has(variantNormalisePrimary) {
			keepFirstPrimary(list)
		} else if n > 1 {
			return newError(http.StatusBadRequest, scimInvalidValue, fmt.Sprintf(
				"attribute %s has %d values with primary true; at most one value may be primary (RFC 7643 §2.4)", d.Name, n))
		}
	}
	return nil
}

// dropDuplicateValues keeps the first of each (type, value) pair of a
// normalized multi-valued attribute.
func dropDuplicateValues(attr string, list []any) []any {
	out := make([]any, 0, len(list))
	firstOf := map[string]int{} // key → index in out
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			out = append(out, e)
			continue
		}
		key := duplicateKey(attr, m)
		if i, seen := firstOf[key]; seen {
			if p, _ := m["primary"].(bool); p {
				out[i].(map[string]any)["primary"] = true
			}
			continue
		}
		firstOf[key] = len(out)
		out = append(out, m)
	}
	return out
}

// duplicateKey is the identity of a value for duplicate detection: its type
// (case-insensitive) and its value as the schema compares it.
func duplicateKey(attr string, m map[string]any) string {
	typ, _ := m["type"].(string)
	parts := []string{foldValue(typ)}
	if attr == "addresses" {
		for _, p := range addressParts {
			v, _ := m[p].(string)
			parts = append(parts, foldValue(v))
		}
	} else {
		v, _ := m["value"].(string)
		if !caseExactValues[attr] {
			v = foldValue(v)
		}
		parts = append(parts, v)
	}
	b, _ := json.Marshal(parts)
	return string(b)
}

// foldValue is the case-insensitive form of a value (NFC, then Unicode case
// folding), surrounding space ignored.
func foldValue(s string) string {
	return cases.Fold().String(norm.NFC.String(strings.TrimSpace(s)))
}

// keepFirstPrimary sets primary false on every primary value but the first.
func keepFirstPrimary(list []any) {
	seen := false
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			if p, _ := m["primary"].(bool); p {
				if seen {
					m["primary"] = false
				}
				seen = true
			}
		}
	}
}

// countPrimary counts the values whose primary is true.
func countPrimary(list []any) int {
	n := 0
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			if p, _ := m["primary"].(bool); p {
				n++
			}
		}
	}
	return n
}

// sameJSON reports whether two decoded JSON values encode identically
// (encoding/json sorts object keys, so equal documents give equal bytes).
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
