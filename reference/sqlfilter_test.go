package reference

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/internal/pgtest"
	"github.com/xakia-okta/scimtest/reference/internal/filter"
	"github.com/xakia-okta/scimtest/reference/internal/store"
	pgstore "github.com/xakia-okta/scimtest/reference/internal/store/postgres"
)

// The store's SQL evaluation of filters must agree with filter.Match, the
// reference semantics: random users, random filters, both compared.

// diffWords are the pieces userNames, ids, externalIds and literals are
// made of: ASCII in both cases, characters whose folding differs from
// lower-casing (ß, ſ, K sign, final sigma), a decomposed é, and strings that
// look like date-times.
var diffWords = []string{"a", "A", "b", "Bo", "ß", "SS", "ſ", "K", "\u212a", "σ", "ς", "Σ", "é", "e\u0301", "É",
	"-", "@", ".", "x1", "2021-01-01T00:00:00Z", "2021-01-01T00:00:00.5Z", "2020-12-31T23:00:00-01:00", "z", "0", "9"}

func diffString(r *rand.Rand, maxWords int) string {
	var b strings.Builder
	for range 1 + r.IntN(maxWords) {
		b.WriteString(diffWords[r.IntN(len(diffWords))])
	}
	return b.String()
}

// diffAttrs are the attribute paths filters use: translatable ones in
// several spellings, and others only filter.Match evaluates.
var diffAttrs = []string{"userName", "USERNAME", "urn:ietf:params:scim:schemas:core:2.0:User:userName", "id", "externalId",
	"EXTERNALID", "active", "displayName", "name.givenName", "emails.value", "userName.x",
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}

var diffOps = []string{"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"}

// diffLiteral picks a literal: mostly strings (some taken from stored
// values), sometimes booleans, numbers or null.
func diffLiteral(r *rand.Rand, stored []string) string {
	switch n := r.IntN(20); {
	case n < 2:
		return []string{"true", "false"}[r.IntN(2)]
	case n < 3:
		return "42"
	case n < 4:
		return "null"
	case n < 10 && len(stored) > 0:
		s := stored[r.IntN(len(stored))]
		if r.IntN(2) == 0 && len(s) > 2 { // a piece of a stored value, in another case
			i := r.IntN(len(s) - 1)
			s = strings.ToUpper(s[i:min(len(s), i+1+r.IntN(4))])
		}
		return quoteFilter(s)
	}
	return quoteFilter(diffString(r, 3))
}

