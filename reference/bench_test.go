package reference

// Benchmarks of the reference server (issue 11). Each figure comes with the
// ceiling it is compared to, measured in the same run, as a ratio metric.
// Names, as `go test -bench` prints them (-N is GOMAXPROCS):
//
//	BenchmarkBareHandler                 a constant-body handler over loopback, sequential (the old floor)
//	BenchmarkGetUserByFilter             userName eq lookup at 1k users, sequential
//	BenchmarkCreateUser                  POST /Users, sequential
//	BenchmarkReads/bare-c8               ceiling: a bare net/http handler encoding a one-user ListResponse, 8 clients
//	BenchmarkReads/filter-1k-c8          GET /Users?filter=userName eq "…" at 1k users, 8 clients   (ratio-to-bare)
//	BenchmarkReads/id-1k-c8              GET /Users/{id} at 1k users, 8 clients                    (ratio-to-bare)
//	BenchmarkReads/filter-100k-c8        the same at 100k users  (ratio-to-bare, p99-ratio-to-1k)
//	BenchmarkReads/id-100k-c8            the same at 100k users  (ratio-to-bare, p99-ratio-to-1k)
//	BenchmarkWrites/sqlite-commit-loop   ceiling: a bare single-row SQLite commit loop (WAL, synchronous=FULL)
//	BenchmarkWrites/post-c8-sqlite       POST /Users on SQLite (synchronous=FULL), 8 clients (ratio-to-commit-loop)
//	BenchmarkWritesPostgres/pg-commit-loop  ceiling: a bare single-row PostgreSQL commit loop (skipped without PostgreSQL; see its fsync note)
//	BenchmarkWritesPostgres/post-c8-postgres POST /Users on PostgreSQL, 8 clients (ratio-to-commit-loop)
//	BenchmarkImportWalk/walk-1k          Okta's import walk (startIndex/count=100) over 1k users, one op = the whole walk
//	BenchmarkImportWalk/walk-100k        the same over 100k users (walk-s, first-page-ms, last-page-ms, last-to-first)
//	BenchmarkFilterScan/co-100k          GET /Users?filter=userName co "…" at 100k users (ms)
//	BenchmarkFilterScan/sw-100k          userName sw "…" at 100k users (ms)
//	BenchmarkFilterScan/pr-100k          userName pr at 100k users, first page of 100 (ms)
//	BenchmarkSeed/100k                   reference.DB.Seed of 100k users into a new SQLite file (s, and cpu-s: the process's CPU time)
//	BenchmarkHandlerGetUser/id|filter    the server's own cost of the two reads, handler called in process (ns/op, allocs)
//	(in reference/internal/store) BenchmarkSCIMRead/one-query|two-queries: the store read of a location and its user
//
// Metrics: req/s and creates/s are rates, p99-ms a latency, ratio-to-* the
// rate divided by its ceiling's rate from the same run (reads measure
// their ceiling interleaved with the figure, see runInterleaved; writes
// measure the commit loop again right before the figure). Large locations are seeded once per parent benchmark with
// DB.Seed (about a second for 100k users).

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xakia-okta/scimtest/internal/pgtest"
	"github.com/xakia-okta/scimtest/reference/internal/store"
	pgstore "github.com/xakia-okta/scimtest/reference/internal/store/postgres"
)

// benchGet issues one GET and drains the body.
func benchGet(b *testing.B, c *http.Client, url, key string) {
	req, _ := http.NewRequest("GET", url, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Fatalf("status %d", res.StatusCode)
	}
}

// BenchmarkBareHandler is the floor: a trivial handler returning a small
// JSON body over a real loopback server.
func BenchmarkBareHandler(b *testing.B) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
	}))
	defer hs.Close()
	c := hs.Client()
	b.ResetTimer()
	for b.Loop() {
		benchGet(b, c, hs.URL+"/scim/v2/default/Users", "")
	}
}

