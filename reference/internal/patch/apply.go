package patch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/xakia-okta/scimtest/reference/internal/filter"
)

// Apply applies ops in order to a deep copy of resource and returns the
// copy. resource is never modified. When an operation fails, Apply returns
// nil and an [*Error] naming the operation; no partial result escapes.
//
// Semantics (RFC 7644 §3.5.2, with the choices this server makes):
//   - add/replace without a path: the value must be an object; each member
//     is applied as if it were a path: a plain attribute ("active"), a dotted
//     sub-attribute ("name.givenName", as Entra ID sends), a URN-qualified
//     attribute ("urn:...:core:2.0:User:name.givenName",
//     "urn:...:enterprise:2.0:User:department"), or a schema URN whose object
//     value is merged into that schema (core attributes at the top level,
//     extension attributes under the extension URN key).
//   - replace of a complex attribute with an object merges the given
//     sub-attributes; replace of a multi-valued attribute without a filter
//     replaces the whole array; add to a multi-valued attribute appends the
//     given value(s), skipping exact duplicates; add to a single-valued
//     attribute sets it (objects merge).
//   - Filtered paths (emails[type eq "work"].value) act on the matching
//     elements. When nothing matches, replace and remove fail with noTarget,
//     while add creates a new element from the filter's eq comparisons
//     (which must be joined by "and") plus the value, as Entra ID expects.
//   - remove needs a path (noTarget otherwise); removing an absent attribute
//     is a no-op; an array left empty is removed. remove of a multi-valued
//     attribute with a value (as Entra ID sends for members) removes only
//     the elements whose "value" equals a given value's "value" (or that
//     equal a given simple value); without a value it removes them all.
//   - replace with an empty array clears the attribute.
//   - add or replace with a null value clears the target, like remove.
//   - A value with primary true makes the other elements primary false. One
//     add that gives several primary values, or a filtered operation that
//     would make several matching values primary, is invalidValue (RFC 7643
//     §2.4: at most one primary value; the server does not guess which).
//   - Names match existing keys case-insensitively and keep the existing
//     spelling; new keys take the canonical core-schema spelling when known.
//   - id, meta and schemas are read-only (mutability, unless the value given
//     equals the current one); userName cannot be removed (mutability).
//   - active accepts a boolean or the strings "true"/"false" in any case
//     (stored as a boolean); anything else, null included, is invalidValue.
//   - The enterprise manager given as a plain string (Entra ID) becomes
//     {"value": string}.
//   - Known string attributes must be strings and userName non-empty, name an
//     object of strings, and the elements of complex multi-valued attributes
//     objects of simple values (invalidValue).
//
// Values must be shaped as encoding/json decodes them (map[string]any,
// []any, string, float64 or json.Number, bool, nil); []string and
// []map[string]any in resource are accepted and become []any.
func Apply(resource map[string]any, ops []Operation) (map[string]any, error) {
	doc, _ := deepCopy(resource).(map[string]any)
	if doc == nil {
		doc = map[string]any{}
	}
	for i, op := range ops {
		if err := applyOp(doc, op); err != nil {
			label := op.Op
			if op.Path != "" {
				label += fmt.Sprintf(" %q", op.Path)
			}
			return nil, &Error{ScimType: err.ScimType, Detail: fmt.Sprintf("operation %d (%s): %s", i+1, label, err.Detail)}
		}
	}
	return doc, nil
}

func applyOp(doc map[string]any, op Operation) *Error {
	kind := strings.ToLower(strings.TrimSpace(op.Op))
	switch kind {
	case "add", "replace", "remove":
	default:
		return errorf(InvalidSyntax, `"op" must be one of "add", "replace" or "remove", got %q`, op.Op)
	}
	path := strings.TrimSpace(op.Path)
	if path != "" {
		return applyPath(doc, kind, path, op.Value)
	}
	if kind == "remove" {
		return errorf(NoTarget, "remove requires a path")
	}
	obj, ok := op.Value.(map[string]any)
	if !ok {
		return errorf(InvalidValue, "%s without a path needs a JSON object value, got %s", kind, kindOf(op.Value))
	}
	return applyMembers(doc, kind, "", obj)
}

