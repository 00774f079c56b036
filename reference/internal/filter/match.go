package filter

import (
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// Match reports whether resource, a decoded SCIM resource (as produced by
// encoding/json, with numbers as float64 or json.Number), satisfies e.
//
// Semantics:
//   - Attribute names match case-insensitively (RFC 7643 §2.1). A path with the
//     core User URN refers to top-level attributes; a path with another URN
//     refers to the object stored under that URN (an extension).
//   - Strings compare case-insensitively, except case-exact attributes
//     ([IsCaseExact]: id, externalId, password, meta.location, ...).
//   - A multi-valued attribute matches when any element matches:
//     emails.value eq "x", emails[type eq "work"]. Comparing a complex value
//     without a sub-attribute (emails eq "x") compares its "value" sub-attribute.
//   - pr: present and not null, "", [] or {}.
//   - eq, gt, ge, lt, le on two strings that both parse as RFC 3339 date-times
//     compare chronologically; otherwise strings compare lexicographically.
//     Numbers compare numerically; booleans only with eq and ne.
//   - A value of another type than the literal never matches (active eq "true"
//     is false when active is the boolean true).
//   - eq null matches an absent or null attribute.
//   - ne is the negation of eq: it is true when no value of the attribute
//     equals the literal, so ne against an absent attribute is true.
//
// Match never panics, whatever e (from [Parse]) and resource hold; a nil
// expression matches nothing.
func Match(e Expr, resource map[string]any) bool {
	if e == nil {
		return false
	}
	return e.eval(resource, "")
}

// lookup returns the value of name in m, matching keys case-insensitively
// and preferring an exact match.
func lookup(m map[string]any, name string) (any, bool) {
	if m == nil {
		return nil, false
	}
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// container returns the object holding the attributes of path's schema.
// scope is non-empty inside a value filter, where paths are relative.
func container(obj map[string]any, path AttrPath, scope string) map[string]any {
	if scope != "" || path.InCoreSchema() {
		return obj
	}
	ext, _ := lookup(obj, path.URN)
	m, _ := ext.(map[string]any)
	return m
}

// raw returns the values at path: the attribute itself, or its sub-attribute
// in the attribute (complex) or in each of its elements (multi-valued).
func raw(obj map[string]any, path AttrPath) []any {
	v, ok := lookup(obj, path.Name)
	if !ok {
		return nil
	}
	if path.Sub == "" {
		return []any{v}
	}
	var out []any
	add := func(x any) {
		if m, ok := x.(map[string]any); ok {
			if s, ok := lookup(m, path.Sub); ok {
				out = append(out, s)
			}
		}
	}
	if arr, ok := asList(v); ok {
		for _, x := range arr {
			add(x)
		}
	} else {
		add(v)
	}
	return out
}

// asList returns v as a list when it is an array: []any as decoded by
// encoding/json, or []string and []map[string]any as Go code builds them.
func asList(v any) ([]any, bool) {
	switch t := v.(type) {
	case []any:
		return t, true
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out, true
	case []map[string]any:
		out := make([]any, len(t))
		for i, m := range t {
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

// scalars flattens raw values into the simple values to compare: array
// elements, and the "value" sub-attribute of complex values.
func scalars(vals []any) []any {
	var out []any
	var one func(x any, depth int)
	one = func(x any, depth int) {
		if list, ok := asList(x); ok {
			if depth == 0 {
				for _, e := range list {
					one(e, depth+1)
				}
			}
			return
		}
		switch t := x.(type) {
		case map[string]any:
			if v, ok := lookup(t, "value"); ok {
				if _, isMap := v.(map[string]any); !isMap {
					if _, isList := asList(v); !isList {
						out = append(out, v)
					}
				}
			}
		default:
			out = append(out, x)
		}
	}
	for _, v := range vals {
		one(v, 0)
	}
	return out
}

func present(v any) bool {
	if list, ok := asList(v); ok {
		for _, e := range list {
			if present(e) {
				return true
			}
		}
		return false
	}
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case map[string]any:
		return len(t) > 0
	}
	return true
}

func scopedPath(scope string, path AttrPath) string {
	p := path.Name
	if path.Sub != "" {
		p += "." + path.Sub
	}
	if scope != "" {
		p = scope + "." + p
	}
	return p
}

func (c *Compare) eval(obj map[string]any, scope string) bool {
	vals := raw(container(obj, c.Path, scope), c.Path)
	switch c.Op {
	case "pr":
		for _, v := range vals {
			if present(v) {
				return true
			}
		}
		return false
	case "ne":
		return !c.any(scalars(vals), "eq", scope)
	default:
		return c.any(scalars(vals), c.Op, scope)
	}
}

// any reports whether op holds between any of vals and c.Value.
func (c *Compare) any(vals []any, op, scope string) bool {
	if c.Value == nil {
		if op != "eq" {
			return false
		}
		for _, v := range vals {
			if v != nil {
				return false
			}
		}
		return true
	}
	exact := IsCaseExact(scopedPath(scope, c.Path))
	for _, v := range vals {
		if compare(v, op, c.Value, exact) {
			return true
		}
	}
	return false
}

// compare reports whether "a op lit" holds for one attribute value a.
func compare(a any, op string, lit any, exact bool) bool {
	switch l := lit.(type) {
	case string:
		s, ok := a.(string)
		if !ok {
			return false
		}
		return compareStrings(s, op, l, exact)
	case json.Number:
		x, ok := toFloat(a)
		if !ok {
			return false
		}
		y, err := strconv.ParseFloat(string(l), 64)
		if err != nil && !math.IsInf(y, 0) {
			return false
		}
		return ordered(cmpFloat(x, y), op)
	case bool:
		b, ok := a.(bool)
		return ok && op == "eq" && b == l
	}
	return false
}

func compareStrings(s, op, l string, exact bool) bool {
	switch op {
	case "eq", "gt", "ge", "lt", "le":
		if ts, ok := parseTime(s); ok {
			if tl, ok := parseTime(l); ok {
				return ordered(ts.Compare(tl), op)
			}
		}
	}
	if !exact {
		s, l = fold(s), fold(l)
	}
	switch op {
	case "co":
		return strings.Contains(s, l)
	case "sw":
		return strings.HasPrefix(s, l)
	case "ew":
		return strings.HasSuffix(s, l)
	}
	return ordered(strings.Compare(s, l), op)
}

// fold maps s to a case-insensitive comparison key: NFC, then full Unicode
// case folding ("Straße" and "STRASSE" compare equal), the same key the
// server's userName index uses, so an indexed `userName eq` and a scanned
// compound filter agree.
func fold(s string) string { return cases.Fold().String(norm.NFC.String(s)) }

func ordered(c int, op string) bool {
	switch op {
	case "eq":
		return c == 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	case x == y:
		return 0
	}
	return 2 // NaN: matches no operator
}

func toFloat(a any) (float64, bool) {
	switch n := a.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil && !math.IsInf(f, 0) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// parseTime parses an RFC 3339 date-time (xsd:dateTime as SCIM uses it).
func parseTime(s string) (time.Time, bool) {
	if len(s) < 20 || s[4] != '-' || s[10] != 'T' && s[10] != 't' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

func (l *Logical) eval(obj map[string]any, scope string) bool {
	if l.Op == "and" {
		return l.Left.eval(obj, scope) && l.Right.eval(obj, scope)
	}
	return l.Left.eval(obj, scope) || l.Right.eval(obj, scope)
}

func (n *Not) eval(obj map[string]any, scope string) bool {
	return !n.X.eval(obj, scope)
}

func (v *ValuePath) eval(obj map[string]any, scope string) bool {
	for _, x := range Elements(container(obj, v.Path, scope), v.Path) {
		inner := strings.ToLower(v.Path.Name)
		if v.Path.Sub != "" {
			inner += "." + strings.ToLower(v.Path.Sub)
		}
		if !v.Filter.eval(x, inner) {
			continue
		}
		if v.Then == nil || v.Then.eval(x, inner) {
			return true
		}
	}
	return false
}

// Elements returns the elements of the attribute at path in obj as objects
// a value filter can be evaluated on: each element of an array (a simple
// element e becomes {"value": e}), or the attribute itself when it is a
// complex single value. It returns nil when the attribute is absent.
func Elements(obj map[string]any, path AttrPath) []map[string]any {
	var out []map[string]any
	for _, v := range raw(obj, path) {
		if list, ok := asList(v); ok {
			for _, e := range list {
				out = append(out, AsElement(e))
			}
			continue
		}
		switch t := v.(type) {
		case map[string]any:
			out = append(out, t)
		case nil:
		default:
			out = append(out, AsElement(t))
		}
	}
	return out
}

// AsElement returns e as an object a value filter can be evaluated on:
// e itself when it is an object, else {"value": e}.
func AsElement(e any) map[string]any {
	if m, ok := e.(map[string]any); ok {
		return m
	}
	return map[string]any{"value": e}
}

// MatchElement reports whether one element of a multi-valued attribute
// named attr (used to look up case-exact sub-attributes) satisfies the value
// filter f, as in attr[f]. Non-object elements are seen as {"value": e}.
func MatchElement(f Expr, attr string, e any) bool {
	if f == nil {
		return false
	}
	return f.eval(AsElement(e), strings.ToLower(attr))
}
