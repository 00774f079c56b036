package reference

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/xakia-okta/scimtest/internal/statuswriter"
	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// MaxBodyBytes is the largest request body accepted (1 MiB); larger bodies
// answer 413.
const MaxBodyBytes = 1 << 20

// Config configures a [Server].
type Config struct {
	// PublicURL is the origin used in meta.location and SCIM base URIs, e.g.
	// "https://scim.example.com". Empty means the request's scheme and Host.
	PublicURL string
	// AdminToken authenticates the admin API. Empty disables the admin API
	// (every admin request answers 401).
	AdminToken string
	// Faults are fault names from [Faults]; an unknown name is an error.
	Faults []string
	// Variants are variant names from [Variants], enabled for every location
	// (and for the admin API's media types and error bodies); an unknown name
	// is an error.
	Variants []string
	// RateLimit is the number of SCIM requests per second allowed per API key
	// (burst of the same size); 0 disables rate limiting.
	RateLimit int
	// AuditSize is the number of SCIM requests kept per location for the
	// audit endpoint; 0 means 1000.
	AuditSize int
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// OIDC configures "Sign in with Okta" on the web UI; zero leaves it off.
	OIDC OIDCConfig
	// SessionTTL is how long a web UI session lasts; 0 means DefaultSessionTTL.
	SessionTTL time.Duration
}

// Server is the reference Xakia SCIM server over a [store.Store]. All of its
// state (audit, rate limits, fault and variant switches) hangs off the value.
type Server struct {
	store       store.Store
	publicURL   string
	adminHash   []byte // SHA-256 of the admin token; nil disables the admin API
	faults      FaultSet
	variants    VariantSet       // server-wide
	locVariants locationVariants // per location, on top of variants (embedded starter only)
	log         *slog.Logger
	audit       *auditLog
	limiter     *rateLimiter
	oldKeys     *oldKeyRing // only used by the old-key-valid fault
	dummyHash   []byte      // compared against when a location does not exist
	listCalls   atomic.Uint64
	idPrefix    uint32        // random, the first half of every request id
	requests    atomic.Uint64 // requests served, the second half
	cursors     cursorCache   // keyset cursors of import walks (walk.go)
	handler     http.Handler
	web         *webUI
}

