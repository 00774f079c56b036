package store

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
)

// BenchmarkSCIMRead is what a SCIM read of one user costs the SQLite store:
// the location (its current key hash, checked on every request) and the
// user, as two queries (Location then User, the server's path before) and
// as one (LocationUser, the path now). Sequential, 1k users.
func BenchmarkSCIMRead(b *testing.B) {
	ctx := context.Background()
	ss, err := newSQLite(ctx, filepath.Join(b.TempDir(), "read.db"), sqliteWriteParams, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ss.Close() })
	s := Store(classifying{s: ss})
	if err := s.CreateLocation(ctx, Location{ID: "loc", Name: "loc", KeyHash: make([]byte, 32), QueryAttributes: "limited"}); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateUsers(ctx, 1000, func(i int) User { return newUser("loc", fmt.Sprintf("id-%d", i), fmt.Sprintf("user%d", i)) }); err != nil {
		b.Fatal(err)
	}
	b.Run("two-queries", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, err := s.Location(ctx, "loc"); err != nil {
				b.Fatal(err)
			}
			if _, err := s.User(ctx, "loc", fmt.Sprintf("id-%d", i%1000)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("one-query", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, _, found, err := s.LocationUser(ctx, "loc", UserLookup{ID: fmt.Sprintf("id-%d", i%1000)}); err != nil || !found {
				b.Fatal(found, err)
			}
		}
	})
}
