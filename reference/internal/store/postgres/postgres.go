package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgMigrationLock is the pg_advisory_xact_lock key that serialises schema
// migrations of replicas starting together ("xakiascm" in ASCII).
const pgMigrationLock int64 = 0x78616b696173636d

// pgConnectTimeout bounds the first connection attempt of Open when ctx has
// no earlier deadline.
const pgConnectTimeout = 15 * time.Second

// pgMigrations are applied in order; entry i brings the schema to version
// i+1. Never edit an applied entry: append a new one. The doc column is JSON
// (not JSONB): PostgreSQL validates it and keeps the text exactly as written,
// so the store returns the document byte for byte.
var pgMigrations = [][]string{
	{
		`CREATE TABLE locations (
			seq              BIGINT GENERATED ALWAYS AS IDENTITY,
			id               TEXT PRIMARY KEY,
			name             TEXT NOT NULL,
			key_hash         BYTEA NOT NULL,
			query_attributes TEXT NOT NULL,
			created          TIMESTAMPTZ NOT NULL
		)`,
		`CREATE TABLE users (
			seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			location_id   TEXT NOT NULL REFERENCES locations(id),
			id            TEXT NOT NULL,
			user_name     TEXT NOT NULL,
			user_name_key TEXT NOT NULL,
			external_id   TEXT,
			active        BOOLEAN NOT NULL,
			doc           JSON NOT NULL,
			invitation    TEXT NOT NULL,
			sign_in       TEXT NOT NULL,
			deleted       BOOLEAN NOT NULL DEFAULT FALSE,
			created       TIMESTAMPTZ NOT NULL,
			last_modified TIMESTAMPTZ NOT NULL,
			version       BIGINT NOT NULL
		)`,
		`CREATE UNIQUE INDEX users_location_id ON users(location_id, id)`,
		`CREATE UNIQUE INDEX users_location_user_name_key ON users(location_id, user_name_key) WHERE NOT deleted`,
		`CREATE INDEX users_location_external_id ON users(location_id, external_id) WHERE NOT deleted`,
		`CREATE INDEX users_location_seq ON users(location_id, seq)`,
	},
	{
		`CREATE TABLE audit (
			seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			location_id TEXT NOT NULL,
			time        TIMESTAMPTZ NOT NULL,
			method      TEXT NOT NULL,
			path        TEXT NOT NULL,
			status      INTEGER NOT NULL,
			user_agent  TEXT NOT NULL,
			duration_ms DOUBLE PRECISION NOT NULL
		)`,
		`CREATE INDEX audit_location_seq ON audit(location_id, seq)`,
		`CREATE TABLE auth_failures (
			location_id TEXT NOT NULL,
			source      TEXT NOT NULL,
			minute      TIMESTAMPTZ NOT NULL,
			count       BIGINT NOT NULL,
			last_status INTEGER NOT NULL,
			PRIMARY KEY (location_id, source, minute)
		)`,
	},
	{
		`CREATE TABLE member_credentials (
			location_id   TEXT NOT NULL,
			user_id       TEXT NOT NULL,
			password_hash TEXT NOT NULL,
			admin         BOOLEAN NOT NULL,
			PRIMARY KEY (location_id, user_id)
		)`,
		`CREATE TABLE signin_events (
			seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			location_id TEXT NOT NULL,
			time        TIMESTAMPTZ NOT NULL,
			method      TEXT NOT NULL,
			login       TEXT NOT NULL,
			user_id     TEXT NOT NULL,
			outcome     TEXT NOT NULL,
			detail      TEXT NOT NULL
		)`,
		`CREATE INDEX signin_events_location_seq ON signin_events(location_id, seq)`,
	},
	{
		// Maintained counts (see Counts), kept by triggers in the
		// transaction of every user write.
		`CREATE TABLE user_counts (
			location_id TEXT PRIMARY KEY,
			live        BIGINT NOT NULL,
			total       BIGINT NOT NULL,
			removals    BIGINT NOT NULL
		)`,
		`INSERT INTO user_counts (location_id, live, total, removals)
			SELECT location_id, COUNT(*) FILTER (WHERE NOT deleted), COUNT(*), 0 FROM users GROUP BY location_id`,
		`CREATE FUNCTION xakia_users_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			INSERT INTO user_counts AS c (location_id, live, total, removals)
				SELECT location_id, COUNT(*) FILTER (WHERE NOT deleted), COUNT(*), 0 FROM inserted GROUP BY location_id
				ON CONFLICT (location_id) DO UPDATE SET live = c.live + EXCLUDED.live, total = c.total + EXCLUDED.total;
			RETURN NULL;
		END $$`,
		`CREATE TRIGGER users_count_insert AFTER INSERT ON users REFERENCING NEW TABLE AS inserted
			FOR EACH STATEMENT EXECUTE FUNCTION xakia_users_count_insert()`,
		`CREATE FUNCTION xakia_users_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF OLD.deleted IS DISTINCT FROM NEW.deleted THEN
				UPDATE user_counts SET live = live + CASE WHEN NEW.deleted THEN -1 ELSE 1 END, removals = removals + 1
					WHERE location_id = NEW.location_id;
			END IF;
			RETURN NULL;
		END $$`,
		`CREATE TRIGGER users_count_deleted AFTER UPDATE OF deleted ON users
			FOR EACH ROW EXECUTE FUNCTION xakia_users_count_deleted()`,
	},
}