// BenchmarkGetUserByFilter is Okta's userName lookup against a location of
// 1000 users, over loopback HTTP.
func BenchmarkGetUserByFilter(b *testing.B) {
	e := newBenchEnv(b)
	l := e.loc(0)
	for i := range 1000 {
		r := doBenchPost(b, e, l, fmt.Sprintf("user%04d@example.com", i))
		if r != 201 {
			b.Fatalf("seed: %d", r)
		}
	}
	c := e.http.Client()
	var i atomic.Int64
	b.ResetTimer()
	for b.Loop() {
		n := i.Add(1) % 1000
		benchGet(b, c, fmt.Sprintf("%s/Users?filter=userName%%20eq%%20%%22USER%04d@example.com%%22&startIndex=1&count=100", l.Base, n), l.Key)
	}
}

// BenchmarkCreateUser is Okta's POST /Users over loopback HTTP.
func BenchmarkCreateUser(b *testing.B) {
	e := newBenchEnv(b)
	l := e.loc(0)
	i := 0
	b.ResetTimer()
	for b.Loop() {
		i++
		if s := doBenchPost(b, e, l, fmt.Sprintf("new%07d@example.com", i)); s != 201 {
			b.Fatalf("status %d", s)
		}
	}
}

func newBenchEnv(b *testing.B) *testEnv {
	return newEnv(b, Config{})
}

func doBenchPost(b *testing.B, e *testEnv, l testLoc, userName string) int {
	req, _ := http.NewRequest("POST", l.Base+"/Users", strings.NewReader(oktaUser(userName, "00u"+userName[:4])))
	req.Header.Set("Authorization", "Bearer "+l.Key)
	req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	res, err := e.http.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// --- issue 11: figures with their ceilings ---

// benchConcurrency is the number of concurrent clients of the c8 figures.
const benchConcurrency = 8

// benchSite is a reference server over a store whose first location holds
// a given number of seeded users.
type benchSite struct {
	e         *testEnv
	loc       testLoc
	client    *http.Client
	userNames []string // a sample of the seeded userNames
	ids       []string // the ids of the same users
}

// newBenchSite seeds users into the first location of a server over st
// (a fresh temporary SQLite database when st is nil).
func newBenchSite(b *testing.B, st store.Store, users int) *benchSite {
	b.Helper()
	var e *testEnv
	if st == nil {
		e = newEnv(b, Config{})
	} else {
		e = newEnvOn(b, st, Config{})
	}
	l := e.loc(0)
	ctx := context.Background()
	if users > 0 {
		if _, err := (&DB{st: e.st}).Seed(ctx, l.ID, users); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	site := &benchSite{e: e, loc: l, client: loopbackClient()}
	stride := max(users/1000, 1)
	i := 0
	if err := e.st.ScanUsers(ctx, l.ID, false, func(u store.User) bool {
		if i%stride == 0 {
			site.userNames = append(site.userNames, u.UserName)
			site.ids = append(site.ids, u.ID)
		}
		i++
		return true
	}); err != nil {
		b.Fatalf("sample users: %v", err)
	}
	return site
}

// loopbackClient keeps enough idle connections for the concurrent clients.
func loopbackClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute}}
}

// do sends one request and checks its status.
func benchDo(b *testing.B, c *http.Client, method, url, key, body string, want int) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		b.Error(err)
		return
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	res, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	if res.StatusCode != want {
		b.Errorf("%s %s: status %d, want %d", method, url, res.StatusCode, want)
	}
}

// loadResult is the outcome of a concurrent run.
type loadResult struct {
	rate float64       // operations per second
	p99  time.Duration // 99th percentile latency
}

// runConcurrent runs op b.N times from benchConcurrency goroutines and
// measures the rate and the p99 latency. op gets a unique sequence number.
func runConcurrent(b *testing.B, op func(n int64)) loadResult {
	b.Helper()
	var seq atomic.Int64
	b.ResetTimer()
	elapsed, lats := burst(b.N, &seq, op, true)
	b.StopTimer()
	return loadResult{rate: float64(b.N) / elapsed.Seconds(), p99: percentile(lats, 0.99)}
}

