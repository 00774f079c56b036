package mockokta

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// LoadTextOptions tune [LoadReport.WriteText].
type LoadTextOptions struct {
	// Wanted is the number of users the run was asked for; fewer attempted
	// means --max-duration (or a signal) stopped it.
	Wanted int
	// Histogram adds the text latency histogram.
	Histogram bool
	// HistogramWidth is the longest bar, in characters (40 when 0).
	HistogramWidth int
}

// methodRole says what Okta does with a method during a bulk assignment.
func methodRole(method string) string {
	switch method {
	case "GET":
		return "lookup"
	case "POST":
		return "create"
	}
	return ""
}

// WriteText writes the run's summary for people: users and rate, requests
// by status and latency percentiles (overall and per method), peak memory
// when measured, failures with examples and, when asked, the latency
// histogram.
func (r LoadReport) WriteText(w io.Writer, opts LoadTextOptions) error {
	var b strings.Builder
	fmt.Fprintf(&b, "load: %d users assigned in %s (%.1f users/s), %d failed", r.Succeeded, r.Duration.Round(time.Millisecond), r.UsersPerSecond, r.Failed)
	if opts.Wanted > r.Users {
		fmt.Fprintf(&b, ", %d not attempted (stopped early)", opts.Wanted-r.Users)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "requests: %d (%s); latency p50 %s, p95 %s, p99 %s, max %s\n", r.Requests, countsLine(r.RequestsByStatus), millis(r.P50), millis(r.P95), millis(r.P99), millis(r.Max))
	if len(r.ByMethod) > 0 {
		methods := make([]string, 0, len(r.ByMethod))
		for m := range r.ByMethod {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		parts := make([]string, 0, len(methods))
		for _, m := range methods {
			ml := r.ByMethod[m]
			name := m
			if what := methodRole(m); what != "" {
				name += " (" + what + ")"
			}
			parts = append(parts, fmt.Sprintf("%s %d, p50 %s, p99 %s", name, ml.Requests, millis(ml.P50), millis(ml.P99)))
		}
		fmt.Fprintf(&b, "by method: %s\n", strings.Join(parts, "; "))
	}
	if m := r.Memory; m != nil {
		fmt.Fprintf(&b, "peak memory (RSS): this process %s; server %s\n", megabytes(m.ClientPeakRSS), m.serverText())
	}
	if len(r.FailuresByCause) > 0 {
		fmt.Fprintf(&b, "failures by cause: %s\n", countsLine(r.FailuresByCause))
		for _, e := range r.Examples {
			fmt.Fprintf(&b, "  %s\n", e)
		}
	}
	if opts.Histogram && r.Latency != nil && r.Latency.Count() > 0 {
		fmt.Fprintf(&b, "latency histogram (%d requests):\n", r.Latency.Count())
		width := opts.HistogramWidth
		if width <= 0 {
			width = 40
		}
		if err := r.Latency.WriteText(&b, width); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// serverText renders the server's side of the memory line.
func (m LoadMemory) serverText() string {
	switch {
	case m.ServerPeakRSS > 0 && m.ServerPID > 0:
		s := fmt.Sprintf("(pid %d) %s", m.ServerPID, megabytes(m.ServerPeakRSS))
		if m.ServerName != "" {
			s = m.ServerName + " " + s
		}
		if m.ServerNote != "" {
			s += " (" + m.ServerNote + ")"
		}
		return s
	case m.ServerNote != "":
		return m.ServerNote
	default:
		return "unknown"
	}
}

// megabytes renders a byte count in MB (10^6), "unknown" for 0.
func megabytes(n int64) string {
	if n <= 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// countsLine renders "200: 10, 201: 10" in key order.
func countsLine(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
