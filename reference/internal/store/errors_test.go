package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestClassify maps database errors to the classes the server answers with
// 503 (unavailable) and 400 (invalid data); other errors keep no class.
func TestClassify(t *testing.T) {
	for _, c := range []struct {
		name        string
		err         error
		unavailable bool
		invalid     bool
	}{
		{"connection refused", fmt.Errorf("store: read: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true, false},
		{"connection reset", fmt.Errorf("x: %w", syscall.ECONNRESET), true, false},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), true, false},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true, false},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true, false},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true, false},
		{"invalid byte sequence", fmt.Errorf("x: %w", &pgconn.PgError{Code: "22021"}), false, true},
		{"index row too large", &pgconn.PgError{Code: "54000"}, false, true},
		{"check violation", &pgconn.PgError{Code: "23514"}, false, true},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false, false},
		{"plain", errors.New("boom"), false, false},
		{"not found", fmt.Errorf("%w: x", ErrNotFound), false, false},
	} {
		got := classify(c.err)
		if errors.Is(got, ErrUnavailable) != c.unavailable || errors.Is(got, ErrInvalidData) != c.invalid {
			t.Errorf("%s: classify(%v) unavailable=%v invalid=%v, want %v %v", c.name, c.err,
				errors.Is(got, ErrUnavailable), errors.Is(got, ErrInvalidData), c.unavailable, c.invalid)
		}
		if got.Error() != c.err.Error() {
			t.Errorf("%s: classify changed the text: %q", c.name, got)
		}
		if !errors.Is(got, c.err) {
			t.Errorf("%s: the cause is lost", c.name)
		}
	}
	if classify(nil) != nil {
		t.Errorf("classify(nil) is not nil")
	}
}
