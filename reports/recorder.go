package reports

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// MaxBodyKept is how many bytes of a request or response body an Exchange
// keeps; longer bodies are cut and marked truncated. What is sent and
// received is never cut.
const MaxBodyKept = 1 << 20

// redactSlack is how far past MaxBodyKept a body is kept before redaction, so
// that a secret straddling the cut is still recognised and hidden.
const redactSlack = 4096

// Recorder is an http.RoundTripper that records every exchange it carries,
// redacted, without changing what is sent or received. Credentials headers
// (Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key), every
// registered secret and JSON members named like credentials ("apiKey",
// "password", "token"…) are replaced with "REDACTED" in what is kept.
//
// A Recorder is safe for concurrent use. Response bodies are read to the end
// before RoundTrip returns, so it is meant for request/response APIs such as
// SCIM, not for streams.
type Recorder struct {
	next http.RoundTripper

	mu        sync.Mutex
	secrets   []string
	redact    redactor
	exchanges []Exchange
}

// NewRecorder returns a Recorder sending through next (http.DefaultTransport
// when next is nil) and hiding the given secrets; secrets shorter than 4 bytes
// are ignored.
func NewRecorder(next http.RoundTripper, secrets ...string) *Recorder {
	r := &Recorder{next: next}
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			r.secrets = append(r.secrets, s)
		}
	}
	r.redact = newRedactor(r.secrets)
	return r
}

// AddSecret registers one more value to hide (an API key learnt during the
// run, say). It is also hidden in the exchanges already kept. Secrets shorter
// than 4 bytes are ignored.
func (r *Recorder) AddSecret(s string) {
	if len(s) < minSecretLen {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, have := range r.secrets {
		if have == s {
			return
		}
	}
	r.secrets = append(r.secrets, s)
	r.redact = newRedactor(r.secrets)
	one := newRedactor([]string{s})
	for i := range r.exchanges {
		one.exchange(&r.exchanges[i])
	}
}

// Exchanges returns a copy of the exchanges recorded so far, in the order
// they completed.
func (r *Recorder) Exchanges() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Exchange, len(r.exchanges))
	for i, e := range r.exchanges {
		out[i] = e.clone()
	}
	return out
}

// Take returns the exchanges recorded so far and forgets them, so that the
// next Take returns only what came after (one step's exchanges, say).
func (r *Recorder) Take() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.exchanges
	r.exchanges = nil
	if out == nil {
		out = []Exchange{}
	}
	return out
}

// RoundTrip sends req through the next transport and records the exchange.
// The request body is read (through GetBody when the request has one) and
// handed on unchanged; the response body is read to the end and replaced with
// a reader of the same bytes.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, errors.New("reports: request has no URL")
	}
	start := time.Now()
	next := r.next
	if next == nil {
		next = http.DefaultTransport
	}
	ex := Exchange{
		Started:        start,
		Method:         req.Method,
		URL:            urlWithoutPassword(req.URL),
		RequestHeaders: req.Header.Clone(),
	}
	if ex.Method == "" {
		ex.Method = http.MethodGet
	}

	out, reqBody, err := captureRequestBody(req)
	if err != nil {
		ex.Duration = time.Since(start)
		ex.Err = err.Error()
		r.add(req, ex, nil, nil)
		return nil, err
	}
	ex.RequestBodySize = int64(len(reqBody))

	resp, err := next.RoundTrip(out)
	if err != nil || resp == nil {
		ex.Duration = time.Since(start)
		if err == nil {
			err = errors.New("reports: transport returned no response and no error")
		}
		ex.Err = err.Error()
		r.add(req, ex, reqBody, nil)
		return resp, err
	}

	ex.Status = resp.StatusCode
	ex.Proto = resp.Proto
	ex.ResponseHeaders = resp.Header.Clone()
	var respBody []byte
	if resp.Body != nil && resp.StatusCode != http.StatusSwitchingProtocols {
		raw, readErr := io.ReadAll(resp.Body)
		_ = resp.Body.Close() // the bytes are in hand; a close error changes nothing for the caller
		if readErr != nil {
			ex.Err = "reading response body: " + readErr.Error()
			resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(raw), errorReader{readErr}))
		} else {
			resp.Body = io.NopCloser(bytes.NewReader(raw))
		}
		ex.ResponseBodySize = int64(len(raw))
		respBody = raw
		if enc, decoded, ok := decodeBody(resp.Header.Get("Content-Encoding"), raw); ok {
			ex.ResponseDecoded = enc
			respBody = decoded
		}
	}
	ex.Duration = time.Since(start)
	r.add(req, ex, reqBody, respBody)
	return resp, nil
}

