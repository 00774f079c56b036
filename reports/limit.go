package reports

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// DefaultMaxBody is how many bytes of one response a client of the harness
// reads by default (8 MiB): far above any SCIM answer Okta expects, far
// below what would hurt the harness.
const DefaultMaxBody = 8 << 20

// ErrBodyTooLarge is wrapped by every *BodyTooLargeError.
var ErrBodyTooLarge = errors.New("response body too large")

// BodyTooLargeError is the read error of a response body longer than the
// limit of a LimitBody transport. The bytes up to the limit were delivered
// before it.
type BodyTooLargeError struct {
	Method string
	URL    string // without query
	Status int
	Limit  int64
}

// Error says what was cut, e.g. "response body exceeds 8 MiB: GET
// http://h/scim/v2/x/Users answered 200 with more than 8388608 bytes".
func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("response body exceeds %s: %s %s answered %d with more than %d bytes",
		SizeWords(e.Limit), e.Method, e.URL, e.Status, e.Limit)
}

// Unwrap returns ErrBodyTooLarge.
func (e *BodyTooLargeError) Unwrap() error { return ErrBodyTooLarge }

// SizeWords renders a byte count the way the messages do: "8 MiB" for whole
// mebibytes, else "N bytes".
func SizeWords(n int64) string {
	if n > 0 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// LimitBody returns a RoundTripper sending through next
// (http.DefaultTransport when nil) whose response bodies yield at most max
// bytes (DefaultMaxBody when max <= 0): a longer body ends, after max
// bytes, with a *BodyTooLargeError instead of io.EOF, and the rest is never
// read. Nothing is buffered: the body is still a stream.
func LimitBody(next http.RoundTripper, max int64) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if max <= 0 {
		max = DefaultMaxBody
	}
	return &limitTransport{next: next, max: max}
}

type limitTransport struct {
	next http.RoundTripper
	max  int64
}

// RoundTrip sends req and wraps the response body in a limiting reader.
func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp == nil || resp.Body == nil || resp.Body == http.NoBody {
		return resp, err
	}
	u := *req.URL
	u.RawQuery, u.User = "", nil
	resp.Body = &limitedBody{rc: resp.Body, left: t.max,
		tooLarge: &BodyTooLargeError{Method: req.Method, URL: u.String(), Status: resp.StatusCode, Limit: t.max}}
	return resp, nil
}

// limitedBody reads at most left bytes of rc; one byte more means the body
// is too large.
type limitedBody struct {
	mu       sync.Mutex
	rc       io.ReadCloser
	left     int64
	tooLarge *BodyTooLargeError
	failed   bool
}

// Read reads from the body within the limit.
func (l *limitedBody) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failed {
		return 0, l.tooLarge
	}
	if l.left <= 0 {
		var one [1]byte
		n, err := io.ReadFull(l.rc, one[:])
		if n > 0 {
			l.failed = true
			return 0, l.tooLarge
		}
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	return n, err
}

// Close closes the underlying body (its unread rest is never drained).
func (l *limitedBody) Close() error { return l.rc.Close() }

// RefuseRedirect is a CheckRedirect for http.Client that never follows a
// redirect: the 3xx answer itself is returned, and a credential never goes
// to the address it names. Okta does not follow redirects either.
func RefuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
