package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// backend describes one way to get a fresh database for a contract case.
type backend struct {
	name string
	// setup runs once per backend (e.g. starts a PostgreSQL cluster) and
	// returns a function giving a DSN for a fresh, empty database.
	setup func(t *testing.T) func(t *testing.T) string
	// durable is false when a database does not survive Close and cannot
	// be opened a second time.
	durable bool
	// opts open the backend's DSNs (WithPostgres for PostgreSQL).
	opts []Option
}

var backends = []backend{
	{
		name: "sqlite-file",
		setup: func(*testing.T) func(*testing.T) string {
			return func(t *testing.T) string { return filepath.Join(t.TempDir(), "xakia.db") }
		},
		durable: true,
	},
	{
		name: "sqlite-memory",
		setup: func(*testing.T) func(*testing.T) string {
			return func(*testing.T) string { return ":memory:" }
		},
	},
}

// The PostgreSQL backend lives in its own package: postgres_test.go runs
// this contract on it through RunContract.

// contractCase is one behaviour every backend must show.
type contractCase struct {
	name        string
	needsReopen bool
	run         func(t *testing.T, h *harness)
}

// harness gives a case its database.
type harness struct {
	dsn  string
	opts []Option
}

// open opens the case's database; t.Cleanup closes it.
func (h *harness) open(t *testing.T) Store {
	t.Helper()
	s, err := Open(testCtx(t), h.dsn, nil, h.opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestStoreContract(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { runContract(t, b) })
	}
}

// runContract runs every contract case on backend b.
func runContract(t *testing.T, b backend) {
	newDSN := b.setup(t)
	for _, c := range append(contractCases, scaleCases...) {
		t.Run(c.name, func(t *testing.T) {
			if c.needsReopen && !b.durable {
				t.Skipf("%s databases are private to one Open and do not survive Close, by design", b.name)
			}
			c.run(t, &harness{dsn: newDSN(t), opts: b.opts})
		})
	}
}

// --- helpers ---

func mustLocation(t *testing.T, s Store, id string) Location {
	t.Helper()
	l := Location{ID: id, Name: "Location " + id, KeyHash: []byte("hash-" + id), QueryAttributes: "limited"}
	if err := s.CreateLocation(testCtx(t), l); err != nil {
		t.Fatalf("CreateLocation(%s): %v", id, err)
	}
	got, err := s.Location(testCtx(t), id)
	if err != nil {
		t.Fatalf("Location(%s): %v", id, err)
	}
	return got
}

func newUser(loc, id, userName string) User {
	return User{
		LocationID:  loc,
		ID:          id,
		UserName:    userName,
		UserNameKey: foldKey(userName),
		ExternalID:  "00u" + id,
		Active:      true,
		Doc:         json.RawMessage(fmt.Sprintf(`{"userName": %q, "name": {"givenName": "G"}}`, userName)),
		Invitation:  NotInvited,
		SignIn:      SignInOkta,
	}
}

// foldKey stands in for the server's folding; the store treats keys as opaque.
func foldKey(s string) string { return string(bytes.ToLower([]byte(s))) }

func mustCreate(t *testing.T, s Store, u User) User {
	t.Helper()
	got, err := s.CreateUser(testCtx(t), u)
	if err != nil {
		t.Fatalf("CreateUser(%s/%s): %v", u.LocationID, u.ID, err)
	}
	return got
}

func mustUser(t *testing.T, s Store, loc, id string) User {
	t.Helper()
	u, err := s.User(testCtx(t), loc, id)
	if err != nil {
		t.Fatalf("User(%s/%s): %v", loc, id, err)
	}
	return u
}

func setDeleted(deleted bool) func(*User) error {
	return func(u *User) error { u.Deleted = deleted; return nil }
}

