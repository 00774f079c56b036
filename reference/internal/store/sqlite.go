package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite connection settings. The write pool has a single connection, so the
// process's writers queue in database/sql instead of spinning on SQLITE_BUSY;
// busy_timeout covers writers in other processes (a CLI command run while the
// server is up). _txlock=immediate takes the write lock at BEGIN, so a
// read-then-write transaction (UpdateUser) can never fail to upgrade its lock.
// synchronous=FULL makes an acknowledged write survive a power loss in WAL
// mode. Readers use their own pool in query_only mode: in WAL mode they never
// block the writer nor each other.
const (
	sqliteBusyTimeoutMS = 10000
	sqliteWriteParams   = "_txlock=immediate&_busy_timeout=10000&_journal_mode=WAL&_synchronous=FULL&_foreign_keys=1&_pragma=temp_store(memory)&_pragma=cache_size(-32768)&_pragma=journal_size_limit(16777216)"
	sqliteReadParams    = "_busy_timeout=10000&_foreign_keys=1&_query_only=1"
	sqliteTimeLayout    = "2006-01-02T15:04:05.000000Z"
)

// sqliteMigrations are applied in order; entry i brings the schema to
// version i+1. Never edit an applied entry: append a new one.
var sqliteMigrations = [][]string{
	{
		`CREATE TABLE locations (
			id               TEXT PRIMARY KEY NOT NULL,
			name             TEXT NOT NULL,
			key_hash         BLOB NOT NULL,
			query_attributes TEXT NOT NULL,
			created          TEXT NOT NULL
		) STRICT`,
		`CREATE TABLE users (
			seq           INTEGER PRIMARY KEY AUTOINCREMENT,
			location_id   TEXT NOT NULL REFERENCES locations(id),
			id            TEXT NOT NULL,
			user_name     TEXT NOT NULL,
			user_name_key TEXT NOT NULL,
			external_id   TEXT,
			active        INTEGER NOT NULL,
			doc           TEXT NOT NULL,
			invitation    TEXT NOT NULL,
			sign_in       TEXT NOT NULL,
			deleted       INTEGER NOT NULL DEFAULT 0,
			created       TEXT NOT NULL,
			last_modified TEXT NOT NULL,
			version       INTEGER NOT NULL
		) STRICT`,
		`CREATE UNIQUE INDEX users_location_id ON users(location_id, id)`,
		`CREATE UNIQUE INDEX users_location_user_name_key ON users(location_id, user_name_key) WHERE deleted = 0`,
		`CREATE INDEX users_location_external_id ON users(location_id, external_id) WHERE deleted = 0`,
		`CREATE INDEX users_location_seq ON users(location_id, seq)`,
	},
	{
		`CREATE TABLE audit (
			seq         INTEGER PRIMARY KEY AUTOINCREMENT,
			location_id TEXT NOT NULL,
			time        TEXT NOT NULL,
			method      TEXT NOT NULL,
			path        TEXT NOT NULL,
			status      INTEGER NOT NULL,
			user_agent  TEXT NOT NULL,
			duration_ms REAL NOT NULL
		) STRICT`,
		`CREATE INDEX audit_location_seq ON audit(location_id, seq)`,
		`CREATE TABLE auth_failures (
			location_id TEXT NOT NULL,
			source      TEXT NOT NULL,
			minute      TEXT NOT NULL,
			count       INTEGER NOT NULL,
			last_status INTEGER NOT NULL,
			PRIMARY KEY (location_id, source, minute)
		) STRICT`,
	},
	{
		`CREATE TABLE member_credentials (
			location_id   TEXT NOT NULL,
			user_id       TEXT NOT NULL,
			password_hash TEXT NOT NULL,
			admin         INTEGER NOT NULL,
			PRIMARY KEY (location_id, user_id)
		) STRICT`,
		`CREATE TABLE signin_events (
			seq         INTEGER PRIMARY KEY AUTOINCREMENT,
			location_id TEXT NOT NULL,
			time        TEXT NOT NULL,
			method      TEXT NOT NULL,
			login       TEXT NOT NULL,
			user_id     TEXT NOT NULL,
			outcome     TEXT NOT NULL,
			detail      TEXT NOT NULL
		) STRICT`,
		`CREATE INDEX signin_events_location_seq ON signin_events(location_id, seq)`,
	},
	{
		// Maintained counts (see Counts): triggers keep them in the
		// transaction of every user write, so a list never counts rows.
		`CREATE TABLE user_counts (
			location_id TEXT PRIMARY KEY NOT NULL,
			live        INTEGER NOT NULL,
			total       INTEGER NOT NULL,
			removals    INTEGER NOT NULL
		) STRICT`,
		`INSERT INTO user_counts (location_id, live, total, removals)
			SELECT location_id, SUM(deleted = 0), COUNT(*), 0 FROM users GROUP BY location_id`,
		`CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
			INSERT INTO user_counts (location_id, live, total, removals) VALUES (NEW.location_id, NEW.deleted = 0, 1, 0)
				ON CONFLICT (location_id) DO UPDATE SET live = live + (NEW.deleted = 0), total = total + 1;
		END`,
		`CREATE TRIGGER users_count_deleted AFTER UPDATE OF deleted ON users WHEN OLD.deleted <> NEW.deleted BEGIN
			UPDATE user_counts SET live = live + OLD.deleted - NEW.deleted, removals = removals + 1
				WHERE location_id = NEW.location_id;
		END`,
	},
}

