package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/xakia-okta/scimtest/internal/procstat"
	"github.com/xakia-okta/scimtest/mockokta"
)

// progressMode picks how a bulk run shows progress: nothing with --quiet or
// --json, a bar on a terminal, a line every 2 s otherwise (logs, CI).
func progressMode(quiet, json, terminal bool) mockokta.ProgressMode {
	switch {
	case quiet || json:
		return mockokta.ProgressOff
	case terminal:
		return mockokta.ProgressBar
	default:
		return mockokta.ProgressLines
	}
}

// stepProgress shows the progress of a long lifecycle step: a line every
// 2 s off a terminal, a bar on one when the step has more than
// minBarTasks tasks (a short step is over before a bar helps).
type stepProgress struct {
	mode    mockokta.ProgressMode
	w       io.Writer
	printer *mockokta.ProgressPrinter
}

// minBarTasks is the least number of tasks for which a step draws a bar.
const minBarTasks = 10

func (p *stepProgress) update(step string, done, total int) {
	if p.mode == mockokta.ProgressOff || (p.mode == mockokta.ProgressBar && total <= minBarTasks) {
		return
	}
	if p.printer == nil {
		p.printer = mockokta.NewProgressPrinter(p.w, p.mode, total, "lifecycle "+step+": ", 0)
	}
	p.printer.Update(done, 0)
}

// stop ends the current step's progress, if any.
func (p *stepProgress) stop() {
	if p.printer != nil {
		p.printer.Stop()
		p.printer = nil
	}
}

// measureMemory reads the peak RSS of this process and, when the target
// is a process on this machine, of the server: found by the loopback port
// it listens on, or this very process for --embedded.
func measureMemory(baseURL string, embedded bool) *mockokta.LoadMemory {
	proc := procstat.Proc()
	m := &mockokta.LoadMemory{}
	m.ClientPeakRSS, _ = proc.PeakRSS(0)
	if embedded {
		m.ServerNote = "in this process (--embedded): included above"
		return m
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		m.ServerNote = "unknown"
		return m
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		m.ServerNote = "not measured (not a process on this machine)"
		return m
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		port = 80
		if u.Scheme == "https" {
			port = 443
		}
	}
	pid, err := proc.ListenerPID(port)
	switch {
	case errors.Is(err, procstat.ErrUnsupported):
		m.ServerNote = "not measured (no /proc on this system)"
		return m
	case err != nil:
		m.ServerNote = fmt.Sprintf("not measured (no visible process listens on port %d)", port)
		return m
	case pid == os.Getpid():
		m.ServerNote = "in this process: included above"
		return m
	}
	m.ServerName, _ = proc.Name(pid)
	switch m.ServerName {
	case "docker-proxy", "rootlessport", "slirp4netns", "rootlesskit":
		// The port is forwarded into a container: the process found is
		// the forwarder, not the server.
		m.ServerNote = fmt.Sprintf("not measured (port %d is forwarded by %s)", port, m.ServerName)
		m.ServerName = ""
		return m
	}
	m.ServerPID = pid
	if m.ServerPeakRSS, err = proc.PeakRSS(pid); err != nil {
		m.ServerNote = "not measured: " + err.Error()
	}
	return m
}

// writeChart writes the latency chart of a run as SVG to path.
func writeChart(path string, rep mockokta.LoadReport, users, concurrency int, target, style string) error {
	if rep.Latency == nil {
		return errors.New("the run recorded no latencies")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	labels := mockokta.ChartLabels{
		Title: fmt.Sprintf("mockokta load: %d users, %d in flight (%s style)", users, concurrency, style),
		Subtitle: fmt.Sprintf("%d assigned, %d failed, %s in %s against %s, %s", rep.Succeeded, rep.Failed,
			mockokta.FormatRate(rep.UsersPerSecond, "users"), rep.Duration.Round(time.Millisecond), target, time.Now().UTC().Format(time.RFC3339)),
	}
	if err := rep.Latency.WriteSVG(f, labels); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
