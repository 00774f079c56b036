package reports

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// harTime is the startedDateTime format HAR 1.2 asks for (ISO 8601 with ms).
var harTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$`)

// validateHAR checks a document against the required fields and types of
// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/).
func validateHAR(doc []byte) error {
	var root map[string]any
	if err := json.Unmarshal(doc, &root); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	log, err := object(root, "log")
	if err != nil {
		return err
	}
	if v, err := str(log, "version"); err != nil || v != "1.2" {
		return fmt.Errorf("log.version = %q, %v; want \"1.2\"", v, err)
	}
	creator, err := object(log, "creator")
	if err != nil {
		return fmt.Errorf("log: %w", err)
	}
	for _, k := range []string{"name", "version"} {
		if _, err := str(creator, k); err != nil {
			return fmt.Errorf("log.creator: %w", err)
		}
	}
	entries, err := array(log, "entries")
	if err != nil {
		return fmt.Errorf("log: %w", err)
	}
	for i, raw := range entries {
		e, ok := raw.(map[string]any)
		if !ok {
			return fmt.Errorf("entries[%d] is not an object", i)
		}
		if err := validateEntry(e); err != nil {
			return fmt.Errorf("entries[%d]: %w", i, err)
		}
	}
	return nil
}

func validateEntry(e map[string]any) error {
	started, err := str(e, "startedDateTime")
	if err != nil {
		return err
	}
	if !harTime.MatchString(started) {
		return fmt.Errorf("startedDateTime %q is not ISO 8601 with milliseconds", started)
	}
	total, err := num(e, "time")
	if err != nil || total < 0 {
		return fmt.Errorf("time %v, %v", total, err)
	}
	if _, err := object(e, "cache"); err != nil {
		return err
	}
	timings, err := object(e, "timings")
	if err != nil {
		return err
	}
	sum := 0.0
	for _, k := range []string{"send", "wait", "receive"} {
		v, err := num(timings, k)
		if err != nil || v < 0 {
			return fmt.Errorf("timings.%s = %v, %v", k, v, err)
		}
		sum += v
	}
	if math.Abs(sum-total) > 0.001 {
		return fmt.Errorf("time %v is not the sum of timings %v", total, sum)
	}

	req, err := object(e, "request")
	if err != nil {
		return err
	}
	for _, k := range []string{"method", "url", "httpVersion"} {
		if _, err := str(req, k); err != nil {
			return fmt.Errorf("request: %w", err)
		}
	}
	if u, _ := str(req, "url"); !isAbsURL(u) {
		return fmt.Errorf("request.url %q is not absolute", u)
	}
	for _, k := range []string{"cookies", "headers", "queryString"} {
		if err := nameValues(req, k); err != nil {
			return fmt.Errorf("request: %w", err)
		}
	}
	for _, k := range []string{"headersSize", "bodySize"} {
		if _, err := num(req, k); err != nil {
			return fmt.Errorf("request: %w", err)
		}
	}
	if _, has := req["postData"]; has {
		pd, err := object(req, "postData")
		if err != nil {
			return fmt.Errorf("request: %w", err)
		}
		if _, err := str(pd, "mimeType"); err != nil {
			return fmt.Errorf("request.postData: %w", err)
		}
		if _, err := str(pd, "text"); err != nil {
			return fmt.Errorf("request.postData: %w", err)
		}
	}

	resp, err := object(e, "response")
	if err != nil {
		return err
	}
	if _, err := num(resp, "status"); err != nil {
		return fmt.Errorf("response: %w", err)
	}
	for _, k := range []string{"statusText", "httpVersion", "redirectURL"} {
		if _, err := str(resp, k); err != nil {
			return fmt.Errorf("response: %w", err)
		}
	}
	for _, k := range []string{"cookies", "headers"} {
		if err := nameValues(resp, k); err != nil {
			return fmt.Errorf("response: %w", err)
		}
	}
	for _, k := range []string{"headersSize", "bodySize"} {
		if _, err := num(resp, k); err != nil {
			return fmt.Errorf("response: %w", err)
		}
	}
	content, err := object(resp, "content")
	if err != nil {
		return fmt.Errorf("response: %w", err)
	}
	if _, err := num(content, "size"); err != nil {
		return fmt.Errorf("response.content: %w", err)
	}
	if _, err := str(content, "mimeType"); err != nil {
		return fmt.Errorf("response.content: %w", err)
	}
	if _, has := content["text"]; has {
		if _, err := str(content, "text"); err != nil {
			return fmt.Errorf("response.content: %w", err)
		}
	}
	return nil
}

func isAbsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && u.Host != ""
}

func object(m map[string]any, k string) (map[string]any, error) {
	v, ok := m[k].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: missing or not an object", k)
	}
	return v, nil
}

func array(m map[string]any, k string) ([]any, error) {
	v, ok := m[k].([]any)
	if !ok {
		return nil, fmt.Errorf("%s: missing or not an array", k)
	}
	return v, nil
}

func str(m map[string]any, k string) (string, error) {
	v, ok := m[k].(string)
	if !ok {
		return "", fmt.Errorf("%s: missing or not a string", k)
	}
	return v, nil
}

func num(m map[string]any, k string) (float64, error) {
	v, ok := m[k].(float64)
	if !ok {
		return 0, fmt.Errorf("%s: missing or not a number", k)
	}
	return v, nil
}

func nameValues(m map[string]any, k string) error {
	list, err := array(m, k)
	if err != nil {
		return err
	}
	for i, raw := range list {
		nv, ok := raw.(map[string]any)
		if !ok {
			return fmt.Errorf("%s[%d] is not an object", k, i)
		}
		if _, err := str(nv, "name"); err != nil {
			return fmt.Errorf("%s[%d]: %w", k, i, err)
		}
		if _, err := str(nv, "value"); err != nil {
			return fmt.Errorf("%s[%d]: %w", k, i, err)
		}
	}
	return nil
}

func TestValidateHARRejectsBrokenDocuments(t *testing.T) {
	good := `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"startedDateTime":"2026-01-02T03:04:05.006Z","time":1,"request":{"method":"GET","url":"http://127.0.0.1/","httpVersion":"HTTP/1.1","cookies":[],"headers":[],"queryString":[],"headersSize":-1,"bodySize":0},"response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","cookies":[],"headers":[],"content":{"size":0,"mimeType":"x"},"redirectURL":"","headersSize":-1,"bodySize":0},"cache":{},"timings":{"send":0,"wait":1,"receive":0}}]}}`
	if err := validateHAR([]byte(good)); err != nil {
		t.Fatalf("the validator rejects a valid document: %v", err)
	}
	broken := map[string]string{
		"no cache":          strings.Replace(good, `"cache":{},`, ``, 1),
		"version 1.1":       strings.Replace(good, `"version":"1.2"`, `"version":"1.1"`, 1),
		"time without ms":   strings.Replace(good, `05.006Z`, `05Z`, 1),
		"no cookies":        strings.Replace(good, `"cookies":[],"headers":[],"queryString"`, `"headers":[],"queryString"`, 1),
		"status as string":  strings.Replace(good, `"status":200`, `"status":"200"`, 1),
		"timings off":       strings.Replace(good, `"wait":1`, `"wait":2`, 1),
		"relative url":      strings.Replace(good, `"url":"http://127.0.0.1/"`, `"url":"/x"`, 1),
		"no content type":   strings.Replace(good, `"mimeType":"x"`, `"type":"x"`, 1),
		"header value null": strings.Replace(good, `"headers":[],"content"`, `"headers":[{"name":"a","value":null}],"content"`, 1),
	}
	for name, doc := range broken {
		if doc == good {
			t.Fatalf("%s: the replacement did not apply", name)
		}
		if err := validateHAR([]byte(doc)); err == nil {
			t.Errorf("%s: the validator accepts a broken document", name)
		}
	}
}

func TestWriteHAR(t *testing.T) {
	// Record real exchanges, then write them.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gz":
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "application/scim+json")
			zw := gzip.NewWriter(w)
			_, _ = io.WriteString(zw, `{"totalResults":0}`)
			_ = zw.Close()
		case "/bin":
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write([]byte{0xff, 0xfe, 0x00, 0x01})
		default:
			w.Header().Set("Content-Type", "application/scim+json")
			w.Header().Set("Location", "http://127.0.0.1/Users/1")
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"id":"1"}`)
		}
	}))
	defer srv.Close()
	rec := NewRecorder(nil, "the-api-key")
	client := &http.Client{Transport: rec}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/Users?x=1&filter=userName%20eq%20%22a%22", strings.NewReader(`{"userName":"a"}`))
	req.Header.Set("Authorization", "Bearer the-api-key")
	req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	for _, r := range []*http.Request{req, mustGet(t, srv.URL+"/gz", "gzip"), mustGet(t, srv.URL+"/bin", "")} {
		resp, err := client.Do(r)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	recorded := rec.Exchanges()
	failed := Exchange{Started: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC), Duration: 1500 * time.Microsecond, Method: "GET", URL: "http://127.0.0.1:1/Users", Err: "dial tcp 127.0.0.1:1: connection refused"}

	tests := []struct {
		name  string
		ex    []Exchange
		check func(t *testing.T, log map[string]any, entries []map[string]any)
	}{
		{"empty", nil, func(t *testing.T, log map[string]any, entries []map[string]any) {
			assert.Empty(t, entries, "%d entries, want 0", len(entries))
		}},
		{"recorded", recorded, func(t *testing.T, log map[string]any, entries []map[string]any) {
			require.Len(t, entries, 3, "%d entries, want 3", len(entries))
			post := entries[0]
			req := post["request"].(map[string]any)
			if req["method"] != "POST" || req["postData"].(map[string]any)["text"] != `{"userName":"a"}` {
				t.Errorf("request %v", req)
			}
			if req["postData"].(map[string]any)["mimeType"] != "application/scim+json; charset=utf-8" {
				t.Errorf("postData.mimeType %v", req["postData"])
			}
			qs := req["queryString"].([]any)
			if len(qs) != 2 || qs[1].(map[string]any)["value"] != `userName eq "a"` {
				t.Errorf("queryString %v", qs)
			}
			if !hasHeader(req["headers"], "Authorization", "Bearer REDACTED") {
				t.Errorf("request headers %v, want the redacted Authorization", req["headers"])
			}
			resp := post["response"].(map[string]any)
			if resp["status"] != 201.0 || resp["statusText"] != "Created" || resp["content"].(map[string]any)["text"] != `{"id":"1"}` {
				t.Errorf("response %v", resp)
			}
			gz := entries[1]["response"].(map[string]any)["content"].(map[string]any)
			if gz["text"] != `{"totalResults":0}` || gz["size"] != 18.0 {
				t.Errorf("gzip content %v, want decoded text and size", gz)
			}
			bin := entries[2]["response"].(map[string]any)["content"].(map[string]any)
			if bin["encoding"] != "base64" || bin["text"] != base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe, 0, 1}) {
				t.Errorf("binary content %v, want base64", bin)
			}
		}},
		{"transport error", []Exchange{failed}, func(t *testing.T, log map[string]any, entries []map[string]any) {
			e := entries[0]
			if e["startedDateTime"] != "2026-01-02T03:04:05.006Z" || e["time"] != 1.5 {
				t.Errorf("startedDateTime %v time %v", e["startedDateTime"], e["time"])
			}
			if e["response"].(map[string]any)["status"] != 0.0 || !strings.Contains(fmt.Sprint(e["comment"]), "connection refused") {
				t.Errorf("a failed exchange must have status 0 and the error in a comment: %v", e)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, WriteHAR(&buf, "scimtest/1.2.3", tc.ex))
			if err := validateHAR(buf.Bytes()); err != nil {
				t.Fatalf("invalid HAR: %v\n%s", err, buf.String())
			}
			assert.NotContains(t, buf.String(), "the-api-key", "the HAR contains the API key")
			var root struct {
				Log map[string]any `json:"log"`
			}
			require.NoError(t, json.Unmarshal(buf.Bytes(), &root))
			creator := root.Log["creator"].(map[string]any)
			if creator["name"] != "scimtest" || creator["version"] != "1.2.3" {
				t.Errorf("creator %v", creator)
			}
			var entries []map[string]any
			for _, e := range root.Log["entries"].([]any) {
				entries = append(entries, e.(map[string]any))
			}
			tc.check(t, root.Log, entries)
		})
	}
}

func mustGet(t *testing.T, u, acceptEncoding string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	return req
}

func hasHeader(list any, name, value string) bool {
	for _, h := range list.([]any) {
		nv := h.(map[string]any)
		if nv["name"] == name && nv["value"] == value {
			return true
		}
	}
	return false
}

func TestWriteHARFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "trace.har")
	ex := []Exchange{{Started: time.Now(), Method: "GET", URL: "http://127.0.0.1/x", Status: 200}}
	require.NoError(t, WriteHARFile(path, "", ex))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	if err := validateHAR(b); err != nil {
		t.Errorf("invalid HAR file: %v", err)
	}
	assert.Contains(t, string(b), `"name": "scimtest"`, "an empty creator must default to scimtest:\n%s", b)
	// A path under a regular file cannot be created: the error must say so.
	blocker := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))
	err = WriteHARFile(filepath.Join(blocker, "x.har"), "t", ex)
	var pathErr *os.PathError
	if err == nil || !errors.As(err, &pathErr) {
		t.Errorf("WriteHARFile under a file = %v, want a path error", err)
	}
}
