package reference

import "testing"

// TestTestConnection replays Okta's Test API Credentials on an empty location.
func TestTestConnection(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	for _, q := range []string{"/Users?startIndex=1&count=2", "/Groups?startIndex=1&count=100"} {
		r := e.do("GET", l.Base+q, l.Key, "", "Accept: application/scim+json", "User-Agent: Okta SCIM Client 1.0.0")
		if r.Status != 200 || num(t, r.JSON["totalResults"]) != 0 || num(t, r.JSON["startIndex"]) != 1 || num(t, r.JSON["itemsPerPage"]) != 0 {
			t.Errorf("%s: %d %s", q, r.Status, r.Raw)
		}
		if res, ok := r.JSON["Resources"].([]any); !ok || len(res) != 0 {
			t.Errorf("%s: Resources %v", q, r.JSON["Resources"])
		}
	}
}

func TestGroupsWritesAre501(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/Groups", `{"schemas":["` + schemaGroup + `"],"displayName":"g"}`},
		{"GET", "/Groups/abc", ""},
		{"PUT", "/Groups/abc", `{}`},
		{"PATCH", "/Groups/abc", `{}`},
		{"DELETE", "/Groups/abc", ""},
	} {
		r := e.do(c.method, l.Base+c.path, l.Key, c.body)
		if r.Status != 501 {
			t.Errorf("%s %s: %d", c.method, c.path, r.Status)
			continue
		}
		assertSCIMError(t, r, 501, "")
	}
	if r := e.do("GET", l.Base+"/Groups?filter=displayName%20eq", l.Key, ""); r.Status != 400 {
		t.Errorf("bad group filter: %d", r.Status)
	}
}

func TestDiscovery(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	spc := e.do("GET", l.Base+"/ServiceProviderConfig", l.Key, "")
	if spc.Status != 200 {
		t.Fatalf("SPC: %d", spc.Status)
	}
	want := map[string]bool{"patch": true, "filter": true, "bulk": false, "sort": false, "etag": true, "changePassword": false}
	for k, v := range want {
		if spc.JSON[k].(map[string]any)["supported"] != v {
			t.Errorf("%s.supported = %v, want %v", k, spc.JSON[k], v)
		}
	}
	if num(t, spc.JSON["filter"].(map[string]any)["maxResults"]) != maxCount {
		t.Errorf("filter.maxResults %v", spc.JSON["filter"])
	}
	rt := e.do("GET", l.Base+"/ResourceTypes", l.Key, "")
	if rt.Status != 200 || num(t, rt.JSON["totalResults"]) != 1 || rt.JSON["Resources"].([]any)[0].(map[string]any)["endpoint"] != "/Users" {
		t.Errorf("ResourceTypes %s", rt.Raw)
	}
	if r := e.do("GET", l.Base+"/ResourceTypes/User", l.Key, ""); r.Status != 200 || r.JSON["schema"] != schemaUser {
		t.Errorf("ResourceTypes/User %s", r.Raw)
	}
	if r := e.do("GET", l.Base+"/ResourceTypes/Group", l.Key, ""); r.Status != 404 {
		t.Errorf("ResourceTypes/Group %d", r.Status)
	}
	sc := e.do("GET", l.Base+"/Schemas", l.Key, "")
	if sc.Status != 200 || num(t, sc.JSON["totalResults"]) != 2 {
		t.Fatalf("Schemas %s", sc.Raw)
	}
	r := e.do("GET", l.Base+"/Schemas/"+schemaUser, l.Key, "")
	if r.Status != 200 {
		t.Fatalf("Schemas/User %d", r.Status)
	}
	names := map[string]map[string]any{}
	for _, a := range r.JSON["attributes"].([]any) {
		m := a.(map[string]any)
		names[m["name"].(string)] = m
	}
	if names["userName"]["required"] != true || names["userName"]["uniqueness"] != "server" || names["password"]["returned"] != "never" || names["emails"]["multiValued"] != true {
		t.Errorf("userName/password/emails definitions: %v %v %v", names["userName"], names["password"], names["emails"])
	}
	if r := e.do("GET", l.Base+"/Schemas/urn:nothing", l.Key, ""); r.Status != 404 {
		t.Errorf("unknown schema %d", r.Status)
	}
}
