package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeedCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	code, _, stderr := runCmd(t, envOf(nil), "location", "create", "Load", "--db", db)
	require.Equal(t, exitOK, code, stderr)

	code, stdout, stderr := runCmd(t, envOf(nil), "seed", "load", "--users", "250", "--db", db)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "Seeded 250 users into load")
	assert.Contains(t, stdout, "@example.com")

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"seed", "load", "--db", db}, exitUsage, "needs --users"},
		{[]string{"seed", "load", "--users", "0", "--db", db}, exitUsage, "--users must be"},
		{[]string{"seed", "--users", "5", "--db", db}, exitUsage, ""},
		{[]string{"seed", "nowhere", "--users", "5", "--db", db}, exitError, `no location "nowhere"`},
	} {
		code, _, stderr := runCmd(t, envOf(nil), c.args...)
		assert.Equal(t, c.code, code, "%v: %s", c.args, stderr)
		assert.Contains(t, stderr, c.msg, c.args)
	}

	// Seeding again adds users under another run tag.
	code, stdout2, stderr := runCmd(t, envOf(nil), "seed", "load", "--users", "3", "--db", db)
	require.Equal(t, exitOK, code, stderr)
	assert.NotEqual(t, stdout, stdout2)
}
