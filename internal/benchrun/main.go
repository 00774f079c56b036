// Command benchrun is `make bench`: it runs the Go benchmarks of the
// reference and of the mock Okta, then the end-to-end load runs (the
// mockokta binary against a bare SCIM handler, the ceiling, and against
// `xakia-reference serve` on a new SQLite database, empty and seeded through
// the reference's Go API), and
// prints one table: each figure, its ceiling from the same run, the ratio,
// the goal and whether it is met.
//
// Every knob is a flag with an environment default (see -help): BENCH_USERS
// users per load run (10000), BENCH_SEED users seeded before the second
// reference run (100000; 0 skips it), BENCH_TIME the -benchtime of the Go
// benchmarks (3s), BENCH_OUT where the raw outputs and the table are kept
// (build/bench), BENCH_BIN where the built binaries are (build/bench/bin).
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/xakia-okta/scimtest/internal/barescim"
	"github.com/xakia-okta/scimtest/internal/benchtable"
	"github.com/xakia-okta/scimtest/reference"
)

// config is the command line.
type config struct {
	goCmd       string
	pkgs        []string
	benchFilter string
	benchTime   string
	users       int
	seed        int
	concurrency int
	out         string
	bin         string
	timeout     time.Duration
	skipGo      bool
	replay      bool
}

func envOr(name, def string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	v, err := strconv.Atoi(envOr(name, strconv.Itoa(def)))
	if err != nil {
		return def
	}
	return v
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("benchrun", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var pkgs string
	fs.StringVar(&c.goCmd, "go", envOr("GO", "go"), "the go command [GO]")
	fs.StringVar(&pkgs, "pkgs", envOr("BENCH_PKGS", "./reference/ ./reference/internal/store/ ./mockokta/"), "packages whose benchmarks run, space-separated [BENCH_PKGS]")
	fs.StringVar(&c.benchFilter, "bench", envOr("BENCH_FILTER", "."), "the -bench regexp of go test [BENCH_FILTER]")
	fs.StringVar(&c.benchTime, "benchtime", envOr("BENCH_TIME", "3s"), "the -benchtime of go test [BENCH_TIME]")
	fs.IntVar(&c.users, "users", envInt("BENCH_USERS", 10000), "users assigned by each load run [BENCH_USERS]")
	fs.IntVar(&c.seed, "seed", envInt("BENCH_SEED", 100000), "users seeded before the second reference load run; 0 skips that run [BENCH_SEED]")
	fs.IntVar(&c.concurrency, "concurrency", envInt("BENCH_CONCURRENCY", 8), "assignments in flight in the load runs [BENCH_CONCURRENCY]")
	fs.StringVar(&c.out, "out", envOr("BENCH_OUT", filepath.Join("build", "bench")), "directory for the raw outputs and table.md [BENCH_OUT]")
	fs.StringVar(&c.bin, "bin", envOr("BENCH_BIN", filepath.Join("build", "bench", "bin")), "directory holding the built mockokta and xakia-reference [BENCH_BIN]")
	fs.DurationVar(&c.timeout, "timeout", 0, "stop everything after this long (default 15m plus three load runs' -max-duration)")
	fs.BoolVar(&c.skipGo, "skip-go", false, "skip the Go benchmarks (only the load runs)")
	fs.BoolVar(&c.replay, "replay", false, "run nothing: rebuild the table from the raw outputs a previous run left in -out")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.pkgs = strings.Fields(pkgs)
	if c.timeout <= 0 {
		c.timeout = 15*time.Minute + 3*loadMaxDuration(c.users)
	}
	if c.users < 1 || c.users > 10_000_000 {
		return c, fmt.Errorf("BENCH_USERS must be between 1 and 10000000, not %d", c.users)
	}
	if c.seed < 0 {
		return c, fmt.Errorf("BENCH_SEED must not be negative")
	}
	if c.concurrency < 1 {
		return c, fmt.Errorf("BENCH_CONCURRENCY must be at least 1")
	}
	return c, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "benchrun: %v\n", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	started := time.Now()
	procs := runtime.GOMAXPROCS(0)
	rs := benchtable.Results{Skipped: map[string]string{}, Failed: map[string]string{}}
	if cfg.replay {
		if rs, err = replay(cfg, procs); err != nil {
			return err
		}
		return printTable(ctx, cfg, rs, procs, started, stdout)
	}
	if !cfg.skipGo {
		if rs, err = goBenchmarks(ctx, cfg, procs, stderr); err != nil {
			return err
		}
	}
	loads := []struct {
		name string
		seed int
	}{{benchtable.LoadBare, 0}, {benchtable.LoadReference, 0}, {benchtable.LoadReferenceSeeded, cfg.seed}}
	for _, l := range loads {
		if l.name == benchtable.LoadReferenceSeeded && cfg.seed == 0 {
			rs.Skipped[l.name] = "BENCH_SEED=0"
			continue
		}
		fmt.Fprintf(stderr, "benchrun: %s: mockokta load --users %d --concurrency %d …\n", l.name, cfg.users, cfg.concurrency)
		res, err := loadRun(ctx, cfg, l.name, l.seed, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "benchrun: %s: %v\n", l.name, err)
			rs.Failed[l.name] = err.Error()
			continue
		}
		rs.Add(res)
	}
	return printTable(ctx, cfg, rs, procs, started, stdout)
}

