// Package store persists the reference server's locations and users behind a
// narrow interface with SQLite and PostgreSQL implementations.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// ErrNotFound is returned when a location or user does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a write would break a unique constraint
// (a location id, or a folded userName among a location's non-deleted users).
var ErrConflict = errors.New("store: conflict")

// Location is one Xakia location with its own SCIM base URI and API key.
type Location struct {
	ID              string    // URL-safe id used in /scim/v2/{ID}; no '_'
	Name            string    // display name
	KeyHash         []byte    // SHA-256 of the API key; the key itself is never stored
	QueryAttributes string    // "limited" or "full"
	Created         time.Time // UTC
}

// Invitation states of a user (docs/behaviour.md §4).
const (
	NotInvited = "not-invited"
	Invited    = "invited"
	NotNeeded  = "not-needed"
)

// Sign-in methods of a user (docs/behaviour.md §4).
const (
	SignInPassword = "password"
	SignInOkta     = "okta"
)

// User is one member of a location: its SCIM document plus Xakia-side state.
type User struct {
	LocationID  string
	ID          string // server-issued, never reused
	Seq         int64  // insertion sequence assigned by the store; paging order
	UserName    string // as sent, case preserved
	UserNameKey string // folded userName; unique among the location's non-deleted users
	ExternalID  string // "" when unset
	Active      bool
	// Doc is the user's SCIM JSON object without id, meta, password and groups.
	// The store keeps it opaque; UserName, ExternalID and Active mirror it.
	Doc          json.RawMessage
	Invitation   string // NotInvited, Invited or NotNeeded
	SignIn       string // SignInPassword or SignInOkta
	Deleted      bool   // removed by SCIM DELETE: invisible to SCIM, kept for admins
	Created      time.Time
	LastModified time.Time
	Version      int64 // starts at 1, incremented by every update
}

// Page selects a window of users in insertion order.
type Page struct {
	Offset         int  // 0-based number of users to skip; ignored when AfterSeq > 0
	Limit          int  // maximum users to return; 0 returns none (count only)
	IncludeDeleted bool // admin views include deleted users
	// AfterSeq, when > 0, starts the window after the user with that Seq
	// (keyset paging: an index seek instead of skipping Offset rows).
	AfterSeq int64
	// NoCount skips counting the matches (FindUsers then returns a total of
	// 0): for callers that read every batch anyway.
	NoCount bool
}

// Counts are the user counts a store maintains per location in the same
// transaction as every user write, so reading them costs one row.
type Counts struct {
	Live int64 // non-deleted users
	All  int64 // every user, deleted or not
	// Removals counts the changes of a user's Deleted flag. While it stays
	// the same, users are only ever appended, so the position of a user in
	// Seq order does not move: a keyset cursor stays equivalent to an offset.
	Removals int64
}

// UserLookup names one user of a location for LocationUser: by ID
// (deleted users included, like User) or, when ID is empty, by UserNameKey
// (non-deleted users only, like UserByUserNameKey).
type UserLookup struct {
	ID          string
	UserNameKey string
}

// Store is the persistence the reference server needs. Implementations are
// safe for concurrent use; every write is one transaction.
type Store interface {
	// CreateLocation inserts a location; ErrConflict if the id exists.
	CreateLocation(ctx context.Context, l Location) error
	// Location returns one location or ErrNotFound.
	Location(ctx context.Context, id string) (Location, error)
	// Locations returns every location ordered by creation.
	Locations(ctx context.Context) ([]Location, error)
	// UpdateLocation replaces Name, KeyHash and QueryAttributes; ErrNotFound if absent.
	UpdateLocation(ctx context.Context, l Location) error

	// CreateUser inserts u (ID, UserNameKey and Doc set by the caller), assigns
	// Seq, sets Version to 1 and returns the stored user. ErrConflict if a
	// non-deleted user of the location has the same UserNameKey, or the ID exists.
	CreateUser(ctx context.Context, u User) (User, error)
	// User returns a user by id, deleted or not; ErrNotFound if absent.
	User(ctx context.Context, locationID, id string) (User, error)
	// UserByUserNameKey returns the non-deleted user with that folded userName
	// (an indexed lookup); ErrNotFound if none.
	UserByUserNameKey(ctx context.Context, locationID, key string) (User, error)
	// LocationUser returns location id and, read with it in one query, the
	// user named by lookup (found is false when there is none). It is
	// Location followed by User (lookup.ID) or UserByUserNameKey
	// (lookup.UserNameKey), at the cost of one read: a SCIM read checks the
	// location's current API key and reads its user together.
	// ErrNotFound only when the location does not exist.
	LocationUser(ctx context.Context, id string, lookup UserLookup) (_ Location, _ User, found bool, _ error)
	// UsersByExternalID returns the non-deleted users with that externalId
	// (an indexed lookup), in insertion order.
	UsersByExternalID(ctx context.Context, locationID, externalID string) ([]User, error)
	// UpdateUser reads the user inside one write transaction, calls fn on it and
	// stores the result (Version+1). fn may return an error to abort without a
	// change. ErrNotFound if absent; ErrConflict if the new UserNameKey collides.
	UpdateUser(ctx context.Context, locationID, id string, fn func(*User) error) (User, error)
	// ListUsers returns a page of the location's users in Seq order and the
	// total number of users matching (deleted ones only with IncludeDeleted).
	ListUsers(ctx context.Context, locationID string, p Page) ([]User, int, error)
	// UserCounts returns the maintained counts of a location (zero counts
	// for a location without users).
	UserCounts(ctx context.Context, locationID string) (Counts, error)
	// FindUsers returns a page of the location's non-deleted users matching
	// c, in Seq order, and the number of users matching. c must be valid
	// (see [Cond.Valid]).
	FindUsers(ctx context.Context, locationID string, c Cond, p Page) ([]User, int, error)
	// CreateUsers inserts n new users, user(0) … user(n-1), in one
	// transaction with one prepared statement (bulk seeding): all of them
	// or, on any error, none. Seq and Version are assigned as by
	// CreateUser; the stored users are not returned.
	CreateUsers(ctx context.Context, n int, user func(i int) User) error
	// ScanUsers calls fn for every user of the location in Seq order until fn
	// returns false; deleted users only with includeDeleted. Used for filters
	// no index can answer.
	ScanUsers(ctx context.Context, locationID string, includeDeleted bool, fn func(User) bool) error

	auditStore
	memberStore

	// Ping checks that the store answers.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}