// sameUser reports the first field where a and b differ.
func sameUser(a, b User) string {
	switch {
	case a.LocationID != b.LocationID, a.ID != b.ID:
		return fmt.Sprintf("identity %s/%s vs %s/%s", a.LocationID, a.ID, b.LocationID, b.ID)
	case a.Seq != b.Seq:
		return fmt.Sprintf("Seq %d vs %d", a.Seq, b.Seq)
	case a.UserName != b.UserName, a.UserNameKey != b.UserNameKey:
		return fmt.Sprintf("userName %q/%q vs %q/%q", a.UserName, a.UserNameKey, b.UserName, b.UserNameKey)
	case a.ExternalID != b.ExternalID:
		return fmt.Sprintf("ExternalID %q vs %q", a.ExternalID, b.ExternalID)
	case a.Active != b.Active, a.Deleted != b.Deleted:
		return fmt.Sprintf("Active/Deleted %v/%v vs %v/%v", a.Active, a.Deleted, b.Active, b.Deleted)
	case !bytes.Equal(a.Doc, b.Doc):
		return fmt.Sprintf("Doc %s vs %s", a.Doc, b.Doc)
	case a.Invitation != b.Invitation, a.SignIn != b.SignIn:
		return fmt.Sprintf("Invitation/SignIn %s/%s vs %s/%s", a.Invitation, a.SignIn, b.Invitation, b.SignIn)
	case !a.Created.Equal(b.Created), a.Created.Location() != time.UTC, b.Created.Location() != time.UTC:
		return fmt.Sprintf("Created %v vs %v (both must be UTC)", a.Created, b.Created)
	case !a.LastModified.Equal(b.LastModified), a.LastModified.Location() != time.UTC, b.LastModified.Location() != time.UTC:
		return fmt.Sprintf("LastModified %v vs %v (both must be UTC)", a.LastModified, b.LastModified)
	case a.Version != b.Version:
		return fmt.Sprintf("Version %d vs %d", a.Version, b.Version)
	}
	return ""
}