// pgStore is the PostgreSQL implementation of Store. It keeps no state besides
// the pool, so any number of replicas can share one database.
type pgStore struct {
	pool *pgxpool.Pool
	desc string // host:port/database, for errors; never the password

	scanBatch int // users per ScanUsers query

	creates   *GroupCommitter // group commit of CreateUser
	closeOnce sync.Once
}

// openPostgres connects to dsn, checks that the server answers and applies
// the migrations.
func openPostgres(ctx context.Context, dsn string, logger *slog.Logger) (Store, error) {
	password := dsnPassword(dsn)
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, redact(fmt.Errorf("store: invalid PostgreSQL URL: %w", err), password)
	}
	password = firstNonEmpty(cfg.ConnConfig.Password, password)
	desc := pgDescribe(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, redact(fmt.Errorf("store: PostgreSQL %s: %w", desc, err), password)
	}
	pingCtx, cancel := context.WithTimeout(ctx, pgConnectTimeout)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, redact(fmt.Errorf("store: PostgreSQL %s is unreachable or refused the connection: %w", desc, err), password)
	}
	s := &pgStore{pool: pool, desc: desc, scanBatch: defaultScanBatch}
	if err := s.migrate(ctx, logger); err != nil {
		pool.Close()
		return nil, redact(err, password)
	}
	s.creates = NewGroupCommitter(s.createGroup)
	return s, nil
}

// firstNonEmpty returns a unless it is empty, else b.
func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// dsnPassword extracts the password of a postgres URL, if any, so that errors
// can be scrubbed of it even when the URL does not parse fully.
func dsnPassword(dsn string) string {
	if !strings.Contains(dsn, "://") {
		if kv, err := parseKeywordDSN(dsn); err == nil {
			return kv["password"]
		}
		return ""
	}
	if u, err := url.Parse(dsn); err == nil {
		if p, ok := u.User.Password(); ok {
			return p
		}
		if p := u.Query().Get("password"); p != "" {
			return p
		}
	}
	return ""
}

// pgDescribe names the server and database for messages.
func pgDescribe(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	host := c.Host
	if !strings.HasPrefix(host, "/") {
		host = net.JoinHostPort(host, strconv.Itoa(int(c.Port)))
	}
	return fmt.Sprintf("%s (database %q, user %q)", host, c.Database, c.User)
}

// redactedError replaces a password in an error's text.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err with every occurrence of password masked.
func redact(err error, password string) error {
	if err == nil || password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), password, "xxxxx"), err: err}
}

