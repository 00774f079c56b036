package store

import (
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestClassifyDSN(t *testing.T) {
	cases := []struct {
		dsn     string
		want    dsnKind
		wantErr string
	}{
		{"", dsnMemory, ""},
		{":memory:", dsnMemory, ""},
		{"postgres://u@h/db", dsnPostgres, ""},
		{"PostgreSQL://u@h/db", dsnPostgres, ""},
		{"./xakia-reference.db", dsnSQLiteFile, ""},
		{"/var/lib/xakia/x.db", dsnSQLiteFile, ""},
		{"x.db?mode=ro", 0, "contains '?'"},
		{"file:x.db", 0, "file:"},
		{"mysql://u@h/db", 0, `unsupported database URL scheme "mysql"`},
		{"host=db.internal dbname=xakia user=x password=s3cret sslmode=require", dsnPostgres, ""},
		{"host=/tmp port=5432 dbname='my db' password='it\\'s'", dsnPostgres, ""},
		{"host=db password=s3cret bogus=1", 0, `unknown keyword "bogus"`},
		{"host=db password=s3cret", dsnPostgres, ""},
		{"./x=y.db", 0, "contains '='"},
		{"dbname=x passwd=s3cret", 0, `unknown keyword "passwd"`},
		{"host=db dbname='unterminated", 0, "unterminated"},
		{"sqlite://x.db", 0, `unsupported database URL scheme "sqlite"`},
	}
	for _, c := range cases {
		got, err := classifyDSN(c.dsn)
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("classifyDSN(%q): the error shows the password: %v", c.dsn, err)
		}
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("classifyDSN(%q) error %v, want one containing %q", c.dsn, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("classifyDSN(%q) = %v, %v; want %v", c.dsn, got, err, c.want)
		}
	}
}

func TestOpenSQLiteErrors(t *testing.T) {
	dir := t.TempDir()
	notADB := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(notADB, []byte(strings.Repeat("this is not a database\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, dsn, want string
	}{
		{"missing directory", filepath.Join(dir, "nope", "x.db"), "does not exist"},
		{"directory as file", dir, "is a directory"},
		{"not a database", notADB, "is not a SQLite database"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Open(testCtx(t), c.dsn, nil)
			if err == nil {
				_ = s.Close()
				t.Fatalf("Open(%q) succeeded", c.dsn)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open(%q) error %q, want it to say %q", c.dsn, err, c.want)
			}
		})
	}
}

func TestOpenSQLiteUnwritable(t *testing.T) {
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		// Permissions do not stop root; sysfs refuses new files even to root.
		if st, err := os.Stat("/sys/kernel"); err != nil || !st.IsDir() {
			t.Skip("running as root without /sys: an unwritable directory cannot be produced")
		}
		dir = "/sys"
	} else {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	}
	_, err := Open(testCtx(t), filepath.Join(dir, "xakia-store-test.db"), nil)
	if err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Errorf("Open in a read-only directory: %v, want a 'not writable' error", err)
	}
}

func TestOpenMemoryIsPrivateAndRemoved(t *testing.T) {
	ctx := testCtx(t)
	a, err := Open(ctx, ":memory:", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.CreateLocation(ctx, Location{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Location(ctx, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a location of one in-memory store is visible in another: %v", err)
	}
	dir := inner(a).(*sqliteStore).tempDir
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("temporary directory: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary directory %s still there after Close: %v", dir, err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestOpenSQLiteNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	s, err := Open(testCtx(t), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_version (version, applied) VALUES (99, 'x')`); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if _, err := Open(testCtx(t), path, nil); err == nil || !strings.Contains(err.Error(), "newer than this program supports") {
		t.Errorf("Open of a newer schema: %v", err)
	}
}

// TestOpenSQLiteTogether opens one new file from several goroutines at once:
// the immediate migration transaction lets exactly one of them create the schema.
func TestOpenSQLiteTogether(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	checkOpenTogether(t, path, len(sqliteMigrations), func() (int, error) {
		db, err := sql.Open("sqlite", path)
		if err != nil {
			return 0, err
		}
		defer db.Close()
		var n int
		err = db.QueryRow(`SELECT COUNT(*) FROM schema_version`).Scan(&n)
		return n, err
	})
}

// checkOpenTogether opens dsn from 4 goroutines at once and checks that all
// succeed and that each migration was recorded once.
func checkOpenTogether(t *testing.T, dsn string, want int, versions func() (int, error), opts ...Option) {
	t.Helper()
	ctx := testCtx(t)
	const n = 4
	stores := make([]Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(ctx, dsn, nil, opts...) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Open %d: %v", i, errs[i])
			continue
		}
		_ = stores[i].Close()
	}
	got, err := versions()
	if err != nil || got != want {
		t.Errorf("schema_version rows: %d, %v; want %d", got, err, want)
	}
}

func TestSQLiteSettings(t *testing.T) {
	s, err := Open(testCtx(t), filepath.Join(t.TempDir(), "x.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ss := inner(s).(*sqliteStore)
	for _, c := range []struct {
		db     *sql.DB
		pragma string
		want   string
	}{
		{ss.write, "journal_mode", "wal"},
		{ss.write, "synchronous", "2"}, // FULL
		{ss.write, "foreign_keys", "1"},
		{ss.write, "busy_timeout", "10000"},
		{ss.read, "busy_timeout", "10000"},
		{ss.read, "query_only", "1"},
	} {
		var got string
		if err := c.db.QueryRow("PRAGMA " + c.pragma).Scan(&got); err != nil || got != c.want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", c.pragma, got, err, c.want)
		}
	}
	if ss.write.Stats().MaxOpenConnections != 1 {
		t.Errorf("write pool allows %d connections, want 1", ss.write.Stats().MaxOpenConnections)
	}
}