// add redacts the exchange with the secrets known now (and the password of
// the request URL's user info, if any), keeps at most MaxBodyKept bytes of
// each body, and appends it.
func (r *Recorder) add(req *http.Request, ex Exchange, reqBody, respBody []byte) {
	if pw, has := req.URL.User.Password(); has && len(pw) >= minSecretLen {
		once := newRedactor([]string{pw})
		once.meta(&ex)
		reqBody, respBody = once.bytes(reqBody), once.bytes(respBody)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ex.RequestBody, ex.RequestBodyTruncated = keepBody(r.redact, reqBody)
	ex.ResponseBody, ex.ResponseBodyTruncated = keepBody(r.redact, respBody)
	// keepBody may return a slice of the bytes handed to the caller: own a copy.
	ex.RequestBody = cloneBytes(ex.RequestBody)
	ex.ResponseBody = cloneBytes(ex.ResponseBody)
	r.redact.meta(&ex)
	r.exchanges = append(r.exchanges, ex)
}

// keepBody redacts b and cuts it to MaxBodyKept bytes. Redaction happens
// before the cut so a secret across the boundary is still hidden.
func keepBody(red redactor, b []byte) ([]byte, bool) {
	if len(b) == 0 {
		return nil, false
	}
	truncated := len(b) > MaxBodyKept
	if len(b) > MaxBodyKept+redactSlack {
		b = b[:MaxBodyKept+redactSlack]
	}
	b = red.bytes(b)
	if len(b) > MaxBodyKept {
		b = b[:MaxBodyKept]
		truncated = true
	}
	return b, truncated
}

// captureRequestBody returns the request to send and a copy of its body. With
// GetBody the original request goes out untouched; otherwise the body is read,
// closed, and a clone carrying the same bytes is sent.
func captureRequestBody(req *http.Request) (*http.Request, []byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil, nil
	}
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			b, readErr := io.ReadAll(rc)
			_ = rc.Close()
			if readErr == nil {
				return req, b, nil
			}
		}
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close() // a RoundTripper must close the request body
	if err != nil {
		return nil, nil, fmt.Errorf("reading request body: %w", err)
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(b))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return out, b, nil
}

// decodeBody decodes a gzip or deflate body for the record, reading at most
// what will be kept. ok is false when the encoding is absent, unknown or the
// bytes do not decode; the raw bytes are then kept as they are.
func decodeBody(contentEncoding string, raw []byte) (string, []byte, bool) {
	enc := strings.ToLower(strings.TrimSpace(contentEncoding))
	if len(raw) == 0 {
		return "", nil, false
	}
	var rd io.ReadCloser
	var err error
	switch enc {
	case "gzip", "x-gzip":
		rd, err = gzip.NewReader(bytes.NewReader(raw))
	case "deflate":
		// HTTP "deflate" is zlib-wrapped, but some servers send raw deflate.
		rd, err = zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			rd, err = flate.NewReader(bytes.NewReader(raw)), nil
		}
	default:
		return "", nil, false
	}
	if err != nil {
		return "", nil, false
	}
	defer func() { _ = rd.Close() }()
	decoded, err := io.ReadAll(io.LimitReader(rd, MaxBodyKept+redactSlack+1))
	if err != nil {
		return "", nil, false
	}
	return enc, decoded, true
}

// urlWithoutPassword renders u with the password of its user info, if any,
// replaced by Redacted.
func urlWithoutPassword(u *url.URL) string {
	if u == nil {
		return ""
	}
	if _, has := u.User.Password(); has {
		c := *u
		c.User = url.UserPassword(u.User.Username(), Redacted)
		return c.String()
	}
	return u.String()
}

// errorReader returns its error on every read, to hand a body read error on
// to the caller after the bytes that did arrive.
type errorReader struct{ err error }

// Read returns the stored error.
func (e errorReader) Read([]byte) (int, error) { return 0, e.err }

// clone returns a deep copy of e.
func (e Exchange) clone() Exchange {
	e.RequestHeaders = e.RequestHeaders.Clone()
	e.ResponseHeaders = e.ResponseHeaders.Clone()
	e.RequestBody = cloneBytes(e.RequestBody)
	e.ResponseBody = cloneBytes(e.ResponseBody)
	return e
}

// cloneBytes copies b, keeping nil as nil.
func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
