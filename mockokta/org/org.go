package org

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/xakia-okta/scimtest/mockokta"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Errors of the org. Methods wrap them with the detail; test with errors.Is.
var (
	// ErrNotFound: no person, app, assignment, task or blob with that id.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the input is not acceptable (see the wrapping message);
	// nothing was changed.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict: a login or another unique value is taken.
	ErrConflict = errors.New("conflict")
	// ErrLifecycle: the transition is not allowed from the current status
	// (suspend a person who is not active, delete one who is not
	// deactivated, …).
	ErrLifecycle = errors.New("lifecycle transition not allowed")
	// ErrBadCredentials: a login and password, or a token, did not match.
	ErrBadCredentials = errors.New("bad credentials")
	// ErrInactive: the person is not ACTIVE (sign-in refused).
	ErrInactive = errors.New("person is not active")
	// ErrQueueFull: the provisioning queue holds Options.QueueSize tasks.
	ErrQueueFull = errors.New("provisioning queue is full")
	// ErrClosed: the org was closed.
	ErrClosed = errors.New("org is closed")
)

// invalidf returns an error wrapping ErrInvalid with a message.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Defaults of Options.
const (
	DefaultQueueSize = 10000
	// DefaultTaskTimeout bounds one run of a provisioning task.
	DefaultTaskTimeout = 5 * time.Minute
)

// Options configure [Open].
type Options struct {
	// Path is the SQLite database file; it is created when missing. Empty
	// or ":memory:" means a temporary database removed by Close.
	Path string
	// Logger receives structured logs (never a secret); nil discards them.
	Logger *slog.Logger
	// Transport carries the SCIM requests of provisioning tasks (a clone of
	// http.DefaultTransport, HTTP/1.1 only, when nil).
	Transport http.RoundTripper
	// Timeout is the per-request timeout of SCIM requests
	// (mockokta.DefaultTimeout when zero).
	Timeout time.Duration
	// RateLimit is the 429 policy (mockokta.OktaRateLimitPolicy() when
	// zero): a task whose request got 429 is put back in the queue for the
	// policy's wait and run again from its first request, at most
	// MaxAttempts times.
	RateLimit mockokta.RateLimitPolicy
	// WaitScale multiplies every wait of the 429 policy (0 or 1: real
	// time; 0.001 turns 5 minutes into 300 ms).
	WaitScale float64
	// QueueSize bounds the tasks waiting in the queue (DefaultQueueSize).
	QueueSize int
	// MaxBody bounds every SCIM response body (8 MiB when zero).
	MaxBody int64
	// NoWorker leaves the queue unserved (tests that inspect queued tasks).
	NoWorker bool
	// Now is the clock of timestamps and the queue (time.Now when nil).
	Now func() time.Time
}

// Org is a mock Okta org backed by a SQLite database. It is safe for
// concurrent use.
type Org struct {
	db        *sql.DB
	tempDir   string
	log       *slog.Logger
	transport http.RoundTripper
	ownTrans  bool
	opts      Options
	now       func() time.Time

	// writeMu serialises read-modify-write sequences.
	writeMu sync.Mutex

	wake     chan struct{} // buffered 1: the queue changed
	stop     chan struct{} // closed by Close
	stopped  chan struct{} // closed when the worker returned
	closing  sync.Once
	closeErr error
	cancelMu sync.Mutex
	cancel   context.CancelFunc // of the running task
}

