package reference

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestDB(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "db.sqlite")
	db, err := OpenDB(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, keyA, err := db.CreateLocation(ctx, "Head Office", "")
	if err != nil || a.ID != "head-office" || a.QueryAttributes != QueryLimited || keyA == "" {
		t.Fatalf("create: %+v %v", a, err)
	}
	b, _, err := db.CreateLocation(ctx, "head office", "full")
	if err != nil || b.ID != "head-office-2" || b.QueryAttributes != QueryFull {
		t.Fatalf("second: %+v %v", b, err)
	}
	if _, _, err := db.CreateLocation(ctx, "x", "partial"); err == nil {
		t.Errorf("bad query attributes accepted")
	}
	if _, _, err := db.CreateLocation(ctx, "  ", ""); err == nil {
		t.Errorf("empty name accepted")
	}
	locs, err := db.Locations(ctx)
	if err != nil || len(locs) != 2 || locs[0].ID != "head-office" || locs[1].ID != "head-office-2" {
		t.Fatalf("list: %+v %v", locs, err)
	}
	newKey, err := db.RotateKey(ctx, "head-office")
	if err != nil || newKey == keyA {
		t.Fatalf("rotate: %v", err)
	}
	if _, err := db.RotateKey(ctx, "nowhere"); !errors.Is(err, ErrNoLocation) {
		t.Errorf("rotate unknown: %v", err)
	}
	srv, err := db.NewServer(Config{AdminToken: "t"})
	if err != nil || srv.Handler() == nil || len(srv.Faults().Names()) != 0 {
		t.Fatalf("server: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened, the rotated key is the one that works.
	st, err := OpenDB(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := newEnvOn(t, st.st, Config{})
	base := e.http.URL + "/scim/v2/head-office"
	if r := e.do("GET", base+"/Users", newKey, ""); r.Status != 200 {
		t.Errorf("rotated key after reopen: %d", r.Status)
	}
	if r := e.do("GET", base+"/Users", keyA, ""); r.Status != 401 {
		t.Errorf("old key after reopen: %d", r.Status)
	}
	if _, err := NewServer(st.st, Config{PublicURL: "ftp://x"}); err == nil {
		t.Errorf("bad public URL accepted")
	}
}

func TestAdminNotFoundAndBadBodies(t *testing.T) {
	e := newEnv(t, Config{})
	l := e.loc(0)
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/locations/nowhere", ""},
		{"GET", "/locations/nowhere/users", ""},
		{"POST", "/locations/nowhere/users", `{"userName":"a"}`},
		{"GET", "/locations/nowhere/audit", ""},
		{"POST", "/locations/nowhere/users/x/invite", ""},
	} {
		if r := e.admin(c.method, c.path, c.body); r.Status != 404 {
			t.Errorf("%s %s: %d", c.method, c.path, r.Status)
		} else {
			assertSCIMError(t, r, 404, "")
		}
	}
	for _, body := range []string{`{"name":{"givenName":"x"}}`, `{"userName":5}`, `nope`} {
		if r := e.admin("POST", "/locations/"+l.ID+"/users", body); r.Status != 400 {
			t.Errorf("member %s: %d", body, r.Status)
		}
	}
	if r := e.admin("GET", "/locations/"+l.ID, ""); r.Status != 200 || r.JSON["id"] != l.ID || r.JSON["apiKey"] != nil {
		t.Errorf("get location: %s", r.Raw)
	}
	if r := e.admin("PATCH", "/locations/"+l.ID, `{"name":"Renamed"}`); r.Status != 200 || r.JSON["name"] != "Renamed" || r.JSON["id"] != l.ID {
		t.Errorf("rename: %s", r.Raw)
	}
	if r := e.admin("POST", "/locations/"+l.ID+"/api-key", ""); r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("key answer cacheable")
	}
	for _, c := range []struct{ method, path string }{
		{"DELETE", "/locations/" + l.ID}, {"GET", "/locations/" + l.ID + "/api-key"},
		{"PUT", "/locations/" + l.ID + "/users"}, {"GET", "/locations/" + l.ID + "/users/x/invite"},
		{"POST", "/locations/" + l.ID + "/audit"},
	} {
		if r := e.admin(c.method, c.path, ""); r.Status != 405 {
			t.Errorf("%s %s: %d", c.method, c.path, r.Status)
		}
	}
}

func TestRateLimiterEviction(t *testing.T) {
	l := newRateLimiter(1)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range maxBuckets {
		l.allow(string(rune(i)), t0)
	}
	if len(l.buckets) != maxBuckets {
		t.Fatalf("%d buckets", len(l.buckets))
	}
	// Every bucket is empty at t0; one second later all are full again and
	// may be dropped to make room.
	if _, ok := l.allow("new", t0.Add(time.Second)); !ok || len(l.buckets) > maxBuckets {
		t.Errorf("eviction: ok %v, %d buckets", ok, len(l.buckets))
	}
	// When nothing is idle the map is cleared rather than growing.
	l2 := newRateLimiter(1)
	for i := range maxBuckets {
		l2.allow(string(rune(i)), t0)
	}
	l2.allow("other", t0)
	if len(l2.buckets) > maxBuckets {
		t.Errorf("map grew past the bound: %d", len(l2.buckets))
	}
}

// TestEnsureDefaultLocationRace opens one database through several DB values
// at once (as replicas do) and checks that exactly one creates "default".
func TestEnsureDefaultLocationRace(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "db.sqlite")
	const replicas = 4
	dbs := make([]*DB, replicas)
	for i := range dbs {
		db, err := OpenDB(ctx, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	type result struct {
		loc     LocationInfo
		key     string
		created bool
		err     error
	}
	results := make(chan result, replicas)
	for _, db := range dbs {
		go func() {
			loc, key, created, err := db.EnsureDefaultLocation(ctx)
			results <- result{loc, key, created, err}
		}()
	}
	created := 0
	for range replicas {
		r := <-results
		if r.err != nil {
			t.Fatalf("EnsureDefaultLocation: %v", r.err)
		}
		if r.loc.ID != DefaultLocationID {
			t.Errorf("location id %q, want %q", r.loc.ID, DefaultLocationID)
		}
		if r.created {
			created++
			if r.key == "" {
				t.Errorf("the creator got no key")
			}
		} else if r.key != "" {
			t.Errorf("a non-creator got a key")
		}
	}
	if created != 1 {
		t.Errorf("%d replicas created the default location, want exactly 1", created)
	}
	locs, err := dbs[0].Locations(ctx)
	if err != nil || len(locs) != 1 {
		t.Fatalf("locations after the race: %+v %v, want exactly one", locs, err)
	}
}
