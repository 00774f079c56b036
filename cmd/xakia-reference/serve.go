package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/xakia-okta/scimtest/internal/clikit"
	"github.com/xakia-okta/scimtest/reference"
	"github.com/xakia-okta/scimtest/reference/postgres"
)

// Defaults of serve.
const (
	defaultAddr = "127.0.0.1:8080"
	defaultDB   = "./xakia-reference.db"
)

const serveLong = `Runs the reference Xakia SCIM server: SCIM at {origin}/scim/v2/{location},
the admin API at {origin}/admin/api, health at {origin}/healthz, and the web
UI: the member sign-in page at {origin}/ and the admin UI at {origin}/admin.

"Sign in with Okta" is configured once for every location with --oidc-issuer,
--oidc-client-id and --oidc-client-secret (all three, or none); register
{public-url}/auth/okta/callback as the sign-in redirect URI of the Okta app.

On an empty database it creates the location "default" and prints its SCIM
Base URI and SCIM API Key once. The admin token comes from --admin-token,
else XAKIA_ADMIN_TOKEN, else it is generated and printed at start.
Stops gracefully on SIGINT or SIGTERM.

--fault NAME breaks one rule on purpose (see: xakia-reference faults);
--variant NAME switches on a legal behaviour that differs from Xakia's (see:
xakia-reference variants). Both repeat, combine, and apply to every location:
per-location variants exist only in the embedded starter (reference.Start).
`

const serveExamples = `  xakia-reference serve
  xakia-reference serve --addr 0.0.0.0:8443 --public-url https://scim.example.com \
      --tls-cert cert.pem --tls-key key.pem --db postgres://xakia@db/xakia
  xakia-reference serve --db :memory: --rate-limit 50 --fault string-paging
  xakia-reference serve --db :memory: --variant full-replace-put --variant json-content-type
  XAKIA_OIDC_CLIENT_SECRET=… xakia-reference serve --public-url http://127.0.0.1:8080 \
      --oidc-issuer http://127.0.0.1:8090 --oidc-client-id 0oaxakia`

// serveConfig is the parsed serve command line.
type serveConfig struct {
	addr, db, publicURL, adminToken, tlsCert, tlsKey, logFormat string
	oidcIssuer, oidcClientID, oidcClientSecret                  string
	rateLimit                                                   int
	faults, variants                                            []string
}

// Serve is the serve command.
func (commandSet) Serve(_ *app) *cobra.Command {
	var c serveConfig
	cmd := &cobra.Command{
		Use:     "serve",
		Short:   "run the server",
		Long:    strings.TrimSpace(serveLong),
		Example: serveExamples,
		Args:    clikit.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := c.validate(); err != nil {
				return err
			}
			return serve(cmd.Context(), c, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	c.register(cmd.Flags())
	return cmd
}

// register adds serve's flags to fs, with their environment variables.
func (c *serveConfig) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.addr, "addr", defaultAddr, "listen address `HOST:PORT`")
	fs.StringVar(&c.db, "db", defaultDB, "database `DSN`: SQLite file, :memory:, postgres:// URL or keyword DSN (host=… dbname=…)")
	fs.StringVar(&c.publicURL, "public-url", "", "public origin `URL` for meta.location and base URIs, e.g. https://scim.example.com (default: the request's Host)")
	fs.StringVar(&c.adminToken, "admin-token", "", "admin API `TOKEN` (default: generated and printed)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "TLS certificate `FILE` (with --tls-key)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "TLS private key `FILE` (with --tls-cert)")
	fs.StringVar(&c.logFormat, "log-format", "text", "log `FORMAT`: text or json")
	fs.IntVar(&c.rateLimit, "rate-limit", 0, "SCIM requests per second per API key, `N`; 0 = unlimited")
	fs.StringVar(&c.oidcIssuer, "oidc-issuer", "", "OIDC issuer `URL` of the Okta org, for \"Sign in with Okta\" (with --oidc-client-id and --oidc-client-secret)")
	fs.StringVar(&c.oidcClientID, "oidc-client-id", "", "client `ID` of the Xakia OIDC app in Okta")
	fs.StringVar(&c.oidcClientSecret, "oidc-client-secret", "", "client `SECRET` of the Xakia OIDC app in Okta (prefer the environment variable)")
	fs.StringSliceVar(&c.faults, "fault", nil, "enable a fault `NAME` (repeatable or comma-separated; see: xakia-reference faults)")
	fs.StringSliceVar(&c.variants, "variant", nil, "enable a variant `NAME`, a legal behaviour that differs from Xakia's, on every location (repeatable or comma-separated; see: xakia-reference variants)")
	for flag, env := range map[string]string{
		"addr": "XAKIA_ADDR", "db": "XAKIA_DB", "public-url": "XAKIA_PUBLIC_URL",
		"admin-token": "XAKIA_ADMIN_TOKEN", "tls-cert": "XAKIA_TLS_CERT", "tls-key": "XAKIA_TLS_KEY",
		"log-format": "XAKIA_LOG_FORMAT", "rate-limit": "XAKIA_RATE_LIMIT",
		"fault": "XAKIA_FAULTS", "variant": "XAKIA_VARIANTS",
		"oidc-issuer": "XAKIA_OIDC_ISSUER", "oidc-client-id": "XAKIA_OIDC_CLIENT_ID", "oidc-client-secret": "XAKIA_OIDC_CLIENT_SECRET",
	} {
		clikit.BindEnv(fs, flag, env)
	}
}

// validate checks the parsed command line (flags and environment).
func (c *serveConfig) validate() error {
	c.faults = splitList(strings.Join(c.faults, ","))
	c.variants = splitList(strings.Join(c.variants, ","))
	if c.rateLimit < 0 {
		return usagef("--rate-limit must be a whole number >= 0, got %d", c.rateLimit)
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		return usagef("--addr must be host:port, got %q", c.addr)
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return usagef("--log-format must be text or json, got %q", c.logFormat)
	}
	if (c.oidcIssuer == "") != (c.oidcClientID == "") || (c.oidcIssuer == "") != (c.oidcClientSecret == "") {
		return usagef("--oidc-issuer, --oidc-client-id and --oidc-client-secret go together (or XAKIA_OIDC_ISSUER, XAKIA_OIDC_CLIENT_ID, XAKIA_OIDC_CLIENT_SECRET)")
	}
	if _, err := reference.ParseFaults(c.faults); err != nil {
		return usagef("%v", err)
	}
	if _, err := reference.ParseVariants(c.variants); err != nil {
		return usagef("%v", err)
	}
	return nil
}

// serve runs the server until ctx is done.
func serve(ctx context.Context, c serveConfig, stdout, stderr io.Writer) error {
	var logger *slog.Logger
	if c.logFormat == "json" {
		logger = slog.New(slog.NewJSONHandler(stderr, nil))
	} else {
		logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	db, err := reference.OpenDB(ctx, c.db, logger, postgres.Backend())
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
		OIDC:       reference.OIDCConfig{Issuer: c.oidcIssuer, ClientID: c.oidcClientID, ClientSecret: c.oidcClientSecret},
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
	fmt.Fprintf(stdout, "Sign-in page: %s/  Admin: %s/admin\n", printOrigin, printOrigin)
	if c.oidcIssuer != "" {
		fmt.Fprintf(stdout, "Sign in with Okta: issuer %s, client %s, redirect URI %s%s\n", c.oidcIssuer, c.oidcClientID, printOrigin, reference.CallbackPath)
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
