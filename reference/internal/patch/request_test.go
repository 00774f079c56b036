package patch

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []Operation
	}{
		{
			"okta deactivate",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			[]Operation{{Op: "replace", Value: map[string]any{"active": false}}},
		},
		{
			"entra casing and keys",
			`{"SCHEMAS":["URN:IETF:PARAMS:SCIM:API:MESSAGES:2.0:PATCHOP"],"operations":[
			  {"OP":"Replace","Path":"active","Value":"False"},
			  {"op":"Add","path":"emails[type eq \"work\"].value","value":"a@x.com"},
			  {"op":"Remove","path":"title"}]}`,
			[]Operation{
				{Op: "replace", Path: "active", Value: "False"},
				{Op: "add", Path: `emails[type eq "work"].value`, Value: "a@x.com"},
				{Op: "remove", Path: "title"},
			},
		},
		{
			"numbers are json.Number, null path is absent, unknown members ignored",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"id":"x","Operations":[{"op":"add","path":null,"value":{"n":1.50},"x":1}]}`,
			[]Operation{{Op: "add", Value: map[string]any{"n": json.Number("1.50")}}},
		},
		{
			"schema URN path",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"department":"Legal"}}]}`,
			[]Operation{{Op: "add", Path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", Value: map[string]any{"department": "Legal"}}},
		},
		{
			"null value is a value",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":null}]}`,
			[]Operation{{Op: "replace", Path: "title"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := ParseRequest([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ops, tt.want) {
				t.Fatalf("ops = %#v\nwant %#v", ops, tt.want)
			}
		})
	}
}

func TestParseRequestErrors(t *testing.T) {
	const schemas = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`
	tests := []struct {
		name, body, scimType string
		detail               []string
	}{
		{"not JSON", `{"schemas":`, InvalidSyntax, []string{"not valid JSON"}},
		{"empty body", ``, InvalidSyntax, []string{"not valid JSON"}},
		{"trailing data", `{` + schemas + `,"Operations":[{"op":"remove","path":"x"}]} {}`, InvalidSyntax, []string{"data after"}},
		{"array body", `[]`, InvalidSyntax, []string{"must be a JSON object", "an array"}},
		{"no schemas", `{"Operations":[{"op":"remove","path":"x"}]}`, InvalidSyntax, []string{`"schemas"`, PatchOpURN}},
		{"wrong schema", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[{"op":"remove","path":"x"}]}`, InvalidSyntax, []string{PatchOpURN}},
		{"schemas a string", `{"schemas":"urn:ietf:params:scim:api:messages:2.0:PatchOp","Operations":[{"op":"remove","path":"x"}]}`, InvalidSyntax, []string{"must be an array containing"}},
		{"no operations", `{` + schemas + `}`, InvalidSyntax, []string{`no "Operations"`}},
		{"operations object", `{` + schemas + `,"Operations":{}}`, InvalidSyntax, []string{`"Operations" must be an array`, "an object"}},
		{"empty operations", `{` + schemas + `,"Operations":[]}`, InvalidSyntax, []string{"at least one"}},
		{"operation not object", `{` + schemas + `,"Operations":["x"]}`, InvalidSyntax, []string{"Operations[0]", "must be a JSON object"}},
		{"missing op", `{` + schemas + `,"Operations":[{"path":"x"}]}`, InvalidSyntax, []string{"Operations[0]", `"op" must be one of`, "null"}},
		{"unknown op", `{` + schemas + `,"Operations":[{"op":"remove","path":"x"},{"op":"move","path":"x"}]}`, InvalidSyntax, []string{"Operations[1]", `got "move"`}},
		{"op number", `{` + schemas + `,"Operations":[{"op":1}]}`, InvalidSyntax, []string{`"op" must be one of`}},
		{"path number", `{` + schemas + `,"Operations":[{"op":"remove","path":1}]}`, InvalidSyntax, []string{`"path" must be a string`}},
		{"bad path", `{` + schemas + `,"Operations":[{"op":"remove","path":"emails[type eq \"work\""}]}`, InvalidPath, []string{"invalid path at position", `"]" to close`}},
		{"add without value", `{` + schemas + `,"Operations":[{"op":"add","path":"title"}]}`, InvalidValue, []string{`"add" needs a "value"`}},
		{"replace without value", `{` + schemas + `,"Operations":[{"op":"Replace"}]}`, InvalidValue, []string{`"replace" needs a "value"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := ParseRequest([]byte(tt.body))
			if err == nil {
				t.Fatalf("ParseRequest = %#v, want an error", ops)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not *Error", err)
			}
			if pe.ScimType != tt.scimType {
				t.Errorf("ScimType = %q, want %q (detail %q)", pe.ScimType, tt.scimType, pe.Detail)
			}
			for _, d := range tt.detail {
				if !strings.Contains(pe.Detail, d) {
					t.Errorf("Detail %q does not contain %q", pe.Detail, d)
				}
			}
		})
	}
}
