// Package reference is the reference Xakia SCIM 2.0 server: locations with their
// own SCIM base URI and hashed API key, the Xakia invite rules, the documented
// limited query attributes, an admin API and SQLite or PostgreSQL storage.
//
// Other packages of this module (the mock Okta, the conformance steps) may only
// start it with [Start] and then talk to it over HTTP.
package reference

import (
	"context"
	"errors"
	"log/slog"
)

// Options configure an in-process reference server started by [Start].
type Options struct {
	// DB is a SQLite file path, ":memory:" (a private in-memory database) or a
	// postgres:// DSN. Empty means ":memory:".
	DB string
	// Locations are created at start, in order. Empty means one location named
	// "default" with limited query attributes.
	Locations []LocationSpec
	// AdminToken authenticates the admin API; empty means a random token.
	AdminToken string
	// Faults are fault names from [Faults]; an unknown name is an error.
	Faults []string
	// RateLimit is the number of SCIM requests per second allowed per API key;
	// 0 disables rate limiting.
	RateLimit int
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
}

// LocationSpec describes a location to create at start.
type LocationSpec struct {
	// Name is the display name; the location id is derived from it.
	Name string
	// QueryAttributes is "limited" (the Xakia default) or "full".
	QueryAttributes string
}

// Instance is a running in-process reference server on a loopback port.
type Instance struct {
	// Origin is the scheme, host and port, e.g. "http://127.0.0.1:41234".
	Origin string
	// AdminToken authenticates requests to Origin + "/admin/api/...".
	AdminToken string
	// Locations are the locations created at start, with their plain API keys.
	Locations []StartedLocation

	close func() error
}

// StartedLocation is a location created by [Start].
type StartedLocation struct {
	ID              string
	Name            string
	BaseURL         string // Origin + "/scim/v2/" + ID
	APIKey          string
	QueryAttributes string
}

// Start starts a reference server on 127.0.0.1 with a free port.
func Start(ctx context.Context, opts Options) (*Instance, error) {
	return nil, errors.New("reference.Start: not implemented yet")
}

// Close stops the server and releases its store.
func (i *Instance) Close() error {
	if i == nil || i.close == nil {
		return nil
	}
	return i.close()
}
