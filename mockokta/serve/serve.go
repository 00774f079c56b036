// Package serve runs a mock Okta org as a long-lived HTTP server: the
// Management API subset under /api/v1 (SSWS tokens, Okta's ids, paging,
// links and error bodies, enough for github.com/okta/okta-sdk-golang/v5),
// /healthz, and the extra faces mounted on it (the admin console at "/",
// the OIDC provider under the issuer path /oauth2/default), all over one
// [org.Org].
//
// [Run] is the `mockokta serve` command; [Start] starts the same server on a
// free loopback port for tests. Extra faces plug in through [Mount]: the
// caller lists them in [Config.Mounts] and each builds its handler from
// the [Env] (the org, the public URL, the issuer, the logger).
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/internal/statuswriter"
	"github.com/xakia-okta/scimtest/mockokta/org"
)

// Defaults of Config.
const (
	DefaultAddr = "127.0.0.1:8090"
	DefaultDB   = "mockokta.db"
	// DefaultMaxBody bounds every request body (1 MiB).
	DefaultMaxBody = 1 << 20
	// IssuerPath is the path of the OIDC issuer (Okta's default
	// authorization server).
	IssuerPath = "/oauth2/default"
)

// Environment variables read by [ConfigFromEnv].
const (
	EnvAddr     = "MOCKOKTA_ADDR"
	EnvDB       = "MOCKOKTA_DB"
	EnvAPIToken = "MOCKOKTA_API_TOKEN"
	// EnvPublicURL is bound to --public-url by the CLI (like the
	// reference's XAKIA_PUBLIC_URL).
	EnvPublicURL = "MOCKOKTA_PUBLIC_URL"
)

// Env is what a mounted face gets to build its handler.
type Env struct {
	// Org is the org every face shares.
	Org *org.Org
	// PublicURL is the server's origin as browsers and clients see it,
	// without a trailing slash.
	PublicURL string
	// Issuer is the OIDC issuer URL (PublicURL + IssuerPath).
	Issuer string
	// Logger is the server's logger.
	Logger *slog.Logger
}

// Mount is an extra face of the server: Handler is called once at start
// and its handler serves Pattern (a net/http ServeMux pattern, "/" for the
// console, IssuerPath+"/" for the OIDC provider). The Management API and
// /healthz take precedence over a "/" mount.
type Mount struct {
	Pattern string
	Handler func(Env) (http.Handler, error)
}

// Config configures the server. The zero value serves on DefaultAddr with
// DefaultDB.
type Config struct {
	// Addr is the listen address (DefaultAddr when empty).
	Addr string
	// DB is the SQLite database file (DefaultDB when empty; ":memory:" for
	// a temporary one).
	DB string
	// PublicURL is the origin clients use (http://Addr when empty).
	PublicURL string
	// APIToken, when set, becomes the org's SSWS token (MOCKOKTA_API_TOKEN).
	APIToken string
	// MaxBody bounds every request body (DefaultMaxBody when zero).
	MaxBody int64
	// Logger receives structured logs; stderr text logs when nil (Run), a
	// discarding logger when nil (Start).
	Logger *slog.Logger
	// Mounts are the extra faces (console, OIDC provider).
	Mounts []Mount
	// ImportState, when set, is a state file of the CLI (--state) whose
	// people and links are imported at start (see org.Org.ImportState).
	ImportState string
	// Org tunes the org (its Path and Logger are set from DB and Logger).
	Org org.Options
	// ShutdownTimeout bounds the graceful shutdown (10 s when zero): open
	// requests and the running provisioning task may finish meanwhile.
	ShutdownTimeout time.Duration
}

// ConfigFromEnv returns a Config filled from MOCKOKTA_ADDR, MOCKOKTA_DB,
// MOCKOKTA_PUBLIC_URL and MOCKOKTA_API_TOKEN (getenv is os.Getenv in
// production).
func ConfigFromEnv(getenv func(string) string) Config {
	return Config{Addr: getenv(EnvAddr), DB: getenv(EnvDB), PublicURL: getenv(EnvPublicURL), APIToken: getenv(EnvAPIToken)}
}

