package reference

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// defaultAuditSize is the number of SCIM requests the audit endpoint shows
// per location (the store keeps store.AuditKeepPerLocation).
const defaultAuditSize = 1000

// maxAuditPending bounds the records waiting to be written; beyond it new
// records are dropped and counted in the log rather than growing memory.
const maxAuditPending = 10000

// auditBatchDelay lets the requests of a burst share one write
// transaction. Measured with the reads benchmark (c=8): 20 ms keeps reads
// at 100k users as fast as at 1k (0.49 of the bare handler); at 50 ms they
// fell to 0.43 and at 100 ms to 0.31 (0.33 with the trims turned off: the
// larger transactions themselves slow the readers of a database that no
// longer fits their page cache), while reads at 1k users gained nothing
// measurable. The
// admin endpoints write what is pending before they read, so the delay
// never hides a request from them; a crash loses at most the last 20 ms of
// audit records (never a user).
const auditBatchDelay = 20 * time.Millisecond

// maxUserAgent bounds the User-Agent kept in an audit record.
const maxUserAgent = 256

// AuditEntry is one authenticated SCIM request received by a location. It
// holds no secret: the Authorization header is never recorded and the
// values of credential query parameters are replaced by REDACTED. Path
// includes the rest of the query (a filter such as userName eq "…" is kept,
// as it is needed to follow Okta's lookups).
type AuditEntry struct {
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Status     int       `json:"status"`
	UserAgent  string    `json:"userAgent"`
	DurationMS float64   `json:"durationMs"`
}

// AuthFailureCount is the number of refused (unauthenticated) requests of one
// source to a location in one minute.
type AuthFailureCount struct {
	Minute     time.Time `json:"minute"`
	Source     string    `json:"source"`
	Count      int64     `json:"count"`
	LastStatus int       `json:"lastStatus"`
}

// failureKey aggregates refused requests in memory before they are written.
type failureKey struct {
	loc, source string
	minute      time.Time
}

// auditLog persists the audit in the store. Authenticated requests are kept
// one by one (the last store.AuditKeepPerLocation per location); refused ones
// only as counts per location, source and minute, so that a flood of them
// cannot evict the history. Records are written in batches by a goroutine
// that runs only while there is something to write; flush writes at once.
type auditLog struct {
	st   store.Store
	log  *slog.Logger
	size int

	mu       sync.Mutex
	pending  []store.AuditRecord
	failures map[failureKey]store.AuthFailure
	running  bool
	dropped  int

	writeMu sync.Mutex // one batch at a time, in order
}

func newAuditLog(st store.Store, logger *slog.Logger, size int) *auditLog {
	if size <= 0 {
		size = defaultAuditSize
	}
	return &auditLog{st: st, log: logger, size: size, failures: map[failureKey]store.AuthFailure{}}
}

// record queues an authenticated request of locID.
func (a *auditLog) record(locID string, e AuditEntry) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.pending) >= maxAuditPending {
		a.dropped++
		return
	}
	a.pending = append(a.pending, store.AuditRecord{
		LocationID: locID, Time: e.Time, Method: e.Method, Path: e.Path,
		Status: e.Status, UserAgent: e.UserAgent, DurationMS: e.DurationMS,
	})
	a.startLocked()
}

// refused counts a refused request of source to locID.
func (a *auditLog) refused(locID, source string, at time.Time, status int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := failureKey{loc: locID, source: source, minute: at.UTC().Truncate(time.Minute)}
	f, ok := a.failures[k]
	if !ok && len(a.failures) >= maxAuditPending {
		a.dropped++
		return
	}
	a.failures[k] = store.AuthFailure{LocationID: locID, Source: source, Minute: k.minute, Count: f.Count + 1, LastStatus: status}
	a.startLocked()
}

// startLocked starts the writer goroutine unless it runs; a.mu is held.
func (a *auditLog) startLocked() {
	if !a.running {
		a.running = true
		go a.run()
	}
}

// run writes batches until nothing is pending, then returns.
func (a *auditLog) run() {
	for {
		time.Sleep(auditBatchDelay)
		if !a.writeBatch(context.Background(), true) {
			return
		}
	}
}

// writeBatch writes what is pending. With fromRunner, it reports whether the
// runner should go on (false, and running cleared, when nothing was left).
func (a *auditLog) writeBatch(ctx context.Context, fromRunner bool) bool {
	a.writeMu.Lock()
	defer a.writeMu.Unlock()
	a.mu.Lock()
	records, failures, dropped := a.pending, a.failures, a.dropped
	a.pending, a.failures, a.dropped = nil, map[failureKey]store.AuthFailure{}, 0
	if fromRunner && len(records) == 0 && len(failures) == 0 {
		a.running = false
		a.mu.Unlock()
		return false
	}
	a.mu.Unlock()
	if dropped > 0 {
		a.log.Warn("audit: records dropped, the store is not keeping up", "dropped", dropped)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := a.st.AppendAudit(ctx, records); err != nil {
		a.log.Error("audit: cannot write records", "records", len(records), "err", err)
	}
	if len(failures) > 0 {
		list := make([]store.AuthFailure, 0, len(failures))
		for _, f := range failures {
			list = append(list, f)
		}
		if err := a.st.AddAuthFailures(ctx, list); err != nil {
			a.log.Error("audit: cannot write failure counts", "counts", len(list), "err", err)
		}
	}
	return true
}

// flush writes everything pending now.
func (a *auditLog) flush(ctx context.Context) { a.writeBatch(ctx, false) }

// entries returns locID's last requests, oldest first.
func (a *auditLog) entries(ctx context.Context, locID string) ([]AuditEntry, error) {
	a.flush(ctx)
	recs, err := a.st.Audit(ctx, locID, a.size)
	if err != nil {
		return nil, err
	}
	out := make([]AuditEntry, 0, len(recs))
	for _, r := range recs {
		out = append(out, AuditEntry{Time: r.Time, Method: r.Method, Path: r.Path, Status: r.Status,
			UserAgent: r.UserAgent, DurationMS: r.DurationMS})
	}
	return out, nil
}

// failureCounts returns locID's aggregated refused requests, oldest first.
func (a *auditLog) failureCounts(ctx context.Context, locID string) ([]AuthFailureCount, error) {
	a.flush(ctx)
	fs, err := a.st.AuthFailures(ctx, locID)
	if err != nil {
		return nil, err
	}
	out := make([]AuthFailureCount, 0, len(fs))
	for _, f := range fs {
		out = append(out, AuthFailureCount{Minute: f.Minute, Source: f.Source, Count: f.Count, LastStatus: f.LastStatus})
	}
	return out, nil
}

// auditPath is the request URI as audited: credential query values redacted.
func auditPath(r *http.Request) string {
	p := r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		p += "?" + redactQuery(r.URL.RawQuery)
	}
	return p
}

// auditUserAgent is the User-Agent as audited: valid UTF-8, bounded.
func auditUserAgent(r *http.Request) string {
	ua := strings.ToValidUTF8(r.UserAgent(), "\uFFFD")
	ua = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, ua)
	if utf8.RuneCountInString(ua) > maxUserAgent {
		ua = string([]rune(ua)[:maxUserAgent])
	}
	return ua
}

// clientSource is the client's IP address, the source of aggregated failures.
func clientSource(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return "unknown"
	}
	return host
}
