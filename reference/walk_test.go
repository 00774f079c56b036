package reference

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// walkIDs reads Okta's import walk (count=100) and returns the ids and the
// totals of each page.
func walkIDs(t *testing.T, e *testEnv, l testLoc, count int) (ids []string, totals []int) {
	t.Helper()
	for start := 1; start < 10_000; start += count {
		r := e.do("GET", fmt.Sprintf("%s/Users?startIndex=%d&count=%d", l.Base, start, count), l.Key, "")
		require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
		total := int(r.JSON["totalResults"].(float64))
		totals = append(totals, total)
		res, _ := r.JSON["Resources"].([]any)
		for _, x := range res {
			ids = append(ids, x.(map[string]any)["id"].(string))
		}
		if start+count > total {
			break
		}
	}
	return ids, totals
}

func seededEnv(t *testing.T, users int) (*testEnv, testLoc, []string) {
	t.Helper()
	e := newEnv(t, Config{})
	l := e.loc(0)
	res, err := (&DB{st: e.st}).Seed(context.Background(), l.ID, users)
	require.NoError(t, err)
	require.Equal(t, users, res.Users)
	var ids []string
	require.NoError(t, e.st.ScanUsers(context.Background(), l.ID, false, func(u store.User) bool {
		ids = append(ids, u.ID)
		return true
	}))
	return e, l, ids
}

// TestImportWalkKeyset: the walk sees every user once in insertion order
// with the maintained total, and its pages after the first come from the
// keyset cursor.
func TestImportWalkKeyset(t *testing.T) {
	e, l, want := seededEnv(t, 250)
	got, totals := walkIDs(t, e, l, 100)
	assert.Equal(t, want, got)
	assert.Equal(t, []int{250, 250, 250}, totals)

	// Page 2 again, by hand: a cursor exists for startIndex 101 after page 1.
	e.do("GET", l.Base+"/Users?startIndex=1&count=100", l.Key, "")
	c, ok := e.srv.cursors.get(cursorKey{loc: l.ID, next: 101})
	require.True(t, ok, "page 1 leaves a cursor for startIndex 101")
	u, err := e.st.User(context.Background(), l.ID, want[99])
	require.NoError(t, err)
	assert.Equal(t, u.Seq, c.afterSeq)
}

// TestImportWalkAfterDeletion: a user deleted between two pages moves the
// later users one place up, as with OFFSET paging: the cursor is not used.
func TestImportWalkAfterDeletion(t *testing.T) {
	e, l, ids := seededEnv(t, 150)
	r := e.do("GET", l.Base+"/Users?startIndex=1&count=100", l.Key, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, http.StatusNoContent, e.do("DELETE", l.Base+"/Users/"+ids[10], l.Key, "").Status)
	r = e.do("GET", l.Base+"/Users?startIndex=101&count=100", l.Key, "")
	require.Equal(t, http.StatusOK, r.Status)
	res := r.JSON["Resources"].([]any)
	var got []string
	for _, x := range res {
		got = append(got, x.(map[string]any)["id"].(string))
	}
	assert.Equal(t, ids[101:], got, "offset 100 of the remaining 149 users")
	assert.EqualValues(t, 149, r.JSON["totalResults"])
}

// TestFilterScanInSQL: co, sw and pr on userName answer from the store with
// the right totals and pages.
func TestFilterScanInSQL(t *testing.T) {
	e, l, ids := seededEnv(t, 300)
	for _, c := range []struct {
		filter string
		total  int
	}{{`userName pr`, 300}, {`userName sw "SEED-"`, 300}, {`userName co "-000001"`, 10}, {`userName co "0000299@"`, 1},
		{`userName ew "@EXAMPLE.COM" and active eq true`, 300}, {`not (userName pr)`, 0}} {
		q := strings.NewReplacer(" ", "%20", `"`, "%22").Replace(c.filter)
		r := e.do("GET", l.Base+"/Users?count=5&startIndex=2&filter="+q, l.Key, "")
		require.Equal(t, http.StatusOK, r.Status, c.filter)
		assert.EqualValues(t, c.total, r.JSON["totalResults"], c.filter)
		assert.EqualValues(t, min(5, max(c.total-1, 0)), r.JSON["itemsPerPage"], c.filter)
	}
	r := e.do("GET", l.Base+"/Users?count=2&startIndex=3&filter=userName%20pr", l.Key, "")
	res := r.JSON["Resources"].([]any)
	require.Len(t, res, 2)
	assert.Equal(t, ids[2], res[0].(map[string]any)["id"])
}

// TestAdminUsersPaged: the admin list pages by count and cursor, with the
// total and a next link; the unpaged list still has every user.
func TestAdminUsersPaged(t *testing.T) {
	e, l, ids := seededEnv(t, 25)
	require.Equal(t, http.StatusNoContent, e.do("DELETE", l.Base+"/Users/"+ids[3], l.Key, "").Status)
	admin := e.http.URL + "/admin/api/locations/" + l.ID + "/users"
	var got []string
	url := admin + "?count=10"
	for range 10 {
		r := e.do("GET", url, testAdminToken, "")
		require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
		assert.Equal(t, "25", r.Header.Get("X-Total-Count"))
		var page []map[string]any
		require.NoError(t, json.Unmarshal(r.Raw, &page))
		for _, u := range page {
			got = append(got, u["id"].(string))
		}
		link := r.Header.Get("Link")
		if link == "" {
			break
		}
		require.True(t, strings.HasSuffix(link, `>; rel="next"`), link)
		url = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
	}
	assert.Equal(t, ids, got, "every user once, the deleted one included")
	r := e.do("GET", admin, testAdminToken, "")
	var all []any
	require.NoError(t, json.Unmarshal(r.Raw, &all))
	assert.Len(t, all, 25)
	for _, bad := range []string{"?count=0", "?count=1001", "?count=x", "?count=5&after=-1", "?count=5&after=x", "?after=3"} {
		assert.Equal(t, http.StatusBadRequest, e.do("GET", admin+bad, testAdminToken, "").Status, bad)
	}
}

// TestSeedRefusesBadInput: an unknown location or a bad count changes
// nothing.
func TestSeedRefusesBadInput(t *testing.T) {
	e := newEnv(t, Config{})
	db := &DB{st: e.st}
	_, err := db.Seed(context.Background(), "nowhere", 10)
	require.ErrorIs(t, err, ErrNoLocation)
	for _, n := range []int{0, -1, MaxSeedUsers + 1} {
		_, err = db.Seed(context.Background(), e.loc(0).ID, n)
		require.Error(t, err)
	}
	c, err := e.st.UserCounts(context.Background(), e.loc(0).ID)
	require.NoError(t, err)
	assert.Zero(t, c.All)
	// Seeding twice adds users: the run tag keeps userNames apart.
	_, err = db.Seed(context.Background(), e.loc(0).ID, 3)
	require.NoError(t, err)
	_, err = db.Seed(context.Background(), e.loc(0).ID, 3)
	require.NoError(t, err)
	c, err = e.st.UserCounts(context.Background(), e.loc(0).ID)
	require.NoError(t, err)
	assert.EqualValues(t, 6, c.Live)
}
