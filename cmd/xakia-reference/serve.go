package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/reference"
)

// Defaults of serve.
const (
	defaultAddr = "127.0.0.1:8080"
	defaultDB   = "./xakia-reference.db"
)

const serveUsage = `Usage: xakia-reference serve [flags]

Runs the reference Xakia SCIM server: SCIM at {origin}/scim/v2/{location},
the admin API at {origin}/admin/api, health at {origin}/healthz.

On an empty database it creates the location "default" and prints its SCIM
Base URI and SCIM API Key once. The admin token comes from --admin-token,
else XAKIA_ADMIN_TOKEN, else it is generated and printed at start.
Environment variables (in brackets) are used when a flag is not given.
Stops gracefully on SIGINT or SIGTERM.

Examples:
  xakia-reference serve
  xakia-reference serve --addr 0.0.0.0:8443 --public-url https://scim.example.com \
      --tls-cert cert.pem --tls-key key.pem --db postgres://xakia@db/xakia
  xakia-reference serve --db :memory: --rate-limit 50 --fault string-paging
  xakia-reference serve --db :memory: --variant full-replace-put --variant json-content-type

--fault NAME breaks one rule on purpose (see: xakia-reference faults);
--variant NAME switches on a legal behaviour that differs from Xakia's (see:
xakia-reference variants). Both repeat, combine, and apply to every location:
per-location variants exist only in the embedded starter (reference.Start).
`

// serveConfig is the parsed serve command line.
type serveConfig struct {
	addr, db, publicURL, adminToken, tlsCert, tlsKey, logFormat string
	rateLimit                                                   int
	faults, variants                                            []string
}

