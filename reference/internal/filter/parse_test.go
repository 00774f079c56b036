package filter

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"okta lookup", `userName eq "test.user@example.com"`, `userName eq "test.user@example.com"`},
		{"operator case", `userName EQ "Bob"`, `userName eq "Bob"`},
		{"extra spaces", "  userName   eq\t\"Bob\"  ", `userName eq "Bob"`},
		{"pr", `title pr`, `title pr`},
		{"PR upper", `title PR`, `title pr`},
		{"all ops", `a ne "x" or b co "x" or c sw "x" or d ew "x"`, `a ne "x" or b co "x" or c sw "x" or d ew "x"`},
		{"ordering ops", `a gt 1 and b ge 2.5 and c lt -3 and d le 1e3`, `a gt 1 and b ge 2.5 and c lt -3 and d le 1e3`},
		{"bools and null", `active eq TRUE and x eq False and y eq NULL`, `active eq true and x eq false and y eq null`},
		{"and binds tighter than or", `a pr or b pr and c pr`, `a pr or b pr and c pr`},
		{"grouping kept when needed", `(a pr or b pr) and c pr`, `(a pr or b pr) and c pr`},
		{"redundant parens dropped", `((a pr)) and (b pr)`, `a pr and b pr`},
		{"left-assoc and", `(a pr and b pr) and c pr`, `a pr and b pr and c pr`},
		{"right group kept", `a pr and (b pr and c pr)`, `a pr and (b pr and c pr)`},
		{"not", `NOT (a pr)`, `not (a pr)`},
		{"not binds tighter than and", `not(a pr) and b pr`, `not (a pr) and b pr`},
		{"logical case", `a pr AND b pr Or c pr`, `a pr and b pr or c pr`},
		{"sub-attribute", `name.givenName eq "Test"`, `name.givenName eq "Test"`},
		{"core URN path", `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`, `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`},
		{"core URN sub-attribute", `urn:ietf:params:scim:schemas:core:2.0:User:name.familyName sw "U"`, `urn:ietf:params:scim:schemas:core:2.0:User:name.familyName sw "U"`},
		{"enterprise URN", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Legal"`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Legal"`},
		{"value path", `emails[type eq "work" and value co "@x.com"]`, `emails[type eq "work" and value co "@x.com"]`},
		{"value path then compare", `emails[type eq "work"].value eq "a@x.com"`, `emails[type eq "work"].value eq "a@x.com"`},
		{"value path in logic", `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`, `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`},
		{"value path with not", `emails[not (type eq "home")]`, `emails[not (type eq "home")]`},
		{"escapes decoded", `a eq "\u00e9\"\\\/\n"`, `a eq "é\"\\/\n"`},
		{"html kept", `a eq "<b>&"`, `a eq "<b>&"`},
		{"meta date", `meta.lastModified gt "2011-05-13T04:42:34Z"`, `meta.lastModified gt "2011-05-13T04:42:34Z"`},
		{"no space before string", `userName eq"x"`, `userName eq "x"`},
		{"$ref", `members.$ref pr`, `members.$ref pr`},
		{"negative zero", `a eq -0`, `a eq -0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := e.String(); got != tt.want {
				t.Fatalf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			again, err := Parse(e.String())
			if err != nil || again.String() != tt.want {
				t.Fatalf("round trip of %q: %v, %v", tt.want, again, err)
			}
		})
	}
}

