package reference

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/xakia-okta/scimtest/reference/internal/filter"
	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// Paging limits of GET /Users (RFC 7644 §3.4.2.4).
const (
	defaultCount = 100
	maxCount     = 1000
)

// paging is a parsed startIndex/count pair.
type paging struct {
	StartIndex int // 1-based, >= 1
	Count      int // 0..maxCount
}

// parsePaging reads startIndex (default 1; below 1 means 1) and count
// (default 100; negative means 0; capped at 1000). A value that is not an
// integer is a 400 invalidValue.
func parsePaging(q url.Values) (paging, error) {
	p := paging{StartIndex: 1, Count: defaultCount}
	if v := strings.TrimSpace(q.Get("startIndex")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return p, newError(http.StatusBadRequest, scimInvalidValue, "startIndex must be an integer, got "+strconv.Quote(v))
		}
		p.StartIndex = max(n, 1)
	}
	if v := strings.TrimSpace(q.Get("count")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return p, newError(http.StatusBadRequest, scimInvalidValue, "count must be an integer, got "+strconv.Quote(v))
		}
		p.Count = min(max(n, 0), maxCount)
	}
	return p, nil
}

// window returns the page of users selected by p.
func (p paging) window(users []store.User) []store.User {
	from := p.StartIndex - 1
	if from >= len(users) {
		return nil
	}
	to := min(from+p.Count, len(users))
	return users[from:to]
}

// listResponse builds a ListResponse; with the string-paging fault its
// paging fields are JSON strings, with total-is-page-size totalResults is
// the page length.
func (s *Server) listResponse(total, startIndex int, resources []any) map[string]any {
	if resources == nil {
		resources = []any{}
	}
	if s.faults.Has(faultTotalIsPageSize) {
		total = len(resources)
	}
	num := func(n int) any {
		if s.faults.Has(faultStringPaging) {
			return strconv.Itoa(n)
		}
		return n
	}
	return map[string]any{
		"schemas":      []string{schemaList},
		"totalResults": num(total),
		"startIndex":   num(startIndex),
		"itemsPerPage": num(len(resources)),
		"Resources":    resources,
	}
}

// listUsers handles GET /Users with filter, startIndex and count.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, loc store.Location) {
	q, err := query(r)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	p, err := parsePaging(q)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	base := SCIMBaseURI(s.origin(r), loc.ID)
	var page []store.User
	var total int
	switch f := strings.TrimSpace(q.Get("filter")); {
	case f != "":
		expr, ok := prefetchedFilter(r.Context(), f)
		if !ok {
			if expr, err = filter.Parse(f); err != nil {
				s.writeError(w, filterError(err))
				return
			}
		}
		if _, _, eq := filter.Equality(expr); !eq && s.faults.Has(faultFilterEqOnly) {
			s.writeError(w, newError(http.StatusBadRequest, scimInvalidFilter, "invalid filter: only eq is supported"))
			return
		}
		if cond, ok := s.sqlFilter(expr); ok {
			if alwaysTrue(cond) {
				page, total, err = s.walkPage(r.Context(), loc.ID, p)
			} else {
				page, total, err = s.store.FindUsers(r.Context(), loc.ID, cond,
					store.Page{Offset: p.StartIndex - 1, Limit: p.Count})
			}
			if err != nil {
				s.writeError(w, s.errorFor(r, err))
				return
			}
			if s.faults.Has(faultMultiValuedNoMatch) && strings.Contains(strings.ToLower(f), "emails") {
				page, total = nil, 0
			}
			break
		}
		matches, err := s.findUsers(r.Context(), loc, base, expr)
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		if s.faults.Has(faultMultiValuedNoMatch) && strings.Contains(strings.ToLower(f), "emails") {
			matches = nil
		}
		total, page = len(matches), p.window(matches)
	case s.faults.Has(faultUnstablePaging):
		all, err := s.allUsers(r.Context(), loc)
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		if n := len(all); n > 1 {
			shift := int(s.listCalls.Add(1) % uint64(n))
			all = append(all[shift:], all[:shift]...)
		}
		total, page = len(all), p.window(all)
	default:
		page, total, err = s.walkPage(r.Context(), loc.ID, p)
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
	}
	full := s.queryFull(loc)
	sel := s.selection(r)
	vs := variantsIn(r)
	resources := make([]any, 0, len(page))
	for _, u := range page {
		if !full {
			resources = append(resources, sel.apply(limitedUser(u)))
			continue
		}
		doc, err := loadDoc(u)
		if err != nil {
			s.writeError(w, s.errorFor(r, err))
			return
		}
		item := fullUser(u, doc, base)
		decorateUser(vs, u, item)
		withoutVersion(vs, item)
		resources = append(resources, sel.apply(item))
	}
	out := s.listResponse(total, p.StartIndex, resources)
	if s.faults.Has(faultItemsPerPageIsCount) {
		out["itemsPerPage"] = p.Count
	}
	writeJSON(w, http.StatusOK, out)
}

