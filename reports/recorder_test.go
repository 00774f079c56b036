package reports

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seen is what the test server received.
type seen struct {
	body          []byte
	header        http.Header
	contentLength int64
	url           string
}

// echoServer answers every request with a JSON body naming what it received
// and keeps what it saw for the test to inspect.
func echoServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, body []byte)) (*httptest.Server, func() []seen) {
	t.Helper()
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, seen{body: b, header: r.Header.Clone(), contentLength: r.ContentLength, url: r.URL.String()})
		mu.Unlock()
		answer(w, r, b)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seen {
		mu.Lock()
		defer mu.Unlock()
		return append([]seen(nil), got...)
	}
}

// onlyReader hides every method but Read, so http.NewRequest sets no GetBody
// and no ContentLength.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestRecorderRestoresBodies(t *testing.T) {
	const reqBody = `{"userName":"ada@example.com","active":true}`
	const respBody = `{"id":"u-1","userName":"ada@example.com"}`
	srv, received := echoServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, respBody)
	})
	tests := []struct {
		name       string
		body       func() io.Reader
		wantLength int64 // Content-Length the server must see (-1: chunked)
	}{
		{"bytes reader with GetBody", func() io.Reader { return strings.NewReader(reqBody) }, int64(len(reqBody))},
		{"plain reader without GetBody", func() io.Reader { return onlyReader{strings.NewReader(reqBody)} }, -1},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := NewRecorder(nil)
			client := &http.Client{Transport: rec}
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/scim/v2/loc/Users", tc.body())
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
			resp, err := client.Do(req)
			require.NoError(t, err)
			got, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			require.NoError(t, err)
			if string(got) != respBody {
				t.Errorf("caller read %q, want %q", got, respBody)
			}
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("caller status %d, want 201", resp.StatusCode)
			}
			server := received()
			if len(server) != i+1 {
				t.Fatalf("server saw %d requests, want %d", len(server), i+1)
			}
			last := server[i]
			if string(last.body) != reqBody {
				t.Errorf("server read %q, want %q", last.body, reqBody)
			}
			assert.Equal(t, tc.wantLength, last.contentLength, "server Content-Length")
			ex := rec.Exchanges()
			require.Len(t, ex, 1, "recorded %d exchanges, want 1", len(ex))
			e := ex[0]
			if e.Method != http.MethodPost || e.URL != srv.URL+"/scim/v2/loc/Users" || e.Status != http.StatusCreated {
				t.Errorf("recorded %s %s → %d", e.Method, e.URL, e.Status)
			}
			if string(e.RequestBody) != reqBody || e.RequestBodySize != int64(len(reqBody)) {
				t.Errorf("recorded request body %q (size %d)", e.RequestBody, e.RequestBodySize)
			}
			if string(e.ResponseBody) != respBody || e.ResponseBodySize != int64(len(respBody)) {
				t.Errorf("recorded response body %q (size %d)", e.ResponseBody, e.ResponseBodySize)
			}
			if e.ResponseHeaders.Get("Content-Type") != "application/scim+json" {
				t.Errorf("recorded response headers %v", e.ResponseHeaders)
			}
			if e.RequestHeaders.Get("Content-Type") != "application/scim+json; charset=utf-8" {
				t.Errorf("recorded request headers %v", e.RequestHeaders)
			}
			if e.Started.IsZero() || e.Duration <= 0 || e.Err != "" || e.Proto != "HTTP/1.1" {
				t.Errorf("recorded started %v duration %v err %q proto %q", e.Started, e.Duration, e.Err, e.Proto)
			}
		})
	}
}

func TestRecorderRedactsHeaders(t *testing.T) {
	srv, received := echoServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Add("Set-Cookie", "session=s3cr3t-session; Path=/; HttpOnly")
		w.Header().Set("X-Trace", "t-1")
		w.WriteHeader(http.StatusOK)
	})
	tests := []struct {
		header, sent, kept string
	}{
		{"Authorization", "Bearer abcdefghijklmnop", "Bearer REDACTED"},
		{"Authorization", "Basic dXNlcjpwYXNz", "Basic REDACTED"},
		{"Authorization", "rawtokenvalue123", "REDACTED"},
		{"Proxy-Authorization", "Basic cHJveHk6cHc=", "Basic REDACTED"},
		{"Cookie", "session=s3cr3t-session; theme=dark", "REDACTED"},
		{"X-Api-Key", "key-1234567890", "REDACTED"},
		{"x-api-key", "key-lowercase-name", "REDACTED"},
	}
	for i, tc := range tests {
		t.Run(tc.header+" "+tc.kept, func(t *testing.T) {
			rec := NewRecorder(http.DefaultTransport)
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/Users", nil)
			require.NoError(t, err)
			req.Header[tc.header] = []string{tc.sent} // raw, to test non-canonical names too
			resp, err := (&http.Client{Transport: rec}).Do(req)
			require.NoError(t, err)
			_ = resp.Body.Close()
			if got := received()[i].header.Get(tc.header); got != tc.sent {
				t.Errorf("server got %s %q, want the original %q", tc.header, got, tc.sent)
			}
			if got := resp.Header.Get("Set-Cookie"); !strings.Contains(got, "s3cr3t-session") {
				t.Errorf("caller got Set-Cookie %q, want the original", got)
			}
			if got := req.Header[tc.header]; len(got) != 1 || got[0] != tc.sent {
				t.Errorf("caller's request header changed to %q", got)
			}
			e := rec.Exchanges()[0]
			if got := e.RequestHeaders[tc.header]; len(got) != 1 || got[0] != tc.kept {
				t.Errorf("kept %s %q, want %q", tc.header, got, tc.kept)
			}
			if got := e.ResponseHeaders.Get("Set-Cookie"); got != Redacted {
				t.Errorf("kept Set-Cookie %q, want %q", got, Redacted)
			}
			if got := e.ResponseHeaders.Get("X-Trace"); got != "t-1" {
				t.Errorf("kept X-Trace %q, harmless headers must stay", got)
			}
		})
	}
}