func parseServe(args []string, stderr io.Writer, getenv env) (serveConfig, error) {
	var c serveConfig
	fs := newFlagSet("serve", serveUsage, stderr)
	fs.StringVar(&c.addr, "addr", orEnv(getenv, "XAKIA_ADDR", defaultAddr), "listen address host:port [XAKIA_ADDR]")
	fs.StringVar(&c.db, "db", orEnv(getenv, "XAKIA_DB", defaultDB), "SQLite file, :memory:, postgres:// URL or keyword DSN (host=… dbname=…) [XAKIA_DB]")
	fs.StringVar(&c.publicURL, "public-url", orEnv(getenv, "XAKIA_PUBLIC_URL", ""),
		"public origin for meta.location and base URIs, e.g. https://scim.example.com (default: the request's Host) [XAKIA_PUBLIC_URL]")
	fs.StringVar(&c.adminToken, "admin-token", "", "admin API token [XAKIA_ADMIN_TOKEN] (default: generated and printed)")
	fs.StringVar(&c.tlsCert, "tls-cert", orEnv(getenv, "XAKIA_TLS_CERT", ""), "TLS certificate file (with --tls-key) [XAKIA_TLS_CERT]")
	fs.StringVar(&c.tlsKey, "tls-key", orEnv(getenv, "XAKIA_TLS_KEY", ""), "TLS private key file (with --tls-cert) [XAKIA_TLS_KEY]")
	fs.StringVar(&c.logFormat, "log-format", orEnv(getenv, "XAKIA_LOG_FORMAT", "text"), "log format: text or json [XAKIA_LOG_FORMAT]")
	rate := orEnv(getenv, "XAKIA_RATE_LIMIT", "0")
	fs.StringVar(&rate, "rate-limit", rate, "SCIM requests per second per API key, 0 = unlimited [XAKIA_RATE_LIMIT]")
	fs.Func("fault", "enable a fault (repeatable; see: xakia-reference faults) [XAKIA_FAULTS, comma-separated]", func(v string) error {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				c.faults = append(c.faults, f)
			}
		}
		return nil
	})
	fs.Func("variant", "enable a variant, a legal behaviour that differs from Xakia's, on every location (repeatable; see: xakia-reference variants) [XAKIA_VARIANTS, comma-separated]", func(v string) error {
		c.variants = append(c.variants, splitList(v)...)
		return nil
	})
	pos, err := parseArgs(fs, args)
	if err != nil {
		return c, err
	}
	if len(pos) > 0 {
		return c, usagef("serve takes no arguments, got %q", pos[0])
	}
	if c.adminToken == "" {
		c.adminToken = strings.TrimSpace(getenv("XAKIA_ADMIN_TOKEN"))
	}
	if len(c.faults) == 0 {
		for _, f := range strings.Split(getenv("XAKIA_FAULTS"), ",") {
			if f = strings.TrimSpace(f); f != "" {
				c.faults = append(c.faults, f)
			}
		}
	}
	if c.rateLimit, err = strconv.Atoi(strings.TrimSpace(rate)); err != nil || c.rateLimit < 0 {
		return c, usagef("--rate-limit must be a whole number >= 0, got %q", rate)
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return c, usagef("--tls-cert and --tls-key go together")
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		return c, usagef("--addr must be host:port, got %q", c.addr)
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return c, usagef("--log-format must be text or json, got %q", c.logFormat)
	}
	if len(c.variants) == 0 {
		c.variants = splitList(getenv("XAKIA_VARIANTS"))
	}
	if _, err := reference.ParseFaults(c.faults); err != nil {
		return c, usagef("%v", err)
	}
	if _, err := reference.ParseVariants(c.variants); err != nil {
		return c, usagef("%v", err)
	}
	return c, nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	c, err := parseServe(args, stderr, getenv)
	if err != nil {
		return err
	}
	var logger *slog.Logger
	if c.logFormat == "json" {
		logger = slog.New(slog.NewJSONHandler(stderr, nil))
	} else {
		logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	db, err := reference.OpenDB(ctx, c.db, logger)
	if err != nil {
		return err
	}
	defer db.Close()

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.addr, err)
	}
	defer ln.Close()
	scheme := "http"
	if c.tlsCert != "" {
		scheme = "https"
	}
	printOrigin := c.publicURL
	if printOrigin == "" {
		printOrigin = scheme + "://" + displayAddr(ln.Addr())
	}

	tokenGenerated := false
	if c.adminToken == "" {
		if c.adminToken, err = reference.NewAPIKey(); err != nil {
			return err
		}
		tokenGenerated = true
	}
	srv, err := db.NewServer(reference.Config{
		PublicURL:  c.publicURL,
		AdminToken: c.adminToken,
		Faults:     c.faults,
		Variants:   c.variants,
		RateLimit:  c.rateLimit,
		Logger:     logger,
	})
	if err != nil {
		return usagef("%v", err)
	}

	locs, err := db.Locations(ctx)
	if err != nil {
		return err
	}
	if len(locs) == 0 {
		// Replicas may start together on an empty database: only one of them
		// creates "default" and prints its key.
		loc, key, created, err := db.EnsureDefaultLocation(ctx)
		if err != nil {
			return err
		}
		if created {
			fmt.Fprintf(stdout, "Created location %q (query attributes: %s).\n", loc.ID, loc.QueryAttributes)
			fmt.Fprintf(stdout, "  SCIM Base URI: %s\n", reference.SCIMBaseURI(printOrigin, loc.ID))
			fmt.Fprintf(stdout, "  SCIM API Key:  %s\n", key)
			fmt.Fprintln(stdout, "  The key is shown only once (see: xakia-reference location rotate-key).")
		} else {
			fmt.Fprintf(stdout, "Location %q (created by another replica): SCIM Base URI %s\n", loc.ID, reference.SCIMBaseURI(printOrigin, loc.ID))
		}
	} else {
		for _, l := range locs {
			fmt.Fprintf(stdout, "Location %q: SCIM Base URI %s\n", l.ID, reference.SCIMBaseURI(printOrigin, l.ID))
		}
	}
	if tokenGenerated {
		fmt.Fprintf(stdout, "Admin token (generated; set XAKIA_ADMIN_TOKEN to keep one): %s\n", c.adminToken)
	}
	if f := srv.Faults().Names(); len(f) > 0 {
		fmt.Fprintf(stdout, "FAULTS ENABLED (this server breaks rules on purpose): %s\n", strings.Join(f, ", "))
	}
	if v := srv.Variants().Names(); len(v) > 0 {
		fmt.Fprintf(stdout, "VARIANTS ENABLED (legal behaviours that differ from Xakia's, on every location): %s\n", strings.Join(v, ", "))
	}

	hs := reference.NewHTTPServer(srv.Handler(), logger)
	errc := make(chan error, 1)
	go func() {
		if c.tlsCert != "" {
			errc <- hs.ServeTLS(ln, c.tlsCert, c.tlsKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	fmt.Fprintf(stdout, "listening on %s://%s\n", scheme, ln.Addr())
	logger.Info("listening", "addr", ln.Addr().String(), "db_kind", dbKind(c.db))

	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := srv.Close(); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "stopped")
	return nil
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// displayAddr turns a wildcard listen address into one a client can use.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// dbKind names the database kind for logs, never the DSN (it may hold a password).
func dbKind(dsn string) string {
	switch {
	case dsn == "" || dsn == ":memory:":
		return "memory"
	case strings.HasPrefix(strings.ToLower(dsn), "postgres"), strings.Contains(dsn, "="):
		return "postgres"
	}
	return "sqlite"
}
