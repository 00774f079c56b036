package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Open opens (creating and migrating when needed) the store named by dsn:
//
//   - "" or ":memory:" is a private SQLite database in a fresh temporary
//     directory that Close deletes. It is a temporary file rather than
//     SQLite's own ":memory:" because modernc.org/sqlite gives every pooled
//     database/sql connection its own in-memory database, so writes made on
//     one connection would be invisible on the others.
//   - "postgres://..." or "postgresql://..." is a PostgreSQL database
//     (pgx connection URL; pool settings such as pool_max_conns are honoured).
//   - any other string without "://" is the path of a SQLite database file,
//     created when missing.
//
// Schema migrations are applied before Open returns. A nil logger discards logs.
// Errors never contain a PostgreSQL password. PostgreSQL needs the option
// WithPostgres(postgres.Open): its driver is linked only into the programs
// that pass it.
func Open(ctx context.Context, dsn string, logger *slog.Logger, opts ...Option) (Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	var (
		st  Store
		err error
	)
	switch kind, cerr := classifyDSN(dsn); {
	case cerr != nil:
		return nil, cerr
	case kind == dsnMemory:
		st, err = openSQLiteTemp(ctx, logger)
	case kind == dsnPostgres && o.postgres == nil:
		return nil, errors.New("store: this program is built without PostgreSQL support: use a SQLite file path or \":memory:\" (xakia-reference serves PostgreSQL)")
	case kind == dsnPostgres:
		st, err = o.postgres(ctx, dsn, logger)
	default:
		st, err = openSQLite(ctx, dsn, logger)
	}
	if err != nil {
		return nil, classify(err)
	}
	return classifying{s: st}, nil
}

// inner returns the backend under the classifying wrapper (for tests).
func inner(s Store) Store {
	if c, ok := s.(classifying); ok {
		return c.s
	}
	return s
}

type dsnKind int

const (
	dsnSQLiteFile dsnKind = iota
	dsnMemory
	dsnPostgres
)

// classifyDSN tells which backend dsn names.
func classifyDSN(dsn string) (dsnKind, error) {
	if dsn == "" || dsn == ":memory:" {
		return dsnMemory, nil
	}
	lower := strings.ToLower(dsn)
	if strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://") {
		return dsnPostgres, nil
	}
	if i := strings.Index(dsn, "://"); i >= 0 {
		return 0, fmt.Errorf("store: unsupported database URL scheme %q: use a SQLite file path, \":memory:\" or a postgres:// URL", dsn[:i])
	}
	if strings.HasPrefix(lower, "file:") {
		return 0, errors.New("store: SQLite URIs (file:...) are not supported: give a plain file path")
	}
	if key, _, ok := strings.Cut(dsn, "="); ok && isKeyword(strings.TrimSpace(key)) {
		// A keyword DSN ("host=db dbname=xakia user=x password=y"), never a
		// file name: a file named after it would hold the password.
		if _, err := parseKeywordDSN(dsn); err != nil {
			return 0, fmt.Errorf("store: the database setting looks like a PostgreSQL keyword DSN but is not one (%v): use key=value pairs "+
				"such as host=… dbname=…, or a postgres:// URL", err)
		}
		return dsnPostgres, nil
	}
	if strings.ContainsAny(dsn, "?#") {
		return 0, fmt.Errorf("store: SQLite path %q contains '?' or '#': rename the file or choose another path", dsn)
	}
	if strings.Contains(dsn, "=") {
		return 0, errors.New("store: the database setting contains '=': it is neither a PostgreSQL keyword DSN (host=… dbname=…) nor a usable SQLite file path")
	}
	return dsnSQLiteFile, nil
}

// isKeyword reports whether s has the shape of a keyword: lower-case letters
// and '_' only.
func isKeyword(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return true
}

// pgKeywords are the libpq connection keywords a keyword DSN may use.
var pgKeywords = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true, "password": true,
	"passfile": true, "connect_timeout": true, "client_encoding": true, "options": true,
	"application_name": true, "fallback_application_name": true, "keepalives": true,
	"keepalives_idle": true, "keepalives_interval": true, "keepalives_count": true,
	"tcp_user_timeout": true, "sslmode": true, "sslcert": true, "sslkey": true, "sslrootcert": true,
	"sslpassword": true, "sslcrl": true, "sslsni": true, "requiressl": true, "gssencmode": true,
	"krbsrvname": true, "service": true, "target_session_attrs": true, "load_balance_hosts": true,
	"search_path": true, "timezone": true, "channel_binding": true, "min_read_buffer_size": true,
	"statement_cache_capacity": true, "default_query_exec_mode": true, "description_cache_capacity": true,
	"pool_max_conns": true, "pool_min_conns": true, "pool_max_conn_lifetime": true,
	"pool_max_conn_idle_time": true, "pool_health_check_period": true, "pool_max_conn_lifetime_jitter": true,
	"pool_min_idle_conns": true,
}

// parseKeywordDSN splits a libpq keyword DSN into its pairs: key=value
// separated by spaces, values optionally single-quoted with backslash
// escapes. Every key must be a known keyword.
func parseKeywordDSN(dsn string) (map[string]string, error) {
	out := map[string]string{}
	s := strings.TrimSpace(dsn)
	for len(s) > 0 {
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return nil, fmt.Errorf("%q has no '='", firstField(s))
		}
		key := strings.TrimSpace(s[:eq])
		if key == "" || strings.ContainsAny(key, " \t'") {
			return nil, fmt.Errorf("bad keyword %q", firstField(key))
		}
		if !pgKeywords[key] {
			return nil, fmt.Errorf("unknown keyword %q", key)
		}
		s = strings.TrimLeft(s[eq+1:], " ")
		var val strings.Builder
		if strings.HasPrefix(s, "'") {
			i, closed := 1, false
			for ; i < len(s); i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
					val.WriteByte(s[i])
					continue
				}
				if s[i] == '\'' {
					closed = true
					break
				}
				val.WriteByte(s[i])
			}
			if !closed {
				return nil, fmt.Errorf("unterminated quoted value of %q", key)
			}
			s = s[i+1:]
		} else {
			end := strings.IndexByte(s, ' ')
			if end < 0 {
				end = len(s)
			}
			val.WriteString(s[:end])
			s = s[end:]
		}
		out[key] = val.String()
		s = strings.TrimLeft(s, " ")
	}
	if len(out) == 0 {
		return nil, errors.New("no key=value pair")
	}
	return out, nil
}

// firstField is the start of s up to its first space, for messages.
func firstField(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}