// applyMembers applies each member of obj as an attribute path, prefixed
// by schema ("" for the core schema, else an extension URN).
func applyMembers(doc map[string]any, kind, schema string, obj map[string]any) *Error {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic: "name" is applied before "name.givenName"
	for _, k := range keys {
		p := strings.TrimSpace(k)
		if p == "" {
			return errorf(InvalidPath, "the value has a member with an empty name")
		}
		if schema != "" {
			p = schema + ":" + p
		}
		if err := applyPath(doc, kind, p, obj[k]); err != nil {
			return err
		}
	}
	return nil
}

// isSchemaPath reports whether p names a schema rather than an attribute:
// the core User URN, the enterprise extension URN, or any URN whose last
// segment is "User" (an extension of the User resource).
func isSchemaPath(p string) bool {
	if !hasURNPrefix(p) || strings.ContainsAny(p, "[] ") {
		return false
	}
	if strings.EqualFold(p, filter.CoreUserURN) || strings.EqualFold(p, filter.EnterpriseUserURN) {
		return true
	}
	return strings.EqualFold(p[strings.LastIndexByte(p, ':')+1:], "User")
}

func hasURNPrefix(p string) bool { return len(p) >= 4 && strings.EqualFold(p[:4], "urn:") }

// isSchemaKey reports whether p names a schema: see isSchemaPath, or a
// URN-named object member already in doc.
func isSchemaKey(doc map[string]any, p string) bool {
	if isSchemaPath(p) {
		return true
	}
	if !hasURNPrefix(p) {
		return false
	}
	k, ok := findKey(doc, p)
	if !ok {
		return false
	}
	_, isObj := doc[k].(map[string]any)
	return isObj
}

func applyPath(doc map[string]any, kind, path string, value any) *Error {
	if isSchemaKey(doc, path) {
		return applySchema(doc, kind, path, value)
	}
	p, perr := filter.ParsePath(path)
	if perr != nil {
		return errorf(InvalidPath, "%s", perr.Error())
	}
	c := doc
	if !p.Attr.InCoreSchema() {
		create := kind != "remove" && value != nil
		ext, ok := extension(doc, p.Attr.URN, create)
		if !ok {
			if create {
				return errorf(InvalidValue, "%s is not an object", p.Attr.URN)
			}
			if p.Filter != nil && kind == "remove" {
				return errorf(NoTarget, "no value of %s matches the filter", p.Attr)
			}
			return nil // removing from an absent extension: nothing to do
		}
		c = ext
	} else if werr := checkWritable(doc, kind, p, value); werr != nil {
		return werr
	}
	if kind != "remove" && p.Filter == nil && p.Attr.Sub == "" {
		if p.Attr.InCoreSchema() && strings.EqualFold(p.Attr.Name, "active") {
			b, aerr := activeValue(value)
			if aerr != nil {
				return aerr
			}
			value = b
		}
		if s, isStr := value.(string); isStr && strings.EqualFold(p.Attr.URN, filter.EnterpriseUserURN) && strings.EqualFold(p.Attr.Name, "manager") {
			value = map[string]any{"value": s} // Entra ID sends the manager id as a plain string
		}
	}
	if kind != "remove" && value == nil {
		kind = "clear"
	}
	var err *Error
	switch {
	case p.Filter != nil:
		err = filtered(c, kind, p, value)
	case p.Attr.Sub != "":
		err = subAttr(c, kind, p.Attr.Name, p.Attr.Sub, value)
	default:
		err = attr(c, kind, p.Attr.Name, value)
	}
	if err != nil {
		return err
	}
	if p.Attr.InCoreSchema() {
		return checkType(c, p.Attr.Name)
	}
	if len(c) == 0 { // an extension left empty disappears with its schema
		if k, ok := findKey(doc, p.Attr.URN); ok {
			delete(doc, k)
			removeSchema(doc, k)
		}
	}
	return nil
}

