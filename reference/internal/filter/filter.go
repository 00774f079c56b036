// Package filter parses and evaluates SCIM 2.0 filter expressions
// (RFC 7644 §3.4.2.2) and PATCH attribute paths (RFC 7644 §3.5.2).
//
// The parser is a hand-written recursive descent over the whole filter
// grammar: attribute paths with an optional schema URN prefix and one
// sub-attribute, the comparison operators eq ne co sw ew gt ge lt le pr,
// the logical operators not, and, or (in that order of precedence),
// parentheses, and value paths such as emails[type eq "work"], optionally
// followed by a sub-attribute comparison (emails[type eq "work"].value eq "x").
// Keywords and operators are case-insensitive; literals are JSON strings,
// JSON numbers, true, false and null.
//
// Input is limited to [MaxLength] bytes and [MaxDepth] levels of nesting, so
// no input can exhaust the stack. Every parse error is an [*Error] whose
// Detail says what was expected and at which character position.
package filter

import (
	"bytes"
	"encoding/json"
	"strings"
)

// MaxLength is the longest filter or path, in bytes, that Parse and ParsePath accept.
const MaxLength = 4096

// MaxDepth is the deepest nesting of parentheses, not(...) and value filters
// that Parse accepts.
const MaxDepth = 32

// CoreUserURN is the schema URN of the core User resource (RFC 7643 §4.1).
// Attribute paths qualified with it refer to top-level attributes.
const CoreUserURN = "urn:ietf:params:scim:schemas:core:2.0:User"

// EnterpriseUserURN is the schema URN of the enterprise User extension
// (RFC 7643 §4.3). Its attributes live in an object under this key.
const EnterpriseUserURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// Expr is a parsed filter expression: one of [*Compare], [*Logical], [*Not]
// or [*ValuePath].
type Expr interface {
	// String returns the canonical form of the expression: operators and
	// keywords in lower case, single spaces, literals re-encoded as JSON and
	// only the parentheses that precedence requires. Parsing the canonical
	// form yields the same canonical form (the canonical form may be a few
	// bytes longer than the input, so it can exceed MaxLength).
	String() string

	write(b *strings.Builder)
	prec() int
	eval(obj map[string]any, scope string) bool
}

// Error is a parse error. Detail is a complete sentence for a SCIM error
// body; positions count characters (not bytes) from 1, e.g. `invalid filter at position 10: expected a comparison operator
// (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after "userName", got "equals"`.
type Error struct {
	Detail string
}

// Error returns the detail.
func (e *Error) Error() string { return e.Detail }

// AttrPath is an attribute path: an optional schema URN, an attribute name
// and an optional sub-attribute name, spelled as in the input.
type AttrPath struct {
	URN  string // e.g. "urn:ietf:params:scim:schemas:core:2.0:User"; "" when absent
	Name string // e.g. "name"
	Sub  string // e.g. "givenName"; "" when absent
}

// String returns the path as written: [URN ":"] Name ["." Sub].
func (p AttrPath) String() string {
	var b strings.Builder
	p.write(&b)
	return b.String()
}

func (p AttrPath) write(b *strings.Builder) {
	if p.URN != "" {
		b.WriteString(p.URN)
		b.WriteByte(':')
	}
	b.WriteString(p.Name)
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
}

// InCoreSchema reports whether the path refers to the core User schema
// (no URN, or the core User URN).
func (p AttrPath) InCoreSchema() bool {
	return p.URN == "" || strings.EqualFold(p.URN, CoreUserURN)
}

// Compare is an attribute comparison: Path Op Value, or Path pr.
type Compare struct {
	Path AttrPath
	// Op is one of eq ne co sw ew gt ge lt le pr, lower case.
	Op string
	// Value is a string, a json.Number, a bool, or nil (the null literal,
	// and always for pr).
	Value any
}

// Logical is a conjunction or disjunction of two expressions.
type Logical struct {
	Op          string // "and" or "or"
	Left, Right Expr
}

// Not negates an expression: not (X).
type Not struct {
	X Expr
}

// ValuePath is a filter on the elements of a (multi-valued) complex
// attribute: Path[Filter], optionally followed by a comparison of a
// sub-attribute of the matching elements (Path[Filter].sub op value).
type ValuePath struct {
	Path   AttrPath
	Filter Expr
	// Then is nil for a bare value path; otherwise its Path.Name is the
	// sub-attribute compared on each element that matches Filter.
	Then *Compare
}

// String returns the canonical form.
func (c *Compare) String() string { return str(c) }

// String returns the canonical form.
func (l *Logical) String() string { return str(l) }

// String returns the canonical form.
func (n *Not) String() string { return str(n) }

// String returns the canonical form.
func (v *ValuePath) String() string { return str(v) }

func str(e Expr) string {
	var b strings.Builder
	e.write(&b)
	return b.String()
}

const (
	precOr = iota + 1
	precAnd
	precUnary
)

func (c *Compare) prec() int { return precUnary }
func (l *Logical) prec() int {
	if l.Op == "and" {
		return precAnd
	}
	return precOr
}
func (n *Not) prec() int       { return precUnary }
func (v *ValuePath) prec() int { return precUnary }

func (c *Compare) write(b *strings.Builder) {
	c.Path.write(b)
	b.WriteByte(' ')
	b.WriteString(c.Op)
	if c.Op != "pr" {
		b.WriteByte(' ')
		writeLiteral(b, c.Value)
	}
}

func (l *Logical) write(b *strings.Builder) {
	p := l.prec()
	writeChild(b, l.Left, l.Left.prec() < p)
	b.WriteByte(' ')
	b.WriteString(l.Op)
	b.WriteByte(' ')
	// Same-precedence right operands keep their parentheses so that the
	// canonical form parses back to the same tree.
	writeChild(b, l.Right, l.Right.prec() <= p)
}

func writeChild(b *strings.Builder, e Expr, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	e.write(b)
	if paren {
		b.WriteByte(')')
	}
}

func (n *Not) write(b *strings.Builder) {
	b.WriteString("not (")
	n.X.write(b)
	b.WriteByte(')')
}

func (v *ValuePath) write(b *strings.Builder) {
	v.Path.write(b)
	b.WriteByte('[')
	v.Filter.write(b)
	b.WriteByte(']')
	if v.Then != nil {
		b.WriteByte('.')
		v.Then.write(b)
	}
}

func writeLiteral(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case json.Number:
		b.WriteString(string(x))
	case string:
		b.WriteString(quote(x))
	default:
		b.WriteString("null")
	}
}

// quote encodes s as a JSON string without HTML escaping.
func quote(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return `""`
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// Equality reports whether e is exactly one top-level comparison
// `attr eq "string"` in the core User schema (no URN or the core User URN).
// attr is returned in canonical core-schema spelling without URN prefix
// ("userName", "externalId", "id", "name.givenName", "emails.value"), matched
// case-insensitively; unknown names are returned as written. The server can
// answer such filters from an index; anything else goes through [Match].
func Equality(e Expr) (attr, value string, ok bool) {
	c, isCmp := e.(*Compare)
	if !isCmp || c.Op != "eq" || !c.Path.InCoreSchema() {
		return "", "", false
	}
	s, isStr := c.Value.(string)
	if !isStr {
		return "", "", false
	}
	attr = CanonicalName(c.Path.Name)
	if c.Path.Sub != "" {
		attr += "." + CanonicalName(c.Path.Sub)
	}
	return attr, s, true
}
