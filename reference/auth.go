package reference

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xakia-okta/scimtest/internal/statuswriter"
	"github.com/xakia-okta/scimtest/reference/internal/filter"
	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// scimHandler handles a SCIM request of an authenticated location.
type scimHandler func(w http.ResponseWriter, r *http.Request, loc store.Location)

// bearerToken returns the token of an "Authorization: Bearer <token>"
// header (scheme case-insensitive) and whether there was one.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// errUnauthorized is the one 401 answer of the SCIM endpoints: a missing
// key, a wrong key and an unknown location are indistinguishable.
func errUnauthorized() *apiError {
	return newError(http.StatusUnauthorized, "",
		"missing or invalid API key for this SCIM base URI: send Authorization: Bearer <SCIM API key>")
}

// scim wraps a SCIM handler: it loads the location, binds its variants to
// the request, checks its API key,
// applies the rate limit and records the request in the location's audit.
// An unknown location (or an id outside the id alphabet, which is never
// looked up) answers exactly like a wrong key, after the same work: the
// presented token is hashed and compared in constant time against a dummy
// hash, so neither the body nor the work tells whether a location exists.
// Refused requests of a known location are counted per source and minute,
// never stored one by one.
//
// With a prefetch (the reads of one user), the location and the user the
// handler will read come from one store query (store.LocationUser); the
// user waits in the request's context for the handler, which reads it
// only after the key check passed.
func (s *Server) scim(h scimHandler, prefetch ...func(*http.Request) *prefetched) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		locID := r.PathValue("loc")
		token, hasToken := bearerToken(r)
		var (
			loc   store.Location
			pre   *prefetched
			found bool
			err   error
		)
		if validID(locID) {
			if len(prefetch) > 0 {
				pre = prefetch[0](r)
			}
			if pre != nil {
				loc, pre.user, pre.found, err = s.store.LocationUser(r.Context(), locID, pre.lookup)
			} else {
				loc, err = s.store.Location(r.Context(), locID)
			}
			switch {
			case err == nil:
				found = true
			case !errors.Is(err, store.ErrNotFound):
				s.writeError(w, s.errorFor(r, err))
				return
			}
		}
		hash := s.dummyHash
		if found && len(loc.KeyHash) == len(s.dummyHash) {
			hash = loc.KeyHash
		}
		matches := keyMatches(token, hash) // always done: same work for every refusal
		if !found {
			if s.faults.Has(faultAcceptAnyKey) {
				s.writeError(w, newError(http.StatusNotFound, "", "no such location"))
				return
			}
			s.writeError(w, errUnauthorized())
			return
		}
		w, r = bindVariants(w, r, s.variantsFor(loc))
		sw := statuswriter.New(w)
		authenticated := false
		defer func() {
			if !authenticated {
				s.audit.refused(loc.ID, clientSource(r), start, sw.Status())
				return
			}
			s.audit.record(loc.ID, AuditEntry{
				Time:       start.UTC(),
				Method:     r.Method,
				Path:       auditPath(r),
				Status:     sw.Status(),
				UserAgent:  auditUserAgent(r),
				DurationMS: float64(time.Since(start).Microseconds()) / 1000,
			})
		}()
		if !s.faults.Has(faultAcceptAnyKey) && (!hasToken || (!matches && !s.oldKeys.matches(loc.ID, token))) {
			s.writeError(sw, errUnauthorized())
			return
		}
		authenticated = true
		if pre != nil {
			stateOf(r.Context()).pre = pre // bindVariants gave r a state
		}
		if s.limiter == nil {
			h(sw, r, loc)
			return
		}
		if wait, ok := s.limiter.allow(loc.ID+"\x00"+string(HashKey(token)), time.Now()); !ok {
			secs := int(wait / time.Second)
			if wait%time.Second != 0 {
				secs++
			}
			if secs < 1 {
				secs = 1
			}
			sw.Header().Set("Retry-After", strconv.Itoa(secs))
			s.writeError(sw, newError(http.StatusTooManyRequests, "",
				"too many requests for this API key; retry after "+strconv.Itoa(secs)+" s"))
			return
		}
		h(sw, r, loc)
	})
}

