// Package procstat reads what Linux's /proc says about processes: the peak
// resident set size of a process (VmHWM) and which local process listens
// on a TCP port. The load command and the benchmarks use it to report the
// memory of the load process and of the server it loads.
//
// On systems without /proc every function returns an error wrapping
// [ErrUnsupported].
package procstat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrUnsupported is returned where /proc is not available.
var ErrUnsupported = errors.New("procstat: /proc is not available on this system")

// ErrNotFound is returned by ListenerPID when no visible process listens
// on the port.
var ErrNotFound = errors.New("procstat: no local process listens on that port")

// FS is a /proc file system; Root is "/proc" for the real one (tests point
// it at a fixture).
type FS struct {
	Root string
}

// Proc returns the real /proc.
func Proc() FS { return FS{Root: "/proc"} }

func (fs FS) available() error {
	if _, err := os.Stat(filepath.Join(fs.Root, "self")); err != nil {
		return fmt.Errorf("%w (%v)", ErrUnsupported, err)
	}
	return nil
}

// PeakRSS returns the peak resident set size of process pid (VmHWM of
// /proc/PID/status), in bytes. pid 0 means the calling process.
func (fs FS) PeakRSS(pid int) (int64, error) {
	return fs.statusField(pid, "VmHWM")
}

// RSS returns the current resident set size of process pid (VmRSS), in
// bytes. pid 0 means the calling process.
func (fs FS) RSS(pid int) (int64, error) {
	return fs.statusField(pid, "VmRSS")
}

// Name returns the command name of process pid (/proc/PID/comm), e.g.
// "xakia-reference" (at most 15 bytes: the kernel truncates it).
func (fs FS) Name(pid int) (string, error) {
	if err := fs.available(); err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(fs.Root, strconv.Itoa(pid), "comm"))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// statusField reads a "Name:   1234 kB" line of /proc/PID/status.
func (fs FS) statusField(pid int, name string) (int64, error) {
	if err := fs.available(); err != nil {
		return 0, err
	}
	dir := "self"
	if pid != 0 {
		dir = strconv.Itoa(pid)
	}
	b, err := os.ReadFile(filepath.Join(fs.Root, dir, "status"))
	if err != nil {
		return 0, err
	}
	return parseStatusField(b, name)
}

// parseStatusField finds name in a /proc/PID/status text and returns its
// value in bytes.
func parseStatusField(status []byte, name string) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != name {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			break
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("procstat: %s %q: %w", name, v, err)
		}
		if len(f) > 1 {
			switch strings.ToLower(f[1]) {
			case "kb":
				n *= 1024
			case "mb":
				n *= 1024 * 1024
			}
		}
		return n, nil
	}
	return 0, fmt.Errorf("procstat: no %s in the process status", name)
}

// ListenerPID returns the id of a process that holds a TCP socket
// listening on port (IPv4 or IPv6). Only processes whose file descriptors
// the caller may read are seen (the caller's own, or all when privileged).
func (fs FS) ListenerPID(port int) (int, error) {
	if err := fs.available(); err != nil {
		return 0, err
	}
	inodes := map[string]bool{}
	for _, table := range []string{"net/tcp", "net/tcp6"} {
		b, err := os.ReadFile(filepath.Join(fs.Root, table))
		if err != nil {
			continue
		}
		for _, ino := range listeningInodes(b, port) {
			inodes[ino] = true
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("%w %d", ErrNotFound, port)
	}
	entries, err := os.ReadDir(fs.Root)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		fdDir := filepath.Join(fs.Root, e.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue // another user's process, or gone
		}
		for _, fd := range fds {
			target, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil {
				continue
			}
			if ino, ok := strings.CutPrefix(target, "socket:["); ok && inodes[strings.TrimSuffix(ino, "]")] {
				return pid, nil
			}
		}
	}
	return 0, fmt.Errorf("%w %d (a socket listens, but its process is not visible)", ErrNotFound, port)
}

// tcpListen is the state code of a listening socket in /proc/net/tcp.
const tcpListen = "0A"

// listeningInodes returns the inodes of the sockets of a /proc/net/tcp
// table that listen on port.
func listeningInodes(table []byte, port int) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(table))
	for first := true; sc.Scan(); first = false {
		if first {
			continue // the header
		}
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != tcpListen {
			continue
		}
		_, hexPort, ok := strings.Cut(f[1], ":")
		if !ok {
			continue
		}
		p, err := strconv.ParseUint(hexPort, 16, 16)
		if err != nil || int(p) != port {
			continue
		}
		out = append(out, f[9])
	}
	return out
}
