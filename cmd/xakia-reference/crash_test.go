package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xakia-okta/scimtest/internal/lockedbuf"
	"github.com/xakia-okta/scimtest/internal/pgtest"
)

// Crash-test bounds: the writers stop after crashWriteTime or crashMaxCreates
// acknowledged creates, whichever comes first.
const (
	crashWorkers    = 8
	crashWriteTime  = 4 * time.Second
	crashMaxCreates = 3000
	crashAdminToken = "crash-test-admin-token-0123456789abcdef"
)

// TestCrashDurability builds xakia-reference, starts it, writes users with 8
// workers, kills it with SIGKILL in the middle of the writes, restarts it on
// the same database and checks that every user whose creation was
// acknowledged (201) is there — on SQLite and on PostgreSQL.
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test (builds and kills the binary) skipped in -short mode; make test runs it")
	}
	bin := filepath.Join(t.TempDir(), "xakia-reference")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("sqlite", func(t *testing.T) {
		crashRun(t, bin, filepath.Join(t.TempDir(), "crash.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		crashRun(t, bin, pgtest.CreateDatabase(t, pgtest.Start(t)))
	})
}

// crashRun is one write, kill -9, restart, check cycle on db.
func crashRun(t *testing.T, bin, db string) {
	proc, origin, out := startBinary(t, bin, db)
	key := ""
	for _, line := range strings.Split(out(), "\n") {
		if k, ok := strings.CutPrefix(strings.TrimSpace(line), "SCIM API Key:"); ok {
			key = strings.TrimSpace(k)
		}
	}
	if key == "" {
		t.Fatalf("no SCIM API key printed:\n%s", out())
	}
	base := origin + "/scim/v2/default/Users"

	var (
		mu    sync.Mutex
		acked []string
		sent  atomic.Int64
		wg    sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(crashWriteTime)
	for w := range crashWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				if sent.Add(1) > crashMaxCreates {
					return
				}
				userName := fmt.Sprintf("crash-%d-%d@example.com", w, i)
				body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"externalId":"00u%d%d","active":true}`, userName, w, i)
				req, _ := http.NewRequest("POST", base, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/scim+json")
				res, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				var v struct{ ID string }
				_ = json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&v)
				res.Body.Close()
				if res.StatusCode == http.StatusCreated && v.ID != "" {
					mu.Lock()
					acked = append(acked, v.ID)
					mu.Unlock()
				}
			}
		}()
	}
	// Kill while the writers are busy: half-way through the write window.
	time.Sleep(crashWriteTime / 2)
	if err := proc.Process.Kill(); err != nil {
		t.Fatalf("kill -9: %v", err)
	}
	_ = proc.Wait()
	wg.Wait()
	mu.Lock()
	ackedIDs := append([]string(nil), acked...)
	mu.Unlock()
	if len(ackedIDs) == 0 {
		t.Fatalf("no create was acknowledged before the kill; server output:\n%s", out())
	}

	_, origin2, _ := startBinary(t, bin, db)
	req, _ := http.NewRequest("GET", origin2+"/admin/api/locations/default/users", nil)
	req.Header.Set("Authorization", "Bearer "+crashAdminToken)
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("admin users after restart: %v", err)
	}
	defer res.Body.Close()
	var users []struct{ ID string }
	if err := json.NewDecoder(res.Body).Decode(&users); err != nil || res.StatusCode != 200 {
		t.Fatalf("admin users after restart: %d %v", res.StatusCode, err)
	}
	found := map[string]bool{}
	for _, u := range users {
		found[u.ID] = true
	}
	missing := 0
	for _, id := range ackedIDs {
		if !found[id] {
			missing++
		}
	}
	t.Logf("%s: %d creates acknowledged (201) before kill -9, %d found after restart (%d stored in all, %d missing)",
		t.Name(), len(ackedIDs), len(ackedIDs)-missing, len(users), missing)
	if missing > 0 {
		t.Errorf("%d acknowledged users are missing after kill -9 and restart", missing)
	}
}

// startBinary starts bin serve on a free loopback port over db, waits for
// /healthz and returns the process, its origin and its output so far. The
// process is killed at cleanup if still running.
func startBinary(t *testing.T, bin, db string) (*exec.Cmd, string, func() string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	var buf lockedbuf.Buffer
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", db, "--admin-token", crashAdminToken)
	cmd.Stdout = &buf
	cmd.Stderr = io.Discard
	cmd.Env = append(os.Environ(), "XAKIA_ADMIN_TOKEN=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	origin := "http://" + addr
	client := &http.Client{Timeout: 2 * time.Second}
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if res, err := client.Get(origin + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 && strings.Contains(buf.String(), "listening on") {
				break
			}
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("the server did not become healthy in 30 s; output:\n%s", buf.String())
		}
	}
	return cmd, origin, buf.String
}
