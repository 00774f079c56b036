package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/xakia-okta/scimtest/reference/internal/filter"
)

const baseUser = `{
 "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
 "id":"u1","externalId":"00ujl29u0le5T6Aj10h7","userName":"bob@x.com",
 "name":{"givenName":"Bob","familyName":"Smith"},
 "active":true,
 "emails":[{"value":"bob@x.com","type":"work","primary":true}],
 "meta":{"resourceType":"User"}}`

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return m
}

func canonical(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	// Re-decode so that equal documents encode identically.
	var x any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&x); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(x)
	return string(b)
}

func request(ops string) []byte {
	return []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":` + ops + `}`)
}

// with returns baseUser with the top-level members of patch set (a null
// member deletes the key).
func with(t testing.TB, patch string) string {
	t.Helper()
	m := decode(t, baseUser)
	for k, v := range decode(t, patch) {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return canonical(t, m)
}

func TestApply(t *testing.T) {
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	tests := []struct {
		name string
		ops  string
		want string // the complete expected resource
	}{
		// no path
		{"okta deactivate", `[{"op":"replace","value":{"active":false}}]`, with(t, `{"active":false}`)},
		{"okta reactivate", `[{"op":"replace","value":{"active":true}}]`, with(t, `{}`)},
		{"okta password sync", `[{"op":"replace","value":{"password":"s3cret"}}]`, with(t, `{"password":"s3cret"}`)},
		{"entra dotted keys", `[{"op":"Replace","value":{"name.givenName":"Robert","displayName":"Robert Smith"}}]`,
			with(t, `{"name":{"givenName":"Robert","familyName":"Smith"},"displayName":"Robert Smith"}`)},
		{"no-path object merges", `[{"op":"replace","value":{"name":{"middleName":"J"}}}]`,
			with(t, `{"name":{"givenName":"Bob","familyName":"Smith","middleName":"J"}}`)},
		{"no-path core URN key", `[{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName":"Rob"}}]`,
			with(t, `{"name":{"givenName":"Rob","familyName":"Smith"}}`)},
		{"no-path core URN object", `[{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:User":{"title":"Partner"}}}]`,
			with(t, `{"title":"Partner"}`)},
		{"no-path enterprise attribute", `[{"op":"add","value":{"` + ent + `:department":"Legal"}}]`,
			with(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","`+ent+`"],"`+ent+`":{"department":"Legal"}}`)},
		{"no-path enterprise object", `[{"op":"add","value":{"` + ent + `":{"department":"Legal","manager":{"value":"m1"}}}}]`,
			with(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","`+ent+`"],"`+ent+`":{"department":"Legal","manager":{"value":"m1"}}}`)},
		{"no-path add emails appends", `[{"op":"add","value":{"emails":[{"value":"b@home","type":"home"}]}}]`,
			with(t, `{"emails":[{"value":"bob@x.com","type":"work","primary":true},{"value":"b@home","type":"home"}]}`)},
		{"no-path replace emails replaces", `[{"op":"replace","value":{"emails":[{"value":"b@home","type":"home"}]}}]`,
			with(t, `{"emails":[{"value":"b@home","type":"home"}]}`)},
		{"no-path id restated", `[{"op":"replace","value":{"id":"u1","active":false}}]`, with(t, `{"active":false}`)},

		// active coercion
		{"active string False", `[{"op":"Replace","path":"active","value":"False"}]`, with(t, `{"active":false}`)},
		{"active string TRUE", `[{"op":"replace","value":{"active":"TRUE"}},{"op":"replace","path":"active","value":"true"}]`, with(t, `{}`)},

		// path forms
		{"replace simple", `[{"op":"replace","path":"userName","value":"rob@x.com"}]`, with(t, `{"userName":"rob@x.com"}`)},
		{"path case-insensitive keeps spelling", `[{"op":"replace","path":"USERNAME","value":"rob@x.com"}]`, with(t, `{"userName":"rob@x.com"}`)},
		{"new key canonical spelling", `[{"op":"add","path":"DISPLAYNAME","value":"Bob S"}]`, with(t, `{"displayName":"Bob S"}`)},
		{"unknown new key as given", `[{"op":"add","path":"favouriteColour","value":"blue"}]`, with(t, `{"favouriteColour":"blue"}`)},
		{"add sub-attribute", `[{"op":"add","path":"name.middleName","value":"J"}]`,
			with(t, `{"name":{"givenName":"Bob","familyName":"Smith","middleName":"J"}}`)},
		{"replace sub-attribute case-insensitive", `[{"op":"replace","path":"Name.GivenName","value":"Rob"}]`,
			with(t, `{"name":{"givenName":"Rob","familyName":"Smith"}}`)},
		{"sub-attribute on absent complex", `[{"op":"remove","path":"name"},{"op":"add","path":"name.givenName","value":"Rob"}]`,
			with(t, `{"name":{"givenName":"Rob"}}`)},
		{"URN-qualified core path", `[{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName","value":"Smyth"}]`,
			with(t, `{"name":{"givenName":"Bob","familyName":"Smyth"}}`)},
		{"enterprise path", `[{"op":"add","path":"` + ent + `:department","value":"Legal"}]`,
			with(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","`+ent+`"],"`+ent+`":{"department":"Legal"}}`)},
		{"enterprise URN as path", `[{"op":"replace","path":"` + ent + `","value":{"department":"Legal"}}]`,
			with(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","`+ent+`"],"`+ent+`":{"department":"Legal"}}`)},
		{"replace complex merges", `[{"op":"replace","path":"name","value":{"givenName":"Rob"}}]`,
			with(t, `{"name":{"givenName":"Rob","familyName":"Smith"}}`)},
		{"add complex merges", `[{"op":"add","path":"name","value":{"honorificPrefix":"Dr"}}]`,
			with(t, `{"name":{"givenName":"Bob","familyName":"Smith","honorificPrefix":"Dr"}}`)},
		{"add single value to multi-valued", `[{"op":"add","path":"emails","value":{"value":"b@home","type":"home"}}]`,
			with(t, `{"emails":[{"value":"bob@x.com","type":"work","primary":true},{"value":"b@home","type":"home"}]}`)},
		{"add skips duplicates", `[{"op":"add","path":"emails","value":[{"value":"bob@x.com","type":"work","primary":true},{"value":"b@home","type":"home"},{"value":"b@home","type":"home"}]}]`,
			with(t, `{"emails":[{"value":"bob@x.com","type":"work","primary":true},{"value":"b@home","type":"home"}]}`)},
		{"add primary demotes others", `[{"op":"add","path":"emails","value":[{"value":"b@home","type":"home","primary":true}]}]`,
			with(t, `{"emails":[{"value":"bob@x.com","type":"work","primary":false},{"value":"b@home","type":"home","primary":true}]}`)},
		{"add to absent multi-valued", `[{"op":"add","path":"phoneNumbers","value":{"value":"+1 555","type":"work"}}]`,
			with(t, `{"phoneNumbers":[{"value":"+1 555","type":"work"}]}`)},
		{"replace multi-valued whole", `[{"op":"replace","path":"emails","value":[{"value":"n@x.com","type":"work"}]}]`,
			with(t, `{"emails":[{"value":"n@x.com","type":"work"}]}`)},
		{"replace multi-valued with one object", `[{"op":"replace","path":"emails","value":{"value":"n@x.com"}}]`,
			with(t, `{"emails":[{"value":"n@x.com"}]}`)},

		// filtered paths
		{"replace filtered sub-attribute", `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@x.com"}]`,
			with(t, `{"emails":[{"value":"new@x.com","type":"work","primary":true}]}`)},
		{"replace filtered element merges", `[{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"new@x.com"}}]`,
			with(t, `{"emails":[{"value":"new@x.com","type":"work","primary":true}]}`)},
		{"add filtered creates element (entra)", `[{"op":"Add","path":"emails[type eq \"home\"].value","value":"b@home"}]`,
			with(t, `{"emails":[{"value":"bob@x.com","type":"work","primary":true},{"type":"home","value":"b@home"}]}`)},
		{"add filtered creates from and", `[{"op":"add","path":"phoneNumbers[type eq \"mobile\" and primary eq true].value","value":"+1"}]`,
			with(t, `{"phoneNumbers":[{"type":"mobile","primary":true,"value":"+1"}]}`)},
		{"add filtered existing sets", `[{"op":"add","path":"emails[TYPE EQ \"WORK\"].display","value":"Work"}]`,
			with(t, `{"emails":[{"value":"bob@x.com","type":"work","primary":true,"display":"Work"}]}`)},
		{"remove filtered element", `[{"op":"add","path":"emails","value":{"value":"b@home","type":"home"}},{"op":"remove","path":"emails[type eq \"home\"]"}]`,
			with(t, `{}`)},
		{"remove last element drops attribute", `[{"op":"remove","path":"emails[value ew \"@x.com\"]"}]`,
			with(t, `{"emails":null}`)},
		{"remove filtered sub-attribute", `[{"op":"remove","path":"emails[type eq \"work\"].primary"}]`,
			with(t, `{"emails":[{"value":"bob@x.com","type":"work"}]}`)},

		// remove
		{"remove attribute", `[{"op":"remove","path":"externalId"}]`, with(t, `{"externalId":null}`)},
		{"remove absent is no-op", `[{"op":"remove","path":"title"}]`, with(t, `{}`)},
		{"remove sub-attribute", `[{"op":"remove","path":"name.familyName"}]`, with(t, `{"name":{"givenName":"Bob"}}`)},
		{"remove last sub-attribute drops object", `[{"op":"remove","path":"name.familyName"},{"op":"remove","path":"name.givenName"}]`,
			with(t, `{"name":null}`)},
		{"remove from absent extension", `[{"op":"remove","path":"` + ent + `:department"}]`, with(t, `{}`)},
		{"replace with null clears", `[{"op":"replace","path":"externalId","value":null}]`, with(t, `{"externalId":null}`)},

		{"remove with value removes matching elements", `[{"op":"add","path":"emails","value":[{"value":"b@home","type":"home"},{"value":"c@x","type":"other"}]},{"op":"remove","path":"emails","value":[{"value":"b@home"},{"value":"nobody"}]}]`,
			with(t, `{"emails":[{"value":"bob@x.com","type":"work","primary":true},{"value":"c@x","type":"other"}]}`)},
		{"remove with simple value", `[{"op":"add","path":"tags","value":["a","b"]},{"op":"remove","path":"tags","value":"a"}]`,
			with(t, `{"tags":["b"]}`)},
		{"replace with empty array clears", `[{"op":"replace","path":"emails","value":[]}]`, with(t, `{"emails":null}`)},

		{"replace sub-attribute of every element", `[{"op":"add","path":"emails","value":{"value":"b@home","type":"home"}},{"op":"replace","path":"emails.type","value":"other"}]`,
			with(t, `{"emails":[{"value":"bob@x.com","type":"other","primary":true},{"value":"b@home","type":"other"}]}`)},
		{"remove sub-attribute of every element", `[{"op":"remove","path":"emails.primary"}]`,
			with(t, `{"emails":[{"value":"bob@x.com","type":"work"}]}`)},
		{"add sub-attribute to absent multi-valued", `[{"op":"add","path":"phoneNumbers.value","value":"+1"}]`,
			with(t, `{"phoneNumbers":[{"value":"+1"}]}`)},
		{"remove extension", `[{"op":"add","path":"` + ent + `:department","value":"Legal"},{"op":"remove","path":"` + ent + `"}]`,
			with(t, `{}`)},
		{"remove last extension attribute drops extension", `[{"op":"add","path":"` + ent + `:department","value":"Legal"},{"op":"remove","path":"` + ent + `:DEPARTMENT"}]`,
			with(t, `{}`)},
		{"extension sub-attribute", `[{"op":"add","path":"` + ent + `:manager.value","value":"m1"},{"op":"replace","value":{"` + ent + `:manager.displayName":"Boss"}}]`,
			with(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","`+ent+`"],"`+ent+`":{"manager":{"value":"m1","displayName":"Boss"}}}`)},
		{"filtered add with sub-attribute eq", `[{"op":"add","path":"addresses[type eq \"work\" and country eq \"AU\"].locality","value":"Sydney"}]`,
			with(t, `{"addresses":[{"type":"work","country":"AU","locality":"Sydney"}]}`)},
		{"filter with bracket in string", `[{"op":"add","path":"emails","value":{"value":"a]b@x","type":"odd"}},{"op":"remove","path":"emails[value eq \"A]B@X\"]"}]`,
			with(t, `{}`)},

		{"entra manager string", `[{"op":"Replace","path":"` + ent + `:manager","value":"m7"}]`,
			with(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","`+ent+`"],"`+ent+`":{"manager":{"value":"m7"}}}`)},
		{"remove active", `[{"op":"remove","path":"active"}]`, with(t, `{"active":null}`)},

		// ordering within one request
		{"ops apply in order", `[{"op":"replace","path":"title","value":"A"},{"op":"replace","path":"title","value":"B"}]`,
			with(t, `{"title":"B"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := decode(t, baseUser)
			before := canonical(t, in)
			ops, err := ParseRequest(request(tt.ops))
			if err != nil {
				t.Fatalf("ParseRequest: %v", err)
			}
			out, err := Apply(in, ops)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if got := canonical(t, out); got != tt.want {
				t.Errorf("result\n got %s\nwant %s", got, tt.want)
			}
			if canonical(t, in) != before {
				t.Errorf("input was modified: %s", canonical(t, in))
			}
		})
	}
}

// rawOps decodes a JSON array of operations without ParseRequest's
// validation, so that Apply's own checks are exercised.
func rawOps(t testing.TB, s string) []Operation {
	t.Helper()
	var list []struct {
		Op    string
		Path  string
		Value any
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&list); err != nil {
		t.Fatal(err)
	}
	ops := make([]Operation, len(list))
	for i, o := range list {
		ops[i] = Operation{Op: o.Op, Path: o.Path, Value: o.Value}
	}
	return ops
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		name, ops, scimType string
		detail              []string
	}{
		{"remove without path", `[{"op":"remove"}]`, NoTarget, []string{"remove requires a path"}},
		{"no-path value not object", `[{"op":"replace","value":false}]`, InvalidValue, []string{"JSON object", "a boolean"}},
		{"active other string", `[{"op":"replace","path":"active","value":"yes"}]`, InvalidValue, []string{"active must be a boolean", `"yes"`}},
		{"active null", `[{"op":"replace","path":"active","value":null}]`, InvalidValue, []string{"active must be a boolean", "null"}},
		{"active number", `[{"op":"replace","value":{"active":1}}]`, InvalidValue, []string{"active must be a boolean"}},
		{"id read-only", `[{"op":"replace","path":"id","value":"other"}]`, Mutability, []string{"id is read-only"}},
		{"id no-path", `[{"op":"replace","value":{"ID":"other"}}]`, Mutability, []string{"id is read-only"}},
		{"meta read-only", `[{"op":"replace","path":"meta.lastModified","value":"2020-01-01T00:00:00Z"}]`, Mutability, []string{"meta is read-only"}},
		{"schemas read-only", `[{"op":"add","path":"schemas","value":["urn:x"]}]`, Mutability, []string{"schemas is read-only"}},
		{"remove id", `[{"op":"remove","path":"id"}]`, Mutability, []string{"read-only"}},
		{"remove userName", `[{"op":"remove","path":"userName"}]`, Mutability, []string{"userName is required"}},
		{"userName null", `[{"op":"replace","path":"userName","value":null}]`, Mutability, []string{"userName is required"}},
		{"userName number", `[{"op":"replace","path":"userName","value":5}]`, InvalidValue, []string{"userName must be a string"}},
		{"userName empty", `[{"op":"replace","value":{"userName":" "}}]`, InvalidValue, []string{"userName must not be empty"}},
		{"name not object", `[{"op":"replace","path":"name","value":"Bob"}]`, InvalidValue, []string{"name must be an object"}},
		{"name sub not string", `[{"op":"replace","path":"name.givenName","value":1}]`, InvalidValue, []string{"name.givenName must be a string"}},
		{"emails elements objects", `[{"op":"add","path":"emails","value":"c@x.com"}]`, InvalidValue, []string{"values of emails must be objects"}},
		{"bad path", `[{"op":"replace","path":"name..givenName","value":"x"}]`, InvalidPath, []string{"invalid path at position 6", `sub-attribute name after "name."`}},
		{"unbalanced bracket", `[{"op":"remove","path":"emails[type eq \"work\"]]"}]`, InvalidPath, []string{`unbalanced "]"`}},
		{"empty segment", `[{"op":"remove","path":"emails[type eq \"work\"]."}]`, InvalidPath, []string{"sub-attribute name"}},
		{"bad dotted key", `[{"op":"replace","value":{"name.":"x"}}]`, InvalidPath, []string{"invalid path"}},
		{"sub of simple", `[{"op":"replace","path":"userName.x","value":"x"}]`, InvalidPath, []string{"not a complex attribute"}},
		{"filter on single-valued", `[{"op":"replace","path":"name[givenName eq \"Bob\"].familyName","value":"x"}]`, InvalidPath, []string{"not multi-valued"}},
		{"replace filter no match", `[{"op":"replace","path":"emails[type eq \"home\"].value","value":"x"}]`, NoTarget, []string{"no value of emails matches"}},
		{"remove filter no match", `[{"op":"remove","path":"emails[type eq \"home\"]"}]`, NoTarget, []string{"no value of emails matches"}},
		{"add filter cannot create", `[{"op":"add","path":"emails[type eq \"home\" or type eq \"other\"].value","value":"x"}]`, NoTarget, []string{"eq comparisons joined by and"}},
		{"filtered value array", `[{"op":"replace","path":"emails[type eq \"work\"]","value":[{"value":"x"}]}]`, InvalidValue, []string{"single value"}},
		{"remove core schema", `[{"op":"remove","path":"urn:ietf:params:scim:schemas:core:2.0:User"}]`, Mutability, nil},
		{"schema value not object", `[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":"x"}]`, InvalidValue, []string{"must be a JSON object"}},
		{"type error after extension ops", `[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"x"},{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":null},{"op":"add","path":"title","value":1}]`, InvalidValue, []string{"operation 3", "title must be a string"}},
		{"sub of sub", `[{"op":"replace","path":"emails.value","value":{"a":1}},{"op":"replace","path":"emails[type eq \"work\"].value","value":"x"}]`, InvalidValue, []string{"operation 1", "emails.value must be a simple value, got an object"}},
		{"second op fails", `[{"op":"replace","path":"title","value":"x"},{"op":"replace","path":"id","value":"y"}]`, Mutability, []string{"operation 2 (replace \"id\")"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := decode(t, baseUser)
			before := canonical(t, in)
			out, err := Apply(in, rawOps(t, tt.ops))
			if err == nil {
				t.Fatalf("Apply = %s, want an error", canonical(t, out))
			}
			if out != nil {
				t.Errorf("Apply returned a resource with the error")
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not *Error", err)
			}
			if pe.ScimType != tt.scimType {
				t.Errorf("ScimType = %q, want %q (%s)", pe.ScimType, tt.scimType, pe.Detail)
			}
			for _, d := range tt.detail {
				if !strings.Contains(pe.Detail, d) {
					t.Errorf("Detail %q does not contain %q", pe.Detail, d)
				}
			}
			if canonical(t, in) != before {
				t.Errorf("input was modified: %s", canonical(t, in))
			}
		})
	}
}

// TestApplyAtomic checks that a failing later operation leaves the input
// untouched even though earlier operations changed nested objects and arrays.
func TestApplyAtomic(t *testing.T) {
	in := decode(t, baseUser)
	before := canonical(t, in)
	ops := []Operation{
		{Op: "replace", Path: "name.givenName", Value: "Rob"},
		{Op: "replace", Path: `emails[type eq "work"].value`, Value: "rob@x.com"},
		{Op: "add", Path: "emails", Value: map[string]any{"value": "r@home", "type": "home", "primary": true}},
		{Op: "replace", Value: map[string]any{"active": "maybe"}},
	}
	out, err := Apply(in, ops)
	if err == nil || out != nil {
		t.Fatalf("Apply = %v, %v; want nil and an error", out, err)
	}
	if got := canonical(t, in); got != before {
		t.Fatalf("input changed:\n got %s\nwant %s", got, before)
	}
	// Without the failing op the same changes apply, and the input still stays put.
	out, err = Apply(in, ops[:3])
	if err != nil {
		t.Fatal(err)
	}
	if canonical(t, in) != before {
		t.Fatal("input changed by a successful Apply")
	}
	want := with(t, `{"name":{"givenName":"Rob","familyName":"Smith"},"emails":[{"value":"rob@x.com","type":"work","primary":false},{"value":"r@home","type":"home","primary":true}]}`)
	if got := canonical(t, out); got != want {
		t.Fatalf("result\n got %s\nwant %s", got, want)
	}
	// The result shares nothing with the operation values.
	ops[2].Value.(map[string]any)["value"] = "mutated"
	if strings.Contains(canonical(t, out), "mutated") {
		t.Fatal("result aliases an operation value")
	}
}

func TestApplyPlainDecodedInput(t *testing.T) {
	var in map[string]any
	if err := json.Unmarshal([]byte(`{"userName":"a","loginCount":3,"emails":[{"value":"a@x","type":"work"}]}`), &in); err != nil {
		t.Fatal(err)
	}
	out, err := Apply(in, []Operation{
		{Op: "ADD", Path: "emails", Value: []any{map[string]any{"value": "a@x", "type": "work"}}},
		{Op: "Replace", Path: "loginCount", Value: 4.0},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := canonical(t, out), `{"emails":[{"type":"work","value":"a@x"}],"loginCount":4,"userName":"a"}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	built := map[string]any{"userName": "a", "schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"emails": []map[string]any{{"value": "a@x", "type": "work"}}}
	out, err = Apply(built, []Operation{{Op: "add", Path: "emails", Value: map[string]any{"value": "b@x"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := canonical(t, out), `{"emails":[{"type":"work","value":"a@x"},{"value":"b@x"}],"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}`; got != want {
		t.Fatalf("Go-built input: got %s, want %s", got, want)
	}
	if len(built["emails"].([]map[string]any)) != 1 {
		t.Fatal("Go-built input modified")
	}
	if out, err := Apply(nil, []Operation{{Op: "add", Path: "userName", Value: "x"}}); err != nil || out["userName"] != "x" {
		t.Fatalf("Apply(nil) = %v, %v", out, err)
	}
	if _, err := Apply(in, []Operation{{Op: "move", Path: "x"}}); err == nil {
		t.Fatal("unknown op accepted by Apply")
	}
}

func TestApplyExtensionNotObject(t *testing.T) {
	in := map[string]any{"userName": "a", filter.EnterpriseUserURN: "oops"}
	_, err := Apply(in, []Operation{{Op: "add", Path: filter.EnterpriseUserURN + ":department", Value: "x"}})
	var pe *Error
	if !errors.As(err, &pe) || pe.ScimType != InvalidValue || !strings.Contains(pe.Detail, "is not an object") {
		t.Fatalf("err = %v, want invalidValue ... is not an object", err)
	}
	out, err := Apply(in, []Operation{{Op: "remove", Path: filter.EnterpriseUserURN + ":department"}})
	if err != nil || out[filter.EnterpriseUserURN] != "oops" {
		t.Fatalf("remove from a non-object extension = %v, %v; want a no-op", out, err)
	}
}
