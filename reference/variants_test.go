package reference

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// userBody is a PUT or POST body for userName with a displayName that differs
// from the one derived from its name parts ("Jane Doe").
func userBody(userName string, extra string) string {
	return `{"schemas":["` + schemaUser + `"],"userName":"` + userName + `","displayName":"JD (legal)",` +
		`"name":{"givenName":"Jane","familyName":"Doe"},"locale":"en-AU","active":true` + extra + `}`
}

const removeDisplayName = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"displayName"}]}`

// variantProbes observe, for each variant, the behaviour it changes. Each
// probe runs on a server without variants and on a server with only that
// variant (server-wide); the two observations must be the default and the
// variant values. Locations: "one" (limited) and "two" (full).
var variantProbes = []struct {
	variant       string
	deflt, withIt string
	probe         func(t *testing.T, e *testEnv) string
}{
	{variantFullReplacePut, "JD (legal) en-AU Janet true", "<nil> <nil> Janet true", func(t *testing.T, e *testEnv) string {
		l := e.loc(1)
		id := e.create(l, "put@example.com", "")
		e.do("PUT", l.Base+"/Users/"+id, l.Key, userBody("put@example.com", ""))
		r := e.do("PUT", l.Base+"/Users/"+id, l.Key, `{"schemas":["`+schemaUser+`"],"userName":"put@example.com","name":{"givenName":"Janet"}}`)
		get := e.do("GET", l.Base+"/Users/"+id, l.Key, "")
		if fmt.Sprint(get.JSON["displayName"], get.JSON["locale"]) != fmt.Sprint(r.JSON["displayName"], r.JSON["locale"]) {
			t.Errorf("GET %s differs from the PUT answer %s", get.Raw, r.Raw)
		}
		return fmt.Sprint(r.JSON["displayName"], " ", r.JSON["locale"], " ", r.JSON["name"].(map[string]any)["givenName"], " ", r.JSON["active"])
	}},
	{variantNoScimType, "409:uniqueness:409 400:invalidSyntax:400 400:invalidFilter:400",
		"409:uniqueness:409 400:<nil>:400 400:<nil>:400", func(t *testing.T, e *testEnv) string {
			l := e.loc(0)
			e.create(l, "dup@example.com", "")
			var out []string
			for _, r := range []resp{
				e.do("POST", l.Base+"/Users", l.Key, oktaUser("DUP@example.com", "")),
				e.do("POST", l.Base+"/Users", l.Key, `{"schemas":`),
				e.do("GET", l.Base+"/Users?filter=userName%20zz%20%22x%22", l.Key, ""),
			} {
				if fmt.Sprint(r.JSON["schemas"]) != "["+schemaError+"]" || r.JSON["detail"] == "" || r.JSON["detail"] == nil {
					t.Errorf("error body lost more than scimType: %s", r.Raw)
				}
				out = append(out, fmt.Sprint(r.Status, ":", r.JSON["scimType"], ":", r.JSON["status"]))
			}
			return strings.Join(out, " ")
		}},
	{variantInvalidValueForSyntax, "400:invalidSyntax 400:invalidSyntax 400:invalidSyntax 400:invalidSyntax 400:invalidSyntax 400:invalidFilter 409:uniqueness",
		"400:invalidValue 400:invalidValue 400:invalidValue 400:invalidValue 400:invalidValue 400:invalidFilter 409:uniqueness", func(t *testing.T, e *testEnv) string {
			l := e.loc(0)
			id := e.create(l, "syn@example.com", "")
			var out []string
			for _, r := range []resp{
				e.do("POST", l.Base+"/Users", l.Key, `{"userName":`),                                       // malformed JSON
				e.do("POST", l.Base+"/Users", l.Key, `{"userName":"noschema@example.com"}`),                // no schemas
				e.do("PUT", l.Base+"/Users/"+id, l.Key, `{"schemas":"`+schemaUser+`","userName":"x@y.z"}`), // schemas not an array
				e.do("PATCH", l.Base+"/Users/"+id, l.Key, `[`),                                             // malformed PATCH
				e.do("PATCH", l.Base+"/Users/"+id, l.Key, `{"schemas":["urn:x"],"Operations":[]}`),         // not a PatchOp
				e.do("GET", l.Base+"/Users?filter=userName%20zz%20%22x%22", l.Key, ""),                     // not a syntax error
				e.do("POST", l.Base+"/Users", l.Key, oktaUser("SYN@example.com", "")),                      // not a syntax error
			} {
				out = append(out, fmt.Sprint(r.Status, ":", r.JSON["scimType"]))
			}
			return strings.Join(out, " ")
		}},
	{variantJSONContentType, "application/scim+json x5", "application/json x5", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		post := e.do("POST", l.Base+"/Users", l.Key, oktaUser("ct@example.com", ""))
		cts := map[string]int{}
		for _, r := range []resp{
			post,
			e.do("GET", l.Base+"/Users", l.Key, ""),
			e.do("GET", l.Base+"/Users", "wrong-key", ""), // 401 from the auth wrapper
			e.do("GET", e.http.URL+"/nowhere", "", ""),    // 404 outside any location
			e.admin("GET", "/locations", ""),
		} {
			cts[r.Header.Get("Content-Type")]++
		}
		if len(cts) != 1 {
			return fmt.Sprint(cts)
		}
		for ct, n := range cts {
			return fmt.Sprintf("%s x%d", ct, n)
		}
		return ""
	}},
	{variantExtensionsETag, "[" + schemaUser + "] <nil> 42:<nil> <nil>",
		"[" + schemaUser + " " + schemaEnterprise + "] Xakia Reference 42:Xakia Reference Xakia Reference", func(t *testing.T, e *testEnv) string {
			l := e.loc(1)
			post := e.do("POST", l.Base+"/Users", l.Key, userBody("ext@example.com", `,"`+schemaEnterprise+`":{"employeeNumber":"42"}`))
			id, _ := post.JSON["id"].(string)
			plain := e.create(l, "plain@example.com", "")
			get := e.do("GET", l.Base+"/Users/"+plain, l.Key, "")
			list := e.do("GET", l.Base+"/Users?filter=id%20eq%20%22"+id+"%22", l.Key, "")
			item := list.JSON["Resources"].([]any)[0].(map[string]any)
			ext := func(m map[string]any, k string) any {
				x, _ := m[schemaEnterprise].(map[string]any)
				return x[k]
			}
			return fmt.Sprint(get.JSON["schemas"], " ", ext(get.JSON, "organization"), " ",
				ext(item, "employeeNumber"), ":", ext(item, "organization"), " ", ext(post.JSON, "organization"))
		}},
	{variantPatch204, "200 true false", "204 false false", func(t *testing.T, e *testEnv) string {
		l := e.loc(1)
		id := e.create(l, "p204@example.com", "")
		r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, deactivateBody)
		get := e.do("GET", l.Base+"/Users/"+id, l.Key, "")
		return fmt.Sprint(r.Status, " ", len(r.Raw) > 0, " ", get.JSON["active"])
	}},
	{variantDerivedDisplayName, "<nil> <nil> <nil>", "Jane Doe Jane Doe <nil>", func(t *testing.T, e *testEnv) string {
		l := e.loc(1)
		a := e.do("POST", l.Base+"/Users", l.Key, userBody("dn1@example.com", "")).JSON["id"].(string)
		b := e.do("POST", l.Base+"/Users", l.Key, userBody("dn2@example.com", "")).JSON["id"].(string)
		c := e.do("POST", l.Base+"/Users", l.Key, `{"schemas":["`+schemaUser+`"],"userName":"dn3@example.com","displayName":"Nameless"}`).JSON["id"].(string)
		patched := e.do("PATCH", l.Base+"/Users/"+a, l.Key, removeDisplayName)
		put := e.do("PUT", l.Base+"/Users/"+b, l.Key,
			`{"schemas":["`+schemaUser+`"],"userName":"dn2@example.com","displayName":null}`)
		noName := e.do("PATCH", l.Base+"/Users/"+c, l.Key, removeDisplayName)
		return fmt.Sprint(patched.JSON["displayName"], " ", put.JSON["displayName"], " ", noName.JSON["displayName"])
	}},
	{variantTextPlainAccepted, "415 415 415 true", "201 200 200 true", func(t *testing.T, e *testEnv) string {
		l := e.loc(1)
		id := e.create(l, "tp@example.com", "")
		post := e.do("POST", l.Base+"/Users", l.Key, oktaUser("tp2@example.com", ""), "Content-Type: text/plain; charset=utf-8")
		put := e.do("PUT", l.Base+"/Users/"+id, l.Key, userBody("tp@example.com", ""), "Content-Type: text/plain")
		patch := e.do("PATCH", l.Base+"/Users/"+id, l.Key, deactivateBody, "Content-Type: text/plain")
		other := e.do("POST", l.Base+"/Users", l.Key, oktaUser("tp3@example.com", ""), "Content-Type: application/xml")
		return fmt.Sprint(post.Status, " ", put.Status, " ", patch.Status, " ", other.Status == 415)
	}},
	{variantCharsetContentType, "application/scim+json x3", "application/scim+json; charset=utf-8 x3", func(t *testing.T, e *testEnv) string {
		l := e.loc(0)
		cts := map[string]int{}
		for _, r := range []resp{
			e.do("POST", l.Base+"/Users", l.Key, oktaUser("cs@example.com", "")),
			e.do("GET", l.Base+"/Users", "wrong-key", ""),
			e.do("GET", l.Base+"/ServiceProviderConfig", l.Key, ""),
		} {
			cts[r.Header.Get("Content-Type")]++
		}
		for ct, n := range cts {
			if len(cts) == 1 {
				return fmt.Sprintf("%s x%d", ct, n)
			}
		}
		return fmt.Sprint(cts)
	}},
	{variantNormalisePrimary, "400 400 400 400", "201:1 200:1 200:1 400", func(t *testing.T, e *testEnv) string {
		l := e.loc(1)
		post := e.do("POST", l.Base+"/Users", l.Key, twoPrimaryUser("np1@example.com"))
		id := e.create(l, "np2@example.com", "")
		put := e.do("PUT", l.Base+"/Users/"+id, l.Key, twoPrimaryUser("np2@example.com"))
		patch := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"replace","path":"emails","value":`+twoPrimaryEmails+`}`))
		// One add of several primaries is still refused: legal too, and
		// the patch engine cannot tell which one the client meant.
		add := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"add","path":"emails","value":`+twoPrimaryEmails+`}`))
		var out []string
		for _, r := range []resp{post, put, patch} {
			if r.Status >= 300 {
				out = append(out, fmt.Sprint(r.Status))
				continue
			}
			if first := r.JSON["emails"].([]any)[0].(map[string]any); first["primary"] != true {
				t.Errorf("the first primary must stay primary: %s", r.Raw)
			}
			out = append(out, fmt.Sprint(r.Status, ":", primaries(r, "emails")))
		}
		return strings.Join(append(out, fmt.Sprint(add.Status)), " ")
	}},
	{variantETagOff, `true:W/"2" true:W/"2" true 412 304`, "false:<nil> false:<nil> false 200 200", func(t *testing.T, e *testEnv) string {
		var out []string
		for _, l := range []testLoc{e.loc(0), e.loc(1)} {
			id := e.create(l, "tag-"+l.ID+"@example.com", "")
			get := e.do("GET", l.Base+"/Users/"+id, l.Key, "")
			put := e.do("PUT", l.Base+"/Users/"+id, l.Key, oktaUser("tag-"+l.ID+"@example.com", ""))
			out = append(out, fmt.Sprint(get.Header.Get("ETag") != "", ":", put.JSON["meta"].(map[string]any)["version"]))
			if l == e.loc(0) {
				continue
			}
			list := e.do("GET", l.Base+"/Users?filter=userName%20eq%20%22tag-two@example.com%22", l.Key, "")
			_, listed := list.JSON["Resources"].([]any)[0].(map[string]any)["meta"].(map[string]any)["version"]
			spc := e.do("GET", l.Base+"/ServiceProviderConfig", l.Key, "")
			stale := e.do("PATCH", l.Base+"/Users/"+id, l.Key, patchBody(`{"op":"replace","path":"title","value":"T"}`), `If-Match: W/"99"`)
			nm := e.do("GET", l.Base+"/Users/"+id, l.Key, "", `If-None-Match: *`)
			if listed != (spc.JSON["etag"].(map[string]any)["supported"] == true) {
				t.Errorf("list items carry meta.version %v while etag.supported is %v", listed, spc.JSON["etag"])
			}
			out = append(out, fmt.Sprint(spc.JSON["etag"].(map[string]any)["supported"]), fmt.Sprint(stale.Status), fmt.Sprint(nm.Status))
		}
		return strings.Join(out, " ")
	}},
}

func TestVariants(t *testing.T) {
	probed := map[string]bool{}
	for _, p := range variantProbes {
		probed[p.variant] = true
		t.Run(p.variant, func(t *testing.T) {
			if p.deflt == p.withIt {
				t.Fatalf("probe cannot tell the variant apart")
			}
			if got := p.probe(t, newEnv(t, Config{}, "one", "two:full")); got != p.deflt {
				t.Errorf("without variants: %q, want %q", got, p.deflt)
			}
			if got := p.probe(t, newEnv(t, Config{Variants: []string{p.variant}}, "one", "two:full")); got != p.withIt {
				t.Errorf("with the variant: %q, want %q", got, p.withIt)
			}
		})
	}
	for _, v := range Variants() {
		if !probed[v.Name] {
			t.Errorf("variant %s has no probe", v.Name)
		}
	}
}

// TestExtensionsETagHeaders checks that every single-user answer under the
// extensions-etag variant carries an ETag header equal to its meta.version,
// and that the version changes with each write.
func TestExtensionsETagHeaders(t *testing.T) {
	e := newEnv(t, Config{Variants: []string{variantExtensionsETag}}, "lim", "full:full")
	for _, l := range e.locs {
		post := e.do("POST", l.Base+"/Users", l.Key, oktaUser("etag@example.com", ""))
		id, _ := post.JSON["id"].(string)
		put := e.do("PUT", l.Base+"/Users/"+id, l.Key, userBody("etag@example.com", ""))
		patch := e.do("PATCH", l.Base+"/Users/"+id, l.Key, deactivateBody)
		get := e.do("GET", l.Base+"/Users/"+id, l.Key, "")
		seen := map[string]bool{}
		for name, r := range map[string]resp{"POST": post, "PUT": put, "PATCH": patch, "GET": get} {
			meta, _ := r.JSON["meta"].(map[string]any)
			etag := r.Header.Get("ETag")
			if name == "GET" && l.ID == "lim" {
				// The limited representation stays limited: no meta, no extension.
				if fmt.Sprint(keysOf(r.JSON)) != "[active id schemas]" || !strings.HasPrefix(etag, `W/"`) {
					t.Errorf("limited GET: ETag %q, %s", etag, r.Raw)
				}
				continue
			}
			if etag == "" || meta == nil || meta["version"] != etag || !strings.HasPrefix(etag, `W/"`) {
				t.Errorf("%s %s: ETag %q, meta %v", l.ID, name, etag, meta)
			}
			if name != "GET" {
				seen[etag] = true
			}
		}
		if len(seen) != 3 {
			t.Errorf("%s: versions do not change with writes: %v", l.ID, seen)
		}
		if get.Header.Get("ETag") != patch.Header.Get("ETag") {
			t.Errorf("%s: GET after PATCH %q, PATCH %q", l.ID, get.Header.Get("ETag"), patch.Header.Get("ETag"))
		}
		list := e.do("GET", l.Base+"/Users", l.Key, "")
		if list.Header.Get("ETag") != "" {
			t.Errorf("%s: a list carries an ETag", l.ID)
		}
		item := list.JSON["Resources"].([]any)[0].(map[string]any)
		if _, ext := item[schemaEnterprise]; ext != (l.ID == "full") {
			t.Errorf("%s: list item %v", l.ID, item)
		}
	}
	// With patch-204 too, the 204 carries the new version.
	e = newEnv(t, Config{Variants: []string{variantExtensionsETag, variantPatch204}}, "full:full")
	l := e.loc(0)
	id := e.create(l, "e204@example.com", "")
	patch := e.do("PATCH", l.Base+"/Users/"+id, l.Key, deactivateBody)
	get := e.do("GET", l.Base+"/Users/"+id, l.Key, "")
	if patch.Status != 204 || patch.Header.Get("ETag") == "" || patch.Header.Get("ETag") != get.Header.Get("ETag") {
		t.Errorf("204 %d ETag %q, GET ETag %q", patch.Status, patch.Header.Get("ETag"), get.Header.Get("ETag"))
	}
}

