package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/internal/benchtable"
)

// TestReplayBuildsTheTableFromRawOutputs feeds the real outputs kept in
// internal/benchtable/testdata to -replay: no benchmark runs.
func TestReplayBuildsTheTableFromRawOutputs(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, "../benchtable/testdata/gobench.txt", filepath.Join(dir, "gobench.txt"))
	copyFile(t, "../benchtable/testdata/load.json", filepath.Join(dir, fileName(benchtable.LoadReference)+".json"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, fileName(benchtable.LoadReferenceSeeded)+".json"),
		[]byte(`{"command":"load","ok":false,"load":{"users":10,"succeeded":3,"failed":7}}`), 0o644))

	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-replay", "-out", dir, "-users", "2000", "-seed", "100000"}, &stdout, &stderr))
	out := stdout.String()
	assert.Contains(t, out, "table rebuilt from "+dir)
	assert.Contains(t, out, "| GET by userName eq, 1k users, sequential (cost × bare) |")
	assert.Regexp(t, `\| mockokta load 2k users, c=8, reference SQLite +\| +\d[\d,]* users/s \| +not run \|`, out,
		"the bare-handler run is missing, so the ceiling says so")
	assert.Contains(t, out, "|   peak RSS of mockokta")
	assert.Contains(t, out, "27.8 MB")
	assert.Contains(t, out, "failed [1]", "the seeded run failed: a note says why")
	assert.Contains(t, out, "[1] Load/reference-sqlite-seeded: benchtable: Load/reference-sqlite-seeded: 7 of 10 assignments failed")

	table, err := os.ReadFile(filepath.Join(dir, "table.md"))
	require.NoError(t, err)
	assert.Equal(t, out, string(table), "table.md holds what was printed")
}

func TestFlagsAndBounds(t *testing.T) {
	var stderr bytes.Buffer
	cfg, err := parseFlags([]string{"-users", "100000", "-pkgs", "./a/ ./b/"}, &stderr)
	require.NoError(t, err)
	assert.Equal(t, []string{"./a/", "./b/"}, cfg.pkgs)
	assert.Equal(t, 4*time.Minute+500*time.Second, loadMaxDuration(100000))
	assert.Equal(t, 15*time.Minute+3*loadMaxDuration(100000), cfg.timeout, "the whole run's bound grows with the load runs'")
	_, err = parseFlags([]string{"-users", "0"}, &stderr)
	assert.Error(t, err)
	_, err = parseFlags([]string{"-seed", "-1"}, &stderr)
	assert.Error(t, err)
	assert.Equal(t, "10k", count(10000))
	assert.Equal(t, "1500", count(1500))
	assert.Equal(t, "load-reference-sqlite-seeded", fileName(benchtable.LoadReferenceSeeded))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, b, 0o644))
}
