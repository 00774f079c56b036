package procstat

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const statusFixture = `Name:	xakia-reference
VmPeak:	 1300000 kB
VmHWM:	   51234 kB
VmRSS:	   40000 kB
Threads:	9
`

const tcpFixture = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 888 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 999 1 0000000000000000 100 0 0 10 0
`

// fixture builds a fake /proc: process 4242 listens on 127.0.0.1:8080
// (0x1F90) through socket inode 777; an established connection on the same
// port (inode 888) belongs to nobody.
func fixture(t *testing.T) FS {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"self", "net", "4242/fd", "17/fd"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(root, "self", "status"), []byte(statusFixture), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "4242", "status"), []byte(statusFixture), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "4242", "comm"), []byte("xakia-reference\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "net", "tcp"), []byte(tcpFixture), 0o644))
	require.NoError(t, os.Symlink("pipe:[5]", filepath.Join(root, "17", "fd", "0")))
	require.NoError(t, os.Symlink("socket:[888]", filepath.Join(root, "17", "fd", "1")))
	require.NoError(t, os.Symlink("/dev/null", filepath.Join(root, "4242", "fd", "0")))
	require.NoError(t, os.Symlink("socket:[777]", filepath.Join(root, "4242", "fd", "3")))
	return FS{Root: root}
}

func TestPeakRSSFromStatus(t *testing.T) {
	fs := fixture(t)
	hwm, err := fs.PeakRSS(0)
	require.NoError(t, err)
	assert.Equal(t, int64(51234*1024), hwm)
	rss, err := fs.RSS(4242)
	require.NoError(t, err)
	assert.Equal(t, int64(40000*1024), rss)
	name, err := fs.Name(4242)
	require.NoError(t, err)
	assert.Equal(t, "xakia-reference", name)
	_, err = fs.PeakRSS(99)
	assert.Error(t, err, "no such process")
	_, err = parseStatusField([]byte("Name:\tx\n"), "VmHWM")
	assert.Error(t, err)
}

func TestListenerPIDFromFixture(t *testing.T) {
	fs := fixture(t)
	pid, err := fs.ListenerPID(8080)
	require.NoError(t, err)
	assert.Equal(t, 4242, pid)
	_, err = fs.ListenerPID(8081)
	assert.ErrorIs(t, err, ErrNotFound, "a listening socket whose process is not visible")
	_, err = fs.ListenerPID(9)
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestUnsupportedWithoutProc(t *testing.T) {
	fs := FS{Root: filepath.Join(t.TempDir(), "nothing")}
	_, err := fs.PeakRSS(0)
	assert.ErrorIs(t, err, ErrUnsupported)
	_, err = fs.ListenerPID(80)
	assert.ErrorIs(t, err, ErrUnsupported)
}

func TestRealProcFindsThisProcessListener(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	pid, err := Proc().ListenerPID(ln.Addr().(*net.TCPAddr).Port)
	require.NoError(t, err)
	assert.Equal(t, os.Getpid(), pid)
	hwm, err := Proc().PeakRSS(0)
	require.NoError(t, err)
	assert.Positive(t, hwm)
}
