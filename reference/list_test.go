package reference

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestListPaging(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	var ids []string
	for i := range 7 {
		ids = append(ids, e.create(l, fmt.Sprintf("u%d@example.com", i), ""))
	}
	tests := []struct {
		query      string
		status     int
		total      int
		start      int
		ids        []string
		wantErrTyp string
	}{
		{"", 200, 7, 1, ids, ""},
		{"?startIndex=1&count=2", 200, 7, 1, ids[:2], ""},
		{"?startIndex=3&count=2", 200, 7, 3, ids[2:4], ""},
		{"?startIndex=6&count=100", 200, 7, 6, ids[5:], ""},
		{"?startIndex=8&count=5", 200, 7, 8, nil, ""},
		{"?startIndex=0&count=1", 200, 7, 1, ids[:1], ""},
		{"?startIndex=-5&count=1", 200, 7, 1, ids[:1], ""},
		{"?count=0", 200, 7, 1, nil, ""},
		{"?count=-1", 200, 7, 1, nil, ""},
		{"?count=5000", 200, 7, 1, ids, ""},
		{"?count=abc", 400, 0, 0, nil, "invalidValue"},
		{"?startIndex=1.5", 400, 0, 0, nil, "invalidValue"},
		{"?filter=userName%20eq", 400, 0, 0, nil, "invalidFilter"},
		{"?filter=userName+xx+%22a%22", 400, 0, 0, nil, "invalidFilter"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := e.do("GET", l.Base+"/Users"+tc.query, l.Key, "")
			if r.Status != tc.status {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			if tc.status != 200 {
				assertSCIMError(t, r, tc.status, tc.wantErrTyp)
				return
			}
			if num(t, r.JSON["totalResults"]) != tc.total || num(t, r.JSON["startIndex"]) != tc.start || num(t, r.JSON["itemsPerPage"]) != len(tc.ids) {
				t.Errorf("paging fields %s", r.Raw)
			}
			res, ok := r.JSON["Resources"].([]any)
			if !ok {
				t.Fatalf("Resources missing or not an array: %s", r.Raw)
			}
			var got []string
			for _, x := range res {
				got = append(got, x.(map[string]any)["id"].(string))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.ids) {
				t.Errorf("ids %v, want %v", got, tc.ids)
			}
		})
	}
}

func TestListEmptyLocation(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	r := e.do("GET", l.Base+"/Users?startIndex=1&count=2", l.Key, "")
	if r.Status != 200 || string(r.Raw) != `{"Resources":[],"itemsPerPage":0,"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"startIndex":1,"totalResults":0}` {
		t.Errorf("%d %s", r.Status, r.Raw)
	}
}

