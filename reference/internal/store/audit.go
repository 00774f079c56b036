package store

import (
	"context"
	"time"
)

// AuditRecord is one authenticated SCIM request of a location, as kept in
// the audit log. It holds no secret: no header, and a path whose credential
// query parameters are already redacted by the caller.
type AuditRecord struct {
	LocationID string
	Time       time.Time // UTC
	Method     string
	Path       string
	Status     int
	UserAgent  string
	DurationMS float64
}

// AuthFailure counts the unauthenticated or refused requests of one source
// to one location in one minute. Failed requests are aggregated rather than
// logged one by one, so that a flood of them cannot evict the audit history.
type AuthFailure struct {
	LocationID string
	Source     string    // the client address (IP), never a credential
	Minute     time.Time // UTC, truncated to the minute
	Count      int64
	LastStatus int
}

// Audit retention limits, shared by both backends.
const (
	// AuditKeepPerLocation is how many audit records a location keeps; older
	// ones are deleted as new ones arrive.
	AuditKeepPerLocation = 10000
	// AuthFailureRetention is how long aggregated failures are kept.
	AuthFailureRetention = 30 * 24 * time.Hour
)

// auditStore is the part of Store that keeps the audit log; it is embedded
// in Store.
type auditStore interface {
	// AppendAudit stores records in one transaction and trims each location
	// concerned to its last AuditKeepPerLocation records.
	AppendAudit(ctx context.Context, records []AuditRecord) error
	// AddAuthFailures adds each failure's Count to the stored count of its
	// (location, source, minute), and deletes counts older than
	// AuthFailureRetention.
	AddAuthFailures(ctx context.Context, failures []AuthFailure) error
	// Audit returns the last limit records of a location, oldest first.
	Audit(ctx context.Context, locationID string, limit int) ([]AuditRecord, error)
	// AuthFailures returns the aggregated failures of a location, oldest minute first.
	AuthFailures(ctx context.Context, locationID string) ([]AuthFailure, error)
}

// minute normalises a failure's minute.
func minute(t time.Time) time.Time { return t.UTC().Truncate(time.Minute) }
