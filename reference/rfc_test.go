package reference

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// meta returns the meta object of a user response.
func meta(t *testing.T, r resp) map[string]any {
	t.Helper()
	m, ok := r.JSON["meta"].(map[string]any)
	if !ok {
		t.Fatalf("no meta in %d %s", r.Status, r.Raw)
	}
	return m
}

// primaries counts the values of attr with primary true in a user response.
func primaries(r resp, attr string) int {
	list, _ := r.JSON[attr].([]any)
	n := 0
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && m["primary"] == true {
			n++
		}
	}
	return n
}

func TestSeveralPrimaryValuesAreRefusedOnEveryWritePath(t *testing.T) {
	e := newEnv(t, Config{}, "one")
	l := e.loc(0)
	id := e.create(l, "p@example.com", "")
	user := func(attr, values string) string {
		return `{"schemas":["` + schemaUser + `"],"userName":"p@example.com","` + attr + `":` + values + `}`
	}
	phones := `[{"value":"+1 555 0100","type":"work","primary":true},{"value":"+1 555 0101","type":"mobile","primary":true}]`
	addresses := `[{"locality":"Sydney","type":"work","primary":true},{"locality":"Perth","type":"home","primary":true}]`
	twoWork := `[{"value":"a@example.com","type":"work"},{"value":"b@example.com","type":"work"}]`
	cases := []struct {
		name, method, url, body, attr string
	}{
		{"POST emails", "POST", "/Users", twoPrimaryUser("new@example.com"), "emails"},
		{"POST phoneNumbers", "POST", "/Users", strings.Replace(user("phoneNumbers", phones), "p@", "new2@", 1), "phoneNumbers"},
		{"PUT emails", "PUT", "/Users/" + id, twoPrimaryUser("p@example.com"), "emails"},
		{"PUT addresses", "PUT", "/Users/" + id, user("addresses", addresses), "addresses"},
		{"PATCH replace emails", "PATCH", "/Users/" + id, patchBody(`{"op":"replace","path":"emails","value":` + twoPrimaryEmails + `}`), "emails"},
		{"PATCH no-path replace", "PATCH", "/Users/" + id, patchBody(`{"op":"replace","value":{"emails":` + twoPrimaryEmails + `}}`), "emails"},
		{"PATCH add two primaries", "PATCH", "/Users/" + id, patchBody(`{"op":"add","path":"emails","value":` + twoPrimaryEmails + `}`), "emails"},
		{"PATCH no-path add", "PATCH", "/Users/" + id, patchBody(`{"op":"add","value":{"phoneNumbers":` + phones + `}}`), "phoneNumbers"},
		{"PATCH emails.primary on all", "PATCH", "/Users/" + id, patchBody(
			`{"op":"replace","path":"emails","value":` + twoWork + `},{"op":"replace","path":"emails.primary","value":true}`), "emails"},
		{"PATCH filter hitting two", "PATCH", "/Users/" + id, patchBody(
			`{"op":"replace","path":"emails","value":` + twoWork + `},{"op":"replace","path":"emails[type eq \"work\"].primary","value":true}`), "emails"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(c.method, l.Base+c.url, l.Key, c.body)
			if r.Status != http.StatusBadRequest || r.JSON["scimType"] != scimInvalidValue {
				t.Fatalf("status %d %s, want 400 invalidValue", r.Status, r.Raw)
			}
			if d, _ := r.JSON["detail"].(string); !strings.Contains(d, c.attr) || !strings.Contains(d, "primary") {
				t.Errorf("detail %q does not name %s and primary", d, c.attr)
			}
		})
	}
	get := e.do("GET", l.Base+"/Users/"+id, l.Key, "", "If-None-Match: x")
	if get.Header.Get("ETag") != `W/"1"` {
		t.Errorf("a refused write changed the user: ETag %q", get.Header.Get("ETag"))
	}
	if n := e.do("GET", l.Base+"/Users?filter=userName%20sw%20%22new%22", l.Key, "").JSON["totalResults"]; num(t, n) != 0 {
		t.Errorf("a refused POST created a user")
	}
}

