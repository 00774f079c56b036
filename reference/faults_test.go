package reference

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

const deactivateBody = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
const reactivateBody = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`

// faultProbes observe, for each fault, the rule it breaks. Each probe runs
// on a fault-free server and on a server with only that fault; the two
// observations must be the clean and the faulty values.
var faultProbes = []struct {
	fault         string
	clean, faulty string
	probe         func(t *testing.T, e *testEnv) string
}{
	{faultFullQueryAttributes, "false false", "true true", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.create(l, "f@example.com", "")
		get := e.do("GET", l.Base+"/Users/"+id, l.Key, "")
		list := e.do("GET", l.Base+"/Users", l.Key, "")
		item := list.JSON["Resources"].([]any)[0].(map[string]any)
		return fmt.Sprint(get.JSON["userName"] != nil, item["userName"] != nil)
	}},
	{faultKeepClearedValues, "false false", "true true", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.create(l, "clear@example.com", "")
		// Write responses carry the full user (queries of a limited location do not).
		patched := e.do("PATCH", l.Base+"/Users/"+id, l.Key, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"displayName"}]}`)
		put := e.do("PUT", l.Base+"/Users/"+id, l.Key, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"clear@example.com","locale":null}`)
		return fmt.Sprint(patched.JSON["displayName"] != nil, put.JSON["locale"] != nil)
	}},
	{faultItemsPerPageIsCount, "1 1", "1 100", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		e.create(l, "ipp@example.com", "")
		list := e.do("GET", filterURL(l, "ipp@example.com"), l.Key, "")
		return fmt.Sprint(len(list.JSON["Resources"].([]any)), " ", num(t, list.JSON["itemsPerPage"]))
	}},
	{faultFilterEqOnly, "200 200", "200 400", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		e.create(l, "sw@example.com", "")
		eq := e.do("GET", l.Base+"/Users?filter="+url.QueryEscape(`userName eq "sw@example.com"`), l.Key, "")
		sw := e.do("GET", l.Base+"/Users?filter="+url.QueryEscape(`userName sw "sw@"`), l.Key, "")
		return fmt.Sprint(eq.Status, " ", sw.Status)
	}},
	{faultMultiValuedNoMatch, "1 1", "1 0", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		e.create(l, "mv@example.com", "")
		byName := e.do("GET", l.Base+"/Users?filter="+url.QueryEscape(`userName eq "mv@example.com"`), l.Key, "")
		byEmail := e.do("GET", l.Base+"/Users?filter="+url.QueryEscape(`emails.value eq "mv@example.com"`), l.Key, "")
		return fmt.Sprint(num(t, byName.JSON["totalResults"]), " ", num(t, byEmail.JSON["totalResults"]))
	}},
	{faultCaseSensitiveName, "409 1", "201 0", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		e.create(l, "Case@Example.com", "")
		post := e.do("POST", l.Base+"/Users", l.Key, oktaUser("case@example.com", ""))
		e.do("DELETE", l.Base+"/Users/"+fmt.Sprint(post.JSON["id"]), l.Key, "")
		find := e.do("GET", filterURL(l, "CASE@EXAMPLE.COM"), l.Key, "")
		return fmt.Sprint(post.Status, " ", num(t, find.JSON["totalResults"]))
	}},
	{faultForgetDeactivated, "200 1 409", "404 0 409", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.create(l, "gone@example.com", "")
		e.do("PATCH", l.Base+"/Users/"+id, l.Key, deactivateBody)
		get := e.do("GET", l.Base+"/Users/"+id, l.Key, "")
		find := e.do("GET", filterURL(l, "gone@example.com"), l.Key, "")
		dup := e.do("POST", l.Base+"/Users", l.Key, oktaUser("gone@example.com", ""))
		return fmt.Sprint(get.Status, " ", num(t, find.JSON["totalResults"]), " ", dup.Status)
	}},
	{faultAcceptAnyKey, "401 401 200", "200 200 200", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		return fmt.Sprint(e.do("GET", l.Base+"/Users", "", "").Status, " ",
			e.do("GET", l.Base+"/Users", "wrong", "").Status, " ", e.do("GET", l.Base+"/Users", l.Key, "").Status)
	}},
	{faultCreateReturns200, "201 true", "200 true", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		r := e.do("POST", l.Base+"/Users", l.Key, oktaUser("c@example.com", ""))
		return fmt.Sprint(r.Status, " ", r.JSON["id"] != nil)
	}},
	{faultNoLocationHeader, "true 201", "false 201", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		r := e.do("POST", l.Base+"/Users", l.Key, oktaUser("c@example.com", ""))
		return fmt.Sprint(r.Header.Get("Location") != "", " ", r.Status)
	}},
	{faultIgnoreNoPathPatch, "nopath:false path:false", "nopath:true path:false", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		a, b := e.create(l, "a@example.com", ""), e.create(l, "b@example.com", "")
		nopath := e.do("PATCH", l.Base+"/Users/"+a, l.Key, deactivateBody)
		path := e.do("PATCH", l.Base+"/Users/"+b, l.Key, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)
		return fmt.Sprintf("nopath:%v path:%v", nopath.JSON["active"], path.JSON["active"])
	}},
	{faultPutClearsAbsent, "Test User Janet", "<nil> Janet", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.create(l, "p@example.com", "")
		e.do("PUT", l.Base+"/Users/"+id, l.Key, `{"schemas":["`+schemaUser+`"],"userName":"p@example.com","name":{"givenName":"Janet"}}`)
		u := e.adminUserByID(l, id)
		return fmt.Sprint(u["displayName"], " ", u["name"].(map[string]any)["givenName"])
	}},
	{faultAutoInvite, "not-invited false", "invited true", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		u := e.adminUserByID(l, e.create(l, "n@example.com", ""))
		return fmt.Sprint(u["invitation"], " ", u["canSignIn"])
	}},
	{faultReinviteExisting, "okta not-needed true", "okta not-invited false", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.admin("POST", "/locations/"+l.ID+"/users", `{"userName":"old@example.com"}`).JSON["id"].(string)
		e.do("PUT", l.Base+"/Users/"+id, l.Key, oktaUser("old@example.com", "00uOld"))
		u := e.adminUserByID(l, id)
		return fmt.Sprint(u["signIn"], " ", u["invitation"], " ", u["canSignIn"])
	}},
	{faultStringPaging, "float64 float64 float64", "string string string", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		r := e.do("GET", l.Base+"/Users?startIndex=1&count=2", l.Key, "")
		return fmt.Sprintf("%T %T %T", r.JSON["totalResults"], r.JSON["startIndex"], r.JSON["itemsPerPage"])
	}},
	{faultUnstablePaging, "stable", "unstable", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		for i := range 5 {
			e.create(l, fmt.Sprintf("u%d@example.com", i), "")
		}
		seen := map[string]bool{}
		rows := 0
		for start := 1; start <= 5; start += 2 {
			r := e.do("GET", fmt.Sprintf("%s/Users?startIndex=%d&count=2", l.Base, start), l.Key, "")
			for _, x := range r.JSON["Resources"].([]any) {
				seen[x.(map[string]any)["id"].(string)] = true
				rows++
			}
		}
		if rows == 5 && len(seen) == 5 {
			return "stable"
		}
		return "unstable"
	}},
	{faultTotalIsPageSize, "3 1", "1 1", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		for i := range 3 {
			e.create(l, fmt.Sprintf("t%d@example.com", i), "")
		}
		r := e.do("GET", l.Base+"/Users?startIndex=1&count=1", l.Key, "")
		return fmt.Sprint(num(t, r.JSON["totalResults"]), " ", num(t, r.JSON["itemsPerPage"]))
	}},
	{faultConflictAs400, "409 uniqueness", "400 invalidValue", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		e.create(l, "d@example.com", "")
		r := e.do("POST", l.Base+"/Users", l.Key, oktaUser("d@example.com", ""))
		return fmt.Sprint(r.Status, " ", r.JSON["scimType"])
	}},
	{faultNoErrorSchema, "404 true string", "404 false float64", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		r := e.do("GET", l.Base+"/Users/00919288221112222", l.Key, "")
		return fmt.Sprintf("%d %v %T", r.Status, r.JSON["schemas"] != nil, r.JSON["status"])
	}},
	{faultNewIDOnReactivate, "same true 1", "new true 1", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.create(l, "r@example.com", "")
		e.do("PATCH", l.Base+"/Users/"+id, l.Key, deactivateBody)
		r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, reactivateBody)
		find := e.do("GET", filterURL(l, "r@example.com"), l.Key, "")
		same := "new"
		if r.JSON["id"] == id {
			same = "same"
		}
		return fmt.Sprint(same, " ", r.JSON["active"], " ", num(t, find.JSON["totalResults"]))
	}},
	{faultReturnsPassword, "false false", "true true", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		r := e.do("POST", l.Base+"/Users", l.Key, oktaUser("pw@example.com", ""))
		p := e.do("PATCH", l.Base+"/Users/"+r.JSON["id"].(string), l.Key, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"password":"n3w"}}]}`)
		return fmt.Sprint(r.JSON["password"] != nil, " ", p.JSON["password"] == "n3w")
	}},
	{faultCrossLocationIDs, "404 200", "200 200", func(t *testing.T, e *testEnv) string {
		a, b := e.loc(0), e.loc(1)
		id := e.create(b, "x@example.com", "")
		return fmt.Sprint(e.do("GET", a.Base+"/Users/"+id, a.Key, "").Status, " ", e.do("GET", b.Base+"/Users/"+id, b.Key, "").Status)
	}},
	{faultOldKeyValid, "401 200", "200 200", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		nk := e.admin("POST", "/locations/"+l.ID+"/api-key", "").JSON["apiKey"].(string)
		return fmt.Sprint(e.do("GET", l.Base+"/Users", l.Key, "").Status, " ", e.do("GET", l.Base+"/Users", nk, "").Status)
	}},
	{faultInviteInactive, "409 200", "200 200", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		a, b := e.create(l, "ia@example.com", ""), e.create(l, "ib@example.com", "")
		e.do("PATCH", l.Base+"/Users/"+a, l.Key, deactivateBody)
		return fmt.Sprint(e.admin("POST", "/locations/"+l.ID+"/users/"+a+"/invite", "").Status, " ",
			e.admin("POST", "/locations/"+l.ID+"/users/"+b+"/invite", "").Status)
	}},
	{faultServerErrorOnBadJSON, "400 400 400", "500 500 400", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.create(l, "j@example.com", "")
		return fmt.Sprint(e.do("POST", l.Base+"/Users", l.Key, `{"userName":`).Status, " ",
			e.do("PATCH", l.Base+"/Users/"+id, l.Key, `{"Operations":[`).Status, " ",
			e.do("POST", l.Base+"/Users", l.Key, `{"userName":"no-schemas"}`).Status)
	}},
	{faultPatchNotAtomic, "400 Test User", "400 Changed", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.create(l, "at@example.com", "")
		r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+
			`{"op":"replace","path":"displayName","value":"Changed"},{"op":"remove","path":"emails[type eq \"home\"]"}]}`)
		return fmt.Sprint(r.Status, " ", e.adminUserByID(l, id)["displayName"])
	}},
	{faultGroups404, "200 200", "404 200", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		return fmt.Sprint(e.do("GET", l.Base+"/Groups?startIndex=1&count=100", l.Key, "").Status, " ",
			e.do("GET", l.Base+"/Users?startIndex=1&count=2", l.Key, "").Status)
	}},
	{faultNoWWWAuthenticate, "401 true", "401 false", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		r := e.do("GET", l.Base+"/Users", "nope", "")
		return fmt.Sprint(r.Status, " ", strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer"))
	}},
	{faultDeactivatedCanSignIn, "false true", "true true", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.create(l, "s@example.com", "")
		e.admin("POST", "/locations/"+l.ID+"/users/"+id+"/invite", "")
		e.do("PATCH", l.Base+"/Users/"+id, l.Key, deactivateBody)
		off := e.adminUserByID(l, id)["canSignIn"]
		e.do("PATCH", l.Base+"/Users/"+id, l.Key, reactivateBody)
		return fmt.Sprint(off, " ", e.adminUserByID(l, id)["canSignIn"])
	}},
	{faultPasswordAfterOkta, "okta-only", "signed-in", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.admin("POST", "/locations/"+l.ID+"/users", `{"userName":"pw@example.com","password":"correct horse battery"}`).JSON["id"].(string)
		e.do("PUT", l.Base+"/Users/"+id, l.Key, oktaUser("pw@example.com", "00uPw"))
		b := newBrowser(t)
		b.get(e.http.URL + "/")
		return b.post(e.http.URL+"/signin/password", url.Values{"location": {l.ID}, "login": {"pw@example.com"}, "password": {"correct horse battery"}}).outcome()
	}},
	{faultSignInIgnoresInvite, "not-invited false", "signed-in false", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.create(l, "okta@example.com", "00uOkta")
		u, err := e.st.User(t.Context(), l.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(e.srv.memberOutcome(u, methodOkta), " ", e.adminUserByID(l, id)["canSignIn"])
	}},
	{faultNoBodyLimit, "413 201", "201 201", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		big := `{"schemas":["` + schemaUser + `"],"userName":"big@example.com","padding":"` + strings.Repeat("x", MaxBodyBytes+10) + `"}`
		return fmt.Sprint(e.do("POST", l.Base+"/Users", l.Key, big).Status, " ",
			e.do("POST", l.Base+"/Users", l.Key, oktaUser("small@example.com", "")).Status)
	}},
	{faultDuplicatePrimary, "400 400 400", "201 200 200", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		post := e.do("POST", l.Base+"/Users", l.Key, twoPrimaryUser("p1@example.com"))
		id := e.create(l, "p2@example.com", "")
		put := e.do("PUT", l.Base+"/Users/"+id, l.Key, twoPrimaryUser("p2@example.com"))
		patch := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"replace","path":"emails","value":`+twoPrimaryEmails+`}`))
		return fmt.Sprint(post.Status, " ", put.Status, " ", patch.Status)
	}},
	{faultKeepDuplicateValues, "201 1", "201 2", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		body := `{"schemas":["` + schemaUser + `"],"userName":"d@example.com","emails":[{"value":"d@example.com","type":"work","primary":true},{"value":"D@EXAMPLE.com","type":"work"}]}`
		r := e.do("POST", l.Base+"/Users", l.Key, body)
		return fmt.Sprint(r.Status, " ", len(r.JSON["emails"].([]any)))
	}},
	{faultNoopPatchBumps, "200 true true", "200 false false", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.create(l, "n@example.com", "")
		before := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"replace","path":"displayName","value":"N"}`))
		again := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"add","path":"displayName","value":"N"}`))
		bm, am := before.JSON["meta"].(map[string]any), again.JSON["meta"].(map[string]any)
		return fmt.Sprint(again.Status, " ", bm["version"] == am["version"], " ", bm["lastModified"] == am["lastModified"])
	}},
	{faultIgnoreAttributes, "[id schemas userName] [id schemas]", "false false", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.create(l, "a@example.com", "00u1")
		put := e.do("PUT", l.Base+"/Users/"+id+"?attributes=userName", l.Key, oktaUser("a@example.com", "00u1"))
		get := e.do("GET", l.Base+"/Users/"+id+"?excludedAttributes=active,externalId", l.Key, "")
		if len(put.JSON) > 3 || len(get.JSON) > 2 {
			return fmt.Sprint(len(put.JSON) <= 3, " ", len(get.JSON) <= 2)
		}
		return fmt.Sprint(keysOf(put.JSON), " ", keysOf(get.JSON))
	}},
	{faultETagMismatch, "true", "false", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		r := e.do("POST", l.Base+"/Users", l.Key, oktaUser("e@example.com", ""))
		return fmt.Sprint(r.Header.Get("ETag") == r.JSON["meta"].(map[string]any)["version"])
	}},
	{faultIgnoreIfMatch, "412 200", "200 200", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.create(l, "m@example.com", "")
		stale := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"replace","path":"displayName","value":"M"}`), `If-Match: W/"99"`)
		current := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"replace","path":"title","value":"T"}`), `If-Match: W/"1"`)
		if stale.Status == 200 {
			current = e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"replace","path":"title","value":"T"}`), `If-Match: W/"2"`)
		}
		return fmt.Sprint(stale.Status, " ", current.Status)
	}},
	{faultIgnoreIfNoneMatch, "304 200", "200 200", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		id := e.create(l, "i@example.com", "")
		same := e.do("GET", l.Base+"/Users/"+id, l.Key, "", `If-None-Match: W/"1"`)
		other := e.do("GET", l.Base+"/Users/"+id, l.Key, "", `If-None-Match: W/"7"`)
		return fmt.Sprint(same.Status, " ", other.Status)
	}},
}

