package org

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/mockokta"
)

// Expression is a parsed `search` or `filter` expression of the Users API:
// comparisons `ATTR OP "VALUE"` (or `ATTR pr`) joined by `and` / `or`
// (`and` binds tighter; parentheses are not supported). ATTR is id, status,
// created, activated, statusChanged, lastUpdated or profile.login,
// profile.email, profile.firstName, profile.lastName, profile.displayName,
// profile.locale; OP is eq, ne, sw, co, pr, gt, ge, lt or le. String
// comparisons ignore case; timestamps compare as RFC 3339 instants.
type Expression struct {
	// or of ands
	terms [][]comparison
}

type comparison struct {
	attr, op, value string
}

// maxExpression bounds the length of an expression.
const maxExpression = 2048

// ParseExpression parses a search or filter expression.
func ParseExpression(s string) (Expression, error) {
	if len(s) > maxExpression {
		return Expression{}, fmt.Errorf("the expression is longer than %d characters", maxExpression)
	}
	toks, err := tokenize(s)
	if err != nil {
		return Expression{}, err
	}
	var ex Expression
	var and []comparison
	for i := 0; i < len(toks); {
		if len(toks)-i < 2 {
			return Expression{}, errors.New("incomplete comparison at the end")
		}
		c := comparison{attr: toks[i].text, op: strings.ToLower(toks[i+1].text)}
		if toks[i].quoted || toks[i+1].quoted {
			return Expression{}, fmt.Errorf("expected ATTR OP, got %q", toks[i].text)
		}
		if _, ok := attributes[strings.ToLower(c.attr)]; !ok {
			return Expression{}, fmt.Errorf("unknown attribute %q", c.attr)
		}
		i += 2
		switch c.op {
		case "pr":
		case "eq", "ne", "sw", "co", "gt", "ge", "lt", "le":
			if i >= len(toks) || !toks[i].quoted {
				return Expression{}, fmt.Errorf("%s %s needs a quoted value", c.attr, c.op)
			}
			c.value = toks[i].text
			i++
		default:
			return Expression{}, fmt.Errorf("unknown operator %q", c.op)
		}
		and = append(and, c)
		if i == len(toks) {
			break
		}
		switch strings.ToLower(toks[i].text) {
		case "and":
		case "or":
			ex.terms = append(ex.terms, and)
			and = nil
		default:
			return Expression{}, fmt.Errorf("expected and/or, got %q", toks[i].text)
		}
		i++
		if i == len(toks) {
			return Expression{}, errors.New("the expression ends with and/or")
		}
	}
	if len(and) == 0 {
		return Expression{}, errors.New("the expression is empty")
	}
	ex.terms = append(ex.terms, and)
	return ex, nil
}

type token struct {
	text   string
	quoted bool
}

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '"':
			var b strings.Builder
			i++
			closed := false
			for i < len(s) {
				if s[i] == '\\' && i+1 < len(s) {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				if s[i] == '"' {
					closed = true
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed {
				return nil, errors.New("unterminated quoted value")
			}
			out = append(out, token{text: b.String(), quoted: true})
		case c == '(' || c == ')':
			return nil, errors.New("parentheses are not supported")
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '"' {
				j++
			}
			out = append(out, token{text: s[i:j]})
			i = j
		}
	}
	return out, nil
}

// attributes maps a lower-cased attribute to its value in a person, and
// whether it is a timestamp.
var attributes = map[string]struct {
	get  func(Person) string
	time bool
}{
	"id":                  {get: func(p Person) string { return p.ID }},
	"status":              {get: func(p Person) string { return apiStatus(p.Status) }},
	"created":             {get: func(p Person) string { return stampOf(p.Created) }, time: true},
	"activated":           {get: func(p Person) string { return stampOf(p.Activated) }, time: true},
	"statuschanged":       {get: func(p Person) string { return stampOf(p.StatusChanged) }, time: true},
	"lastupdated":         {get: func(p Person) string { return stampOf(p.LastUpdated) }, time: true},
	"profile.login":       {get: func(p Person) string { return p.Profile.Login }},
	"profile.email":       {get: func(p Person) string { return p.Profile.Email }},
	"profile.firstname":   {get: func(p Person) string { return p.Profile.FirstName }},
	"profile.lastname":    {get: func(p Person) string { return p.Profile.LastName }},
	"profile.displayname": {get: func(p Person) string { return p.Profile.DisplayName }},
	"profile.locale":      {get: func(p Person) string { return p.Profile.Locale }},
}

func stampOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// apiStatus is the status as the Management API shows it: Okta calls a
// deactivated user DEPROVISIONED.
func apiStatus(s mockokta.Status) string {
	if s == mockokta.StatusDeactivated {
		return "DEPROVISIONED"
	}
	return string(s)
}

// APIStatus returns a person's status in the Management API's words
// (DEPROVISIONED for a deactivated person).
func APIStatus(p Person) string { return apiStatus(p.Status) }

// Match reports whether the person satisfies the expression.
func (e Expression) Match(p Person) bool {
	for _, and := range e.terms {
		ok := true
		for _, c := range and {
			ok = ok && c.match(p)
		}
		if ok {
			return true
		}
	}
	return false
}

func (c comparison) match(p Person) bool {
	a := attributes[strings.ToLower(c.attr)]
	got := a.get(p)
	if c.op == "pr" {
		return got != ""
	}
	want := c.value
	if a.time {
		if t, err := time.Parse(time.RFC3339Nano, want); err == nil {
			want = t.UTC().Format(timeLayout)
		}
	} else {
		got, want = strings.ToLower(got), strings.ToLower(want)
	}
	switch c.op {
	case "eq":
		return got == want
	case "ne":
		return got != want
	case "sw":
		return strings.HasPrefix(got, want)
	case "co":
		return strings.Contains(got, want)
	case "gt":
		return got != "" && got > want
	case "ge":
		return got != "" && got >= want
	case "lt":
		return got != "" && got < want
	case "le":
		return got != "" && got <= want
	}
	return false
}
