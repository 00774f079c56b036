package reference

import (
	"context"
	"sync"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// Okta's import walk: GET /Users?startIndex=1&count=100, then 101, 201, …
//
// An OFFSET page costs the rows it skips, so the walk was quadratic. The
// server remembers, per location and next startIndex, the Seq of the last
// user it answered (a keyset cursor) and the location's Removals count at
// that moment. A page whose startIndex has a cursor is read with
// "seq > last" (an index seek) when Removals did not move: users are only
// ever appended then, so the user at that position is the first after the
// cursor, exactly as with OFFSET. Otherwise (no cursor, another replica
// served the previous page, a user was deleted) the page is read by OFFSET.
// The total comes from the maintained count, never from COUNT(*).

// maxCursors bounds the remembered cursors of a server.
const maxCursors = 4096

// cursorKey names the page a cursor leads to.
type cursorKey struct {
	loc  string
	next int // the startIndex that resumes after the cursor
}

// cursor is the position after a page.
type cursor struct {
	afterSeq int64
	removals int64
}

// cursorCache is a bounded map of cursors; when full, an arbitrary one is
// forgotten (the walk it served falls back to one OFFSET page).
type cursorCache struct {
	mu sync.Mutex
	m  map[cursorKey]cursor
}

func (c *cursorCache) get(k cursorKey) (cursor, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	if ok {
		delete(c.m, k) // a walk moves on; a repeated request falls back once
	}
	return v, ok
}

func (c *cursorCache) put(k cursorKey, v cursor) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[cursorKey]cursor)
	}
	if len(c.m) >= maxCursors {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[k] = v
}

// walkPage returns the unfiltered page p of a location and the number of
// its users.
func (s *Server) walkPage(ctx context.Context, locID string, p paging) ([]store.User, int, error) {
	if p.Count == 0 {
		_, total, err := s.store.ListUsers(ctx, locID, store.Page{})
		return nil, total, err
	}
	counts, err := s.store.UserCounts(ctx, locID)
	if err != nil {
		return nil, 0, err
	}
	pg := store.Page{Offset: p.StartIndex - 1, Limit: p.Count}
	if p.StartIndex > 1 {
		if c, ok := s.cursors.get(cursorKey{loc: locID, next: p.StartIndex}); ok && c.removals == counts.Removals {
			pg.AfterSeq = c.afterSeq
		}
	}
	page, total, err := s.store.ListUsers(ctx, locID, pg)
	if err != nil {
		return nil, 0, err
	}
	if n := len(page); n > 0 && p.StartIndex-1+n < total {
		s.cursors.put(cursorKey{loc: locID, next: p.StartIndex + n}, cursor{afterSeq: page[n-1].Seq, removals: counts.Removals})
	}
	return page, total, nil
}