// TestFullReplacePutWithDerivedDisplayName: under both variants a PUT that
// leaves displayName out clears it, and the server derives a new one.
func TestFullReplacePutWithDerivedDisplayName(t *testing.T) {
	e := newEnv(t, Config{Variants: []string{variantFullReplacePut, variantDerivedDisplayName}}, "full:full")
	l := e.loc(0)
	id := e.do("POST", l.Base+"/Users", l.Key, userBody("both@example.com", "")).JSON["id"].(string)
	r := e.do("PUT", l.Base+"/Users/"+id, l.Key, `{"schemas":["`+schemaUser+`"],"userName":"both@example.com","name":{"givenName":"Janet","familyName":"Doe"}}`)
	if r.Status != 200 || r.JSON["displayName"] != "Janet Doe" || r.JSON["locale"] != nil || r.JSON["active"] != true {
		t.Errorf("PUT: %d %s", r.Status, r.Raw)
	}
	// A PUT that keeps displayName keeps it.
	r = e.do("PUT", l.Base+"/Users/"+id, l.Key, userBody("both@example.com", ""))
	if r.JSON["displayName"] != "JD (legal)" {
		t.Errorf("PUT with displayName: %s", r.Raw)
	}
}

// TestVariantsKeepTheOktaFlow runs Okta's provisioning flow under every
// variant on a full location: a variant may change the shape of an answer
// but never what Okta relies on.
func TestVariantsKeepTheOktaFlow(t *testing.T) {
	for _, v := range Variants() {
		t.Run(v.Name, func(t *testing.T) {
			e := newEnv(t, Config{Variants: []string{v.Name}}, "full:full")
			l := e.loc(0)
			post := e.do("POST", l.Base+"/Users", l.Key, oktaUser("Flow@Example.com", "00uFlow"))
			id, _ := post.JSON["id"].(string)
			if post.Status != 201 || id == "" || post.Header.Get("Location") != l.Base+"/Users/"+id || post.JSON["userName"] != "Flow@Example.com" {
				t.Fatalf("create: %d %s", post.Status, post.Raw)
			}
			if r := e.do("GET", filterURL(l, "flow@example.com"), l.Key, ""); num(t, r.JSON["totalResults"]) != 1 {
				t.Errorf("lookup: %s", r.Raw)
			}
			if r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, deactivateBody); r.Status != 200 && r.Status != 204 {
				t.Errorf("deactivate: %d %s", r.Status, r.Raw)
			}
			if r := e.do("GET", l.Base+"/Users/"+id, l.Key, ""); r.Status != 200 || r.JSON["active"] != false || r.JSON["userName"] != "Flow@Example.com" {
				t.Errorf("read back: %s", r.Raw)
			}
			if r := e.do("PATCH", l.Base+"/Users/"+id, l.Key, reactivateBody); r.Status != 200 && r.Status != 204 {
				t.Errorf("reactivate: %d %s", r.Status, r.Raw)
			}
			if r := e.do("GET", l.Base+"/Users/"+id, l.Key, ""); r.JSON["id"] != id || r.JSON["active"] != true {
				t.Errorf("reactivated: %s", r.Raw)
			}
			if r := e.do("GET", l.Base+"/Users", "", ""); r.Status != 401 || r.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("no key: %d %v", r.Status, r.Header)
			}
			if u := e.adminUserByID(l, id); u["invitation"] != "not-invited" || u["canSignIn"] != false {
				t.Errorf("admin: %v", u)
			}
		})
	}
}