// applySchema applies a value addressed to a whole schema URN.
func applySchema(doc map[string]any, kind, urn string, value any) *Error {
	core := strings.EqualFold(urn, filter.CoreUserURN)
	if kind == "remove" || value == nil {
		if core {
			return errorf(Mutability, "the core User schema cannot be removed")
		}
		if k, ok := findKey(doc, urn); ok {
			delete(doc, k)
			removeSchema(doc, k)
		}
		return nil
	}
	obj, ok := value.(map[string]any)
	if !ok {
		return errorf(InvalidValue, "the value of %s must be a JSON object, got %s", urn, kindOf(value))
	}
	if core {
		return applyMembers(doc, kind, "", obj)
	}
	if _, ok := extension(doc, urn, true); !ok {
		return errorf(InvalidValue, "%s is not an object", urn)
	}
	return applyMembers(doc, kind, urn, obj)
}

// extension returns the object holding the attributes of the extension
// schema urn, creating it (and listing urn in "schemas") when create is set.
// ok is false when it is absent and not created, or not an object.
func extension(doc map[string]any, urn string, create bool) (map[string]any, bool) {
	if k, found := findKey(doc, urn); found {
		m, ok := doc[k].(map[string]any)
		if !ok && create && doc[k] == nil {
			m = map[string]any{}
			doc[k] = m
			ok = true
		}
		return m, ok
	}
	if !create {
		return nil, false
	}
	key := urn
	if strings.EqualFold(urn, filter.EnterpriseUserURN) {
		key = filter.EnterpriseUserURN
	}
	m := map[string]any{}
	doc[key] = m
	addSchema(doc, key)
	return m, true
}

// addSchema lists urn in doc's "schemas" array when doc has one.
func addSchema(doc map[string]any, urn string) {
	k, ok := findKey(doc, "schemas")
	if !ok {
		return
	}
	list, ok := doc[k].([]any)
	if !ok {
		return
	}
	for _, s := range list {
		if str, ok := s.(string); ok && strings.EqualFold(str, urn) {
			return
		}
	}
	doc[k] = append(list, urn)
}

// removeSchema drops urn from doc's "schemas" array.
func removeSchema(doc map[string]any, urn string) {
	k, ok := findKey(doc, "schemas")
	if !ok {
		return
	}
	list, ok := doc[k].([]any)
	if !ok {
		return
	}
	out := make([]any, 0, len(list))
	for _, s := range list {
		if str, ok := s.(string); ok && strings.EqualFold(str, urn) {
			continue
		}
		out = append(out, s)
	}
	doc[k] = out
}

// checkWritable enforces read-only (id, meta, schemas) and required
// (userName) attributes of the core schema.
func checkWritable(doc map[string]any, kind string, p filter.Path, value any) *Error {
	name := strings.ToLower(p.Attr.Name)
	switch name {
	case "id", "meta", "schemas":
		if kind != "remove" && p.Filter == nil && p.Attr.Sub == "" {
			if k, ok := findKey(doc, name); ok && jsonEqual(doc[k], value) {
				return nil // restating the current value changes nothing
			}
		}
		return errorf(Mutability, "%s is read-only", filter.CanonicalName(p.Attr.Name))
	case "username":
		if kind == "remove" || value == nil {
			return errorf(Mutability, "userName is required and cannot be removed")
		}
	}
	return nil
}

// activeValue converts a value for "active" to a boolean.
func activeValue(v any) (bool, *Error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, errorf(InvalidValue, "active must be a boolean (true or false), got %s", describe(v))
}

// attr applies kind to a whole attribute name in c.
func attr(c map[string]any, kind, name string, v any) *Error {
	key, exists := findKey(c, name)
	if !exists {
		key = filter.CanonicalName(name)
	}
	cur := c[key]
	switch kind {
	case "remove":
		if arr, ok := cur.([]any); ok && v != nil {
			removeValues(c, key, arr, v)
			return nil
		}
		delete(c, key)
		return nil
	case "clear":
		delete(c, key)
		return nil
	case "add":
		if list, ok := v.([]any); ok && countPrimary(list) > 1 {
			return errorf(InvalidValue, "the values added to %s have %d with primary true; at most one value may be primary", filter.CanonicalName(name), countPrimary(list))
		}
		if arr, ok := cur.([]any); ok {
			c[key] = appendValues(arr, v)
			return nil
		}
		if cur == nil {
			if _, isArr := v.([]any); isArr || filter.IsMultiValued(name) {
				if out := appendValues(nil, v); len(out) > 0 {
					c[key] = out
				}
				return nil
			}
		}
	}
	// add to a single value, or replace
	if curObj, ok := cur.(map[string]any); ok {
		if obj, ok := v.(map[string]any); ok {
			merge(curObj, obj)
			return nil
		}
	}
	list, isArr := v.([]any)
	switch {
	case isArr && len(list) == 0:
		delete(c, key) // an empty array clears the attribute
	case !isArr && filter.IsMultiValued(name):
		c[key] = appendValues(nil, v)
	default:
		c[key] = deepCopy(v)
	}
	return nil
}