// NewServer checks cfg and returns a server over st. The caller keeps
// ownership of st.
func NewServer(st store.Store, cfg Config) (*Server, error) {
	if st == nil {
		return nil, errors.New("reference: NewServer needs a store")
	}
	faults, err := ParseFaults(cfg.Faults)
	if err != nil {
		return nil, err
	}
	variants, err := ParseVariants(cfg.Variants)
	if err != nil {
		return nil, err
	}
	if cfg.RateLimit < 0 {
		return nil, fmt.Errorf("reference: rate limit must be >= 0, got %d", cfg.RateLimit)
	}
	pub := strings.TrimRight(strings.TrimSpace(cfg.PublicURL), "/")
	if pub != "" && !strings.HasPrefix(pub, "http://") && !strings.HasPrefix(pub, "https://") {
		return nil, fmt.Errorf("reference: public URL %q must start with http:// or https://", cfg.PublicURL)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	dummy, err := NewAPIKey()
	if err != nil {
		return nil, err
	}
	var prefix [4]byte
	if _, err := rand.Read(prefix[:]); err != nil {
		return nil, fmt.Errorf("reference: request id prefix: %w", err)
	}
	s := &Server{
		idPrefix:  binary.BigEndian.Uint32(prefix[:]),
		store:     st,
		publicURL: pub,
		faults:    faults,
		variants:  variants,
		log:       logger,
		dummyHash: HashKey(dummy),
		audit:     newAuditLog(st, logger, cfg.AuditSize),
		limiter:   newRateLimiter(cfg.RateLimit),
		oldKeys:   newOldKeyRing(),
	}
	if cfg.AdminToken != "" {
		s.adminHash = HashKey(cfg.AdminToken)
	}
	if s.web, err = newWebUI(cfg.AdminToken, cfg.SessionTTL, cfg.OIDC); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's HTTP handler: SCIM under /scim/v2/{location},
// the admin API under /admin/api and GET /healthz.
func (s *Server) Handler() http.Handler { return s.handler }

// Close writes the audit records still pending. The server keeps no other
// resource; the store stays owned by the caller, who closes it after.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.audit.flush(ctx)
	return nil
}

// Faults returns the enabled faults.
func (s *Server) Faults() FaultSet { return s.faults }

// Variants returns the server-wide variants.
func (s *Server) Variants() VariantSet { return s.variants }

// CreateLocation creates a location with a fresh API key and returns it with
// the plain key, shown only this once. Its id is [LocationID] of the name,
// suffixed -2, -3, … when taken.
func (s *Server) CreateLocation(ctx context.Context, name, queryAttributes string) (LocationInfo, string, error) {
	l, key, err := createLocation(ctx, s.store, name, queryAttributes)
	return locationInfo(l), key, err
}

// RotateKey replaces the API key of location id and returns the new key; the
// old key fails at once (unless the old-key-valid fault is on).
func (s *Server) RotateKey(ctx context.Context, id string) (string, error) {
	var old []byte
	if s.faults.Has(faultOldKeyValid) {
		if loc, err := s.store.Location(ctx, id); err == nil {
			old = loc.KeyHash
		}
	}
	key, err := rotateKey(ctx, s.store, id)
	if err != nil {
		return "", err
	}
	if old != nil {
		s.oldKeys.add(id, old)
	}
	return key, nil
}

// routes builds the router. Patterns carry no method so that a wrong method
// answers a SCIM 405 rather than Go's plain-text one.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	scim := "/scim/v2/{loc}"
	mux.Handle(scim+"/Users", s.scim(s.handleUsers, s.prefetchUserNameEq))
	mux.Handle(scim+"/Users/{id}", s.scim(s.handleUser, prefetchByID))
	mux.Handle(scim+"/Groups", s.scim(s.handleGroups))
	mux.Handle(scim+"/Groups/{id}", s.scim(s.handleGroup))
	mux.Handle(scim+"/ServiceProviderConfig", s.scim(s.handleServiceProviderConfig))
	mux.Handle(scim+"/ResourceTypes", s.scim(s.handleResourceTypes))
	mux.Handle(scim+"/ResourceTypes/{id}", s.scim(s.handleResourceType))
	mux.Handle(scim+"/Schemas", s.scim(s.handleSchemas))
	mux.Handle(scim+"/Schemas/{id}", s.scim(s.handleSchema))

	mux.Handle("/admin/api/locations", s.admin(s.handleAdminLocations))
	mux.Handle("/admin/api/locations/{id}", s.admin(s.handleAdminLocation))
	mux.Handle("/admin/api/locations/{id}/api-key", s.admin(s.handleAdminAPIKey))
	mux.Handle("/admin/api/locations/{id}/users", s.admin(s.handleAdminUsers))
	mux.Handle("/admin/api/locations/{id}/users/{userId}", s.admin(s.handleAdminUser))
	mux.Handle("/admin/api/locations/{id}/users/{userId}/invite", s.admin(s.handleAdminInvite))
	mux.Handle("/admin/api/locations/{id}/audit", s.admin(s.handleAdminAudit))
	mux.Handle("/admin/api/locations/{id}/audit/failures", s.admin(s.handleAdminAuditFailures))
	mux.Handle("/admin/api/locations/{id}/audit/signins", s.admin(s.handleAdminAuditSignIns))

	mux.HandleFunc("/healthz", s.handleHealthz)
	s.webRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, newError(http.StatusNotFound, "", "no such endpoint: "+r.URL.Path))
	})
	return s.withRequestID(s.withVariants(s.recoverer(s.logRequests(s.checkRequest(s.limitBody(cleanSlashes(mux)))))))
}

// reqState is what the server's middleware learns about a request, held
// in one context value set by withRequestID, so that each layer records
// its part without copying the request again: the request id, the
// variants bound to it and the user the scim wrapper read with the
// location. A request is served by one goroutine at a time.
type reqState struct {
	id       string
	variants VariantSet  // bound by withVariants, then by the scim wrapper for a location
	pre      *prefetched // set by the scim wrapper once the key check passed
	rawQuery string      // the query string checkRequest parsed …
	query    url.Values  // … and its values (never modified: shared by every reader)
}

// queryValues returns r's query string parsed: the values checkRequest
// parsed when the query string is still the same, else a new parse.
func queryValues(r *http.Request) (url.Values, error) {
	if st := stateOf(r.Context()); st != nil && st.query != nil && st.rawQuery == r.URL.RawQuery {
		return st.query, nil
	}
	return url.ParseQuery(r.URL.RawQuery)
}