// TestVariantsCombineWithFaults: a fault still breaks its rule under a
// variant, and the variant still applies.
func TestVariantsCombineWithFaults(t *testing.T) {
	e := newEnv(t, Config{Faults: []string{faultConflictAs400}, Variants: []string{variantNoScimType, variantJSONContentType}})
	l := e.loc(0)
	e.create(l, "dup@example.com", "")
	r := e.do("POST", l.Base+"/Users", l.Key, oktaUser("dup@example.com", ""))
	if r.Status != 400 || r.JSON["scimType"] != nil || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("%d %v %s", r.Status, r.Header, r.Raw)
	}
	e = newEnv(t, Config{Variants: []string{variantJSONContentType, variantCharsetContentType}})
	l = e.loc(0)
	if r := e.do("GET", l.Base+"/Users", l.Key, ""); r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("json + charset: %q", r.Header.Get("Content-Type"))
	}
	e = newEnv(t, Config{Faults: []string{faultNoErrorSchema}, Variants: []string{variantNoScimType}})
	l = e.loc(0)
	r = e.do("POST", l.Base+"/Users", l.Key, `{"x":`)
	if r.Status != 400 || r.JSON["scimType"] != nil || r.JSON["schemas"] != nil || r.JSON["status"] != float64(400) {
		t.Errorf("%d %s", r.Status, r.Raw)
	}
}

