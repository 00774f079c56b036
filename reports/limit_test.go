package reports

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLimitBody: a body of exactly the limit is read whole; one byte more
// ends with a *BodyTooLargeError after the limit, which the recorder keeps
// as a truncated copy with the error.
func TestLimitBody(t *testing.T) {
	const limit = MaxBodyKept + 10
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		_, _ = w.Write(bytes.Repeat([]byte("a"), n))
	}))
	defer srv.Close()
	rec := NewRecorder(LimitBody(nil, limit))
	hc := &http.Client{Transport: rec, CheckRedirect: RefuseRedirect}

	get := func(n int) ([]byte, error) {
		res, err := hc.Get(srv.URL + "/x?n=" + strconv.Itoa(n))
		require.NoError(t, err)
		defer res.Body.Close()
		return io.ReadAll(res.Body)
	}
	if b, err := get(limit); err != nil || len(b) != limit {
		t.Fatalf("a body of exactly the limit: %d bytes, %v", len(b), err)
	}
	b, err := get(limit + 1)
	var big *BodyTooLargeError
	if !errors.As(err, &big) || !errors.Is(err, ErrBodyTooLarge) || len(b) != limit {
		t.Fatalf("one byte over: %d bytes, %v", len(b), err)
	}
	want := "response body exceeds " + strconv.Itoa(limit) + " bytes: GET " + srv.URL + "/x answered 200 with more than " + strconv.Itoa(limit) + " bytes"
	assert.Equal(t, want, big.Error(), "message")
	ex := rec.Exchanges()
	last := ex[len(ex)-1]
	if !last.ResponseBodyTruncated || len(last.ResponseBody) != MaxBodyKept || !strings.Contains(last.Err, "exceeds") {
		t.Errorf("the record keeps %d bytes, truncated %v, error %q", len(last.ResponseBody), last.ResponseBodyTruncated, last.Err)
	}
	if SizeWords(8<<20) != "8 MiB" {
		t.Errorf("SizeWords(8 MiB) = %q", SizeWords(8<<20))
	}
}
