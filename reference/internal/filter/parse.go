package filter

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// jsonNumber matches a JSON number (RFC 8259 §6).
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// comparisonOps lists the comparison operators in the order error messages name them.
const comparisonOps = "eq, ne, co, sw, ew, gt, ge, lt, le, pr"

type tokKind int

const (
	tEOF tokKind = iota
	tWord
	tString
	tLParen
	tRParen
	tLBrack
	tRBrack
)

type token struct {
	kind  tokKind
	text  string // raw text as in the input (strings include their quotes)
	start int    // byte offset
	end   int    // byte offset just past the token
}

type parser struct {
	src   string
	pos   int    // byte offset of the next unread byte
	depth int    // current nesting of (, not( and [
	what  string // "filter" or "path", for error messages

	maxLength int // longest accepted input in bytes
}

// Parse parses a SCIM filter (RFC 7644 §3.4.2.2). The error is an [*Error].
//
// As in the RFC grammar, "not" must be followed by a parenthesised filter,
// and value filters (emails[...]) cannot be nested. co, sw and ew take a
// string; gt, ge, lt and le take a string or a number; pr takes no value.
func Parse(s string) (Expr, error) {
	return parse(s, MaxLength)
}

// parse is Parse with a length limit; the canonical form of a filter may
// be longer than the filter (spaces are added), so tests re-parse it with
// a larger limit.
func parse(s string, maxLength int) (Expr, error) {
	p := &parser{src: s, what: "filter", maxLength: maxLength}
	if err := p.checkInput(); err != nil {
		return nil, err
	}
	e, err := p.parseOr(false)
	if err != nil {
		return nil, err
	}
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	if t.kind != tEOF {
		if t.kind == tRParen {
			return nil, p.errAt(t.start, `unbalanced ")": no "(" is open`)
		}
		if t.kind == tRBrack {
			return nil, p.errAt(t.start, `unbalanced "]": no "[" is open`)
		}
		return nil, p.errAt(t.start, `expected "and", "or" or the end of the filter, got %s`, p.desc(t))
	}
	return e, nil
}

// Path is a PATCH operation path (RFC 7644 §3.5.2):
// attrPath, or valuePath optionally followed by a sub-attribute.
type Path struct {
	Attr   AttrPath // the attribute, e.g. {Name: "emails"} or {Name: "name", Sub: "givenName"}
	Filter Expr     // the value filter of emails[type eq "work"]; nil when absent
	Sub    string   // the sub-attribute after the value filter, e.g. "value"; "" when absent
}

// String returns the canonical form of the path.
func (p Path) String() string {
	var b strings.Builder
	p.Attr.write(&b)
	if p.Filter != nil {
		b.WriteByte('[')
		p.Filter.write(&b)
		b.WriteByte(']')
		if p.Sub != "" {
			b.WriteByte('.')
			b.WriteString(p.Sub)
		}
	}
	return b.String()
}

// ParsePath parses a PATCH path such as `name.givenName`,
// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department` or
// `emails[type eq "work"].value`. The error is an [*Error] whose Detail starts
// with "invalid path".
func ParsePath(s string) (Path, error) {
	p := &parser{src: s, what: "path", maxLength: MaxLength}
	if err := p.checkInput(); err != nil {
		return Path{}, err
	}
	t, err := p.next()
	if err != nil {
		return Path{}, err
	}
	if t.kind != tWord {
		return Path{}, p.errAt(t.start, "expected an attribute name, got %s", p.desc(t))
	}
	ap, err := p.attrPath(t)
	if err != nil {
		return Path{}, err
	}
	out := Path{Attr: ap}
	t, err = p.next()
	if err != nil {
		return Path{}, err
	}
	if t.kind == tLBrack {
		if ap.Sub != "" {
			return Path{}, p.errAt(t.start, "a value filter must follow a multi-valued attribute, not the sub-attribute %q", ap.String())
		}
		f, sub, err := p.valueFilter(t)
		if err != nil {
			return Path{}, err
		}
		out.Filter, out.Sub = f, sub
		t, err = p.next()
		if err != nil {
			return Path{}, err
		}
	}
	if t.kind != tEOF {
		if t.kind == tRBrack {
			return Path{}, p.errAt(t.start, `unbalanced "]": no "[" is open`)
		}
		return Path{}, p.errAt(t.start, "expected the end of the path, got %s", p.desc(t))
	}
	return out, nil
}

