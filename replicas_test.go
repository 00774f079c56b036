package scimtest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/xakia-okta/scimtest/internal/harnesshttp"
	"github.com/xakia-okta/scimtest/internal/pgtest"

	"github.com/xakia-okta/scimtest/steps"
	"github.com/xakia-okta/scimtest/steps/target"
)

// TestReplicasOnPostgres runs two xakia-reference processes on one PostgreSQL
// database behind a round-robin proxy, the way a shared deployment runs:
//
//   - both replicas started at the same instant on an empty database come up
//     with exactly one "default" location (the first-start race is handled);
//   - the whole xakia conformance suite passes through the proxy, every
//     request going to the other replica than the one before;
//   - 50 concurrent POSTs of one userName in mixed case, 25 on each replica,
//     create exactly one user: one 201 and 49 × 409 uniqueness.
func TestReplicasOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("replica test did NOT run: -short")
	}
	ctx, cancel := deployContext(t, 12*time.Minute)
	defer cancel()

	cluster := pgtest.Start(t)
	bin := filepath.Join(t.TempDir(), "xakia-reference")
	began := time.Now()
	deployBuildReference(t, bin)
	t.Logf("built xakia-reference in %s", time.Since(began).Round(time.Millisecond))
	token := deployRandomHex(32)

	t.Run("empty-database start race", func(t *testing.T) {
		// Round 1 forces the interleaving: every replica has read the empty
		// location table before any inserts "default". The other rounds are
		// plain simultaneous starts, where the window is narrow.
		const rounds, together = 6, 2
		for round := 1; round <= rounds; round++ {
			dsn := pgtest.CreateDatabase(t, cluster)
			var hold func([]*deployReplica) error
			if round == 1 {
				hold = deployHoldFirstInsert(ctx, t, bin, dsn)
			}
			began := time.Now()
			reps, err := deployStartReplicas(ctx, t, together, bin, dsn, token, "", true, hold)
			if err != nil {
				t.Fatalf("round %d: replicas started together on an empty database did not all come up (report to the reference owner): %v", round, err)
			}
			t.Logf("round %d: %d replicas ready %s after a simultaneous start", round, together, time.Since(began).Round(time.Millisecond))
			var ids []string
			for _, r := range reps {
				locs, err := deployListLocations(ctx, r.origin, token)
				if err != nil {
					t.Fatalf("round %d: %s: %v", round, r.name, err)
				}
				var defaults []string
				for _, l := range locs {
					if l.Name == "default" {
						defaults = append(defaults, l.ID)
					}
				}
				if len(locs) != 1 || len(defaults) != 1 {
					t.Fatalf("round %d: replicas started together on an empty database made %d locations named default (want exactly one; report to the reference owner): %s lists %+v", round, len(defaults), r.name, locs)
				}
				ids = append(ids, defaults[0])
			}
			for _, id := range ids[1:] {
				if id != ids[0] {
					t.Fatalf("round %d: the replicas disagree on the default location: %q", round, ids)
				}
			}
			for _, r := range reps {
				r.stop(t)
			}
		}
	})

	// The deployment under test: a fresh database, the proxy's address as
	// both replicas' public URL, started one after the other (so that the
	// rest runs even when the race above failed).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxyURL := "http://" + ln.Addr().String()
	reps, err := deployStartReplicas(ctx, t, 2, bin, pgtest.CreateDatabase(t, cluster), token, proxyURL, false, nil)
	if err != nil {
		_ = ln.Close()
		t.Fatal(err)
	}
	proxy := newDeployProxy(reps[0].origin, reps[1].origin)
	srv := &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	client := harnesshttp.New(harnesshttp.Options{Timeout: 30 * time.Second})
	defer client.GetClient().CloseIdleConnections()
	locA, err := target.CreateLocation(ctx, client, proxyURL, token, "replicas-a", "limited")
	if err != nil {
		t.Fatal(err)
	}
	locB, err := target.CreateLocation(ctx, client, proxyURL, token, "replicas-b", "limited")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("conformance suite through the proxy", func(t *testing.T) {
		var console bytes.Buffer
		cfg := steps.Config{
			BaseURL: locA.BaseURL, APIKey: locA.APIKey,
			BaseURL2: locB.BaseURL, APIKey2: locB.APIKey,
			AdminURL: proxyURL, AdminToken: token,
			Profile:    steps.ProfileXakia,
			ReportsDir: t.TempDir(),
			Output:     &console,
		}
		before := proxy.counts()
		began := time.Now()
		run, code := steps.Run(ctx, cfg)
		wall := time.Since(began)
		after := proxy.counts()
		t.Logf("suite through the proxy: exit %d, %d scenarios, wall %s; requests per replica %d / %d",
			code, len(run.Scenarios), wall.Round(time.Millisecond), after[0]-before[0], after[1]-before[1])
		if code != 0 {
			t.Fatalf("suite exit %d, want 0; console:\n%s\nreplica 1 output:\n%s\nreplica 2 output:\n%s",
				code, console.String(), deployTail(reps[0].out.String(), 40), deployTail(reps[1].out.String(), 40))
		}
		if len(run.Scenarios) == 0 {
			t.Fatal("the suite ran no scenario")
		}
		// Round robin: the replicas shared the load within one request.
		d0, d1 := after[0]-before[0], after[1]-before[1]
		if d0 == 0 || d1 == 0 || d0-d1 > 1 || d1-d0 > 1 {
			t.Errorf("proxy did not alternate: %d vs %d requests", d0, d1)
		}
	})

	t.Run("concurrent creates of one userName on both replicas", func(t *testing.T) {
		const perReplica = 25
		path := deployPath(t, locA.BaseURL) + "/Users"
		userName := "race." + deployRandomHex(4) + "@example.com"
		type result struct {
			sent, scimType, gotName string
			status                  int
			err                     error
		}
		results := make([]result, 2*perReplica)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := &results[i]
				r.sent = deployMixedCase(userName, i)
				r.status, r.scimType, r.gotName, r.err = deployPostUser(ctx, client.GetClient(), reps[i%2].origin+path, locA.APIKey, r.sent)
			}()
		}
		began := time.Now()
		close(start)
		wg.Wait()
		wall := time.Since(began)

		byStatus := map[int]int{}
		var winner result
		for _, r := range results {
			if r.err != nil {
				t.Errorf("POST %s: %v", r.sent, r.err)
				continue
			}
			byStatus[r.status]++
			switch r.status {
			case http.StatusCreated:
				winner = r
			case http.StatusConflict:
				if r.scimType != "uniqueness" {
					t.Errorf("409 for %s has scimType %q, want uniqueness", r.sent, r.scimType)
				}
			}
		}
		t.Logf("%d concurrent POSTs (%d per replica) in %s: %v", len(results), perReplica, wall.Round(time.Millisecond), byStatus)
		if byStatus[http.StatusCreated] != 1 || byStatus[http.StatusConflict] != len(results)-1 {
			t.Fatalf("statuses %v, want exactly one 201 and %d × 409", byStatus, len(results)-1)
		}
		if winner.gotName != winner.sent {
			t.Errorf("created userName %q, want the case sent, %q", winner.gotName, winner.sent)
		}
		// Both replicas see the one user.
		for _, r := range reps {
			n, err := deployCountByUserName(ctx, client.GetClient(), r.origin+path, locA.APIKey, winner.sent)
			if err != nil {
				t.Fatalf("%s: %v", r.name, err)
			}
			if n != 1 {
				t.Errorf("%s finds %d users named %q, want 1", r.name, n, winner.sent)
			}
		}
	})
}

