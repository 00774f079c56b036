package reference

import (
	"fmt"
	"strings"
	"testing"
)

func TestAdminLocations(t *testing.T) {
	e := newEnv(t, Config{})
	r := e.admin("POST", "/locations", `{"name":"Sydney Office_2","queryAttributes":"full"}`)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	if r.JSON["id"] != "sydney-office-2" || r.JSON["name"] != "Sydney Office_2" || r.JSON["queryAttributes"] != "full" ||
		r.JSON["scimBaseUri"] != e.http.URL+"/scim/v2/sydney-office-2" || len(fmt.Sprint(r.JSON["apiKey"])) < 43 {
		t.Errorf("create answer %s", r.Raw)
	}
	key := r.JSON["apiKey"].(string)
	base := r.JSON["scimBaseUri"].(string)
	if g := e.do("GET", base+"/Users", key, ""); g.Status != 200 {
		t.Errorf("new location does not answer with its key: %d", g.Status)
	}
	dup := e.admin("POST", "/locations", `{"name":"sydney office 2"}`)
	if dup.JSON["id"] != "sydney-office-2-2" || dup.JSON["queryAttributes"] != "limited" {
		t.Errorf("second location with the same id: %s", dup.Raw)
	}
	list := e.admin("GET", "/locations", "")
	if list.Status != 200 || len(list.List) != 3 {
		t.Fatalf("list: %s", list.Raw)
	}
	if strings.Contains(string(list.Raw), key) || strings.Contains(string(list.Raw), "apiKey") {
		t.Errorf("list shows keys: %s", list.Raw)
	}
	for _, tc := range []struct {
		body   string
		status int
	}{
		{`{"name":""}`, 400}, {`{}`, 400}, {`{"name":"x","queryAttributes":"some"}`, 400}, {`{"name":`, 400},
	} {
		if r := e.admin("POST", "/locations", tc.body); r.Status != tc.status {
			t.Errorf("%s: %d", tc.body, r.Status)
		}
	}
	// PATCH queryAttributes switches what queries return.
	l := e.loc(0)
	id := e.create(l, "switch@example.com", "")
	if g := e.do("GET", l.Base+"/Users/"+id, l.Key, ""); g.JSON["userName"] != nil {
		t.Errorf("limited shows userName")
	}
	p := e.admin("PATCH", "/locations/"+l.ID, `{"queryAttributes":"full"}`)
	if p.Status != 200 || p.JSON["queryAttributes"] != "full" {
		t.Fatalf("patch: %d %s", p.Status, p.Raw)
	}
	if g := e.do("GET", l.Base+"/Users/"+id, l.Key, ""); g.JSON["userName"] != "switch@example.com" {
		t.Errorf("full does not show userName: %s", g.Raw)
	}
	for _, bad := range []string{`{"queryAttributes":"most"}`, `{"queryAttributes":3}`, `{"queryAttributes":""}`} {
		if r := e.admin("PATCH", "/locations/"+l.ID, bad); r.Status != 400 {
			t.Errorf("%s: %d", bad, r.Status)
		}
	}
	if r := e.admin("PATCH", "/locations/nowhere", `{"queryAttributes":"full"}`); r.Status != 404 {
		t.Errorf("unknown location: %d", r.Status)
	}
}

