// Package benchtable turns benchmark output into the one table `make bench`
// prints: each benchmark's figure (a rate or a latency), the ceiling it is
// compared to (measured in the same run), their ratio, the goal and whether
// it is met.
//
// It reads the text `go test -bench` prints (or the same wrapped in
// `go test -json` events) and accepts results measured some other way
// (the end-to-end load runs) as the same [Result] values.
package benchtable

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Result is one benchmark: its name without the -GOMAXPROCS suffix (e.g.
// "BenchmarkReads/filter-1k-c8"), its package, its iteration count and its
// metrics by unit ("ns/op", "req/s", "p99-ms", …).
type Result struct {
	Name       string
	Pkg        string
	Iterations int64
	Metrics    map[string]float64
}

// Results are the benchmarks of a run, with what `go test` said about the
// machine and the benchmarks that were skipped or failed.
type Results struct {
	List []Result
	// CPU, GOOS and GOARCH come from the header go test prints.
	CPU, GOOS, GOARCH string
	// Skipped and Failed give the reason printed under "--- SKIP" or
	// "--- FAIL", by benchmark name.
	Skipped map[string]string
	Failed  map[string]string
}

// Get returns the benchmark with that name; with -count above 1 the last
// run wins.
func (rs Results) Get(name string) (Result, bool) {
	for i := len(rs.List) - 1; i >= 0; i-- {
		if rs.List[i].Name == name {
			return rs.List[i], true
		}
	}
	return Result{}, false
}

// Add appends results measured elsewhere.
func (rs *Results) Add(r ...Result) { rs.List = append(rs.List, r...) }

// testEvent is the part of a `go test -json` event that carries output.
type testEvent struct {
	Action string
	Output string
}

// Parse reads `go test -bench` output, as text or as `go test -json`
// events (the two may even be mixed). procs is the GOMAXPROCS the
// benchmarks ran with: go appends "-procs" to every name when it is above
// 1, and Parse removes it (0: remove any trailing "-N").
func Parse(r io.Reader, procs int) (Results, error) {
	text, err := unwrapJSON(r)
	if err != nil {
		return Results{}, err
	}
	rs := Results{Skipped: map[string]string{}, Failed: map[string]string{}}
	var pkg string
	// pending is the benchmark whose "--- SKIP/FAIL" line was just read:
	// the indented lines after it give the reason.
	var pending map[string]string
	var pendingName string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(line, "pkg: ")
			continue
		case strings.HasPrefix(line, "cpu: "):
			rs.CPU = strings.TrimSpace(strings.TrimPrefix(line, "cpu: "))
			continue
		case strings.HasPrefix(line, "goos: "):
			rs.GOOS = strings.TrimPrefix(line, "goos: ")
			continue
		case strings.HasPrefix(line, "goarch: "):
			rs.GOARCH = strings.TrimPrefix(line, "goarch: ")
			continue
		case strings.HasPrefix(trimmed, "--- SKIP: ") || strings.HasPrefix(trimmed, "--- FAIL: "):
			pending = rs.Skipped
			if strings.HasPrefix(trimmed, "--- FAIL: ") {
				pending = rs.Failed
			}
			f := strings.Fields(trimmed)
			pendingName = stripProcs(f[2], procs)
			if _, ok := pending[pendingName]; !ok {
				pending[pendingName] = ""
			}
			continue
		case pending != nil && strings.HasPrefix(line, "    ") && trimmed != "":
			if pending[pendingName] == "" {
				pending[pendingName] = reason(trimmed)
			}
			continue
		}
		pending = nil
		if res, ok := parseLine(line, procs); ok {
			res.Pkg = pkg
			rs.List = append(rs.List, res)
		}
	}
	return rs, nil
}

// reason drops the "file_test.go:12: " prefix of a test log line.
func reason(line string) string {
	if file, rest, ok := strings.Cut(line, ": "); ok && strings.Contains(file, ".go:") {
		return rest
	}
	return line
}

// unwrapJSON returns the text of r, taking the Output of the lines that
// are `go test -json` events.
func unwrapJSON(r io.Reader) (string, error) {
	var b strings.Builder
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "{") {
			var ev testEvent
			if err := json.Unmarshal([]byte(line), &ev); err == nil && ev.Action != "" {
				if ev.Action == "output" {
					b.WriteString(ev.Output)
				}
				continue
			}
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("benchtable: reading benchmark output: %w", err)
	}
	return b.String(), nil
}

// parseLine parses "BenchmarkX-2  1000  1234 ns/op  56.7 req/s …".
func parseLine(line string, procs int) (Result, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
		return Result{}, false
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return Result{}, false
	}
	res := Result{Name: stripProcs(f[0], procs), Iterations: n, Metrics: map[string]float64{}}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return Result{}, false
		}
		res.Metrics[f[i+1]] = v
	}
	return res, true
}

// stripProcs removes go's "-GOMAXPROCS" suffix from a benchmark name.
func stripProcs(name string, procs int) string {
	if procs == 1 {
		return name
	}
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name
	}
	suffix := name[i+1:]
	if procs > 1 {
		if suffix == strconv.Itoa(procs) {
			return name[:i]
		}
		return name
	}
	if _, err := strconv.Atoi(suffix); err == nil && !strings.Contains(suffix, "+") {
		return name[:i]
	}
	return name
}
