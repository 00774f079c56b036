package reference

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

func TestStart(t *testing.T) {
	inst, err := Start(t.Context(), Options{
		Locations: []LocationSpec{{Name: "Xakia A"}, {Name: "Xakia B", QueryAttributes: "full"}},
		Faults:    nil,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if !strings.HasPrefix(inst.Origin, "http://127.0.0.1:") || len(inst.AdminToken) < 43 || len(inst.Locations) != 2 {
		t.Fatalf("instance %+v", inst)
	}
	a, b := inst.Locations[0], inst.Locations[1]
	if a.ID != "xakia-a" || a.BaseURL != inst.Origin+"/scim/v2/xakia-a" || a.QueryAttributes != "limited" || b.QueryAttributes != "full" {
		t.Errorf("locations %+v", inst.Locations)
	}
	r := doReq(t, "POST", a.BaseURL+"/Users", a.APIKey, oktaUser("s@example.com", ""))
	if r.Status != 201 || !strings.HasPrefix(r.Header.Get("Location"), a.BaseURL+"/Users/") {
		t.Errorf("create: %d %s", r.Status, r.Header.Get("Location"))
	}
	if r := doReq(t, "GET", inst.Origin+"/admin/api/locations", inst.AdminToken, ""); r.Status != 200 || len(r.List) != 2 {
		t.Errorf("admin: %d %s", r.Status, r.Raw)
	}
	if r := doReq(t, "GET", inst.Origin+"/healthz", "", ""); r.Status != 200 {
		t.Errorf("healthz %d", r.Status)
	}
	if err := inst.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if err := inst.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if _, err := http.Get(inst.Origin + "/healthz"); err == nil {
		t.Errorf("still serving after Close")
	}
}

func TestStartDefaultsAndErrors(t *testing.T) {
	inst, err := Start(t.Context(), Options{AdminToken: "given-token", Faults: []string{"groups-404"}})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if inst.AdminToken != "given-token" || len(inst.Locations) != 1 || inst.Locations[0].ID != "default" || inst.Locations[0].QueryAttributes != "limited" {
		t.Errorf("defaults: %+v", inst)
	}
	l := inst.Locations[0]
	if r := doReq(t, "GET", l.BaseURL+"/Groups", l.APIKey, ""); r.Status != 404 {
		t.Errorf("fault not applied: %d", r.Status)
	}
	for _, o := range []Options{
		{Faults: []string{"bogus"}},
		{Locations: []LocationSpec{{Name: "x", QueryAttributes: "most"}}},
		{Locations: []LocationSpec{{Name: ""}}},
		{RateLimit: -1},
		{DB: "mysql://x"},
	} {
		if inst, err := Start(t.Context(), o); err == nil {
			inst.Close()
			t.Errorf("Start(%+v) succeeded", o)
		}
	}
	var nilInst *Instance
	if err := nilInst.Close(); err != nil {
		t.Errorf("nil Close: %v", err)
	}
}

// TestRestartKeepsData serves a SQLite file, creates and deactivates users,
// closes everything, reopens the file and reads the data back.
func TestRestartKeepsData(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "xakia.db")
	ctx := context.Background()
	st, err := store.Open(ctx, dbPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, st, Config{})
	l := e.loc(0)
	active := e.create(l, "Keep@Example.com", "00uKeep")
	inactive := e.create(l, "off@example.com", "00uOff")
	e.do("PATCH", l.Base+"/Users/"+inactive, l.Key, deactivateBody)
	e.admin("POST", "/locations/"+l.ID+"/users/"+active+"/invite", "")
	e.http.Close()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st2, err := store.Open(ctx, dbPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st2.Close() })
	e2 := newEnvOn(t, st2, Config{}, "second")
	base := e2.http.URL + "/scim/v2/" + l.ID
	if r := e2.do("GET", base+"/Users/"+active, l.Key, ""); r.Status != 200 || r.JSON["active"] != true || r.JSON["externalId"] != "00uKeep" {
		t.Errorf("active user after restart: %d %s", r.Status, r.Raw)
	}
	if r := e2.do("GET", base+"/Users/"+inactive, l.Key, ""); r.Status != 200 || r.JSON["active"] != false {
		t.Errorf("inactive user after restart: %d %s", r.Status, r.Raw)
	}
	r := e2.do("GET", base+"/Users?filter=userName%20eq%20%22keep@example.com%22", l.Key, "")
	if num(t, r.JSON["totalResults"]) != 1 {
		t.Errorf("lookup after restart: %s", r.Raw)
	}
	if r := e2.do("POST", base+"/Users", l.Key, oktaUser("OFF@example.com", "")); r.Status != 409 {
		t.Errorf("userName of the inactive user not reserved after restart: %d", r.Status)
	}
	if u := e2.adminUserByID(testLoc{ID: l.ID}, active); u["invitation"] != "invited" || u["canSignIn"] != true {
		t.Errorf("Xakia state after restart: %v", u)
	}
}