func TestRecorderRedactsSecrets(t *testing.T) {
	const key = "k3y/With+Special&Chars=="
	const later = "learnt-later-0123456789"
	srv, received := echoServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo-Key", key)
		// The admin API answers a new key in a body, before anyone registered it.
		fmt.Fprintf(w, `{"echo":"%s","apiKey":"fresh-key-value","url":"%s","next":"%s"}`, key, r.URL.String(), later)
	})
	rec := NewRecorder(nil, key, "abc") // "abc" is too short to be a secret
	client := &http.Client{Transport: rec}
	target := srv.URL + "/scim/v2/" + strings.ReplaceAll(key, "/", "%2F") + "/Users?token=" + url.QueryEscape(key) + "&abc=1"
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(`{"password":"hunter2hunter2","note":"`+key+`"}`))
	require.NoError(t, err)
	req.Header.Set("X-Custom-Auth", "Token "+key)
	resp, err := client.Do(req)
	require.NoError(t, err)
	callerBody, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !strings.Contains(string(callerBody), "fresh-key-value") || !strings.Contains(resp.Header.Get("X-Echo-Key"), key) {
		t.Errorf("caller must receive the response unchanged, got %s", callerBody)
	}
	if got := received()[0]; !strings.Contains(string(got.body), key) || !strings.Contains(string(got.body), "hunter2hunter2") {
		t.Errorf("server must receive the secret unchanged, got %s", got.body)
	}

	e := rec.Exchanges()[0]
	all := dump(e)
	for _, leak := range []string{key, "k3y%2FWith", "k3y/With", "hunter2hunter2", "fresh-key-value", "With+Special", "With%2BSpecial"} {
		assert.NotContains(t, all, leak, "kept exchange contains %q:\n%s", leak, all)
	}
	for _, want := range []string{"Token REDACTED", `"apiKey":"REDACTED"`, `"password":"REDACTED"`, "abc=1"} {
		assert.Contains(t, all, want, "kept exchange lacks %q:\n%s", want, all)
	}
	require.Contains(t, all, later, "test premise: %q must be in the kept response before AddSecret", later)
	rec.AddSecret(later)
	rec.AddSecret("xy") // ignored
	if all := dump(rec.Exchanges()[0]); strings.Contains(all, later) {
		t.Errorf("AddSecret must redact exchanges already kept:\n%s", all)
	}
}

// dump renders every kept part of an exchange as one string.
func dump(e Exchange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %d %s\n", e.Method, e.URL, e.Status, e.Err)
	for _, h := range []http.Header{e.RequestHeaders, e.ResponseHeaders} {
		for k, vs := range h {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(vs, ", "))
		}
	}
	b.Write(e.RequestBody)
	b.WriteString("\n")
	b.Write(e.ResponseBody)
	return b.String()
}

