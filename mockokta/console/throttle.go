package console

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Sign-in throttling: after MaxSignInFailures failed sign-ins from one
// address within SignInWindow, further attempts from it are refused
// (429) until the window has passed, without checking the password.
const (
	MaxSignInFailures = 10
	SignInWindow      = 5 * time.Minute
	// maxThrottled bounds the table of addresses.
	maxThrottled = 10000
)

type failures struct {
	count int
	since time.Time
}

// throttle counts failed sign-ins per client address (per Console).
type throttle struct {
	mu  sync.Mutex
	by  map[string]failures
	now func() time.Time
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// blocked reports whether the address has used up its failures.
func (t *throttle) blocked(addr string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.by[addr]
	if !ok {
		return false
	}
	if t.now().Sub(f.since) > SignInWindow {
		delete(t.by, addr)
		return false
	}
	return f.count >= MaxSignInFailures
}

// fail records a failed sign-in.
func (t *throttle) fail(addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.by[addr]
	if !ok || t.now().Sub(f.since) > SignInWindow {
		if len(t.by) >= maxThrottled {
			clear(t.by)
		}
		f = failures{since: t.now()}
	}
	f.count++
	t.by[addr] = f
}

// reset forgets an address after a successful sign-in.
func (t *throttle) reset(addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.by, addr)
}
