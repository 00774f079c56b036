package benchtable

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixtures in testdata are real: `go test -bench` of ./reference/ and
// ./mockokta/ on the 2-core machine (text and -json), and the --json output
// of `mockokta load` against `xakia-reference serve`.

func parseFile(t *testing.T, name string) Results {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	require.NoError(t, err)
	defer f.Close()
	rs, err := Parse(f, 2)
	require.NoError(t, err)
	return rs
}

func TestParseRealTextOutput(t *testing.T) {
	rs := parseFile(t, "gobench.txt")
	require.Len(t, rs.List, 4)
	assert.Equal(t, "Oxide Virtual Turin-like Processor", rs.CPU)
	assert.Equal(t, "linux", rs.GOOS)

	bare, ok := rs.Get("BenchmarkBareHandler")
	require.True(t, ok, "the -2 suffix is removed")
	assert.Equal(t, "github.com/xakia-okta/scimtest/reference", bare.Pkg)
	assert.Equal(t, int64(300), bare.Iterations)
	assert.InDelta(t, 312282, bare.Metrics["ns/op"], 0.5)

	load, ok := rs.Get("BenchmarkLoadBare")
	require.True(t, ok)
	assert.Equal(t, "github.com/xakia-okta/scimtest/mockokta", load.Pkg)
	assert.InDelta(t, 638.6, load.Metrics["users/s"], 1e-9)
	assert.InDelta(t, 399, load.Metrics["allocs/op"], 1e-9)
}

func TestParseRealJSONOutput(t *testing.T) {
	rs := parseFile(t, "gobench.json")
	// go test -json splits a benchmark's line in two output events.
	require.Len(t, rs.List, 2)
	bare, ok := rs.Get("BenchmarkBareHandler")
	require.True(t, ok)
	assert.InDelta(t, 123787, bare.Metrics["ns/op"], 0.5)
	load, ok := rs.Get("BenchmarkLoadBare")
	require.True(t, ok)
	assert.Positive(t, load.Metrics["users/s"])
}

// skipFailOutput has go test's shape for a skipped and a failed benchmark
// and for a sub-benchmark with custom metrics.
const skipFailOutput = `goos: linux
pkg: github.com/xakia-okta/scimtest/reference
BenchmarkWritesPostgres
    pgtest.go:41: no PostgreSQL: initdb not found
--- SKIP: BenchmarkWritesPostgres
    pgtest.go:41: no PostgreSQL: initdb not found
BenchmarkReads/bare-c8-2         	   50000	     20000 ns/op	     50000 req/s	         0.4000 p99-ms
BenchmarkReads/filter-1k-c8-2    	   40000	     25000 ns/op	     40000 req/s	         0.5000 p99-ms	         0.8000 ratio-to-bare
--- FAIL: BenchmarkSeed/100k
    bench_test.go:512: seed: no such table
BenchmarkX-12	 10	 1 ns/op
FAIL
`

func TestParseSkipsFailsAndSubBenchmarks(t *testing.T) {
	rs, err := Parse(strings.NewReader(skipFailOutput), 2)
	require.NoError(t, err)
	assert.Equal(t, "no PostgreSQL: initdb not found", rs.Skipped["BenchmarkWritesPostgres"])
	assert.Equal(t, "seed: no such table", rs.Failed["BenchmarkSeed/100k"])
	r, ok := rs.Get("BenchmarkReads/filter-1k-c8")
	require.True(t, ok)
	assert.InDelta(t, 0.8, r.Metrics["ratio-to-bare"], 1e-9)
	_, ok = rs.Get("BenchmarkX-12")
	assert.True(t, ok, "a suffix that is not GOMAXPROCS stays")

	auto, err := Parse(strings.NewReader(skipFailOutput), 0)
	require.NoError(t, err)
	_, ok = auto.Get("BenchmarkX")
	assert.True(t, ok, "procs 0 removes any numeric suffix")
	_, ok = auto.Get("BenchmarkReads/bare-c8")
	assert.True(t, ok)
}