func (p *parser) checkInput() error {
	if len(p.src) > p.maxLength {
		return &Error{Detail: fmt.Sprintf("invalid %s: longer than %d bytes", p.what, p.maxLength)}
	}
	if strings.TrimSpace(p.src) == "" {
		return &Error{Detail: fmt.Sprintf("invalid %s at position 1: the %s is empty", p.what, p.what)}
	}
	for i := 0; i < len(p.src); {
		r, n := utf8.DecodeRuneInString(p.src[i:])
		if r == utf8.RuneError && n == 1 {
			return p.errAt(i, "the %s is not valid UTF-8", p.what)
		}
		i += n
	}
	return nil
}

// errAt builds an *Error at byte offset off, reported as a 1-based character position.
func (p *parser) errAt(off int, format string, args ...any) *Error {
	if off > len(p.src) {
		off = len(p.src)
	}
	pos := utf8.RuneCountInString(p.src[:off]) + 1
	return &Error{Detail: fmt.Sprintf("invalid %s at position %d: %s", p.what, pos, fmt.Sprintf(format, args...))}
}

// desc describes a token for "got ..." in error messages.
func (p *parser) desc(t token) string {
	if t.kind == tEOF {
		return "the end of the " + p.what
	}
	s := t.text
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "..."
	}
	if t.kind == tString {
		return s // already quoted
	}
	return fmt.Sprintf("%q", s)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isDelim(c byte) bool {
	return isSpace(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == '"'
}

// next reads the next token.
func (p *parser) next() (token, error) {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
	start := p.pos
	if start >= len(p.src) {
		return token{kind: tEOF, start: start, end: start}, nil
	}
	var k tokKind
	switch p.src[start] {
	case '(':
		k = tLParen
	case ')':
		k = tRParen
	case '[':
		k = tLBrack
	case ']':
		k = tRBrack
	case '"':
		i := start + 1
		for i < len(p.src) && p.src[i] != '"' {
			if p.src[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(p.src) {
			return token{}, p.errAt(start, `unterminated string: expected a closing '"' for the string starting here`)
		}
		p.pos = i + 1
		return token{kind: tString, text: p.src[start:p.pos], start: start, end: p.pos}, nil
	default:
		i := start
		for i < len(p.src) && !isDelim(p.src[i]) {
			i++
		}
		p.pos = i
		return token{kind: tWord, text: p.src[start:i], start: start, end: i}, nil
	}
	p.pos = start + 1
	return token{kind: k, text: p.src[start:p.pos], start: start, end: p.pos}, nil
}

// peek returns the next token without consuming it.
func (p *parser) peek() (token, error) {
	save := p.pos
	t, err := p.next()
	p.pos = save
	return t, err
}

func isWord(t token, w string) bool { return t.kind == tWord && strings.EqualFold(t.text, w) }

func (p *parser) enter(t token) error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errAt(t.start, "nested deeper than %d levels of parentheses and brackets", MaxDepth)
	}
	return nil
}

// parseOr parses: andExpr *("or" andExpr).
func (p *parser) parseOr(inBracket bool) (Expr, error) {
	return p.parseChain("or", p.parseAnd, inBracket)
}

// parseAnd parses: unary *("and" unary).
func (p *parser) parseAnd(inBracket bool) (Expr, error) {
	return p.parseChain("and", p.parseUnary, inBracket)
}

// parseChain parses operand *(op operand), left-associative.
func (p *parser) parseChain(op string, operand func(bool) (Expr, error), inBracket bool) (Expr, error) {
	left, err := operand(inBracket)
	if err != nil {
		return nil, err
	}
	for {
		t, err := p.peek()
		if err != nil {
			return nil, err
		}
		if !isWord(t, op) {
			return left, nil
		}
		p.pos = t.end
		right, err := operand(inBracket)
		if err != nil {
			return nil, err
		}
		left = &Logical{Op: op, Left: left, Right: right}
	}
}

// parseUnary parses: "not" "(" filter ")" / "(" filter ")" / attrExp / valuePath.
func (p *parser) parseUnary(inBracket bool) (Expr, error) {
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	switch {
	case t.kind == tLParen:
		return p.group(t, inBracket)
	case isWord(t, "not"):
		open, err := p.next()
		if err != nil {
			return nil, err
		}
		if open.kind != tLParen {
			return nil, p.errAt(open.start, `expected "(" after "not", got %s`, p.desc(open))
		}
		x, err := p.group(open, inBracket)
		if err != nil {
			return nil, err
		}
		return &Not{X: x}, nil
	case isWord(t, "and") || isWord(t, "or"):
		return nil, p.errAt(t.start, `expected an attribute name, "(" or "not" before %q`, t.text)
	case t.kind == tWord:
		return p.attrExpr(t, inBracket)
	default:
		return nil, p.errAt(t.start, `expected an attribute name, "(" or "not", got %s`, p.desc(t))
	}
}

// group parses the rest of "(" filter ")" after the opening parenthesis.
func (p *parser) group(open token, inBracket bool) (Expr, error) {
	if err := p.enter(open); err != nil {
		return nil, err
	}
	x, err := p.parseOr(inBracket)
	if err != nil {
		return nil, err
	}
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	if t.kind != tRParen {
		return nil, p.errAt(t.start, `expected "and", "or" or ")" to close the "(" at position %d, got %s`,
			utf8.RuneCountInString(p.src[:open.start])+1, p.desc(t))
	}
	p.depth--
	return x, nil
}

// attrExpr parses an attribute comparison or a value path starting with word t.
func (p *parser) attrExpr(t token, inBracket bool) (Expr, error) {
	path, err := p.attrPath(t)
	if err != nil {
		return nil, err
	}
	nt, err := p.peek()
	if err != nil {
		return nil, err
	}
	if nt.kind != tLBrack {
		return p.comparison(path, t)
	}
	if inBracket {
		return nil, p.errAt(nt.start, "value filters cannot be nested: %q is already inside [...]", path.String())
	}
	p.pos = nt.end
	f, sub, err := p.valueFilter(nt)
	if err != nil {
		return nil, err
	}
	vp := &ValuePath{Path: path, Filter: f}
	if sub != "" {
		sp := AttrPath{Name: sub}
		c, err := p.comparison(sp, token{text: p.src[t.start:p.pos], start: t.start})
		if err != nil {
			return nil, err
		}
		vp.Then = c.(*Compare)
	}
	return vp, nil
}

// valueFilter parses the rest of "[" valFilter "]" ["." subAttr] after the
// opening bracket and returns the filter and the sub-attribute ("" when absent).
func (p *parser) valueFilter(open token) (Expr, string, error) {
	if err := p.enter(open); err != nil {
		return nil, "", err
	}
	f, err := p.parseOr(true)
	if err != nil {
		return nil, "", err
	}
	t, err := p.next()
	if err != nil {
		return nil, "", err
	}
	if t.kind != tRBrack {
		return nil, "", p.errAt(t.start, `expected "and", "or" or "]" to close the "[" at position %d, got %s`,
			utf8.RuneCountInString(p.src[:open.start])+1, p.desc(t))
	}
	p.depth--
	// An optional ".sub" must follow "]" immediately.
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		w, err := p.next()
		if err != nil {
			return nil, "", err
		}
		name := w.text[1:]
		if name == "" {
			return nil, "", p.errAt(w.start+1, `expected a sub-attribute name after "].", got %s`, p.descAt(w.start+1))
		}
		if err := p.checkName(name, w.start+1, "sub-attribute"); err != nil {
			return nil, "", err
		}
		return f, name, nil
	}
	return f, "", nil
}