// percentile returns the q-quantile of ds (0 for none).
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(math.Ceil(q*float64(len(ds)))) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// reportLoad reports a rate, its p99 and, when the ceiling ran, the ratio.
func reportLoad(b *testing.B, r loadResult, unit string, ceiling float64, ceilingName string) {
	b.ReportMetric(r.rate, unit)
	b.ReportMetric(ms(r.p99), "p99-ms")
	if ceiling > 0 {
		b.ReportMetric(r.rate/ceiling, "ratio-to-"+ceilingName)
	}
}

// bareListHandler is the read ceiling: a net/http handler that encodes a
// one-user ListResponse (what the reference answers to a userName lookup
// in limited mode) with encoding/json, and nothing else.
func bareListHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"schemas":      []string{schemaList},
			"totalResults": 1, "startIndex": 1, "itemsPerPage": 1,
			"Resources": []any{map[string]any{
				"schemas": []string{schemaUser}, "id": "2b0a3c4e-4d61-4f7e-9a3b-0c1d2e3f4a5b",
				"active": true, "externalId": "00u1a2b3c4d5e6f7g8h9",
			}},
		})
	})
}

// BenchmarkReads measures Okta's reads at 8 concurrent clients against the
// bare handler ceiling, at 1k and 100k users. The machine may be shared and
// its speed changes from one second to the next, so each figure's ceiling
// is measured interleaved with it: the figure's requests run in slices and
// after each slice (timer stopped) the bare handler serves as many
// requests; the ratio is the figure's rate over the bare handler's rate
// across all slices.
func BenchmarkReads(b *testing.B) {
	bare := httptest.NewServer(bareListHandler())
	b.Cleanup(bare.Close)
	bareClient := loopbackClient()
	bareOp := func(int64) { benchDo(b, bareClient, "GET", bare.URL+"/scim/v2/default/Users", "", "", 200) }
	b.Run("bare-c8", func(b *testing.B) {
		reportLoad(b, runConcurrent(b, bareOp), "req/s", 0, "")
	})
	p99At1k := map[string]time.Duration{}
	for _, size := range []struct {
		label string
		users int
	}{{"1k", 1000}, {"100k", 100_000}} {
		site := newBenchSite(b, nil, size.users)
		for _, kind := range []string{"filter", "id"} {
			b.Run(kind+"-"+size.label+"-c8", func(b *testing.B) {
				r, ceiling := runInterleaved(b, func(n int64) {
					i := int(n) % len(site.ids)
					url := site.loc.Base + "/Users/" + site.ids[i]
					if kind == "filter" {
						url = site.loc.Base + "/Users?filter=userName%20eq%20%22" + strings.ToUpper(site.userNames[i]) + "%22&startIndex=1&count=100"
					}
					benchDo(b, site.client, "GET", url, site.loc.Key, "", 200)
				}, bareOp)
				reportLoad(b, r, "req/s", ceiling, "bare")
				if size.users == 1000 {
					p99At1k[kind] = r.p99
				} else if base := p99At1k[kind]; base > 0 {
					b.ReportMetric(float64(r.p99)/float64(base), "p99-ratio-to-1k")
				}
			})
		}
	}
}

// interleaveSlices is the number of slices runInterleaved cuts b.N into.
const interleaveSlices = 8

// runInterleaved runs op b.N times from benchConcurrency goroutines, in
// interleaveSlices slices; after each slice, with the timer stopped, it
// runs ceiling as many times. It returns op's rate and p99 and ceiling's
// rate over the same slices.
func runInterleaved(b *testing.B, op, ceiling func(n int64)) (loadResult, float64) {
	b.Helper()
	var (
		seq            atomic.Int64
		lats           []time.Duration
		opTime, ceTime time.Duration
	)
	per := max(b.N/interleaveSlices, 1)
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(per, b.N-done)
		b.StartTimer()
		d, l := burst(n, &seq, op, true)
		b.StopTimer()
		opTime += d
		lats = append(lats, l...)
		d, _ = burst(n, &seq, ceiling, false)
		ceTime += d
		done += n
	}
	r := loadResult{rate: float64(b.N) / opTime.Seconds(), p99: percentile(lats, 0.99)}
	return r, float64(b.N) / ceTime.Seconds()
}

