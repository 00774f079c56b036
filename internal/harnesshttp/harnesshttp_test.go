package harnesshttp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/reports"
)

func TestNewRefusesRedirectsCapsBodiesAndNeverRetries(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 2048)))
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	var recorded atomic.Int32
	c := New(Options{MaxBody: 1024, Record: func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			recorded.Add(1)
			return next.RoundTrip(r)
		})
	}})

	res, err := c.R().SetContext(context.Background()).Get(srv.URL + "/redirect")
	require.NoError(t, err)
	assert.Equal(t, http.StatusFound, res.StatusCode(), "a 3xx is answered as it is")
	assert.Equal(t, "/elsewhere", res.Header().Get("Location"))

	_, err = c.R().Get(srv.URL + "/big")
	var big *reports.BodyTooLargeError
	require.ErrorAs(t, err, &big, "a body over MaxBody fails the request")
	assert.Equal(t, int64(1024), big.Limit)

	res, err = c.R().Get(srv.URL + "/unavailable")
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode())

	assert.Equal(t, int32(3), hits.Load(), "one request each: no redirect followed, no retry")
	assert.Equal(t, int32(3), recorded.Load(), "every request goes through the recording transport")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
