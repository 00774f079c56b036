package mockokta

import (
	"crypto/rand"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Options tune a mock Okta. The zero value gives Okta's behaviour with the
// real clock, crypto/rand and http.DefaultTransport.
type Options struct {
	// Random supplies Okta user ids and random passwords; crypto/rand.Reader
	// when nil. Tests inject a fixed stream to get stable transcripts.
	Random io.Reader
	// Clock is used for the 429 waits; RealClock{} when nil.
	Clock Clock
	// Transport carries the HTTP requests; http.DefaultTransport when nil.
	Transport http.RoundTripper
	// Timeout is the per-request timeout; DefaultTimeout (60 s) when zero.
	Timeout time.Duration
	// RateLimit is the 429 policy; OktaRateLimitPolicy() when zero.
	RateLimit RateLimitPolicy
	// NoRecord disables recording exchanges into task results (bulk runs).
	NoRecord bool
	// Observer, when set, is called after every HTTP attempt (from several
	// goroutines at once when tasks run concurrently).
	Observer func(Observation)
	// MaxBody bounds every response body read, before and after decoding
	// (reports.DefaultMaxBody, 8 MiB, when zero): a longer body fails the
	// request with a *reports.BodyTooLargeError.
	MaxBody int64
}

// Link is an assignment of an Okta user to the app, with the SCIM id Okta
// learnt for it.
type Link struct {
	OktaID string `json:"oktaId"`
	Login  string `json:"login"`
	SCIMID string `json:"scimId"`
	// Active is false once the user was unassigned or deactivated.
	Active bool `json:"active"`
}

// Okta is a mock Okta org with one SCIM app instance. It is safe for
// concurrent use; tasks for different users may run in parallel.
type Okta struct {
	app    App
	dir    *Directory
	client *scimClient
	random io.Reader

	mu    sync.Mutex
	links map[string]Link // by Okta user id
}

// lockedReader serialises reads of a shared random source.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// New returns a mock Okta for app. When dir is nil a new empty directory is
// created that shares opts.Random.
func New(app App, dir *Directory, opts Options) (*Okta, error) {
	if err := app.Validate(); err != nil {
		return nil, err
	}
	var random io.Reader = rand.Reader
	if opts.Random != nil {
		random = &lockedReader{r: opts.Random}
	}
	if dir == nil {
		dir = NewDirectory(random)
	}
	return &Okta{
		app:    app,
		dir:    dir,
		client: newClient(app, opts),
		random: random,
		links:  make(map[string]Link),
	}, nil
}

// App returns the app configuration (with defaults filled in).
func (o *Okta) App() App { return o.app }

// Directory returns the Okta directory.
func (o *Okta) Directory() *Directory { return o.dir }

// Link returns the assignment of the Okta user, if any.
func (o *Okta) Link(oktaID string) (Link, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	l, ok := o.links[oktaID]
	return l, ok
}

// SetLink records an assignment (used when loading saved state).
func (o *Okta) SetLink(l Link) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.links[l.OktaID] = l
}

// RemoveLink forgets the assignment of the Okta user, if any (the SCIM
// server is not told).
func (o *Okta) RemoveLink(oktaID string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.links, oktaID)
}

// Links returns every assignment, sorted by login.
func (o *Okta) Links() []Link {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]Link, 0, len(o.links))
	for _, l := range o.links {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return loginKey(out[i].Login) < loginKey(out[j].Login) })
	return out
}

func (o *Okta) password() (string, error) { return NewPassword(o.random) }

// Close releases the idle connections of the mock's own transport (a
// Transport given in Options is left alone). The Okta stays usable.
func (o *Okta) Close() {
	if o.client.ownTransport {
		if t, ok := o.client.transport.(interface{ CloseIdleConnections() }); ok {
			t.CloseIdleConnections()
		}
	}
}