// burst runs op n times from benchConcurrency goroutines and returns the
// elapsed time and, with withLatencies, every operation's latency.
func burst(n int, seq *atomic.Int64, op func(int64), withLatencies bool) (time.Duration, []time.Duration) {
	var (
		left atomic.Int64
		mu   sync.Mutex
		lats []time.Duration
		wg   sync.WaitGroup
	)
	left.Store(int64(n))
	start := time.Now()
	for range benchConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			for left.Add(-1) >= 0 {
				t0 := time.Now()
				op(seq.Add(1))
				if withLatencies {
					local = append(local, time.Since(t0))
				}
			}
			mu.Lock()
			lats = append(lats, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return time.Since(start), lats
}

// sqliteCommitLoop is the write ceiling: it returns a function that
// commits one single-row INSERT on a SQLite file with the store's settings
// (WAL, synchronous=FULL).
func sqliteCommitLoop(b *testing.B) (insert func()) {
	path := filepath.Join(b.TempDir(), "loop.db")
	db, err := sql.Open("sqlite", path+"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (seq INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	row := strings.Repeat("x", 400) // about the size of a user's document
	return func() {
		if _, err := db.Exec(`INSERT INTO t (v) VALUES (?)`, row); err != nil {
			b.Fatal(err)
		}
	}
}

// loopRate runs insert n times and returns the rate.
func loopRate(n int, insert func()) float64 {
	start := time.Now()
	for range n {
		insert()
	}
	return float64(n) / time.Since(start).Seconds()
}

// postLoad runs Okta's POST /Users from 8 clients against site.
func postLoad(b *testing.B, site *benchSite, tag string) loadResult {
	return runConcurrent(b, func(n int64) {
		userName := fmt.Sprintf("%s-%d-%d@example.com", tag, b.N, n)
		benchDo(b, site.client, "POST", site.loc.Base+"/Users", site.loc.Key, oktaUser(userName, fmt.Sprintf("00u%d", n)), 201)
	})
}

// BenchmarkWrites measures durable creations at 8 concurrent clients on
// SQLite against a bare commit loop with the same durability.
func BenchmarkWrites(b *testing.B) {
	b.Run("sqlite-commit-loop", func(b *testing.B) {
		insert := sqliteCommitLoop(b)
		start := time.Now()
		for b.Loop() {
			insert()
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "creates/s")
	})
	// The ceiling again, briefly, for the ratio: a sub-benchmark's metrics
	// are not visible to its parent.
	ceiling := loopRate(200, sqliteCommitLoop(b))
	site := newBenchSite(b, nil, 0)
	b.Run("post-c8-sqlite", func(b *testing.B) {
		reportLoad(b, postLoad(b, site, "w"), "creates/s", ceiling, "commit-loop")
	})
}

// BenchmarkWritesPostgres is BenchmarkWrites on PostgreSQL (a throwaway
// local cluster, or $XAKIA_TEST_PG_DSN; skipped when neither is available).
// The throwaway cluster of internal/pgtest runs with fsync=off: its figures
// measure the SQL and round trips, not durability; point
// XAKIA_TEST_PG_DSN at a durable server for those.
func BenchmarkWritesPostgres(b *testing.B) {
	cluster := pgtest.Start(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.CreateDatabase(b, cluster))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, `CREATE TABLE t (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	row := strings.Repeat("x", 400)
	insert := func() {
		if _, err := conn.Exec(ctx, `INSERT INTO t (v) VALUES ($1)`, row); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("pg-commit-loop", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			insert()
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "creates/s")
	})
	ceiling := loopRate(200, insert)
	st, err := store.Open(ctx, pgtest.CreateDatabase(b, cluster), nil, store.WithPostgres(pgstore.Open))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	site := newBenchSite(b, st, 0)
	b.Run("post-c8-postgres", func(b *testing.B) {
		reportLoad(b, postLoad(b, site, "pg"), "creates/s", ceiling, "commit-loop")
	})
}

// walk reads every page of Okta's import (count=100) and returns the
// latency of the first and of the last page.
func walk(b *testing.B, site *benchSite, users int) (first, last time.Duration) {
	for start := 1; start <= users; start += 100 {
		t0 := time.Now()
		benchDo(b, site.client, "GET", fmt.Sprintf("%s/Users?startIndex=%d&count=100", site.loc.Base, start), site.loc.Key, "", 200)
		d := time.Since(t0)
		if start == 1 {
			first = d
		}
		last = d
	}
	return first, last
}

// BenchmarkImportWalk measures Okta's import walk over 1k and 100k users:
// one op is the whole walk.
func BenchmarkImportWalk(b *testing.B) {
	for _, size := range []struct {
		label string
		users int
	}{{"1k", 1000}, {"100k", 100_000}} {
		site := newBenchSite(b, nil, size.users)
		b.Run("walk-"+size.label, func(b *testing.B) {
			var first, last time.Duration
			start := time.Now()
			for b.Loop() {
				f, l := walk(b, site, size.users)
				first += f
				last += l
			}
			n := time.Duration(b.N)
			b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "walk-s")
			b.ReportMetric(ms(first/n), "first-page-ms")
			b.ReportMetric(ms(last/n), "last-page-ms")
			b.ReportMetric(float64(last)/float64(max(first, 1)), "last-to-first")
		})
	}
}

// BenchmarkFilterScan measures filters no index answers at 100k users.
func BenchmarkFilterScan(b *testing.B) {
	site := newBenchSite(b, nil, 100_000)
	for _, c := range []struct{ name, filter string }{
		{"co-100k", `userName co "-0099"`},
		{"sw-100k", `userName sw "SEED-"`},
		{"pr-100k", `userName pr`},
	} {
		b.Run(c.name, func(b *testing.B) {
			url := site.loc.Base + "/Users?count=100&filter=" + strings.ReplaceAll(strings.ReplaceAll(c.filter, " ", "%20"), `"`, "%22")
			start := time.Now()
			for b.Loop() {
				benchDo(b, site.client, "GET", url, site.loc.Key, "", 200)
			}
			b.ReportMetric(ms(time.Since(start)/time.Duration(b.N)), "ms")
		})
	}
}

