package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Open opens (creating and migrating when needed) the store named by dsn:
//
//   - "" or ":memory:" is a private SQLite database in a fresh temporary
//     directory that Close deletes. It is a temporary file rather than
//     SQLite's own ":memory:" because modernc.org/sqlite gives every pooled
//     database/sql connection its own in-memory database, so writes made on
//     one connection would be invisible on the others.
//   - "postgres://..." or "postgresql://..." is a PostgreSQL database
//     (pgx connection URL; pool settings such as pool_max_conns are honoured).
//   - any other string without "://" is the path of a SQLite database file,
//     created when missing.
//
// Schema migrations are applied before Open returns. A nil logger discards logs.
// Errors never contain a PostgreSQL password.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var (
		st  Store
		err error
	)
	switch kind, cerr := classifyDSN(dsn); {
	case cerr != nil:
		return nil, cerr
	case kind == dsnMemory:
		st, err = openSQLiteTemp(ctx, logger)
	case kind == dsnPostgres:
		st, err = openPostgres(ctx, dsn, logger)
	default:
		st, err = openSQLite(ctx, dsn, logger)
	}
	if err != nil {
		return nil, classify(err)
	}
	return classifying{s: st}, nil
}

// inner returns the backend under the classifying wrapper (for tests).
func inner(s Store) Store {
	if c, ok := s.(classifying); ok {
		return c.s
	}
	return s
}

type dsnKind int

const (
	dsnSQLiteFile dsnKind = iota
	dsnMemory
	dsnPostgres
)

// classifyDSN tells which backend dsn names.
func classifyDSN(dsn string) (dsnKind, error) {
	if dsn == "" || dsn == ":memory:" {
		return dsnMemory, nil
	}
	lower := strings.ToLower(dsn)
	if strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://") {
		return dsnPostgres, nil
	}
	if i := strings.Index(dsn, "://"); i >= 0 {
		return 0, fmt.Errorf("store: unsupported database URL scheme %q: use a SQLite file path, \":memory:\" or a postgres:// URL", dsn[:i])
	}
	if strings.HasPrefix(lower, "file:") {
		return 0, errors.New("store: SQLite URIs (file:...) are not supported: give a plain file path")
	}
	if strings.ContainsAny(dsn, "?#") {
		return 0, fmt.Errorf("store: SQLite path %q contains '?' or '#': rename the file or choose another path", dsn)
	}
	return dsnSQLiteFile, nil
}
