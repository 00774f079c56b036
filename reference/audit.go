package reference

import (
	"sync"
	"time"
)

// defaultAuditSize is the number of SCIM requests kept per location.
const defaultAuditSize = 1000

// AuditEntry is one SCIM request received by a location. It holds no secret:
// the Authorization header is never recorded. Path includes the query (a
// filter such as userName eq "…" is kept, as it is needed to follow Okta's
// lookups).
type AuditEntry struct {
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Status     int       `json:"status"`
	UserAgent  string    `json:"userAgent"`
	DurationMS float64   `json:"durationMs"`
}

// auditLog keeps, per location, a bounded ring of the last SCIM requests. It
// lives in the server process's memory: it is per process and is lost on
// restart.
type auditLog struct {
	size  int
	mu    sync.Mutex
	rings map[string]*auditRing
}

type auditRing struct {
	entries []AuditEntry
	next    int // index of the oldest entry once the ring is full
}

func newAuditLog(size int) *auditLog {
	if size <= 0 {
		size = defaultAuditSize
	}
	return &auditLog{size: size, rings: map[string]*auditRing{}}
}

// record appends e to locID's ring, dropping the oldest entry when full.
func (a *auditLog) record(locID string, e AuditEntry) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r, ok := a.rings[locID]
	if !ok {
		r = &auditRing{}
		a.rings[locID] = r
	}
	if len(r.entries) < a.size {
		r.entries = append(r.entries, e)
		return
	}
	r.entries[r.next] = e
	r.next = (r.next + 1) % a.size
}

// entries returns locID's requests, oldest first.
func (a *auditLog) entries(locID string) []AuditEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	r, ok := a.rings[locID]
	if !ok {
		return []AuditEntry{}
	}
	out := make([]AuditEntry, 0, len(r.entries))
	out = append(out, r.entries[r.next:]...)
	out = append(out, r.entries[:r.next]...)
	return out
}
