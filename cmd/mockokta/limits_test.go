package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestConformLimitFlags checks that --max-duration and --max-body reach the
// suite.
func TestConformLimitFlags(t *testing.T) {
	var got conformRequest
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--max-body", "1MiB", "conform", "--max-duration", "90s"}, &stdout, &stderr, env{
		getenv:  func(string) string { return "" },
		conform: func(_ context.Context, r conformRequest) int { got = r; return 0 },
	})
	if code != 0 || got.MaxDuration != 90*time.Second || got.MaxBody != "1MiB" {
		t.Errorf("exit %d, request %+v", code, got)
	}
}

// TestConformBadMaxBody: a size that does not parse is a configuration
// error before anything runs.
func TestConformBadMaxBody(t *testing.T) {
	var stdout, errb bytes.Buffer
	getenv := func(string) string { return "" }
	code := run(context.Background(), []string{"--max-body", "lots", "conform", "--reports", t.TempDir()}, &stdout, &errb, env{getenv: getenv, conform: runConform(getenv)})
	stderr := errb.String()
	if code != exitUsage || !strings.Contains(stderr, "SCIM_MAX_BODY") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// TestLifecycleBodyCapAndRedirects runs the lifecycle against a target
// whose every answer is larger than --max-body, then one that redirects:
// the run fails cleanly and never follows the redirect.
func TestLifecycleBodyCapAndRedirects(t *testing.T) {
	var followed atomic.Int64
	catcher := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
	defer catcher.Close()
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.Header().Set("Content-Length", strconv.Itoa(64<<20))
		chunk := bytes.Repeat([]byte(" "), 64<<10)
		for range 1024 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer huge.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, catcher.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	for _, tc := range []struct{ name, url, want string }{
		{"huge", huge.URL, "response body exceeds 1 MiB"},
		{"redirect", redirect.URL, "307"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"--base-url", tc.url + "/scim/v2/a", "--api-key", "secret-key-12345", "--max-body", "1MiB", "--state", t.TempDir() + "/s.json", "lifecycle"}, &stdout, &stderr, env{getenv: func(string) string { return "" }})
			out := stdout.String() + stderr.String()
			if code == exitOK || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, output should say %q:\n%s", code, tc.want, out)
			}
		})
	}
	if n := followed.Load(); n > 0 {
		t.Errorf("the catcher got %d requests: a redirect was followed", n)
	}
}

// TestLifecycleInterrupted: a lifecycle cut short by a signal says
// INTERRUPTED and exits 130.
func TestLifecycleInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"--embedded", "lifecycle"}, &stdout, &stderr, env{getenv: func(string) string { return "" }})
	if code != exitInterrupted || !strings.Contains(stderr.String(), "VERDICT: INTERRUPTED") {
		t.Errorf("exit %d:\n%s\n%s", code, stdout.String(), stderr.String())
	}
}
