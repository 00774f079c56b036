// Package postgres is the PostgreSQL backend of the reference store. It lives
// apart from package store so that a program that only needs SQLite or the
// in-memory store (the embedded reference of mockokta and the suite) does not
// link pgx: such a program opens stores with store.Open alone, and a program
// that serves PostgreSQL passes store.WithPostgres(postgres.Open).
package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// The store's types and rules, under the names the backend was written with.
type (
	// Store is store.Store.
	Store = store.Store
	// Location is store.Location.
	Location = store.Location
	// User is store.User.
	User = store.User
	// UserLookup is store.UserLookup.
	UserLookup = store.UserLookup
	// Page is store.Page.
	Page = store.Page
	// AuditRecord is store.AuditRecord.
	AuditRecord = store.AuditRecord
	// AuthFailure is store.AuthFailure.
	AuthFailure = store.AuthFailure
	// Counts is store.Counts.
	Counts = store.Counts
	// Cond is store.Cond.
	Cond = store.Cond
	// GroupCommitter is store.GroupCommitter.
	GroupCommitter = store.GroupCommitter
	// CreateReq is store.CreateReq.
	CreateReq = store.CreateReq
	// CreateRes is store.CreateRes.
	CreateRes = store.CreateRes
)

// NewGroupCommitter is store.NewGroupCommitter.
func NewGroupCommitter(run store.GroupFunc) *GroupCommitter { return store.NewGroupCommitter(run) }

// pgDialect is store.PostgresDialect.
func pgDialect() store.Dialect { return store.PostgresDialect() }

// CondSQL is store.CondSQL.
func CondSQL(c Cond, d store.Dialect, args *[]any) (string, error) { return store.CondSQL(c, d, args) }

// condQuery is a rendered condition and its bound values.
type condQuery struct {
	sql  string
	args []any
}

// Limits of the audit, as in package store.
const (
	AuditKeepPerLocation = store.AuditKeepPerLocation
	AuthFailureRetention = store.AuthFailureRetention
	defaultScanBatch     = store.DefaultScanBatch
)

// The store's errors.
var (
	// ErrNotFound is store.ErrNotFound.
	ErrNotFound = store.ErrNotFound
	// ErrConflict is store.ErrConflict.
	ErrConflict = store.ErrConflict
)

func normTime(t time.Time) time.Time                        { return store.NormTime(t) }
func minute(t time.Time) time.Time                          { return store.Minute(t) }
func clampPage(p Page) Page                                 { return store.ClampPage(p) }
func prepareLocation(l Location) (Location, error)          { return store.PrepareLocation(l) }
func prepareNewUser(u User) (User, error)                   { return store.PrepareNewUser(u) }
func prepareUpdatedUser(old, u User) (User, error)          { return store.PrepareUpdatedUser(old, u) }
func userConflict(u User) error                             { return store.UserConflict(u) }
func parseKeywordDSN(dsn string) (map[string]string, error) { return store.ParseKeywordDSN(dsn) }

// Open connects to the PostgreSQL database dsn (a postgres:// URL or a
// keyword DSN), checks that it answers and applies the migrations. Pass it to
// store.Open as store.WithPostgres(postgres.Open); store.Open classifies its
// errors and wraps the store.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (store.Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return openPostgres(ctx, dsn, logger)
}

// SetScanBatch sets how many users one ScanUsers query reads (tests lower
// it to cross batch boundaries with few users).
func (s *pgStore) SetScanBatch(n int) { s.scanBatch = n }

// SchemaVersion is the schema version Open migrates a database to.
func SchemaVersion() int { return len(pgMigrations) }