func TestLoadResultFromRealMockoktaJSON(t *testing.T) {
	b, err := os.ReadFile("testdata/load.json")
	require.NoError(t, err)
	r, err := LoadResult(LoadReference, b)
	require.NoError(t, err)
	assert.Equal(t, LoadReference, r.Name)
	assert.Equal(t, int64(2000), r.Iterations)
	assert.Positive(t, r.Metrics[MetricUsersPerSecond])
	assert.Positive(t, r.Metrics[MetricP99])
	assert.InDelta(t, 27.844608, r.Metrics[MetricClientRSS], 1e-9)
	assert.InDelta(t, 30.097408, r.Metrics[MetricServerRSS], 1e-9)

	_, err = LoadResult("x", []byte(`{"command":"load","ok":false,"warnings":["only 5 of 10 users were attempted before --max-duration"],"load":{"users":5,"succeeded":5,"failed":0}}`))
	assert.ErrorContains(t, err, "did not finish: only 5 of 10 users")
	_, err = LoadResult("x", []byte(`{"command":"load","load":{"users":10,"succeeded":9,"failed":1}}`))
	assert.ErrorContains(t, err, "1 of 10 assignments failed")
	_, err = LoadResult("x", []byte(`not json`))
	assert.Error(t, err)
	_, err = LoadResult("x", []byte(`{"command":"load"}`))
	assert.Error(t, err)
}

func TestBuildRows(t *testing.T) {
	rs, err := Parse(strings.NewReader(skipFailOutput), 2)
	require.NoError(t, err)
	rs.Add(Result{Name: LoadBare, Metrics: map[string]float64{MetricUsersPerSecond: 8000, MetricP99: 2}},
		Result{Name: LoadReference, Metrics: map[string]float64{MetricUsersPerSecond: 1200, MetricP99: 30, MetricClientRSS: 40}})
	specs := []Spec{
		{"reads", Ref{"BenchmarkReads/filter-1k-c8", "req/s"}, Ref{"BenchmarkReads/bare-c8", "req/s"}, Goal{AtLeast: true, Value: 0.6, On: OnRatio}, ""},
		{"reads strict", Ref{"BenchmarkReads/filter-1k-c8", "req/s"}, Ref{"BenchmarkReads/bare-c8", "req/s"}, Goal{AtLeast: true, Value: 0.9, On: OnRatio}, ""},
		{"load", Ref{LoadReference, MetricUsersPerSecond}, Ref{LoadBare, MetricUsersPerSecond}, Goal{AtLeast: true, Value: 1000}, ""},
		{"rss", Ref{LoadReference, MetricClientRSS}, Ref{}, Goal{Value: 150}, ""},
		{"p99", Ref{LoadReference, MetricP99}, Ref{LoadBare, MetricP99}, Goal{}, ""},
		{"pg", Ref{"BenchmarkWritesPostgres/post-c8-postgres", "creates/s"}, Ref{"BenchmarkWritesPostgres/pg-commit-loop", "creates/s"}, Goal{}, ""},
		{"seed", Ref{"BenchmarkSeed/100k", "s"}, Ref{}, Goal{Value: 10}, ""},
		{"absent", Ref{"BenchmarkNope", "ms"}, Ref{}, Goal{Value: 300}, ""},
		{"no ceiling", Ref{LoadReference, MetricUsersPerSecond}, Ref{"BenchmarkNope", "users/s"}, Goal{AtLeast: true, Value: 0.5, On: OnRatio}, ""},
	}
	table := Build(specs, rs)
	rows := table.Rows
	require.Len(t, rows, len(specs))
	assert.Equal(t, Row{"reads", "40,000 req/s", "50,000 req/s", "0.80", "ratio ≥ 0.6", "yes"}, rows[0])
	assert.Equal(t, "**NO**", rows[1].Met)
	assert.Equal(t, Row{"load", "1,200 users/s", "8,000 users/s", "0.15", "≥ 1,000 users/s", "yes"}, rows[2])
	assert.Equal(t, Row{"rss", "40.0 MB", "—", "—", "≤ 150 MB", "yes"}, rows[3])
	assert.Equal(t, Row{"p99", "30.0 ms", "2.0 ms", "15.00", "reported", "—"}, rows[4])
	assert.Equal(t, "skipped [1]", rows[5].Figure)
	assert.Equal(t, "—", rows[5].Met, "a figure without a goal is never met or missed")
	assert.Equal(t, "failed [2]", rows[6].Figure)
	assert.Equal(t, []string{"BenchmarkWritesPostgres: no PostgreSQL: initdb not found", "BenchmarkSeed/100k: seed: no such table"}, table.Notes)
	assert.Equal(t, "not measured", rows[6].Met)
	assert.Equal(t, "not run", rows[7].Figure)
	assert.Equal(t, "not run", rows[8].Ceiling)
	assert.Equal(t, "no ceiling", rows[8].Met)
}

