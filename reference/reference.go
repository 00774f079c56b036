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
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// Options configure an in-process reference server started by [Start].
type Options struct {
	// DB is a SQLite file path, ":memory:" (a private in-memory database) or,
	// with DBOptions holding postgres.Backend() (package reference/postgres),
	// a postgres:// DSN. Empty means ":memory:".
	DB string
	// DBOptions add database backends (see DBOption).
	DBOptions []DBOption
	// Locations are created at start, in order. Empty means one location named
	// "default" with limited query attributes.
	Locations []LocationSpec
	// AdminToken authenticates the admin API; empty means a random token.
	AdminToken string
	// Faults are fault names from [Faults]; an unknown name is an error.
	Faults []string
	// Variants are variant names from [Variants] enabled for every location;
	// an unknown name is an error. Faults and variants may be combined.
	Variants []string
	// RateLimit is the number of SCIM requests per second allowed per API key;
	// 0 disables rate limiting.
	RateLimit int
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// OIDC configures "Sign in with Okta" on the web UI (its callback is
	// Instance.Origin + CallbackPath); zero leaves it off.
	OIDC OIDCConfig
}

// LocationSpec describes a location to create at start.
type LocationSpec struct {
	// Name is the display name; the location id is derived from it.
	Name string
	// QueryAttributes is "limited" (the Xakia default) or "full".
	QueryAttributes string
	// Variants are variant names from [Variants] enabled for this location
	// only, on top of Options.Variants. They live in the running server's
	// memory, not in the database: a server started again on the same
	// database (or `xakia-reference serve`, whose --variant is server-wide)
	// does not know them.
	Variants []string
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
	// Variants are the location's effective variants (Options.Variants and
	// its own), in the order of [Variants].
	Variants []string
}

// Start starts a reference server on 127.0.0.1 with a free port. It opens
// the store (opts.DB, default ":memory:"), creates opts.Locations (default one
// "default" location with limited query attributes) with fresh API keys and
// their own variants (LocationSpec.Variants, on top of opts.Variants),
// generates an admin token when none is given and serves until Close. With a
// database that already holds locations, the new ones get suffixed ids
// ("default-2").
func Start(ctx context.Context, opts Options) (*Instance, error) {
	dsn := opts.DB
	if dsn == "" {
		dsn = ":memory:"
	}
	if _, err := ParseFaults(opts.Faults); err != nil {
		return nil, err
	}
	if _, err := ParseVariants(opts.Variants); err != nil {
		return nil, err
	}
	token := opts.AdminToken
	if token == "" {
		t, err := NewAPIKey()
		if err != nil {
			return nil, err
		}
		token = t
	}
	specs := opts.Locations
	if len(specs) == 0 {
		specs = []LocationSpec{{Name: "default", QueryAttributes: QueryLimited}}
	}
	for _, sp := range specs {
		if _, err := normalizeQueryAttributes(sp.QueryAttributes); err != nil {
			return nil, fmt.Errorf("reference.Start: location %q: %w", sp.Name, err)
		}
		if _, err := ParseVariants(sp.Variants); err != nil {
			return nil, fmt.Errorf("reference.Start: location %q: %w", sp.Name, err)
		}
	}
	st, err := store.Open(ctx, dsn, opts.Logger, storeOptions(opts.DBOptions)...)
	if err != nil {
		return nil, fmt.Errorf("reference.Start: open store: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("reference.Start: listen: %w", err)
	}
	origin := "http://" + ln.Addr().String()
	fail := func(err error) (*Instance, error) {
		_ = ln.Close()
		_ = st.Close()
		return nil, err
	}
	srv, err := NewServer(st, Config{
		PublicURL:  origin,
		AdminToken: token,
		Faults:     opts.Faults,
		Variants:   opts.Variants,
		RateLimit:  opts.RateLimit,
		Logger:     opts.Logger,
		OIDC:       opts.OIDC,
	})
	if err != nil {
		return fail(err)
	}
	inst := &Instance{Origin: origin, AdminToken: token}
	for _, sp := range specs {
		loc, key, err := srv.CreateLocation(ctx, sp.Name, sp.QueryAttributes)
		if err != nil {
			return fail(fmt.Errorf("reference.Start: %w", err))
		}
		if err := srv.setLocationVariants(loc.ID, sp.Variants); err != nil {
			return fail(fmt.Errorf("reference.Start: location %q: %w", sp.Name, err))
		}
		inst.Locations = append(inst.Locations, StartedLocation{
			ID:              loc.ID,
			Name:            loc.Name,
			BaseURL:         SCIMBaseURI(origin, loc.ID),
			APIKey:          key,
			QueryAttributes: loc.QueryAttributes,
			Variants:        srv.variantsFor(store.Location{ID: loc.ID}).Names(),
		})
	}
	hs := NewHTTPServer(srv.Handler(), opts.Logger)
	done := make(chan error, 1)
	go func() {
		err := hs.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		done <- err
	}()
	var once sync.Once
	var closeErr error
	inst.close = func() error {
		once.Do(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			closeErr = hs.Shutdown(sctx)
			if err := <-done; err != nil && closeErr == nil {
				closeErr = err
			}
			if err := srv.Close(); err != nil && closeErr == nil {
				closeErr = err
			}
			if err := st.Close(); err != nil && closeErr == nil {
				closeErr = err
			}
		})
		return closeErr
	}
	return inst, nil
}

// NewHTTPServer wraps h in an http.Server with the reference's timeouts
// (headers 10 s, whole request 60 s, response 60 s, idle 120 s). A nil
// logger discards the server's own error log.
func NewHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// Close stops the server and releases its store.
func (i *Instance) Close() error {
	if i == nil || i.close == nil {
		return nil
	}
	return i.close()
}
