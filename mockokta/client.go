package mockokta

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/reports"
)

// Okta's wire constants (docs/okta-wire.md, "Headers").
const (
	headerConnection     = "Keep-Alive"
	headerAccept         = "application/scim+json"
	headerAcceptCharset  = "utf-8"
	headerUserAgent      = "Okta SCIM Client 1.0.0"
	headerAcceptEncoding = "gzip,deflate"
	headerContentType    = "application/scim+json; charset=utf-8"
)

// RequestHeaders returns the headers Okta's SCIM client sends on every
// request (docs/okta-wire.md, "Headers"), without Authorization and Host;
// withBody adds Okta's
// Content-Type. Callers that send Okta-shaped requests themselves (the
// conformance steps) use it so that the header set is written down once.
func RequestHeaders(withBody bool) http.Header {
	h := http.Header{}
	h.Set("Accept", headerAccept)
	h.Set("Accept-Charset", headerAcceptCharset)
	h.Set("User-Agent", headerUserAgent)
	h.Set("Accept-Encoding", headerAcceptEncoding)
	h.Set("Connection", headerConnection)
	if withBody {
		h.Set("Content-Type", headerContentType)
	}
	return h
}

// DefaultTimeout is Okta's socket timeout per request.
const DefaultTimeout = 60 * time.Second

// ErrRateLimited is wrapped by the error of a task whose request got 429
// Too Many Requests; after the last attempt the task fails with it.
var ErrRateLimited = errors.New("rate limited")

// rateLimitedError is a 429 answer to one request of a task: Okta pauses the
// task and reschedules it.
type rateLimitedError struct {
	Method, Path string
	// RetryAfter is the raw Retry-After header ("" when absent).
	RetryAfter string
}

func (e *rateLimitedError) Error() string {
	return fmt.Sprintf("%s %s answered 429 Too Many Requests", e.Method, e.Path)
}

func (e *rateLimitedError) Unwrap() error { return ErrRateLimited }

// RequestError is a request that got no usable HTTP response: a transport
// failure, a timeout, or a body that could not be read or decoded.
type RequestError struct {
	Method, Path string
	Timeout      bool
	Err          error
}

