package mockokta

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/internal/barescim"
)

func TestLoadForgetKeepsNoUsers(t *testing.T) {
	srv := httptest.NewServer(&barescim.Handler{})
	t.Cleanup(srv.Close)
	for _, forget := range []bool{false, true} {
		o, err := New(App{BaseURL: srv.URL + "/scim/v2/bare", Credential: "k"}, nil, Options{NoRecord: true})
		require.NoError(t, err)
		rep := o.Load(context.Background(), LoadOptions{Users: 25, Concurrency: 4, Forget: forget})
		require.Equal(t, 25, rep.Succeeded, "%+v", rep)
		if forget {
			assert.Empty(t, o.Directory().Users(), "Forget drops each user after its task")
			assert.Empty(t, o.Links())
		} else {
			assert.Len(t, o.Directory().Users(), 25)
			assert.Len(t, o.Links(), 25)
		}
		o.Close()
	}
}

func TestLoadReportsPerMethodAndHistogram(t *testing.T) {
	srv := httptest.NewServer(&barescim.Handler{})
	t.Cleanup(srv.Close)
	o, err := New(App{BaseURL: srv.URL + "/scim/v2/bare", Credential: "k"}, nil, Options{NoRecord: true})
	require.NoError(t, err)
	defer o.Close()
	rep := o.Load(context.Background(), LoadOptions{Users: 30, Concurrency: 3})
	require.Equal(t, 30, rep.Succeeded)
	assert.Equal(t, 60, rep.Requests)
	assert.Equal(t, 30, rep.ByMethod["GET"].Requests)
	assert.Equal(t, 30, rep.ByMethod["POST"].Requests)
	require.NotNil(t, rep.Latency)
	assert.Equal(t, 60, rep.Latency.Count())
	sum := 0
	for _, b := range rep.LatencyBins {
		sum += b.Count
	}
	assert.Equal(t, 60, sum, "the bins hold every request")
	assert.LessOrEqual(t, rep.P50, rep.P99)
	assert.LessOrEqual(t, rep.P99, rep.Max)
	assert.Equal(t, rep.Max, rep.Latency.Max())
}
