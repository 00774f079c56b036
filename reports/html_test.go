package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func renderSample(t *testing.T, run Run) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, WriteHTML(dir, run))
	b, err := os.ReadFile(filepath.Join(dir, "index.html"))
	require.NoError(t, err)
	return string(b)
}

func TestWriteHTMLContents(t *testing.T) {
	page := renderSample(t, sampleRun())
	tests := []struct{ what, want string }{
		{"the verdict, coloured as a failure", `<header class="banner ko">`},
		{"the verdict word", `<div class="verdict">FAIL</div>`},
		{"the verdict line", "VERDICT: FAIL — 4 passed, 2 failed, 1 deviation (declared), 1 not run"},
		{"the target", "http://127.0.0.1:8080/scim/v2/loc1"},
		{"the tags, escaped", "~@wip &amp;&amp; ~@slow"},
		{"the start time", "2026-11-27 03:30:00 UTC"},
		{"the duration", "1 min 23 s"},
		{"a feature row with its failure", `<tr class="has-fail"><td>Create users</td>`},
		{"the deviation's description", "Queries return only Identifier, Active and ExternalIdentifier"},
		{"the deviation's Okta impact", "Okta&#39;s SPEC test steps 0 and 2 fail"},
		{"the scenario the deviation touched", `<a href="#s-query-users-a-user-read-by-id-has-the-full-profile">A user read by id has the full profile</a>`},
		{"an untouched deviation said so", "No scenario of this run touched it."},
		{"the not-run reason", "needs XAKIA_ADMIN_URL and XAKIA_ADMIN_TOKEN (no admin API for this target)"},
		{"the failing step", `When Okta assigns &#34;ada@example.com&#34;`},
		{"the failing error", "want status 201 Created, got 409 Conflict"},
		{"the failing exchange's summary, open", "<details class=\"exchange\" open>\n  <summary><span class=\"method mono\">POST</span> <code>/scim/v2/loc1/Users</code> → <span class=\"code warn\">409 Conflict</span>"},
		{"a filter decoded for reading", `<code>/scim/v2/loc1/Users?filter=userName eq &#34;ada@example.com&#34;&amp;startIndex=1&amp;count=100</code>`},
		{"the URL exactly as sent", `http://127.0.0.1:8080/scim/v2/loc1/Users?filter=userName%20eq%20%22ada%40example.com%22&amp;startIndex=1`},
		{"the failing response body, pretty-printed", "  &#34;scimType&#34;: &#34;uniqueness&#34;,\n"},
		{"the failing request body, pretty-printed", "  &#34;userName&#34;: &#34;ada@example.com&#34;,\n"},
		{"the transport error of the other failure", "connect: connection refused"},
		{"no response for a transport error", "No response was received."},
		{"the authorization scheme kept", "Bearer REDACTED"},
		{"markup in a name escaped", "Duplicate &lt;script&gt;alert(1)&lt;/script&gt; userName is 409"},
		{"outline examples with distinct anchors", `id="s-query-users-paging-by-2-2"`},
	}
	for _, tc := range tests {
		assert.Contains(t, page, tc.want, "index.html lacks %s: %q", tc.what, tc.want)
	}
	for _, bad := range []string{
		"planted-0123456789abcdef-secret",                                 // an Authorization value that did not come through a Recorder
		"<script>alert(1)",                                                // unescaped markup
		`href="http`, `src="http`, "@import url", `@import "`, "url(http", // external assets
	} {
		assert.NotContains(t, page, bad, "index.html contains %q", bad)
	}
	// The failures section lists exactly the two failing scenarios.
	failures := section(t, page, "findings")
	if n := strings.Count(failures, `<article class="card fail"`); n != 2 {
		t.Errorf("failures section has %d cards, want 2", n)
	}
	assert.NotContains(t, failures, "Okta&#39;s Test API Credentials succeeds", "a passing scenario is listed among the failures")
	if n := strings.Count(section(t, page, "not-run"), "<tr><td>"); n != 1 {
		t.Errorf("not-run table has %d rows, want 1", n)
	}
	if n := strings.Count(section(t, page, "all"), " open>"); n != 0 {
		t.Errorf("all-scenarios section has %d open exchanges, want every one collapsed", n)
	}
	if n := strings.Count(failures, "<details class=\"exchange\" open>"); n != 2 {
		t.Errorf("failures section has %d open exchanges, want the last of each failing step (2)", n)
	}
	if n := strings.Count(section(t, page, "all"), `<details class="scenario"`); n != 8 {
		t.Errorf("all-scenarios section has %d scenarios, want 8", n)
	}
}

// section returns the HTML of <section id="id">.
func section(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `<section id="`+id+`">`)
	if start < 0 {
		t.Fatalf("no section %q", id)
	}
	end := strings.Index(page[start:], "</section>")
	if end < 0 {
		t.Fatalf("section %q is not closed", id)
	}
	return page[start : start+end]
}

