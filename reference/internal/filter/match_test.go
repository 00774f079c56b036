package filter

import (
	"bytes"
	"encoding/json"
	"testing"
)

const userJSON = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "id": "2819c223-7f76-453a-919d-413861904646",
  "externalId": "00ujl29u0le5T6Aj10h7",
  "userName": "Test.User@Example.com",
  "name": {"givenName": "Test", "familyName": "User", "formatted": "Test User"},
  "displayName": "Test User",
  "nickName": "",
  "title": null,
  "locale": "en-US",
  "active": true,
  "loginCount": 42,
  "emails": [
    {"value": "test.user@example.com", "type": "work", "primary": true},
    {"value": "tu@home.example.org", "type": "home"}
  ],
  "phoneNumbers": [],
  "roles": ["Admin", "Lawyer"],
  "groups": [],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
    "department": "Legal", "employeeNumber": "701984", "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}
  },
  "meta": {
    "resourceType": "User",
    "created": "2026-01-23T04:56:22Z",
    "lastModified": "2026-05-13T04:42:34.5+02:00",
    "location": "https://example.com/scim/v2/L1/Users/2819c223-7f76-453a-919d-413861904646"
  }
}`

func decodeUser(t testing.TB, useNumber bool) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(userJSON)))
	if useNumber {
		dec.UseNumber()
	}
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMatch(t *testing.T) {
	tests := []struct {
		filter string
		want   bool
	}{
		// equality and case rules
		{`userName eq "test.user@example.com"`, true},
		{`USERNAME eq "TEST.USER@EXAMPLE.COM"`, true},
		{`userName eq "other@example.com"`, false},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "test.user@example.com"`, true},
		{`externalId eq "00ujl29u0le5T6Aj10h7"`, true},
		{`externalId eq "00UJL29U0LE5T6AJ10H7"`, false}, // caseExact
		{`id eq "2819C223-7F76-453A-919D-413861904646"`, false},
		{`id eq "2819c223-7f76-453a-919d-413861904646"`, true},
		{`meta.location eq "HTTPS://EXAMPLE.COM/scim/v2/L1/Users/2819c223-7f76-453a-919d-413861904646"`, false},
		{`meta.resourceType eq "User"`, true},
		// string operators
		{`userName sw "test."`, true},
		{`userName ew "@EXAMPLE.com"`, true},
		{`userName co "user@"`, true},
		{`userName co "nobody"`, false},
		{`name.givenName eq "test"`, true},
		{`NAME.GIVENNAME sw "T"`, true},
		{`name.middleName pr`, false},
		{`name eq "Test"`, false},
		{`userName gt "a"`, true},
		{`userName lt "a"`, false},
		{`userName ge "TEST.USER@EXAMPLE.COM"`, true},
		// booleans
		{`active eq true`, true},
		{`active eq false`, false},
		{`active ne false`, true},
		{`active eq "true"`, false}, // type mismatch
		// numbers
		{`loginCount eq 42`, true},
		{`loginCount eq 42.0`, true},
		{`loginCount gt 41.5`, true},
		{`loginCount le 4.2e1`, true},
		{`loginCount lt 42`, false},
		{`loginCount eq "42"`, false},
		// dates compare chronologically, including offsets and fractions
		{`meta.created gt "2026-01-01T00:00:00Z"`, true},
		{`meta.created lt "2026-01-23T05:56:22+01:00"`, false}, // same instant
		{`meta.created eq "2026-01-23T05:56:22+01:00"`, true},
		{`meta.lastModified gt "2026-05-13T02:42:34Z"`, true},
		{`meta.lastModified lt "2026-05-13T02:42:35Z"`, true},
		// pr
		{`userName pr`, true},
		{`nickName pr`, false}, // ""
		{`title pr`, false},    // null
		{`phoneNumbers pr`, false},
		{`emails pr`, true},
		{`name pr`, true},
		{`missing pr`, false},
		// multi-valued
		{`emails.value eq "tu@home.example.org"`, true},
		{`emails.type eq "other"`, false},
		{`emails eq "TEST.USER@example.com"`, true},
		{`emails co "home"`, true},
		{`roles eq "lawyer"`, true},
		{`roles eq "clerk"`, false},
		{`emails[type eq "work"]`, true},
		{`emails[type eq "work" and value co "@example.com"]`, true},
		{`emails[type eq "work" and value co "@example.org"]`, false},
		{`emails[type eq "home" and not (primary eq true)]`, true},
		{`emails[primary eq true].value eq "test.user@example.com"`, true},
		{`emails[type eq "home"].value eq "test.user@example.com"`, false},
		{`emails[type eq "home"].primary pr`, false},
		{`roles[value eq "admin"]`, true},
		{`phoneNumbers[type eq "work"]`, false},
		{`missing[type eq "work"]`, false},
		// extension
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "legal"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "26118915-6090-4610-87e4-49d8ca9f808d"`, true},
		{`urn:acme:other:2.0:User:department eq "legal"`, false},
		{`department eq "legal"`, false}, // unqualified names are core
		// missing attributes
		{`title eq "x"`, false},
		{`missing eq "x"`, false},
		{`missing ne "x"`, true},
		{`missing eq null`, true},
		{`title eq null`, true},
		{`userName eq null`, false},
		{`userName ne null`, true},
		{`missing gt 1`, false},
		// logic and precedence
		{`userName eq "nope" or active eq true and locale eq "en-US"`, true},
		{`(userName eq "nope" or active eq true) and locale eq "fr"`, false},
		{`userName eq "nope" or active eq false and locale eq "en-US"`, false},
		{`not (userName eq "nope")`, true},
		{`not (active eq true) or userName pr`, true},
	}
	for _, useNumber := range []bool{false, true} {
		user := decodeUser(t, useNumber)
		for _, tt := range tests {
			e, err := Parse(tt.filter)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.filter, err)
			}
			if got := Match(e, user); got != tt.want {
				t.Errorf("useNumber=%v Match(%q) = %v, want %v", useNumber, tt.filter, got, tt.want)
			}
		}
	}
}

func TestMatchOddResources(t *testing.T) {
	e, err := Parse(`emails[type eq "work"].value eq "x" or name.givenName sw "a" or a gt 1 or b pr`)
	if err != nil {
		t.Fatal(err)
	}
	odd := []map[string]any{
		nil,
		{},
		{"emails": "not an array", "name": "not an object", "a": []any{[]any{1.0}}, "b": map[string]any{}},
		{"emails": []any{nil, 1.0, []any{}, map[string]any{"type": nil}}, "name": []any{"x"}},
		{"a": json.Number("not a number"), "b": []any{"", nil}},
	}
	for _, r := range odd {
		if Match(e, r) {
			t.Errorf("Match(%v) = true, want false", r)
		}
	}
	if Match(nil, map[string]any{"a": 1.0}) {
		t.Error("Match(nil expr) = true")
	}
	if !Match(e, map[string]any{"A": json.Number("2")}) {
		t.Error("json.Number 2 gt 1 did not match")
	}
	if !Match(e, map[string]any{"a": 2}) {
		t.Error("int 2 gt 1 did not match")
	}
	// Resources built in Go rather than decoded use typed slices.
	built := map[string]any{
		"schemas": []string{CoreUserURN},
		"emails":  []map[string]any{{"type": "work", "value": "x"}},
	}
	for _, f := range []string{`schemas eq "` + CoreUserURN + `"`, `schemas pr`, `emails[type eq "work"].value eq "x"`, `emails.value eq "X"`, `emails eq "x"`} {
		e, err := Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		if !Match(e, built) {
			t.Errorf("Match(%q) on a Go-built resource = false", f)
		}
	}
}

func BenchmarkMatchOktaLookup(b *testing.B) {
	user := decodeUser(b, false)
	e, err := Parse(`userName eq "test.user@example.com"`)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Match(e, user)
	}
}

func TestMatchElement(t *testing.T) {
	f, err := Parse(`type eq "work" and value ew "]x.com"`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		elem any
		want bool
	}{
		{map[string]any{"TYPE": "Work", "value": "a@]X.com"}, true},
		{map[string]any{"type": "home", "value": "a@]x.com"}, false},
		{"a@]x.com", false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := MatchElement(f, "emails", tt.elem); got != tt.want {
			t.Errorf("MatchElement(%v) = %v, want %v", tt.elem, got, tt.want)
		}
	}
	simple, err := Parse(`value eq "Admin"`)
	if err != nil {
		t.Fatal(err)
	}
	if !MatchElement(simple, "roles", "admin") {
		t.Error("a simple element is not seen as {value: e}")
	}
	if MatchElement(nil, "roles", "admin") {
		t.Error("nil filter matched")
	}
	// A "$ref" sub-attribute is case-exact.
	ref, err := Parse(`$ref eq "https://x/Users/AB"`)
	if err != nil {
		t.Fatal(err)
	}
	if MatchElement(ref, "members", map[string]any{"$ref": "https://x/users/ab"}) {
		t.Error("$ref compared case-insensitively")
	}
}

func TestSchemaTables(t *testing.T) {
	for name, want := range map[string]bool{"emails": true, "PhoneNumbers": true, "name": false, "userName": false} {
		if IsMultiValued(name) != want {
			t.Errorf("IsMultiValued(%q) = %v", name, !want)
		}
	}
	for path, want := range map[string]bool{"id": true, "ExternalId": true, "meta.LOCATION": true, "manager.$ref": true, "userName": false, "emails.value": false} {
		if IsCaseExact(path) != want {
			t.Errorf("IsCaseExact(%q) = %v", path, !want)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(`emails[type eq "work" and value co "@example.com"] or (userName sw "test" and not (active eq false))`); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMatchUnicodeFolding checks that case-insensitive comparisons use full
// Unicode folding after NFC, as the server's userName index does.
func TestMatchUnicodeFolding(t *testing.T) {
	user := map[string]any{"userName": "Straße.Müller@example.com", "externalId": "Straße"}
	for _, tc := range []struct {
		filter string
		want   bool
	}{
		{`userName eq "STRASSE.MÜLLER@EXAMPLE.COM"`, true},
		{`userName eq "strasse.mu\u0308ller@example.com"`, true}, // decomposed ü
		{`userName sw "STRASSE"`, true},
		{`userName eq "STRASSE.MULLER@EXAMPLE.COM"`, false},
		{`externalId eq "STRASSE"`, false}, // caseExact
		{`userName eq "strasse.müller@example.com" and externalId eq "Straße"`, true},
	} {
		e, err := Parse(tc.filter)
		if err != nil {
			t.Fatalf("Parse(%s): %v", tc.filter, err)
		}
		if got := Match(e, user); got != tc.want {
			t.Errorf("Match(%s) = %v, want %v", tc.filter, got, tc.want)
		}
	}
}