// Server is a started server (see [New]).
type Server struct {
	// Org is the org behind every face.
	Org *org.Org
	// Bootstrap is what the org's bootstrap returned (secrets shown once).
	Bootstrap org.Bootstrap
	// PublicURL and Issuer as in Env.
	PublicURL, Issuer string

	cfg     Config
	log     *slog.Logger
	handler http.Handler
}

// New opens the org and builds the handler. The caller serves Handler and
// calls Close.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.DB == "" {
		cfg.DB = DefaultDB
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	public, err := publicURL(cfg.PublicURL, cfg.Addr)
	if err != nil {
		return nil, err
	}
	oo := cfg.Org
	oo.Path, oo.Logger = cfg.DB, cfg.Logger
	o, err := org.Open(ctx, oo)
	if err != nil {
		return nil, err
	}
	b, err := o.Bootstrap(ctx, org.BootstrapOptions{APIToken: cfg.APIToken})
	if err != nil {
		_ = o.Close(ctx)
		return nil, err
	}
	if cfg.ImportState != "" {
		if err := importState(ctx, o, cfg.ImportState, cfg.Logger); err != nil {
			_ = o.Close(ctx)
			return nil, err
		}
	}
	s := &Server{Org: o, Bootstrap: b, PublicURL: public, Issuer: public + IssuerPath, cfg: cfg, log: cfg.Logger}
	env := Env{Org: o, PublicURL: public, Issuer: s.Issuer, Logger: cfg.Logger}
	mux := http.NewServeMux()
	api := newAPI(o, public, cfg.Logger)
	mux.Handle("/api/v1/", api)
	mux.HandleFunc("GET /healthz", s.healthz)
	for _, m := range cfg.Mounts {
		if m.Pattern == "" || m.Handler == nil {
			_ = o.Close(ctx)
			return nil, fmt.Errorf("serve: a mount needs a pattern and a handler")
		}
		h, err := m.Handler(env)
		if err != nil {
			_ = o.Close(ctx)
			return nil, fmt.Errorf("serve: mount %s: %w", m.Pattern, err)
		}
		mux.Handle(m.Pattern, h)
	}
	s.handler = s.logRequests(limitBodies(mux, cfg.MaxBody))
	return s, nil
}

// importState imports a CLI state file into the org.
func importState(ctx context.Context, o *org.Org, path string, log *slog.Logger) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("serve: --import-state: %w", err)
	}
	defer f.Close()
	st, err := org.ReadState(f)
	if err != nil {
		return fmt.Errorf("serve: --import-state %s: %w", path, err)
	}
	res, err := o.ImportState(ctx, st)
	if err != nil {
		return fmt.Errorf("serve: --import-state %s: %w", path, err)
	}
	log.Info("state imported", "file", path, "people", res.People, "links", res.Links, "apps", res.Apps)
	for _, s := range res.Skipped {
		log.Warn("state import skipped", "what", s)
	}
	return nil
}

// publicURL checks or derives the public URL.
func publicURL(public, addr string) (string, error) {
	if public == "" {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return "", fmt.Errorf("serve: the address %q is not host:port: %w", addr, err)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		return "http://" + net.JoinHostPort(host, port), nil
	}
	u, err := url.Parse(public)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("serve: --public-url %q must be an http(s) origin such as https://okta.example.test", public)
	}
	return strings.TrimRight(public, "/"), nil
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Close closes the org: the running provisioning task may finish until ctx
// ends, queued tasks stay queued for the next start.
func (s *Server) Close(ctx context.Context) error { return s.Org.Close(ctx) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.Org.Pending(ctx); err != nil {
		s.log.Error("healthz", "err", err)
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok\n")
}

// limitBodies caps every request body at max bytes.
func limitBodies(next http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			writeError(w, r, http.StatusRequestEntityTooLarge, "E0000003", "The request body was not well-formed: it is larger than the limit", nil)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

// logRequests logs method, path (no query: it may hold a search), status
// and duration of every request; never a header or a body.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := statuswriter.New(w)
		next.ServeHTTP(sw, r)
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.Status(), "ms", time.Since(start).Milliseconds())
	})
}

