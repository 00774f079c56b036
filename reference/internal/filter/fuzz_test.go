package filter

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	seeds := []string{
		`userName eq "test.user@example.com"`,
		`userName Eq "Test.User@Example.com"`,
		`externalId eq "00ujl29u0le5T6Aj10h7"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:name.givenName sw "J"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Legal"`,
		`emails[type eq "work" and value co "@x.com"]`,
		`emails[type eq "work"].value eq "a@x.com"`,
		`a pr or b pr and not (c pr)`,
		`(a pr or b pr) and c pr`,
		`a pr and (b pr and (c pr or d pr))`,
		`meta.lastModified gt "2011-05-13T04:42:34Z"`,
		`loginCount ge -1.5e3 and loginCount lt 100`,
		`active eq TRUE and x eq null`,
		`a eq "\u00e9\"\\\/\b\f\n\r\t"`,
		`title pr "x"`,
		`x gt true`,
		`(((a pr`,
		`emails[type eq "w"`,
		`userName eq "unterminated`,
		`members.$ref pr`,
		`not(emails[not(type eq "home")])`,
		"a eq \"\xff\"",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	user := decodeUser(f, false)
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) || !strings.HasPrefix(fe.Detail, "invalid filter") {
				t.Fatalf("Parse(%q) error %T %v is not a filter *Error", s, err, err)
			}
			return
		}
		canon := e.String()
		again, err := parse(canon, 4*MaxLength)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its canonical form %q fails: %v", s, canon, err)
		}
		if again.String() != canon {
			t.Fatalf("round trip: %q -> %q -> %q", s, canon, again.String())
		}
		if Match(e, user) != Match(again, user) {
			t.Fatalf("canonical form %q matches differently from %q", canon, s)
		}
		_, _, _ = Equality(e)
		if _, err := ParsePath(s); err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("ParsePath error %T", err)
			}
		}
	})
}

// FuzzMatch evaluates parsed filters against arbitrary JSON resources.
func FuzzMatch(f *testing.F) {
	f.Add(`userName eq "a"`, []byte(`{"userName":"A"}`))
	f.Add(`emails[type eq "work"].value co "@"`, []byte(`{"emails":[{"type":"work","value":"a@x"},null,1,[]]}`))
	f.Add(`a gt 1 or b lt "2026-01-01T00:00:00Z"`, []byte(`{"a":[1,2,[3]],"b":{"value":"2025-01-01T00:00:00Z"}}`))
	f.Add(`x.y pr and not (x eq null)`, []byte(`{"x":[{"y":[]},{"y":{"value":{}}}]}`))
	f.Add(`urn:a:b:c eq true`, []byte(`{"urn:a:b":{"c":true}}`))
	f.Fuzz(func(t *testing.T, s string, resource []byte) {
		e, err := Parse(s)
		if err != nil {
			return
		}
		var m map[string]any
		if json.Unmarshal(resource, &m) != nil {
			return
		}
		got := Match(e, m)
		dec := json.NewDecoder(bytes.NewReader(resource))
		dec.UseNumber()
		var n map[string]any
		if dec.Decode(&n) != nil {
			return
		}
		if again := Match(e, n); again != got {
			t.Fatalf("Match(%q) = %v with float64 numbers, %v with json.Number", s, got, again)
		}
	})
}