// deployBuildReference builds cmd/xakia-reference the way `make image` does
// (static, trimmed), so the container test and this one share the build cache.
func deployBuildReference(t *testing.T, out string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./cmd/xakia-reference")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/xakia-reference: %v\n%s", err, b)
	}
}

// deployContext is bounded by max and ends a little before the test binary's
// own -timeout, so that cleanups (stopping processes, removing containers)
// still run instead of being lost to the timeout panic.
func deployContext(t *testing.T, max time.Duration) (context.Context, context.CancelFunc) {
	deadline := time.Now().Add(max)
	if d, ok := t.Deadline(); ok && d.Add(-30*time.Second).Before(deadline) {
		deadline = d.Add(-30 * time.Second)
	}
	return context.WithDeadline(context.Background(), deadline)
}

// deploySkipOrFail skips with the reason, or fails when the variable named
// require is "true" (CI sets it so that not-run never passes silently).
func deploySkipOrFail(t *testing.T, reason string, require ...string) {
	t.Helper()
	for _, v := range require {
		if os.Getenv(v) == "true" {
			t.Fatalf("%s (%s=true: this test must run)", reason, v)
		}
	}
	t.Skip(reason)
}

// deployHoldFirstInsert prepares dsn so that replicas started together all
// read the empty location table before any of them can insert into it: it
// applies the schema with `xakia-reference location list` (which creates no
// location), then locks the table against writes (SHARE mode still allows
// reads). The returned func waits until every replica is blocked on a lock
// (at most 15 s), then releases it. When the schema is not as expected it
// logs why and the start is a plain simultaneous one.
func deployHoldFirstInsert(ctx context.Context, t *testing.T, bin, dsn string) func([]*deployReplica) error {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, "location", "list", "--db", dsn)
	cmd.Env = deployEnvWithoutXakia()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xakia-reference location list (to apply the schema): %v\n%s", err, out)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE locations IN SHARE MODE"); err != nil {
		_ = tx.Rollback(ctx)
		t.Logf("cannot force the first-start interleaving (%v): plain simultaneous start", err)
		return nil
	}
	return func(reps []*deployReplica) error {
		defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // releasing the lock; nothing was written
		deadline := time.Now().Add(15 * time.Second)
		var waiting int
		for time.Now().Before(deadline) {
			// pg_locks, not pg_stat_activity: the latter is a snapshot frozen
			// for the rest of this transaction.
			err := conn.QueryRow(ctx, `SELECT count(DISTINCT pid) FROM pg_locks
				WHERE NOT granted AND pid <> pg_backend_pid()
				AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&waiting)
			if err != nil {
				return fmt.Errorf("watch the replicas' lock waits: %w", err)
			}
			exited := false
			for _, r := range reps {
				select {
				case <-r.done:
					exited = true
				default:
				}
			}
			if waiting >= len(reps) || exited {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("forced interleaving: %d of %d replicas were waiting on a lock when it was released", waiting, len(reps))
		return nil
	}
}

// deployReplica is one running `xakia-reference serve` process.
type deployReplica struct {
	name, origin string
	cmd          *exec.Cmd
	out          *deploySyncBuffer
	done         chan struct{} // closed when the process has exited
	waitErr      error         // valid after done is closed
	stopOnce     sync.Once
}

// deployStartReplicas starts n replicas on dsn. together starts them all at
// the same instant (the empty-database race); otherwise one after the other.
// It waits until all answer GET /healthz; t.Cleanup stops them. whileStarting,
// when not nil, runs after a together start and before the wait.
func deployStartReplicas(ctx context.Context, t *testing.T, n int, bin, dsn, token, publicURL string, together bool, whileStarting func([]*deployReplica) error) ([]*deployReplica, error) {
	t.Helper()
	reps := make([]*deployReplica, n)
	for i := range reps {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(deployFreePort(t)))
		args := []string{"serve", "--db", dsn, "--addr", addr, "--admin-token", token}
		if publicURL != "" {
			args = append(args, "--public-url", publicURL)
		}
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = deployEnvWithoutXakia()
		out := &deploySyncBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
		cmd.WaitDelay = 10 * time.Second
		reps[i] = &deployReplica{name: fmt.Sprintf("replica %d (%s)", i+1, addr), origin: "http://" + addr, cmd: cmd, out: out, done: make(chan struct{})}
	}
	start := func(r *deployReplica) error {
		if err := r.cmd.Start(); err != nil {
			close(r.done)
			return fmt.Errorf("%s: %w", r.name, err)
		}
		go func() { r.waitErr = r.cmd.Wait(); close(r.done) }()
		t.Cleanup(func() { r.stop(t) })
		return nil
	}
	errs := make([]error, n)
	if together {
		gate := make(chan struct{})
		var wg sync.WaitGroup
		for i, r := range reps {
			wg.Add(1)
			go func() { defer wg.Done(); <-gate; errs[i] = start(r) }()
		}
		close(gate)
		wg.Wait()
		if whileStarting != nil && errors.Join(errs...) == nil {
			if err := whileStarting(reps); err != nil {
				return reps, err
			}
		}
	} else {
		for i, r := range reps {
			if errs[i] = start(r); errs[i] == nil {
				errs[i] = r.waitReady(ctx, time.Minute)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return reps, err
	}
	for i, r := range reps {
		errs[i] = r.waitReady(ctx, time.Minute)
	}
	return reps, errors.Join(errs...)
}

// waitReady polls GET /healthz until 200, the process exits or timeout passes.
func (r *deployReplica) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.origin+"/healthz", nil); err == nil {
			if resp, err := client.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return nil
				}
			}
		}
		select {
		case <-r.done:
			return fmt.Errorf("%s exited (%v) before GET /healthz answered 200; its output:\n%s", r.name, r.waitErr, deployTail(r.out.String(), 30))
		case <-ctx.Done():
			return fmt.Errorf("%s not ready within %s; its output:\n%s", r.name, timeout, deployTail(r.out.String(), 30))
		case <-tick.C:
		}
	}
}

// stop interrupts the process and waits for it; it kills it after 10 s.
func (r *deployReplica) stop(t *testing.T) {
	r.stopOnce.Do(func() {
		if r.cmd.Process == nil {
			return
		}
		select {
		case <-r.done:
			return
		default:
		}
		_ = r.cmd.Process.Signal(os.Interrupt)
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Logf("%s did not stop on SIGINT within 10s; killing it", r.name)
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
}

// deployProxy is a round-robin reverse proxy: request n goes to backend n mod 2.
type deployProxy struct {
	rp   *httputil.ReverseProxy
	next atomic.Uint64
	hits [2]atomic.Int64
}

func newDeployProxy(origins ...string) *deployProxy {
	p := &deployProxy{}
	backends := make([]*url.URL, len(origins))
	for i, o := range origins {
		backends[i], _ = url.Parse(o)
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			i := int((p.next.Add(1) - 1) % uint64(len(backends)))
			p.hits[i].Add(1)
			pr.SetURL(backends[i])
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
		},
	}
	return p
}

// ServeHTTP implements http.Handler.
func (p *deployProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.rp.ServeHTTP(w, r) }

func (p *deployProxy) counts() [2]int64 { return [2]int64{p.hits[0].Load(), p.hits[1].Load()} }

type deployLocation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func deployListLocations(ctx context.Context, origin, token string) ([]deployLocation, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, origin+"/admin/api/locations", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /admin/api/locations: %s: %s", resp.Status, body)
	}
	var locs []deployLocation
	if err := json.Unmarshal(body, &locs); err != nil {
		return nil, fmt.Errorf("GET /admin/api/locations: %w: %s", err, body)
	}
	return locs, nil
}

// deployPostUser sends Okta's create-user POST and returns the status, the
// error's scimType (for 409) and the created userName (for 201).
func deployPostUser(ctx context.Context, client *http.Client, usersURL, key, userName string) (status int, scimType, gotName string, err error) {
	body, _ := json.Marshal(map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName":    userName,
		"name":        map[string]string{"givenName": "Race", "familyName": "Condition"},
		"emails":      []map[string]any{{"primary": true, "value": strings.ToLower(userName), "type": "work"}},
		"displayName": "Race Condition",
		"locale":      "en-US",
		"externalId":  "00u" + deployRandomHex(9)[:17],
		"groups":      []string{},
		"password":    deployRandomHex(6),
		"active":      true,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, usersURL, bytes.NewReader(body))
	if err != nil {
		return 0, "", "", err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	req.Header.Set("Accept", "application/scim+json")
	req.Header.Set("User-Agent", "Okta SCIM Client 1.0.0")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, "", "", err
	}
	var got struct {
		ScimType string `json:"scimType"`
		UserName string `json:"userName"`
	}
	_ = json.Unmarshal(raw, &got)
	return resp.StatusCode, got.ScimType, got.UserName, nil
}

// deployCountByUserName asks usersURL for the users named userName (Okta's lookup).
func deployCountByUserName(ctx context.Context, client *http.Client, usersURL, key, userName string) (int, error) {
	q := url.Values{"filter": {`userName eq "` + userName + `"`}, "startIndex": {"1"}, "count": {"100"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, usersURL+"?"+q.Encode(), nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept", "application/scim+json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, err
	}
	var list struct {
		TotalResults *int `json:"totalResults"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &list) != nil || list.TotalResults == nil {
		return 0, fmt.Errorf("lookup of %q: %s: %s", userName, resp.Status, raw)
	}
	return *list.TotalResults, nil
}

// deployMixedCase returns s with the letters at positions whose bit (k mod 6)
// of i is set upper-cased: 50 values of i give many casings of one name.
func deployMixedCase(s string, i int) string {
	r := []rune(s)
	for k := range r {
		if (i>>(k%6))&1 == 1 {
			r[k] = unicode.ToUpper(r[k])
		}
	}
	return string(r)
}

// deployPath returns the path of a URL (the SCIM base path of a location).
func deployPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimRight(u.Path, "/")
}

func deployFreePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func deployRandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// deployEnvWithoutXakia is the environment minus XAKIA_* variables, so that
// the replicas run only with the flags given (no stray XAKIA_FAULTS).
func deployEnvWithoutXakia() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "XAKIA_") {
			env = append(env, kv)
		}
	}
	return env
}

func deployTail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	// The reference prints the default location's key once: keep it out of logs.
	for i, l := range lines {
		if low := strings.ToLower(l); strings.Contains(low, "api key") || strings.Contains(low, "token") {
			lines[i] = "[line redacted: may hold a secret]"
		}
	}
	return strings.Join(lines, "\n")
}

// deploySyncBuffer is a bytes.Buffer safe for a process's concurrent writes.
type deploySyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *deploySyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *deploySyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