func TestOnePrimaryValueIsKeptAndANewPrimaryDemotesTheOthers(t *testing.T) {
	e := newEnv(t, Config{}, "one")
	l := e.loc(0)
	id := e.create(l, "q@example.com", "")
	add := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"add","path":"emails","value":[{"value":"other@example.com","type":"home","primary":true}]}`))
	if add.Status != 200 || primaries(add, "emails") != 1 {
		t.Fatalf("add of one primary: %d %s", add.Status, add.Raw)
	}
	// A stored user with two primaries (from before the rule) can still be
	// deactivated: the write leaves emails as they are.
	e2 := newEnv(t, Config{Faults: []string{faultDuplicatePrimary}}, "one")
	l2 := e2.loc(0)
	old := e2.do("POST", l2.Base+"/Users", l2.Key, twoPrimaryUser("legacy@example.com"))
	if old.Status != 201 {
		t.Fatalf("setup: %d %s", old.Status, old.Raw)
	}
	clean, err := NewServer(e2.st, Config{})
	if err != nil {
		t.Fatal(err)
	}
	e2.http.Config.Handler = clean.Handler()
	r := e2.do("PATCH", l2.Base+"/Users/"+old.JSON["id"].(string), l2.Key, deactivateBody)
	if r.Status != 200 || r.JSON["active"] != false {
		t.Errorf("deactivating a legacy user with two primaries: %d %s", r.Status, r.Raw)
	}
}

func TestDuplicateTypeValuePairsAreStoredOnce(t *testing.T) {
	e := newEnv(t, Config{}, "one")
	l := e.loc(0)
	body := `{"schemas":["` + schemaUser + `"],"userName":"dup@example.com","emails":[` +
		`{"value":"dup@example.com","type":"work"},{"value":"DUP@example.com","type":"Work","primary":true},{"value":"dup@example.com","type":"home"}],` +
		`"photos":[{"value":"https://x.example/A.png","type":"photo"},{"value":"https://x.example/a.png","type":"photo"}]}`
	r := e.do("POST", l.Base+"/Users", l.Key, body)
	if r.Status != 201 {
		t.Fatalf("POST: %d %s", r.Status, r.Raw)
	}
	emails := r.JSON["emails"].([]any)
	if len(emails) != 2 || primaries(r, "emails") != 1 || emails[0].(map[string]any)["primary"] != true {
		t.Errorf("emails: want the work duplicate dropped and the first kept as primary, got %v", emails)
	}
	if len(r.JSON["photos"].([]any)) != 2 {
		t.Errorf("photo URLs are case-exact, both must stay: %v", r.JSON["photos"])
	}
	id := r.JSON["id"].(string)
	put := e.do("PUT", l.Base+"/Users/"+id, l.Key, `{"schemas":["`+schemaUser+`"],"userName":"dup@example.com","phoneNumbers":[{"value":"1","type":"work"},{"value":"1","type":"work"}]}`)
	if n := len(put.JSON["phoneNumbers"].([]any)); put.Status != 200 || n != 1 {
		t.Errorf("PUT: %d, %d phone numbers", put.Status, n)
	}
	patch := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"add","path":"emails","value":[{"value":"Dup@Example.com","type":"WORK"}]}`))
	if n := len(patch.JSON["emails"].([]any)); patch.Status != 200 || n != 2 {
		t.Errorf("PATCH add of an existing email in another case: %d, %d emails", patch.Status, n)
	}
	if meta(t, patch)["version"] != meta(t, put)["version"] {
		t.Errorf("re-adding an existing email changed the version: %v → %v", meta(t, put)["version"], meta(t, patch)["version"])
	}
}

func TestNoOpPatchWritesNothing(t *testing.T) {
	e := newEnv(t, Config{}, "one")
	l := e.loc(0)
	id := e.create(l, "noop@example.com", "00uNOOP")
	first := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"replace","path":"displayName","value":"Same"}`))
	for _, ops := range []string{
		`{"op":"add","path":"displayName","value":"Same"}`,
		`{"op":"replace","value":{"displayName":"Same","active":true}}`,
		`{"op":"add","path":"emails","value":[{"value":"noop@example.com","type":"work","primary":true}]}`,
		`{"op":"remove","path":"title"}`,
	} {
		r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(ops))
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", ops, r.Status, r.Raw)
		}
		if meta(t, r)["version"] != meta(t, first)["version"] || meta(t, r)["lastModified"] != meta(t, first)["lastModified"] {
			t.Errorf("%s moved meta from %v to %v", ops, meta(t, first), meta(t, r))
		}
		if r.JSON["displayName"] != "Same" || r.Header.Get("ETag") != meta(t, first)["version"] {
			t.Errorf("%s: the answer is not the unchanged user: %s (ETag %s)", ops, r.Raw, r.Header.Get("ETag"))
		}
	}
	u, err := e.st.User(context.Background(), l.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("W/%q", fmt.Sprint(u.Version)) != meta(t, first)["version"] {
		t.Errorf("the store was written: version %d", u.Version)
	}
	changed := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"replace","path":"displayName","value":"Other"}`))
	if meta(t, changed)["version"] == meta(t, first)["version"] {
		t.Errorf("a real change kept the version %v", meta(t, changed)["version"])
	}
}

