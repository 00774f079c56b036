package benchtable

// Names of the end-to-end load results the bench program adds to a run
// (they are not `go test` benchmarks: the mockokta binary against a
// server process, see [LoadResult]).
const (
	// LoadBare is `mockokta load` against the bare SCIM handler: the
	// ceiling of every load figure.
	LoadBare = "Load/bare-handler"
	// LoadReference is `mockokta load` against `xakia-reference serve` on
	// a new SQLite database.
	LoadReference = "Load/reference-sqlite"
	// LoadReferenceSeeded is the same against a location seeded first
	// with many users.
	LoadReferenceSeeded = "Load/reference-sqlite-seeded"
)

// Metrics of the load results.
const (
	MetricUsersPerSecond = "users/s"
	MetricP99            = "p99-ms"
	MetricClientRSS      = "client-rss-MB"
	MetricServerRSS      = "server-rss-MB"
)

// DefaultSpecs are the rows of `make bench`: the goals of issue 11, each
// figure with the ceiling measured in the same run. loadLabel and
// seededLabel name the end-to-end runs (e.g. "10k users").
func DefaultSpecs(loadLabel, seededLabel string) []Spec {
	const (
		reads  = "BenchmarkReads/"
		writes = "BenchmarkWrites/"
		pg     = "BenchmarkWritesPostgres/"
		walk   = "BenchmarkImportWalk/"
		scan   = "BenchmarkFilterScan/"
	)
	bareReads := Ref{reads + "bare-c8", "req/s"}
	readRatio := Goal{AtLeast: true, Value: 0.60, On: OnRatio}
	p99Growth := Goal{AtLeast: false, Value: 1.5, On: OnRatio}
	scanGoal := Goal{AtLeast: false, Value: 300, On: OnFigure}
	loadGoal := Goal{AtLeast: true, Value: 1000, On: OnFigure}
	rssGoal := Goal{AtLeast: false, Value: 150, On: OnFigure}
	bareLoad := Ref{LoadBare, MetricUsersPerSecond}
	return []Spec{
		{"GET by userName eq, 1k users, sequential (cost × bare)", Ref{"BenchmarkGetUserByFilter", "ns/op"}, Ref{"BenchmarkBareHandler", "ns/op"}, Goal{}, ""},
		{"POST /Users, sequential (cost × bare)", Ref{"BenchmarkCreateUser", "ns/op"}, Ref{"BenchmarkBareHandler", "ns/op"}, Goal{}, ""},
		{"GET by userName eq, 1k users, c=8", Ref{reads + "filter-1k-c8", "req/s"}, bareReads, readRatio, "ratio-to-bare"},
		{"GET /Users/{id}, 1k users, c=8", Ref{reads + "id-1k-c8", "req/s"}, bareReads, readRatio, "ratio-to-bare"},
		{"GET by userName eq, 100k users, c=8", Ref{reads + "filter-100k-c8", "req/s"}, bareReads, readRatio, "ratio-to-bare"},
		{"GET /Users/{id}, 100k users, c=8", Ref{reads + "id-100k-c8", "req/s"}, bareReads, readRatio, "ratio-to-bare"},
		{"p99 GET by userName eq, 100k vs 1k", Ref{reads + "filter-100k-c8", "p99-ms"}, Ref{reads + "filter-1k-c8", "p99-ms"}, p99Growth, ""},
		{"p99 GET /Users/{id}, 100k vs 1k", Ref{reads + "id-100k-c8", "p99-ms"}, Ref{reads + "id-1k-c8", "p99-ms"}, p99Growth, ""},
		{"store: location + user in one query vs two (cost ×)", Ref{"BenchmarkSCIMRead/one-query", "ns/op"}, Ref{"BenchmarkSCIMRead/two-queries", "ns/op"}, Goal{}, ""},
		{"server cost of GET /Users/{id}, in process, 1k users", Ref{"BenchmarkHandlerGetUser/id", "ns/op"}, Ref{}, Goal{}, ""},
		{"server cost of GET by userName eq, in process, 1k", Ref{"BenchmarkHandlerGetUser/filter", "ns/op"}, Ref{}, Goal{}, ""},
		{"POST /Users durable, SQLite, c=8", Ref{writes + "post-c8-sqlite", "creates/s"}, Ref{writes + "sqlite-commit-loop", "creates/s"}, Goal{AtLeast: true, Value: 2000}, ""},
		{"POST /Users durable, PostgreSQL, c=8", Ref{pg + "post-c8-postgres", "creates/s"}, Ref{pg + "pg-commit-loop", "creates/s"}, Goal{}, ""},
		{"import walk, 100k users (count=100)", Ref{walk + "walk-100k", "walk-s"}, Ref{}, Goal{AtLeast: false, Value: 5}, ""},
		{"import walk, last page vs first, 100k", Ref{walk + "walk-100k", "last-page-ms"}, Ref{walk + "walk-100k", "first-page-ms"}, Goal{AtLeast: false, Value: 2, On: OnRatio}, ""},
		{"filter userName co, 100k users", Ref{scan + "co-100k", "ms"}, Ref{}, scanGoal, ""},
		{"filter userName sw, 100k users", Ref{scan + "sw-100k", "ms"}, Ref{}, scanGoal, ""},
		{"filter userName pr, 100k users", Ref{scan + "pr-100k", "ms"}, Ref{}, scanGoal, ""},
		{"seed 100k users (SQLite)", Ref{"BenchmarkSeed/100k", "s"}, Ref{}, Goal{AtLeast: false, Value: 10}, ""},
		{"load engine alone (bare handler, in-process)", Ref{"BenchmarkLoadBare", MetricUsersPerSecond}, Ref{}, Goal{}, ""},
		{"mockokta load " + loadLabel + ", c=8, reference SQLite", Ref{LoadReference, MetricUsersPerSecond}, bareLoad, loadGoal, ""},
		{"  p99 request latency", Ref{LoadReference, MetricP99}, Ref{LoadBare, MetricP99}, Goal{}, ""},
		{"  peak RSS of mockokta", Ref{LoadReference, MetricClientRSS}, Ref{}, rssGoal, ""},
		{"  peak RSS of xakia-reference", Ref{LoadReference, MetricServerRSS}, Ref{}, rssGoal, ""},
		{"mockokta load " + loadLabel + " into " + seededLabel, Ref{LoadReferenceSeeded, MetricUsersPerSecond}, bareLoad, loadGoal, ""},
		{"  p99 request latency", Ref{LoadReferenceSeeded, MetricP99}, Ref{LoadBare, MetricP99}, Goal{}, ""},
		{"  peak RSS of xakia-reference", Ref{LoadReferenceSeeded, MetricServerRSS}, Ref{}, rssGoal, ""},
	}
}