// reqStateKey is the context key of a request's reqState.
type reqStateKey struct{}

// stateOf returns r's reqState (nil outside withRequestID).
func stateOf(ctx context.Context) *reqState {
	st, _ := ctx.Value(reqStateKey{}).(*reqState)
	return st
}

// withRequestID gives every request an id, sent back in X-Request-Id,
// written in its log line and in the detail of a 500, so that an operator
// can find the log line of an answer a client reports. Ids are the
// server's random prefix and a counter: unique without a system call per
// request.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [16]byte
		binary.BigEndian.PutUint32(b[:4], s.idPrefix)
		binary.BigEndian.PutUint32(b[4:8], uint32(s.requests.Add(1)))
		id := hex.EncodeToString(b[:8])
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), reqStateKey{}, &reqState{id: id})))
	})
}

// requestID returns the id withRequestID gave r ("" outside it).
func requestID(r *http.Request) string {
	if st := stateOf(r.Context()); st != nil {
		return st.id
	}
	return ""
}

// checkRequest applies the input contract to what every endpoint shares:
// the query string (strict parsing, valid UTF-8, no control characters, no
// credentials: a key in a URL leaks into logs) is refused with 400 before
// any handler, authentication or store sees it.
func (s *Server) checkRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := checkQuery(r.URL.RawQuery)
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		if st := stateOf(r.Context()); st != nil {
			st.rawQuery, st.query = r.URL.RawQuery, q
		}
		next.ServeHTTP(w, r)
	})
}

// cleanSlashes collapses repeated slashes in the path ("/scim/v2/x//Users",
// which a base URI entered with a trailing slash produces) so that the router
// answers instead of redirecting, which a POST would not follow. Paths with
// "." or ".." segments answer a SCIM 404 rather than the router's redirect.
func cleanSlashes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "//") {
			p := r.URL.Path
			for strings.Contains(p, "//") {
				p = strings.ReplaceAll(p, "//", "/")
			}
			u := *r.URL
			u.Path, u.RawPath = p, ""
			r2 := r.Clone(r.Context())
			r2.URL = &u
			r = r2
		}
		if p := r.URL.Path; strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
			strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") {
			// The router would answer with a plain-text redirect.
			writeJSON(w, http.StatusNotFound, map[string]any{
				"schemas": []string{schemaError}, "status": "404", "detail": "no such endpoint: " + p,
			})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// query parses the query string strictly: a malformed one (a bad %
// escape) is a 400 rather than silently dropped parameters, which would turn
// a userName lookup into a list of every user.
func query(r *http.Request) (url.Values, error) {
	q, err := queryValues(r)
	if err != nil {
		return nil, newError(http.StatusBadRequest, scimInvalidValue, "malformed query string: "+err.Error())
	}
	return q, nil
}

// recoverer turns a panic into a SCIM 500 without a stack trace in the body;
// the stack goes to the log.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.writeError(w, newError(http.StatusInternalServerError, "", "internal server error (request id "+requestID(r)+")"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// logRequests logs one structured line per request: method, path, status,
// duration and location. It never logs headers, so no key or token.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := statuswriter.New(w)
		next.ServeHTTP(sw, r)
		attrs := []any{
			"request_id", requestID(r),
			"method", r.Method,
			"path", r.URL.Path,
			"status", sw.Status(),
			"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
		}
		if loc := r.PathValue("loc"); loc != "" {
			attrs = append(attrs, "location", loc)
		} else if strings.HasPrefix(r.URL.Path, "/scim/v2/") {
			rest := strings.TrimPrefix(r.URL.Path, "/scim/v2/")
			if i := strings.IndexByte(rest, '/'); i > 0 {
				attrs = append(attrs, "location", rest[:i])
			}
		}
		level := slog.LevelInfo
		if sw.Status() >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request", attrs...)
	})
}

// limitBody caps request bodies at MaxBodyBytes (unless the no-body-limit
// fault is on); a declared larger body answers 413 at once.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.faults.Has(faultNoBodyLimit) && r.Body != nil {
			if r.ContentLength > MaxBodyBytes {
				s.writeError(w, newError(http.StatusRequestEntityTooLarge, "",
					fmt.Sprintf("request body of %d bytes is over the limit of %d bytes", r.ContentLength, MaxBodyBytes)))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// methodNotAllowed answers 405 with an Allow header and a SCIM error.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request, allow ...string) {
	w.Header().Set("Allow", strings.Join(allow, ", "))
	s.writeError(w, newError(http.StatusMethodNotAllowed, "",
		fmt.Sprintf("method %s is not allowed here; allowed: %s", r.Method, strings.Join(allow, ", "))))
}

