package store

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	sqlite3 "modernc.org/sqlite/lib"
)

// ErrUnavailable marks an error caused by a store that cannot answer now
// (PostgreSQL down or unreachable, a connection lost, a database locked for
// longer than the busy timeout). The server answers it with 503 and
// Retry-After: the request may succeed later unchanged.
var ErrUnavailable = errors.New("store: unavailable")

// ErrInvalidData marks a write or lookup the database refused because of its
// data (a constraint other than uniqueness, a value the column cannot hold,
// an index row too large). The edge validation should have refused such
// input first; the server answers it with 400 rather than 500.
var ErrInvalidData = errors.New("store: data refused by the database")

// classified wraps err with the class it belongs to, keeping err's text.
type classified struct {
	class error
	err   error
}

func (c *classified) Error() string { return c.err.Error() }

// Unwrap exposes both the class and the cause to errors.Is and errors.As.
func (c *classified) Unwrap() []error { return []error{c.class, c.err} }

// classify marks err as ErrUnavailable or ErrInvalidData when it is one;
// other errors (and nil) are returned unchanged.
func classify(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) ||
		errors.Is(err, ErrUnavailable) || errors.Is(err, ErrInvalidData) {
		return err
	}
	if unavailable(err) {
		return &classified{class: ErrUnavailable, err: err}
	}
	if invalidData(err) {
		return &classified{class: ErrInvalidData, err: err}
	}
	return err
}

// unavailable reports whether err means that the store cannot answer now.
func unavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if code := sqlState(err); code != "" {
		switch {
		case len(code) == 5 && code[:2] == "08", // connection exception
			len(code) == 5 && code[:2] == "53",                // insufficient resources
			code == "57P01", code == "57P02", code == "57P03", // shutdown, cannot connect now
			code == "40001", code == "40P01": // serialization failure, deadlock: retryable
			return true
		}
		return false
	}
	// A failed connection attempt wraps the dial error (net.Error,
	// ECONNREFUSED below) or the server's refusal (SQLSTATE above); a
	// driver timeout wraps context.DeadlineExceeded or a net.Error.
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	switch sqliteCode(err) & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR:
		return true
	}
	return false
}

// invalidData reports whether the database refused err's statement for its data.
func invalidData(err error) bool {
	if code := sqlState(err); len(code) == 5 {
		switch code[:2] {
		case "22", // data exception: invalid byte sequence, string too long, …
			"23", // integrity constraint violation (uniqueness is mapped before)
			"54": // program limit exceeded: index row too large
			return true
		}
	}
	switch sqliteCode(err) & 0xff {
	case sqlite3.SQLITE_CONSTRAINT, sqlite3.SQLITE_TOOBIG, sqlite3.SQLITE_MISMATCH:
		return true
	}
	return false
}

// sqlState is the SQLSTATE of a PostgreSQL server error in err's chain, or
// "". The driver's error type (pgconn.PgError) says it through its SQLState
// method, so this package needs no import of the driver.
func sqlState(err error) string {
	var se interface{ SQLState() string }
	if errors.As(err, &se) {
		return se.SQLState()
	}
	return ""
}

// Describe names the class of a store error for /healthz and logs, without
// any connection detail.
func Describe(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrUnavailable):
		return "the database is unavailable"
	case errors.Is(err, ErrInvalidData):
		return "the database refused the data"
	}
	return "the database answered an unexpected error"
}
