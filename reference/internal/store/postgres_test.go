package store_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/internal/pgtest"
	"github.com/xakia-okta/scimtest/reference/internal/store"
	"github.com/xakia-okta/scimtest/reference/internal/store/postgres"
)

// pgOpt lets store.Open serve PostgreSQL DSNs.
var pgOpt = store.WithPostgres(postgres.Open)

// TestStoreContractPostgres runs the store contract (store_test.go) on the
// PostgreSQL backend.
func TestStoreContractPostgres(t *testing.T) {
	store.RunContract(t, "postgres", func(t *testing.T) func(*testing.T) string {
		cluster := pgtest.Start(t)
		return func(t *testing.T) string { return pgtest.CreateDatabase(t, cluster) }
	}, true, pgOpt)
}

// TestOpenPostgresNeedsTheBackend: without WithPostgres, a PostgreSQL DSN is
// refused with a message that says why, and nothing is dialled.
func TestOpenPostgresNeedsTheBackend(t *testing.T) {
	for _, dsn := range []string{"postgres://xakia:pw@127.0.0.1:1/xakia", "host=127.0.0.1 dbname=xakia"} {
		_, err := store.Open(context.Background(), dsn, nil)
		require.Error(t, err, dsn)
		assert.Contains(t, err.Error(), "without PostgreSQL support")
		assert.NotContains(t, err.Error(), "pw@")
	}
}

func TestOpenPostgres(t *testing.T) {
	cluster := pgtest.Start(t)

	t.Run("replicas starting together", func(t *testing.T) {
		dsn := pgtest.CreateDatabase(t, cluster)
		store.CheckOpenTogether(t, dsn, postgres.SchemaVersion(), func() (int, error) {
			conn, err := pgx.Connect(store.TestCtx(t), dsn)
			if err != nil {
				return 0, err
			}
			defer conn.Close(context.Background())
			var n int
			err = conn.QueryRow(store.TestCtx(t), `SELECT COUNT(*) FROM schema_version`).Scan(&n)
			return n, err
		}, pgOpt)
	})

	t.Run("unreachable server hides the password", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close() // nothing listens there now
		const secret = "s3cr3t-Pa55word"
		dsn := fmt.Sprintf("postgres://xakia:%s@127.0.0.1:%d/xakia?connect_timeout=5&sslmode=disable", secret, port)
		_, err = store.Open(store.TestCtx(t), dsn, nil, pgOpt)
		if err == nil {
			t.Fatal("Open of an unreachable server succeeded")
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error shows the password: %v", err)
		}
		if !strings.Contains(err.Error(), "unreachable") || !strings.Contains(err.Error(), fmt.Sprint(port)) {
			t.Errorf("error %q should say the server at port %d is unreachable", err, port)
		}
	})

	t.Run("bad URL hides the password", func(t *testing.T) {
		const secret = "An0ther-secret"
		_, err := store.Open(store.TestCtx(t), "postgres://xakia:"+secret+"@127.0.0.1:notaport/db", nil, pgOpt)
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("Open of a malformed URL: %v (must fail without showing the password)", err)
		}
	})
}