func TestNoOpPatchStillConvertsAPreExistingMember(t *testing.T) {
	e := newEnv(t, Config{}, "one")
	l := e.loc(0)
	made := e.admin("POST", "/locations/"+l.ID+"/users", `{"userName":"old@example.com","name":{"givenName":"O","familyName":"Ld"}}`)
	if made.Status != 201 {
		t.Fatalf("admin create: %d %s", made.Status, made.Raw)
	}
	id := made.JSON["id"].(string)
	r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, reactivateBody)
	if r.Status != 200 {
		t.Fatalf("PATCH: %d %s", r.Status, r.Raw)
	}
	if v := e.adminUserByID(l, id); v["signIn"] != "okta" || v["invitation"] != "not-needed" {
		t.Errorf("a no-op SCIM PATCH must still convert the member to Okta sign-in: %v", v)
	}
}

func TestAttributesAndExcludedAttributes(t *testing.T) {
	e := newEnv(t, Config{}, "lim", "all:full")
	lim, full := e.loc(0), e.loc(1)
	fid := e.create(full, "attr@example.com", "00uATTR")
	lid := e.create(lim, "attr@example.com", "00uATTR")
	keys := func(r resp) string { return strings.Join(keysOf(r.JSON), ",") }
	cases := []struct {
		name, method, url, body, want string
	}{
		{"GET full attributes", "GET", full.Base + "/Users/" + fid + "?attributes=userName,name.givenName", "", "id,name,schemas,userName"},
		{"GET full URN attribute", "GET", full.Base + "/Users/" + fid + "?attributes=" + schemaUser + ":displayName", "", "displayName,id,schemas"},
		{"GET full excluded", "GET", full.Base + "/Users/" + fid + "?excludedAttributes=emails,name,meta,id,schemas,displayName,locale,externalId", "", "active,id,schemas,userName"},
		{"GET limited asks userName", "GET", lim.Base + "/Users/" + lid + "?attributes=userName", "", "id,schemas"},
		{"GET limited asks active", "GET", lim.Base + "/Users/" + lid + "?attributes=ACTIVE", "", "active,id,schemas"},
		{"GET limited excluded", "GET", lim.Base + "/Users/" + lid + "?excludedAttributes=externalId", "", "active,id,schemas"},
		{"POST attributes", "POST", full.Base + "/Users?attributes=userName", oktaUser("new@example.com", ""), "id,schemas,userName"},
		{"PUT attributes on a limited location", "PUT", lim.Base + "/Users/" + lid + "?attributes=userName,emails.value", oktaUser("attr@example.com", "00uATTR"), "emails,id,schemas,userName"},
		{"PATCH excluded", "PATCH", full.Base + "/Users/" + fid + "?excludedAttributes=meta,name,emails", deactivateBody, "active,displayName,externalId,id,locale,schemas,userName"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(c.method, c.url, full.Key, c.body)
			if strings.HasPrefix(c.url, lim.Base) {
				r = e.do(c.method, c.url, lim.Key, c.body)
			}
			if r.Status >= 300 {
				t.Fatalf("%d %s", r.Status, r.Raw)
			}
			if got := keys(r); got != c.want {
				t.Errorf("attributes %s, want %s", got, c.want)
			}
			if strings.Contains(string(r.Raw), "password") {
				t.Errorf("the password came back: %s", r.Raw)
			}
		})
	}
	name := e.do("GET", full.Base+"/Users/"+fid+"?attributes=name.givenName", full.Key, "").JSON["name"].(map[string]any)
	if len(name) != 1 || name["givenName"] != "Test" {
		t.Errorf("name.givenName selected %v", name)
	}
	emails := e.do("GET", full.Base+"/Users/"+fid+"?attributes=emails.value", full.Key, "").JSON["emails"].([]any)
	if len(emails) != 1 || len(emails[0].(map[string]any)) != 1 {
		t.Errorf("emails.value selected %v", emails)
	}
	list := e.do("GET", full.Base+"/Users?filter=userName%20eq%20%22attr@example.com%22&attributes=externalId", full.Key, "")
	item := list.JSON["Resources"].([]any)[0].(map[string]any)
	if got := strings.Join(keysOf(item), ","); got != "externalId,id,schemas" {
		t.Errorf("list item attributes %s", got)
	}
	llist := e.do("GET", lim.Base+"/Users?attributes=userName,name", lim.Key, "")
	litem := llist.JSON["Resources"].([]any)[0].(map[string]any)
	if got := strings.Join(keysOf(litem), ","); got != "id,schemas" {
		t.Errorf("limited list item attributes %s: a limited query never returns more than schemas, id, active, externalId", got)
	}
}

