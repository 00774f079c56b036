// Package patch parses SCIM PATCH requests and applies them to a User
// resource (RFC 7644 §3.5.2).
//
// A resource is a decoded JSON object (map[string]any, numbers as float64 or
// json.Number). [Apply] works on a deep copy: the input is never modified,
// and either every operation applies or none does.
package patch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/xakia-okta/scimtest/reference/internal/filter"
)

// PatchOpURN is the schema URN a PATCH request body must list in "schemas".
const PatchOpURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// SCIM error types (RFC 7644 §3.12) returned in [Error.ScimType].
const (
	InvalidSyntax = "invalidSyntax" // the request is not a well-formed PatchOp message
	InvalidValue  = "invalidValue"  // a value is missing or has the wrong type
	InvalidPath   = "invalidPath"   // a path is malformed or names no attribute
	NoTarget      = "noTarget"      // a path (filter) selects nothing to replace or remove
	Mutability    = "mutability"    // a read-only or required attribute would change or vanish
)

// Operation is one PATCH operation.
type Operation struct {
	// Op is "add", "replace" or "remove" (lower case after ParseRequest).
	Op string
	// Path is the target attribute path; "" when the request has none.
	Path string
	// Value is the decoded JSON value (numbers as json.Number after
	// ParseRequest); nil for remove.
	Value any
}

// Error is a PATCH failure, answered with HTTP 400 and ScimType.
type Error struct {
	ScimType string // one of InvalidSyntax, InvalidValue, InvalidPath, NoTarget, Mutability
	Detail   string // a sentence for the SCIM error body
}

// Error returns "scimType: detail".
func (e *Error) Error() string { return e.ScimType + ": " + e.Detail }

func errorf(scimType, format string, args ...any) *Error {
	return &Error{ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

// ParseRequest decodes and validates a PATCH request body:
//   - the body is one JSON object (else invalidSyntax);
//   - "schemas" is an array containing [PatchOpURN] (else invalidSyntax);
//   - "Operations" is a non-empty array of objects (else invalidSyntax);
//   - each "op" is add, replace or remove in any case (else invalidSyntax,
//     since the message does not follow the PatchOp schema);
//   - "path", when present and not null, is a string (else invalidSyntax) and
//     a valid attribute path (else invalidPath);
//   - add and replace carry a "value" member (else invalidValue).
//
// Member names of the request and of each operation match case-insensitively
// ("operations", "OP", "Path"). Unknown members are ignored. Numbers in
// values are json.Number. The error is an [*Error].
func ParseRequest(body []byte) ([]Operation, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errorf(InvalidSyntax, "the request body is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, errorf(InvalidSyntax, "the request body has data after the JSON object")
	}
	req, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(InvalidSyntax, "the request body must be a JSON object, got %s", kind(v))
	}
	schemas, _ := member(req, "schemas")
	if !hasPatchOpSchema(schemas) {
		return nil, errorf(InvalidSyntax, `"schemas" must be an array containing %q`, PatchOpURN)
	}
	rawOps, found := member(req, "Operations")
	if !found {
		return nil, errorf(InvalidSyntax, `the request has no "Operations" array`)
	}
	list, ok := rawOps.([]any)
	if !ok {
		return nil, errorf(InvalidSyntax, `"Operations" must be an array, got %s`, kind(rawOps))
	}
	if len(list) == 0 {
		return nil, errorf(InvalidSyntax, `"Operations" must contain at least one operation`)
	}
	ops := make([]Operation, 0, len(list))
	for i, item := range list {
		op, err := parseOperation(item)
		if err != nil {
			err.Detail = fmt.Sprintf("Operations[%d]: %s", i, err.Detail)
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func parseOperation(item any) (Operation, *Error) {
	m, ok := item.(map[string]any)
	if !ok {
		return Operation{}, errorf(InvalidSyntax, "an operation must be a JSON object, got %s", kind(item))
	}
	rawOp, _ := member(m, "op")
	name, ok := rawOp.(string)
	if !ok {
		return Operation{}, errorf(InvalidSyntax, `"op" must be one of "add", "replace" or "remove", got %s`, describe(rawOp))
	}
	op := Operation{Op: strings.ToLower(name)}
	switch op.Op {
	case "add", "replace", "remove":
	default:
		return Operation{}, errorf(InvalidSyntax, `"op" must be one of "add", "replace" or "remove", got %q`, name)
	}
	if rawPath, found := member(m, "path"); found && rawPath != nil {
		p, ok := rawPath.(string)
		if !ok {
			return Operation{}, errorf(InvalidSyntax, `"path" must be a string, got %s`, kind(rawPath))
		}
		op.Path = strings.TrimSpace(p)
		if op.Path != "" && !isSchemaPath(op.Path) {
			if _, err := filter.ParsePath(op.Path); err != nil {
				return Operation{}, errorf(InvalidPath, "%s", err.Error())
			}
		}
	}
	value, hasValue := member(m, "value")
	if op.Op != "remove" && !hasValue {
		return Operation{}, errorf(InvalidValue, `%q needs a "value"`, op.Op)
	}
	op.Value = value
	return op, nil
}

// member returns m's member whose name equals name case-insensitively,
// preferring an exact match.
func member(m map[string]any, name string) (any, bool) {
	k, ok := findKey(m, name)
	if !ok {
		return nil, false
	}
	return m[k], true
}

func hasPatchOpSchema(v any) bool {
	list, ok := v.([]any)
	if !ok {
		return false
	}
	for _, s := range list {
		if str, ok := s.(string); ok && strings.EqualFold(str, PatchOpURN) {
			return true
		}
	}
	return false
}

// kind names the JSON type of v for error messages.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number, float64, float32, int, int64, int32:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

// describe shows a scalar value, or the kind of a composite one.
func describe(v any) string {
	switch t := v.(type) {
	case string:
		return fmt.Sprintf("%q", t)
	case nil:
		return "null"
	case bool, json.Number, float64, int:
		return fmt.Sprint(t)
	}
	return kind(v)
}