func TestWriteHTMLVerdicts(t *testing.T) {
	tests := []struct {
		name     string
		run      Run
		contains []string
	}{
		{"passing run", Run{Profile: "okta", Scenarios: []Scenario{{Feature: "F", Name: "ok", Status: StatusPass}}},
			[]string{`<header class="banner ok">`, `<div class="verdict">PASS</div>`, "No scenario failed.", "Every selected scenario ran.", "None declared"}},
		{"empty run", Run{},
			[]string{`<header class="banner ko">`, "No scenario was selected.", "(no scenario ran)", "(not recorded)", "(all scenarios)"}},
		{"failure without steps", Run{Scenarios: []Scenario{{Feature: "F", Name: "boom", Status: StatusFail, Reason: "Before hook: target unreachable"}}},
			[]string{"No failing step was recorded", "Before hook: target unreachable"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page := renderSample(t, tc.run)
			for _, want := range tc.contains {
				assert.Contains(t, page, want, "index.html lacks %q", want)
			}
		})
	}
}

func TestRenderBody(t *testing.T) {
	tests := []struct {
		name      string
		body      []byte
		truncated bool
		text      string
		note      string
	}{
		{"empty", nil, false, "", ""},
		{"json indented", []byte(`{"a":[1,2]}`), false, "{\n  \"a\": [\n    1,\n    2\n  ]\n}", ""},
		{"json credential hidden", []byte(`{"apiKey":"abc"}`), false, "{\n  \"apiKey\": \"REDACTED\"\n}", ""},
		{"plain text kept", []byte("not json"), false, "not json", ""},
		{"binary", []byte{0xff, 0x00}, false, "", "2 bytes of binary data (see the HAR trace)."},
		{"truncated noted", []byte("x"), true, "x", "recorded body truncated to 1048576 bytes."},
	}
	for _, tc := range tests {
		text, note := renderBody(tc.body, tc.truncated)
		if text != tc.text || note != tc.note {
			t.Errorf("%s: renderBody = %q, %q; want %q, %q", tc.name, text, note, tc.text, tc.note)
		}
	}
	long := bytes.Repeat([]byte("é"), maxBodyRendered)
	text, note := renderBody(long, false)
	if len(text) > maxBodyRendered || !strings.Contains(note, "HAR trace has the rest") || !strings.HasSuffix(text, "é") {
		t.Errorf("a long body must be cut on a rune boundary with a note: %d bytes, %q", len(text), note)
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 ms"}, {300 * time.Microsecond, "300 µs"}, {850 * time.Millisecond, "850 ms"},
		{12340 * time.Millisecond, "12.3 s"}, {125 * time.Second, "2 min 5 s"},
	}
	for _, tc := range tests {
		if got := humanDuration(tc.d); got != tc.want {
			t.Errorf("humanDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestWriteAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "traces"), 0o755))
	stale := filepath.Join(dir, "traces", "old-run.har")
	require.NoError(t, os.WriteFile(stale, []byte("{}"), 0o600))
	run := sampleRun()
	require.NoError(t, WriteAll(dir, run))
	if run.Scenarios[1].Trace != "" {
		t.Error("WriteAll must not change the caller's scenarios")
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a trace of an earlier run survived: %v", err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "traces"))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	// Only the scenarios that made requests get a trace.
	want := []string{
		"availability-the-server-answers-after-a-restart.har",
		"create-users-assigning-a-new-user-creates-it.har",
		"create-users-duplicate-script-alert-1-script-username-is-409.har",
		"test-connection-okta-s-test-api-credentials-succeeds.har",
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("traces = %v, want %v", names, want)
	}
	har, err := os.ReadFile(filepath.Join(dir, "traces", "create-users-assigning-a-new-user-creates-it.har"))
	require.NoError(t, err)
	if err := validateHAR(har); err != nil {
		t.Fatalf("trace is not valid HAR: %v", err)
	}
	var doc struct {
		Log struct {
			Pages []struct {
				ID, Title string
			} `json:"pages"`
			Entries []struct {
				Pageref string `json:"pageref"`
			} `json:"entries"`
		} `json:"log"`
	}
	require.NoError(t, json.Unmarshal(har, &doc))
	if len(doc.Log.Pages) != 2 || doc.Log.Pages[1].Title != `3. When Okta assigns "ada@example.com"` || len(doc.Log.Entries) != 3 || doc.Log.Entries[2].Pageref != doc.Log.Pages[1].ID {
		t.Errorf("trace pages %+v entries %+v, want one page per step with requests", doc.Log.Pages, doc.Log.Entries)
	}
	assert.NotContains(t, string(har), "planted-0123456789abcdef-secret", "a trace contains an Authorization value that did not come through a Recorder")
	summary, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	require.NoError(t, err)
	assert.Contains(t, string(summary), `"trace": "traces/create-users-assigning-a-new-user-creates-it.har"`, "summary.json does not link the trace:\n%s", summary)
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	require.NoError(t, err)
	for _, want := range []string{`href="traces/availability-the-server-answers-after-a-restart.har"`, "VERDICT: FAIL"} {
		assert.Contains(t, string(index), want, "index.html lacks %q", want)
	}
	if regexp.MustCompile(`(?i)<(link|img|iframe)\b`).MatchString(string(index)) {
		t.Error("index.html must be self-contained")
	}
	junit, err := os.ReadFile(filepath.Join(dir, JUnitFile))
	require.NoError(t, err)
	assert.Contains(t, string(junit), `<testsuites name="scim-conformance" tests="8" failures="2" errors="0" skipped="1"`, "WriteAll's junit.xml has the wrong counts:\n%.300s", junit)
	if err := WriteAll("", run); err == nil {
		t.Error("WriteAll with no directory must fail")
	}
}