func TestETags(t *testing.T) {
	e := newEnv(t, Config{}, "lim", "all:full")
	for _, l := range []testLoc{e.loc(0), e.loc(1)} {
		t.Run(l.ID, func(t *testing.T) {
			post := e.do("POST", l.Base+"/Users", l.Key, oktaUser("etag@example.com", ""))
			id := post.JSON["id"].(string)
			if post.Header.Get("ETag") != `W/"1"` || meta(t, post)["version"] != `W/"1"` {
				t.Fatalf("POST: ETag %q, version %v", post.Header.Get("ETag"), meta(t, post)["version"])
			}
			get := e.do("GET", l.Base+"/Users/"+id, l.Key, "")
			if get.Header.Get("ETag") != `W/"1"` {
				t.Errorf("GET ETag %q", get.Header.Get("ETag"))
			}
			for _, inm := range []string{`W/"1"`, `"1"`, `W/"9", W/"1"`, `*`} {
				nm := e.do("GET", l.Base+"/Users/"+id, l.Key, "", "If-None-Match: "+inm)
				if nm.Status != http.StatusNotModified || len(nm.Raw) != 0 || nm.Header.Get("ETag") != `W/"1"` {
					t.Errorf("If-None-Match %s: %d %q ETag %q", inm, nm.Status, nm.Raw, nm.Header.Get("ETag"))
				}
			}
			if r := e.do("GET", l.Base+"/Users/"+id, l.Key, "", `If-None-Match: W/"2"`); r.Status != 200 {
				t.Errorf("If-None-Match of another version: %d", r.Status)
			}
			stale := []string{`If-Match: W/"7"`}
			for _, w := range []struct{ method, body string }{
				{"PATCH", patchBody(`{"op":"replace","path":"displayName","value":"X"}`)},
				{"PUT", oktaUser("etag@example.com", "00uX")},
				{"DELETE", ""},
			} {
				r := e.do(w.method, l.Base+"/Users/"+id, l.Key, w.body, stale...)
				if r.Status != http.StatusPreconditionFailed || r.JSON["status"] != "412" {
					t.Errorf("%s with a stale If-Match: %d %s", w.method, r.Status, r.Raw)
				}
			}
			if r := e.do("GET", l.Base+"/Users/"+id, l.Key, ""); r.Header.Get("ETag") != `W/"1"` {
				t.Errorf("refused writes changed the user: ETag %q", r.Header.Get("ETag"))
			}
			ok := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"replace","path":"displayName","value":"X"}`), `If-Match: W/"1"`)
			if ok.Status != 200 || ok.Header.Get("ETag") != `W/"2"` || meta(t, ok)["version"] != `W/"2"` {
				t.Errorf("PATCH with the current If-Match: %d ETag %q", ok.Status, ok.Header.Get("ETag"))
			}
			put := e.do("PUT", l.Base+"/Users/"+id, l.Key, oktaUser("etag@example.com", "00uX"), `If-Match: *`)
			if put.Status != 200 || put.Header.Get("ETag") != `W/"3"` {
				t.Errorf("PUT with If-Match *: %d ETag %q", put.Status, put.Header.Get("ETag"))
			}
			if del := e.do("DELETE", l.Base+"/Users/"+id, l.Key, "", `If-Match: "3"`); del.Status != 204 {
				t.Errorf("DELETE with the current If-Match: %d", del.Status)
			}
		})
	}
	spc := e.do("GET", e.loc(0).Base+"/ServiceProviderConfig", e.loc(0).Key, "")
	if spc.JSON["etag"].(map[string]any)["supported"] != true {
		t.Errorf("ServiceProviderConfig must advertise etag: %v", spc.JSON["etag"])
	}
}

func TestTagListMatches(t *testing.T) {
	for _, c := range []struct {
		header string
		want   bool
	}{
		{`W/"4"`, true}, {`"4"`, true}, {`w/"4"`, true}, {` W/"1" , W/"4" `, true}, {`*`, true},
		{`W/"40"`, false}, {`4`, false}, {``, false}, {`W/"3"`, false},
	} {
		if got := tagListMatches(c.header, `W/"4"`); got != c.want {
			t.Errorf("tagListMatches(%q) = %v", c.header, got)
		}
	}
	if !slices.Equal(attrSegments(schemaEnterprise+":manager.value"), []string{schemaEnterprise, "manager", "value"}) {
		t.Errorf("enterprise path segments: %v", attrSegments(schemaEnterprise+":manager.value"))
	}
}