// descAt describes the input at byte offset off.
func (p *parser) descAt(off int) string {
	save := p.pos
	p.pos = off
	t, err := p.next()
	p.pos = save
	if err != nil {
		return "an unterminated string"
	}
	return p.desc(t)
}

// attrPath validates word t as attrPath = [URI ":"] ATTRNAME ["." subAttr].
func (p *parser) attrPath(t token) (AttrPath, error) {
	w := t.text
	var ap AttrPath
	rest, restOff := w, t.start
	if len(w) >= 4 && strings.EqualFold(w[:4], "urn:") {
		i := strings.LastIndexByte(w, ':')
		ap.URN = w[:i]
		for j, seg := range strings.Split(ap.URN, ":") {
			if seg == "" {
				return AttrPath{}, p.errAt(t.start, "schema URN %q has an empty segment (number %d)", ap.URN, j+1)
			}
		}
		rest, restOff = w[i+1:], t.start+i+1
		if rest == "" {
			return AttrPath{}, p.errAt(restOff, "expected an attribute name after the schema URN %q", ap.URN)
		}
	}
	name, sub, hasDot := strings.Cut(rest, ".")
	if err := p.checkName(name, restOff, "attribute"); err != nil {
		return AttrPath{}, err
	}
	ap.Name = name
	if hasDot {
		subOff := restOff + len(name) + 1
		if sub == "" || sub[0] == '.' {
			return AttrPath{}, p.errAt(subOff, "expected a sub-attribute name after %q", w[:subOff-t.start])
		}
		if i := strings.IndexByte(sub, '.'); i >= 0 {
			return AttrPath{}, p.errAt(subOff+i, "an attribute path has at most one sub-attribute (attr.sub), got %q", w)
		}
		if err := p.checkName(sub, subOff, "sub-attribute"); err != nil {
			return AttrPath{}, err
		}
		ap.Sub = sub
	}
	return ap, nil
}