// migrate applies the missing migrations in one transaction holding an
// advisory lock, so replicas starting together apply each migration once.
func (s *pgStore) migrate(ctx context.Context, logger *slog.Logger) (err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: PostgreSQL %s: begin migration: %w", s.desc, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, pgMigrationLock); err != nil {
		return fmt.Errorf("store: PostgreSQL %s: take migration lock: %w", s.desc, err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY,
		applied TIMESTAMPTZ NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("store: PostgreSQL %s: create schema_version: %w", s.desc, err)
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&current); err != nil {
		return fmt.Errorf("store: PostgreSQL %s: read schema version: %w", s.desc, err)
	}
	if current > len(pgMigrations) {
		return fmt.Errorf("store: PostgreSQL %s has schema version %d, newer than this program supports (%d): use a newer xakia-reference",
			s.desc, current, len(pgMigrations))
	}
	for v := current + 1; v <= len(pgMigrations); v++ {
		for _, stmt := range pgMigrations[v-1] {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("store: PostgreSQL %s: migration %d: %w", s.desc, v, err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, v); err != nil {
			return fmt.Errorf("store: PostgreSQL %s: record migration %d: %w", s.desc, v, err)
		}
		logger.Info("store: applied schema migration", "backend", "postgres", "version", v)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: PostgreSQL %s: commit migration: %w", s.desc, err)
	}
	return nil
}

// pgCode returns the SQLSTATE of err, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
)

// CreateLocation implements Store.
func (s *pgStore) CreateLocation(ctx context.Context, l Location) error {
	l, err := prepareLocation(l)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx,
		`INSERT INTO locations (id, name, key_hash, query_attributes, created) VALUES ($1, $2, $3, $4, $5)`,
		l.ID, l.Name, l.KeyHash, l.QueryAttributes, l.Created)
	if pgCode(err) == pgUniqueViolation {
		return fmt.Errorf("%w: location %q already exists", ErrConflict, l.ID)
	}
	if err != nil {
		return fmt.Errorf("store: create location %q: %w", l.ID, err)
	}
	return nil
}

const pgLocationColumns = `id, name, key_hash, query_attributes, created`

func scanPgLocation(row pgx.Row) (Location, error) {
	var l Location
	if err := row.Scan(&l.ID, &l.Name, &l.KeyHash, &l.QueryAttributes, &l.Created); err != nil {
		return Location{}, err
	}
	l.Created = l.Created.UTC()
	if l.KeyHash == nil {
		l.KeyHash = []byte{}
	}
	return l, nil
}