// sqliteStore is the SQLite implementation of Store.
type sqliteStore struct {
	write   *sql.DB // one connection; every write goes through it
	read    *sql.DB // query_only connections for reads
	path    string
	tempDir string // removed by Close when the database is a temporary one

	scanBatch int // users per ScanUsers query

	creates *GroupCommitter // group commit of CreateUser

	// stmts caches the read pool's prepared statements by query text: the
	// hot reads (a location, a user, the counts, a page) would otherwise
	// spend most of their time parsing SQL. Only constant query texts are
	// cached, so it stays small.
	stmts sync.Map // string → *sql.Stmt

	// The checkpointer (see checkpointLoop) keeps the -wal file bounded.
	writes     atomic.Int64  // committed write transactions
	checkpoint chan struct{} // asks the checkpointer to run now (buffered 1)
	stop       chan struct{} // closed by Close
	stopped    chan struct{} // closed when the checkpointer has returned
	logger     *slog.Logger

	// Records appended to each location's audit since its last trim
	// (AppendAudit trims every auditTrimEvery records).
	auditMu    sync.Mutex
	auditSince map[string]int

	closeOnce sync.Once
	closeErr  error
}

// openSQLiteTemp opens a SQLite database in a new temporary directory that
// Close removes (see Open for why not ":memory:").
func openSQLiteTemp(ctx context.Context, logger *slog.Logger) (Store, error) {
	dir, err := os.MkdirTemp("", "xakia-store-*")
	if err != nil {
		return nil, fmt.Errorf("store: create temporary directory for the in-memory database: %w", err)
	}
	path := filepath.Join(dir, "xakia.db")
	s, err := newSQLite(ctx, path, sqliteWriteParams, logger)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s.tempDir = dir
	logger.Debug("store: temporary SQLite database", "path", path)
	return s, nil
}

// openSQLite opens or creates the SQLite database file at path.
func openSQLite(ctx context.Context, path string, logger *slog.Logger) (Store, error) {
	if err := checkSQLitePath(path); err != nil {
		return nil, err
	}
	s, err := newSQLite(ctx, path, sqliteWriteParams, logger)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// checkSQLitePath turns the usual mistakes (missing directory, no write
// permission, a directory given as the file) into clear errors before SQLite
// reports "unable to open database file".
func checkSQLitePath(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("store: SQLite database %q: directory %q does not exist", path, dir)
	case err != nil:
		return fmt.Errorf("store: SQLite database %q: %w", path, err)
	case !st.IsDir():
		return fmt.Errorf("store: SQLite database %q: %q is not a directory", path, dir)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("store: SQLite database %q is a directory, not a file", path)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("store: SQLite database %q is not writable (check the permissions of the file and of %q)", path, dir)
		}
		if errors.Is(err, syscall.EROFS) {
			return fmt.Errorf("store: SQLite database %q is not writable: read-only file system", path)
		}
		return fmt.Errorf("store: SQLite database %q: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: SQLite database %q: %w", path, err)
	}
	// SQLite also needs to create the -wal and -shm files next to it.
	probe, err := os.CreateTemp(dir, ".xakia-write-probe-*")
	if err != nil {
		return fmt.Errorf("store: SQLite database %q: directory %q is not writable (SQLite needs to create %s-wal and %s-shm there): %w",
			path, dir, filepath.Base(path), filepath.Base(path), err)
	}
	name := probe.Name()
	_ = probe.Close()
	_ = os.Remove(name)
	return nil
}

// newSQLite opens path, retrying while another connection holds the lock.
// SQLite can answer SQLITE_BUSY at once, without waiting for busy_timeout,
// while connections opened together switch a new file to WAL; the retries
// are bounded by the same busy timeout.
//
// writeParams are the write pool's connection parameters (sqliteWriteParams;
// tests may relax synchronous to measure WAL growth at a higher write rate).
func newSQLite(ctx context.Context, path, writeParams string, logger *slog.Logger) (*sqliteStore, error) {
	deadline := time.Now().Add(sqliteBusyTimeoutMS * time.Millisecond)
	for attempt := 1; ; attempt++ {
		s, err := newSQLiteOnce(ctx, path, writeParams, logger)
		if err == nil || sqliteCode(err)&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return s, err
		}
		logger.Debug("store: SQLite database busy at open, retrying", "path", path, "attempt", attempt)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(10*attempt) * time.Millisecond):
		}
	}
}

// newSQLiteOnce opens both pools on path and applies the migrations.
func newSQLiteOnce(ctx context.Context, path, writeParams string, logger *slog.Logger) (*sqliteStore, error) {
	write, err := sql.Open("sqlite", path+"?"+writeParams)
	if err != nil {
		return nil, fmt.Errorf("store: open SQLite database %q: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := migrateSQLite(ctx, write, path, logger); err != nil {
		_ = write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite", path+"?"+sqliteReadParams)
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("store: open SQLite database %q: %w", path, err)
	}
	n := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	if err := read.PingContext(ctx); err != nil {
		_ = write.Close()
		_ = read.Close()
		return nil, fmt.Errorf("store: open SQLite database %q for reading: %w", path, err)
	}
	s := &sqliteStore{write: write, read: read, path: path, scanBatch: defaultScanBatch,
		checkpoint: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{}), logger: logger}
	s.creates = NewGroupCommitter(s.createGroup)
	go s.checkpointLoop()
	return s, nil
}

