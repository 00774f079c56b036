package steps

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/reports"
)

// hostileKey is the API key the hostile targets are given; it must never
// reach the catcher.
const hostileKey = "hostile-secret-key-0123456789"

// isProbe reports whether r is the runner's connection probe.
func isProbe(r *http.Request) bool {
	return r.URL.Path == "/scim/v2/a/Users" && r.URL.RawQuery == "startIndex=1&count=1"
}

// writeList answers an empty SCIM ListResponse.
func writeList(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/scim+json")
	_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
}

// memPeak samples the live heap and reads the process's peak RSS, so a
// test can say how much a run grew them.
type memPeak struct {
	stop     chan struct{}
	done     chan struct{}
	base     uint64
	peak     atomic.Uint64
	rssReset bool
}

// heapBytes is the bytes of live and not yet swept heap objects.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// vmHWM is the process's peak RSS in bytes from /proc (0 when unknown).
func vmHWM() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n << 10
		}
	}
	return 0
}

// startMemPeak resets the peak RSS (when the kernel allows it) and samples
// the heap every 10 ms until finish.
func startMemPeak() *memPeak {
	m := &memPeak{stop: make(chan struct{}), done: make(chan struct{}), base: heapBytes()}
	// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0).
	m.rssReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	go func() {
		defer close(m.done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if h := heapBytes(); h > m.peak.Load() {
				m.peak.Store(h)
			}
			select {
			case <-m.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

// finish stops sampling and returns the heap growth and the peak RSS
// (0 when the peak could not be reset).
func (m *memPeak) finish() (heapGrowth, peakRSS uint64) {
	close(m.stop)
	<-m.done
	if p := m.peak.Load(); p > m.base {
		heapGrowth = p - m.base
	}
	if m.rssReset {
		peakRSS = vmHWM()
	}
	return heapGrowth, peakRSS
}

// hostileOutcome is what one run against a hostile target gave.
type hostileOutcome struct {
	run        reports.Run
	code       int
	out        string
	wall       time.Duration
	heapGrowth uint64
	peakRSS    uint64
}

// runAgainst runs the @connection scenarios against a target at base with
// the given bounds, and checks that the three report files exist.
func runAgainst(t *testing.T, base string, maxDuration, scenarioTimeout time.Duration) hostileOutcome {
	t.Helper()
	var out bytes.Buffer
	dir := t.TempDir()
	mem := startMemPeak()
	start := time.Now()
	run, code := Run(context.Background(), Config{
		BaseURL: base, APIKey: hostileKey, Tags: "@connection", ReportsDir: dir, Output: &out,
		MaxDuration: maxDuration, ScenarioTimeout: scenarioTimeout,
	})
	o := hostileOutcome{run: run, code: code, out: out.String(), wall: time.Since(start)}
	o.heapGrowth, o.peakRSS = mem.finish()
	t.Logf("wall %s, exit %d, heap growth %.1f MB, process peak RSS since reset %.1f MB (0 = /proc could not reset it), %s",
		o.wall.Round(time.Millisecond), code, float64(o.heapGrowth)/1e6, float64(o.peakRSS)/1e6, lastLine(o.out))
	for _, f := range []string{reports.SummaryFile, reports.HTMLFile, "junit.xml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s was not written: %v\n%s", f, err, o.out)
		}
	}
	assert.NotContains(t, o.out, hostileKey, "the console output shows the API key")
	if o.heapGrowth > 100<<20 {
		t.Errorf("the heap grew by %d MB, more than 100 MB", o.heapGrowth>>20)
	}
	return o
}

// expectCode checks the exit status and that the output says want.
func (o hostileOutcome) expect(t *testing.T, code int, want ...string) {
	t.Helper()
	if o.code != code {
		t.Errorf("exit %d, want %d\n%s", o.code, code, o.out)
	}
	for _, w := range want {
		assert.Contains(t, o.out, w, "the output should say %q:\n%s", w, o.out)
	}
	if reports.Verdict(o.run) == reports.VerdictPass {
		t.Errorf("a hostile target passed:\n%s", o.out)
	}
}

// afterProbe serves the runner's requests before and including the first
// connection probe with an empty list, then hands every request to h.
func afterProbe(h http.HandlerFunc) http.HandlerFunc {
	var probed atomic.Bool
	return func(w http.ResponseWriter, r *http.Request) {
		if !probed.Load() {
			if isProbe(r) {
				probed.Store(true)
			}
			writeList(w)
			return
		}
		h(w, r)
	}
}

// hostile starts srv's handler on 127.0.0.1; release unblocks handlers
// that wait, before the server closes.
func hostile(t *testing.T, h http.Handler) (base string, release chan struct{}) {
	t.Helper()
	srv := httptest.NewServer(h)
	release = make(chan struct{})
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first
	return srv.URL + "/scim/v2/a", release
}

func TestHostileHugeBody(t *testing.T) {
	const size = 200 << 20
	var sent atomic.Int64
	base, _ := hostile(t, afterProbe(func(w http.ResponseWriter, r *http.Request) {
		// 200 MB of a JSON string, streamed from one 64 KiB buffer.
		w.Header().Set("Content-Type", "application/scim+json")
		w.Header().Set("Content-Length", strconv.Itoa(size))
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		copy(chunk, `{"schemas":["`)
		for n := 0; n < size; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			sent.Add(int64(len(chunk)))
		}
	}))
	o := runAgainst(t, base, 2*time.Minute, 30*time.Second)
	o.expect(t, ExitFail, "response body exceeds 8 MiB: GET http://127.0.0.1:", "answered 200 with more than 8388608 bytes")
	f := findFinding(o.run, "response body exceeds 8 MiB")
	if f == nil || f.Authority != reports.AuthorityOkta || f.Cite != citeLimits {
		t.Errorf("want one okta finding citing %s, got %+v", citeLimits, o.run.Findings)
	}
	// It kept going: every selected scenario ran (none cut, none not run).
	for _, sc := range o.run.Scenarios {
		if sc.Status == reports.StatusNotRun && strings.HasPrefix(sc.Reason, "not run (") {
			t.Errorf("scenario %q was not run: %s", sc.Name, sc.Reason)
		}
	}
	if o.run.Interrupted {
		t.Error("the run was marked interrupted")
	}
	t.Logf("the server wrote %d MB in all", sent.Load()>>20)
}

func TestHostileStallAfterProbe(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for deadlines (about 8 s)")
	}
	var release chan struct{}
	base, release := hostile(t, afterProbe(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	o := runAgainst(t, base, 8*time.Second, 2*time.Second)
	o.expect(t, ExitFail, "VERDICT: INTERRUPTED", "deadline", "did not complete within the scenario's deadline (2s)")
	if !o.run.Interrupted {
		t.Error("a run that reached its deadline must be marked interrupted")
	}
	deadline := 0
	for _, sc := range o.run.Scenarios {
		if sc.Reason == reasonDeadline {
			deadline++
		}
		if sc.Status == reports.StatusPass {
			t.Errorf("scenario %q passed against a stalled target", sc.Name)
		}
	}
	if deadline == 0 {
		t.Errorf("no scenario was reported %q:\n%s", reasonDeadline, o.out)
	}
}

func TestHostileOneBytePerSecond(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a deadline (about 2 s)")
	}
	var release chan struct{}
	base, release := hostile(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(http.StatusOK)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for range 100000 {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-release:
				return
			case <-tick.C:
			}
		}
	}))
	o := runAgainst(t, base, 10*time.Second, 2*time.Second)
	o.expect(t, ExitFail, "did not complete within 2s")
}