// Location implements Store.
func (s *pgStore) Location(ctx context.Context, id string) (Location, error) {
	l, err := scanPgLocation(s.pool.QueryRow(ctx, `SELECT `+pgLocationColumns+` FROM locations WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Location{}, fmt.Errorf("%w: location %q", ErrNotFound, id)
	}
	if err != nil {
		return Location{}, fmt.Errorf("store: read location %q: %w", id, err)
	}
	return l, nil
}

// Locations implements Store.
func (s *pgStore) Locations(ctx context.Context) ([]Location, error) {
	return pgCollect(ctx, s.pool, "list locations", func(row pgx.CollectableRow) (Location, error) { return scanPgLocation(row) },
		`SELECT `+pgLocationColumns+` FROM locations ORDER BY created, seq`)
}

// UpdateLocation implements Store.
func (s *pgStore) UpdateLocation(ctx context.Context, l Location) error {
	if l.KeyHash == nil {
		l.KeyHash = []byte{}
	}
	tag, err := s.pool.Exec(ctx, `UPDATE locations SET name = $1, key_hash = $2, query_attributes = $3 WHERE id = $4`,
		l.Name, l.KeyHash, l.QueryAttributes, l.ID)
	if err != nil {
		return fmt.Errorf("store: update location %q: %w", l.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: location %q", ErrNotFound, l.ID)
	}
	return nil
}

const pgUserColumns = `seq, location_id, id, user_name, user_name_key, external_id, active, doc::text,
	invitation, sign_in, deleted, created, last_modified, version`

func scanPgUser(row pgx.Row) (User, error) {
	var (
		u          User
		externalID *string
		doc        string
	)
	err := row.Scan(&u.Seq, &u.LocationID, &u.ID, &u.UserName, &u.UserNameKey, &externalID, &u.Active, &doc,
		&u.Invitation, &u.SignIn, &u.Deleted, &u.Created, &u.LastModified, &u.Version)
	if err != nil {
		return User{}, err
	}
	if externalID != nil {
		u.ExternalID = *externalID
	}
	u.Doc = json.RawMessage(doc)
	u.Created = u.Created.UTC()
	u.LastModified = u.LastModified.UTC()
	return u, nil
}

// pgNullIfEmpty stores an unset externalId as NULL.
func pgNullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CreateUser implements Store. The insert joins a group commit (see
// GroupCommitter): concurrent creations of this process share one
// transaction and one WAL flush.
func (s *pgStore) CreateUser(ctx context.Context, u User) (User, error) {
	u, err := prepareNewUser(u)
	if err != nil {
		return User{}, err
	}
	return s.creates.Create(ctx, u)
}

const pgInsertUser = `INSERT INTO users (location_id, id, user_name, user_name_key, external_id,
		active, doc, invitation, sign_in, deleted, created, last_modified, version)
	VALUES ($1, $2, $3, $4, $5, $6, $7::text::json, $8, $9, $10, $11, $12, $13)`

func pgUserArgs(u User) []any {
	return []any{u.LocationID, u.ID, u.UserName, u.UserNameKey, pgNullIfEmpty(u.ExternalID),
		u.Active, string(u.Doc), u.Invitation, u.SignIn, u.Deleted,
		u.Created, u.LastModified, u.Version}
}

// pgCreateError maps the error of one insert.
func pgCreateError(u User, err error) error {
	switch pgCode(err) {
	case pgUniqueViolation:
		return userConflict(u)
	case pgForeignKeyViolation:
		return fmt.Errorf("%w: location %q", ErrNotFound, u.LocationID)
	}
	return fmt.Errorf("store: create user %q: %w", u.ID, err)
}

// createGroup inserts a group of users in one transaction, each under a
// savepoint so that one failing insert leaves the others in.
func (s *pgStore) createGroup(ctx context.Context, reqs []*CreateReq, res []CreateRes) (err error) {
	if len(reqs) == 1 {
		u := reqs[0].U
		if err := s.pool.QueryRow(ctx, pgInsertUser+` RETURNING seq`, pgUserArgs(u)...).Scan(&u.Seq); err != nil {
			return pgCreateError(u, err)
		}
		res[0] = CreateRes{U: u}
		return nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: create users: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	for i, r := range reqs {
		u := r.U
		sp, err := tx.Begin(ctx) // a savepoint
		if err != nil {
			return fmt.Errorf("store: create users: savepoint: %w", err)
		}
		if ierr := sp.QueryRow(ctx, pgInsertUser+` RETURNING seq`, pgUserArgs(u)...).Scan(&u.Seq); ierr != nil {
			if err := sp.Rollback(ctx); err != nil {
				return fmt.Errorf("store: create users: rollback to savepoint: %w", err)
			}
			res[i] = CreateRes{Err: pgCreateError(u, ierr)}
			continue
		}
		if err := sp.Commit(ctx); err != nil {
			return fmt.Errorf("store: create users: release savepoint: %w", err)
		}
		res[i] = CreateRes{U: u}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: create users: commit: %w", err)
	}
	return nil
}

// CreateUsers implements Store: one transaction; the inserts go in
// pipelined batches of one statement (pgx prepares and caches it).
func (s *pgStore) CreateUsers(ctx context.Context, n int, user func(i int) User) (err error) {
	if n <= 0 {
		return nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: create users: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	const chunk = 1000
	for from := 0; from < n; from += chunk {
		b := &pgx.Batch{}
		prepared := make([]User, min(from+chunk, n)-from)
		for i := range prepared {
			if prepared[i], err = prepareNewUser(user(from + i)); err != nil {
				return err
			}
			b.Queue(pgInsertUser, pgUserArgs(prepared[i])...)
		}
		br := tx.SendBatch(ctx, b)
		for _, u := range prepared {
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				return pgCreateError(u, err)
			}
		}
		if err := br.Close(); err != nil {
			return fmt.Errorf("store: create users: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: create users: commit: %w", err)
	}
	return nil
}

// User implements Store.
func (s *pgStore) User(ctx context.Context, locationID, id string) (User, error) {
	return s.oneUser(ctx, "user "+id,
		`SELECT `+pgUserColumns+` FROM users WHERE location_id = $1 AND id = $2`, locationID, id)
}

// UserByUserNameKey implements Store.
func (s *pgStore) UserByUserNameKey(ctx context.Context, locationID, key string) (User, error) {
	return s.oneUser(ctx, "userName key "+key,
		`SELECT `+pgUserColumns+` FROM users WHERE location_id = $1 AND user_name_key = $2 AND NOT deleted`, locationID, key)
}

// LocationUser implements Store: both reads in one batch, one round trip.
func (s *pgStore) LocationUser(ctx context.Context, id string, lookup UserLookup) (Location, User, bool, error) {
	b := &pgx.Batch{}
	b.Queue(`SELECT `+pgLocationColumns+` FROM locations WHERE id = $1`, id)
	if lookup.ID != "" {
		b.Queue(`SELECT `+pgUserColumns+` FROM users WHERE location_id = $1 AND id = $2`, id, lookup.ID)
	} else {
		b.Queue(`SELECT `+pgUserColumns+` FROM users WHERE location_id = $1 AND user_name_key = $2 AND NOT deleted`, id, lookup.UserNameKey)
	}
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	l, err := scanPgLocation(br.QueryRow())
	if errors.Is(err, pgx.ErrNoRows) {
		return Location{}, User{}, false, fmt.Errorf("%w: location %q", ErrNotFound, id)
	}
	if err != nil {
		return Location{}, User{}, false, fmt.Errorf("store: read location %q: %w", id, err)
	}
	u, err := scanPgUser(br.QueryRow())
	if errors.Is(err, pgx.ErrNoRows) {
		return l, User{}, false, nil
	}
	if err != nil {
		return Location{}, User{}, false, fmt.Errorf("store: read user of location %q: %w", id, err)
	}
	return l, u, true, nil
}

func (s *pgStore) oneUser(ctx context.Context, what, query string, args ...any) (User, error) {
	u, err := scanPgUser(s.pool.QueryRow(ctx, query, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: read %s: %w", what, err)
	}
	return u, nil
}

// pgQueryer is what pgxpool.Pool and pgx.Tx have in common for reads.
type pgQueryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func pgQueryUsers(ctx context.Context, q pgQueryer, query string, args ...any) ([]User, error) {
	return pgCollect(ctx, q, "query users", func(row pgx.CollectableRow) (User, error) { return scanPgUser(row) }, query, args...)
}

// pgCollect runs query and returns every row as scan reads it
// (pgx.CollectRows: an empty slice for none); what names the read in errors.
func pgCollect[T any](ctx context.Context, q pgQueryer, what string, scan pgx.RowToFunc[T], query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// UsersByExternalID implements Store. An empty externalID matches nothing.
func (s *pgStore) UsersByExternalID(ctx context.Context, locationID, externalID string) ([]User, error) {
	if externalID == "" {
		return []User{}, nil
	}
	return pgQueryUsers(ctx, s.pool, `SELECT `+pgUserColumns+` FROM users
		WHERE location_id = $1 AND external_id = $2 AND NOT deleted ORDER BY seq`, locationID, externalID)
}

// UpdateUser implements Store: SELECT ... FOR UPDATE, fn, UPDATE, in one
// transaction; concurrent updates of the same user queue on the row lock.
func (s *pgStore) UpdateUser(ctx context.Context, locationID, id string, fn func(*User) error) (_ User, err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return User{}, fmt.Errorf("store: update user %q: begin: %w", id, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	old, err := scanPgUser(tx.QueryRow(ctx,
		`SELECT `+pgUserColumns+` FROM users WHERE location_id = $1 AND id = $2 FOR UPDATE`, locationID, id))
	if errors.Is(err, pgx.ErrNoRows) {
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
	_, err = tx.Exec(ctx, `UPDATE users SET user_name = $1, user_name_key = $2, external_id = $3, active = $4,
			doc = $5::text::json, invitation = $6, sign_in = $7, deleted = $8, last_modified = $9, version = $10
		WHERE seq = $11`,
		u.UserName, u.UserNameKey, pgNullIfEmpty(u.ExternalID), u.Active,
		string(u.Doc), u.Invitation, u.SignIn, u.Deleted, u.LastModified, u.Version, u.Seq)
	if pgCode(err) == pgUniqueViolation {
		return User{}, userConflict(u)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: update user %q: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return User{}, fmt.Errorf("store: update user %q: commit: %w", id, err)
	}
	return u, nil
}

// ListUsers implements Store. The total is the maintained count, read in
// the same repeatable-read snapshot as the page, so they agree.
func (s *pgStore) ListUsers(ctx context.Context, locationID string, p Page) (_ []User, _ int, err error) {
	p = clampPage(p)
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	c, err := pgCounts(ctx, tx, locationID)
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
	users, err := pgPage(ctx, tx, locationID, nil, p)
	if err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// pgPage reads one window of users in Seq order; where is an extra
// condition whose parameters are numbered from $2.
func pgPage(ctx context.Context, q pgQueryer, locationID string, where *condQuery, p Page) ([]User, error) {
	args := []any{locationID}
	clause := `location_id = $1`
	if !p.IncludeDeleted {
		clause += ` AND NOT deleted`
	}
	if where != nil {
		clause += ` AND ` + where.sql
		args = append(args, where.args...)
	}
	if p.AfterSeq > 0 {
		args = append(args, p.AfterSeq)
		clause += ` AND seq > $` + strconv.Itoa(len(args))
		p.Offset = 0
	}
	args = append(args, p.Limit, p.Offset)
	n := len(args)
	return pgQueryUsers(ctx, q, `SELECT `+pgUserColumns+` FROM users WHERE `+clause+
		` ORDER BY seq LIMIT $`+strconv.Itoa(n-1)+` OFFSET $`+strconv.Itoa(n), args...)
}

// pgCounts reads the maintained counts of a location.
func pgCounts(ctx context.Context, q interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}, locationID string) (Counts, error) {
	var c Counts
	err := q.QueryRow(ctx, `SELECT live, total, removals FROM user_counts WHERE location_id = $1`, locationID).
		Scan(&c.Live, &c.All, &c.Removals)
	if errors.Is(err, pgx.ErrNoRows) {
		return Counts{}, nil
	}
	if err != nil {
		return Counts{}, fmt.Errorf("store: count users: %w", err)
	}
	return c, nil
}

// UserCounts implements Store.
func (s *pgStore) UserCounts(ctx context.Context, locationID string) (Counts, error) {
	return pgCounts(ctx, s.pool, locationID)
}

// FindUsers implements Store: the condition is rendered to SQL and the count
// and the page come from one repeatable-read snapshot.
func (s *pgStore) FindUsers(ctx context.Context, locationID string, c Cond, p Page) (_ []User, _ int, err error) {
	p = clampPage(p)
	p.IncludeDeleted = false
	args := []any{locationID}
	where, err := CondSQL(c, pgDialect(), &args)
	if err != nil {
		return nil, 0, err
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, 0, fmt.Errorf("store: find users: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var total int
	if p.NoCount {
		users, err := pgPage(ctx, tx, locationID, &condQuery{sql: where, args: args[1:]}, p)
		return users, 0, err
	}
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE location_id = $1 AND NOT deleted AND `+where, args...).
		Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", err)
	}
	if p.Limit == 0 || (p.AfterSeq <= 0 && p.Offset >= total) {
		return []User{}, total, nil
	}
	users, err := pgPage(ctx, tx, locationID, &condQuery{sql: where, args: args[1:]}, p)
	if err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// ScanUsers implements Store. Users are read in batches by Seq and fn runs
// between queries, so fn may call the store; a user written during the scan
// may or may not be seen, none is seen twice.
func (s *pgStore) ScanUsers(ctx context.Context, locationID string, includeDeleted bool, fn func(User) bool) error {
	where := `location_id = $1 AND seq > $2 AND NOT deleted`
	if includeDeleted {
		where = `location_id = $1 AND seq > $2`
	}
	query := `SELECT ` + pgUserColumns + ` FROM users WHERE ` + where + ` ORDER BY seq LIMIT $3`
	var after int64
	for {
		batch, err := pgQueryUsers(ctx, s.pool, query, locationID, after, s.scanBatch)
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
func (s *pgStore) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("store: ping PostgreSQL %s: %w", s.desc, err)
	}
	return nil
}

// Close implements Store.
func (s *pgStore) Close() error {
	s.closeOnce.Do(s.creates.Close)
	s.pool.Close()
	return nil
}

// AppendAudit implements Store.
func (s *pgStore) AppendAudit(ctx context.Context, records []AuditRecord) (err error) {
	if len(records) == 0 {
		return nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: append audit: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	locs := map[string]bool{}
	for _, r := range records {
		if _, err := tx.Exec(ctx, `INSERT INTO audit (location_id, time, method, path, status, user_agent, duration_ms)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.LocationID, normTime(r.Time), r.Method, r.Path, r.Status, r.UserAgent, r.DurationMS); err != nil {
			return fmt.Errorf("store: append audit: %w", err)
		}
		locs[r.LocationID] = true
	}
	for loc := range locs {
		if _, err := tx.Exec(ctx, `DELETE FROM audit WHERE location_id = $1 AND seq <=
			(SELECT seq FROM audit WHERE location_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)`, loc, AuditKeepPerLocation); err != nil {
			return fmt.Errorf("store: trim audit: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: append audit: commit: %w", err)
	}
	return nil
}

// AddAuthFailures implements Store.
func (s *pgStore) AddAuthFailures(ctx context.Context, failures []AuthFailure) (err error) {
	if len(failures) == 0 {
		return nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: add auth failures: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	for _, f := range failures {
		if _, err := tx.Exec(ctx, `INSERT INTO auth_failures (location_id, source, minute, count, last_status)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (location_id, source, minute)
			DO UPDATE SET count = auth_failures.count + EXCLUDED.count, last_status = EXCLUDED.last_status`,
			f.LocationID, f.Source, minute(f.Minute), f.Count, f.LastStatus); err != nil {
			return fmt.Errorf("store: add auth failures: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM auth_failures WHERE minute < $1`,
		minute(time.Now().Add(-AuthFailureRetention))); err != nil {
		return fmt.Errorf("store: trim auth failures: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: add auth failures: commit: %w", err)
	}
	return nil
}

// Audit implements Store.
func (s *pgStore) Audit(ctx context.Context, locationID string, limit int) ([]AuditRecord, error) {
	return pgCollect(ctx, s.pool, "read audit", func(row pgx.CollectableRow) (r AuditRecord, err error) {
		err = row.Scan(&r.LocationID, &r.Time, &r.Method, &r.Path, &r.Status, &r.UserAgent, &r.DurationMS)
		r.Time = r.Time.UTC()
		return r, err
	}, `SELECT location_id, time, method, path, status, user_agent, duration_ms
		FROM (SELECT * FROM audit WHERE location_id = $1 ORDER BY seq DESC LIMIT $2) last ORDER BY seq`, locationID, max(limit, 0))
}

// AuthFailures implements Store.
func (s *pgStore) AuthFailures(ctx context.Context, locationID string) ([]AuthFailure, error) {
	return pgCollect(ctx, s.pool, "read auth failures", func(row pgx.CollectableRow) (f AuthFailure, err error) {
		err = row.Scan(&f.LocationID, &f.Source, &f.Minute, &f.Count, &f.LastStatus)
		f.Minute = f.Minute.UTC()
		return f, err
	}, `SELECT location_id, source, minute, count, last_status
		FROM auth_failures WHERE location_id = $1 ORDER BY minute, source`, locationID)
}