// WAL checkpointing while serving. SQLite's automatic checkpoint (PASSIVE,
// every 1000 pages) cannot restart the -wal file while readers keep using
// it, so under sustained writes the file grew without bound (301 MB after
// 10k creates). The checkpointer runs a RESTART checkpoint on the write
// connection every sqliteCheckpointEvery writes and at least every
// sqliteCheckpointInterval while writes happen: it waits (briefly) for
// readers, copies the WAL into the database and makes the next write start
// the WAL from its beginning again. The file is overwritten in place rather
// than truncated (the write connection's journal_size_limit cuts it back to
// 16 MB after a restart): truncating it to zero (TRUNCATE, used before)
// made each later commit's fsync also update the file's size and doubled
// the time spent checkpointing in the POST benchmark.
const (
	sqliteCheckpointEvery    = 256
	sqliteCheckpointInterval = time.Second
	// sqliteCheckpointBusyMS is the busy timeout of a checkpoint: writers
	// queue behind it, so it must be short; a checkpoint that cannot finish
	// in time is retried at the next trigger.
	sqliteCheckpointBusyMS = 500
)

// noteWrite counts a committed write and triggers a checkpoint every
// sqliteCheckpointEvery writes.
func (s *sqliteStore) noteWrite() {
	if s.writes.Add(1)%sqliteCheckpointEvery == 0 {
		select {
		case s.checkpoint <- struct{}{}:
		default:
		}
	}
}

// checkpointLoop runs until Close.
func (s *sqliteStore) checkpointLoop() {
	defer close(s.stopped)
	tick := time.NewTicker(sqliteCheckpointInterval)
	defer tick.Stop()
	var last int64
	for {
		select {
		case <-s.stop:
			return
		case <-s.checkpoint:
		case <-tick.C:
		}
		if n := s.writes.Load(); n != last {
			last = n
			if err := s.Checkpoint(context.Background()); err != nil {
				s.logger.Warn("store: WAL checkpoint failed; retried later", "path", s.path, "err", err)
			}
		}
	}
}

// Checkpoint runs a RESTART checkpoint on the write connection: every page
// of the -wal file is copied into the database and the next write starts
// the file from its beginning.
// A reader still using the WAL makes it fall short (it is then a PASSIVE
// checkpoint), which is not an error.
func (s *sqliteStore) Checkpoint(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", sqliteCheckpointBusyMS)); err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout = %d", sqliteBusyTimeoutMS))
	}()
	var busy, logPages, done int
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &logPages, &done); err != nil {
		if sqliteCode(err)&0xff == sqlite3.SQLITE_BUSY {
			return nil
		}
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	return nil
}

// migrateSQLite brings the schema up to date inside one immediate transaction,
// so two processes opening the same file apply each migration once.
func migrateSQLite(ctx context.Context, db *sql.DB, path string, logger *slog.Logger) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return sqliteOpenError(path, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY NOT NULL,
		applied TEXT NOT NULL
	) STRICT`); err != nil {
		return sqliteOpenError(path, err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&current); err != nil {
		return sqliteOpenError(path, err)
	}
	if current > len(sqliteMigrations) {
		return fmt.Errorf("store: SQLite database %q has schema version %d, newer than this program supports (%d): use a newer xakia-reference",
			path, current, len(sqliteMigrations))
	}
	for v := current + 1; v <= len(sqliteMigrations); v++ {
		for _, stmt := range sqliteMigrations[v-1] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("store: SQLite database %q: migration %d: %w", path, v, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied) VALUES (?, ?)`,
			v, now().Format(sqliteTimeLayout)); err != nil {
			return fmt.Errorf("store: SQLite database %q: record migration %d: %w", path, v, err)
		}
		logger.Info("store: applied schema migration", "backend", "sqlite", "version", v)
	}
	if err := tx.Commit(); err != nil {
		return sqliteOpenError(path, err)
	}
	return nil
}

// sqliteOpenError explains the SQLite errors a user can meet when opening.
func sqliteOpenError(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("store: %q is not a SQLite database: %w", path, err)
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM:
			return fmt.Errorf("store: SQLite database %q cannot be opened for writing: %w", path, err)
		case sqlite3.SQLITE_BUSY:
			return fmt.Errorf("store: SQLite database %q is locked by another process for more than %d ms: %w", path, sqliteBusyTimeoutMS, err)
		}
	}
	return fmt.Errorf("store: open SQLite database %q: %w", path, err)
}

// sqliteCode returns the extended SQLite result code of err, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

// sqliteIsUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func sqliteIsUnique(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// sqliteIsForeignKey reports whether err is a FOREIGN KEY violation.
func sqliteIsForeignKey(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

func formatSQLiteTime(t time.Time) string { return normTime(t).Format(sqliteTimeLayout) }

func parseSQLiteTime(s string) (time.Time, error) {
	t, err := time.Parse(sqliteTimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: bad time %q in database: %w", s, err)
	}
	return t.UTC(), nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateLocation implements Store.
func (s *sqliteStore) CreateLocation(ctx context.Context, l Location) error {
	l, err := prepareLocation(l)
	if err != nil {
		return err
	}
	_, err = s.write.ExecContext(ctx,
		`INSERT INTO locations (id, name, key_hash, query_attributes, created) VALUES (?, ?, ?, ?, ?)`,
		l.ID, l.Name, l.KeyHash, l.QueryAttributes, formatSQLiteTime(l.Created))
	if sqliteIsUnique(err) {
		return fmt.Errorf("%w: location %q already exists", ErrConflict, l.ID)
	}
	if err != nil {
		return fmt.Errorf("store: create location %q: %w", l.ID, err)
	}
	s.noteWrite()
	return nil
}

const sqliteLocationColumns = `id, name, key_hash, query_attributes, created`

func scanSQLiteLocation(row interface{ Scan(...any) error }) (Location, error) {
	var (
		l       Location
		created string
	)
	if err := row.Scan(&l.ID, &l.Name, &l.KeyHash, &l.QueryAttributes, &created); err != nil {
		return Location{}, err
	}
	t, err := parseSQLiteTime(created)
	if err != nil {
		return Location{}, err
	}
	l.Created = t
	if l.KeyHash == nil {
		l.KeyHash = []byte{}
	}
	return l, nil
}

// Location implements Store.
func (s *sqliteStore) Location(ctx context.Context, id string) (Location, error) {
	st, err := s.readStmt(ctx, `SELECT `+sqliteLocationColumns+` FROM locations WHERE id = ?`)
	if err != nil {
		return Location{}, fmt.Errorf("store: read location %q: %w", id, err)
	}
	l, err := scanSQLiteLocation(st.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Location{}, fmt.Errorf("%w: location %q", ErrNotFound, id)
	}
	if err != nil {
		return Location{}, fmt.Errorf("store: read location %q: %w", id, err)
	}
	return l, nil
}

// Locations implements Store.
func (s *sqliteStore) Locations(ctx context.Context) ([]Location, error) {
	return sqliteCollect(ctx, s.read, "list locations", func(rows *sql.Rows) (Location, error) { return scanSQLiteLocation(rows) },
		`SELECT `+sqliteLocationColumns+` FROM locations ORDER BY created, rowid`)
}

// UpdateLocation implements Store.
func (s *sqliteStore) UpdateLocation(ctx context.Context, l Location) error {
	if l.KeyHash == nil {
		l.KeyHash = []byte{}
	}
	res, err := s.write.ExecContext(ctx,
		`UPDATE locations SET name = ?, key_hash = ?, query_attributes = ? WHERE id = ?`,
		l.Name, l.KeyHash, l.QueryAttributes, l.ID)
	if err != nil {
		return fmt.Errorf("store: update location %q: %w", l.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: update location %q: %w", l.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: location %q", ErrNotFound, l.ID)
	}
	s.noteWrite()
	return nil
}

const sqliteUserColumns = `seq, location_id, id, user_name, user_name_key, external_id, active, doc,
	invitation, sign_in, deleted, created, last_modified, version`

func scanSQLiteUser(row interface{ Scan(...any) error }) (User, error) {
	var r sqliteUserRow
	if err := row.Scan(r.dest()...); err != nil {
		return User{}, err
	}
	return r.user()
}

// sqliteUserRow holds the columns of sqliteUserColumns as scanned.
type sqliteUserRow struct {
	u                       User
	externalID              sql.NullString
	active, deleted         int
	doc, created, lastModif string
}

func (r *sqliteUserRow) dest() []any {
	return []any{&r.u.Seq, &r.u.LocationID, &r.u.ID, &r.u.UserName, &r.u.UserNameKey, &r.externalID, &r.active, &r.doc,
		&r.u.Invitation, &r.u.SignIn, &r.deleted, &r.created, &r.lastModif, &r.u.Version}
}

func (r *sqliteUserRow) user() (User, error) {
	u := r.u
	u.ExternalID = r.externalID.String
	u.Active = r.active != 0
	u.Deleted = r.deleted != 0
	u.Doc = []byte(r.doc)
	var err error
	if u.Created, err = parseSQLiteTime(r.created); err != nil {
		return User{}, err
	}
	if u.LastModified, err = parseSQLiteTime(r.lastModif); err != nil {
		return User{}, err
	}
	return u, nil
}

// nullIfEmpty stores an unset externalId as NULL so the index skips it.
func nullIfEmpty(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// CreateUser implements Store. The insert joins a group commit (see
// GroupCommitter): it returns after the group's transaction committed.
func (s *sqliteStore) CreateUser(ctx context.Context, u User) (User, error) {
	u, err := prepareNewUser(u)
	if err != nil {
		return User{}, err
	}
	return s.creates.Create(ctx, u)
}

const sqliteInsertUser = `INSERT INTO users (location_id, id, user_name, user_name_key, external_id,
		active, doc, invitation, sign_in, deleted, created, last_modified, version)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func sqliteUserArgs(u User) []any {
	return []any{u.LocationID, u.ID, u.UserName, u.UserNameKey, nullIfEmpty(u.ExternalID),
		boolInt(u.Active), string(u.Doc), u.Invitation, u.SignIn, boolInt(u.Deleted),
		formatSQLiteTime(u.Created), formatSQLiteTime(u.LastModified), u.Version}
}

// createGroup inserts a group of users in one immediate transaction. A
// constraint violation (a userName taken, a location gone) undoes only its
// own statement in SQLite (the trigger's count update included) and the
// transaction goes on, so it needs no savepoint. Any other error may have
// ended the transaction: the group is rolled back, that creation fails
// alone and the rest of the group runs again.
func (s *sqliteStore) createGroup(ctx context.Context, reqs []*CreateReq, res []CreateRes) error {
	pending := make([]int, len(reqs))
	for i := range pending {
		pending[i] = i
	}
	for len(pending) > 0 {
		failed, err := s.tryGroup(ctx, reqs, res, pending)
		if err != nil {
			return err
		}
		if failed < 0 {
			return nil
		}
		pending = slices.DeleteFunc(pending, func(i int) bool { return i == failed })
	}
	return nil
}

// tryGroup inserts reqs[i] for each i of pending in one transaction and
// commits. It returns the index of a creation whose error (set in res)
// aborted the attempt, or -1 when the group committed; err is a failure of
// the transaction itself.
func (s *sqliteStore) tryGroup(ctx context.Context, reqs []*CreateReq, res []CreateRes, pending []int) (failed int, err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return -1, fmt.Errorf("store: create users: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	ins, err := tx.PrepareContext(ctx, sqliteInsertUser+` RETURNING seq`)
	if err != nil {
		return -1, fmt.Errorf("store: create users: %w", err)
	}
	defer ins.Close()
	for _, i := range pending {
		u := reqs[i].U
		ierr := ins.QueryRowContext(ctx, sqliteUserArgs(u)...).Scan(&u.Seq)
		switch {
		case ierr == nil:
			res[i] = CreateRes{U: u}
		case sqliteIsUnique(ierr):
			res[i] = CreateRes{Err: userConflict(u)}
		case sqliteIsForeignKey(ierr):
			res[i] = CreateRes{Err: fmt.Errorf("%w: location %q", ErrNotFound, u.LocationID)}
		default:
			res[i] = CreateRes{Err: fmt.Errorf("store: create user %q: %w", u.ID, ierr)}
			return i, nil
		}
	}
	if err := tx.Commit(); err != nil {
		return -1, fmt.Errorf("store: create users: commit: %w", err)
	}
	committed = true
	for range pending {
		s.noteWrite()
	}
	return -1, nil
}

// sqliteBulkRows is the number of rows of one multi-row INSERT of
// CreateUsers (13 parameters each, far below SQLite's parameter limit).
const sqliteBulkRows = 64

// sqliteInsertRows is the INSERT of n users.
func sqliteInsertRows(n int) string {
	row := "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	return strings.SplitN(sqliteInsertUser, "VALUES", 2)[0] + "VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// CreateUsers implements Store: one transaction, multi-row inserts of one
// prepared statement.
func (s *sqliteStore) CreateUsers(ctx context.Context, n int, user func(i int) User) (err error) {
	if n <= 0 {
		return nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: create users: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	full, err := tx.PrepareContext(ctx, sqliteInsertRows(sqliteBulkRows))
	if err != nil {
		return fmt.Errorf("store: create users: %w", err)
	}
	defer full.Close()
	args := make([]any, 0, 13*sqliteBulkRows)
	var first User
	for from := 0; from < n; from += sqliteBulkRows {
		rows := min(sqliteBulkRows, n-from)
		args = args[:0]
		for i := range rows {
			u, err := prepareNewUser(user(from + i))
			if err != nil {
				return err
			}
			if i == 0 {
				first = u
			}
			args = append(args, sqliteUserArgs(u)...)
		}
		if rows == sqliteBulkRows {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, sqliteInsertRows(rows), args...)
		}
		switch {
		case sqliteIsUnique(err):
			return fmt.Errorf("%w: a user of rows %d..%d (from %q) has an id or userName key already taken", ErrConflict, from, from+rows-1, first.ID)
		case sqliteIsForeignKey(err):
			return fmt.Errorf("%w: location %q", ErrNotFound, first.LocationID)
		case err != nil:
			return fmt.Errorf("store: create users: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: create users: commit: %w", err)
	}
	s.noteWrite()
	// Copy the bulk of pages into the database now rather than under the
	// first reads: a -wal file of a whole seed slows every read until the
	// background checkpoint catches up.
	if err := s.Checkpoint(ctx); err != nil {
		s.logger.Warn("store: checkpoint after a bulk insert failed; retried later", "path", s.path, "err", err)
	}
	return nil
}

// userConflict is the ErrConflict of a user write.
func userConflict(u User) error {
	return fmt.Errorf("%w: location %q already has user id %q or a non-deleted user with userName key %q",
		ErrConflict, u.LocationID, u.ID, u.UserNameKey)
}

// User implements Store.
func (s *sqliteStore) User(ctx context.Context, locationID, id string) (User, error) {
	return s.oneUser(ctx, "user "+id,
		`SELECT `+sqliteUserColumns+` FROM users WHERE location_id = ? AND id = ?`, locationID, id)
}

// UserByUserNameKey implements Store.
func (s *sqliteStore) UserByUserNameKey(ctx context.Context, locationID, key string) (User, error) {
	return s.oneUser(ctx, "userName key "+key,
		`SELECT `+sqliteUserColumns+` FROM users WHERE location_id = ? AND user_name_key = ? AND deleted = 0`, locationID, key)
}

func (s *sqliteStore) oneUser(ctx context.Context, what, query string, args ...any) (User, error) {
	st, err := s.readStmt(ctx, query)
	if err != nil {
		return User{}, fmt.Errorf("store: read %s: %w", what, err)
	}
	u, err := scanSQLiteUser(st.QueryRowContext(ctx, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: read %s: %w", what, err)
	}
	return u, nil
}

// sqliteLocationUser reads a location and, through a LEFT JOIN, one of its
// users: the user's columns are NULL-free (COALESCE) so that they scan like
// a user row, and seq 0 (never assigned) means no user.
const sqliteLocationUser = `SELECT l.id, l.name, l.key_hash, l.query_attributes, l.created,
	COALESCE(u.seq, 0), COALESCE(u.location_id, ''), COALESCE(u.id, ''), COALESCE(u.user_name, ''),
	COALESCE(u.user_name_key, ''), u.external_id, COALESCE(u.active, 0), COALESCE(u.doc, ''),
	COALESCE(u.invitation, ''), COALESCE(u.sign_in, ''), COALESCE(u.deleted, 0), COALESCE(u.created, ''),
	COALESCE(u.last_modified, ''), COALESCE(u.version, 0)
	FROM locations l LEFT JOIN users u ON `

// The two lookups of LocationUser (constant texts: prepared once, see readStmt).
const (
	sqliteLocationUserByID  = sqliteLocationUser + `u.location_id = l.id AND u.id = ? WHERE l.id = ?`
	sqliteLocationUserByKey = sqliteLocationUser + `u.location_id = l.id AND u.user_name_key = ? AND u.deleted = 0 WHERE l.id = ?`
)

// LocationUser implements Store: one query on the read pool.
func (s *sqliteStore) LocationUser(ctx context.Context, id string, lookup UserLookup) (Location, User, bool, error) {
	query, arg := sqliteLocationUserByID, lookup.ID
	if lookup.ID == "" {
		query, arg = sqliteLocationUserByKey, lookup.UserNameKey
	}
	st, err := s.readStmt(ctx, query)
	if err != nil {
		return Location{}, User{}, false, fmt.Errorf("store: read location %q: %w", id, err)
	}
	var (
		l       Location
		created string
		r       sqliteUserRow
	)
	err = st.QueryRowContext(ctx, arg, id).Scan(append([]any{&l.ID, &l.Name, &l.KeyHash, &l.QueryAttributes, &created}, r.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Location{}, User{}, false, fmt.Errorf("%w: location %q", ErrNotFound, id)
	}
	if err == nil {
		l.Created, err = parseSQLiteTime(created)
	}
	if err != nil {
		return Location{}, User{}, false, fmt.Errorf("store: read location %q: %w", id, err)
	}
	if l.KeyHash == nil {
		l.KeyHash = []byte{}
	}
	if r.u.Seq == 0 {
		return l, User{}, false, nil
	}
	u, err := r.user()
	if err != nil {
		return Location{}, User{}, false, fmt.Errorf("store: read user of location %q: %w", id, err)
	}
	return l, u, true, nil
}

// UsersByExternalID implements Store. An empty externalID matches nothing.
func (s *sqliteStore) UsersByExternalID(ctx context.Context, locationID, externalID string) ([]User, error) {
	if externalID == "" {
		return []User{}, nil
	}
	return s.users(ctx, `SELECT `+sqliteUserColumns+` FROM users
		WHERE location_id = ? AND external_id = ? AND deleted = 0 ORDER BY seq`, locationID, externalID)
}

// users runs a query on the read pool and collects the users it returns.
func (s *sqliteStore) users(ctx context.Context, query string, args ...any) ([]User, error) {
	st, err := s.readStmt(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: query users: %w", err)
	}
	return queryUsers(ctx, stmtQueryer{st}, query, args...)
}

// readStmt returns the cached prepared statement of a constant query on
// the read pool, preparing it on first use.
func (s *sqliteStore) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		_ = st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// stmtQueryer runs a prepared statement where a query text is expected
// (the text is the statement's own).
type stmtQueryer struct{ st *sql.Stmt }

func (q stmtQueryer) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return q.st.QueryContext(ctx, args...)
}

// txStmt is a cached statement bound to a read transaction.
type txStmt struct {
	tx *sql.Tx
	s  *sqliteStore
}

func (q txStmt) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := q.s.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return q.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

func (q txStmt) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := q.s.readStmt(ctx, query)
	if err != nil {
		return q.tx.QueryRowContext(ctx, query, args...) // reports the same error
	}
	return q.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

type sqlQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryUsers(ctx context.Context, q sqlQueryer, query string, args ...any) ([]User, error) {
	return sqliteCollect(ctx, q, "query users", func(rows *sql.Rows) (User, error) { return scanSQLiteUser(rows) }, query, args...)
}

// sqliteCollect runs query and returns every row as scan reads it (an
// empty slice for none); what names the read in errors.
func sqliteCollect[T any](ctx context.Context, q sqlQueryer, what string, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// UpdateUser implements Store. The whole read-modify-write runs in one
// immediate transaction on the single write connection: fn must not call
// the store's write methods (it would wait for itself).
func (s *sqliteStore) UpdateUser(ctx context.Context, locationID, id string, fn func(*User) error) (_ User, err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return User{}, fmt.Errorf("store: update user %q: begin: %w", id, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	old, err := scanSQLiteUser(tx.QueryRowContext(ctx,
		`SELECT `+sqliteUserColumns+` FROM users WHERE location_id = ? AND id = ?`, locationID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("%w: user %q", ErrNotFound, id)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: update user %q: %w", id, err)
	}
	u := old
	u.Doc = append(json.RawMessage(nil), old.Doc...)
	if err := fn(&u); err != nil {
		return User{}, err
	}
	u, err = prepareUpdatedUser(old, u)
	if err != nil {
		return User{}, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET user_name = ?, user_name_key = ?, external_id = ?, active = ?,
			doc = ?, invitation = ?, sign_in = ?, deleted = ?, last_modified = ?, version = ?
		WHERE seq = ?`,
		u.UserName, u.UserNameKey, nullIfEmpty(u.ExternalID), boolInt(u.Active),
		string(u.Doc), u.Invitation, u.SignIn, boolInt(u.Deleted), formatSQLiteTime(u.LastModified), u.Version,
		u.Seq)
	if sqliteIsUnique(err) {
		return User{}, userConflict(u)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: update user %q: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return User{}, fmt.Errorf("store: update user %q: commit: %w", id, err)
	}
	s.noteWrite()
	return u, nil
}

// ListUsers implements Store. The total is the maintained count, read in
// the same read transaction as the page, so they agree.
func (s *sqliteStore) ListUsers(ctx context.Context, locationID string, p Page) (_ []User, _ int, err error) {
	p = clampPage(p)
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	c, err := sqliteCounts(ctx, txStmt{tx: tx, s: s}, locationID)
	if err != nil {
		return nil, 0, err
	}
	total := int(c.Live)
	if p.IncludeDeleted {
		total = int(c.All)
	}
	if p.Limit == 0 || (p.AfterSeq <= 0 && p.Offset >= total) {
		return []User{}, total, nil
	}
	users, err := s.page(ctx, txStmt{tx: tx, s: s}, locationID, nil, p)
	if err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// page reads one window of users in Seq order; where is an extra condition
// whose parameters are numbered from ?2 (args holds their values).
func (s *sqliteStore) page(ctx context.Context, q sqlQueryer, locationID string, where *condQuery, p Page) ([]User, error) {
	args := []any{locationID}
	clause := `location_id = ?1`
	if !p.IncludeDeleted {
		clause += ` AND deleted = 0`
	}
	if where != nil {
		clause += ` AND ` + where.sql
		args = append(args, where.args...)
	}
	if p.AfterSeq > 0 {
		args = append(args, p.AfterSeq)
		clause += ` AND seq > ?` + strconv.Itoa(len(args))
		p.Offset = 0
	}
	args = append(args, p.Limit, p.Offset)
	n := len(args)
	return queryUsers(ctx, q, `SELECT `+sqliteUserColumns+` FROM users WHERE `+clause+
		` ORDER BY seq LIMIT ?`+strconv.Itoa(n-1)+` OFFSET ?`+strconv.Itoa(n), args...)
}

// condQuery is a rendered condition and its bound values.
type condQuery struct {
	sql  string
	args []any
}

const sqliteCountsQuery = `SELECT live, total, removals FROM user_counts WHERE location_id = ?`

// sqliteCounts reads the maintained counts of a location.
func sqliteCounts(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, locationID string) (Counts, error) {
	var c Counts
	err := q.QueryRowContext(ctx, sqliteCountsQuery, locationID).
		Scan(&c.Live, &c.All, &c.Removals)
	if errors.Is(err, sql.ErrNoRows) {
		return Counts{}, nil
	}
	if err != nil {
		return Counts{}, fmt.Errorf("store: count users: %w", err)
	}
	return c, nil
}

// UserCounts implements Store.
func (s *sqliteStore) UserCounts(ctx context.Context, locationID string) (Counts, error) {
	st, err := s.readStmt(ctx, sqliteCountsQuery)
	if err != nil {
		return Counts{}, fmt.Errorf("store: count users: %w", err)
	}
	return sqliteCounts(ctx, stmtRower{st}, locationID)
}

// stmtRower runs a prepared statement where a query text is expected.
type stmtRower struct{ st *sql.Stmt }

func (q stmtRower) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return q.st.QueryRowContext(ctx, args...)
}

// FindUsers implements Store: the condition is rendered to SQL and the count
// and the page come from one read transaction.
func (s *sqliteStore) FindUsers(ctx context.Context, locationID string, c Cond, p Page) (_ []User, _ int, err error) {
	p = clampPage(p)
	p.IncludeDeleted = false
	args := []any{locationID}
	where, err := CondSQL(c, sqliteDialect(), &args)
	if err != nil {
		return nil, 0, err
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, fmt.Errorf("store: find users: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var total int
	if p.NoCount {
		users, err := s.page(ctx, tx, locationID, &condQuery{sql: where, args: args[1:]}, p)
		return users, 0, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE location_id = ?1 AND deleted = 0 AND `+where, args...).
		Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", err)
	}
	if p.Limit == 0 || (p.AfterSeq <= 0 && p.Offset >= total) {
		return []User{}, total, nil
	}
	users, err := s.page(ctx, tx, locationID, &condQuery{sql: where, args: args[1:]}, p)
	if err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// ScanUsers implements Store. Users are read in batches by Seq and fn runs
// between queries, so fn may call the store; a user written during the scan
// may or may not be seen, none is seen twice.
func (s *sqliteStore) ScanUsers(ctx context.Context, locationID string, includeDeleted bool, fn func(User) bool) error {
	where := `location_id = ? AND seq > ? AND deleted = 0`
	if includeDeleted {
		where = `location_id = ? AND seq > ?`
	}
	query := `SELECT ` + sqliteUserColumns + ` FROM users WHERE ` + where + ` ORDER BY seq LIMIT ?`
	var after int64
	for {
		batch, err := s.users(ctx, query, locationID, after, s.scanBatch)
		if err != nil {
			return err
		}
		for _, u := range batch {
			if !fn(u) {
				return nil
			}
		}
		if len(batch) < s.scanBatch {
			return nil
		}
		after = batch[len(batch)-1].Seq
	}
}

// Ping implements Store.
func (s *sqliteStore) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping SQLite database %q: %w", s.path, err)
	}
	return nil
}

// Close implements Store. It closes both pools (SQLite checkpoints the WAL
// when the last connection closes) and, for a temporary database, removes its
// directory. Later calls return the same
// result.
func (s *sqliteStore) Close() error {
	s.closeOnce.Do(func() {
		s.creates.Close()
		close(s.stop)
		<-s.stopped
		s.stmts.Range(func(_, v any) bool {
			_ = v.(*sql.Stmt).Close()
			return true
		})
		errs := []error{s.read.Close(), s.write.Close()}
		if s.tempDir != "" {
			errs = append(errs, os.RemoveAll(s.tempDir))
		}
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("store: close SQLite database %q: %w", s.path, err)
		}
	})
	return s.closeErr
}

// sqliteAuditRows is the number of records of one multi-row audit INSERT
// (7 parameters each).
const sqliteAuditRows = 64

// auditTrimEvery is how many records a location gains between two trims of
// its audit. The trim finds the AuditKeepPerLocation-th newest record
// through the index, which costs as much as reading that many entries: once
// per batch it was most of the cost of auditing a busy location. A location
// therefore holds up to AuditKeepPerLocation+auditTrimEvery records between
// trims; Audit never returns more than AuditKeepPerLocation.
const auditTrimEvery = 1000

// sqliteAuditInsert is the INSERT of n audit records.
func sqliteAuditInsert(n int) string {
	return `INSERT INTO audit (location_id, time, method, path, status, user_agent, duration_ms) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", n), ", ")
}

// AppendAudit implements Store: one transaction of multi-row inserts.
func (s *sqliteStore) AppendAudit(ctx context.Context, records []AuditRecord) (err error) {
	if len(records) == 0 {
		return nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: append audit: begin: %w", err)
	}
	var trim []string // locations whose trim this transaction carries
	defer func() {
		if err != nil {
			_ = tx.Rollback()
			s.auditUntrimmed(trim) // due again at the next append
		}
	}()
	added := map[string]int{}
	var full *sql.Stmt
	args := make([]any, 0, 7*sqliteAuditRows)
	for chunk := range slices.Chunk(records, sqliteAuditRows) {
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r.LocationID, formatSQLiteTime(r.Time), r.Method, r.Path, r.Status, r.UserAgent, r.DurationMS)
			added[r.LocationID]++
		}
		if len(chunk) == sqliteAuditRows {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, sqliteAuditInsert(sqliteAuditRows)); err != nil {
					return fmt.Errorf("store: append audit: %w", err)
				}
				defer full.Close()
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, sqliteAuditInsert(len(chunk)), args...)
		}
		if err != nil {
			return fmt.Errorf("store: append audit: %w", err)
		}
	}
	trim = s.auditTrims(added)
	for _, loc := range trim {
		if _, err = tx.ExecContext(ctx, `DELETE FROM audit WHERE location_id = ? AND seq <=
			(SELECT seq FROM audit WHERE location_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`, loc, loc, AuditKeepPerLocation); err != nil {
			return fmt.Errorf("store: trim audit: %w", err)
		}
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: append audit: commit: %w", err)
	}
	s.noteWrite()
	return nil
}