// prefetched is the user the scim wrapper read with the location and,
// for Okta's lookup, the filter it parsed to name that user (so that the
// handler neither parses nor folds it again).
type prefetched struct {
	lookup store.UserLookup
	user   store.User
	found  bool

	filter   string      // the filter parameter, trimmed
	expr     filter.Expr // filter, parsed
	userName string      // the value compared with userName; lookup.UserNameKey is its key
}

// prefetchOf returns the prefetch of the request of ctx, if any.
func prefetchOf(ctx context.Context) *prefetched {
	if st := stateOf(ctx); st != nil {
		return st.pre
	}
	return nil
}

// prefetchedUser returns the user the scim wrapper read for lookup with the
// request's location, if it did (ok false: read it from the store).
func prefetchedUser(ctx context.Context, lookup store.UserLookup) (u store.User, found, ok bool) {
	p := prefetchOf(ctx)
	if p == nil || p.lookup != lookup {
		return store.User{}, false, false
	}
	return p.user, p.found, true
}

// prefetchedFilter returns the parsed filter f if the scim wrapper parsed it.
func prefetchedFilter(ctx context.Context, f string) (filter.Expr, bool) {
	p := prefetchOf(ctx)
	if p == nil || p.expr == nil || p.filter != f {
		return nil, false
	}
	return p.expr, true
}

// userNameKeyFor is s.userNameKey(userName), taken from the prefetch when
// it folded the same value.
func (s *Server) userNameKeyFor(ctx context.Context, userName string) string {
	if p := prefetchOf(ctx); p != nil && p.expr != nil && p.userName == userName {
		return p.lookup.UserNameKey
	}
	return s.userNameKey(userName)
}

// prefetchByID names the user of GET /Users/{id}.
func prefetchByID(r *http.Request) *prefetched {
	id := r.PathValue("id")
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || !validID(id) {
		return nil
	}
	return &prefetched{lookup: store.UserLookup{ID: id}}
}

// prefetchUserNameEq names the user of Okta's lookup, GET /Users with the
// filter userName eq "…", as lookupUsers will read it.
func (s *Server) prefetchUserNameEq(r *http.Request) *prefetched {
	if r.Method != http.MethodGet || !strings.Contains(r.URL.RawQuery, "filter=") {
		return nil
	}
	q, err := queryValues(r)
	if err != nil {
		return nil
	}
	f := strings.TrimSpace(q.Get("filter"))
	expr, err := filter.Parse(f)
	if err != nil {
		return nil
	}
	attr, value, ok := filter.Equality(expr)
	if !ok || attr != "userName" || checkLookupValue(value) != nil {
		return nil
	}
	return &prefetched{lookup: store.UserLookup{UserNameKey: s.userNameKey(value)}, filter: f, expr: expr, userName: value}
}

// admin wraps an admin API handler with the admin token check (constant
// time, on SHA-256 digests so that lengths do not leak).
func (s *Server) admin(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r)
		if s.adminHash == nil || !ok || subtle.ConstantTimeCompare(HashKey(token), s.adminHash) != 1 {
			s.writeError(w, newError(http.StatusUnauthorized, "", "missing or invalid admin token"))
			return
		}
		// Admin answers may carry a new API key: never cache them.
		w.Header().Set("Cache-Control", "no-store")
		// Ids outside the id alphabet name nothing and never reach the store.
		for _, name := range []string{"id", "userId"} {
			if v := r.PathValue(name); v != "" && !validID(v) {
				s.writeError(w, newError(http.StatusNotFound, "", "not found: ids are made of a-z, A-Z, 0-9 and '-'"))
				return
			}
		}
		h(w, r)
	})
}

// oldKeyRing remembers replaced key hashes, only for the old-key-valid fault.
type oldKeyRing struct {
	mu   sync.Mutex
	keys map[string][][]byte
}

func newOldKeyRing() *oldKeyRing { return &oldKeyRing{keys: map[string][][]byte{}} }

func (o *oldKeyRing) add(locID string, hash []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.keys[locID]) < 100 {
		o.keys[locID] = append(o.keys[locID], hash)
	}
}

func (o *oldKeyRing) matches(locID, token string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, h := range o.keys[locID] {
		if keyMatches(token, h) {
			return true
		}
	}
	return false
}
