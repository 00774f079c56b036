package store

import (
	"context"
)

// classifying wraps a Store so that every error it returns carries its class
// (ErrUnavailable, ErrInvalidData) for the server to map to a status.
type classifying struct{ s Store }

// CreateLocation implements Store.
func (c classifying) CreateLocation(ctx context.Context, l Location) error {
	return classify(c.s.CreateLocation(ctx, l))
}

// Location implements Store.
func (c classifying) Location(ctx context.Context, id string) (Location, error) {
	l, err := c.s.Location(ctx, id)
	return l, classify(err)
}

// Locations implements Store.
func (c classifying) Locations(ctx context.Context) ([]Location, error) {
	l, err := c.s.Locations(ctx)
	return l, classify(err)
}

// UpdateLocation implements Store.
func (c classifying) UpdateLocation(ctx context.Context, l Location) error {
	return classify(c.s.UpdateLocation(ctx, l))
}

// CreateUser implements Store.
func (c classifying) CreateUser(ctx context.Context, u User) (User, error) {
	u, err := c.s.CreateUser(ctx, u)
	return u, classify(err)
}

// User implements Store.
func (c classifying) User(ctx context.Context, locationID, id string) (User, error) {
	u, err := c.s.User(ctx, locationID, id)
	return u, classify(err)
}

// UserByUserNameKey implements Store.
func (c classifying) UserByUserNameKey(ctx context.Context, locationID, key string) (User, error) {
	u, err := c.s.UserByUserNameKey(ctx, locationID, key)
	return u, classify(err)
}

// LocationUser implements Store.
func (c classifying) LocationUser(ctx context.Context, id string, lookup UserLookup) (Location, User, bool, error) {
	l, u, found, err := c.s.LocationUser(ctx, id, lookup)
	return l, u, found, classify(err)
}

// UsersByExternalID implements Store.
func (c classifying) UsersByExternalID(ctx context.Context, locationID, externalID string) ([]User, error) {
	u, err := c.s.UsersByExternalID(ctx, locationID, externalID)
	return u, classify(err)
}

// UpdateUser implements Store.
func (c classifying) UpdateUser(ctx context.Context, locationID, id string, fn func(*User) error) (User, error) {
	u, err := c.s.UpdateUser(ctx, locationID, id, fn)
	return u, classify(err)
}

// ListUsers implements Store.
func (c classifying) ListUsers(ctx context.Context, locationID string, p Page) ([]User, int, error) {
	u, n, err := c.s.ListUsers(ctx, locationID, p)
	return u, n, classify(err)
}

// ScanUsers implements Store.
func (c classifying) ScanUsers(ctx context.Context, locationID string, includeDeleted bool, fn func(User) bool) error {
	return classify(c.s.ScanUsers(ctx, locationID, includeDeleted, fn))
}

// AppendAudit implements Store.
func (c classifying) AppendAudit(ctx context.Context, records []AuditRecord) error {
	return classify(c.s.AppendAudit(ctx, records))
}

// AddAuthFailures implements Store.
func (c classifying) AddAuthFailures(ctx context.Context, failures []AuthFailure) error {
	return classify(c.s.AddAuthFailures(ctx, failures))
}

// Audit implements Store.
func (c classifying) Audit(ctx context.Context, locationID string, limit int) ([]AuditRecord, error) {
	a, err := c.s.Audit(ctx, locationID, limit)
	return a, classify(err)
}

// AuthFailures implements Store.
func (c classifying) AuthFailures(ctx context.Context, locationID string) ([]AuthFailure, error) {
	a, err := c.s.AuthFailures(ctx, locationID)
	return a, classify(err)
}

// Ping implements Store.
func (c classifying) Ping(ctx context.Context) error { return classify(c.s.Ping(ctx)) }

// Close implements Store.
func (c classifying) Close() error { return c.s.Close() }

// UserCounts implements Store.
func (c classifying) UserCounts(ctx context.Context, locationID string) (Counts, error) {
	n, err := c.s.UserCounts(ctx, locationID)
	return n, classify(err)
}

// FindUsers implements Store.
func (c classifying) FindUsers(ctx context.Context, locationID string, cond Cond, p Page) ([]User, int, error) {
	u, n, err := c.s.FindUsers(ctx, locationID, cond, p)
	return u, n, classify(err)
}

// CreateUsers implements Store.
func (c classifying) CreateUsers(ctx context.Context, n int, user func(i int) User) error {
	return classify(c.s.CreateUsers(ctx, n, user))
}