// TestStartLocationVariants: a location's variants apply to it alone, on top
// of the server-wide ones, and StartedLocation reports the effective set.
func TestStartLocationVariants(t *testing.T) {
	inst, err := Start(context.Background(), Options{
		Variants: []string{variantJSONContentType},
		Locations: []LocationSpec{
			{Name: "strict", QueryAttributes: QueryFull},
			{Name: "loose", QueryAttributes: QueryFull, Variants: []string{variantPatch204, variantJSONContentType}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inst.Close() })
	want := []string{"[json-content-type]", "[json-content-type patch-204]"}
	var got []string
	for i, l := range inst.Locations {
		if fmt.Sprint(l.Variants) != want[i] {
			t.Errorf("%s: Variants %v, want %s", l.ID, l.Variants, want[i])
		}
		r := doReq(t, "POST", l.BaseURL+"/Users", l.APIKey, oktaUser("loc@example.com", ""))
		id, _ := r.JSON["id"].(string)
		p := doReq(t, "PATCH", l.BaseURL+"/Users/"+id, l.APIKey, deactivateBody)
		got = append(got, fmt.Sprint(l.ID, ":", p.Status, ":", r.Header.Get("Content-Type")))
	}
	if g := strings.Join(got, " "); g != "strict:200:application/json loose:204:application/json" {
		t.Errorf("got %s", g)
	}
	// A location's variants do not leak into the admin API or unknown locations.
	r := doReq(t, "GET", inst.Origin+"/scim/v2/nowhere/Users", "k", "")
	if r.Status != http.StatusUnauthorized || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("unknown location: %d %v", r.Status, r.Header)
	}

	for _, opts := range []Options{
		{Variants: []string{"no-such-variant"}},
		{Locations: []LocationSpec{{Name: "x", Variants: []string{"bogus"}}}},
	} {
		if _, err := Start(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "unknown variant") ||
			!strings.Contains(err.Error(), variantPatch204) {
			t.Errorf("%+v: error %v", opts, err)
		}
	}
}

// TestStartLocationVariantsStayPerLocation: without server-wide variants, a
// variant given to one location does not reach another.
func TestStartLocationVariantsStayPerLocation(t *testing.T) {
	inst, err := Start(context.Background(), Options{Locations: []LocationSpec{
		{Name: "a", Variants: []string{variantTextPlainAccepted, variantNoScimType}},
		{Name: "b"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inst.Close() })
	var got []string
	for _, l := range inst.Locations {
		r := doReq(t, "POST", l.BaseURL+"/Users", l.APIKey, oktaUser("tp@example.com", ""), "Content-Type: text/plain")
		bad := doReq(t, "POST", l.BaseURL+"/Users", l.APIKey, `{"schemas":`)
		got = append(got, fmt.Sprint(l.ID, ":", r.Status, ":", bad.JSON["scimType"], ":", r.Header.Get("Content-Type")))
	}
	if g := strings.Join(got, " "); g != "a:201:<nil>:application/scim+json b:415:invalidSyntax:application/scim+json" {
		t.Errorf("got %s", g)
	}
	admin := doReq(t, "POST", inst.Origin+"/admin/api/locations", inst.AdminToken, `{"name":"c"}`, "Content-Type: text/plain")
	if admin.Status != http.StatusUnsupportedMediaType {
		t.Errorf("admin API took a location's variant: %d", admin.Status)
	}
}

func TestParseVariants(t *testing.T) {
	set, err := ParseVariants([]string{variantPatch204, " " + variantFullReplacePut + " ", "", variantPatch204})
	if err != nil || !set.Has(variantPatch204) || !set.Has(variantFullReplacePut) || set.Has(variantNoScimType) {
		t.Fatalf("%v %v", set.Names(), err)
	}
	if got := fmt.Sprint(set.Names()); got != "[full-replace-put patch-204]" {
		t.Errorf("Names %s", got)
	}
	_, err = ParseVariants([]string{"no-such-variant"})
	if err == nil || !strings.Contains(err.Error(), "no-such-variant") || !strings.Contains(err.Error(), variantTextPlainAccepted) {
		t.Errorf("unknown variant error: %v", err)
	}
	if _, err := NewServer(newEnv(t, Config{}).st, Config{Variants: []string{"x"}}); err == nil {
		t.Errorf("NewServer accepted an unknown variant")
	}
	if (VariantSet{}).Has(variantPatch204) || len((VariantSet{}).Names()) != 0 {
		t.Errorf("zero VariantSet has a variant")
	}
	seen := map[string]bool{}
	for _, v := range Variants() {
		if seen[v.Name] || v.Description == "" || strings.ContainsAny(v.Description, "\n\t") {
			t.Errorf("variant %q: duplicate or bad description", v.Name)
		}
		seen[v.Name] = true
		for _, f := range Faults() {
			if f.Name == v.Name {
				t.Errorf("%s is both a fault and a variant", v.Name)
			}
		}
	}
	u := VariantSet{}.union(set)
	if fmt.Sprint(u.Names()) != fmt.Sprint(set.Names()) || fmt.Sprint(set.union(VariantSet{}).Names()) != fmt.Sprint(set.Names()) {
		t.Errorf("union with the empty set")
	}
}