// readBody reads a request body. It checks the media type
// (application/scim+json or application/json, parameters allowed, missing
// accepted as JSON; text/plain too with the text-plain-accepted variant) and
// the size limit (413).
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !acceptedMediaType(variantsIn(r), mt) {
			return nil, newError(http.StatusUnsupportedMediaType, "",
				fmt.Sprintf("unsupported Content-Type %q: send application/scim+json or application/json", ct))
		}
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, newError(http.StatusRequestEntityTooLarge, "",
				fmt.Sprintf("request body is over the limit of %d bytes", tooBig.Limit))
		}
		return nil, newError(http.StatusBadRequest, scimInvalidSyntax, "cannot read the request body")
	}
	if !utf8.Valid(raw) {
		return nil, newError(http.StatusBadRequest, scimInvalidSyntax, "the request body is not valid UTF-8 (RFC 8259 §8.1)")
	}
	return raw, nil
}

// badJSON is the answer to a malformed body: 400 invalidSyntax, or 500 with
// the server-error-on-bad-json fault.
func (s *Server) badJSON(detail string) *apiError {
	if s.faults.Has(faultServerErrorOnBadJSON) {
		return newError(http.StatusInternalServerError, "", "internal server error")
	}
	return newError(http.StatusBadRequest, scimInvalidSyntax, detail)
}

// decodeObject decodes raw as exactly one JSON object.
func (s *Server) decodeObject(raw []byte) (map[string]any, error) {
	var body map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	err := dec.Decode(&body)
	if err == nil {
		if _, tokErr := dec.Token(); tokErr != io.EOF {
			err = errors.New("unexpected data after the JSON object")
		}
	}
	if err != nil {
		return nil, s.badJSON("malformed JSON body: " + err.Error())
	}
	if body == nil {
		return nil, s.badJSON("the request body must be a JSON object")
	}
	return body, nil
}

// readJSONObject reads a request body that must be one JSON object (see
// readBody and decodeObject).
func (s *Server) readJSONObject(r *http.Request) (map[string]any, error) {
	raw, err := s.readBody(r)
	if err != nil {
		return nil, err
	}
	return s.decodeObject(raw)
}

// origin is the public origin for r: the configured public URL, else the
// request's scheme and Host.
func (s *Server) origin(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// handleHealthz answers 200 when the store answers, else 503.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.methodNotAllowed(w, r, http.MethodGet, http.MethodHead)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("health check failed", "request_id", requestID(r), "err", err)
		e := newError(http.StatusServiceUnavailable, "", "unhealthy: "+store.Describe(err))
		e.RetryAfter = retryAfterUnavailable
		s.writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// retryAfterUnavailable is the Retry-After (seconds) of a 503 answered
// while the store is unavailable.
const retryAfterUnavailable = 5

// errorFor maps a handler error to an apiError: apiErrors as they are, store
// errors by class (not found 404, conflict 409, unavailable 503 with
// Retry-After, data refused by the database 400), anything else to a 500
// whose detail and log line carry the request id.
func (s *Server) errorFor(r *http.Request, err error) *apiError {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, store.ErrNotFound):
		return newError(http.StatusNotFound, "", "resource not found")
	case errors.Is(err, store.ErrConflict):
		return newError(http.StatusConflict, scimUniqueness, "the resource conflicts with an existing one")
	case errors.Is(err, context.Canceled):
		return newError(http.StatusServiceUnavailable, "", "request canceled")
	case errors.Is(err, store.ErrUnavailable):
		s.log.Warn("store unavailable", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
		e := newError(http.StatusServiceUnavailable, "", "the service is temporarily unavailable: "+store.Describe(err)+"; retry later")
		e.RetryAfter = retryAfterUnavailable
		return e
	case errors.Is(err, store.ErrInvalidData):
		s.log.Warn("store refused data", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
		return newError(http.StatusBadRequest, scimInvalidValue, "the database refused a value of the request (request id "+requestID(r)+")")
	}
	s.log.Error("internal error", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
	return newError(http.StatusInternalServerError, "", "internal server error (request id "+requestID(r)+")")
}
