package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func FuzzApply(f *testing.F) {
	seeds := []string{
		`[{"op":"replace","value":{"active":false}}]`,
		`[{"op":"Replace","path":"active","value":"False"}]`,
		`[{"op":"Replace","value":{"name.givenName":"Rob","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Legal"}}]`,
		`[{"op":"add","path":"emails[type eq \"home\"].value","value":"b@home"}]`,
		`[{"op":"add","path":"emails","value":[{"value":"x@y","primary":true},{"value":"x@y","primary":true}]}]`,
		`[{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"n@x"}}]`,
		`[{"op":"remove","path":"emails[value co \"@\"]"},{"op":"remove","path":"name.givenName"}]`,
		`[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"manager":{"value":"m"}}}]`,
		`[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"}]`,
		`[{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:User":{"userName":"z"}}}]`,
		`[{"op":"replace","path":"id","value":"u1"}]`,
		`[{"op":"remove","path":"userName"}]`,
		`[{"op":"add","path":"phoneNumbers[type eq \"work\" and primary eq true]","value":{"value":"1"}}]`,
		`[{"op":"replace","path":"name","value":null}]`,
		`[{"op":"add","path":"x","value":{"a":[1,2,{"b":null}]}},{"op":"add","path":"x.a","value":3}]`,
		`[{"op":"remove","path":"emails[type eq \"work\"]]"}]`,
		`[{"op":"move"}]`,
		`[]`,
	}
	for _, s := range seeds {
		f.Add(request(s))
	}
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ops, err := ParseRequest(body)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.ScimType == "" || pe.Detail == "" {
				t.Fatalf("ParseRequest error %T %v", err, err)
			}
			return
		}
		for _, useNumber := range []bool{true, false} {
			var in map[string]any
			if useNumber {
				in = decode(t, baseUser)
			} else if err := json.Unmarshal([]byte(baseUser), &in); err != nil {
				t.Fatal(err)
			}
			before := canonical(t, in)
			out, err := Apply(in, ops)
			if after := canonical(t, in); after != before {
				t.Fatalf("input mutated:\n%s\n%s", before, after)
			}
			if err != nil {
				var pe *Error
				if !errors.As(err, &pe) || pe.ScimType == "" || out != nil {
					t.Fatalf("Apply error %T %v, out %v", err, err, out)
				}
				continue
			}
			b, err := json.Marshal(out)
			if err != nil || !json.Valid(b) {
				t.Fatalf("result does not marshal: %v", err)
			}
			// Applying again to the result must not panic either.
			_, _ = Apply(out, ops)
		}
	})
}

// FuzzApplyResource applies valid PATCH bodies to arbitrary JSON objects.
func FuzzApplyResource(f *testing.F) {
	f.Add(request(`[{"op":"add","path":"emails[type eq \"work\"].value","value":"x"}]`), []byte(`{"emails":[{"type":"work","primary":"yes"},null,[1]]}`))
	f.Add(request(`[{"op":"replace","value":{"name.givenName":"x"}}]`), []byte(`{"name":"flat"}`))
	f.Add(request(`[{"op":"add","path":"emails","value":{"value":"a","primary":true}}]`), []byte(`{"EMAILS":[{"PRIMARY":true},{"primary":true}]}`))
	f.Add(request(`[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"}]`), []byte(`{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m"}}`))
	f.Add(request(`[{"op":"remove","path":"x","value":[{"value":1}]}]`), []byte(`{"x":[1,{"value":1},{"value":[1]}]}`))
	f.Fuzz(func(t *testing.T, body, resource []byte) {
		ops, err := ParseRequest(body)
		if err != nil {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(resource))
		dec.UseNumber()
		var in map[string]any
		if dec.Decode(&in) != nil {
			return
		}
		before := canonical(t, in)
		out, err := Apply(in, ops)
		if canonical(t, in) != before {
			t.Fatal("input mutated")
		}
		if err == nil {
			if b, err := json.Marshal(out); err != nil || !json.Valid(b) {
				t.Fatalf("result does not marshal: %v", err)
			}
		} else if out != nil {
			t.Fatal("result with an error")
		}
	})
}
