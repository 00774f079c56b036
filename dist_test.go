package scimtest_test

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Fixed stamps of the dist tests.
const (
	distVersion = "v0.0.0-disttest"
	distEpoch   = "1767225600" // SOURCE_DATE_EPOCH: 2026-01-01T00:00:00Z
	distDate    = "2026-01-01T00:00:00Z"
)

// distRun runs scripts/dist.sh (what `make dist` runs) for the platforms with
// the fixed version and date, plus extra environment, and returns the output
// folder.
func distRun(ctx context.Context, t *testing.T, platforms string, env ...string) string {
	t.Helper()
	for _, tool := range []string{"bash", "git", "tar", "gzip", "zip", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("dist test did NOT run: %s is not on PATH", tool)
		}
	}
	dir := filepath.Join(t.TempDir(), "dist")
	cmd := exec.CommandContext(ctx, "bash", "scripts/dist.sh")
	cmd.Env = append(append(os.Environ(), "DIST_DIR="+dir, "DIST_PLATFORMS="+platforms,
		"VERSION="+distVersion, "SOURCE_DATE_EPOCH="+distEpoch), env...)
	began := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/dist.sh: %v\n%s", err, out)
	}
	t.Logf("scripts/dist.sh (%s) in %s:\n%s", platforms, time.Since(began).Round(time.Millisecond), out)
	return dir
}

// distList returns the names in dir.
func distList(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	return got
}

// TestDistLayout runs scripts/dist.sh for all five platforms with a stand-in
// for the go command (it writes a small file where the binary goes), so that
// the names, archive formats and SHA256SUMS of every platform are checked in a
// second, without cross-compiling ten binaries.
func TestDistLayout(t *testing.T) {
	fakeGo := filepath.Join(t.TempDir(), "go")
	script := "#!/usr/bin/env bash\n" +
		"if [ \"$1\" = env ]; then echo go-fake; exit 0; fi\n" +
		"while [ $# -gt 0 ]; do if [ \"$1\" = -o ]; then printf 'binary for %s/%s\\n' \"$GOOS\" \"$GOARCH\" >\"$2\"; chmod +x \"$2\"; fi; shift; done\n"
	require.NoError(t, os.WriteFile(fakeGo, []byte(script), 0o755))
	dir := distRun(context.Background(), t, "linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64", "GO="+fakeGo)

	var archives []string
	for _, name := range []string{"mockokta", "xakia-reference"} {
		for _, p := range []string{"darwin_amd64", "darwin_arm64", "linux_amd64", "linux_arm64"} {
			archives = append(archives, name+"_"+distVersion+"_"+p+".tar.gz")
			distUntar(t, filepath.Join(dir, name+"_"+distVersion+"_"+p+".tar.gz"), []string{"README.md", name}, t.TempDir())
		}
		archives = append(archives, name+"_"+distVersion+"_windows_amd64.zip")
		distUnzip(t, filepath.Join(dir, name+"_"+distVersion+"_windows_amd64.zip"), []string{"README.md", name + ".exe"})
	}
	slices.Sort(archives)
	if got, want := distList(t, dir), append([]string{"SHA256SUMS"}, archives...); !slices.Equal(got, want) {
		t.Fatalf("dist holds %q, want %q", got, want)
	}
	distCheckSums(t, dir, archives)
}

// TestDist runs scripts/dist.sh for real, for linux/amd64 (the other
// platforms differ only in GOOS/GOARCH, see TestDistLayout): the archives
// hold static binaries that run and print the stamped version.
func TestDist(t *testing.T) {
	if testing.Short() {
		t.Skip("dist test did NOT run: -short (it builds two release binaries)")
	}
	ctx, cancel := deployContext(t, 12*time.Minute)
	defer cancel()
	dir := distRun(ctx, t, "linux/amd64")
	var archives []string
	for _, name := range []string{"mockokta", "xakia-reference"} {
		archives = append(archives, name+"_"+distVersion+"_linux_amd64.tar.gz")
	}
	if got, want := distList(t, dir), append([]string{"SHA256SUMS"}, archives...); !slices.Equal(got, want) {
		t.Fatalf("dist holds %q, want %q", got, want)
	}
	distCheckSums(t, dir, archives)

	bin := t.TempDir()
	for _, name := range []string{"mockokta", "xakia-reference"} {
		exe := distUntar(t, filepath.Join(dir, name+"_"+distVersion+"_linux_amd64.tar.gz"), []string{"README.md", name}, bin)
		if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
			t.Logf("not running %s version: this is %s/%s", name, runtime.GOOS, runtime.GOARCH)
			continue
		}
		v, err := exec.CommandContext(ctx, exe, "version").CombinedOutput()
		line := strings.TrimSpace(string(v))
		prefix := name + " " + distVersion + " (commit "
		if err != nil || !strings.HasPrefix(line, prefix) || !strings.Contains(line, "built "+distDate+", "+runtime.Version()+", linux/amd64)") {
			t.Errorf("%s version: %v, %q; want %q… with built %s, %s", name, err, line, prefix, distDate, runtime.Version())
		} else {
			t.Logf("%s", line)
		}
	}
}

// distCheckSums checks that SHA256SUMS lists exactly the archives with their
// digests.
func distCheckSums(t *testing.T, dir string, archives []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
	require.NoError(t, err)
	defer f.Close()
	var listed []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Errorf("SHA256SUMS line %q is not \"DIGEST  NAME\"", sc.Text())
			continue
		}
		listed = append(listed, name)
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("SHA256SUMS lists %s: %v", name, err)
			continue
		}
		if d := sha256.Sum256(b); hex.EncodeToString(d[:]) != sum {
			t.Errorf("SHA256SUMS: %s has digest %x, listed %s", name, d, sum)
		}
	}
	require.NoError(t, sc.Err())
	slices.Sort(listed)
	if !slices.Equal(listed, archives) {
		t.Errorf("SHA256SUMS lists %q, want %q", listed, archives)
	}
}

// distUntar checks that a .tar.gz holds exactly the named files (the binary
// executable, owned by root, not under a folder) and extracts the binary (the
// last name) into dir.
func distUntar(t *testing.T, archive string, names []string, dir string) string {
	t.Helper()
	f, err := os.Open(archive)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err, "%s", archive)
	tr := tar.NewReader(zr)
	var got []string
	exe := filepath.Join(dir, names[len(names)-1])
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "%s", archive)
		got = append(got, h.Name)
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: %s owned by %d:%d, want 0:0", archive, h.Name, h.Uid, h.Gid)
		}
		if h.Name != names[len(names)-1] {
			continue
		}
		if h.FileInfo().Mode().Perm()&0o111 == 0 {
			t.Errorf("%s: %s is not executable (%v)", archive, h.Name, h.FileInfo().Mode())
		}
		out, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
		require.NoError(t, err)
		if _, err := io.Copy(out, tr); err != nil {
			t.Fatal(err)
		}
		require.NoError(t, out.Close())
	}
	if !slices.Equal(got, names) {
		t.Errorf("%s holds %q, want %q", filepath.Base(archive), got, names)
	}
	return exe
}

// distUnzip checks that a .zip holds exactly the named files.
func distUnzip(t *testing.T, archive string, names []string) {
	t.Helper()
	zr, err := zip.OpenReader(archive)
	require.NoError(t, err, "%s", archive)
	defer zr.Close()
	var got []string
	for _, f := range zr.File {
		got = append(got, f.Name)
	}
	if !slices.Equal(got, names) {
		t.Errorf("%s holds %q, want %q", filepath.Base(archive), got, names)
	}
}
