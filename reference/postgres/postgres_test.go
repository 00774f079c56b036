package postgres_test

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/reference"
	"github.com/xakia-okta/scimtest/reference/postgres"
)

// TestBackendServesPostgresDSNs: the reference alone refuses a PostgreSQL
// DSN, saying why; with Backend it dials the server (here nobody listens on
// the port, so the error is the backend's own "unreachable").
func TestBackendServesPostgresDSNs(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	dsn := fmt.Sprintf("postgres://xakia:s3cret@127.0.0.1:%d/xakia?connect_timeout=5&sslmode=disable", port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	_, err = reference.OpenDB(ctx, dsn, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "without PostgreSQL support")

	_, err = reference.OpenDB(ctx, dsn, nil, postgres.Backend())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unreachable")
	assert.NotContains(t, err.Error(), "s3cret")

	_, err = reference.Start(ctx, reference.Options{DB: dsn, DBOptions: []reference.DBOption{postgres.Backend()}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unreachable", "Start takes the backend too")
}