// Instance is a server started by [Start] on a loopback port.
type Instance struct {
	*Server
	// URL is the server's origin, e.g. "http://127.0.0.1:41234".
	URL string

	hs   *http.Server
	done chan error
}

// Start starts a server on 127.0.0.1 with a free port (cfg.Addr and
// cfg.PublicURL are ignored; cfg.DB defaults to ":memory:"). For tests and
// embedding; Close stops it.
func Start(ctx context.Context, cfg Config) (*Instance, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("serve: listen: %w", err)
	}
	cfg.Addr, cfg.PublicURL = ln.Addr().String(), ""
	if cfg.DB == "" {
		cfg.DB = ":memory:"
	}
	s, err := New(ctx, cfg)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	inst := &Instance{Server: s, URL: s.PublicURL, hs: newHTTPServer(s.handler, s.log), done: make(chan error, 1)}
	go func() {
		err := inst.hs.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		inst.done <- err
	}()
	return inst, nil
}

// Close stops the HTTP server and the org.
func (i *Instance) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), i.cfg.ShutdownTimeout)
	defer cancel()
	err := i.hs.Shutdown(ctx)
	if e := <-i.done; e != nil && err == nil {
		err = e
	}
	if e := i.Server.Close(ctx); e != nil && err == nil {
		err = e
	}
	return err
}

// newHTTPServer wraps h with timeouts fit for an admin tool.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Run is `mockokta serve`: it opens the org, prints the console URL, the
// admin sign-in and the API token (the secrets only when they are new),
// the OIDC issuer, serves until ctx ends (SIGINT, SIGTERM) and shuts down
// gracefully. Logs go to stderr.
func Run(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.DB != "" && cfg.DB != ":memory:" {
		if dir := dirOf(cfg.DB); dir != "" {
			if _, err := os.Stat(dir); err != nil {
				return fmt.Errorf("serve: the database directory: %w", err)
			}
		}
	}
	if _, err := publicURL(cfg.PublicURL, cfg.Addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", cfg.Addr, err)
	}
	// The bound address (a ":0" port is chosen now) makes the default
	// public URL.
	cfg.Addr = ln.Addr().String()
	s, err := New(ctx, cfg)
	if err != nil {
		_ = ln.Close()
		return err
	}
	b := s.Bootstrap
	fmt.Fprintf(stdout, "Okta console: %s/\n", s.PublicURL)
	if b.AdminPassword != "" {
		fmt.Fprintf(stdout, "Admin sign-in: %s / %s\n", b.AdminLogin, b.AdminPassword)
	}
	if b.APIToken != "" {
		fmt.Fprintf(stdout, "API token (SSWS): %s\n", b.APIToken)
	}
	fmt.Fprintf(stdout, "OIDC issuer: %s\n", s.Issuer)
	hs := newHTTPServer(s.handler, s.log)
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	s.log.Info("serving", "addr", ln.Addr().String(), "public_url", s.PublicURL)
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-done:
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	s.log.Info("shutting down")
	err = hs.Shutdown(sctx)
	if serveErr == nil {
		if e := <-done; !errors.Is(e, http.ErrServerClosed) {
			serveErr = e
		}
	}
	if e := s.Close(sctx); e != nil && err == nil {
		err = e
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}

// dirOf returns the directory part of a path ("" for the current one).
func dirOf(path string) string {
	i := strings.LastIndexAny(path, `/\`)
	if i <= 0 {
		return ""
	}
	return path[:i]
}
