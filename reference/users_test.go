package reference

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestCreateUser(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	r := e.do("POST", l.Base+"/Users", l.Key, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName":"Ann@Example.com","unknownAttr":{"x":1},"name":{"givenName":"Ann","nickname":"dropped"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Legal","unknown":1},
		"password":"secret","groups":[{"value":"g1"}],"id":"client-chosen","meta":{"version":"x"}}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("status %d %s", r.Status, r.Raw)
	}
	id, _ := r.JSON["id"].(string)
	if !uuidV4.MatchString(id) {
		t.Errorf("id %q is not a server-issued UUIDv4", id)
	}
	for _, absent := range []string{"unknownAttr", "password", "groups"} {
		if _, ok := r.JSON[absent]; ok {
			t.Errorf("%s present in %s", absent, r.Raw)
		}
	}
	if r.JSON["active"] != true {
		t.Errorf("active defaults to true, got %v", r.JSON["active"])
	}
	if got := fmt.Sprint(r.JSON["schemas"]); got != "["+schemaUser+" "+schemaEnterprise+"]" {
		t.Errorf("schemas %s", got)
	}
	if r.JSON["name"].(map[string]any)["nickname"] != nil {
		t.Errorf("unknown sub-attribute kept: %s", r.Raw)
	}
	meta := r.JSON["meta"].(map[string]any)
	if meta["resourceType"] != "User" || meta["version"] != `W/"1"` || meta["location"] != l.Base+"/Users/"+id {
		t.Errorf("meta %v", meta)
	}
	if strings.Contains(string(r.Raw), "secret") {
		t.Errorf("password echoed: %s", r.Raw)
	}
	raw, err := e.st.User(t.Context(), l.ID, id)
	if err != nil || strings.Contains(string(raw.Doc), "secret") {
		t.Errorf("password stored: %s %v", raw.Doc, err)
	}
}

func TestCreateUserErrors(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	core := `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]`
	tests := []struct {
		name       string
		body       string
		headers    []string
		status     int
		scimType   string
		detailHave string
	}{
		{"malformed JSON", `{"schemas":`, nil, 400, "invalidSyntax", "JSON"},
		{"trailing data", `{` + core + `,"userName":"a"} {}`, nil, 400, "invalidSyntax", ""},
		{"array body", `[1]`, nil, 400, "invalidSyntax", ""},
		{"no schemas", `{"userName":"a@x"}`, nil, 400, "invalidSyntax", "schemas"},
		{"wrong schemas", `{"schemas":["urn:x"],"userName":"a@x"}`, nil, 400, "invalidSyntax", "schemas"},
		{"missing userName", `{` + core + `}`, nil, 400, "invalidValue", "userName"},
		{"empty userName", `{` + core + `,"userName":""}`, nil, 400, "invalidValue", "userName"},
		{"userName a number", `{` + core + `,"userName":42}`, nil, 400, "invalidValue", "userName"},
		{"active a word", `{` + core + `,"userName":"a@x","active":"yes"}`, nil, 400, "invalidValue", "active"},
		{"emails not an array", `{` + core + `,"userName":"a@x","emails":{"value":"a@x"}}`, nil, 400, "invalidValue", "emails"},
		{"email element a string", `{` + core + `,"userName":"a@x","emails":["a@x"]}`, nil, 400, "invalidValue", "emails"},
		{"primary a word", `{` + core + `,"userName":"a@x","emails":[{"value":"a@x","primary":"maybe"}]}`, nil, 400, "invalidValue", "emails.primary"},
		{"name a string", `{` + core + `,"userName":"a@x","name":"Ann"}`, nil, 400, "invalidValue", "name"},
		{"xml", `{` + core + `,"userName":"a@x"}`, []string{"Content-Type: application/xml"}, 415, "", "Content-Type"},
		{"text", `{` + core + `,"userName":"a@x"}`, []string{"Content-Type: text/plain"}, 415, "", "Content-Type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", l.Base+"/Users", l.Key, tc.body, tc.headers...)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
			}
			assertSCIMError(t, r, tc.status, tc.scimType)
			if !strings.Contains(r.JSON["detail"].(string), tc.detailHave) {
				t.Errorf("detail %q does not mention %q", r.JSON["detail"], tc.detailHave)
			}
		})
	}
}

