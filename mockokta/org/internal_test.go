package org

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/mockokta"
)

// TestDurableSettings: the database runs in WAL mode with synchronous=FULL
// and foreign keys, so an acknowledged change survives a crash.
func TestDurableSettings(t *testing.T) {
	ctx := context.Background()
	o, err := Open(ctx, Options{Path: filepath.Join(t.TempDir(), "org.db"), NoWorker: true})
	require.NoError(t, err)
	defer func() { _ = o.Close(ctx) }()
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1"} {
		var got string
		require.NoError(t, o.db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got))
		assert.Equal(t, want, got, pragma)
	}
}

// TestCloseRequeuesTheRunningTask: a task cut by Close is back in the queue
// for the next start, its run not counted.
func TestCloseRequeuesTheRunningTask(t *testing.T) {
	ctx := context.Background()
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	defer close(release)
	// A transport that never answers until the request's context ends.
	transport := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		select {
		case entered <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
			return nil, r.Context().Err()
		case <-release:
			return nil, context.Canceled
		}
	})
	path := filepath.Join(t.TempDir(), "org.db")
	o, err := Open(ctx, Options{Path: path, Transport: transport})
	require.NoError(t, err)
	app, err := o.AddXakiaApp(ctx, "Xakia")
	require.NoError(t, err)
	_, err = o.SetConnection(ctx, app.ID, Connection{BaseURL: "http://127.0.0.1:9/scim", Token: "k", Enable: true})
	require.NoError(t, err)
	_, err = o.SetToApp(ctx, app.ID, mockokta.DefaultToApp())
	require.NoError(t, err)
	p, err := o.CreatePerson(ctx, NewPerson{Profile: mockokta.Profile{Login: "a@example.com", Email: "a@example.com", FirstName: "A", LastName: "B"}, Activate: true})
	require.NoError(t, err)
	_, err = o.Assign(ctx, app.ID, p.ID)
	require.NoError(t, err)
	select {
	case <-entered:
	case <-time.After(20 * time.Second):
		t.Fatal("the task never sent its request")
	}
	expired, cancel := context.WithCancel(ctx)
	cancel()
	require.NoError(t, o.Close(expired))

	o2, err := Open(ctx, Options{Path: path, NoWorker: true})
	require.NoError(t, err)
	defer func() { _ = o2.Close(ctx) }()
	tasks, err := o2.Tasks(ctx, TaskQuery{})
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, TaskQueued, tasks[0].State)
	assert.Equal(t, 0, tasks[0].Attempts)
	log, err := o2.Log(ctx, "", 0, 0)
	require.NoError(t, err)
	assert.Empty(t, log, "a cut run is not an outcome")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
