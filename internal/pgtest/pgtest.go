// Package pgtest starts throwaway PostgreSQL clusters for tests.
//
// [Start] runs initdb and pg_ctl from the local PostgreSQL server binaries on
// a free loopback port, or returns $XAKIA_TEST_PG_DSN when it is set. When
// neither is possible the test is skipped with the reason, or fails when
// $XAKIA_REQUIRE_POSTGRES is "true" (for CI, where not-run must not pass
// silently). Under go test -short it always skips: these are the slow tests. [CreateDatabase] gives each test its own database in one cluster,
// since starting a cluster costs a few seconds.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the variable that, when set, points the tests at an existing
// PostgreSQL server (a postgres:// URL of a role allowed to create databases)
// instead of a throwaway cluster.
const EnvDSN = "XAKIA_TEST_PG_DSN"

// EnvRequired names the variable that, when "true", turns a missing
// PostgreSQL into a test failure instead of a skip.
const EnvRequired = "XAKIA_REQUIRE_POSTGRES"

// commandTimeout bounds each initdb / pg_ctl invocation.
const commandTimeout = 90 * time.Second

// startAttempts bounds the retries when the picked port is taken meanwhile.
const startAttempts = 3

// Start returns the DSN of a PostgreSQL server for t: $XAKIA_TEST_PG_DSN if
// set, else a new cluster (superuser "postgres", trust authentication,
// listening on 127.0.0.1 only) that t.Cleanup stops and deletes. The DSN names
// the "postgres" database; use [CreateDatabase] for a private one. Under
// go test -short it skips t.
func Start(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("PostgreSQL tests did NOT run: -short (each starts or fills a PostgreSQL cluster, 5-20 s); make test runs them")
	}
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		return dsn
	}
	bin, err := findBinaries(defaultBinGlob)
	if err != nil {
		skipOrFail(t, err.Error())
	}
	runAs, err := unprivilegedUser()
	if err != nil {
		skipOrFail(t, err.Error())
	}

	base, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		t.Fatalf("pgtest: create cluster directory: %v", err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(base); err != nil {
			t.Errorf("pgtest: remove cluster directory: %v", err)
		}
	})
	if runAs != nil {
		if err := os.Chown(base, runAs.uid, runAs.gid); err != nil {
			t.Fatalf("pgtest: hand %s to user %s: %v", base, runAs.name, err)
		}
	}
	data := filepath.Join(base, "data")
	logFile := filepath.Join(base, "postgres.log")

	if out, err := run(runAs, base, bin.initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"); err != nil {
		t.Fatalf("pgtest: initdb failed: %v\n%s", err, out)
	}

	var port int
	for attempt := 1; ; attempt++ {
		port, err = freePort()
		if err != nil {
			t.Fatalf("pgtest: pick a free port: %v", err)
		}
		opts := fmt.Sprintf("-k %s -p %d -c listen_addresses=127.0.0.1 -c fsync=off", base, port)
		out, err := run(runAs, base, bin.pgCtl, "-D", data, "-l", logFile, "-o", opts, "-w", "-t", "60", "start")
		if err == nil {
			break
		}
		logText, _ := os.ReadFile(logFile)
		if attempt == startAttempts {
			t.Fatalf("pgtest: pg_ctl start failed %d times, last: %v\n%s\nserver log:\n%s", attempt, err, out, logText)
		}
		t.Logf("pgtest: pg_ctl start on port %d failed (%v), retrying on another port", port, err)
	}
	t.Cleanup(func() {
		if out, err := run(runAs, base, bin.pgCtl, "-D", data, "-m", "immediate", "-w", "stop"); err != nil {
			t.Errorf("pgtest: pg_ctl stop failed: %v\n%s", err, out)
		}
	})
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}

// CreateDatabase creates a database with a fresh name on the server of dsn
// and returns the DSN that names it; t.Cleanup drops it (forcing off any
// connection still open).
func CreateDatabase(t testing.TB, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("pgtest: parse DSN: %v", redact(err.Error(), dsn))
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "xakia_test_" + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: connect to create a database: %s", redact(err.Error(), dsn))
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("pgtest: connect to drop database %s: %s", name, redact(err.Error(), dsn))
			return
		}
		defer func() { _ = conn.Close(context.Background()) }()
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// redact masks the password of dsn in s.
func redact(s, dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		if p, ok := u.User.Password(); ok && p != "" {
			s = strings.ReplaceAll(s, p, "xxxxx")
		}
	}
	return s
}

// skipOrFail skips t with reason, or fails it when $XAKIA_REQUIRE_POSTGRES is "true".
func skipOrFail(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv(EnvRequired) == "true" {
		t.Fatalf("%s (and %s=true)", reason, EnvRequired)
	}
	t.Skip(reason)
}

// binaries are the PostgreSQL server programs Start needs.
type binaries struct{ initdb, pgCtl string }

// defaultBinGlob is where Debian and Ubuntu install the server binaries.
const defaultBinGlob = "/usr/lib/postgresql/*/bin"

// findBinaries looks for initdb and pg_ctl on PATH, then in the newest
// directory matching binGlob.
func findBinaries(binGlob string) (binaries, error) {
	if initdb, err := exec.LookPath("initdb"); err == nil {
		// Prefer the pg_ctl next to initdb (same version), else PATH's.
		resolved, _ := filepath.EvalSymlinks(initdb)
		for _, dir := range []string{filepath.Dir(resolved), filepath.Dir(initdb)} {
			if p := filepath.Join(dir, "pg_ctl"); isExecutable(p) {
				return binaries{initdb: initdb, pgCtl: p}, nil
			}
		}
		if pgCtl, err := exec.LookPath("pg_ctl"); err == nil {
			return binaries{initdb: initdb, pgCtl: pgCtl}, nil
		}
	}
	dirs, _ := filepath.Glob(binGlob)
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, dir := range dirs {
		initdb, pgCtl := filepath.Join(dir, "initdb"), filepath.Join(dir, "pg_ctl")
		if isExecutable(initdb) && isExecutable(pgCtl) {
			return binaries{initdb: initdb, pgCtl: pgCtl}, nil
		}
	}
	return binaries{}, errors.New("PostgreSQL binaries not found (initdb); install postgresql to run these tests, or set " +
		EnvDSN + " to a postgres:// URL")
}

// versionOf reads N from …/postgresql/N/bin (0 when not a number).
func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// account is the unprivileged user the cluster runs as when the test runs as root.
type account struct {
	name     string
	uid, gid int
}

// unprivilegedUser returns nil when not root (the cluster runs as the current
// user); as root, the "postgres" system user if it exists, else "nobody".
// initdb and postgres refuse to run as root.
func unprivilegedUser() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		return nil, errors.New("running as root and runuser is not available: PostgreSQL refuses to run as root; run the tests as another user or set " + EnvDSN)
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 != nil || err2 != nil || uid == 0 {
			continue
		}
		return &account{name: name, uid: uid, gid: gid}, nil
	}
	return nil, errors.New("running as root and neither a postgres nor a nobody user exists: PostgreSQL refuses to run as root; set " + EnvDSN)
}

// run runs a program (as runAs when not nil) in dir and returns its combined output.
func run(runAs *account, dir, program string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	var cmd *exec.Cmd
	if runAs != nil {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", runAs.name, "--", program}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, program, args...)
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	// pg_ctl start leaves the server running with our pipes inherited unless
	// its log goes to a file (-l); WaitDelay guards against a stray holder.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return out.String(), err
}

// freePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
