package reference

import (
	"net/url"
	"strings"
)

// attrSelection is a parsed pair of the attributes and excludedAttributes
// query parameters (RFC 7644 §3.4.2.5 and §3.9), applied to every response
// that returns users: GET by id, list items and the answers of POST, PUT and
// PATCH.
//
// Each parameter is a comma-separated list of attribute paths: "userName",
// "name.givenName", "emails.value", "meta.lastModified", or the same prefixed
// with a schema URN ("urn:ietf:params:scim:schemas:core:2.0:User:userName",
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", or
// the extension URN alone for all of it). Names compare case-insensitively;
// unknown names select nothing. id and schemas are always returned; the
// password is never returned in the first place. With both parameters the
// attributes are selected first and the excluded ones then removed.
type attrSelection struct {
	include [][]string // paths as segments; nil: the default set
	exclude [][]string
}

// parseAttrSelection reads the selection from a query string.
func parseAttrSelection(q url.Values) attrSelection {
	return attrSelection{
		include: parseAttrPaths(q["attributes"]),
		exclude: parseAttrPaths(q["excludedAttributes"]),
	}
}

// empty reports whether the selection keeps the default representation.
func (a attrSelection) empty() bool { return len(a.include) == 0 && len(a.exclude) == 0 }

// parseAttrPaths splits comma-separated attribute paths into segments.
func parseAttrPaths(values []string) [][]string {
	var out [][]string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if segs := attrSegments(strings.TrimSpace(p)); len(segs) > 0 {
				out = append(out, segs)
			}
		}
	}
	return out
}

// attrSegments splits one attribute path: the core User URN prefix is
// dropped, the enterprise URN becomes the first segment.
func attrSegments(p string) []string {
	if p == "" {
		return nil
	}
	lower := strings.ToLower(p)
	switch ent := strings.ToLower(schemaEnterprise); {
	case lower == ent:
		return []string{schemaEnterprise}
	case strings.HasPrefix(lower, ent+":"):
		return append([]string{schemaEnterprise}, strings.Split(p[len(ent)+1:], ".")...)
	case strings.HasPrefix(lower, strings.ToLower(schemaUser)+":"):
		p = p[len(schemaUser)+1:]
	}
	return strings.Split(p, ".")
}

// apply returns the selected part of a user representation. It never
// modifies res.
func (a attrSelection) apply(res map[string]any) map[string]any {
	if a.empty() {
		return res
	}
	out := res
	if len(a.include) > 0 {
		out = project(res, a.include)
		for _, k := range []string{"id", "schemas"} {
			if v, ok := res[k]; ok {
				out[k] = v
			}
		}
	}
	if len(a.exclude) > 0 {
		out = without(out, a.exclude)
	}
	return out
}

// project keeps the members of m named by paths (and, for a path with more
// segments, only the named sub-attributes; arrays of objects are projected
// element by element).
func project(m map[string]any, paths [][]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		var tails [][]string
		whole := false
		for _, p := range paths {
			if !strings.EqualFold(p[0], k) {
				continue
			}
			if len(p) == 1 {
				whole = true
				break
			}
			tails = append(tails, p[1:])
		}
		switch {
		case whole:
			out[k] = v
		case len(tails) > 0:
			if sub := projectValue(v, tails); sub != nil {
				out[k] = sub
			}
		}
	}
	return out
}

// projectValue projects a complex or multi-valued value; nil when nothing
// of it is selected.
func projectValue(v any, paths [][]string) any {
	switch x := v.(type) {
	case map[string]any:
		if p := project(x, paths); len(p) > 0 {
			return p
		}
	case []any:
		var out []any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				if p := project(m, paths); len(p) > 0 {
					out = append(out, p)
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// without returns a copy of m without the members named by paths; id and
// schemas stay (their "returned" is always).
func without(m map[string]any, paths [][]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, p := range paths {
		for k := range out {
			if !strings.EqualFold(p[0], k) || k == "id" || k == "schemas" {
				continue
			}
			if len(p) == 1 {
				delete(out, k)
				continue
			}
			if rest := withoutValue(out[k], p[1:]); rest == nil {
				delete(out, k)
			} else {
				out[k] = rest
			}
		}
	}
	return out
}

// withoutValue removes a sub-path from a complex or multi-valued value; nil
// when nothing is left.
func withoutValue(v any, path []string) any {
	switch x := v.(type) {
	case map[string]any:
		if r := without(x, [][]string{path}); len(r) > 0 {
			return r
		}
		return nil
	case []any:
		var out []any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				if r := without(m, [][]string{path}); len(r) > 0 {
					out = append(out, r)
				}
			} else {
				out = append(out, e)
			}
		}
		if len(out) > 0 {
			return out
		}
		return nil
	}
	return v
}
