package pgtest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestStartAndCreateDatabase(t *testing.T) {
	dsn := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	first := CreateDatabase(t, dsn)
	second := CreateDatabase(t, dsn)
	if first == second {
		t.Fatalf("CreateDatabase returned the same DSN twice: %s", first)
	}
	for _, db := range []string{first, second} {
		conn, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Fatalf("connect %s: %v", db, err)
		}
		var name string
		if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil {
			t.Fatalf("current_database: %v", err)
		}
		_ = conn.Close(ctx)
		if !strings.HasPrefix(name, "xakia_test_") || !strings.Contains(db, "/"+name) {
			t.Errorf("DSN %s connected to database %q", db, name)
		}
	}
}

func TestFindBinaries(t *testing.T) {
	empty := t.TempDir()
	fake := t.TempDir()
	for _, v := range []string{"9", "15", "13"} {
		dir := filepath.Join(fake, "postgresql", v, "bin")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"initdb", "pg_ctl"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Setenv("PATH", empty)

	_, err := findBinaries(filepath.Join(empty, "*", "bin"))
	if err == nil || !strings.Contains(err.Error(), "initdb") || !strings.Contains(err.Error(), EnvDSN) {
		t.Errorf("with no binaries: error %v, want one naming initdb and %s", err, EnvDSN)
	}

	got, err := findBinaries(filepath.Join(fake, "postgresql", "*", "bin"))
	if err != nil {
		t.Fatalf("with fake binaries: %v", err)
	}
	want := filepath.Join(fake, "postgresql", "15", "bin")
	if got.initdb != filepath.Join(want, "initdb") || got.pgCtl != filepath.Join(want, "pg_ctl") {
		t.Errorf("found %+v, want the newest version in %s", got, want)
	}
}
