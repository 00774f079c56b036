package reports

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// harTimeLayout is RFC 3339 with milliseconds, as HAR 1.2 examples use.
const harTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// The HAR 1.2 document (http://www.softwareishard.com/blog/har-12-spec/).
// Field order follows the specification so files diff and read well.
type (
	harFile struct {
		Log harLog `json:"log"`
	}
	harLog struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Pages   []harPage  `json:"pages,omitempty"`
		Entries []harEntry `json:"entries"`
	}
	harPage struct {
		StartedDateTime string         `json:"startedDateTime"`
		ID              string         `json:"id"`
		Title           string         `json:"title"`
		PageTimings     harPageTimings `json:"pageTimings"`
	}
	harPageTimings struct {
		OnContentLoad int `json:"onContentLoad"`
		OnLoad        int `json:"onLoad"`
	}
	harCreator struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	harEntry struct {
		Pageref         string      `json:"pageref,omitempty"`
		StartedDateTime string      `json:"startedDateTime"`
		Time            float64     `json:"time"`
		Request         harRequest  `json:"request"`
		Response        harResponse `json:"response"`
		Cache           struct{}    `json:"cache"`
		Timings         harTimings  `json:"timings"`
		Comment         string      `json:"comment,omitempty"`
		Error           string      `json:"_error,omitempty"` // custom field: transport error
	}
	harRequest struct {
		Method      string       `json:"method"`
		URL         string       `json:"url"`
		HTTPVersion string       `json:"httpVersion"`
		Cookies     []harNV      `json:"cookies"`
		Headers     []harNV      `json:"headers"`
		QueryString []harNV      `json:"queryString"`
		PostData    *harPostData `json:"postData,omitempty"`
		HeadersSize int          `json:"headersSize"`
		BodySize    int64        `json:"bodySize"`
		Comment     string       `json:"comment,omitempty"`
	}
	harPostData struct {
		MimeType string  `json:"mimeType"`
		Params   []harNV `json:"params"`
		Text     string  `json:"text"`
		Comment  string  `json:"comment,omitempty"`
	}
	harResponse struct {
		Status      int        `json:"status"`
		StatusText  string     `json:"statusText"`
		HTTPVersion string     `json:"httpVersion"`
		Cookies     []harNV    `json:"cookies"`
		Headers     []harNV    `json:"headers"`
		Content     harContent `json:"content"`
		RedirectURL string     `json:"redirectURL"`
		HeadersSize int        `json:"headersSize"`
		BodySize    int64      `json:"bodySize"`
	}
	harContent struct {
		Size        int64  `json:"size"`
		Compression int64  `json:"compression,omitempty"`
		MimeType    string `json:"mimeType"`
		Text        string `json:"text,omitempty"`
		Encoding    string `json:"encoding,omitempty"`
		Comment     string `json:"comment,omitempty"`
	}
	harNV struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	harTimings struct {
		Send    float64 `json:"send"`
		Wait    float64 `json:"wait"`
		Receive float64 `json:"receive"`
	}
)

// WriteHAR writes the exchanges as a HAR 1.2 document. creator names the
// writing tool, optionally with its version after a slash ("mockokta/1.0").
// The exchanges are written as recorded: the Recorder has already redacted
// them.
func WriteHAR(w io.Writer, creator string, ex []Exchange) error {
	doc := newHAR(creator)
	for _, e := range ex {
		doc.Log.Entries = append(doc.Log.Entries, harEntryOf(e))
	}
	return encodeHAR(w, doc)
}

// stepExchanges are the exchanges of one scenario step, a HAR page.
type stepExchanges struct {
	title     string
	exchanges []Exchange
}

// writeStepsHAR writes a HAR with one page per step that made requests, so
// viewers group a scenario's trace by step.
func writeStepsHAR(w io.Writer, creator string, steps []stepExchanges) error {
	doc := newHAR(creator)
	for i, st := range steps {
		if len(st.exchanges) == 0 {
			continue
		}
		id := fmt.Sprintf("step_%d", i+1)
		started := st.exchanges[0].Started
		if started.IsZero() {
			started = time.Unix(0, 0)
		}
		doc.Log.Pages = append(doc.Log.Pages, harPage{
			StartedDateTime: started.Format(harTimeLayout),
			ID:              id,
			Title:           st.title,
			PageTimings:     harPageTimings{OnContentLoad: -1, OnLoad: -1},
		})
		for _, e := range st.exchanges {
			entry := harEntryOf(e)
			entry.Pageref = id
			doc.Log.Entries = append(doc.Log.Entries, entry)
		}
	}
	return encodeHAR(w, doc)
}

// newHAR returns an empty HAR 1.2 document; creator is "name" or
// "name/version".
func newHAR(creator string) harFile {
	name, version, _ := strings.Cut(creator, "/")
	name, version = strings.TrimSpace(name), strings.TrimSpace(version)
	if name == "" {
		name = "scimtest"
	}
	if version == "" {
		version = "devel"
	}
	return harFile{Log: harLog{
		Version: "1.2",
		Creator: harCreator{Name: name, Version: version},
		Entries: []harEntry{},
	}}
}

