package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xakia-okta/scimtest/internal/lockedbuf"
)

// TestServeCommand: `mockokta serve` takes its database and token from the
// environment, prints the four start-up lines and exits 0 when stopped.
func TestServeCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "org.db")
	vars := map[string]string{"MOCKOKTA_DB": db, "MOCKOKTA_API_TOKEN": "00cli-test-token-0123456789"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedbuf.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, &stdout, &stderr, env{getenv: func(k string) string { return vars[k] }})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; i < 400 && !strings.Contains(stdout.String(), "OIDC issuer:") && time.Now().Before(deadline); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	out := stdout.String()
	require.Contains(t, out, "OIDC issuer: http://127.0.0.1:", stderr.String())
	assert.Contains(t, out, "Admin sign-in: admin@mockokta.local / ")
	assert.Contains(t, out, "API token (SSWS): 00cli-test-token-0123456789\n")
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
	assert.NotContains(t, stderr.String(), "00cli-test-token", "the token is never logged")
	_, err := os.Stat(db)
	assert.NoError(t, err, "MOCKOKTA_DB chose the database")

	code, _, errOut := runCLI(t, nil, "serve", "--addr", "127.0.0.1:0", "--public-url", "ftp://nope")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--public-url")
}