// removeValues deletes from the multi-valued attribute arr (stored at
// c[key]) the elements equal to v or to one of v's elements. A given object
// with a "value" member removes the elements with that value (compared as in
// a filter); any other value removes the elements equal to it.
func removeValues(c map[string]any, key string, arr []any, v any) {
	gone := []any{v}
	if list, ok := v.([]any); ok {
		gone = list
	}
	out := make([]any, 0, len(arr))
	for _, e := range arr {
		if !matchesAny(e, gone) {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		delete(c, key)
	} else {
		c[key] = out
	}
}

func matchesAny(e any, gone []any) bool {
	for _, g := range gone {
		if obj, ok := g.(map[string]any); ok {
			if want, ok := member(obj, "value"); ok {
				have, found := member(filter.AsElement(e), "value")
				if found && valueEqual(have, want) {
					return true
				}
				continue
			}
		}
		if jsonEqual(e, g) {
			return true
		}
	}
	return false
}

// valueEqual compares two "value" sub-attributes: strings case-sensitively
// (values are often ids), anything else by JSON encoding.
func valueEqual(a, b any) bool {
	if s, ok := a.(string); ok {
		t, ok := b.(string)
		return ok && s == t
	}
	return jsonEqual(a, b)
}

// subAttr applies kind to the sub-attribute sub of attribute name in c.
func subAttr(c map[string]any, kind, name, sub string, v any) *Error {
	key, exists := findKey(c, name)
	if !exists {
		key = filter.CanonicalName(name)
	}
	switch cur := c[key].(type) {
	case nil:
		if kind == "remove" || kind == "clear" {
			return nil
		}
		elem := map[string]any{filter.CanonicalName(sub): deepCopy(v)}
		if filter.IsMultiValued(name) {
			c[key] = []any{elem}
		} else {
			c[key] = elem
		}
	case map[string]any:
		setSub(cur, kind, sub, v)
		if len(cur) == 0 {
			delete(c, key)
		}
	case []any:
		n := 0
		for _, e := range cur {
			if m, ok := e.(map[string]any); ok {
				setSub(m, kind, sub, v)
				n++
			}
		}
		if n == 0 && kind == "replace" {
			return errorf(NoTarget, "%s has no complex value whose %s could be replaced", name, sub)
		}
		if n == 0 && kind == "add" {
			c[key] = append(cur, map[string]any{filter.CanonicalName(sub): deepCopy(v)})
		}
	default:
		return errorf(InvalidPath, "%s is not a complex attribute, so it has no sub-attribute %q", name, sub)
	}
	return nil
}

// setSub sets (add, replace) or deletes (remove, clear) sub in m.
func setSub(m map[string]any, kind, sub string, v any) {
	k, ok := findKey(m, sub)
	if kind == "remove" || kind == "clear" {
		if ok {
			delete(m, k)
		}
		return
	}
	if !ok {
		k = filter.CanonicalName(sub)
	}
	if cur, isObj := m[k].(map[string]any); isObj {
		if obj, isObj := v.(map[string]any); isObj {
			merge(cur, obj)
			return
		}
	}
	m[k] = deepCopy(v)
}

// filtered applies kind to the elements of p.Attr.Name that match p.Filter.
func filtered(c map[string]any, kind string, p filter.Path, v any) *Error {
	name := p.Attr.Name
	key, exists := findKey(c, name)
	if !exists {
		key = filter.CanonicalName(name)
	}
	var arr []any
	switch cur := c[key].(type) {
	case nil:
	case []any:
		arr = cur
	default:
		return errorf(InvalidPath, "%s is not multi-valued, so it cannot take a value filter", name)
	}
	var hits []int
	for i, e := range arr {
		if filter.MatchElement(p.Filter, name, e) {
			hits = append(hits, i)
		}
	}
	target := name + "[" + p.Filter.String() + "]"
	switch kind {
	case "remove", "clear":
		if len(hits) == 0 {
			if kind == "clear" {
				return nil
			}
			return errorf(NoTarget, "no value of %s matches %s", name, target)
		}
		if p.Sub != "" {
			for _, i := range hits {
				if m, ok := arr[i].(map[string]any); ok {
					setSub(m, "remove", p.Sub, nil)
				}
			}
			return nil
		}
		out := make([]any, 0, len(arr)-len(hits))
		h := 0
		for i, e := range arr {
			if h < len(hits) && hits[h] == i {
				h++
				continue
			}
			out = append(out, e)
		}
		if len(out) == 0 {
			delete(c, key)
		} else {
			c[key] = out
		}
		return nil
	}
	if _, isArr := v.([]any); isArr {
		return errorf(InvalidValue, "the value for %s must be a single value, not an array", target)
	}
	if len(hits) == 0 {
		if kind == "replace" {
			return errorf(NoTarget, "no value of %s matches %s", name, target)
		}
		elem, ok := elementFromFilter(p.Filter)
		if !ok {
			return errorf(NoTarget, "no value of %s matches %s, and a new value can only be created from eq comparisons joined by and", name, target)
		}
		if p.Sub != "" {
			setSub(elem, "add", p.Sub, v)
		} else if obj, ok := v.(map[string]any); ok {
			merge(elem, obj)
		} else {
			setSub(elem, "add", "value", v)
		}
		arr = append(arr, elem)
		c[key] = arr
		fixPrimary(arr, len(arr)-1)
		return nil
	}
	for _, i := range hits {
		m, isObj := arr[i].(map[string]any)
		switch {
		case p.Sub != "" && !isObj:
			return errorf(InvalidPath, "the values of %s are not complex, so they have no sub-attribute %q", name, p.Sub)
		case p.Sub != "":
			setSub(m, kind, p.Sub, v)
		case isObj:
			obj, ok := v.(map[string]any)
			if !ok {
				return errorf(InvalidValue, "the value for %s must be an object, got %s", target, kindOf(v))
			}
			merge(m, obj)
		default:
			arr[i] = deepCopy(v)
		}
	}
	var primaryHits []int
	for _, i := range hits {
		if isPrimary(arr[i]) {
			primaryHits = append(primaryHits, i)
		}
	}
	switch {
	case len(primaryHits) > 1:
		return errorf(InvalidValue, "%s would make %d values of %s primary; at most one value may be primary", target, len(primaryHits), name)
	case len(primaryHits) == 1:
		fixPrimary(arr, primaryHits[0])
	}
	return nil
}

// countPrimary counts the elements of arr whose primary is true.
func countPrimary(arr []any) int {
	n := 0
	for _, e := range arr {
		if isPrimary(e) {
			n++
		}
	}
	return n
}

// elementFromFilter builds a new element from a filter made only of
// "attr eq literal" comparisons joined by "and".
func elementFromFilter(f filter.Expr) (map[string]any, bool) {
	elem := map[string]any{}
	var walk func(e filter.Expr) bool
	walk = func(e filter.Expr) bool {
		switch t := e.(type) {
		case *filter.Logical:
			return t.Op == "and" && walk(t.Left) && walk(t.Right)
		case *filter.Compare:
			if t.Op != "eq" || t.Value == nil || !t.Path.InCoreSchema() {
				return false
			}
			if t.Path.Sub != "" {
				sub := map[string]any{filter.CanonicalName(t.Path.Sub): t.Value}
				setSub(elem, "add", t.Path.Name, sub)
			} else {
				setSub(elem, "add", t.Path.Name, t.Value)
			}
			return true
		}
		return false
	}
	return elem, walk(f)
}

// appendValues appends v (one value or an array of values) to arr, skipping
// values equal to one already present, and keeps a single primary value.
func appendValues(arr []any, v any) []any {
	add := []any{v}
	if list, ok := v.([]any); ok {
		add = list
	}
	out := append([]any(nil), arr...)
	for _, n := range add {
		if n == nil {
			continue
		}
		dup := false
		for _, e := range out {
			if jsonEqual(e, n) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		out = append(out, deepCopy(n))
		if isPrimary(n) {
			fixPrimary(out, len(out)-1)
		}
	}
	return out
}

func isPrimary(e any) bool {
	m, ok := e.(map[string]any)
	if !ok {
		return false
	}
	v, _ := member(m, "primary")
	b, _ := v.(bool)
	return b
}

// fixPrimary sets primary to false on every element but keep that has it
// true (RFC 7643 §2.4: at most one primary value).
func fixPrimary(arr []any, keep int) {
	if keep < 0 || keep >= len(arr) || !isPrimary(arr[keep]) {
		return
	}
	for i, e := range arr {
		if i != keep && isPrimary(e) {
			m := e.(map[string]any)
			k, _ := findKey(m, "primary")
			m[k] = false
		}
	}
}

// merge sets each member of src into dst, matching names
// case-insensitively and keeping dst's spelling.
func merge(dst, src map[string]any) {
	for k, v := range src {
		setSub(dst, "add", k, v)
	}
}

// stringAttrs are the core User attributes whose values are strings.
var stringAttrs = map[string]bool{
	"username": true, "displayname": true, "nickname": true, "profileurl": true, "title": true,
	"usertype": true, "preferredlanguage": true, "locale": true, "timezone": true,
	"password": true, "externalid": true,
}

// complexMulti are the core User multi-valued attributes whose elements are objects.
var complexMulti = map[string]bool{
	"emails": true, "phonenumbers": true, "ims": true, "photos": true, "addresses": true,
	"groups": true, "entitlements": true, "roles": true, "x509certificates": true,
}

// checkType validates the type of the core attribute name after an operation.
func checkType(c map[string]any, name string) *Error {
	k, ok := findKey(c, name)
	if !ok {
		return nil
	}
	v := c[k]
	l := strings.ToLower(name)
	switch {
	case v == nil:
		return nil
	case stringAttrs[l]:
		s, ok := v.(string)
		if !ok {
			return errorf(InvalidValue, "%s must be a string, got %s", filter.CanonicalName(name), kindOf(v))
		}
		if l == "username" && strings.TrimSpace(s) == "" {
			return errorf(InvalidValue, "userName must not be empty")
		}
	case l == "active":
		if _, ok := v.(bool); !ok {
			return errorf(InvalidValue, "active must be a boolean, got %s", kindOf(v))
		}
	case l == "name":
		m, ok := v.(map[string]any)
		if !ok {
			return errorf(InvalidValue, "name must be an object, got %s", kindOf(v))
		}
		for sk, sv := range m {
			if _, ok := sv.(string); !ok && sv != nil {
				return errorf(InvalidValue, "name.%s must be a string, got %s", sk, kindOf(sv))
			}
		}
	case complexMulti[l]:
		arr, ok := v.([]any)
		if !ok {
			return errorf(InvalidValue, "%s must be an array of objects, got %s", filter.CanonicalName(name), kindOf(v))
		}
		for _, e := range arr {
			m, ok := e.(map[string]any)
			if !ok {
				return errorf(InvalidValue, "the values of %s must be objects, got %s", filter.CanonicalName(name), kindOf(e))
			}
			for sk, sv := range m {
				switch sv.(type) {
				case map[string]any, []any:
					return errorf(InvalidValue, "%s.%s must be a simple value, got %s", filter.CanonicalName(name), sk, kindOf(sv))
				}
			}
		}
	}
	return nil
}

// findKey returns the key of m equal to name case-insensitively,
// preferring an exact match.
func findKey(m map[string]any, name string) (string, bool) {
	if _, ok := m[name]; ok {
		return name, true
	}
	for k := range m {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

// deepCopy copies the objects and arrays of a decoded JSON value; typed
// slices ([]string, []map[string]any) become []any.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if t == nil {
			return map[string]any(nil)
		}
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		if t == nil {
			return []any(nil)
		}
		a := make([]any, len(t))
		for i, e := range t {
			a[i] = deepCopy(e)
		}
		return a
	case []string: // built by Go code rather than decoded: normalise
		a := make([]any, len(t))
		for i, e := range t {
			a[i] = e
		}
		return a
	case []map[string]any:
		a := make([]any, len(t))
		for i, e := range t {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

// jsonEqual reports whether a and b encode to the same JSON.
func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func kindOf(v any) string { return kind(v) }
