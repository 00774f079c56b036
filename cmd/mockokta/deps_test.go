package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serverOnly are the module paths mockokta must not link: the PostgreSQL
// driver (only xakia-reference serves PostgreSQL) and the Docker client
// (only builds with -tags containers start SCIM_IMAGE).
var serverOnly = []string{
	"github.com/jackc/pgx/",
	"github.com/testcontainers/",
	"github.com/moby/moby/client",
	"github.com/docker/",
}

// goListDeps lists the packages linked into the package in dir.
func goListDeps(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to list the linked packages")
	cmd := exec.Command(goBin, append(append([]string{"list", "-deps"}, args...), ".")...)
	cmd.Dir = dir
	out, err := cmd.Output()
	require.NoError(t, err, "go list -deps")
	return strings.Fields(string(out))
}

// linked returns the packages of deps under any of the prefixes.
func linked(deps []string, prefixes []string) []string {
	var out []string
	for _, d := range deps {
		for _, p := range prefixes {
			if strings.HasPrefix(d, p) || d == strings.TrimSuffix(p, "/") {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// TestMockoktaLinksNoServerDrivers keeps the mockokta binary free of the
// PostgreSQL driver and the Docker client: the embedded reference needs
// SQLite only (reference/postgres adds PostgreSQL to xakia-reference), and
// containers are for builds with -tags containers.
func TestMockoktaLinksNoServerDrivers(t *testing.T) {
	assert.Empty(t, linked(goListDeps(t, "."), serverOnly), "mockokta links server-only packages again")

	// The check can fail: the tagged build and xakia-reference do link them.
	assert.NotEmpty(t, linked(goListDeps(t, ".", "-tags", "containers"), []string{"github.com/testcontainers/"}))
	assert.NotEmpty(t, linked(goListDeps(t, "../xakia-reference"), []string{"github.com/jackc/pgx/"}))
}