func ids(users []User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// --- the contract ---

var contractCases = []contractCase{
	{name: "credentials and sign-in events are kept per location", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		ctx := testCtx(t)
		mustLocation(t, s, "a")
		_, err := s.Credential(ctx, "a", "u1")
		require.ErrorIs(t, err, ErrNotFound)
		require.NoError(t, s.SetCredential(ctx, Credential{LocationID: "a", UserID: "u1", PasswordHash: "h1", Admin: true}))
		require.NoError(t, s.SetCredential(ctx, Credential{LocationID: "a", UserID: "u1", PasswordHash: "h2"}))
		c, err := s.Credential(ctx, "a", "u1")
		require.NoError(t, err)
		assert.Equal(t, Credential{LocationID: "a", UserID: "u1", PasswordHash: "h2"}, c)
		_, err = s.Credential(ctx, "b", "u1")
		require.ErrorIs(t, err, ErrNotFound, "credentials never cross locations")

		at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
		for i, outcome := range []string{"not-invited", "signed-in"} {
			require.NoError(t, s.AppendSignIn(ctx, SignInEvent{LocationID: "a", Time: at.Add(time.Duration(i) * time.Second),
				Method: "okta", Login: "alice@example.com", UserID: "u2", Outcome: outcome, Detail: "words " + outcome}))
		}
		require.NoError(t, s.AppendSignIn(ctx, SignInEvent{LocationID: "b", Time: at, Method: "password", Login: "x", Outcome: "unknown"}))
		got, err := s.SignIns(ctx, "a", 10)
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, "not-invited", got[0].Outcome, "oldest first")
		assert.Equal(t, SignInEvent{LocationID: "a", Time: at.Add(time.Second), Method: "okta", Login: "alice@example.com",
			UserID: "u2", Outcome: "signed-in", Detail: "words signed-in"}, got[1])
		last, err := s.SignIns(ctx, "a", 1)
		require.NoError(t, err)
		require.Len(t, last, 1)
		assert.Equal(t, "signed-in", last[0].Outcome, "a limit keeps the newest")
	}},
	{name: "audit keeps the last records of each location", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		ctx := testCtx(t)
		at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
		batch := make([]AuditRecord, AuditKeepPerLocation+5)
		for i := range batch {
			batch[i] = AuditRecord{LocationID: "a", Time: at.Add(time.Duration(i) * time.Millisecond), Method: "GET", Path: fmt.Sprintf("/r/%d", i), Status: 200}
		}
		if err := s.AppendAudit(ctx, []AuditRecord{{LocationID: "b", Time: at, Method: "GET", Path: "/b", Status: 200}}); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendAudit(ctx, batch); err != nil {
			t.Fatal(err)
		}
		got, err := s.Audit(ctx, "a", AuditKeepPerLocation+100)
		if err != nil || len(got) != AuditKeepPerLocation || got[0].Path != "/r/5" || got[len(got)-1].Path != fmt.Sprintf("/r/%d", len(batch)-1) {
			t.Fatalf("after %d records: %d kept (%v), first %v", len(batch), len(got), err, got[:min(1, len(got))])
		}
		if b, _ := s.Audit(ctx, "b", 10); len(b) != 1 {
			t.Errorf("trimming a evicted b's records: %+v", b)
		}
	}},
	{name: "audit records and failure counts", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		ctx := testCtx(t)
		at := time.Date(2026, 11, 29, 12, 0, 30, 123456000, time.UTC)
		recs := []AuditRecord{
			{LocationID: "a", Time: at, Method: "GET", Path: "/scim/v2/a/Users?filter=x", Status: 200, UserAgent: "Okta", DurationMS: 1.5},
			{LocationID: "a", Time: at.Add(time.Second), Method: "POST", Path: "/scim/v2/a/Users", Status: 201, UserAgent: "Okta", DurationMS: 2},
			{LocationID: "b", Time: at, Method: "GET", Path: "/scim/v2/b/Users", Status: 200},
		}
		if err := s.AppendAudit(ctx, recs[:1]); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendAudit(ctx, recs[1:]); err != nil {
			t.Fatal(err)
		}
		got, err := s.Audit(ctx, "a", 10)
		if err != nil || len(got) != 2 || got[0] != recs[0] || got[1] != recs[1] {
			t.Fatalf("Audit(a) = %+v, %v; want the two records of a, oldest first", got, err)
		}
		if last, _ := s.Audit(ctx, "a", 1); len(last) != 1 || last[0] != recs[1] {
			t.Errorf("Audit(a, 1) = %+v, want the newest", last)
		}
		now := time.Now().UTC()
		for range 2 {
			if err := s.AddAuthFailures(ctx, []AuthFailure{{LocationID: "a", Source: "10.0.0.1", Minute: now, Count: 3, LastStatus: 401}}); err != nil {
				t.Fatal(err)
			}
		}
		fs, err := s.AuthFailures(ctx, "a")
		if err != nil || len(fs) != 1 || fs[0].Count != 6 || fs[0].Source != "10.0.0.1" || !fs[0].Minute.Equal(now.Truncate(time.Minute)) {
			t.Errorf("AuthFailures(a) = %+v, %v; want one row counting 6", fs, err)
		}
		if fs, _ := s.AuthFailures(ctx, "b"); len(fs) != 0 {
			t.Errorf("AuthFailures(b) = %+v, want none", fs)
		}
	}},
	{name: "locations", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		ctx := testCtx(t)
		created := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("X", 3600))
		a := Location{ID: "alpha", Name: "Alpha", KeyHash: []byte{0, 1, 2, 255}, QueryAttributes: "limited", Created: created}
		if err := s.CreateLocation(ctx, a); err != nil {
			t.Fatalf("CreateLocation: %v", err)
		}
		got, err := s.Location(ctx, "alpha")
		if err != nil {
			t.Fatalf("Location: %v", err)
		}
		wantCreated := created.UTC().Truncate(time.Microsecond)
		if got.ID != "alpha" || got.Name != "Alpha" || !bytes.Equal(got.KeyHash, a.KeyHash) ||
			got.QueryAttributes != "limited" || !got.Created.Equal(wantCreated) || got.Created.Location() != time.UTC {
			t.Errorf("Location = %+v, want %+v with Created %v UTC", got, a, wantCreated)
		}
		if err := s.CreateLocation(ctx, Location{ID: "alpha", Name: "again"}); !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate CreateLocation: %v, want ErrConflict", err)
		}
		if _, err := s.Location(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Location(nope): %v, want ErrNotFound", err)
		}
		if err := s.CreateLocation(ctx, Location{ID: "beta", Name: "Beta", QueryAttributes: "full"}); err != nil {
			t.Fatalf("CreateLocation(beta): %v", err)
		}
		all, err := s.Locations(ctx)
		if err != nil {
			t.Fatalf("Locations: %v", err)
		}
		if len(all) != 2 || all[0].ID != "alpha" || all[1].ID != "beta" || all[1].Created.IsZero() {
			t.Errorf("Locations = %+v, want alpha then beta (beta with a Created time)", all)
		}
		upd := Location{ID: "alpha", Name: "Alpha 2", KeyHash: []byte("new"), QueryAttributes: "full"}
		if err := s.UpdateLocation(ctx, upd); err != nil {
			t.Fatalf("UpdateLocation: %v", err)
		}
		got, _ = s.Location(ctx, "alpha")
		if got.Name != "Alpha 2" || string(got.KeyHash) != "new" || got.QueryAttributes != "full" || !got.Created.Equal(wantCreated) {
			t.Errorf("after UpdateLocation: %+v", got)
		}
		if err := s.UpdateLocation(ctx, Location{ID: "nope"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("UpdateLocation(nope): %v, want ErrNotFound", err)
		}
	}},

	{name: "create user assigns Seq and Version", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		mustLocation(t, s, "loc")
		var prev int64
		for i := range 5 {
			u := newUser("loc", fmt.Sprintf("u%d", i), fmt.Sprintf("User%d@example.com", i))
			u.Version = 42 // ignored
			u.Seq = 99     // ignored
			got := mustCreate(t, s, u)
			if got.Seq <= prev {
				t.Errorf("user %d: Seq %d not greater than previous %d", i, got.Seq, prev)
			}
			prev = got.Seq
			if got.Version != 1 {
				t.Errorf("user %d: Version %d, want 1", i, got.Version)
			}
			if got.Created.IsZero() || !got.LastModified.Equal(got.Created) {
				t.Errorf("user %d: Created %v LastModified %v, want set and equal", i, got.Created, got.LastModified)
			}
			if diff := sameUser(got, mustUser(t, s, "loc", u.ID)); diff != "" {
				t.Errorf("user %d: CreateUser result differs from User(): %s", i, diff)
			}
		}
		if _, err := s.CreateUser(testCtx(t), newUser("missing", "x", "x")); !errors.Is(err, ErrNotFound) {
			t.Errorf("CreateUser in a missing location: %v, want ErrNotFound", err)
		}
		bad := newUser("loc", "bad", "bad")
		bad.Doc = json.RawMessage(`[1]`)
		if _, err := s.CreateUser(testCtx(t), bad); err == nil || errors.Is(err, ErrConflict) {
			t.Errorf("CreateUser with a non-object Doc: %v, want a validation error", err)
		}
	}},

	{name: "round trip of every field", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		mustLocation(t, s, "loc")
		u := newUser("loc", "id-1", "MiXed@Example.com")
		u.Doc = json.RawMessage("{\"b\" : 1,\n  \"a\": [true, null, \"é\"]}")
		u.ExternalID = ""
		u.Active = false
		u.Invitation = NotNeeded
		u.SignIn = SignInPassword
		u.Created = time.Date(2025, 12, 31, 23, 59, 59, 987654321, time.FixedZone("Y", -5*3600))
		got := mustCreate(t, s, u)
		read := mustUser(t, s, "loc", "id-1")
		if diff := sameUser(got, read); diff != "" {
			t.Fatalf("create vs read: %s", diff)
		}
		if !bytes.Equal(read.Doc, u.Doc) {
			t.Errorf("Doc %q, want it byte for byte %q", read.Doc, u.Doc)
		}
		wantCreated := u.Created.UTC().Truncate(time.Microsecond)
		if !read.Created.Equal(wantCreated) || read.Created.Nanosecond() != 987654000 {
			t.Errorf("Created %v, want %v (UTC, microseconds kept)", read.Created, wantCreated)
		}
		if read.UserName != "MiXed@Example.com" || read.UserNameKey != "mixed@example.com" || read.ExternalID != "" ||
			read.Active || read.Invitation != NotNeeded || read.SignIn != SignInPassword || read.Deleted {
			t.Errorf("read back %+v", read)
		}
	}},

	{name: "userName uniqueness", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		ctx := testCtx(t)
		mustLocation(t, s, "a")
		mustLocation(t, s, "b")
		first := mustCreate(t, s, newUser("a", "1", "Jane@Example.com"))
		if _, err := s.CreateUser(ctx, newUser("a", "2", "JANE@example.COM")); !errors.Is(err, ErrConflict) {
			t.Errorf("same key, same location: %v, want ErrConflict", err)
		}
		if _, err := s.CreateUser(ctx, newUser("a", "1", "other@example.com")); !errors.Is(err, ErrConflict) {
			t.Errorf("same id, same location: %v, want ErrConflict", err)
		}
		mustCreate(t, s, newUser("b", "1", "jane@example.com")) // other location: allowed, even with the same id
		if _, err := s.UpdateUser(ctx, "a", "1", setDeleted(true)); err != nil {
			t.Fatalf("mark deleted: %v", err)
		}
		second := mustCreate(t, s, newUser("a", "2", "jane@example.com"))
		if second.Seq <= first.Seq {
			t.Errorf("Seq %d after %d", second.Seq, first.Seq)
		}
		if old := mustUser(t, s, "a", "1"); !old.Deleted || old.UserNameKey != "jane@example.com" {
			t.Errorf("deleted user read back as %+v, want Deleted with its key", old)
		}
		byKey, err := s.UserByUserNameKey(ctx, "a", "jane@example.com")
		if err != nil || byKey.ID != "2" {
			t.Errorf("UserByUserNameKey = %v, %v; want the non-deleted user 2", byKey.ID, err)
		}
		if _, err := s.UpdateUser(ctx, "a", "1", setDeleted(false)); !errors.Is(err, ErrConflict) {
			t.Errorf("undeleting into a taken key: %v, want ErrConflict", err)
		}
		if old := mustUser(t, s, "a", "1"); !old.Deleted || old.Version != 2 {
			t.Errorf("failed undelete changed the user: %+v", old)
		}
	}},

	{name: "lookups skip deleted users", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		ctx := testCtx(t)
		mustLocation(t, s, "a")
		mustLocation(t, s, "b")
		u1 := newUser("a", "1", "one")
		u2 := newUser("a", "2", "two")
		u3 := newUser("a", "3", "three")
		for _, u := range []*User{&u1, &u2, &u3} {
			u.ExternalID = "ext"
			*u = mustCreate(t, s, *u)
		}
		other := newUser("b", "9", "one")
		other.ExternalID = "ext"
		mustCreate(t, s, other)

		got, err := s.UsersByExternalID(ctx, "a", "ext")
		if err != nil || !equalStrings(ids(got), []string{"1", "2", "3"}) {
			t.Fatalf("UsersByExternalID = %v, %v; want [1 2 3]", ids(got), err)
		}
		if _, err := s.UpdateUser(ctx, "a", "2", setDeleted(true)); err != nil {
			t.Fatal(err)
		}
		got, err = s.UsersByExternalID(ctx, "a", "ext")
		if err != nil || !equalStrings(ids(got), []string{"1", "3"}) {
			t.Errorf("UsersByExternalID after delete = %v, %v; want [1 3]", ids(got), err)
		}
		if got, err := s.UsersByExternalID(ctx, "a", "none"); err != nil || got == nil || len(got) != 0 {
			t.Errorf("UsersByExternalID(none) = %v, %v; want an empty slice", got, err)
		}
		if got, err := s.UsersByExternalID(ctx, "a", ""); err != nil || len(got) != 0 {
			t.Errorf(`UsersByExternalID("") = %v, %v; want none`, ids(got), err)
		}
		if _, err := s.UserByUserNameKey(ctx, "a", "two"); !errors.Is(err, ErrNotFound) {
			t.Errorf("UserByUserNameKey(deleted) = %v, want ErrNotFound", err)
		}
		if _, err := s.UserByUserNameKey(ctx, "a", "nobody"); !errors.Is(err, ErrNotFound) {
			t.Errorf("UserByUserNameKey(missing) = %v, want ErrNotFound", err)
		}
		if u, err := s.UserByUserNameKey(ctx, "b", "one"); err != nil || u.ID != "9" || u.LocationID != "b" {
			t.Errorf("UserByUserNameKey(b, one) = %+v, %v", u, err)
		}
		if u := mustUser(t, s, "a", "2"); !u.Deleted {
			t.Errorf("User(deleted) = %+v, want it returned with Deleted", u)
		}
		if _, err := s.User(ctx, "b", "1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("User of another location: %v, want ErrNotFound", err)
		}
	}},

	{name: "location and user in one read", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		ctx := testCtx(t)
		locA := mustLocation(t, s, "a")
		mustLocation(t, s, "b")
		one := mustCreate(t, s, newUser("a", "1", "one"))
		gone := mustCreate(t, s, newUser("a", "2", "two"))
		if _, err := s.UpdateUser(ctx, "a", "2", setDeleted(true)); err != nil {
			t.Fatal(err)
		}
		gone = mustUser(t, s, "a", gone.ID)
		mustCreate(t, s, newUser("b", "9", "nine"))
		for _, c := range []struct {
			name   string
			lookup UserLookup
			want   *User
		}{
			{"by id", UserLookup{ID: "1"}, &one},
			{"by id, deleted", UserLookup{ID: "2"}, &gone},
			{"by id, missing", UserLookup{ID: "7"}, nil},
			{"by id, other location", UserLookup{ID: "9"}, nil},
			{"by userName key", UserLookup{UserNameKey: "one"}, &one},
			{"by userName key, deleted", UserLookup{UserNameKey: "two"}, nil},
			{"by userName key, other location", UserLookup{UserNameKey: "nine"}, nil},
		} {
			l, u, found, err := s.LocationUser(ctx, "a", c.lookup)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			if !reflect.DeepEqual(l, locA) {
				t.Errorf("%s: location %+v, want %+v", c.name, l, locA)
			}
			switch {
			case c.want == nil && found:
				t.Errorf("%s: found %+v, want none", c.name, u)
			case c.want != nil && !found:
				t.Errorf("%s: not found, want %s", c.name, c.want.ID)
			case c.want != nil && !reflect.DeepEqual(u, *c.want):
				t.Errorf("%s: user %+v, want %+v (as User returns it)", c.name, u, *c.want)
			}
		}
		if _, _, _, err := s.LocationUser(ctx, "zz", UserLookup{ID: "1"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown location: %v, want ErrNotFound", err)
		}
	}},

	{name: "update user", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		ctx := testCtx(t)
		mustLocation(t, s, "a")
		orig := mustCreate(t, s, newUser("a", "1", "one"))
		mustCreate(t, s, newUser("a", "2", "two"))

		got, err := s.UpdateUser(ctx, "a", "1", func(u *User) error {
			if u.Version != 1 || u.UserName != "one" {
				return fmt.Errorf("fn saw %+v", u)
			}
			u.UserName, u.UserNameKey = "One", "one"
			u.Active = false
			u.Doc = json.RawMessage(`{"userName":"One"}`)
			u.Invitation = Invited
			u.ID, u.Seq, u.LocationID = "hijack", 999999, "b" // ignored
			u.Created = time.Unix(0, 0)                       // ignored
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		if got.Version != 2 || got.ID != "1" || got.Seq != orig.Seq || got.LocationID != "a" || !got.Created.Equal(orig.Created) {
			t.Errorf("UpdateUser = %+v, want Version 2 and identity/Created unchanged", got)
		}
		if got.LastModified.Before(orig.LastModified) {
			t.Errorf("LastModified went back: %v < %v", got.LastModified, orig.LastModified)
		}
		if diff := sameUser(got, mustUser(t, s, "a", "1")); diff != "" {
			t.Errorf("UpdateUser result differs from the stored user: %s", diff)
		}

		stamp := time.Date(2030, 1, 1, 0, 0, 0, 5000, time.UTC)
		got, err = s.UpdateUser(ctx, "a", "1", func(u *User) error { u.LastModified = stamp; return nil })
		if err != nil || !got.LastModified.Equal(stamp) || got.Version != 3 {
			t.Errorf("LastModified set by fn: %+v, %v; want %v kept and Version 3", got, err, stamp)
		}

		sentinel := errors.New("fn refuses")
		_, err = s.UpdateUser(ctx, "a", "1", func(u *User) error { u.UserName = "changed"; return sentinel })
		if err != sentinel {
			t.Errorf("fn error came back as %v, want the same value", err)
		}
		if u := mustUser(t, s, "a", "1"); u.Version != 3 || u.UserName != "One" {
			t.Errorf("aborted update changed the user: %+v", u)
		}

		_, err = s.UpdateUser(ctx, "a", "1", func(u *User) error { u.UserNameKey = "two"; return nil })
		if !errors.Is(err, ErrConflict) {
			t.Errorf("colliding key: %v, want ErrConflict", err)
		}
		if u := mustUser(t, s, "a", "1"); u.Version != 3 || u.UserNameKey != "one" {
			t.Errorf("conflicting update changed the user: %+v", u)
		}

		called := false
		_, err = s.UpdateUser(ctx, "a", "nope", func(*User) error { called = true; return nil })
		if !errors.Is(err, ErrNotFound) || called {
			t.Errorf("missing id: %v (fn called %v), want ErrNotFound without calling fn", err, called)
		}
		// The store still works after the aborted transactions.
		if _, err := s.UpdateUser(ctx, "a", "2", setDeleted(true)); err != nil {
			t.Errorf("update after aborted ones: %v", err)
		}
	}},

	{name: "list users pages in Seq order", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		ctx := testCtx(t)
		mustLocation(t, s, "a")
		mustLocation(t, s, "b")
		var all []string
		for i := range 7 {
			id := fmt.Sprintf("a%d", i)
			mustCreate(t, s, newUser("a", id, id))
			all = append(all, id)
			mustCreate(t, s, newUser("b", fmt.Sprintf("b%d", i), id)) // interleaved, other location
		}
		if _, err := s.UpdateUser(ctx, "a", "a2", setDeleted(true)); err != nil {
			t.Fatal(err)
		}
		live := []string{"a0", "a1", "a3", "a4", "a5", "a6"}
		cases := []struct {
			page      Page
			wantIDs   []string
			wantTotal int
		}{
			{Page{Offset: 0, Limit: 3}, live[:3], 6},
			{Page{Offset: 3, Limit: 3}, live[3:], 6},
			{Page{Offset: 5, Limit: 10}, live[5:], 6},
			{Page{Offset: 6, Limit: 3}, []string{}, 6},
			{Page{Offset: 100, Limit: 3}, []string{}, 6},
			{Page{Offset: 0, Limit: 0}, []string{}, 6},
			{Page{Offset: -4, Limit: 2}, live[:2], 6},
			{Page{Offset: 0, Limit: 100, IncludeDeleted: true}, all, 7},
			{Page{Offset: 2, Limit: 1, IncludeDeleted: true}, []string{"a2"}, 7},
		}
		for _, c := range cases {
			got, total, err := s.ListUsers(ctx, "a", c.page)
			if err != nil {
				t.Errorf("ListUsers(%+v): %v", c.page, err)
				continue
			}
			if got == nil || !equalStrings(ids(got), c.wantIDs) || total != c.wantTotal {
				t.Errorf("ListUsers(%+v) = %v total %d, want %v total %d", c.page, ids(got), total, c.wantIDs, c.wantTotal)
			}
		}
		// Walking pages of 2 yields every live user once, in order.
		var walked []string
		for offset := 0; offset < 20; offset += 2 {
			got, total, err := s.ListUsers(ctx, "a", Page{Offset: offset, Limit: 2})
			if err != nil || total != 6 {
				t.Fatalf("page at %d: total %d, %v", offset, total, err)
			}
			if len(got) == 0 {
				break
			}
			walked = append(walked, ids(got)...)
		}
		if !equalStrings(walked, live) {
			t.Errorf("paging walked %v, want %v", walked, live)
		}
		if got, total, err := s.ListUsers(ctx, "empty", Page{Limit: 10}); err != nil || total != 0 || len(got) != 0 {
			t.Errorf("ListUsers of an unknown location = %v, %d, %v; want nothing", ids(got), total, err)
		}
	}},

	{name: "scan users", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		ctx := testCtx(t)
		setScanBatch(t, s, 2) // force several batches
		mustLocation(t, s, "a")
		mustLocation(t, s, "b")
		var all []string
		for i := range 7 {
			id := fmt.Sprintf("u%d", i)
			mustCreate(t, s, newUser("a", id, id))
			all = append(all, id)
		}
		mustCreate(t, s, newUser("b", "x", "x"))
		if _, err := s.UpdateUser(ctx, "a", "u4", setDeleted(true)); err != nil {
			t.Fatal(err)
		}
		live := []string{"u0", "u1", "u2", "u3", "u5", "u6"}
		for _, c := range []struct {
			includeDeleted bool
			stopAfter      int
			want           []string
		}{
			{false, 100, live},
			{true, 100, all},
			{false, 3, live[:3]},
			{true, 5, all[:5]},
			{false, 1, live[:1]},
		} {
			var seen []string
			err := s.ScanUsers(ctx, "a", c.includeDeleted, func(u User) bool {
				// fn may use the store while the scan runs.
				if _, err := s.User(ctx, "a", u.ID); err != nil {
					t.Errorf("User inside ScanUsers: %v", err)
				}
				seen = append(seen, u.ID)
				return len(seen) < c.stopAfter
			})
			if err != nil || !equalStrings(seen, c.want) {
				t.Errorf("ScanUsers(includeDeleted=%v, stop after %d) saw %v, %v; want %v", c.includeDeleted, c.stopAfter, seen, err, c.want)
			}
		}
	}},

	{name: "restart keeps everything", needsReopen: true, run: func(t *testing.T, h *harness) {
		ctx := testCtx(t)
		s, err := Open(ctx, h.dsn, nil, h.opts...)
		if err != nil {
			t.Fatal(err)
		}
		mustLocation(t, s, "a")
		var before []User
		for i := range 4 {
			before = append(before, mustCreate(t, s, newUser("a", fmt.Sprintf("u%d", i), fmt.Sprintf("u%d", i))))
		}
		upd, err := s.UpdateUser(ctx, "a", "u1", func(u *User) error { u.Active = false; return nil })
		if err != nil {
			t.Fatal(err)
		}
		before[1] = upd
		del, err := s.UpdateUser(ctx, "a", "u3", setDeleted(true)) // the highest Seq
		if err != nil {
			t.Fatal(err)
		}
		before[3] = del
		locsBefore, _ := s.Locations(ctx)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		s2 := h.open(t)
		locsAfter, err := s2.Locations(ctx)
		if err != nil || len(locsAfter) != 1 || len(locsBefore) != 1 || locsAfter[0].Name != locsBefore[0].Name ||
			!bytes.Equal(locsAfter[0].KeyHash, locsBefore[0].KeyHash) || !locsAfter[0].Created.Equal(locsBefore[0].Created) {
			t.Errorf("locations after restart %+v, %v; before %+v", locsAfter, err, locsBefore)
		}
		after, total, err := s2.ListUsers(ctx, "a", Page{Limit: 100, IncludeDeleted: true})
		if err != nil || total != len(before) || len(after) != len(before) {
			t.Fatalf("after restart: %d users (total %d), %v; want %d", len(after), total, err, len(before))
		}
		for i := range before {
			if diff := sameUser(before[i], after[i]); diff != "" {
				t.Errorf("user %d after restart: %s", i, diff)
			}
		}
		next := mustCreate(t, s2, newUser("a", "u9", "u9"))
		if next.Seq <= before[3].Seq {
			t.Errorf("Seq after restart %d, want greater than every earlier Seq (%d)", next.Seq, before[3].Seq)
		}
	}},

	{name: "concurrent creates of one userName", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		ctx := testCtx(t)
		mustLocation(t, s, "a")
		const n = 50
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.CreateUser(ctx, newUser("a", fmt.Sprintf("id%d", i), "Same@Example.com"))
			})
		}
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrConflict):
				conflicts++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 || conflicts != n-1 {
			t.Errorf("%d successes and %d conflicts, want 1 and %d", ok, conflicts, n-1)
		}
		if _, total, err := s.ListUsers(ctx, "a", Page{IncludeDeleted: true}); err != nil || total != 1 {
			t.Errorf("stored users: %d, %v; want 1", total, err)
		}
	}},

	{name: "concurrent updates are not lost", run: func(t *testing.T, h *harness) {
		s := h.open(t)
		mustLocation(t, s, "a")
		checkConcurrentUpdates(t, []Store{s})
	}},

	{name: "two stores share one database", needsReopen: true, run: func(t *testing.T, h *harness) {
		// Two processes (or server replicas) on one database: writes from both
		// must queue, not fail, and uniqueness must hold across them.
		s1, s2 := h.open(t), h.open(t)
		mustLocation(t, s1, "a")
		checkConcurrentUpdates(t, []Store{s1, s2})

		const n = 20
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			s := []Store{s1, s2}[i%2]
			wg.Go(func() {
				_, errs[i] = s.CreateUser(testCtx(t), newUser("a", fmt.Sprintf("id%d", i), "shared@example.com"))
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ErrConflict):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d of %d creates of one userName through two stores succeeded, want 1", ok, n)
		}
	}},

	{name: "ping and close", run: func(t *testing.T, h *harness) {
		s, err := Open(testCtx(t), h.dsn, nil, h.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(testCtx(t)); err != nil {
			t.Errorf("Ping: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := s.Ping(testCtx(t)); err == nil {
			t.Errorf("Ping after Close succeeded")
		}
	}},
}

// setScanBatch lowers the ScanUsers batch size of a concrete store.
func setScanBatch(t *testing.T, s Store, n int) {
	t.Helper()
	switch s := inner(s).(type) {
	case *sqliteStore:
		s.scanBatch = n
	case interface{ SetScanBatch(int) }: // the PostgreSQL backend
		s.SetScanBatch(n)
	default:
		t.Fatalf("unknown store type %T", s)
	}
}

// checkConcurrentUpdates runs 20 concurrent UpdateUser calls on one new user
// of location "a", spread over stores, each appending its number to a list in
// the Doc, and checks that none is lost and that fn calls never overlap.
func checkConcurrentUpdates(t *testing.T, stores []Store) {
	t.Helper()
	ctx := testCtx(t)
	u := newUser("a", "counter", "counter")
	u.Doc = json.RawMessage(`{"marks":[]}`)
	mustCreate(t, stores[0], u)
	const n = 20
	var (
		wg               sync.WaitGroup
		inFn, overlapped atomic.Int32
	)
	for i := range n {
		s := stores[i%len(stores)]
		wg.Go(func() {
			_, err := s.UpdateUser(ctx, "a", "counter", func(u *User) error {
				// Updates of one user must not overlap; the pause widens the
				// window in which an unlocked read-modify-write would
				// interleave (it asserts nothing about time).
				if inFn.Add(1) > 1 {
					overlapped.Add(1)
				}
				defer inFn.Add(-1)
				time.Sleep(2 * time.Millisecond)
				var d struct{ Marks []int }
				if err := json.Unmarshal(u.Doc, &d); err != nil {
					return err
				}
				d.Marks = append(d.Marks, i)
				doc, err := json.Marshal(map[string][]int{"marks": d.Marks})
				u.Doc = doc
				return err
			})
			if err != nil {
				t.Errorf("UpdateUser %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	final := mustUser(t, stores[0], "a", "counter")
	var d struct{ Marks []int }
	if err := json.Unmarshal(final.Doc, &d); err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, m := range d.Marks {
		seen[m] = true
	}
	if got := overlapped.Load(); got != 0 {
		t.Errorf("%d calls of fn overlapped another one for the same user", got)
	}
	if len(d.Marks) != n || len(seen) != n || final.Version != n+1 {
		t.Errorf("after %d concurrent updates: %d marks (%d distinct), Version %d; want %d, %d, %d",
			n, len(d.Marks), len(seen), final.Version, n, n, n+1)
	}
}