// TestImportPagesAreStable pages like Okta's import: no user is repeated
// or skipped and the order holds across pages, also after updates.
func TestImportPagesAreStable(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	want := map[string]bool{}
	var first string
	for i := range 25 {
		id := e.create(l, fmt.Sprintf("imp%02d@example.com", i), "")
		want[id] = true
		if i == 0 {
			first = id
		}
	}
	// An update must not move a user in the order.
	e.do("PATCH", l.Base+"/Users/"+first, l.Key, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"displayName":"moved?"}}]}`)
	seen := map[string]bool{}
	var order []string
	for start := 1; start <= 25; start += 10 {
		r := e.do("GET", fmt.Sprintf("%s/Users?startIndex=%d&count=10", l.Base, start), l.Key, "")
		if num(t, r.JSON["totalResults"]) != 25 {
			t.Fatalf("total %v", r.JSON["totalResults"])
		}
		for _, x := range r.JSON["Resources"].([]any) {
			id := x.(map[string]any)["id"].(string)
			if seen[id] {
				t.Errorf("user %s repeated", id)
			}
			seen[id] = true
			order = append(order, id)
		}
	}
	if len(seen) != len(want) || order[0] != first {
		t.Errorf("saw %d of %d users; first %s want %s", len(seen), len(want), order[0], first)
	}
}

func TestListFilters(t *testing.T) {
	e := newEnv(t, Config{}, "limited", "full:full")
	lim, full := e.loc(0), e.loc(1)
	for _, l := range []testLoc{lim, full} {
		e.create(l, "Alice@Example.com", "00uA")
		e.create(l, "bob@example.com", "00uB")
		r := e.do("PATCH", l.Base+"/Users/"+e.create(l, "carol@example.com", "00uC"), l.Key,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false,"displayName":"Carol C"}}]}`)
		if r.Status != 200 {
			t.Fatalf("patch: %s", r.Raw)
		}
	}
	tests := []struct {
		filter string
		want   []string // externalIds
	}{
		{`userName eq "alice@example.com"`, []string{"00uA"}},
		{`USERNAME EQ "ALICE@EXAMPLE.COM"`, []string{"00uA"}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@example.com"`, []string{"00uB"}},
		{`userName eq "nobody@example.com"`, nil},
		{`externalId eq "00uB"`, []string{"00uB"}},
		{`externalId eq "00ub"`, nil},
		{`active eq false`, []string{"00uC"}},
		{`userName sw "a" or userName sw "b"`, []string{"00uA", "00uB"}},
		{`displayName eq "Carol C"`, []string{"00uC"}},
		{`emails[type eq "work" and value co "bob"]`, []string{"00uB"}},
		{`name.givenName eq "Test" and active eq true`, []string{"00uA", "00uB"}},
	}
	for _, l := range []testLoc{lim, full} {
		for _, tc := range tests {
			t.Run(l.ID+"/"+tc.filter, func(t *testing.T) {
				for _, enc := range []string{url.QueryEscape(tc.filter), strings.ReplaceAll(url.PathEscape(tc.filter), "&", "%26")} {
					r := e.do("GET", l.Base+"/Users?filter="+enc, l.Key, "")
					if r.Status != 200 {
						t.Fatalf("%s: %d %s", enc, r.Status, r.Raw)
					}
					var got []string
					for _, x := range r.JSON["Resources"].([]any) {
						got = append(got, fmt.Sprint(x.(map[string]any)["externalId"]))
					}
					if fmt.Sprint(got) != fmt.Sprint(tc.want) || num(t, r.JSON["totalResults"]) != len(tc.want) {
						t.Errorf("%s: got %v total %v, want %v", enc, got, r.JSON["totalResults"], tc.want)
					}
				}
			})
		}
	}
	// In limited mode items carry only schemas, id, active and externalId;
	// in full mode userName is there.
	r := e.do("GET", filterURL(lim, "alice@example.com"), lim.Key, "")
	if item := r.JSON["Resources"].([]any)[0].(map[string]any); fmt.Sprint(keysOf(item)) != "[active externalId id schemas]" {
		t.Errorf("limited item %v", item)
	}
	r = e.do("GET", filterURL(full, "alice@example.com"), full.Key, "")
	if item := r.JSON["Resources"].([]any)[0].(map[string]any); item["userName"] != "Alice@Example.com" {
		t.Errorf("full item %v", item)
	}
}

func TestMalformedQueryAndSlashes(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	e.create(l, "a@example.com", "")
	r := e.do("GET", l.Base+"/Users?filter=userName%20eq%20%22a%ZZ%22", l.Key, "")
	if r.Status != 400 {
		t.Errorf("bad escape: %d %s", r.Status, r.Raw)
	}
	// A base URI entered with a trailing slash gives "//Users".
	r = e.do("POST", l.Base+"//Users", l.Key, oktaUser("b@example.com", ""))
	if r.Status != 201 {
		t.Errorf("double slash POST: %d %s", r.Status, r.Raw)
	}
}

func TestDotSegmentsAreSCIM404(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	req, _ := http.NewRequestWithContext(t.Context(), "GET", l.Base+"/Users", nil)
	req.URL.Opaque = "//" + req.URL.Host + "/scim/v2/" + l.ID + "/x/../Users"
	req.Header.Set("Authorization", "Bearer "+l.Key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 || res.Header.Get("Content-Type") != contentTypeSCIM {
		t.Errorf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