func TestHostileRedirect(t *testing.T) {
	for _, atProbe := range []bool{true, false} {
		t.Run(fmt.Sprintf("at probe %v", atProbe), func(t *testing.T) {
			var mu sync.Mutex
			var caught []string
			catcher := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
				mu.Lock()
				caught = append(caught, fmt.Sprintf("%s %s auth=%q key-seen=%v", r.Method, r.URL, r.Header.Get("Authorization"),
					strings.Contains(fmt.Sprint(r.Header, r.URL.String(), string(body)), hostileKey)))
				mu.Unlock()
				writeList(w)
			}))
			t.Cleanup(catcher.Close)
			redirect := func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, catcher.URL+r.URL.RequestURI(), http.StatusFound)
			}
			h := http.HandlerFunc(redirect)
			if !atProbe {
				h = afterProbe(redirect)
			}
			base, _ := hostile(t, h)
			o := runAgainst(t, base, time.Minute, 10*time.Second)
			o.expect(t, ExitFail, "the SCIM base URI redirects to "+catcher.URL, "Okta does not follow it")
			mu.Lock()
			defer mu.Unlock()
			if len(caught) > 0 {
				t.Errorf("the catcher received %d requests (none may follow a redirect): %s", len(caught), strings.Join(caught, "; "))
			}
		})
	}
}

