package reference

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestIssueFlow replays the flow of the issue: create, find by filter in
// another case (GET shows only id/active/externalId), PUT, Okta's no-path
// PATCH deactivation, read back inactive, found again, reactivate with the
// same id; the admin view shows invitation, signIn and canSignIn right.
func TestIssueFlow(t *testing.T) {
	issueFlow(t, newEnv(t, Config{}))
}

func issueFlow(t *testing.T, e *testEnv) {
	l := e.loc(0)

	miss := e.do("GET", filterURL(l, "jane.doe@example.com"), l.Key, "")
	if miss.Status != 200 || num(t, miss.JSON["totalResults"]) != 0 {
		t.Fatalf("lookup miss: %d %s", miss.Status, miss.Raw)
	}

	created := e.do("POST", l.Base+"/Users", l.Key, oktaUser("Jane.Doe@example.com", "00ujl29u0le5T6Aj10h7"))
	if created.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", created.Status, created.Raw)
	}
	id := created.JSON["id"].(string)
	meta := created.JSON["meta"].(map[string]any)
	if got := created.Header.Get("Location"); got == "" || got != meta["location"] {
		t.Errorf("Location header %q != meta.location %v", got, meta["location"])
	}
	if ct := created.Header.Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("Content-Type %q", ct)
	}
	if _, has := created.JSON["password"]; has {
		t.Errorf("password returned: %s", created.Raw)
	}
	if created.JSON["userName"] != "Jane.Doe@example.com" {
		t.Errorf("userName case not preserved: %v", created.JSON["userName"])
	}

	found := e.do("GET", filterURL(l, "JANE.DOE@EXAMPLE.COM"), l.Key, "")
	if found.Status != 200 || num(t, found.JSON["totalResults"]) != 1 {
		t.Fatalf("lookup in another case: %d %s", found.Status, found.Raw)
	}
	item := found.JSON["Resources"].([]any)[0].(map[string]any)
	if want := []string{"active", "externalId", "id", "schemas"}; !reflect.DeepEqual(keysOf(item), want) {
		t.Errorf("limited list item keys %v, want %v", keysOf(item), want)
	}
	get := e.do("GET", l.Base+"/Users/"+id, l.Key, "")
	if want := []string{"active", "externalId", "id", "schemas"}; get.Status != 200 || !reflect.DeepEqual(keysOf(get.JSON), want) {
		t.Errorf("limited GET: %d keys %v", get.Status, keysOf(get.JSON))
	}

	admin := e.adminUserByID(l, id)
	if admin["invitation"] != "not-invited" || admin["signIn"] != "okta" || admin["canSignIn"] != false {
		t.Errorf("admin view after create: %v %v %v", admin["invitation"], admin["signIn"], admin["canSignIn"])
	}

	// Okta's read-modify-write PUT: the limited GET body overlaid with the profile.
	put := `{"schemas":["` + schemaUser + `"],"id":"` + id + `","active":true,"externalId":"00ujl29u0le5T6Aj10h7",
		"userName":"Jane.Doe@example.com","name":{"givenName":"Janet","familyName":"Doe"},"meta":{"x":1},"groups":[]}`
	pr := e.do("PUT", l.Base+"/Users/"+id, l.Key, put)
	if pr.Status != 200 {
		t.Fatalf("PUT: %d %s", pr.Status, pr.Raw)
	}
	if pr.JSON["name"].(map[string]any)["givenName"] != "Janet" || pr.JSON["displayName"] != "Test User" {
		t.Errorf("PUT result: %s", pr.Raw)
	}

	deact := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
	pa := e.do("PATCH", l.Base+"/Users/"+id, l.Key, deact)
	if pa.Status != 200 || pa.JSON["active"] != false {
		t.Fatalf("PATCH deactivate: %d %s", pa.Status, pa.Raw)
	}
	get = e.do("GET", l.Base+"/Users/"+id, l.Key, "")
	if get.Status != 200 || get.JSON["active"] != false {
		t.Fatalf("GET after deactivate: %d %s", get.Status, get.Raw)
	}
	found = e.do("GET", filterURL(l, "jane.doe@example.com"), l.Key, "")
	if num(t, found.JSON["totalResults"]) != 1 {
		t.Fatalf("deactivated user not found: %s", found.Raw)
	}
	if dup := e.do("POST", l.Base+"/Users", l.Key, oktaUser("jane.doe@EXAMPLE.com", "x")); dup.Status != 409 || dup.JSON["scimType"] != "uniqueness" {
		t.Errorf("duplicate of a deactivated user: %d %s", dup.Status, dup.Raw)
	}

	react := strings.Replace(deact, "false", "true", 1)
	ra := e.do("PATCH", l.Base+"/Users/"+id, l.Key, react)
	if ra.Status != 200 || ra.JSON["active"] != true || ra.JSON["id"] != id {
		t.Fatalf("reactivate: %d %s", ra.Status, ra.Raw)
	}
	admin = e.adminUserByID(l, id)
	if admin["invitation"] != "not-invited" || admin["canSignIn"] != false {
		t.Errorf("admin view after reactivate: %v", admin)
	}
	inv := e.admin("POST", "/locations/"+l.ID+"/users/"+id+"/invite", "")
	if inv.Status != 200 || inv.JSON["invitation"] != "invited" || inv.JSON["canSignIn"] != true {
		t.Fatalf("invite: %d %s", inv.Status, inv.Raw)
	}
}