// encodeHAR writes doc as indented JSON.
func encodeHAR(w io.Writer, doc harFile) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing HAR: %w", err)
	}
	return nil
}

// WriteHARFile writes the exchanges as a HAR 1.2 file at path, creating its
// parent directories.
func WriteHARFile(path, creator string, ex []Exchange) error {
	return writeFile(path, func(w io.Writer) error { return WriteHAR(w, creator, ex) })
}

// writeFile creates path (and its parent directories) and fills it with
// write, buffered; the file is complete when writeFile returns nil.
func writeFile(path string, write func(io.Writer) error) (err error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating directory for %s: %w", path, err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating file: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing %s: %w", path, cerr)
		}
	}()
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// harEntryOf converts one exchange.
func harEntryOf(e Exchange) harEntry {
	ms := millis(e.Duration)
	proto := e.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	started := e.Started
	if started.IsZero() {
		started = time.Unix(0, 0)
	}
	entry := harEntry{
		StartedDateTime: started.Format(harTimeLayout),
		Time:            ms,
		Timings:         harTimings{Send: 0, Wait: ms, Receive: 0},
		Request: harRequest{
			Method:      e.Method,
			URL:         e.URL,
			HTTPVersion: proto,
			Cookies:     []harNV{},
			Headers:     harHeaders(e.RequestHeaders),
			QueryString: harQuery(e.URL),
			HeadersSize: -1,
			BodySize:    bodySize(e.RequestBodySize, e.RequestBody),
		},
		Response: harResponse{
			Status:      e.Status,
			StatusText:  http.StatusText(e.Status),
			HTTPVersion: proto,
			Cookies:     []harNV{},
			Headers:     harHeaders(e.ResponseHeaders),
			RedirectURL: "",
			HeadersSize: -1,
			BodySize:    bodySize(e.ResponseBodySize, e.ResponseBody),
		},
	}
	if e.Status == 0 {
		entry.Response.BodySize = 0
	}
	if loc := e.ResponseHeaders.Get("Location"); e.Status >= 300 && e.Status < 400 && loc != "" {
		entry.Response.RedirectURL = loc
	}
	if e.Err != "" {
		entry.Error = e.Err
		entry.Comment = "error: " + e.Err
	}
	if len(e.RequestBody) > 0 {
		text, _ := bodyText(redactJSONFields(e.RequestBody))
		pd := &harPostData{
			MimeType: headerOr(e.RequestHeaders, "Content-Type", "application/octet-stream"),
			Params:   []harNV{},
			Text:     text,
		}
		if e.RequestBodyTruncated {
			pd.Comment = fmt.Sprintf("truncated to the first %d bytes", MaxBodyKept)
		}
		entry.Request.PostData = pd
	}
	c := harContent{
		Size:     int64(len(e.ResponseBody)),
		MimeType: headerOr(e.ResponseHeaders, "Content-Type", "x-unknown"),
	}
	if e.ResponseDecoded == "" && !e.ResponseBodyTruncated && e.ResponseBodySize > 0 {
		c.Size = e.ResponseBodySize
	}
	if e.ResponseDecoded != "" && !e.ResponseBodyTruncated && c.Size > e.ResponseBodySize {
		c.Compression = c.Size - e.ResponseBodySize
	}
	c.Text, c.Encoding = bodyText(redactJSONFields(e.ResponseBody))
	if e.ResponseBodyTruncated {
		c.Comment = fmt.Sprintf("truncated to the first %d bytes", MaxBodyKept)
	}
	entry.Response.Content = c
	return entry
}

// millis is d in milliseconds, rounded to the microsecond.
func millis(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return math.Round(float64(d)/float64(time.Microsecond)) / 1000
}

// bodySize is the recorded size, else the kept length.
func bodySize(size int64, kept []byte) int64 {
	if size > 0 {
		return size
	}
	return int64(len(kept))
}

// bodyText returns a body as HAR text: as is when UTF-8, else base64.
func bodyText(b []byte) (text, encoding string) {
	if len(b) == 0 {
		return "", ""
	}
	if utf8.Valid(b) {
		return string(b), ""
	}
	return base64.StdEncoding.EncodeToString(b), "base64"
}

// headerOr returns the header's value or def when it is absent.
func headerOr(h http.Header, name, def string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	return def
}

// harHeaders lists headers sorted by name, one entry per value, credentials
// hidden even when the exchange did not come through a Recorder.
func harHeaders(h http.Header) []harNV {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	out := []harNV{}
	for _, name := range names {
		canon := http.CanonicalHeaderKey(name)
		for _, v := range h[name] {
			if sensitiveHeaders[canon] {
				v = redactHeaderValue(canon, v) // defence in depth: idempotent on recorded values
			}
			out = append(out, harNV{Name: name, Value: v})
		}
	}
	return out
}

// harQuery lists the query parameters of rawURL in their order of appearance.
func harQuery(rawURL string) []harNV {
	out := []harNV{}
	u, err := url.Parse(rawURL)
	if err != nil || u.RawQuery == "" {
		return out
	}
	for _, part := range strings.Split(u.RawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		out = append(out, harNV{Name: k, Value: v})
	}
	return out
}