func TestHostileConnectionReset(t *testing.T) {
	base, _ := hostile(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST
		}
		_ = conn.Close()
	}))
	o := runAgainst(t, base, time.Minute, 10*time.Second)
	o.expect(t, ExitConfig, "target unreachable")
}

func TestHostileInvalidJSON(t *testing.T) {
	base, _ := hostile(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"Resources":[{"id":`)
	}))
	o := runAgainst(t, base, time.Minute, 10*time.Second)
	o.expect(t, ExitFail, "VERDICT: FAIL")
}

func TestHostileAlways500(t *testing.T) {
	base, _ := hostile(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	o := runAgainst(t, base, time.Minute, 10*time.Second)
	o.expect(t, ExitFail, "VERDICT: FAIL", "500")
}

// findFinding returns the first finding whose rule starts with rule.
func findFinding(r reports.Run, rule string) *reports.Finding {
	for i, f := range r.Findings {
		if strings.HasPrefix(f.Rule, rule) {
			return &r.Findings[i]
		}
	}
	return nil
}

// signalWriter closes started when the console output says the scenarios
// begin.
type signalWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	started chan struct{}
	once    sync.Once
}

func (s *signalWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.buf.Write(p)
	if strings.Contains(s.buf.String(), "scenarios selected") {
		s.once.Do(func() { close(s.started) })
	}
	return n, err
}

func (s *signalWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// TestInterruptedRunNeverPasses cancels the run's context (what SIGINT does
// in mockokta) 1 s into the scenarios against the embedded reference: the
// run stops, says INTERRUPTED, exits 130, writes its reports and reports
// the scenarios it did not get to as not run.
func TestInterruptedRunNeverPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite against the embedded reference")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &signalWriter{started: make(chan struct{})}
	dir := t.TempDir()
	var cancelled atomic.Int64
	go func() {
		select {
		case <-out.started:
		case <-time.After(time.Minute):
		}
		time.Sleep(time.Second)
		cancelled.Store(time.Now().UnixNano())
		cancel()
	}()
	run, code := Run(ctx, Config{ReportsDir: dir, Output: out})
	stoppedIn := time.Duration(time.Now().UnixNano() - cancelled.Load())
	t.Logf("stopped %s after the cancellation; %s", stoppedIn.Round(time.Millisecond), lastLine(out.String()))
	if cancelled.Load() == 0 {
		t.Fatalf("the run ended before it was cancelled (exit %d):\n%s", code, out.String())
	}
	if code != ExitInterrupted || !run.Interrupted || reports.Verdict(run) != reports.VerdictInterrupted {
		t.Errorf("exit %d, interrupted %v, verdict %s; want 130, true, interrupted", code, run.Interrupted, reports.Verdict(run))
	}
	assert.Contains(t, out.String(), "VERDICT: INTERRUPTED", "the output should say VERDICT: INTERRUPTED:\n%s", lastLine(out.String()))
	if stoppedIn > 20*time.Second {
		t.Errorf("the run took %s to stop after the cancellation", stoppedIn)
	}
	var interrupted, passed int
	for _, sc := range run.Scenarios {
		switch {
		case sc.Status == reports.StatusNotRun && sc.Reason == reasonInterrupted:
			interrupted++
		case sc.Status == reports.StatusPass:
			passed++
		}
	}
	if interrupted == 0 {
		t.Errorf("no scenario was reported %q", reasonInterrupted)
	}
	t.Logf("%d scenarios passed before the interruption, %d not run (interrupted)", passed, interrupted)
	for _, f := range []string{reports.SummaryFile, reports.HTMLFile, "junit.xml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s was not written: %v", f, err)
		}
	}
}

// TestEngineErrorStillWritesReports: godog failing after the target was
// reached (here: cucumber.json cannot be created) is exit 2, and the
// reports are still written.
func TestEngineErrorStillWritesReports(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "cucumber.json"), 0o755))
	var out bytes.Buffer
	run, code := Run(context.Background(), Config{Tags: "@connection", ReportsDir: dir, Output: &out})
	if code != ExitConfig || !strings.Contains(out.String(), "VERDICT: ERROR") || reports.Verdict(run) == reports.VerdictPass {
		t.Errorf("exit %d, verdict %s:\n%s", code, reports.Verdict(run), out.String())
	}
	for _, f := range []string{reports.SummaryFile, reports.HTMLFile, "junit.xml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s was not written: %v", f, err)
		}
	}
}
