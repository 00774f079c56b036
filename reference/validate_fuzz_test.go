package reference

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// fuzzAttrs are the attribute paths the input-contract fuzz target writes.
var fuzzAttrs = []string{"userName", "externalId", "displayName", "title", "name.givenName", "emails.value", "addresses.formatted"}

// FuzzInputContract feeds arbitrary strings to the edge validation of a user
// body: whatever it accepts is valid UTF-8, holds no NUL (no control
// character at all in identifiers), is not whitespace only and is within
// the attribute's limit — so no store can be handed what it cannot hold.
func FuzzInputContract(f *testing.F) {
	for _, s := range []string{"jane@example.com", "a\x00b", "   ", "\xff", "\t\n", strings.Repeat("a", 300), "Straße", "a\u0085b", "\xed\xa0\x80"} {
		for i := range fuzzAttrs {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, value string) {
		path := fuzzAttrs[int(which)%len(fuzzAttrs)]
		body := map[string]any{"schemas": []any{schemaUser}}
		top, sub, _ := strings.Cut(path, ".")
		switch {
		case sub == "":
			body[top] = value
		case top == "name":
			body[top] = map[string]any{sub: value}
		default:
			body[top] = []any{map[string]any{sub: value}}
		}
		in, err := parseUserBody(body)
		if err == nil {
			err = checkLimits(in)
		}
		if err != nil {
			return
		}
		if value == "" {
			return // "" clears the attribute
		}
		if _, ok := in.Core[top]; !ok {
			t.Fatalf("%s: accepted but lost", path)
		}
		if !utf8.ValidString(value) || strings.ContainsRune(value, 0) || strings.TrimSpace(value) == "" ||
			utf8.RuneCountInString(value) > stringLimit(path) || strings.ContainsRune(value, utf8.RuneError) {
			t.Fatalf("%s: accepted %q", path, value)
		}
		if identifierAttr(path) && strings.ContainsFunc(value, unicode.IsControl) {
			t.Fatalf("%s: accepted a control character in %q", path, value)
		}
	})
}

// FuzzQueryContract feeds arbitrary query strings to the edge: an accepted
// one parses, its names and values are valid UTF-8 without control
// characters, and it carries no credential parameter.
func FuzzQueryContract(f *testing.F) {
	for _, s := range []string{"filter=userName%20eq%20%22a%22", "access_token=x", "a=%00", "a=%ff", "a=%zz", "ToKen=1", "count=1&startIndex=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		parsed, cerr := checkQuery(raw)
		if cerr != nil {
			return
		}
		q, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatalf("accepted a query that does not parse: %q", raw)
		}
		if !reflect.DeepEqual(parsed, q) {
			t.Fatalf("checkQuery's values %v differ from url.ParseQuery's %v for %q", parsed, q, raw)
		}
		for k, vs := range q {
			if isCredentialParam(k) {
				t.Fatalf("accepted the credential parameter %q", k)
			}
			for _, s := range append(vs, k) {
				if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
					t.Fatalf("accepted %q in %q", s, raw)
				}
			}
		}
		if red := redactQuery(raw); strings.Contains(raw, "=") && red == "" {
			t.Fatalf("redactQuery dropped %q", raw)
		}
	})
}
