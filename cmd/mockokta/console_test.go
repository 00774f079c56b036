package main

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/mockokta/serve"
)

// TestServeMountsTheConsole: `mockokta serve` serves the admin console at
// "/" next to the Management API.
func TestServeMountsTheConsole(t *testing.T) {
	inst, err := serve.Start(context.Background(), serve.Config{Mounts: serveMounts()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = inst.Close() })
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(inst.URL + "/login")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `id="okta-signin-submit"`)
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")

	// The Management API still answers under /api/v1 (here: no token).
	resp, err = client.Get(inst.URL + "/api/v1/users")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
