package reference

import (
	"context"
	"testing"

	"github.com/xakia-okta/scimtest/internal/pgtest"
	"github.com/xakia-okta/scimtest/reference/internal/store"
	pgstore "github.com/xakia-okta/scimtest/reference/internal/store/postgres"
)

// TestPostgres runs the issue flow, the concurrent-create race and a restart
// on PostgreSQL (a throwaway local cluster, or $XAKIA_TEST_PG_DSN; skipped
// with the reason when neither is available).
func TestPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL cluster start skipped in -short mode")
	}
	cluster := pgtest.Start(t)
	open := func(t *testing.T, dsn string) store.Store {
		st, err := store.Open(context.Background(), dsn, nil, store.WithPostgres(pgstore.Open))
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		return st
	}
	t.Run("issue flow", func(t *testing.T) {
		st := open(t, pgtest.CreateDatabase(t, cluster))
		t.Cleanup(func() { _ = st.Close() })
		issueFlow(t, newEnvOn(t, st, Config{}))
	})
	t.Run("concurrent create", func(t *testing.T) {
		st := open(t, pgtest.CreateDatabase(t, cluster))
		t.Cleanup(func() { _ = st.Close() })
		concurrentCreate(t, newEnvOn(t, st, Config{}))
	})
	t.Run("restart", func(t *testing.T) {
		dsn := pgtest.CreateDatabase(t, cluster)
		st := open(t, dsn)
		e := newEnvOn(t, st, Config{})
		l := e.loc(0)
		id := e.create(l, "Pg@Example.com", "00uPg")
		e.do("PATCH", l.Base+"/Users/"+id, l.Key, deactivateBody)
		e.http.Close()
		_ = st.Close()
		st2 := open(t, dsn)
		t.Cleanup(func() { _ = st2.Close() })
		e2 := newEnvOn(t, st2, Config{}, "other")
		base := e2.http.URL + "/scim/v2/" + l.ID
		if r := e2.do("GET", base+"/Users/"+id, l.Key, ""); r.Status != 200 || r.JSON["active"] != false {
			t.Errorf("after restart: %d %s", r.Status, r.Raw)
		}
		if r := e2.do("POST", base+"/Users", l.Key, oktaUser("pg@EXAMPLE.com", "")); r.Status != 409 {
			t.Errorf("userName not reserved after restart: %d", r.Status)
		}
	})
}
