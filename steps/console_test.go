package steps

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/reports"
)

func TestSuffixStripperDropsStepDefinitions(t *testing.T) {
	var out bytes.Buffer
	s := &suffixStripper{out: &out}
	in := "  Scenario: Users answer # connection.feature:9\n" +
		"    When Okta sends \"GET /Users\"   # register.go:12 -> *World\n" +
		"    Then the status is 200 # register.go:40 -> github.com/x/steps.(*World).status\n" +
		"    And it has a # in the middle # steps_users.go:7 -> *World"
	// Cut the input anywhere: lines held back until complete.
	for _, part := range []string{in[:30], in[30:75], in[75:]} {
		_, err := s.Write([]byte(part))
		require.NoError(t, err)
	}
	require.NoError(t, s.Flush())
	assert.Equal(t, "  Scenario: Users answer # connection.feature:9\n"+
		"    When Okta sends \"GET /Users\"\n"+
		"    Then the status is 200\n"+
		"    And it has a # in the middle", out.String())
}

func TestFeatureProgressOneLinePerFeature(t *testing.T) {
	var out bytes.Buffer
	notRun := []reports.Scenario{{Feature: "Invites"}, {Feature: "Invites"}, {Feature: "Create"}}
	p := newFeatureProgress(&out, []string{"Connection", "Create", "Invites"}, notRun)
	p.scenarioDone("Connection", reports.StatusPass)
	p.scenarioDone("Connection", reports.StatusPass)
	assert.Empty(t, out.String(), "a feature's line waits for its last scenario")
	p.scenarioDone("Create", reports.StatusFail)
	p.scenarioDone("Create", reports.StatusDeviation)
	p.scenarioDone("Create", reports.StatusPass)
	p.finish()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 3)
	assert.Regexp(t, `^ok   Connection\s+2 passed$`, lines[0])
	assert.Regexp(t, `^FAIL Create\s+1 passed, 1 deviation, 1 failed, 1 not run$`, lines[1])
	assert.Regexp(t, `^ok   Invites\s+0 passed, 2 not run$`, lines[2], "a feature left out entirely still has its line")
}

func TestPrintFailuresInFull(t *testing.T) {
	big := strings.Repeat("x", consoleBodyLimit+100)
	run := reports.Run{Scenarios: []reports.Scenario{
		{Feature: "Create", Name: "passes", Status: reports.StatusPass},
		{Feature: "Create", Name: "POST creates", Status: reports.StatusFail, Steps: []reports.Step{
			{Text: "Okta creates alice", Status: "passed", Exchanges: []reports.Exchange{{
				Method: "POST", URL: "http://127.0.0.1:1/scim/v2/a/Users", RequestBody: []byte(`{"userName":"alice"}`),
				Status: 500, ResponseHeaders: http.Header{"Content-Type": {"application/scim+json"}}, ResponseBody: []byte(big)}}},
			{Text: "the response status is 201", Status: "failed", Error: "POST /Users answered 500, want 201",
				Authority: "okta", Cite: "RFC 7644 §3.3", Finding: "F1"},
			{Text: "never reached", Status: "skipped"},
		}},
		{Feature: "Create", Name: "blocked one", Status: reports.StatusBlocked, Reason: "blocked by F1"},
	}}
	var out bytes.Buffer
	printFailures(&out, run)
	text := out.String()
	for _, want := range []string{
		"FAILED Create / POST creates",
		"  step:      the response status is 201",
		"  error:     POST /Users answered 500, want 201",
		"  authority: okta — RFC 7644 §3.3 (finding F1)",
		"  request:   POST http://127.0.0.1:1/scim/v2/a/Users",
		`{"userName":"alice"}`,
		"  answer:    500 application/scim+json",
		"bytes in all; the trace has the whole body",
		"BLOCKED Create / blocked one",
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "passes", "passed scenarios are not printed")
	assert.NotContains(t, text, big, "bodies are cut")

	out.Reset()
	printFailures(&out, reports.Run{Scenarios: []reports.Scenario{{Status: reports.StatusPass}}})
	assert.Empty(t, out.String(), "no failure, no section")
}