// twoPrimaryEmails is an emails value with two primary addresses.
const twoPrimaryEmails = `[{"value":"one@example.com","type":"work","primary":true},{"value":"two@example.com","type":"home","primary":true}]`

// twoPrimaryUser is a POST/PUT body with two primary emails.
func twoPrimaryUser(userName string) string {
	return `{"schemas":["` + schemaUser + `"],"userName":"` + userName + `","emails":` + twoPrimaryEmails + `}`
}

// patchBody wraps PATCH operations (JSON objects, comma-separated).
func patchBody(ops string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
}

func TestFaults(t *testing.T) {
	probed := map[string]bool{}
	for _, p := range faultProbes {
		probed[p.fault] = true
		t.Run(p.fault, func(t *testing.T) {
			if p.clean == p.faulty {
				t.Fatalf("probe cannot tell the fault apart")
			}
			clean := p.probe(t, newEnv(t, Config{}, "one", "two"))
			if clean != p.clean {
				t.Errorf("fault-free server: %q, want %q", clean, p.clean)
			}
			faulty := p.probe(t, newEnv(t, Config{Faults: []string{p.fault}}, "one", "two"))
			if faulty != p.faulty {
				t.Errorf("with the fault: %q, want %q", faulty, p.faulty)
			}
		})
	}
	for _, f := range Faults() {
		if !probed[f.Name] {
			t.Errorf("fault %s has no probe", f.Name)
		}
	}
}