func TestLocationID(t *testing.T) {
	for in, want := range map[string]string{
		"default": "default", "Sydney Office": "sydney-office", "a_b": "a-b", "  --Zürich__HQ--": "z-rich-hq",
		"___": "location", "A1 B2": "a1-b2",
	} {
		if got := LocationID(in); got != want {
			t.Errorf("LocationID(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPreExistingMember covers docs/behaviour.md: a member created by an
// admin is found by Okta's lookup and linked; the first SCIM write converts
// it to Okta sign-in without asking for an invitation.
func TestPreExistingMember(t *testing.T) {
	for _, write := range []string{"PUT", "PATCH"} {
		t.Run(write, func(t *testing.T) {
			e := newEnv(t, Config{})
			l := e.loc(0)
			r := e.admin("POST", "/locations/"+l.ID+"/users", `{"userName":"Old.Timer@example.com","name":{"givenName":"Old","familyName":"Timer"},"emails":[{"value":"old@example.com","primary":true}],"displayName":"Old Timer"}`)
			if r.Status != 201 || r.JSON["signIn"] != "password" || r.JSON["invitation"] != "not-needed" || r.JSON["canSignIn"] != true {
				t.Fatalf("admin create: %d %s", r.Status, r.Raw)
			}
			id := r.JSON["id"].(string)
			if dup := e.admin("POST", "/locations/"+l.ID+"/users", `{"userName":"old.timer@EXAMPLE.com"}`); dup.Status != 409 {
				t.Errorf("admin duplicate: %d", dup.Status)
			}
			if post := e.do("POST", l.Base+"/Users", l.Key, oktaUser("old.timer@example.com", "00uOld")); post.Status != 409 {
				t.Errorf("Okta POST of an existing userName: %d (must be 409, never a merge)", post.Status)
			}
			f := e.do("GET", filterURL(l, "OLD.TIMER@example.com"), l.Key, "")
			if num(t, f.JSON["totalResults"]) != 1 || f.JSON["Resources"].([]any)[0].(map[string]any)["id"] != id {
				t.Fatalf("lookup: %s", f.Raw)
			}
			var w resp
			if write == "PUT" {
				w = e.do("PUT", l.Base+"/Users/"+id, l.Key, oktaUser("Old.Timer@example.com", "00uOld"))
			} else {
				w = e.do("PATCH", l.Base+"/Users/"+id, l.Key, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"externalId":"00uOld","active":true}}]}`)
			}
			if w.Status != 200 {
				t.Fatalf("%s: %d %s", write, w.Status, w.Raw)
			}
			for _, k := range []string{"invitation", "signIn", "canSignIn"} {
				if _, ok := w.JSON[k]; ok {
					t.Errorf("Xakia state %s leaks into SCIM", k)
				}
			}
			u := e.adminUserByID(l, id)
			if u["signIn"] != "okta" || u["invitation"] != "not-needed" || u["canSignIn"] != true || u["externalId"] != "00uOld" {
				t.Errorf("after the first SCIM write: %v", u)
			}
			if inv := e.admin("POST", "/locations/"+l.ID+"/users/"+id+"/invite", ""); inv.Status != 409 {
				t.Errorf("invite of a not-needed user: %d", inv.Status)
			}
		})
	}
}

func TestInviteRules(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	deact := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
	fresh := e.create(l, "fresh@example.com", "")
	inactive := e.create(l, "inactive@example.com", "")
	e.do("PATCH", l.Base+"/Users/"+inactive, l.Key, deact)
	invited := e.create(l, "invited@example.com", "")
	if r := e.admin("POST", "/locations/"+l.ID+"/users/"+invited+"/invite", ""); r.Status != 200 {
		t.Fatalf("first invite: %d %s", r.Status, r.Raw)
	}
	member := e.admin("POST", "/locations/"+l.ID+"/users", `{"userName":"member@example.com"}`).JSON["id"].(string)
	deleted := e.create(l, "deleted@example.com", "")
	e.do("DELETE", l.Base+"/Users/"+deleted, l.Key, "")
	tests := []struct {
		name, id   string
		status     int
		invitation string
		canSignIn  bool
	}{
		{"active not-invited", fresh, 200, "invited", true},
		{"inactive", inactive, 409, "not-invited", false},
		{"already invited", invited, 409, "invited", true},
		{"pre-existing", member, 409, "not-needed", true},
		{"deleted", deleted, 409, "not-invited", false},
		{"unknown", "no-such-user", 404, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := ""
			if tc.status != 404 {
				before = fmt.Sprint(e.adminUserByID(l, tc.id)["meta"])
			}
			r := e.admin("POST", "/locations/"+l.ID+"/users/"+tc.id+"/invite", "")
			if r.Status != tc.status {
				t.Fatalf("status %d %s", r.Status, r.Raw)
			}
			if tc.status == 404 {
				assertSCIMError(t, r, 404, "")
				return
			}
			if tc.status == 409 {
				assertSCIMError(t, r, 409, "")
				if after := fmt.Sprint(e.adminUserByID(l, tc.id)["meta"]); after != before {
					t.Errorf("refused invite changed the user: %s -> %s", before, after)
				}
			}
			u := e.adminUserByID(l, tc.id)
			if u["invitation"] != tc.invitation || u["canSignIn"] != tc.canSignIn {
				t.Errorf("invitation %v canSignIn %v", u["invitation"], u["canSignIn"])
			}
		})
	}
	// Deactivating an invited user removes sign-in; reactivating restores it
	// without a new invitation.
	e.do("PATCH", l.Base+"/Users/"+fresh, l.Key, deact)
	if u := e.adminUserByID(l, fresh); u["canSignIn"] != false || u["invitation"] != "invited" {
		t.Errorf("deactivated invited user: %v", u)
	}
	e.do("PATCH", l.Base+"/Users/"+fresh, l.Key, strings.Replace(deact, "false", "true", 1))
	if u := e.adminUserByID(l, fresh); u["canSignIn"] != true {
		t.Errorf("reactivated invited user: %v", u)
	}
}

func TestAudit(t *testing.T) {
	e := newEnv(t, Config{AuditSize: 3}, "one", "two")
	a, b := e.loc(0), e.loc(1)
	e.do("GET", a.Base+"/Users?startIndex=1&count=2", a.Key, "", "User-Agent: Okta SCIM Client 1.0.0")
	e.do("GET", a.Base+"/Groups", "bad-key", "")
	e.do("GET", b.Base+"/Users", b.Key, "")
	r := e.admin("GET", "/locations/"+a.ID+"/audit", "")
	if r.Status != 200 || len(r.List) != 1 {
		t.Fatalf("audit: %s", r.Raw)
	}
	first := r.List[0].(map[string]any)
	if first["method"] != "GET" || first["path"] != "/scim/v2/one/Users?startIndex=1&count=2" || num(t, first["status"]) != 200 || first["userAgent"] != "Okta SCIM Client 1.0.0" {
		t.Errorf("entry %v", first)
	}
	if _, ok := first["durationMs"].(float64); !ok {
		t.Errorf("no duration: %v", first)
	}
	if strings.Contains(string(r.Raw), "bad-key") || strings.Contains(string(r.Raw), a.Key) {
		t.Errorf("secret in the audit: %s", r.Raw)
	}
	// The refused request is counted, not listed.
	f := e.admin("GET", "/locations/"+a.ID+"/audit/failures", "")
	if f.Status != 200 || len(f.List) != 1 {
		t.Fatalf("audit failures: %d %s", f.Status, f.Raw)
	}
	if c := f.List[0].(map[string]any); num(t, c["count"]) != 1 || num(t, c["lastStatus"]) != 401 || c["source"] != "127.0.0.1" {
		t.Errorf("failure count: %v", c)
	}
	for range 4 {
		e.do("GET", a.Base+"/Users/x", a.Key, "")
	}
	r = e.admin("GET", "/locations/"+a.ID+"/audit", "")
	if len(r.List) != 3 || num(t, r.List[2].(map[string]any)["status"]) != 404 {
		t.Errorf("ring not bounded to 3 or not oldest first: %s", r.Raw)
	}
}

// TestAdminUserByID covers GET /admin/api/locations/{id}/users/{userId}: the
// same admin view as the list, for one user, deleted ones included.
func TestAdminUserByID(t *testing.T) {
	e := newEnv(t, Config{}, "a", "b")
	a, b := e.loc(0), e.loc(1)
	id := e.create(a, "One.User@example.com", "00uone")
	r := e.admin("GET", "/locations/"+a.ID+"/users/"+id, "")
	if r.Status != 200 || r.JSON["id"] != id || r.JSON["userName"] != "One.User@example.com" ||
		r.JSON["invitation"] != "not-invited" || r.JSON["signIn"] != "okta" || r.JSON["canSignIn"] != false || r.JSON["deleted"] != false {
		t.Fatalf("admin user: %d %s", r.Status, r.Raw)
	}
	if d := e.do("DELETE", a.Base+"/Users/"+id, a.Key, ""); d.Status != 204 {
		t.Fatalf("delete: %d", d.Status)
	}
	if r := e.admin("GET", "/locations/"+a.ID+"/users/"+id, ""); r.Status != 200 || r.JSON["deleted"] != true || r.JSON["active"] != false {
		t.Errorf("deleted user: %d %s", r.Status, r.Raw)
	}
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/locations/" + b.ID + "/users/" + id, 404},  // another location's user
		{"GET", "/locations/" + a.ID + "/users/nobody", 404}, // unknown id
		{"GET", "/locations/nowhere/users/" + id, 404},       // unknown location
		{"DELETE", "/locations/" + a.ID + "/users/" + id, 405},
	} {
		if r := e.admin(tc.method, tc.path, ""); r.Status != tc.status || r.JSON["detail"] == nil {
			t.Errorf("%s %s: %d %s, want %d with a SCIM error", tc.method, tc.path, r.Status, r.Raw, tc.status)
		}
	}
}
