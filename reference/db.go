package reference

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// ErrNoLocation is returned for a location id that does not exist.
var ErrNoLocation = errors.New("no such location")

// DB is an open reference database: the handle commands use to administer
// locations and to serve.
type DB struct {
	st store.Store
}

// DBOption adds a database backend to OpenDB and Start. The reference links
// SQLite only; reference/postgres.Backend adds PostgreSQL, so that programs
// which only embed the reference (mockokta, the suite) do not link its driver.
type DBOption struct{ opt store.Option }

// StoreOption wraps a store option as a DBOption (for reference/postgres).
func StoreOption(o store.Option) DBOption { return DBOption{opt: o} }

// storeOptions unwraps opts for store.Open.
func storeOptions(opts []DBOption) []store.Option {
	out := make([]store.Option, 0, len(opts))
	for _, o := range opts {
		if o.opt != nil {
			out = append(out, o.opt)
		}
	}
	return out
}

// OpenDB opens (creating and migrating when needed) the database named by
// dsn: a SQLite file path, ":memory:" (or "") for a private temporary
// database, or — with the option postgres.Backend() of package
// reference/postgres — a postgres:// URL or keyword DSN. A nil logger
// discards logs.
func OpenDB(ctx context.Context, dsn string, logger *slog.Logger, opts ...DBOption) (*DB, error) {
	st, err := store.Open(ctx, dsn, logger, storeOptions(opts)...)
	if err != nil {
		return nil, err
	}
	return &DB{st: st}, nil
}

// Close releases the database.
func (d *DB) Close() error { return d.st.Close() }

// NewServer returns a server over the database; the DB stays owned by the
// caller and must outlive the server.
func (d *DB) NewServer(cfg Config) (*Server, error) { return NewServer(d.st, cfg) }

// Locations lists the locations in creation order.
func (d *DB) Locations(ctx context.Context) ([]LocationInfo, error) {
	locs, err := d.st.Locations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]LocationInfo, 0, len(locs))
	for _, l := range locs {
		out = append(out, locationInfo(l))
	}
	return out, nil
}

// CreateLocation creates a location and returns it with its plain API key,
// shown only this once.
func (d *DB) CreateLocation(ctx context.Context, name, queryAttributes string) (LocationInfo, string, error) {
	l, key, err := createLocation(ctx, d.st, name, queryAttributes)
	return locationInfo(l), key, err
}

// EnsureDefaultLocation creates the location "default" (limited query
// attributes) unless a location with that id exists. It is safe when several
// replicas start together on an empty database: exactly one creates it and
// gets its key (created is true); the others get created false and no key.
func (d *DB) EnsureDefaultLocation(ctx context.Context) (loc LocationInfo, key string, created bool, err error) {
	l, key, err := createLocationWithID(ctx, d.st, DefaultLocationID, DefaultLocationID, QueryLimited)
	if errors.Is(err, store.ErrConflict) {
		existing, err := d.st.Location(ctx, DefaultLocationID)
		if err != nil {
			return LocationInfo{}, "", false, err
		}
		return locationInfo(existing), "", false, nil
	}
	if err != nil {
		return LocationInfo{}, "", false, err
	}
	return locationInfo(l), key, true, nil
}

// RotateKey gives location id a new API key and returns it; the old key
// fails at once. An unknown id is [ErrNoLocation].
func (d *DB) RotateKey(ctx context.Context, id string) (string, error) {
	key, err := rotateKey(ctx, d.st, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("%w: %q", ErrNoLocation, id)
	}
	return key, err
}
