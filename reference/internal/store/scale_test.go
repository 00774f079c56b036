package store

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scaleCases are the store halves of issue 11, run on every backend with
// the contract: group commit, maintained counts, keyset pages, bulk inserts
// and conditions.
var scaleCases = []contractCase{
	{name: "group commit isolates conflicts", run: func(t *testing.T, h *harness) { groupCommitConflicts(t, h.open(t)) }},
	{name: "counts and keyset pages", run: func(t *testing.T, h *harness) { countsAndKeyset(t, h.open(t)) }},
	{name: "bulk insert is all or nothing", run: func(t *testing.T, h *harness) { bulkInsert(t, h.open(t)) }},
	{name: "conditions", run: func(t *testing.T, h *harness) { conditions(t, h.open(t)) }},
}

// groupCommitConflicts creates users from many goroutines at once, a third
// of them with a userName already taken: exactly those fail with
// ErrConflict, every other one is stored and readable.
func groupCommitConflicts(t *testing.T, s Store) {
	mustLocation(t, s, "loc")
	mustCreate(t, s, newUser("loc", "taken", "taken@example.com"))
	const workers, each = 8, 30
	type outcome struct {
		u   User
		err error
		dup bool
	}
	out := make([][]outcome, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				dup := i%3 == 0
				name := fmt.Sprintf("w%d-%d@example.com", w, i)
				if dup {
					name = "TAKEN@example.com"
				}
				u, err := s.CreateUser(testCtx(t), newUser("loc", fmt.Sprintf("id-%d-%d", w, i), name))
				out[w] = append(out[w], outcome{u: u, err: err, dup: dup})
			}
		}()
	}
	wg.Wait()
	created := 1
	for _, list := range out {
		for _, o := range list {
			if o.dup {
				require.ErrorIs(t, o.err, ErrConflict)
				continue
			}
			require.NoError(t, o.err)
			assert.Positive(t, o.u.Seq)
			got := mustUser(t, s, "loc", o.u.ID)
			assert.Empty(t, sameUser(o.u, got))
			created++
		}
	}
	c, err := s.UserCounts(testCtx(t), "loc")
	require.NoError(t, err)
	assert.Equal(t, Counts{Live: int64(created), All: int64(created)}, c)
	_, total, err := s.ListUsers(testCtx(t), "loc", Page{})
	require.NoError(t, err)
	assert.Equal(t, created, total)
}

// countsAndKeyset checks the maintained counts through deletions and that
// a keyset page equals the offset page it replaces.
func countsAndKeyset(t *testing.T, s Store) {
	ctx := testCtx(t)
	mustLocation(t, s, "loc")
	mustLocation(t, s, "other")
	for i := range 10 {
		mustCreate(t, s, newUser("loc", fmt.Sprintf("u%02d", i), fmt.Sprintf("u%02d@example.com", i)))
	}
	mustCreate(t, s, newUser("other", "o1", "o1@example.com"))
	c, err := s.UserCounts(ctx, "loc")
	require.NoError(t, err)
	assert.Equal(t, Counts{Live: 10, All: 10}, c)

	_, err = s.UpdateUser(ctx, "loc", "u03", setDeleted(true))
	require.NoError(t, err)
	_, err = s.UpdateUser(ctx, "loc", "u04", func(u *User) error { u.Active = false; return nil })
	require.NoError(t, err)
	c, err = s.UserCounts(ctx, "loc")
	require.NoError(t, err)
	assert.Equal(t, Counts{Live: 9, All: 10, Removals: 1}, c, "deactivation is no removal")
	_, err = s.UpdateUser(ctx, "loc", "u03", setDeleted(false))
	require.NoError(t, err)
	c, err = s.UserCounts(ctx, "loc")
	require.NoError(t, err)
	assert.Equal(t, Counts{Live: 10, All: 10, Removals: 2}, c)
	_, err = s.UpdateUser(ctx, "loc", "u05", setDeleted(true))
	require.NoError(t, err)

	byOffset, total, err := s.ListUsers(ctx, "loc", Page{Offset: 3, Limit: 4})
	require.NoError(t, err)
	assert.Equal(t, 9, total)
	prev, _, err := s.ListUsers(ctx, "loc", Page{Offset: 2, Limit: 1})
	require.NoError(t, err)
	require.Len(t, prev, 1)
	byKey, total, err := s.ListUsers(ctx, "loc", Page{AfterSeq: prev[0].Seq, Offset: 99, Limit: 4})
	require.NoError(t, err)
	assert.Equal(t, 9, total)
	assert.Equal(t, []string{"u03", "u04", "u06", "u07"}, ids(byOffset))
	assert.Equal(t, ids(byOffset), ids(byKey))

	all, total, err := s.ListUsers(ctx, "loc", Page{Limit: 100, IncludeDeleted: true})
	require.NoError(t, err)
	assert.Equal(t, 10, total)
	assert.Len(t, all, 10)
	_, total, err = s.ListUsers(ctx, "nowhere", Page{Limit: 10})
	require.NoError(t, err)
	assert.Zero(t, total)
}

