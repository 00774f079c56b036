package reference

import (
	"strings"

	"github.com/xakia-okta/scimtest/reference/internal/filter"
	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// Filters evaluated by the store.
//
// filter.Match on the full representation is the meaning of every filter.
// storeCond translates the parts of a filter whose meaning the store's
// columns hold exactly (an allow-list: userName through its folded key, id,
// externalId and active, compared with a literal) into a store.Cond that
// both backends render to SQL. Anything else (other attributes, value
// paths, extension URNs, literals that may be date-times, whose comparison
// is chronological) becomes "true", and the translation is then only a
// superset: the server re-checks each candidate with filter.Match.

// storeCond translates e. exact reports whether the condition selects
// exactly the users filter.Match accepts; otherwise it selects a superset.
func (s *Server) storeCond(e filter.Expr) (c store.Cond, exact bool) {
	switch x := e.(type) {
	case *filter.Logical:
		l, lx := s.storeCond(x.Left)
		r, rx := s.storeCond(x.Right)
		op := store.CondAnd
		if x.Op == "or" {
			op = store.CondOr
		}
		return store.Cond{Op: op, Kids: []store.Cond{l, r}}, lx && rx
	case *filter.Not:
		k, kx := s.storeCond(x.X)
		if !kx {
			return condTrue, false
		}
		return not(k), true
	case *filter.Compare:
		return s.compareCond(x)
	}
	return condTrue, false
}

var (
	condTrue  = store.Cond{Op: store.CondTrue}
	condFalse = store.Cond{Op: store.CondFalse}
)

func not(c store.Cond) store.Cond { return store.Cond{Op: store.CondNot, Kids: []store.Cond{c}} }

// compareCond translates one comparison on a top-level core attribute.
func (s *Server) compareCond(c *filter.Compare) (store.Cond, bool) {
	if !c.Path.InCoreSchema() || c.Path.Sub != "" {
		return condTrue, false
	}
	var field store.Field
	switch strings.ToLower(c.Path.Name) {
	case "username":
		if s.faults.Has(faultCaseSensitiveName) {
			return condTrue, false // the key is not the folded userName
		}
		field = store.FieldUserNameKey
	case "id":
		field = store.FieldID
	case "externalid":
		field = store.FieldExternalID
	case "active":
		field = store.FieldActive
	default:
		return condTrue, false
	}
	if c.Op == "pr" {
		return store.Cond{Op: store.CondPresent, Field: field}, true
	}
	if c.Op == "ne" {
		eq, exact := s.compareCond(&filter.Compare{Path: c.Path, Op: "eq", Value: c.Value})
		if !exact {
			return condTrue, false
		}
		return not(eq), true
	}
	switch v := c.Value.(type) {
	case nil:
		// eq null: the attribute is absent; any other operator never holds.
		if c.Op != "eq" {
			return condFalse, true
		}
		if field == store.FieldExternalID {
			return not(store.Cond{Op: store.CondPresent, Field: field}), true
		}
		return condFalse, true // userName, id and active are always present
	case bool:
		if field == store.FieldActive && c.Op == "eq" {
			return store.Cond{Op: store.CondEq, Field: field, Bool: v}, true
		}
		return condFalse, true // booleans only compare with eq, to booleans
	case string:
		if field == store.FieldActive {
			return condFalse, true
		}
		op, ok := stringOps[c.Op]
		if !ok {
			return condTrue, false
		}
		if mayBeTime(v) && (c.Op == "eq" || c.Op == "gt" || c.Op == "ge" || c.Op == "lt" || c.Op == "le") {
			return condTrue, false // compared chronologically when the value is a date-time too
		}
		if field == store.FieldUserNameKey {
			v = FoldUserName(v) // the same folding as filter.Match's case-insensitive compare
		}
		return store.Cond{Op: op, Field: field, Str: v}, true
	}
	return condFalse, true // a number never equals a string or a boolean
}

// stringOps maps filter operators to store operators on strings.
var stringOps = map[string]store.CondOp{
	"eq": store.CondEq, "gt": store.CondGt, "ge": store.CondGe, "lt": store.CondLt, "le": store.CondLe,
	"co": store.CondContains, "sw": store.CondPrefix, "ew": store.CondSuffix,
}

// mayBeTime reports whether s could parse as an RFC 3339 date-time (the
// filter's test looks at the same positions before parsing): such literals
// are left to filter.Match.
func mayBeTime(s string) bool {
	return len(s) >= 20 && s[4] == '-' && (s[10] == 'T' || s[10] == 't')
}

// alwaysTrue reports whether c holds for every user (userName pr, id pr,
// and-ed together): such a filter is answered like no filter, from the
// maintained count and a keyset page.
func alwaysTrue(c store.Cond) bool {
	switch c.Op {
	case store.CondTrue:
		return true
	case store.CondPresent:
		return c.Field != store.FieldExternalID
	case store.CondAnd:
		for _, k := range c.Kids {
			if !alwaysTrue(k) {
				return false
			}
		}
		return true
	case store.CondOr:
		for _, k := range c.Kids {
			if alwaysTrue(k) {
				return true
			}
		}
	}
	return false
}
