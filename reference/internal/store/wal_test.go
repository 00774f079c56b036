package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// maxWALBytes is the bound the -wal file must stay under while serving.
const maxWALBytes = 64 << 20

// TestSQLiteWALBounded writes 10,000 users with 8 writers while 2 readers
// keep reading, and samples the size of the -wal file after every write:
// the checkpointer must keep it under 64 MB (without it the file grew by
// about 30 KB per write, 301 MB after 10k creates). The store runs with
// synchronous=OFF here: the checkpointer does not depend on it, and without
// an fsync per commit the writes come several times faster, which makes the
// WAL grow faster between checkpoints (a harder test, and one that fits in
// make test). Bounded: 10,000 writes or 5 minutes (then it fails).
func TestSQLiteWALBounded(t *testing.T) {
	const total, writers = 10000, 8
	if testing.Short() {
		t.Skip("WAL bound test (10,000 synchronous writes) skipped in -short mode; make test runs it")
	}
	path := filepath.Join(t.TempDir(), "wal.db")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ss, err := newSQLite(ctx, path, strings.Replace(sqliteWriteParams, "_synchronous=FULL", "_synchronous=OFF", 1), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s := Store(classifying{s: ss})
	defer s.Close()
	mustLocation(t, s, "loc")

	var next, maxWAL atomic.Int64
	sample := func() {
		if st, err := os.Stat(path + "-wal"); err == nil {
			for {
				m := maxWAL.Load()
				if st.Size() <= m || maxWAL.CompareAndSwap(m, st.Size()) {
					break
				}
			}
		}
	}
	stopReaders := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for i := 0; ; i++ {
				select {
				case <-stopReaders:
					return
				default:
				}
				// What every SCIM request does: read its location, then a user.
				if _, err := s.Location(ctx, "loc"); err != nil && ctx.Err() == nil {
					t.Errorf("read: %v", err)
					return
				}
				if _, err := s.User(ctx, "loc", fmt.Sprintf("id-%d", 1+i%int(max(next.Load(), 1)))); err != nil && !errors.Is(err, ErrNotFound) && ctx.Err() == nil {
					t.Errorf("read: %v", err)
					return
				}
			}
		}()
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	start := time.Now()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > total || ctx.Err() != nil {
					return
				}
				u := newUser("loc", fmt.Sprintf("id-%d", n), fmt.Sprintf("user%d@example.com", n))
				u.Doc = []byte(fmt.Sprintf(`{"userName":"user%d@example.com","name":{"givenName":"Given","familyName":"Family"},"displayName":"A user with a longer display name to fill pages %d"}`, n, n))
				if _, err := s.CreateUser(ctx, u); err != nil {
					errs <- err
					return
				}
				sample()
			}
		}()
	}
	wg.Wait()
	close(stopReaders)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("create: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("10,000 creates did not finish within 5 minutes")
	}
	_, n, err := s.ListUsers(ctx, "loc", Page{})
	if err != nil || n != total {
		t.Fatalf("users stored: %d, %v; want %d", n, err, total)
	}
	t.Logf("%d creates by %d writers in %s; largest -wal file seen: %.1f MB (bound %d MB)",
		total, writers, time.Since(start).Round(time.Millisecond), float64(maxWAL.Load())/(1<<20), maxWALBytes>>20)
	if maxWAL.Load() > maxWALBytes {
		t.Errorf("the -wal file reached %d bytes, over the %d-byte bound", maxWAL.Load(), maxWALBytes)
	}
}