// replay reads the raw outputs of a previous run from cfg.out.
func replay(cfg config, procs int) (benchtable.Results, error) {
	rs := benchtable.Results{Skipped: map[string]string{}, Failed: map[string]string{}}
	if f, err := os.Open(filepath.Join(cfg.out, "gobench.txt")); err == nil {
		rs, err = benchtable.Parse(f, procs)
		f.Close()
		if err != nil {
			return rs, err
		}
	}
	for _, name := range []string{benchtable.LoadBare, benchtable.LoadReference, benchtable.LoadReferenceSeeded} {
		b, err := os.ReadFile(filepath.Join(cfg.out, fileName(name)+".json"))
		if err != nil {
			continue
		}
		res, err := benchtable.LoadResult(name, b)
		if err != nil {
			rs.Failed[name] = err.Error()
			continue
		}
		rs.Add(res)
	}
	return rs, nil
}

// printTable builds the table, writes it to table.md and prints it.
func printTable(ctx context.Context, cfg config, rs benchtable.Results, procs int, started time.Time, stdout io.Writer) error {
	seeded := count(cfg.seed) + " seeded"
	if cfg.seed == 0 {
		seeded = "a seeded location"
	}
	tab := benchtable.Build(benchtable.DefaultSpecs(count(cfg.users)+" users", seeded), rs)
	var table bytes.Buffer
	took := time.Since(started).Round(time.Second).String() + " in all"
	if cfg.replay {
		took = "table rebuilt from " + cfg.out
	}
	fmt.Fprintf(&table, "%s, %d cores (GOMAXPROCS %d), %s, %s/%s, %s; Go benchmarks -benchtime %s; load runs %d users at c=%d; %s\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), procs, orUnknown(rs.CPU), runtime.GOOS, runtime.GOARCH,
		goVersion(ctx, cfg.goCmd), cfg.benchTime, cfg.users, cfg.concurrency, took)
	if err := benchtable.Render(&table, tab); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg.out, "table.md"), table.Bytes(), 0o644); err != nil {
		return err
	}
	_, err := stdout.Write(table.Bytes())
	return err
}