// BenchmarkSeed measures DB.Seed of 100k users into a new SQLite file.
func BenchmarkSeed(b *testing.B) {
	b.Run("100k", func(b *testing.B) {
		ctx := context.Background()
		var total time.Duration
		cpu0 := processCPU()
		for b.Loop() {
			b.StopTimer()
			db, err := OpenDB(ctx, filepath.Join(b.TempDir(), "seed.db"), nil)
			if err != nil {
				b.Fatal(err)
			}
			loc, _, err := db.CreateLocation(ctx, "seeded", QueryLimited)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			t0 := time.Now()
			if _, err := db.Seed(ctx, loc.ID, 100_000); err != nil {
				b.Fatal(err)
			}
			total += time.Since(t0)
			b.StopTimer()
			_ = db.Close()
			b.StartTimer()
		}
		b.ReportMetric(total.Seconds()/float64(b.N), "s")
		// CPU time of the process per seed: on a shared machine the wall
		// time includes waiting for a core, this does not.
		b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N), "cpu-s")
	})
}

// processCPU is the user+system CPU time the process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkHandlerGetUser is the server's own cost of GET /Users/{id} and
// of Okta's userName lookup at 1k users: the handler called in process, no
// network and no client (what the c8 figures spend on top of the bare
// handler). Sequential; allocations reported.
func BenchmarkHandlerGetUser(b *testing.B) {
	site := newBenchSite(b, nil, 1000)
	h := site.e.srv.Handler()
	for _, kind := range []string{"id", "filter"} {
		b.Run(kind, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				u := site.loc.Base + "/Users/" + site.ids[i%len(site.ids)]
				if kind == "filter" {
					u = site.loc.Base + "/Users?filter=userName%20eq%20%22" + site.userNames[i%len(site.userNames)] + "%22"
				}
				req := httptest.NewRequest("GET", u, nil)
				req.Header.Set("Authorization", "Bearer "+site.loc.Key)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