// assertSCIMError checks the SCIM error shape (docs/behaviour.md ).
func assertSCIMError(t *testing.T, r resp, status int, scimType string) {
	t.Helper()
	if got := fmt.Sprint(r.JSON["schemas"]); got != "["+schemaError+"]" {
		t.Errorf("error schemas %s in %s", got, r.Raw)
	}
	if r.JSON["status"] != fmt.Sprint(status) {
		t.Errorf("error status %#v, want the string %q", r.JSON["status"], fmt.Sprint(status))
	}
	if d, _ := r.JSON["detail"].(string); d == "" {
		t.Errorf("empty detail in %s", r.Raw)
	}
	if scimType != "" && r.JSON["scimType"] != scimType {
		t.Errorf("scimType %v, want %s", r.JSON["scimType"], scimType)
	}
	if ct := r.Header.Get("Content-Type"); ct != contentTypeSCIM {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestCreateAcceptsMediaTypes(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	for i, ct := range []string{"application/scim+json", "application/json", "application/json; charset=utf-8", "Application/SCIM+JSON; charset=UTF-8", ""} {
		body := oktaUser(fmt.Sprintf("m%d@example.com", i), "")
		r := doReq(t, "POST", l.Base+"/Users", l.Key, body, "Content-Type: "+ct)
		if r.Status != 201 {
			t.Errorf("Content-Type %q: %d %s", ct, r.Status, r.Raw)
		}
	}
}

func TestUserNameUniqueness(t *testing.T) {
	e := newEnv(t, Config{}, "one", "two")
	a, b := e.loc(0), e.loc(1)
	e.create(a, "Straße@Example.com", "")
	for _, dup := range []string{"straße@example.com", "STRASSE@EXAMPLE.COM", "Stra\u00dfe@example.COM"} {
		r := e.do("POST", a.Base+"/Users", a.Key, oktaUser(dup, ""))
		if r.Status != 409 {
			t.Errorf("%s: %d %s", dup, r.Status, r.Raw)
			continue
		}
		assertSCIMError(t, r, 409, "uniqueness")
	}
	// NFC and NFD forms of the same name collide.
	e.create(a, "Jos\u00e9@example.com", "")
	if r := e.do("POST", a.Base+"/Users", a.Key, oktaUser("JOSE\u0301@example.com", "")); r.Status != 409 {
		t.Errorf("decomposed duplicate: %d", r.Status)
	}
	// Another location is another namespace.
	e.create(b, "straße@example.com", "")
}

func TestConcurrentCreateSameUserName(t *testing.T) {
	concurrentCreate(t, newEnv(t, Config{}))
}

// concurrentCreate sends 50 concurrent POSTs of one userName in mixed case:
// exactly one 201 and 49 × 409.
func concurrentCreate(t *testing.T, e *testEnv) {
	l := e.loc(0)
	const n = 50
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := []rune("race.user@example.com")
			for j := range name {
				if (i>>(j%6))&1 == 1 {
					name[j] = []rune(strings.ToUpper(string(name[j])))[0]
				}
			}
			statuses[i] = doReq(t, "POST", l.Base+"/Users", l.Key, oktaUser(string(name), "")).Status
		}()
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[201] != 1 || count[409] != n-1 {
		t.Fatalf("want one 201 and %d 409, got %v", n-1, count)
	}
	r := e.do("GET", l.Base+"/Users", l.Key, "")
	if num(t, r.JSON["totalResults"]) != 1 {
		t.Errorf("users after the race: %s", r.Raw)
	}
}

func TestGetUser(t *testing.T) {
	e := newEnv(t, Config{}, "limited", "full:full")
	lim, full := e.loc(0), e.loc(1)
	idL := e.create(lim, "a@example.com", "00u1")
	idF := e.create(full, "a@example.com", "")
	tests := []struct {
		name   string
		loc    testLoc
		id     string
		status int
		keys   string
	}{
		{"limited", lim, idL, 200, "[active externalId id schemas]"},
		{"full", full, idF, 200, "[active displayName emails id locale meta name schemas userName]"},
		{"unknown id", lim, "00919288221112222", 404, ""},
		{"other location's id", lim, idF, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", tc.loc.Base+"/Users/"+tc.id, tc.loc.Key, "")
			if r.Status != tc.status {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			if tc.status != 200 {
				assertSCIMError(t, r, tc.status, "")
				return
			}
			if got := fmt.Sprint(keysOf(r.JSON)); got != tc.keys {
				t.Errorf("keys %s, want %s", got, tc.keys)
			}
		})
	}
}

func TestPutUser(t *testing.T) {
	core := `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]`
	tests := []struct {
		name   string
		body   string
		status int
		check  func(t *testing.T, u map[string]any)
	}{
		{"absent attributes keep their value", `{` + core + `,"userName":"p@example.com","displayName":"New"}`, 200, func(t *testing.T, u map[string]any) {
			if u["displayName"] != "New" || u["locale"] != "en-US" || u["externalId"] != "00uP" || u["name"] == nil || u["emails"] == nil {
				t.Errorf("%v", u)
			}
		}},
		{"null, empty string and empty array clear", `{` + core + `,"userName":"p@example.com","displayName":null,"locale":"","emails":[],"name":{"givenName":""}}`, 200, func(t *testing.T, u map[string]any) {
			for _, k := range []string{"displayName", "locale", "emails", "name"} {
				if _, ok := u[k]; ok {
					t.Errorf("%s not cleared: %v", k, u[k])
				}
			}
		}},
		{"present complex replaces", `{` + core + `,"userName":"p@example.com","name":{"givenName":"Only"}}`, 200, func(t *testing.T, u map[string]any) {
			if fmt.Sprint(u["name"]) != "map[givenName:Only]" {
				t.Errorf("name %v", u["name"])
			}
		}},
		{"userName case change kept", `{` + core + `,"userName":"P@Example.COM"}`, 200, func(t *testing.T, u map[string]any) {
			if u["userName"] != "P@Example.COM" {
				t.Errorf("userName %v", u["userName"])
			}
		}},
		{"id meta groups ignored, password not returned", `{` + core + `,"id":"other","meta":{},"groups":[{"value":"x"}],"userName":"p@example.com","password":"pw"}`, 200, func(t *testing.T, u map[string]any) {
			if _, ok := u["password"]; ok || u["groups"] != nil || !uuidV4.MatchString(u["id"].(string)) {
				t.Errorf("%v", u)
			}
		}},
		{"active false deactivates", `{` + core + `,"userName":"p@example.com","active":false}`, 200, func(t *testing.T, u map[string]any) {
			if u["active"] != false {
				t.Errorf("active %v", u["active"])
			}
		}},
		{"active as string", `{` + core + `,"userName":"p@example.com","active":"False"}`, 200, func(t *testing.T, u map[string]any) {
			if u["active"] != false {
				t.Errorf("active %v", u["active"])
			}
		}},
		{"missing userName", `{` + core + `,"displayName":"x"}`, 400, nil},
		{"null userName", `{` + core + `,"userName":null}`, 400, nil},
		{"no schemas", `{"userName":"p@example.com"}`, 400, nil},
		{"userName taken", `{` + core + `,"userName":"OTHER@example.com"}`, 409, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			l := e.loc(0)
			id := e.create(l, "p@example.com", "00uP")
			e.create(l, "other@example.com", "")
			r := e.do("PUT", l.Base+"/Users/"+id, l.Key, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			if tc.check != nil {
				tc.check(t, r.JSON)
				if r.JSON["id"] != id {
					t.Errorf("id changed to %v", r.JSON["id"])
				}
			} else {
				assertSCIMError(t, r, tc.status, "")
			}
		})
	}
	e := newEnv(t, Config{})
	l := e.loc(0)
	if r := e.do("PUT", l.Base+"/Users/nope", l.Key, `{`+core+`,"userName":"x"}`); r.Status != 404 {
		t.Errorf("PUT unknown id: %d", r.Status)
	}
}

func TestPatchUser(t *testing.T) {
	op := func(ops string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
	}
	tests := []struct {
		name     string
		body     string
		status   int
		scimType string
		check    func(t *testing.T, u map[string]any)
	}{
		{"no-path deactivate", op(`{"op":"replace","value":{"active":false}}`), 200, "", func(t *testing.T, u map[string]any) {
			if u["active"] != false {
				t.Errorf("active %v", u["active"])
			}
		}},
		{"op case-insensitive, path form", op(`{"op":"Replace","path":"active","value":false}`), 200, "", func(t *testing.T, u map[string]any) {
			if u["active"] != false {
				t.Errorf("active %v", u["active"])
			}
		}},
		{"dotted key in no-path value", op(`{"op":"replace","value":{"name.givenName":"Zed"}}`), 200, "", func(t *testing.T, u map[string]any) {
			if u["name"].(map[string]any)["givenName"] != "Zed" || u["name"].(map[string]any)["familyName"] != "User" {
				t.Errorf("name %v", u["name"])
			}
		}},
		{"filtered path", op(`{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@example.com"}`), 200, "", func(t *testing.T, u map[string]any) {
			if fmt.Sprint(u["emails"]) != "[map[primary:true type:work value:new@example.com]]" {
				t.Errorf("emails %v", u["emails"])
			}
		}},
		{"remove", op(`{"op":"remove","path":"displayName"}`), 200, "", func(t *testing.T, u map[string]any) {
			if _, ok := u["displayName"]; ok {
				t.Errorf("displayName %v", u["displayName"])
			}
		}},
		{"password accepted, not returned", op(`{"op":"replace","value":{"password":"n3w"}}`), 200, "", func(t *testing.T, u map[string]any) {
			if _, ok := u["password"]; ok {
				t.Errorf("password returned")
			}
		}},
		{"atomic: a failing later op changes nothing", op(`{"op":"replace","path":"displayName","value":"Changed"},{"op":"remove","path":"emails[type eq \"home\"]"}`), 400, "noTarget", nil},
		{"bad path", op(`{"op":"replace","path":"emails[type eq","value":"x"}`), 400, "invalidPath", nil},
		{"bad op", op(`{"op":"merge","value":{}}`), 400, "invalidSyntax", nil},
		{"missing PatchOp schema", `{"Operations":[{"op":"replace","value":{"active":false}}]}`, 400, "invalidSyntax", nil},
		{"malformed JSON", `{"schemas":`, 400, "invalidSyntax", nil},
		{"wrong type after patch", op(`{"op":"replace","path":"userName","value":7}`), 400, "invalidValue", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			l := e.loc(0)
			id := e.create(l, "q@example.com", "00uQ")
			r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			if tc.check != nil {
				tc.check(t, r.JSON)
				return
			}
			assertSCIMError(t, r, tc.status, tc.scimType)
			u := e.adminUserByID(l, id)
			if u["displayName"] != "Test User" || u["active"] != true || len(u["emails"].([]any)) != 1 {
				t.Errorf("a failed PATCH changed the user: %v", u)
			}
		})
	}
}