// filterError turns a filter parse error into 400 invalidFilter.
func filterError(err error) *apiError {
	var fe *filter.Error
	if errors.As(err, &fe) {
		return newError(http.StatusBadRequest, scimInvalidFilter, fe.Detail)
	}
	return newError(http.StatusBadRequest, scimInvalidFilter, "invalid filter: "+err.Error())
}

// allUsers returns every non-deleted user of loc in insertion order.
func (s *Server) allUsers(ctx context.Context, loc store.Location) ([]store.User, error) {
	var out []store.User
	err := s.store.ScanUsers(ctx, loc.ID, false, func(u store.User) bool {
		out = append(out, u)
		return true
	})
	return out, err
}

// findUsers returns the non-deleted users of loc matching expr, in insertion
// order. userName, externalId and id equality use the store's indexes; any
// other filter scans the location and evaluates the filter on the full
// representation (so every attribute is filterable in limited mode too).
func (s *Server) findUsers(ctx context.Context, loc store.Location, base string, expr filter.Expr) ([]store.User, error) {
	users, err := s.lookupUsers(ctx, loc, base, expr)
	if err != nil || !s.faults.Has(faultForgetDeactivated) {
		return users, err
	}
	active := users[:0]
	for _, u := range users {
		if u.Active {
			active = append(active, u)
		}
	}
	return active, nil
}

func (s *Server) lookupUsers(ctx context.Context, loc store.Location, base string, expr filter.Expr) ([]store.User, error) {
	if attr, value, ok := filter.Equality(expr); ok {
		if err := checkLookupValue(value); err != nil {
			return nil, err
		}
		switch attr {
		case "userName":
			key := s.userNameKeyFor(ctx, value)
			if u, found, ok := prefetchedUser(ctx, store.UserLookup{UserNameKey: key}); ok {
				if !found {
					return nil, nil
				}
				return []store.User{u}, nil
			}
			u, err := s.store.UserByUserNameKey(ctx, loc.ID, key)
			if errors.Is(err, store.ErrNotFound) {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			return []store.User{u}, nil
		case "externalId":
			return s.store.UsersByExternalID(ctx, loc.ID, value)
		case "id":
			u, err := s.store.User(ctx, loc.ID, value)
			if errors.Is(err, store.ErrNotFound) || (err == nil && u.Deleted) {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			return []store.User{u}, nil
		}
	}
	// Everything else: the store narrows the candidates with the part of
	// the filter it can evaluate, filter.Match decides.
	var out []store.User
	var docErr error
	keep := func(u store.User) bool {
		doc, err := loadDoc(u)
		if err != nil {
			docErr = err
			return false
		}
		if filter.Match(expr, fullUser(u, doc, base)) {
			out = append(out, u)
		}
		return true
	}
	var err error
	if cond, _ := s.storeCond(expr); cond.Op != store.CondTrue && !s.faults.Has(faultForgetDeactivated) {
		err = s.scanCandidates(ctx, loc.ID, cond, keep)
	} else {
		err = s.store.ScanUsers(ctx, loc.ID, false, keep)
	}
	if err == nil {
		err = docErr
	}
	return out, err
}

// candidateBatch is the number of candidates read per store query.
const candidateBatch = 256

// scanCandidates calls fn for every non-deleted user of the location that
// satisfies cond, in Seq order, reading keyset batches, until fn returns
// false.
func (s *Server) scanCandidates(ctx context.Context, locID string, cond store.Cond, fn func(store.User) bool) error {
	var after int64
	for {
		batch, _, err := s.store.FindUsers(ctx, locID, cond, store.Page{AfterSeq: max(after, 0), Limit: candidateBatch, NoCount: true})
		if err != nil {
			return err
		}
		for _, u := range batch {
			if !fn(u) {
				return nil
			}
		}
		if len(batch) < candidateBatch {
			return nil
		}
		after = batch[len(batch)-1].Seq
	}
}

// sqlFilter returns the store condition of a filter the store evaluates
// exactly, unless a fault changes what a filter finds (those take the
// in-memory path where the fault applies). Indexed equality lookups keep
// their own path.
func (s *Server) sqlFilter(expr filter.Expr) (store.Cond, bool) {
	if attr, _, eq := filter.Equality(expr); eq && (attr == "userName" || attr == "externalId" || attr == "id") {
		return store.Cond{}, false
	}
	if s.faults.Has(faultForgetDeactivated) {
		return store.Cond{}, false
	}
	cond, exact := s.storeCond(expr)
	return cond, exact
}