func TestRecorderDecodesCompressedBodies(t *testing.T) {
	const text = `{"Resources":[],"totalResults":0,"itemsPerPage":0,"startIndex":1}`
	compress := map[string]func([]byte) []byte{
		"gzip": func(b []byte) []byte {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			_, _ = zw.Write(b)
			_ = zw.Close()
			return buf.Bytes()
		},
		"deflate": func(b []byte) []byte {
			var buf bytes.Buffer
			zw := zlib.NewWriter(&buf)
			_, _ = zw.Write(b)
			_ = zw.Close()
			return buf.Bytes()
		},
	}
	for enc, fn := range compress {
		t.Run(enc, func(t *testing.T) {
			wire := fn([]byte(text))
			srv, _ := echoServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
				w.Header().Set("Content-Encoding", enc)
				w.Header().Set("Content-Type", "application/scim+json")
				_, _ = w.Write(wire)
			})
			rec := NewRecorder(nil)
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/Users", nil)
			require.NoError(t, err)
			req.Header.Set("Accept-Encoding", enc) // explicit: Go then leaves the body encoded
			resp, err := (&http.Client{Transport: rec}).Do(req)
			require.NoError(t, err)
			got, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if !bytes.Equal(got, wire) {
				t.Errorf("caller got %d bytes, want the %d original encoded bytes", len(got), len(wire))
			}
			e := rec.Exchanges()[0]
			if string(e.ResponseBody) != text {
				t.Errorf("kept body %q, want decoded %q", e.ResponseBody, text)
			}
			if e.ResponseDecoded != enc || e.ResponseBodySize != int64(len(wire)) {
				t.Errorf("kept decoded=%q size=%d, want %q %d", e.ResponseDecoded, e.ResponseBodySize, enc, len(wire))
			}
		})
	}
}

// failingTransport fails every request with an error naming the URL.
type failingTransport struct{}

func (failingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return nil, fmt.Errorf("dial %s: connection refused", req.URL)
}

func TestRecorderRecordsTransportErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	tests := []struct {
		name    string
		next    http.RoundTripper
		url     string
		wantErr string
	}{
		{"closed port", nil, closedURL + "/Users", "connect"},
		{"transport error naming a secret", failingTransport{}, "http://127.0.0.1:1/Users?key=supersecretkey", "key=REDACTED"},
		{"password in the URL", failingTransport{}, "http://okta:pa55word@127.0.0.1:1/Users", "okta:REDACTED@127.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := NewRecorder(tc.next, "supersecretkey")
			req, err := http.NewRequest(http.MethodPost, tc.url, strings.NewReader(`{"a":1}`))
			require.NoError(t, err)
			resp, err := (&http.Client{Transport: rec}).Do(req)
			if err == nil {
				_ = resp.Body.Close()
				t.Fatal("want a transport error")
			}
			ex := rec.Exchanges()
			require.Len(t, ex, 1, "recorded %d exchanges, want 1", len(ex))
			e := ex[0]
			assert.NotContains(t, e.URL, "pa55word", "recorded URL %q keeps the password", e.URL)
			if e.Status != 0 || !strings.Contains(e.Err, tc.wantErr) || strings.Contains(e.Err, "supersecretkey") {
				t.Errorf("recorded status %d err %q, want 0 and an error containing %q without the secret", e.Status, e.Err, tc.wantErr)
			}
			if string(e.RequestBody) != `{"a":1}` {
				t.Errorf("recorded request body %q", e.RequestBody)
			}
		})
	}
}

func TestRecorderKeepsBodyReadErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/plain\r\n\r\nonly-part")
		_ = buf.Flush()
	}))
	defer srv.Close()
	rec := NewRecorder(nil)
	resp, err := (&http.Client{Transport: rec}).Get(srv.URL)
	require.NoError(t, err)
	got, readErr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if string(got) != "only-part" || readErr == nil {
		t.Errorf("caller got %q, %v; want the partial bytes then the read error", got, readErr)
	}
	e := rec.Exchanges()[0]
	if e.Status != 200 || !strings.Contains(e.Err, "reading response body") || string(e.ResponseBody) != "only-part" {
		t.Errorf("recorded %d %q %q", e.Status, e.Err, e.ResponseBody)
	}
}

func TestRecorderTruncatesKeptBodies(t *testing.T) {
	big := bytes.Repeat([]byte("a"), MaxBodyKept+100)
	copy(big[MaxBodyKept-3:], "topsecretvalue") // a secret straddling the cut
	srv, received := echoServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		_, _ = w.Write(body)
	})
	rec := NewRecorder(nil, "topsecretvalue")
	resp, err := (&http.Client{Transport: rec}).Post(srv.URL, "text/plain", bytes.NewReader(big))
	require.NoError(t, err)
	got, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !bytes.Equal(got, big) || !bytes.Equal(received()[0].body, big) {
		t.Fatalf("the wire must carry every byte: caller %d, server %d, want %d", len(got), len(received()[0].body), len(big))
	}
	e := rec.Exchanges()[0]
	for name, kept := range map[string][]byte{"request": e.RequestBody, "response": e.ResponseBody} {
		assert.Len(t, kept, MaxBodyKept, "%s body kept %d bytes, want %d", name, len(kept), MaxBodyKept)
		if bytes.Contains(kept, []byte("top")) {
			t.Errorf("%s body keeps the start of a secret cut at the boundary", name)
		}
	}
	if !e.RequestBodyTruncated || !e.ResponseBodyTruncated || e.RequestBodySize != int64(len(big)) || e.ResponseBodySize != int64(len(big)) {
		t.Errorf("truncation flags %v %v sizes %d %d", e.RequestBodyTruncated, e.ResponseBodyTruncated, e.RequestBodySize, e.ResponseBodySize)
	}
}

