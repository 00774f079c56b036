package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Field is a user column a [Cond] can test. Only columns that mirror a
// user's SCIM attribute exactly are offered, so a condition on them means
// the same as the SCIM filter it was translated from.
type Field int

// The fields a condition can test.
const (
	// FieldUserNameKey is the folded userName (User.UserNameKey).
	FieldUserNameKey Field = iota + 1
	// FieldID is the user's id.
	FieldID
	// FieldExternalID is the externalId; unset for users without one.
	FieldExternalID
	// FieldActive is the active flag; only CondEq with Bool tests it.
	FieldActive
)

// CondOp is the operator of a [Cond].
type CondOp int

// The operators of a condition. String comparisons are byte-wise on UTF-8
// (Go's strings.Compare); any comparison of an unset field is false;
// evaluation is two-valued (no SQL NULL leaks out), so CondNot is an exact
// negation.
const (
	CondTrue     CondOp = iota + 1 // every user
	CondFalse                      // no user
	CondAnd                        // every kid holds
	CondOr                         // some kid holds
	CondNot                        // the single kid does not hold
	CondEq                         // Field equals Str (Bool for FieldActive)
	CondLt                         // Field < Str
	CondLe                         // Field <= Str
	CondGt                         // Field > Str
	CondGe                         // Field >= Str
	CondContains                   // Field contains Str
	CondPrefix                     // Field starts with Str
	CondSuffix                     // Field ends with Str
	CondPresent                    // Field is set
)

// Cond is a condition on a user's columns that both backends translate to
// SQL from a fixed set of templates (no text of the condition itself ever
// reaches the SQL: values are bound parameters).
type Cond struct {
	Op    CondOp
	Field Field  // comparisons and CondPresent
	Str   string // the operand of string comparisons
	Bool  bool   // the operand of CondEq on FieldActive
	Kids  []Cond // CondAnd, CondOr (any number), CondNot (exactly one)
}

// maxCondDepth bounds the nesting of a condition (filters are bounded by
// the filter parser already; this keeps the store safe on its own).
const maxCondDepth = 64

// Valid checks that c is well formed.
func (c Cond) Valid() error { return c.valid(0) }

func (c Cond) valid(depth int) error {
	if depth > maxCondDepth {
		return errors.New("store: condition nested too deeply")
	}
	switch c.Op {
	case CondTrue, CondFalse:
		return nil
	case CondAnd, CondOr:
		for _, k := range c.Kids {
			if err := k.valid(depth + 1); err != nil {
				return err
			}
		}
		return nil
	case CondNot:
		if len(c.Kids) != 1 {
			return errors.New("store: a not condition needs exactly one operand")
		}
		return c.Kids[0].valid(depth + 1)
	case CondEq, CondLt, CondLe, CondGt, CondGe, CondContains, CondPrefix, CondSuffix, CondPresent:
		switch c.Field {
		case FieldUserNameKey, FieldID, FieldExternalID:
			return nil
		case FieldActive:
			if c.Op == CondEq || c.Op == CondPresent {
				return nil
			}
			return errors.New("store: active can only be tested for equality")
		}
		return fmt.Errorf("store: unknown condition field %d", c.Field)
	}
	return fmt.Errorf("store: unknown condition operator %d", c.Op)
}

// Dialect is how one backend spells the condition templates.
type Dialect struct {
	// param returns the placeholder of the n-th (1-based) bound value.
	param func(n int) string
	// ordered is the comparison of a string column with a parameter in
	// byte order (op is <, <=, >, >=).
	ordered func(col, op, p string) string
	// contains, prefix and suffix test a string column against a parameter
	// that may be repeated in the text.
	contains, prefix, suffix func(col, p string) string
	// active is the test of the active column against b.
	active func(b bool) string
}