func TestBuildPrefersTheBenchmarksOwnRatio(t *testing.T) {
	rs, err := Parse(strings.NewReader(skipFailOutput), 2)
	require.NoError(t, err)
	// The figure reports ratio-to-bare 0.80 (its ceiling read around it);
	// the once-for-all bare-c8 would give 40,000 / 50,000 = 0.80 too, so
	// make them differ: the benchmark's own reading wins.
	rs.List[len(rs.List)-2].Metrics["ratio-to-bare"] = 0.5
	tab := Build([]Spec{{"reads", Ref{"BenchmarkReads/filter-1k-c8", "req/s"}, Ref{"BenchmarkReads/bare-c8", "req/s"},
		Goal{AtLeast: true, Value: 0.6, On: OnRatio}, "ratio-to-bare"}}, rs)
	require.Len(t, tab.Rows, 1)
	assert.Equal(t, Row{"reads", "40,000 req/s", "80,000 req/s [1]", "0.50", "ratio ≥ 0.6", "**NO**"}, tab.Rows[0])
	require.Len(t, tab.Notes, 1)
	assert.Contains(t, tab.Notes[0], "ratio-to-bare")
}

func TestRenderAlignsAMarkdownTable(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, Table{Rows: []Row{
		{"GET by id, c=8", "40,000 req/s", "50,000 req/s", "0.80", "ratio ≥ 0.6", "yes"},
		{"µ-row", "skipped [1]", "—", "—", "reported", "—"},
	}, Notes: []string{"BenchmarkX: no PostgreSQL"}}))
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	require.Len(t, lines, 6)
	assert.Equal(t, "| benchmark      |       figure | ceiling (same run) | ratio | goal        | met? |", lines[0])
	assert.Equal(t, "| -------------- | -----------: | -----------------: | ----: | ----------- | ---- |", lines[1])
	assert.Equal(t, "| GET by id, c=8 | 40,000 req/s |       50,000 req/s |  0.80 | ratio ≥ 0.6 | yes  |", lines[2])
	assert.Equal(t, "| µ-row          |  skipped [1] |                  — |     — | reported    | —    |", lines[3])
	assert.Equal(t, "", lines[4])
	assert.Equal(t, "[1] BenchmarkX: no PostgreSQL", lines[5])
}

func TestFormat(t *testing.T) {
	assert.Equal(t, "1,234,568 req/s", Format(1234567.8, "req/s"))
	assert.Equal(t, "12.5 users/s", Format(12.46, "users/s"))
	assert.Equal(t, "312.3 µs/op", Format(312282, "ns/op"))
	assert.Equal(t, "7.03 ms/op", Format(7033951, "ns/op"))
	assert.Equal(t, "0.4 ms", Format(0.4, "p99-ms"))
	assert.Equal(t, "2.41 s", Format(2.414, "walk-s"))
	assert.Equal(t, "27.8 MB", Format(27.84, "client-rss-MB"))
	assert.Equal(t, "1.5 last-to-first", Format(1.5, "last-to-first"))
}

func TestDefaultSpecsNameTheIssueGoals(t *testing.T) {
	specs := DefaultSpecs("10k users", "100k seeded")
	labels := map[string]Spec{}
	for _, s := range specs {
		labels[s.Label] = s
		if s.Goal.On == OnRatio {
			assert.NotEmpty(t, s.Ceiling.Bench, "%s: a ratio goal needs a ceiling", s.Label)
		}
	}
	load := labels["mockokta load 10k users, c=8, reference SQLite"]
	assert.Equal(t, Goal{AtLeast: true, Value: 1000}, load.Goal)
	assert.Equal(t, LoadBare, load.Ceiling.Bench)
	assert.Equal(t, Goal{AtLeast: true, Value: 0.6, On: OnRatio}, labels["GET /Users/{id}, 100k users, c=8"].Goal)
}