// count renders 10000 as "10k".
func count(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

// orUnknown returns the CPU go test named, else the model name of
// /proc/cpuinfo (runs without Go benchmarks), else "cpu unknown".
func orUnknown(s string) string {
	if s != "" {
		return s
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return "cpu unknown"
}

// goVersion asks the go command for its version ("go1.26.8").
func goVersion(ctx context.Context, goCmd string) string {
	out, err := exec.CommandContext(ctx, goCmd, "env", "GOVERSION").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}

// goBenchmarks runs the Go benchmarks, echoing their output to stderr as
// it comes, keeps it in gobench.txt and parses it.
func goBenchmarks(ctx context.Context, cfg config, procs int, stderr io.Writer) (benchtable.Results, error) {
	args := append([]string{"test", "-run", "^$", "-bench", cfg.benchFilter, "-benchtime", cfg.benchTime,
		"-cpu", strconv.Itoa(procs), "-timeout", "12m"}, cfg.pkgs...)
	fmt.Fprintf(stderr, "benchrun: %s %s\n", cfg.goCmd, strings.Join(args, " "))
	raw, err := os.Create(filepath.Join(cfg.out, "gobench.txt"))
	if err != nil {
		return benchtable.Results{}, err
	}
	defer raw.Close()
	var buf bytes.Buffer
	cmd := exec.CommandContext(ctx, cfg.goCmd, args...)
	cmd.Stdout = io.MultiWriter(&buf, raw, stderr)
	cmd.Stderr = io.MultiWriter(raw, stderr)
	runErr := cmd.Run()
	rs, err := benchtable.Parse(&buf, procs)
	if err != nil {
		return rs, err
	}
	if runErr != nil {
		// A failed benchmark is reported in its row; the others still count.
		fmt.Fprintf(stderr, "benchrun: go test: %v (the rows of the benchmarks that failed say so)\n", runErr)
	}
	return rs, nil
}

// loadRun starts the target of one load run, runs the mockokta binary
// against it with --json and returns its figures.
func loadRun(ctx context.Context, cfg config, name string, seed int, stderr io.Writer) (benchtable.Result, error) {
	var baseURL, key string
	if name == benchtable.LoadBare {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return benchtable.Result{}, err
		}
		srv := &http.Server{Handler: &barescim.Handler{}, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		baseURL, key = "http://"+ln.Addr().String()+"/scim/v2/bare", "bare-handler-needs-no-key"
	} else {
		srv, err := startReference(ctx, cfg, name, seed, stderr)
		if err != nil {
			return benchtable.Result{}, err
		}
		defer srv.stop(stderr)
		baseURL, key = srv.baseURL, srv.key
	}
	cmd := exec.CommandContext(ctx, filepath.Join(cfg.bin, "mockokta"), "--json", "load",
		"--users", strconv.Itoa(cfg.users), "--concurrency", strconv.Itoa(cfg.concurrency), "--max-duration", loadMaxDuration(cfg.users).String())
	// The key goes through the environment, not the command line.
	cmd.Env = append(os.Environ(), "SCIM_BASE_URL="+baseURL, "SCIM_API_KEY="+key)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = stderr
	runErr := cmd.Run()
	if err := os.WriteFile(filepath.Join(cfg.out, fileName(name)+".json"), out.Bytes(), 0o644); err != nil {
		return benchtable.Result{}, err
	}
	res, err := benchtable.LoadResult(name, out.Bytes())
	if err != nil && runErr != nil {
		return res, fmt.Errorf("%w (mockokta: %v)", err, runErr)
	}
	return res, err
}

// loadMaxDuration bounds one load run: 4 minutes, plus 5 ms per user
// (100,000 users: about 12 minutes, enough at 200 users/s).
func loadMaxDuration(users int) time.Duration {
	return 4*time.Minute + time.Duration(users)*5*time.Millisecond
}

// fileName turns a result name into a file name.
func fileName(name string) string {
	return strings.NewReplacer("/", "-", " ", "-").Replace(strings.ToLower(name))
}

// server is a running `xakia-reference serve`.
type server struct {
	cmd     *exec.Cmd
	done    chan error
	baseURL string
	key     string
	logFile *os.File
}

// startReference creates a location on a new SQLite file (seeded with seed
// users when seed > 0) and serves it on a free loopback port.
func startReference(ctx context.Context, cfg config, name string, seed int, stderr io.Writer) (*server, error) {
	dir, err := os.MkdirTemp("", "scimtest-bench-")
	if err != nil {
		return nil, err
	}
	db := filepath.Join(dir, "bench.db")
	key, loc, err := prepareDB(ctx, db, seed, stderr)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	ref := filepath.Join(cfg.bin, "xakia-reference")
	logFile, err := os.Create(filepath.Join(cfg.out, fileName(name)+"-server.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(ref, "serve", "--addr", "127.0.0.1:0", "--db", db)
	cmd.Stderr = logFile
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	r := &server{cmd: cmd, done: make(chan error, 1), key: key, logFile: logFile}
	origin := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				select {
				case origin <- strings.TrimSpace(u):
				default:
				}
			}
		}
		r.done <- cmd.Wait()
		_ = os.RemoveAll(dir)
	}()
	select {
	case o := <-origin:
		r.baseURL = strings.TrimRight(o, "/") + "/scim/v2/" + loc
		return r, nil
	case err := <-r.done:
		logFile.Close()
		return nil, fmt.Errorf("xakia-reference serve stopped before listening: %v (see %s)", err, logFile.Name())
	case <-time.After(60 * time.Second):
	case <-ctx.Done():
	}
	r.stop(stderr)
	return nil, errors.New("xakia-reference serve did not say where it listens within 60 s")
}

// prepareDB creates the location "bench" in a new SQLite file and seeds it
// with seed users (what `xakia-reference location create` and `seed` do),
// and returns its API key and id.
func prepareDB(ctx context.Context, path string, seed int, stderr io.Writer) (key, loc string, err error) {
	db, err := reference.OpenDB(ctx, path, nil)
	if err != nil {
		return "", "", err
	}
	info, key, err := db.CreateLocation(ctx, "bench", reference.QueryLimited)
	if err != nil {
		_ = db.Close()
		return "", "", fmt.Errorf("creating the location: %w", err)
	}
	if seed > 0 {
		fmt.Fprintf(stderr, "benchrun: seeding %d users …\n", seed)
		t0 := time.Now()
		if _, err := db.Seed(ctx, info.ID, seed); err != nil {
			_ = db.Close()
			return "", "", fmt.Errorf("seeding %d users: %w", seed, err)
		}
		fmt.Fprintf(stderr, "benchrun: seeded in %s\n", time.Since(t0).Round(time.Millisecond))
	}
	return key, info.ID, db.Close()
}

// stop ends the server with SIGTERM (a kill after 15 s) and waits for it.
func (r *server) stop(stderr io.Writer) {
	defer r.logFile.Close()
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(15 * time.Second):
		fmt.Fprintln(stderr, "benchrun: xakia-reference did not stop on SIGTERM; killing it")
		_ = r.cmd.Process.Kill()
		<-r.done
	}
}