// checkName validates ATTRNAME = ALPHA *(ALPHA / DIGIT / "-" / "_"), also
// allowing "$ref" (RFC 7643 §2.1 reference sub-attributes).
func (p *parser) checkName(name string, off int, kind string) error {
	if strings.EqualFold(name, "$ref") {
		return nil
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		ok := alpha || i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '_')
		if !ok {
			r, _ := utf8.DecodeRuneInString(name[i:])
			return p.errAt(off+i, "invalid character %q in %s name %q: names start with a letter and contain letters, digits, '-' and '_'", r, kind, name)
		}
	}
	return nil
}

// comparison parses compareOp compValue / "pr" after the attribute path.
func (p *parser) comparison(path AttrPath, pathTok token) (Expr, error) {
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	op := strings.ToLower(t.text)
	if t.kind != tWord || !isOp(op) {
		return nil, p.errAt(t.start, "expected a comparison operator (%s) after %q, got %s", comparisonOps, pathTok.text, p.desc(t))
	}
	if op == "pr" {
		nt, err := p.peek()
		if err != nil {
			return nil, err
		}
		if nt.kind == tString || nt.kind == tWord && isLiteralWord(nt.text) {
			return nil, p.errAt(nt.start, `"pr" takes no value, got %s`, p.desc(nt))
		}
		return &Compare{Path: path, Op: op}, nil
	}
	vt, err := p.next()
	if err != nil {
		return nil, err
	}
	v, err := p.literal(vt, op)
	if err != nil {
		return nil, err
	}
	switch op {
	case "gt", "ge", "lt", "le":
		if _, isStr := v.(string); !isStr {
			if _, isNum := v.(json.Number); !isNum {
				return nil, p.errAt(vt.start, "%q compares strings, numbers and dates, not %s", op, strings.ToLower(vt.text))
			}
		}
	case "co", "sw", "ew":
		if _, isStr := v.(string); !isStr {
			return nil, p.errAt(vt.start, "%q needs a string value in double quotes, got %s", op, p.desc(vt))
		}
	}
	return &Compare{Path: path, Op: op, Value: v}, nil
}

func isOp(op string) bool {
	switch op {
	case "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr":
		return true
	}
	return false
}

func isLiteralWord(w string) bool {
	switch strings.ToLower(w) {
	case "true", "false", "null":
		return true
	}
	return jsonNumber.MatchString(w)
}

// literal decodes compValue = false / null / true / number / string.
func (p *parser) literal(t token, op string) (any, error) {
	switch t.kind {
	case tString:
		var s string
		if err := json.Unmarshal([]byte(t.text), &s); err != nil {
			return nil, p.errAt(t.start, "invalid string literal %s: use JSON escapes (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX) and no control characters", p.desc(t))
		}
		return s, nil
	case tWord:
		switch strings.ToLower(t.text) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		if jsonNumber.MatchString(t.text) {
			return json.Number(t.text), nil
		}
	}
	return nil, p.errAt(t.start, "expected a value after %q (a string in double quotes, a number, true, false or null), got %s", op, p.desc(t))
}