func TestParseTree(t *testing.T) {
	e, err := Parse(`a eq 1 or b eq "x" and not (c pr)`)
	if err != nil {
		t.Fatal(err)
	}
	or, ok := e.(*Logical)
	if !ok || or.Op != "or" {
		t.Fatalf("top = %#v, want or", e)
	}
	left, ok := or.Left.(*Compare)
	if !ok || left.Path.Name != "a" || left.Op != "eq" || left.Value != json.Number("1") {
		t.Fatalf("left = %#v", or.Left)
	}
	and, ok := or.Right.(*Logical)
	if !ok || and.Op != "and" {
		t.Fatalf("right = %#v, want and", or.Right)
	}
	if c, ok := and.Left.(*Compare); !ok || c.Value != "x" {
		t.Fatalf("and.Left = %#v", and.Left)
	}
	not, ok := and.Right.(*Not)
	if !ok {
		t.Fatalf("and.Right = %#v, want not", and.Right)
	}
	if c, ok := not.X.(*Compare); !ok || c.Op != "pr" || c.Value != nil {
		t.Fatalf("not.X = %#v", not.X)
	}

	e, err = Parse(`urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "A"`)
	if err != nil {
		t.Fatal(err)
	}
	c := e.(*Compare)
	want := AttrPath{URN: CoreUserURN, Name: "name", Sub: "givenName"}
	if c.Path != want || !c.Path.InCoreSchema() {
		t.Fatalf("path = %#v, want %#v", c.Path, want)
	}

	e, err = Parse(`emails[type eq "work"].value eq "a@x.com"`)
	if err != nil {
		t.Fatal(err)
	}
	vp, ok := e.(*ValuePath)
	if !ok || vp.Path.Name != "emails" || vp.Then == nil || vp.Then.Path.Name != "value" || vp.Then.Value != "a@x.com" {
		t.Fatalf("value path = %#v", e)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // substrings of Detail
	}{
		{"empty", ``, []string{"position 1", "empty"}},
		{"blank", `   `, []string{"empty"}},
		{"unknown operator", `userName equals "x"`, []string{"position 10", "expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)", `after "userName"`, `got "equals"`}},
		{"missing operator", `userName`, []string{"position 9", "comparison operator", "end of the filter"}},
		{"missing value", `userName eq`, []string{"position 12", `expected a value after "eq"`}},
		{"bare word value", `userName eq bob`, []string{"position 13", `got "bob"`}},
		{"unterminated string", `userName eq "bob`, []string{"position 13", "unterminated string"}},
		{"escaped quote unterminated", `userName eq "bob\"`, []string{"unterminated string"}},
		{"bad escape", `userName eq "\x"`, []string{"position 13", "invalid string literal"}},
		{"control char", "userName eq \"a\tb\"", []string{"invalid string literal"}},
		{"trailing input", `userName eq "x" extra`, []string{"position 17", `expected "and", "or" or the end of the filter`, `got "extra"`}},
		{"trailing string", `userName eq "x" "y"`, []string{"position 17", `got "y"`}},
		{"pr with value", `title pr "x"`, []string{"position 10", `"pr" takes no value`}},
		{"pr with number", `title pr 5`, []string{`"pr" takes no value`}},
		{"gt bool", `active gt true`, []string{"position 11", `"gt" compares strings, numbers and dates, not true`}},
		{"le null", `x le null`, []string{`"le"`, "not null"}},
		{"co number", `x co 5`, []string{`"co" needs a string value`}},
		{"unclosed paren", `(a pr`, []string{"position 6", `")" to close the "(" at position 1`}},
		{"extra close paren", `a pr)`, []string{"position 5", `unbalanced ")"`}},
		{"unclosed bracket", `emails[type eq "w"`, []string{"position 19", `"]" to close the "[" at position 7`}},
		{"extra close bracket", `a pr]`, []string{`unbalanced "]"`}},
		{"nested brackets", `emails[type[value eq "x"] pr]`, []string{"position 12", "cannot be nested"}},
		{"not without paren", `not a pr`, []string{"position 5", `expected "(" after "not"`}},
		{"dangling and", `a pr and`, []string{"position 9", `expected an attribute name, "(" or "not"`, "end of the filter"}},
		{"double and", `a pr and and b pr`, []string{"position 10", `before "and"`}},
		{"leading or", `or a pr`, []string{"position 1"}},
		{"bad attribute char", `user*Name eq "x"`, []string{"position 5", "invalid character '*'", "attribute name"}},
		{"digit first", `1abc eq "x"`, []string{"position 1", "invalid character '1'"}},
		{"two sub-attributes", `a.b.c eq "x"`, []string{"position 4", "at most one sub-attribute"}},
		{"empty sub-attribute", `name. eq "x"`, []string{"position 6", "sub-attribute name"}},
		{"empty URN attr", `urn:ietf:params:scim:schemas:core:2.0:User: eq "x"`, []string{"position 44", "after the schema URN"}},
		{"empty URN segment", `urn::x:y eq "x"`, []string{"empty segment"}},
		{"bad number", `a eq 01`, []string{`got "01"`}},
		{"empty value filter", `emails[]`, []string{"position 8"}},
		{"dot without name", `emails[type eq "w"]. eq "x"`, []string{"position 21", "sub-attribute name"}},
		{"invalid UTF-8", "a eq \"x\xff\"", []string{"position 8", "not valid UTF-8"}},
		{"unicode position", `é eq "x"`, []string{"position 1", "invalid character 'é'"}},
		{"position counts runes", `a eq "é" b`, []string{"position 10", `got "b"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.in, e)
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not *Error", err)
			}
			if !strings.HasPrefix(fe.Detail, "invalid filter") {
				t.Errorf("Detail %q does not start with \"invalid filter\"", fe.Detail)
			}
			for _, w := range tt.want {
				if !strings.Contains(fe.Detail, w) {
					t.Errorf("Detail %q does not contain %q", fe.Detail, w)
				}
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	deep := strings.Repeat("(", MaxDepth+1) + "a pr" + strings.Repeat(")", MaxDepth+1)
	if _, err := Parse(deep); err == nil || !strings.Contains(err.Error(), "nested deeper than 32") {
		t.Fatalf("Parse(%d parens) error = %v, want depth error", MaxDepth+1, err)
	}
	ok := strings.Repeat("(", MaxDepth) + "a pr" + strings.Repeat(")", MaxDepth)
	if _, err := Parse(ok); err != nil {
		t.Fatalf("Parse(%d parens): %v", MaxDepth, err)
	}
	nots := strings.Repeat("not (", MaxDepth+1) + "a pr" + strings.Repeat(")", MaxDepth+1)
	if _, err := Parse(nots); err == nil {
		t.Fatal("deep not chain accepted")
	}
	long := `userName eq "` + strings.Repeat("x", MaxLength) + `"`
	if _, err := Parse(long); err == nil || !strings.Contains(err.Error(), "longer than 4096 bytes") {
		t.Fatalf("long filter error = %v", err)
	}
	// A long flat chain stays within the length limit and parses iteratively.
	chain := strings.TrimSuffix(strings.Repeat("a pr or ", 500), " or ")
	if _, err := Parse(chain); err != nil {
		t.Fatalf("flat chain: %v", err)
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		in   string
		want Path
		str  string
	}{
		{"active", Path{Attr: AttrPath{Name: "active"}}, "active"},
		{"name.givenName", Path{Attr: AttrPath{Name: "name", Sub: "givenName"}}, "name.givenName"},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
			Path{Attr: AttrPath{URN: EnterpriseUserURN, Name: "department"}},
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"},
		{`emails[type eq "work"]`, Path{Attr: AttrPath{Name: "emails"}}, `emails[type eq "work"]`},
		{`emails[type eq "work"].value`, Path{Attr: AttrPath{Name: "emails"}, Sub: "value"}, `emails[type eq "work"].value`},
		{` emails[ type EQ "work" ].value `, Path{Attr: AttrPath{Name: "emails"}, Sub: "value"}, `emails[type eq "work"].value`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePath(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if p.Attr != tt.want.Attr || p.Sub != tt.want.Sub {
				t.Fatalf("ParsePath(%q) = %#v, want %#v", tt.in, p, tt.want)
			}
			if (p.Filter != nil) != strings.Contains(tt.in, "[") {
				t.Fatalf("filter = %v", p.Filter)
			}
			if p.String() != tt.str {
				t.Fatalf("String() = %q, want %q", p.String(), tt.str)
			}
		})
	}
	bad := []struct{ in, want string }{
		{"", "empty"},
		{"name..givenName", "position 6"},
		{"a.b.c", "at most one sub-attribute"},
		{`emails[type eq "work"`, `"]" to close`},
		{`emails[type eq "work"]]`, `unbalanced "]"`},
		{`emails type`, "expected the end of the path"},
		{`emails[type eq "work"].`, "sub-attribute name"},
		{`name.givenName[type eq "x"]`, "must follow a multi-valued attribute"},
		{`[type eq "x"]`, "expected an attribute name"},
	}
	for _, tt := range bad {
		_, err := ParsePath(tt.in)
		if err == nil || !strings.HasPrefix(err.Error(), "invalid path") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePath(%q) error = %v, want one containing %q", tt.in, err, tt.want)
		}
	}
}

func TestEquality(t *testing.T) {
	tests := []struct {
		in          string
		attr, value string
		ok          bool
	}{
		{`userName eq "test.user@example.com"`, "userName", "test.user@example.com", true},
		{`USERNAME EQ "Bob"`, "userName", "Bob", true},
		{`externalid eq "00ujl29u0le5T6Aj10h7"`, "externalId", "00ujl29u0le5T6Aj10h7", true},
		{`ID eq "abc"`, "id", "abc", true},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`, "userName", "x", true},
		{`emails.VALUE eq "a@x"`, "emails.value", "a@x", true},
		{`customThing eq "v"`, "customThing", "v", true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"`, "", "", false},
		{`userName ne "x"`, "", "", false},
		{`userName eq "x" and active eq true`, "", "", false},
		{`active eq true`, "", "", false},
		{`userName co "x"`, "", "", false},
		{`emails[value eq "x"]`, "", "", false},
		{`not (userName eq "x")`, "", "", false},
	}
	for _, tt := range tests {
		e, err := Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		attr, value, ok := Equality(e)
		if attr != tt.attr || value != tt.value || ok != tt.ok {
			t.Errorf("Equality(%q) = %q, %q, %v; want %q, %q, %v", tt.in, attr, value, ok, tt.attr, tt.value, tt.ok)
		}
	}
}

func TestCanonicalName(t *testing.T) {
	for in, want := range map[string]string{
		"USERNAME": "userName", "externalid": "externalId", "givenname": "givenName",
		"phonenumbers": "phoneNumbers", "x509CERTIFICATES": "x509Certificates", "unknownAttr": "unknownAttr",
	} {
		if got := CanonicalName(in); got != want {
			t.Errorf("CanonicalName(%q) = %q, want %q", in, got, want)
		}
	}
}