// auditTrims adds the records just appended to each location's count since
// its last trim and returns the locations due for one (their counts reset).
func (s *sqliteStore) auditTrims(added map[string]int) []string {
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	if s.auditSince == nil {
		s.auditSince = map[string]int{}
	}
	var due []string
	for loc, n := range added {
		s.auditSince[loc] += n
		if s.auditSince[loc] >= auditTrimEvery {
			due = append(due, loc)
			delete(s.auditSince, loc)
		}
	}
	return due
}

// auditUntrimmed makes the locations of a trim that was rolled back due again.
func (s *sqliteStore) auditUntrimmed(locs []string) {
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	for _, loc := range locs {
		s.auditSince[loc] = auditTrimEvery
	}
}

// AddAuthFailures implements Store.
func (s *sqliteStore) AddAuthFailures(ctx context.Context, failures []AuthFailure) (err error) {
	if len(failures) == 0 {
		return nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: add auth failures: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	for _, f := range failures {
		if _, err := tx.ExecContext(ctx, `INSERT INTO auth_failures (location_id, source, minute, count, last_status)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (location_id, source, minute)
			DO UPDATE SET count = count + excluded.count, last_status = excluded.last_status`,
			f.LocationID, f.Source, formatSQLiteTime(minute(f.Minute)), f.Count, f.LastStatus); err != nil {
			return fmt.Errorf("store: add auth failures: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM auth_failures WHERE minute < ?`,
		formatSQLiteTime(minute(time.Now().Add(-AuthFailureRetention)))); err != nil {
		return fmt.Errorf("store: trim auth failures: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: add auth failures: commit: %w", err)
	}
	s.noteWrite()
	return nil
}

// Audit implements Store.
func (s *sqliteStore) Audit(ctx context.Context, locationID string, limit int) ([]AuditRecord, error) {
	return sqliteCollect(ctx, s.read, "read audit", func(rows *sql.Rows) (r AuditRecord, err error) {
		var t string
		if err = rows.Scan(&r.LocationID, &t, &r.Method, &r.Path, &r.Status, &r.UserAgent, &r.DurationMS); err == nil {
			r.Time, err = parseSQLiteTime(t)
		}
		return r, err
	}, `SELECT location_id, time, method, path, status, user_agent, duration_ms
		FROM (SELECT * FROM audit WHERE location_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq`, locationID, min(max(limit, 0), AuditKeepPerLocation))
}

// AuthFailures implements Store.
func (s *sqliteStore) AuthFailures(ctx context.Context, locationID string) ([]AuthFailure, error) {
	return sqliteCollect(ctx, s.read, "read auth failures", func(rows *sql.Rows) (f AuthFailure, err error) {
		var m string
		if err = rows.Scan(&f.LocationID, &f.Source, &m, &f.Count, &f.LastStatus); err == nil {
			f.Minute, err = parseSQLiteTime(m)
		}
		return f, err
	}, `SELECT location_id, source, minute, count, last_status
		FROM auth_failures WHERE location_id = ? ORDER BY minute, source`, locationID)
}