func quoteFilter(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

// diffFilter builds a random filter of up to depth levels.
func diffFilter(r *rand.Rand, depth int, stored []string) string {
	if depth > 0 {
		switch r.IntN(5) {
		case 0:
			return diffFilter(r, depth-1, stored) + " and " + diffFilter(r, depth-1, stored)
		case 1:
			return "(" + diffFilter(r, depth-1, stored) + " or " + diffFilter(r, depth-1, stored) + ")"
		case 2:
			return "not (" + diffFilter(r, depth-1, stored) + ")"
		}
	}
	attr := diffAttrs[r.IntN(len(diffAttrs))]
	op := diffOps[r.IntN(len(diffOps))]
	if op == "pr" {
		return attr + " pr"
	}
	return attr + " " + op + " " + diffLiteral(r, stored)
}

// seedDiffUsers creates random users (some inactive, some without
// externalId, some deleted) and returns the strings they hold.
func seedDiffUsers(t *testing.T, srv *Server, st store.Store, locID string, r *rand.Rand, n int) []string {
	t.Helper()
	ctx := context.Background()
	var stored []string
	taken := map[string]bool{}
	for i := 0; len(stored) < 3*n && i < 20*n; i++ {
		userName := diffString(r, 4) + fmt.Sprint(i%7)
		key := FoldUserName(userName)
		if taken[key] {
			continue
		}
		taken[key] = true
		doc := map[string]any{"userName": userName, "active": r.IntN(4) != 0,
			"displayName": diffString(r, 2), "name": map[string]any{"givenName": diffString(r, 2)}}
		if r.IntN(3) != 0 {
			doc["externalId"] = diffString(r, 3)
		}
		if r.IntN(4) == 0 {
			doc["emails"] = []any{map[string]any{"value": diffString(r, 3), "type": "work"}}
		}
		id, err := newUserID()
		require.NoError(t, err)
		if r.IntN(5) == 0 {
			id = diffString(r, 2) + "-" + id[:8] // ids the filters can hit by prefix too
		}
		u := store.User{LocationID: locID, ID: id, Invitation: store.NotInvited, SignIn: store.SignInOkta}
		require.NoError(t, srv.setDoc(&u, doc))
		u, err = st.CreateUser(ctx, u)
		require.NoError(t, err)
		if r.IntN(8) == 0 {
			_, err = st.UpdateUser(ctx, locID, u.ID, func(x *store.User) error { x.Deleted = true; return nil })
			require.NoError(t, err)
		}
		stored = append(stored, userName, id)
		if ext, ok := doc["externalId"].(string); ok {
			stored = append(stored, ext)
		}
		if len(stored) >= 3*n {
			break
		}
	}
	return stored
}

// runFilterDifferential compares, for random filters, the users selected by
// the store's condition with those filter.Match selects.
func runFilterDifferential(t *testing.T, st store.Store, seed uint64, filters int) {
	ctx := context.Background()
	srv, err := NewServer(st, Config{})
	require.NoError(t, err)
	loc, _, err := srv.CreateLocation(ctx, "diff", QueryFull)
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	stored := seedDiffUsers(t, srv, st, loc.ID, r, 150)
	var all []store.User
	require.NoError(t, st.ScanUsers(ctx, loc.ID, false, func(u store.User) bool { all = append(all, u); return true }))
	require.NotEmpty(t, all)

	exactSeen, inexactSeen, nonEmpty := 0, 0, 0
	for range filters {
		text := diffFilter(r, r.IntN(3), stored)
		expr, err := filter.Parse(text)
		if err != nil {
			continue // co, sw and ew take strings only: the parser refuses the rest
		}
		want := []string{}
		for _, u := range all {
			doc, err := loadDoc(u)
			require.NoError(t, err)
			if filter.Match(expr, fullUser(u, doc, "http://x/scim/v2/diff")) {
				want = append(want, u.ID)
			}
		}
		cond, exact := srv.storeCond(expr)
		got, total, err := st.FindUsers(ctx, loc.ID, cond, store.Page{Limit: len(all) + 1})
		require.NoError(t, err, text)
		require.Len(t, got, total, text)
		gotIDs := make([]string, 0, len(got))
		for _, u := range got {
			gotIDs = append(gotIDs, u.ID)
		}
		if exact {
			exactSeen++
			require.Equal(t, want, gotIDs, "filter %s (SQL selects exactly what filter.Match selects)", text)
		} else {
			inexactSeen++
			require.Subset(t, gotIDs, want, "filter %s (the SQL candidates must hold every match)", text)
		}
		if len(want) > 0 {
			nonEmpty++
		}
	}
	// The generator must exercise both paths and filters that match.
	assert.Greater(t, exactSeen, filters/5)
	assert.Greater(t, inexactSeen, filters/10)
	assert.Greater(t, nonEmpty, filters/10)
}

func TestFilterSQLMatchesMemorySQLite(t *testing.T) {
	st, err := store.Open(context.Background(), ":memory:", nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	runFilterDifferential(t, st, 11, 1500)
}

func TestFilterSQLMatchesMemoryPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL cluster start skipped in -short mode")
	}
	cluster := pgtest.Start(t)
	st, err := store.Open(context.Background(), pgtest.CreateDatabase(t, cluster), nil, store.WithPostgres(pgstore.Open))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	runFilterDifferential(t, st, 12, 1000)
}

// TestFilterSQLFaultsUseMemory: faults that change what a filter finds
// keep the in-memory path.
func TestFilterSQLFaultsUseMemory(t *testing.T) {
	st, err := store.Open(context.Background(), ":memory:", nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	expr, err := filter.Parse(`userName co "a"`)
	require.NoError(t, err)
	for _, f := range []string{faultCaseSensitiveName, faultForgetDeactivated} {
		srv, err := NewServer(st, Config{Faults: []string{f}})
		require.NoError(t, err)
		_, ok := srv.sqlFilter(expr)
		assert.False(t, ok, f)
	}
	srv, err := NewServer(st, Config{})
	require.NoError(t, err)
	_, ok := srv.sqlFilter(expr)
	assert.True(t, ok)
}