func TestRecorderTakeAndCopies(t *testing.T) {
	srv, _ := echoServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		_, _ = io.WriteString(w, "ok")
	})
	rec := NewRecorder(nil)
	client := &http.Client{Transport: rec}
	for _, path := range []string{"/a", "/b"} {
		resp, err := client.Get(srv.URL + path)
		require.NoError(t, err)
		_ = resp.Body.Close()
	}
	ex := rec.Exchanges()
	ex[0].ResponseBody[0] = 'X'
	ex[0].ResponseHeaders.Set("Content-Type", "changed")
	again := rec.Exchanges()
	if string(again[0].ResponseBody) != "ok" || again[0].ResponseHeaders.Get("Content-Type") == "changed" {
		t.Error("Exchanges must return copies")
	}
	took := rec.Take()
	if len(took) != 2 || !strings.HasSuffix(took[0].URL, "/a") || !strings.HasSuffix(took[1].URL, "/b") {
		t.Fatalf("Take returned %d exchanges, want /a then /b", len(took))
	}
	if n := len(rec.Take()); n != 0 {
		t.Errorf("second Take returned %d exchanges, want 0", n)
	}
	if n := len(rec.Exchanges()); n != 0 {
		t.Errorf("Exchanges after Take returned %d, want 0", n)
	}
}

func TestRecorderConcurrent(t *testing.T) {
	srv, received := echoServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		_, _ = w.Write(body)
	})
	rec := NewRecorder(nil, "secret-0000")
	client := &http.Client{Transport: rec, Timeout: 30 * time.Second}
	const workers, perWorker = 8, 10
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	taken := make(chan int, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				secret := fmt.Sprintf("secret-%d%03d", w, i)
				rec.AddSecret(secret)
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(secret))
				if err != nil {
					errs <- err
					return
				}
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				b, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if string(b) != secret {
					errs <- fmt.Errorf("caller got %q, want %q", b, secret)
				}
				_ = rec.Exchanges()
			}
			if w == 0 {
				taken <- len(rec.Take())
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(taken)
	for err := range errs {
		t.Error(err)
	}
	total := len(rec.Exchanges())
	for n := range taken {
		total += n
	}
	if total != workers*perWorker || len(received()) != workers*perWorker {
		t.Errorf("recorded %d exchanges, server saw %d, want %d", total, len(received()), workers*perWorker)
	}
	for _, e := range rec.Exchanges() {
		assert.NotContains(t, string(e.RequestBody)+string(e.ResponseBody), "secret-", "a secret survived: %q / %q", e.RequestBody, e.ResponseBody)
	}
}

func TestRedactHeaderValue(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"Authorization", "Bearer x", "Bearer REDACTED"},
		{"Authorization", "SSWS 00abc", "SSWS REDACTED"},
		{"Authorization", "Bearer ", "REDACTED"},
		{"Authorization", "", "REDACTED"},
		{"Authorization", "a=b c", "REDACTED"},
		{"Cookie", "Bearer x", "REDACTED"},
	}
	for _, tc := range tests {
		if got := redactHeaderValue(tc.name, tc.value); got != tc.want {
			t.Errorf("redactHeaderValue(%q, %q) = %q, want %q", tc.name, tc.value, got, tc.want)
		}
	}
}

func TestNilTransportErrorIsReported(t *testing.T) {
	rec := NewRecorder(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, nil }))
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/x", nil)
	req.RequestURI = ""
	_, err := rec.RoundTrip(req)
	if err == nil || rec.Exchanges()[0].Err == "" {
		t.Errorf("a transport returning neither response nor error must be reported, got %v", err)
	}
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRedactURL(t *testing.T) {
	red := newRedactor([]string{"k3y/With+Special&Chars=="})
	tests := []struct{ in, want string }{
		{"http://h/scim/v2/k3y%2FWith+Special&Chars==/Users", "http://h/scim/v2/REDACTED/Users"},
		{"http://h/Users?token=k3y%2FWith%2BSpecial%26Chars%3D%3D&count=2", "http://h/Users?token=REDACTED&count=2"},
		{"http://h/Users?token=k3y/With%2BSpecial%26Chars%3D%3D&count=2", "http://h/Users?token=REDACTED&count=2"},
		{"http://h/Users?token=k3y%2fWith%2bSpecial%26Chars%3d%3d", "http://h/Users?token=REDACTED"},
		{"http://h/Users?filter=userName+eq+%22a%40b%22&startIndex=1", "http://h/Users?filter=userName+eq+%22a%40b%22&startIndex=1"},
	}
	for _, tc := range tests {
		if got := red.url(tc.in); got != tc.want {
			t.Errorf("url(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
