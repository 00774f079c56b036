package reference

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The bad-input corpus: requests the reference must refuse (or, for the
// read-only ones, answer harmlessly) on both stores, without a 5xx, with a
// SCIM error body, with the same status and scimType on SQLite and
// PostgreSQL, and without changing any user. It is data: add a case by
// adding a line. Placeholders in Path: {loc} (the first location's id),
// {loc2} (the second's), {id} (an existing user of {loc}), {admin} (the
// admin API prefix). Auth: "key" (the location's key), "none", "wrong",
// "other" (the second location's key), "admin" (the admin token).

// badCase is one request of the corpus.
type badCase struct {
	Name    string
	Method  string
	Path    string
	Auth    string
	Body    string
	Headers []string
	// Want is the exact status expected, 0 for any 4xx.
	Want int
	// ScimType is the scimType expected, "" for any (or none).
	ScimType string
	// ReadOnly marks a request that may succeed (2xx/3xx) because it cannot
	// change anything (a GET with odd headers).
	ReadOnly bool
}

// rawCase is a protocol-level request written as bytes on a TCP
// connection; Go's server may answer before any handler runs (then the
// body is not a SCIM error), so only "no 5xx" and the status are checked.
type rawCase struct {
	Name string
	Raw  string // {loc} and {key} are replaced
	Want int    // 0 for any 4xx
}

// userJSON is an Okta-shaped create body with attribute path set to the raw
// JSON value raw (path "name.givenName" sets a sub-attribute, "emails.value"
// the first email's value, "ent.department" the enterprise department).
func userJSON(userName, path, raw string) string {
	doc := map[string]any{
		"schemas":    []string{schemaUser, schemaEnterprise},
		"userName":   userName,
		"name":       map[string]any{"givenName": "Bad", "familyName": "Input"},
		"emails":     []any{map[string]any{"primary": true, "value": userName, "type": "work"}},
		"externalId": "00ubad",
		"active":     true,
	}
	const placeholder = "\u0001PLACEHOLDER\u0001"
	switch {
	case path == "":
	case path == "emails.value":
		doc["emails"] = []any{map[string]any{"primary": true, "value": placeholder, "type": "work"}}
	case strings.HasPrefix(path, "name."):
		doc["name"] = map[string]any{"givenName": "Bad", "familyName": "Input", strings.TrimPrefix(path, "name."): placeholder}
	case strings.HasPrefix(path, "ent."):
		doc[schemaEnterprise] = map[string]any{strings.TrimPrefix(path, "ent."): placeholder}
	default:
		doc[path] = placeholder
	}
	b, _ := json.Marshal(doc)
	enc, _ := json.Marshal(placeholder)
	return strings.Replace(string(b), string(enc), raw, 1)
}

// patchJSON wraps operations (a JSON array's contents) in a PatchOp body.
func patchJSON(ops string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
}

// badStrings are string values every attribute must refuse, as raw JSON.
var badStrings = []struct{ name, raw string }{
	{"NUL", `"a\u0000b"`},
	{"control U+0001", `"a\u0001b"`},
	{"escape U+001B", `"a\u001bb"`},
	{"DEL U+007F", `"a\u007fb"`},
	{"C1 U+0085", `"a\u0085b"`},
	{"whitespace only", `"   "`},
	{"tab and newline only", `"\t\n"`},
	{"lone surrogate", `"a\ud800b"`},
}

// corpus returns the bad-input cases (at least 150).
func corpus() ([]badCase, []rawCase) {
	var cs []badCase
	add := func(c badCase) { cs = append(cs, c) }
	users := "/scim/v2/{loc}/Users"
	user := users + "/{id}"

	// Every string attribute against every bad string, on POST.
	attrs := []string{"userName", "externalId", "name.givenName", "name.familyName", "displayName", "emails.value", "title", "ent.department"}
	for _, a := range attrs {
		for _, b := range badStrings {
			if a == "userName" {
				body, _ := json.Marshal(map[string]any{"schemas": []string{schemaUser}, "userName": "PLACE"})
				add(badCase{Name: "POST " + a + " " + b.name, Method: "POST", Path: users, Auth: "key",
					Body: strings.Replace(string(body), `"PLACE"`, b.raw, 1), Want: 400, ScimType: "invalidValue"})
				continue
			}
			add(badCase{Name: "POST " + a + " " + b.name, Method: "POST", Path: users, Auth: "key",
				Body: userJSON("bad.input@example.com", a, b.raw), Want: 400, ScimType: "invalidValue"})
		}
	}
	// Lengths: one over each limit.
	over := func(n int) string { return `"` + strings.Repeat("a", n+1) + `"` }
	for _, l := range []struct {
		path  string
		limit int
	}{
		{"externalId", MaxExternalIDLength}, {"name.givenName", MaxNameLength}, {"displayName", MaxNameLength},
		{"emails.value", MaxNameLength}, {"title", MaxStringLength}, {"ent.department", MaxStringLength},
		{"profileUrl", MaxURLLength}, {"nickName", MaxNameLength},
	} {
		add(badCase{Name: fmt.Sprintf("POST %s of %d characters", l.path, l.limit+1), Method: "POST", Path: users, Auth: "key",
			Body: userJSON("long.value@example.com", l.path, over(l.limit)), Want: 400, ScimType: "invalidValue"})
	}
	for _, n := range []int{MaxUserNameLength + 1, 3000, 10000} {
		body, _ := json.Marshal(map[string]any{"schemas": []string{schemaUser}, "userName": strings.Repeat("u", n) + "@example.com"})
		add(badCase{Name: fmt.Sprintf("POST userName of %d characters", n+12), Method: "POST", Path: users, Auth: "key",
			Body: string(body), Want: 400, ScimType: "invalidValue"})
	}
	many := make([]any, MaxMultiValues+1)
	for i := range many {
		many[i] = map[string]any{"value": fmt.Sprintf("e%d@example.com", i), "type": "other"}
	}
	manyJSON, _ := json.Marshal(many)
	add(badCase{Name: "POST 101 emails", Method: "POST", Path: users, Auth: "key",
		Body: strings.Replace(userJSON("many@example.com", "", ""), `"emails":[{"primary":true,"type":"work","value":"many@example.com"}]`, `"emails":`+string(manyJSON), 1),
		Want: 400, ScimType: "invalidValue"})

	// Bodies that are not a User.
	for _, b := range []struct{ name, body, scimType string }{
		{"invalid UTF-8 byte", "{\"schemas\":[\"" + schemaUser + "\"],\"userName\":\"a\xffb\"}", "invalidSyntax"},
		{"invalid UTF-8 in an unknown attribute", "{\"schemas\":[\"" + schemaUser + "\"],\"userName\":\"ok@example.com\",\"x\":\"\xc3\x28\"}", "invalidSyntax"},
		{"a JSON array", `[{"userName":"x"}]`, "invalidSyntax"},
		{"a JSON string", `"userName"`, "invalidSyntax"},
		{"a JSON number", `42`, "invalidSyntax"},
		{"JSON null", `null`, "invalidSyntax"},
		{"truncated JSON", `{"schemas":["` + schemaUser + `"],"userName":"tr`, "invalidSyntax"},
		{"trailing data", `{"schemas":["` + schemaUser + `"],"userName":"t@example.com"} {}`, "invalidSyntax"},
		{"deep nesting", strings.Repeat(`{"a":`, 20000) + `1` + strings.Repeat(`}`, 20000), "invalidSyntax"},
		{"empty object", `{}`, ""},
		{"no schemas", `{"userName":"noschema@example.com"}`, "invalidSyntax"},
		{"schemas a string", `{"schemas":"` + schemaUser + `","userName":"s@example.com"}`, "invalidSyntax"},
		{"schemas of numbers", `{"schemas":[1],"userName":"s@example.com"}`, "invalidSyntax"},
		{"userName a number", `{"schemas":["` + schemaUser + `"],"userName":12}`, "invalidValue"},
		{"userName an object", `{"schemas":["` + schemaUser + `"],"userName":{"a":1}}`, "invalidValue"},
		{"userName missing", `{"schemas":["` + schemaUser + `"],"displayName":"No Name"}`, "invalidValue"},
		{"userName empty", `{"schemas":["` + schemaUser + `"],"userName":""}`, "invalidValue"},
		{"userName null", `{"schemas":["` + schemaUser + `"],"userName":null}`, "invalidValue"},
		{"active not a boolean", `{"schemas":["` + schemaUser + `"],"userName":"a@example.com","active":"maybe"}`, "invalidValue"},
		{"emails an object", `{"schemas":["` + schemaUser + `"],"userName":"a@example.com","emails":{"value":"a@example.com"}}`, "invalidValue"},
		{"emails of strings", `{"schemas":["` + schemaUser + `"],"userName":"a@example.com","emails":["a@example.com"]}`, "invalidValue"},
		{"name a string", `{"schemas":["` + schemaUser + `"],"userName":"a@example.com","name":"A B"}`, "invalidValue"},
		{"password a number", `{"schemas":["` + schemaUser + `"],"userName":"a@example.com","password":1}`, "invalidValue"},
		{"enterprise a string", `{"schemas":["` + schemaUser + `"],"userName":"a@example.com","` + schemaEnterprise + `":"x"}`, "invalidValue"},
		{"two primaries", `{"schemas":["` + schemaUser + `"],"userName":"p@example.com","emails":[{"value":"a@x.com","primary":true},{"value":"b@x.com","primary":true}]}`, "invalidValue"},
		{"duplicate userName of the seed", `{"schemas":["` + schemaUser + `"],"userName":"SEED.ONE@example.com"}`, "uniqueness"},
	} {
		add(badCase{Name: "POST " + b.name, Method: "POST", Path: users, Auth: "key", Body: b.body, ScimType: b.scimType})
	}
	add(badCase{Name: "POST body over 1 MiB", Method: "POST", Path: users, Auth: "key",
		Body: `{"schemas":["` + schemaUser + `"],"userName":"big@example.com","pad":"` + strings.Repeat("x", MaxBodyBytes) + `"}`, Want: 413})
	add(badCase{Name: "POST text/plain", Method: "POST", Path: users, Auth: "key", Body: userJSON("ct@example.com", "", ""),
		Headers: []string{"Content-Type: text/plain"}, Want: 415})
	add(badCase{Name: "POST malformed Content-Type", Method: "POST", Path: users, Auth: "key", Body: userJSON("ct@example.com", "", ""),
		Headers: []string{"Content-Type: ;;;"}, Want: 415})
	add(badCase{Name: "POST no body", Method: "POST", Path: users, Auth: "key", Want: 400})

	// PUT on the seed user with the same bad values, and on odd ids.
	for _, b := range badStrings {
		body, _ := json.Marshal(map[string]any{"schemas": []string{schemaUser}, "userName": "PLACE"})
		add(badCase{Name: "PUT userName " + b.name, Method: "PUT", Path: user, Auth: "key",
			Body: strings.Replace(string(body), `"PLACE"`, b.raw, 1), Want: 400, ScimType: "invalidValue"})
		add(badCase{Name: "PUT displayName " + b.name, Method: "PUT", Path: user, Auth: "key",
			Body: userJSON("seed.one@example.com", "displayName", b.raw), Want: 400, ScimType: "invalidValue"})
	}
	add(badCase{Name: "PUT userName of 3000 characters", Method: "PUT", Path: user, Auth: "key",
		Body: userJSON(strings.Repeat("p", 3000), "", ""), Want: 400, ScimType: "invalidValue"})
	add(badCase{Name: "PUT malformed JSON", Method: "PUT", Path: user, Auth: "key", Body: `{"schemas":`, Want: 400, ScimType: "invalidSyntax"})
	add(badCase{Name: "PUT no userName", Method: "PUT", Path: user, Auth: "key", Body: `{"schemas":["` + schemaUser + `"]}`, Want: 400})
	add(badCase{Name: "PUT userName of the other seed", Method: "PUT", Path: user, Auth: "key",
		Body: userJSON("seed.two@example.com", "", ""), Want: 409, ScimType: "uniqueness"})
	add(badCase{Name: "PUT stale If-Match", Method: "PUT", Path: user, Auth: "key", Body: userJSON("seed.one@example.com", "", ""),
		Headers: []string{`If-Match: W/"999"`}, Want: 412})
	for _, id := range []string{"%00", "%ff", "no-such-user", "a%20b", strings.Repeat("9", 300), "%E2%80%AE", "..%2f..%2fadmin"} {
		add(badCase{Name: "PUT odd id " + trunc(id), Method: "PUT", Path: users + "/" + id, Auth: "key",
			Body: userJSON("odd.id@example.com", "", ""), Want: 404})
		add(badCase{Name: "GET odd id " + trunc(id), Method: "GET", Path: users + "/" + id, Auth: "key", Want: 404})
		add(badCase{Name: "DELETE odd id " + trunc(id), Method: "DELETE", Path: users + "/" + id, Auth: "key", Want: 404})
	}

	// PATCH: unknown paths, bad operations, bad values.
	for _, p := range []string{"foo", "name.foo", "emails.bogus", `emails[type eq "work"].bogus`, "urn:bogus:schema:foo",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:bogus", "manager", "userName.sub", "addresses.value"} {
		pj, _ := json.Marshal(p)
		add(badCase{Name: "PATCH unknown path " + p, Method: "PATCH", Path: user, Auth: "key",
			Body: patchJSON(`{"op":"replace","path":` + string(pj) + `,"value":"x"}`), Want: 400, ScimType: "invalidPath"})
	}
	for _, b := range []struct{ name, ops, scimType string }{
		{"malformed path", `{"op":"replace","path":"emails[type eq","value":"x"}`, "invalidPath"},
		{"path a number", `{"op":"replace","path":1,"value":"x"}`, "invalidSyntax"},
		{"op move", `{"op":"move","path":"userName","value":"x"}`, "invalidSyntax"},
		{"op missing", `{"path":"userName","value":"x"}`, "invalidSyntax"},
		{"add without value", `{"op":"add","path":"displayName"}`, "invalidValue"},
		{"remove without path", `{"op":"remove"}`, "noTarget"},
		{"remove userName", `{"op":"remove","path":"userName"}`, ""},
		{"replace userName NUL", `{"op":"replace","path":"userName","value":"a\u0000b"}`, "invalidValue"},
		{"replace userName whitespace", `{"op":"replace","path":"userName","value":"  "}`, "invalidValue"},
		{"replace userName too long", `{"op":"replace","path":"userName","value":"` + strings.Repeat("l", 3000) + `"}`, "invalidValue"},
		{"no-path displayName control", `{"op":"replace","value":{"displayName":"a\u0007b"}}`, "invalidValue"},
		{"no-path active a string", `{"op":"replace","value":{"active":"maybe"}}`, ""},
		{"no-path value a string", `{"op":"replace","value":"x"}`, ""},
		{"replace emails 101", `{"op":"replace","path":"emails","value":` + string(manyJSON) + `}`, "invalidValue"},
		{"filter on nothing", `{"op":"replace","path":"emails[type eq \"nope\"].value","value":"x@example.com"}`, "noTarget"},
		{"externalId lone surrogate", `{"op":"replace","path":"externalId","value":"\ud800"}`, "invalidValue"},
		{"userName of the other seed", `{"op":"replace","path":"userName","value":"seed.two@example.com"}`, "uniqueness"},
	} {
		add(badCase{Name: "PATCH " + b.name, Method: "PATCH", Path: user, Auth: "key", Body: patchJSON(b.ops), ScimType: b.scimType})
	}
	for _, b := range []struct{ name, body string }{
		{"no schemas", `{"Operations":[{"op":"replace","value":{"active":false}}]}`},
		{"no Operations", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`},
		{"empty Operations", patchJSON(``)},
		{"Operations an object", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":{"op":"add"}}`},
		{"an array", `[{"op":"add"}]`},
		{"invalid JSON", `{"schemas":[`},
		{"invalid UTF-8", "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"\xff\"}]}"},
	} {
		add(badCase{Name: "PATCH " + b.name, Method: "PATCH", Path: user, Auth: "key", Body: b.body, Want: 400})
	}
	add(badCase{Name: "PATCH unknown id", Method: "PATCH", Path: users + "/no-such-user", Auth: "key", Body: deactivateBody, Want: 404})

	// Filters and query strings.
	for _, q := range []struct{ name, query, scimType string }{
		{"NUL in a filter value", `filter=userName%20eq%20%22a%00b%22`, "invalidValue"},
		{"invalid UTF-8 in a filter value", `filter=userName%20eq%20%22a%ffb%22`, "invalidValue"},
		{"bad percent-encoding", `filter=userName%20eq%20%22a%zzb%22`, "invalidValue"},
		{"filter without operator", `filter=userName`, "invalidFilter"},
		{"unknown operator", `filter=userName%20xx%20%22a%22`, "invalidFilter"},
		{"unterminated string", `filter=userName%20eq%20%22abc`, "invalidFilter"},
		{"unbalanced parentheses", `filter=(userName%20eq%20%22a%22`, "invalidFilter"},
		{"filter too long", `filter=userName%20eq%20%22` + strings.Repeat("a", 20000) + `%22`, "invalidFilter"},
		{"empty brackets", `filter=emails[]`, "invalidFilter"},
		{"escaped NUL in a userName filter", `filter=userName%20eq%20%22a%5Cu0000b%22`, "invalidFilter"},
		{"escaped NUL in an externalId filter", `filter=externalId%20eq%20%22%5Cu0000%22`, "invalidFilter"},
		{"escaped NUL in an id filter", `filter=id%20eq%20%22%5Cu0000%22`, "invalidFilter"},
		{"escaped lone surrogate in a userName filter", `filter=userName%20eq%20%22%5Cud800%22`, "invalidFilter"},
		{"startIndex not a number", `startIndex=abc`, "invalidValue"},
		{"count not a number", `count=1e3`, "invalidValue"},
		{"control character in attributes", `attributes=user%01Name`, "invalidValue"},
		{"access_token in the query", `access_token=secret-value`, "invalidValue"},
		{"api_key in the query", `api_key=secret-value`, "invalidValue"},
		{"token in the query", `filter=userName%20pr&token=secret-value`, "invalidValue"},
		{"Access_Token in another case", `Access_Token=secret-value`, "invalidValue"},
	} {
		add(badCase{Name: "GET " + q.name, Method: "GET", Path: users + "?" + q.query, Auth: "key", Want: 400, ScimType: q.scimType})
	}
	add(badCase{Name: "GET access_token without a header", Method: "GET", Path: users + "?access_token=secret-value", Auth: "none", Want: 400})

	// Authentication and locations: one 401 for all.
	for _, a := range []struct{ name, path, auth string }{
		{"no key", users, "none"},
		{"wrong key", users, "wrong"},
		{"another location's key", users, "other"},
		{"unknown location", "/scim/v2/no-such-location/Users", "key"},
		{"unknown location without key", "/scim/v2/no-such-location/Users", "none"},
		{"invalid UTF-8 location without key", "/scim/v2/%ff/Users", "none"},
		{"NUL location", "/scim/v2/%00/Users", "key"},
		{"upper-case location", "/scim/v2/DEFAULT-NOPE/Users", "key"},
		{"long location", "/scim/v2/" + strings.Repeat("l", 500) + "/Users", "none"},
		{"unicode location", "/scim/v2/d%C3%A9faut/Users", "key"},
		{"space location", "/scim/v2/a%20b/Users", "none"},
		{"location on POST", "/scim/v2/%ff/Users", "none"},
		{"admin token on SCIM", users, "admin"},
	} {
		method, body := "GET", ""
		if a.name == "location on POST" {
			method, body = "POST", userJSON("auth@example.com", "", "")
		}
		add(badCase{Name: "401 " + a.name, Method: method, Path: a.path, Auth: a.auth, Body: body, Want: 401})
	}
	for _, h := range []string{"Authorization: Basic dXNlcjpwYXNz", "Authorization: Bearer", "Authorization: Bearer  ", "Authorization: Token abc",
		"Authorization: Bearer " + strings.Repeat("k", 8000), "Authorization: Bearer a\xffb"} {
		add(badCase{Name: "401 header " + trunc(h), Method: "GET", Path: users, Auth: "none", Headers: []string{h}, Want: 401})
	}

	// Methods and endpoints.
	for _, m := range []struct{ method, path string }{
		{"PUT", users}, {"DELETE", users}, {"PATCH", users}, {"OPTIONS", users}, {"PROPFIND", users}, {"TRACE", users},
		{"POST", user}, {"POST", "/scim/v2/{loc}/ServiceProviderConfig"}, {"DELETE", "/scim/v2/{loc}/Schemas"},
		{"PUT", "/scim/v2/{loc}/ResourceTypes"}, {"POST", "/healthz"}, {"DELETE", "{admin}/locations"},
	} {
		auth := "key"
		if strings.HasPrefix(m.path, "{admin}") {
			auth = "admin"
		}
		add(badCase{Name: "405 " + m.method + " " + m.path, Method: m.method, Path: m.path, Auth: auth, Want: 405})
	}
	for _, p := range []string{"/scim/v2/{loc}/Nope", "/scim/v2/{loc}/Users/{id}/extra", "/scim/v2/{loc}/Users/../../admin/api/locations",
		"/scim/v2/{loc}/Schemas/urn:bogus", "/scim/v2/{loc}/ResourceTypes/Nope", "/scim/v3/{loc}/Users", "/nope"} {
		add(badCase{Name: "404 " + p, Method: "GET", Path: p, Auth: "key", Want: 404})
	}
	add(badCase{Name: "GET with odd headers", Method: "GET", Path: users, Auth: "key", ReadOnly: true,
		Headers: []string{"X-HTTP-Method-Override: DELETE", "Accept: text/html", "Accept-Charset: utf-16", "Range: bytes=0-1"}})
	add(badCase{Name: "HEAD a user", Method: "HEAD", Path: user, Auth: "key", ReadOnly: true})

	// Admin API.
	for _, b := range []struct{ name, body string }{
		{"whitespace name", `{"name":"   "}`},
		{"NUL name", `{"name":"a\u0000b"}`},
		{"control name", `{"name":"a\u0007b"}`},
		{"long name", `{"name":"` + strings.Repeat("n", MaxLocationNameLength+1) + `"}`},
		{"name a number", `{"name":5}`},
		{"no name", `{}`},
		{"bad queryAttributes", `{"name":"x","queryAttributes":"most"}`},
		{"invalid JSON", `{"name":`},
		{"invalid UTF-8", "{\"name\":\"a\xffb\"}"},
	} {
		add(badCase{Name: "admin POST location " + b.name, Method: "POST", Path: "{admin}/locations", Auth: "admin", Body: b.body, Want: 400})
	}
	for _, b := range []struct{ name, body string }{
		{"whitespace name", `{"name":"  "}`},
		{"NUL name", `{"name":"\u0000"}`},
		{"bad queryAttributes", `{"queryAttributes":""}`},
	} {
		add(badCase{Name: "admin PATCH location " + b.name, Method: "PATCH", Path: "{admin}/locations/{loc}", Auth: "admin", Body: b.body, Want: 400})
	}
	for _, b := range badStrings[:4] {
		body, _ := json.Marshal(map[string]any{"userName": "PLACE"})
		add(badCase{Name: "admin POST member userName " + b.name, Method: "POST", Path: "{admin}/locations/{loc}/users", Auth: "admin",
			Body: strings.Replace(string(body), `"PLACE"`, b.raw, 1), Want: 400, ScimType: "invalidValue"})
	}
	add(badCase{Name: "admin POST member duplicate", Method: "POST", Path: "{admin}/locations/{loc}/users", Auth: "admin",
		Body: `{"userName":"Seed.One@example.com"}`, Want: 409})
	for _, p := range []string{"{admin}/locations/%ff", "{admin}/locations/%00/users", "{admin}/locations/{loc}/users/%ff",
		"{admin}/locations/nope/audit", "{admin}/locations/" + strings.Repeat("z", 300)} {
		add(badCase{Name: "admin 404 " + trunc(p), Method: "GET", Path: p, Auth: "admin", Want: 404})
	}
	add(badCase{Name: "admin invite unknown user", Method: "POST", Path: "{admin}/locations/{loc}/users/%ff/invite", Auth: "admin", Want: 404})
	add(badCase{Name: "admin without token", Method: "GET", Path: "{admin}/locations", Auth: "none", Want: 401})
	add(badCase{Name: "admin with a SCIM key", Method: "GET", Path: "{admin}/locations", Auth: "key", Want: 401})
	add(badCase{Name: "admin token in the query", Method: "GET", Path: "{admin}/locations?admin_token=x", Auth: "none", Want: 400})

	raws := []rawCase{
		{"bad request line", "GARBAGE\r\n\r\n", 400},
		{"HTTP/9.9", "GET /scim/v2/{loc}/Users HTTP/9.9\r\nHost: x\r\n\r\n", 505},
		{"no Host", "GET /scim/v2/{loc}/Users HTTP/1.1\r\nAuthorization: Bearer {key}\r\n\r\n", 400},
		{"header without colon", "GET /scim/v2/{loc}/Users HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n", 400},
		{"NUL in a header", "GET /scim/v2/{loc}/Users HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", 400},
		{"huge header", "GET /scim/v2/{loc}/Users HTTP/1.1\r\nHost: x\r\nX-A: " + strings.Repeat("h", 1100<<10) + "\r\n\r\n", 431},
		{"bad chunk", "POST /scim/v2/{loc}/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400},
		{"two Content-Lengths", "POST /scim/v2/{loc}/Users HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400},
		{"Content-Length not a number", "POST /scim/v2/{loc}/Users HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", 400},
		{"raw NUL in the path", "GET /scim/v2/\x00/Users HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"raw invalid UTF-8 in the path", "GET /scim/v2/\xff/Users HTTP/1.1\r\nHost: x\r\n\r\n", 0},
		{"bad percent-encoding in the path", "GET /scim/v2/%zz/Users HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"short body", "POST /scim/v2/{loc}/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: application/scim+json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"schemas\":", 400},
	}
	return cs, raws
}

// trunc shortens a case value for its name.
func trunc(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}
