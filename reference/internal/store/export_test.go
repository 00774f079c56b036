package store

import "testing"

// RunContract runs the store contract on a backend of another package (the
// PostgreSQL one, from postgres_test.go): newDSN gives a fresh database per
// case, durable says whether a database survives Close, opts open it.
func RunContract(t *testing.T, name string, setup func(*testing.T) func(*testing.T) string, durable bool, opts ...Option) {
	runContract(t, backend{name: name, setup: setup, durable: durable, opts: opts})
}

// CheckOpenTogether is checkOpenTogether for the external tests.
func CheckOpenTogether(t *testing.T, dsn string, want int, versions func() (int, error), opts ...Option) {
	checkOpenTogether(t, dsn, want, versions, opts...)
}

// TestCtx is testCtx for the external tests.
var TestCtx = testCtx
