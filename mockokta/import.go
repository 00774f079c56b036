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

// Import replays Okta's user import: GET {base}/Users?startIndex=1&count=100,
// then 101, 201, … while startIndex <= totalResults. It checks what Okta
// relies on (integer paging fields, a stable order without repeats or gaps,
// the same totalResults on every page) and reports anything off as the
// problem Okta would have. Inactive users are left out, as Okta does.
func (o *Okta) Import(ctx context.Context) TaskResult {
	t := o.newTask(ctx, OpImport, nil)
	failf := func(format string, args ...any) TaskResult {
		return t.failMsg(nil, "Okta would fail the import: "+fmt.Sprintf(format, args...))
	}
	seen := make(map[string]int) // id → startIndex of the page it was on
	total := -1
	skipped := 0
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
			return failf("GET /Users?%s: %s", query, httpDetail(resp))
		}
		list, err := parseList(resp.Body)
		if err != nil {
			return failf("%v (page at startIndex %d)", err, start)
		}
		if total < 0 {
			total = list.TotalResults
		} else if list.TotalResults != total {
			return failf("totalResults changed between pages from %d to %d (page at startIndex %d)", total, list.TotalResults, start)
		}
		if list.StartIndex != 0 && list.StartIndex != start {
			return failf("the page requested at startIndex %d answered startIndex %d", start, list.StartIndex)
		}
		if list.HasItems && list.ItemsPerPage != len(list.Resources) {
			t.warn("page at startIndex %d: itemsPerPage is %d but it holds %d Resources", start, list.ItemsPerPage, len(list.Resources))
		}
		if len(list.Resources) > importPageSize {
			t.warn("page at startIndex %d holds %d Resources although Okta asked for %d", start, len(list.Resources), importPageSize)
		}
		if len(list.Resources) == 0 && start <= total {
			return failf("the page at startIndex %d is empty although totalResults is %d, so Okta would miss users", start, total)
		}
		for i, raw := range list.Resources {
			u, err := readUser(raw)
			if err != nil {
				return failf("Resources[%d] of the page at startIndex %d is not a user: %v", i, start, err)
			}
			if u.ID == "" {
				return failf("Resources[%d] of the page at startIndex %d has no id", i, start)
			}
			if prev, dup := seen[u.ID]; dup {
				return failf("user %s appears on the page at startIndex %d and again at startIndex %d: the order is not stable across pages, so Okta would import some users twice and skip others", u.ID, prev, start)
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
		return failf("totalResults is %d but the pages held %d distinct users, so Okta would miss users", total, len(seen))
	}
	t.res.ImportSkipped = skipped
	return t.done("Import from app %s found %d users: %d imported, %d inactive skipped", o.app.Name, total, len(t.res.Imported), skipped)
}