// sqliteDialect spells conditions for SQLite (BINARY collation compares
// bytes; length and substr count characters on both sides alike).
func sqliteDialect() Dialect {
	return Dialect{
		param:    func(n int) string { return "?" + strconv.Itoa(n) },
		ordered:  func(col, op, p string) string { return col + " " + op + " " + p },
		contains: func(col, p string) string { return "instr(" + col + ", " + p + ") > 0" },
		prefix:   func(col, p string) string { return "substr(" + col + ", 1, length(" + p + ")) = " + p },
		suffix: func(col, p string) string {
			return "(length(" + col + ") >= length(" + p + ") AND substr(" + col + ", length(" + col + ") - length(" + p + ") + 1) = " + p + ")"
		},
		active: func(b bool) string {
			if b {
				return "active = 1"
			}
			return "active = 0"
		},
	}
}

// PostgresDialect spells conditions for PostgreSQL (COLLATE "C" orders by bytes).
func PostgresDialect() Dialect {
	return Dialect{
		param:    func(n int) string { return "$" + strconv.Itoa(n) },
		ordered:  func(col, op, p string) string { return col + ` COLLATE "C" ` + op + " " + p + `::text COLLATE "C"` },
		contains: func(col, p string) string { return "strpos(" + col + ", " + p + "::text) > 0" },
		prefix:   func(col, p string) string { return "starts_with(" + col + ", " + p + "::text)" },
		suffix: func(col, p string) string {
			return "right(" + col + ", char_length(" + p + "::text)) = " + p + "::text"
		},
		active: func(b bool) string {
			if b {
				return "active"
			}
			return "NOT active"
		},
	}
}

// CondSQL renders c as a boolean SQL expression; bound values are appended
// to args, whose current length numbers the placeholders.
func CondSQL(c Cond, d Dialect, args *[]any) (string, error) {
	if err := c.Valid(); err != nil {
		return "", err
	}
	var b strings.Builder
	renderCond(&b, c, d, args)
	return b.String(), nil
}

func renderCond(b *strings.Builder, c Cond, d Dialect, args *[]any) {
	bind := func(v any) string {
		*args = append(*args, v)
		return d.param(len(*args))
	}
	switch c.Op {
	case CondTrue:
		b.WriteString("(1 = 1)")
		return
	case CondFalse:
		b.WriteString("(1 = 0)")
		return
	case CondAnd, CondOr:
		if len(c.Kids) == 0 {
			if c.Op == CondAnd {
				b.WriteString("(1 = 1)")
			} else {
				b.WriteString("(1 = 0)")
			}
			return
		}
		sep := " AND "
		if c.Op == CondOr {
			sep = " OR "
		}
		b.WriteByte('(')
		for i, k := range c.Kids {
			if i > 0 {
				b.WriteString(sep)
			}
			renderCond(b, k, d, args)
		}
		b.WriteByte(')')
		return
	case CondNot:
		b.WriteString("(NOT ")
		renderCond(b, c.Kids[0], d, args)
		b.WriteByte(')')
		return
	}
	if c.Field == FieldActive {
		if c.Op == CondPresent {
			b.WriteString("(1 = 1)")
			return
		}
		b.WriteString("(" + d.active(c.Bool) + ")")
		return
	}
	col, nullable := "user_name_key", false
	switch c.Field {
	case FieldID:
		col = "id"
	case FieldExternalID:
		col, nullable = "external_id", true
	}
	var test string
	switch c.Op {
	case CondPresent:
		if !nullable {
			b.WriteString("(1 = 1)")
			return
		}
		b.WriteString("(" + col + " IS NOT NULL)")
		return
	case CondEq:
		test = col + " = " + bind(c.Str)
	case CondLt, CondLe, CondGt, CondGe:
		op := map[CondOp]string{CondLt: "<", CondLe: "<=", CondGt: ">", CondGe: ">="}[c.Op]
		test = d.ordered(col, op, bind(c.Str))
	case CondContains, CondPrefix, CondSuffix:
		if c.Str == "" { // every string contains, starts and ends with ""
			if nullable {
				b.WriteString("(" + col + " IS NOT NULL)")
			} else {
				b.WriteString("(1 = 1)")
			}
			return
		}
		p := bind(c.Str)
		switch c.Op {
		case CondContains:
			test = d.contains(col, p)
		case CondPrefix:
			test = d.prefix(col, p)
		default:
			test = d.suffix(col, p)
		}
	}
	if nullable {
		b.WriteString("(" + col + " IS NOT NULL AND " + test + ")")
		return
	}
	b.WriteString("(" + test + ")")
}
