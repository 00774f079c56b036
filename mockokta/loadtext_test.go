package mockokta

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadReportText(t *testing.T) {
	var h LatencyHistogram
	h.Record(1500 * time.Microsecond)
	h.Record(3 * time.Millisecond)
	rep := LoadReport{
		Users: 8, Succeeded: 7, Failed: 1, Duration: 2 * time.Second, UsersPerSecond: 3.5, Requests: 2,
		P50: 1500 * time.Microsecond, P95: 3 * time.Millisecond, P99: 3 * time.Millisecond, Max: 3 * time.Millisecond,
		ByMethod:         map[string]MethodLatency{"POST": {Requests: 1, P50: 3 * time.Millisecond, P99: 3 * time.Millisecond}, "GET": {Requests: 1, P50: 1500 * time.Microsecond, P99: 1500 * time.Microsecond}},
		Latency:          &h,
		RequestsByStatus: map[string]int{"201": 1, "200": 1},
		FailuresByCause:  map[string]int{"409": 1},
		Examples:         []string{"Automatic provisioning of user x failed"},
		Memory:           &LoadMemory{ClientPeakRSS: 23_100_000, ServerPeakRSS: 43_300_000, ServerPID: 42, ServerName: "xakia-reference"},
	}
	var b strings.Builder
	require.NoError(t, rep.WriteText(&b, LoadTextOptions{Wanted: 10, Histogram: true, HistogramWidth: 10}))
	want := `load: 7 users assigned in 2s (3.5 users/s), 1 failed, 2 not attempted (stopped early)
requests: 2 (200: 1, 201: 1); latency p50 1.5 ms, p95 3.0 ms, p99 3.0 ms, max 3.0 ms
by method: GET (lookup) 1, p50 1.5 ms, p99 1.5 ms; POST (create) 1, p50 3.0 ms, p99 3.0 ms
peak memory (RSS): this process 23.1 MB; server xakia-reference (pid 42) 43.3 MB
failures by cause: 409: 1
  Automatic provisioning of user x failed
latency histogram (2 requests):
  1–2 ms  ██████████  1   50.0 %
  2–5 ms  ██████████  1   50.0 %
`
	assert.Equal(t, want, b.String())

	b.Reset()
	rep.Memory = &LoadMemory{ClientPeakRSS: 1, ServerNote: "not measured (not a process on this machine)"}
	require.NoError(t, rep.WriteText(&b, LoadTextOptions{Wanted: 8}))
	assert.Contains(t, b.String(), "peak memory (RSS): this process 0.0 MB; server not measured (not a process on this machine)\n")
	assert.NotContains(t, b.String(), "latency histogram", "no histogram unless asked")
}