// Open opens (or creates) the org's database, applies the schema, puts
// tasks a crash left running back in the queue and starts the provisioning
// worker.
func Open(ctx context.Context, opts Options) (*Org, error) {
	o := &Org{opts: opts, log: opts.Logger, now: opts.Now}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.opts.QueueSize <= 0 {
		o.opts.QueueSize = DefaultQueueSize
	}
	if o.opts.RateLimit.MaxAttempts <= 0 {
		o.opts.RateLimit = mockokta.OktaRateLimitPolicy()
	}
	path := opts.Path
	if path == "" || path == ":memory:" {
		dir, err := os.MkdirTemp("", "mockokta-org-*")
		if err != nil {
			return nil, fmt.Errorf("org: temporary directory: %w", err)
		}
		o.tempDir = dir
		path = filepath.Join(dir, "mockokta.db")
	} else if strings.ContainsAny(path, "?#") {
		return nil, invalidf("the database path %q must be a file path (no ? or #)", path)
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		o.removeTemp()
		return nil, fmt.Errorf("org: open %s: %w", path, err)
	}
	// One connection: every statement is serialised, transactions never
	// wait on each other inside the process.
	db.SetMaxOpenConns(1)
	o.db = db
	if err := o.migrate(ctx); err != nil {
		_ = db.Close()
		o.removeTemp()
		return nil, fmt.Errorf("org: %s: %w", path, err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE tasks SET state = ? WHERE state = ?`, string(TaskQueued), string(TaskRunning)); err != nil {
		_ = db.Close()
		o.removeTemp()
		return nil, fmt.Errorf("org: resume the queue: %w", err)
	}
	o.transport = opts.Transport
	if o.transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ForceAttemptHTTP2 = false
		t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		o.transport = t
		o.ownTrans = true
	}
	o.wake = make(chan struct{}, 1)
	o.stop = make(chan struct{})
	o.stopped = make(chan struct{})
	if opts.NoWorker {
		close(o.stopped)
	} else {
		go o.worker()
	}
	return o, nil
}

func (o *Org) removeTemp() {
	if o.tempDir != "" {
		_ = os.RemoveAll(o.tempDir)
	}
}

// Close stops the provisioning worker and closes the database. The running
// task may finish until ctx ends; then it is cancelled and put back in the
// queue, to run again at the next Open. Queued tasks stay queued.
func (o *Org) Close(ctx context.Context) error {
	o.closing.Do(func() {
		close(o.stop)
		o.signal()
		select {
		case <-o.stopped:
		case <-ctx.Done():
			o.cancelMu.Lock()
			if o.cancel != nil {
				o.cancel()
			}
			o.cancelMu.Unlock()
			<-o.stopped
		}
		if o.ownTrans {
			if t, ok := o.transport.(*http.Transport); ok {
				t.CloseIdleConnections()
			}
		}
		o.closeErr = o.db.Close()
		o.removeTemp()
	})
	return o.closeErr
}

// closed reports whether Close was called.
func (o *Org) closed() bool {
	select {
	case <-o.stop:
		return true
	default:
		return false
	}
}

// schema is applied in order; entry i brings the database to version i+1.
// Never edit an applied entry: append a new one.
var schema = [][]string{{
	`CREATE TABLE meta (
		key   TEXT PRIMARY KEY NOT NULL,
		value BLOB NOT NULL
	) STRICT`,
	`CREATE TABLE people (
		seq             INTEGER PRIMARY KEY AUTOINCREMENT,
		id              TEXT NOT NULL UNIQUE,
		login_key       TEXT NOT NULL UNIQUE,
		status          TEXT NOT NULL,
		profile         TEXT NOT NULL,
		password_hash   TEXT NOT NULL DEFAULT '',
		created         TEXT NOT NULL,
		activated       TEXT NOT NULL DEFAULT '',
		status_changed  TEXT NOT NULL DEFAULT '',
		last_updated    TEXT NOT NULL,
		password_changed TEXT NOT NULL DEFAULT '',
		last_login      TEXT NOT NULL DEFAULT ''
	) STRICT`,
	`CREATE TABLE apps (
		seq          INTEGER PRIMARY KEY AUTOINCREMENT,
		id           TEXT NOT NULL UNIQUE,
		kind         TEXT NOT NULL,
		label        TEXT NOT NULL,
		status       TEXT NOT NULL,
		settings     TEXT NOT NULL,
		scim_token   TEXT NOT NULL DEFAULT '',
		client_secret TEXT NOT NULL DEFAULT '',
		created      TEXT NOT NULL,
		last_updated TEXT NOT NULL
	) STRICT`,
	`CREATE TABLE assignments (
		app_id       TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
		person_id    TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
		seq          INTEGER NOT NULL,
		assigned     INTEGER NOT NULL,
		status       TEXT NOT NULL,
		sync_state   TEXT NOT NULL,
		scim_id      TEXT NOT NULL DEFAULT '',
		link_active  INTEGER NOT NULL DEFAULT 0,
		last_error   TEXT NOT NULL DEFAULT '',
		created      TEXT NOT NULL,
		last_updated TEXT NOT NULL,
		last_sync    TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (app_id, person_id)
	) STRICT`,
	`CREATE INDEX assignments_app_seq ON assignments(app_id, seq)`,
	`CREATE TABLE tasks (
		id          INTEGER PRIMARY KEY AUTOINCREMENT,
		app_id      TEXT NOT NULL,
		person_id   TEXT NOT NULL,
		login       TEXT NOT NULL,
		op          TEXT NOT NULL,
		state       TEXT NOT NULL,
		attempts    INTEGER NOT NULL DEFAULT 0,
		not_before  TEXT NOT NULL,
		last_wait_ms INTEGER NOT NULL DEFAULT 0,
		message     TEXT NOT NULL DEFAULT '',
		result      TEXT NOT NULL DEFAULT '',
		created     TEXT NOT NULL,
		updated     TEXT NOT NULL
	) STRICT`,
	`CREATE INDEX tasks_state ON tasks(state, id)`,
	`CREATE TABLE log (
		seq       INTEGER PRIMARY KEY AUTOINCREMENT,
		time      TEXT NOT NULL,
		app_id    TEXT NOT NULL,
		person_id TEXT NOT NULL,
		login     TEXT NOT NULL,
		op        TEXT NOT NULL,
		task_id   INTEGER NOT NULL,
		ok        INTEGER NOT NULL,
		entry     TEXT NOT NULL
	) STRICT`,
	`CREATE TABLE blobs (
		name  TEXT PRIMARY KEY NOT NULL,
		value BLOB NOT NULL
	) STRICT`,
}}

// migrate brings the schema up to date in one transaction.
func (o *Org) migrate(ctx context.Context) error {
	tx, err := o.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	if version > len(schema) {
		return fmt.Errorf("the database has schema version %d, this mockokta knows %d", version, len(schema))
	}
	for i := version; i < len(schema); i++ {
		for _, stmt := range schema[i] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("schema %d: %w", i+1, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, len(schema))); err != nil {
		return err
	}
	return tx.Commit()
}

// timeLayout is how times are stored (UTC, sortable).
const timeLayout = "2006-01-02T15:04:05.000Z"

func (o *Org) stamp() string { return o.now().UTC().Format(timeLayout) }

// parseTime reads a stored time; "" is the zero time.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse(timeLayout, s)
	return t
}

// inTx runs fn in one transaction under writeMu (the org's read-modify-write
// lock) and commits when fn returns nil; when it returns an error nothing
// it did is kept.
func (o *Org) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	tx, err := o.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