func TestDeleteUser(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	id := e.create(l, "d@example.com", "00uD")
	if r := e.do("DELETE", l.Base+"/Users/"+id, l.Key, ""); r.Status != 204 || len(r.Raw) != 0 {
		t.Fatalf("DELETE: %d %s", r.Status, r.Raw)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if r := e.do(m, l.Base+"/Users/"+id, l.Key, ""); r.Status != 404 {
			t.Errorf("%s after delete: %d", m, r.Status)
		}
	}
	if r := e.do("PUT", l.Base+"/Users/"+id, l.Key, oktaUser("d@example.com", "")); r.Status != 404 {
		t.Errorf("PUT after delete: %d", r.Status)
	}
	if r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`); r.Status != 404 {
		t.Errorf("PATCH after delete: %d", r.Status)
	}
	for _, q := range []string{filterURL(l, "d@example.com"), l.Base + `/Users?filter=externalId%20eq%20%2200uD%22`, l.Base + `/Users?filter=id%20eq%20%22` + id + `%22`, l.Base + "/Users", l.Base + `/Users?filter=active%20eq%20false`} {
		if r := e.do("GET", q, l.Key, ""); num(t, r.JSON["totalResults"]) != 0 {
			t.Errorf("%s finds the deleted user: %s", q, r.Raw)
		}
	}
	admin := e.adminUserByID(l, id)
	if admin["deleted"] != true || admin["active"] != false || admin["canSignIn"] != false || admin["userName"] != "d@example.com" {
		t.Errorf("admin view of a deleted user: %v", admin)
	}
	id2 := e.create(l, "D@example.com", "")
	if id2 == id {
		t.Errorf("id reused")
	}
}

func TestEnterpriseExtension(t *testing.T) {
	e := newEnv(t, Config{}, "full:full")
	l := e.loc(0)
	ent := schemaEnterprise
	r := e.do("POST", l.Base+"/Users", l.Key, `{"schemas":["`+schemaUser+`","`+ent+`"],"userName":"ent@example.com",
		"`+ent+`":{"department":"Legal","costCenter":"42","manager":{"value":"m1","displayName":"Boss"}}}`)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id := r.JSON["id"].(string)
	// PUT merges the extension attribute by attribute.
	r = e.do("PUT", l.Base+"/Users/"+id, l.Key, `{"schemas":["`+schemaUser+`"],"userName":"ent@example.com","`+ent+`":{"department":"Tax","costCenter":""}}`)
	ext, _ := r.JSON[ent].(map[string]any)
	if r.Status != 200 || ext["department"] != "Tax" || ext["costCenter"] != nil || ext["manager"] == nil {
		t.Fatalf("PUT: %d %s", r.Status, r.Raw)
	}
	// PATCH with a URN-qualified path.
	r = e.do("PATCH", l.Base+"/Users/"+id, l.Key, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"`+ent+`:department","value":"Audit"}]}`)
	ext, _ = r.JSON[ent].(map[string]any)
	if r.Status != 200 || ext["department"] != "Audit" {
		t.Fatalf("PATCH: %d %s", r.Status, r.Raw)
	}
	// Filter on an extension attribute, and a null extension clears it.
	f := e.do("GET", l.Base+"/Users?filter="+strings.ReplaceAll(ent+`:department eq "Audit"`, " ", "%20"), l.Key, "")
	if num(t, f.JSON["totalResults"]) != 1 {
		t.Errorf("extension filter: %s", f.Raw)
	}
	r = e.do("PUT", l.Base+"/Users/"+id, l.Key, `{"schemas":["`+schemaUser+`"],"userName":"ent@example.com","`+ent+`":null}`)
	if _, has := r.JSON[ent]; has || fmt.Sprint(r.JSON["schemas"]) != "["+schemaUser+"]" {
		t.Errorf("null extension: %s", r.Raw)
	}
	if bad := e.do("PUT", l.Base+"/Users/"+id, l.Key, `{"schemas":["`+schemaUser+`"],"userName":"ent@example.com","`+ent+`":{"department":5}}`); bad.Status != 400 || !strings.Contains(bad.JSON["detail"].(string), "department") {
		t.Errorf("wrong type in the extension: %d %s", bad.Status, bad.Raw)
	}
}