// Error describes the failure the way Okta's log would.
func (e *RequestError) Error() string {
	if e.Timeout {
		return fmt.Sprintf("%s %s: Read timed out", e.Method, e.Path)
	}
	return fmt.Sprintf("%s %s: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *RequestError) Unwrap() error { return e.Err }

// IsUnreachable reports whether err means the SCIM server could not be
// reached at all (DNS failure, connection refused), as opposed to a server
// that answered badly.
func IsUnreachable(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// response is a SCIM response with its body already decoded.
type response struct {
	Status   int
	Header   http.Header
	Body     []byte
	Duration time.Duration
}

// Observation is what an Observer learns about one HTTP attempt.
type Observation struct {
	Method   string
	Path     string
	Status   int // 0 when no response came back
	Duration time.Duration
	Err      error
}

// scimClient sends Okta-shaped requests to the app's SCIM base URL. It is safe
// for concurrent use.
type scimClient struct {
	app       App
	transport http.RoundTripper
	timeout   time.Duration
	clock     Clock
	policy    RateLimitPolicy
	record    bool
	observe   func(Observation)
	maxBody   int64
	// ownTransport is true when the client made its transport itself.
	ownTransport bool
}

// newClient builds a client from validated options.
func newClient(app App, o Options) *scimClient {
	c := &scimClient{
		app:       app,
		transport: o.Transport,
		timeout:   o.Timeout,
		clock:     o.Clock,
		policy:    o.RateLimit,
		record:    !o.NoRecord,
		observe:   o.Observer,
		maxBody:   o.MaxBody,
	}
	if c.maxBody <= 0 {
		c.maxBody = reports.DefaultMaxBody
	}
	if c.transport == nil {
		// net/http keeps only 2 idle connections per host by default, so
		// concurrent tasks would keep dialling; keep enough for bulk runs.
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Okta's SCIM client (Apache HttpClient 4 by its headers) speaks
		// HTTP/1.1 only: no HTTP/2 over TLS.
		t.ForceAttemptHTTP2 = false
		t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		t.MaxIdleConns = 256
		t.MaxIdleConnsPerHost = 256
		c.transport = t
		c.ownTransport = true
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.clock == nil {
		c.clock = RealClock{}
	}
	if c.policy.MaxAttempts <= 0 {
		c.policy = OktaRateLimitPolicy()
	}
	return c
}

// session is the requests of one task, recorded together.
type session struct {
	c   *scimClient
	hc  *http.Client
	rec *reports.Recorder
	// lastStatus is the status of the last response received (0 if none).
	lastStatus int
	// retryInPlace makes do wait and resend a request that got 429 (the
	// lifecycle's verification reads, which are not Okta tasks). Task
	// requests return a rateLimitedError instead: the whole task is
	// rescheduled (see Okta.retrying).
	retryInPlace bool
}

// observerKey carries an extra per-call Observer in a context (bulk runs).
type observerKey struct{}

// withObserver returns ctx carrying fn, called after every HTTP attempt made
// with that context, in addition to Options.Observer.
func withObserver(ctx context.Context, fn func(Observation)) context.Context {
	return context.WithValue(ctx, observerKey{}, fn)
}

// notify passes an observation to every observer in force.
func (s *session) notify(ctx context.Context, ob Observation) {
	if s.c.observe != nil {
		s.c.observe(ob)
	}
	if fn, ok := ctx.Value(observerKey{}).(func(Observation)); ok && fn != nil {
		fn(ob)
	}
}

func (c *scimClient) session() *session {
	s := &session{c: c}
	// Bodies are bounded where they arrive, before anything buffers them.
	rt := reports.LimitBody(c.transport, c.maxBody)
	if c.record {
		s.rec = reports.NewRecorder(rt, c.app.Credential)
		rt = s.rec
	}
	s.hc = &http.Client{
		Transport: rt,
		// Okta does not follow redirects for SCIM calls; report them as is.
		CheckRedirect: reports.RefuseRedirect,
	}
	return s
}

// exchanges returns what the session recorded so far and forgets it.
func (s *session) exchanges() []reports.Exchange {
	if s.rec == nil {
		return nil
	}
	return s.rec.Take()
}

// do sends one logical request (path relative to the base URL, query
// already encoded). A 429 answer is a *rateLimitedError for task sessions;
// verification sessions wait and resend it in place, within the policy.
func (s *session) do(ctx context.Context, method, path, rawQuery string, body []byte) (*response, error) {
	var wait time.Duration
	for attempt := 1; ; attempt++ {
		resp, err := s.once(ctx, method, path, rawQuery, body)
		if err != nil {
			return nil, err
		}
		if resp.Status != http.StatusTooManyRequests {
			return resp, nil
		}
		rl := &rateLimitedError{Method: method, Path: path, RetryAfter: resp.Header.Get("Retry-After")}
		if !s.retryInPlace || attempt >= s.c.policy.MaxAttempts {
			return resp, rl
		}
		wait = s.c.policy.Next(wait, rl.RetryAfter)
		if err := s.c.clock.Sleep(ctx, wait); err != nil {
			return nil, &RequestError{Method: method, Path: path, Err: err}
		}
	}
}

// once sends a single HTTP request.
func (s *session) once(ctx context.Context, method, path, rawQuery string, body []byte) (*response, error) {
	target := s.c.app.BaseURL + path
	if rawQuery != "" {
		target += "?" + rawQuery
	}
	ctx, cancel := context.WithTimeout(ctx, s.c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, &RequestError{Method: method, Path: path, Err: err}
	}
	req.Header = RequestHeaders(body != nil)
	req.Header.Set("Authorization", s.c.app.AuthorizationHeader())
	start := time.Now()
	hr, err := s.hc.Do(req)
	if err != nil {
		return nil, s.fail(ctx, method, path, start, 0, err)
	}
	defer hr.Body.Close()
	raw, err := io.ReadAll(hr.Body)
	if err != nil {
		return nil, s.fail(ctx, method, path, start, hr.StatusCode, err)
	}
	decoded, err := decodeBody(hr.Header.Get("Content-Encoding"), raw, s.c.maxBody)
	var big *reports.BodyTooLargeError
	if errors.As(err, &big) {
		big.Method, big.URL, big.Status = method, s.c.app.BaseURL+path, hr.StatusCode
		return nil, s.fail(ctx, method, path, start, hr.StatusCode, err)
	}
	if err != nil {
		return nil, s.fail(ctx, method, path, start, hr.StatusCode, fmt.Errorf("decoding %s response body: %w", hr.Header.Get("Content-Encoding"), err))
	}
	d := time.Since(start)
	s.lastStatus = hr.StatusCode
	s.notify(ctx, Observation{Method: method, Path: path, Status: hr.StatusCode, Duration: d})
	return &response{Status: hr.StatusCode, Header: hr.Header, Body: decoded, Duration: d}, nil
}

// fail wraps a transport error, marking timeouts.
func (s *session) fail(ctx context.Context, method, path string, start time.Time, status int, err error) error {
	re := &RequestError{Method: method, Path: path, Err: err}
	var ne net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		re.Timeout = true
	}
	s.lastStatus = status
	s.notify(ctx, Observation{Method: method, Path: path, Status: status, Duration: time.Since(start), Err: re})
	return re
}

// decodeBody undoes a gzip or deflate Content-Encoding. Go's transport does
// not do it when Accept-Encoding was set by hand, as Okta's header is.
// "deflate" is accepted both zlib-wrapped (RFC 9110) and raw. A decoded
// body longer than max is a *reports.BodyTooLargeError (a compression bomb
// stops there).
func decodeBody(encoding string, raw []byte, max int64) ([]byte, error) {
	readMax := func(r io.Reader) ([]byte, error) {
		out, err := io.ReadAll(io.LimitReader(r, max+1))
		if err == nil && int64(len(out)) > max {
			return nil, &reports.BodyTooLargeError{Limit: max}
		}
		return out, err
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return raw, nil
	case "gzip", "x-gzip":
		if len(raw) == 0 {
			return raw, nil
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		return readMax(zr)
	case "deflate":
		if len(raw) == 0 {
			return raw, nil
		}
		if zr, err := zlib.NewReader(bytes.NewReader(raw)); err == nil {
			defer zr.Close()
			out, err := readMax(zr)
			if err == nil || errors.Is(err, reports.ErrBodyTooLarge) {
				return out, err
			}
		}
		fr := flate.NewReader(bytes.NewReader(raw))
		defer fr.Close()
		return readMax(fr)
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q (Okta accepts gzip and deflate)", encoding)
	}
}

// RetryAfter reports whether err (a TaskResult.Err) is a 429 answer that
// failed a task, and returns that answer's raw Retry-After header ("" when
// absent). Callers that schedule tasks themselves (the org's queue) use it
// to apply the RateLimitPolicy.
func RetryAfter(err error) (string, bool) {
	var rl *rateLimitedError
	if errors.As(err, &rl) {
		return rl.RetryAfter, true
	}
	return "", false
}