// TestFaultsKeepTheIssueFlow runs the core of the issue flow under every
// fault whose rule it does not touch, so a fault cannot break more than its
// own rule there.
func TestFaultsKeepTheIssueFlow(t *testing.T) {
	touches := map[string]bool{ // faults that change an observation of the flow
		faultForgetDeactivated: true, faultIgnoreNoPathPatch: true, faultNewIDOnReactivate: true,
		faultCreateReturns200: true, faultNoLocationHeader: true, faultAutoInvite: true,
		faultFullQueryAttributes: true, faultStringPaging: true, faultDeactivatedCanSignIn: true,
		faultCaseSensitiveName: true,
	}
	for _, f := range Faults() {
		if touches[f.Name] {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			e := newEnv(t, Config{Faults: []string{f.Name}})
			l := e.loc(0)
			id := e.create(l, "Flow@Example.com", "00uFlow")
			if r := e.do("GET", filterURL(l, "flow@example.com"), l.Key, ""); num(t, r.JSON["totalResults"]) != 1 {
				t.Errorf("lookup: %s", r.Raw)
			}
			if r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, deactivateBody); r.Status != 200 || r.JSON["active"] != false {
				t.Errorf("deactivate: %s", r.Raw)
			}
			if r := e.do("GET", l.Base+"/Users/"+id, l.Key, ""); r.Status != 200 || fmt.Sprint(keysOf(r.JSON)) != "[active externalId id schemas]" {
				t.Errorf("read back: %s", r.Raw)
			}
			if r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, reactivateBody); r.JSON["id"] != id || r.JSON["active"] != true {
				t.Errorf("reactivate: %s", r.Raw)
			}
			if u := e.adminUserByID(l, id); u["invitation"] != "not-invited" || u["canSignIn"] != false {
				t.Errorf("admin: %v", u)
			}
		})
	}
}

func TestParseFaults(t *testing.T) {
	set, err := ParseFaults([]string{"groups-404", " string-paging ", "", "groups-404"})
	if err != nil || !set.Has("groups-404") || !set.Has("string-paging") || set.Has("returns-password") {
		t.Fatalf("%v %v", set.Names(), err)
	}
	if got := fmt.Sprint(set.Names()); got != "[string-paging groups-404]" {
		t.Errorf("Names %s", got)
	}
	_, err = ParseFaults([]string{"no-such-fault"})
	if err == nil || !strings.Contains(err.Error(), "no-such-fault") || !strings.Contains(err.Error(), "groups-404") {
		t.Errorf("unknown fault error: %v", err)
	}
	if _, err := NewServer(nil, Config{}); err == nil {
		t.Errorf("nil store accepted")
	}
	if (FaultSet{}).Has("groups-404") {
		t.Errorf("zero FaultSet has a fault")
	}
}
