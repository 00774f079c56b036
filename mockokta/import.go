package mockokta

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
)

// importPageSize is the count Okta asks for on each import page.
const importPageSize = 100

// maxImportPages bounds an import walk whatever totalResults says.
const maxImportPages = 10000

// ImportedUser is a user an import would bring into Okta.
type ImportedUser struct {
	ID         string `json:"id"`
	UserName   string `json:"userName,omitempty"` // empty when the server does not return it
	ExternalID string `json:"externalId,omitempty"`
}

// Sources of the import findings.
const (
	srcImport     = "docs/okta-wire.md#import"
	srcListResp   = "RFC 7644 §3.4.2"
	srcPagination = "RFC 7644 §3.4.2.4"
)

// Import replays Okta's user import: GET {base}/Users?startIndex=1&count=100,
// then 101, 201, … while startIndex <= totalResults. Each check carries its
// authority: integer paging fields and pages without errors are what Okta
// needs (okta); a startIndex echo that is not the requested index and
// pages that hold fewer users than totalResults break RFC 7644 §3.4.2 (rfc);
// users repeated across pages and a totalResults that changes between pages
// are advice, because RFC 7644 §3.4.2.4 makes clients cope with pages that
// change between requests. Advice never fails the import. Inactive users are
// left out, as Okta does. A 429 reschedules the whole import.
func (o *Okta) Import(ctx context.Context) TaskResult {
	return o.retrying(ctx, func() TaskResult { return o.importTask(ctx) })
}

func (o *Okta) importTask(ctx context.Context) TaskResult {
	t := o.newTask(ctx, OpImport, nil)
	failf := func(a Authority, source, format string, args ...any) TaskResult {
		f := t.finding(a, source, format, args...)
		t.res.Authority = a
		return t.failMsg(nil, "Okta would fail the import: "+f.String())
	}
	seen := make(map[string]int) // id → startIndex of the page it was on
	total := -1
	skipped, repeated := 0, 0
	for page, start := 0, 1; page < maxImportPages; page, start = page+1, start+importPageSize {
		if total >= 0 && start > total {
			break
		}
		query := "startIndex=" + strconv.Itoa(start) + "&count=" + strconv.Itoa(importPageSize)
		resp, err := t.s.do(ctx, http.MethodGet, "/Users", query, nil)
		if err != nil {
			return t.failMsg(err, "Okta would fail the import: GET /Users?"+query+": "+errDetail(err))
		}
		if resp.Status != http.StatusOK {
			return failf(AuthorityOkta, srcImport, "GET /Users?%s: %s", query, httpDetail(resp))
		}
		list, err := parseList(resp.Body)
		if err != nil {
			return failf(AuthorityOkta, srcImport, "%v (page at startIndex %d)", err, start)
		}
		if total < 0 {
			total = list.TotalResults
		} else if list.TotalResults != total {
			t.finding(AuthorityAdvice, srcPagination, "totalResults changed between pages from %d to %d (page at startIndex %d); Okta walks on with the new total", total, list.TotalResults, start)
			total = list.TotalResults
		}
		if list.StartIndex != 0 && list.StartIndex != start {
			return failf(AuthorityRFC, srcListResp, "the page requested at startIndex %d answered startIndex %d; startIndex must be the index of the page's first result", start, list.StartIndex)
		}
		if list.HasItems && list.ItemsPerPage != len(list.Resources) {
			// The same rule, and authority, as the conformance suite's: itemsPerPage is
			// the number of resources returned (RFC 7644 §3.4.2). Okta carries on.
			t.finding(AuthorityRFC, srcListResp, "page at startIndex %d: itemsPerPage is %d but it holds %d Resources (itemsPerPage is the number returned, not the count asked for)", start, list.ItemsPerPage, len(list.Resources))
		}
		if len(list.Resources) > importPageSize {
			t.finding(AuthorityAdvice, srcPagination, "page at startIndex %d holds %d Resources although Okta asked for %d", start, len(list.Resources), importPageSize)
		}
		if len(list.Resources) == 0 && start <= total {
			return failf(AuthorityRFC, srcListResp, "the page at startIndex %d is empty although totalResults is %d, so totalResults is not the number of results and Okta would miss users", start, total)
		}
		for i, raw := range list.Resources {
			u, err := readUser(raw)
			if err != nil {
				return failf(AuthorityOkta, srcImport, "Resources[%d] of the page at startIndex %d is not a user: %v", i, start, err)
			}
			if u.ID == "" {
				return failf(AuthorityOkta, srcImport, "Resources[%d] of the page at startIndex %d has no id", i, start)
			}
			if prev, dup := seen[u.ID]; dup {
				repeated++
				t.finding(AuthorityAdvice, srcPagination, "user %s appears on the page at startIndex %d and again at startIndex %d: the order is not stable across pages, so Okta may import some users twice and skip others", u.ID, prev, start)
				continue
			}
			seen[u.ID] = start
			if u.Active != nil && !*u.Active {
				skipped++
				continue
			}
			t.res.Imported = append(t.res.Imported, ImportedUser{ID: u.ID, UserName: u.UserName, ExternalID: u.ExternalID})
		}
	}
	if total < 0 {
		total = 0
	}
	if len(seen) != total {
		why := ""
		if repeated > 0 {
			why = fmt.Sprintf("; %d user(s) appeared on more than one page", repeated)
		}
		return failf(AuthorityRFC, srcListResp, "totalResults is %d but the pages held %d distinct users, so Okta would miss users%s", total, len(seen), why)
	}
	t.res.ImportSkipped = skipped
	return t.done("Import from app %s found %d users: %d imported, %d inactive skipped", o.app.Name, total, len(t.res.Imported), skipped)
}