// bulkInsert stores n users in one call, and a call with a duplicate
// stores none.
func bulkInsert(t *testing.T, s Store) {
	ctx := testCtx(t)
	mustLocation(t, s, "loc")
	gen := func(prefix string) func(int) User {
		return func(i int) User {
			return newUser("loc", fmt.Sprintf("%s%05d", prefix, i), fmt.Sprintf("%s%05d@example.com", prefix, i))
		}
	}
	require.NoError(t, s.CreateUsers(ctx, 2500, gen("a")))
	c, err := s.UserCounts(ctx, "loc")
	require.NoError(t, err)
	assert.Equal(t, int64(2500), c.Live)
	u, err := s.UserByUserNameKey(ctx, "loc", "a02499@example.com")
	require.NoError(t, err)
	assert.Equal(t, int64(1), u.Version)

	dupAt := func(i int) User {
		if i == 1700 {
			return newUser("loc", "b-dup", "a00007@example.com")
		}
		return gen("b")(i)
	}
	require.ErrorIs(t, s.CreateUsers(ctx, 2000, dupAt), ErrConflict)
	c, err = s.UserCounts(ctx, "loc")
	require.NoError(t, err)
	assert.Equal(t, int64(2500), c.Live, "a failed bulk insert stores nothing")
	_, err = s.User(ctx, "loc", "b00001")
	require.ErrorIs(t, err, ErrNotFound)
}

// conditions checks the SQL templates of each operator on both backends
// (the reference package compares them with filter.Match at random).
func conditions(t *testing.T, s Store) {
	ctx := testCtx(t)
	mustLocation(t, s, "loc")
	a := newUser("loc", "id-a", "Alice@x")
	b := newUser("loc", "id-b", "bob@y")
	b.ExternalID = ""
	b.Active = false
	c := newUser("loc", "id-c", "carol@x")
	for _, u := range []User{a, b, c} {
		mustCreate(t, s, u)
	}
	key := Field(FieldUserNameKey)
	cases := []struct {
		name string
		cond Cond
		want []string
	}{
		{"eq", Cond{Op: CondEq, Field: key, Str: "alice@x"}, []string{"id-a"}},
		{"contains", Cond{Op: CondContains, Field: key, Str: "o"}, []string{"id-b", "id-c"}},
		{"prefix", Cond{Op: CondPrefix, Field: FieldID, Str: "id-"}, []string{"id-a", "id-b", "id-c"}},
		{"suffix", Cond{Op: CondSuffix, Field: key, Str: "@x"}, []string{"id-a", "id-c"}},
		{"suffix longer than value", Cond{Op: CondSuffix, Field: key, Str: "zzzzzzzzzzzz@x"}, []string{}},
		{"gt", Cond{Op: CondGt, Field: key, Str: "b"}, []string{"id-b", "id-c"}},
		{"le", Cond{Op: CondLe, Field: key, Str: "bob@y"}, []string{"id-a", "id-b"}},
		{"present externalId", Cond{Op: CondPresent, Field: FieldExternalID}, []string{"id-a", "id-c"}},
		{"not eq on unset externalId", Cond{Op: CondNot, Kids: []Cond{{Op: CondEq, Field: FieldExternalID, Str: "00uid-a"}}}, []string{"id-b", "id-c"}},
		{"active", Cond{Op: CondEq, Field: FieldActive, Bool: false}, []string{"id-b"}},
		{"or/and", Cond{Op: CondOr, Kids: []Cond{{Op: CondEq, Field: FieldID, Str: "id-a"},
			{Op: CondAnd, Kids: []Cond{{Op: CondEq, Field: FieldActive, Bool: true}, {Op: CondContains, Field: key, Str: "rol"}}}}}, []string{"id-a", "id-c"}},
		{"false", Cond{Op: CondFalse}, []string{}},
	}
	for _, tc := range cases {
		got, total, err := s.FindUsers(ctx, "loc", tc.cond, Page{Limit: 10})
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, ids(got), tc.name)
		assert.Equal(t, len(tc.want), total, tc.name)
	}
	page, total, err := s.FindUsers(ctx, "loc", Cond{Op: CondTrue}, Page{Offset: 1, Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, 3, total)
	assert.Equal(t, []string{"id-b"}, ids(page))
	_, _, err = s.FindUsers(ctx, "loc", Cond{Op: CondNot}, Page{Limit: 1})
	require.Error(t, err, "a malformed condition is refused")
}
