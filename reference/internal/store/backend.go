package store

import (
	"context"
	"log/slog"
	"time"
)

// Opener opens a store of a backend that lives in its own package (the
// PostgreSQL backend, reference/internal/store/postgres), so that programs
// which do not serve it do not link its driver.
type Opener func(ctx context.Context, dsn string, logger *slog.Logger) (Store, error)

// Option configures Open.
type Option func(*openOptions)

type openOptions struct {
	postgres Opener
}

// WithPostgres lets Open serve PostgreSQL DSNs with open (postgres.Open).
// Without it, a PostgreSQL DSN is an error that says so.
func WithPostgres(open Opener) Option {
	return func(o *openOptions) { o.postgres = open }
}

// The rules every backend applies, exported for the backends that live in
// their own package. They are the same functions the SQLite backend calls.

// DefaultScanBatch is how many users one ScanUsers query reads.
const DefaultScanBatch = defaultScanBatch

// NormTime is the time as stored: UTC, microseconds.
func NormTime(t time.Time) time.Time { return normTime(t) }

// Minute truncates t to its UTC minute (the unit of auth-failure counts).
func Minute(t time.Time) time.Time { return minute(t) }

// ClampPage bounds a page request to what a backend serves.
func ClampPage(p Page) Page { return clampPage(p) }

// PrepareLocation checks and normalises a location before it is written.
func PrepareLocation(l Location) (Location, error) { return prepareLocation(l) }

// PrepareNewUser checks and normalises a user before it is created.
func PrepareNewUser(u User) (User, error) { return prepareNewUser(u) }

// PrepareUpdatedUser checks an update of old and normalises it.
func PrepareUpdatedUser(old, updated User) (User, error) { return prepareUpdatedUser(old, updated) }

// UserConflict is the ErrConflict of a user whose userName is taken.
func UserConflict(u User) error { return userConflict(u) }

// ParseKeywordDSN splits a libpq keyword DSN into its key=value pairs.
func ParseKeywordDSN(dsn string) (map[string]string, error) { return parseKeywordDSN(dsn) }
