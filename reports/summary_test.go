package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runOf builds a run whose scenarios have the given statuses.
func runOf(statuses ...string) Run {
	var r Run
	for i, s := range statuses {
		r.Scenarios = append(r.Scenarios, Scenario{Feature: "F", Name: "S" + string(rune('a'+i)), Status: s})
	}
	return r
}

// repeat returns n copies of status.
func repeat(status string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = status
	}
	return out
}

func TestCountsAndVerdict(t *testing.T) {
	tests := []struct {
		name                          string
		statuses                      []string
		pass, fail, deviation, notRun int
		line                          string
	}{
		{"the example of the brief", append(append(append(repeat(StatusPass, 41), repeat(StatusFail, 2)...), repeat(StatusDeviation, 3)...), repeat(StatusNotRun, 4)...),
			41, 2, 3, 4, "VERDICT: FAIL — 41 passed, 2 failed, 3 deviations (declared), 4 not run"},
		{"all pass", repeat(StatusPass, 3), 3, 0, 0, 0, "VERDICT: PASS — 3 passed, 0 failed, 0 deviations (declared), 0 not run"},
		{"pass with deviation and not-run", []string{StatusPass, StatusDeviation, StatusNotRun}, 1, 0, 1, 1,
			"VERDICT: PASS — 1 passed, 0 failed, 1 deviation (declared), 1 not run"},
		{"only deviations", repeat(StatusDeviation, 2), 0, 0, 2, 0, "VERDICT: PASS — 0 passed, 0 failed, 2 deviations (declared), 0 not run"},
		{"one failure among passes", []string{StatusPass, StatusFail, StatusPass}, 2, 1, 0, 0,
			"VERDICT: FAIL — 2 passed, 1 failed, 0 deviations (declared), 0 not run"},
		{"nothing ran", repeat(StatusNotRun, 2), 0, 0, 0, 2, "VERDICT: FAIL — 0 passed, 0 failed, 0 deviations (declared), 2 not run (no scenario ran)"},
		{"no scenario at all", nil, 0, 0, 0, 0, "VERDICT: FAIL — 0 passed, 0 failed, 0 deviations (declared), 0 not run (no scenario ran)"},
		{"unknown status counts as failed", []string{StatusPass, "undefined", ""}, 1, 2, 0, 0,
			"VERDICT: FAIL — 1 passed, 2 failed, 0 deviations (declared), 0 not run"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := runOf(tc.statuses...)
			p, f, d, n := Counts(run)
			if p != tc.pass || f != tc.fail || d != tc.deviation || n != tc.notRun {
				t.Errorf("Counts = %d %d %d %d, want %d %d %d %d", p, f, d, n, tc.pass, tc.fail, tc.deviation, tc.notRun)
			}
			if got := VerdictLine(run); got != tc.line {
				t.Errorf("VerdictLine =\n %q, want\n %q", got, tc.line)
			}
			wantVerdict := VerdictFail
			if strings.HasPrefix(tc.line, "VERDICT: PASS") {
				wantVerdict = VerdictPass
			}
			if got := Verdict(run); got != wantVerdict {
				t.Errorf("Verdict = %q, want %q", got, wantVerdict)
			}
			assert.NotContains(t, VerdictLine(run), "\n", "the verdict line must be one line")
		})
	}
}

func TestSlug(t *testing.T) {
	tests := []struct{ feature, name, want string }{
		{"Create users", "Assigning a new user creates it", "create-users-assigning-a-new-user-creates-it"},
		{"Query", `userName eq "Ada@Example.com" — 200 (É)`, "query-username-eq-ada-example-com-200"},
		{"", "", "scenario"},
		{"***", "!!!", "scenario"},
		{"F", strings.Repeat("x", 300), "f-" + strings.Repeat("x", 118)},
	}
	for _, tc := range tests {
		if got := Slug(tc.feature, tc.name); got != tc.want {
			t.Errorf("Slug(%q, %q) = %q, want %q", tc.feature, tc.name, got, tc.want)
		}
	}
	run := runOf(StatusPass, StatusPass, StatusPass)
	for i := range run.Scenarios {
		run.Scenarios[i].Name = "Paging"
	}
	if got, want := slugs(run), []string{"f-paging", "f-paging-2", "f-paging-3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("slugs of an outline = %v, want %v", got, want)
	}
}

func TestWriteSummary(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	run := sampleRun()
	run.Scenarios[0].Trace = "traces/x.har"
	run.Scenarios[0].ID = "connection-users-test-call"
	require.NoError(t, WriteSummary(dir, run))
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	require.NoError(t, err)
	var got struct {
		Target     string         `json:"target"`
		Profile    string         `json:"profile"`
		Tags       string         `json:"tags"`
		Started    string         `json:"started"`
		DurationMs int64          `json:"durationMs"`
		Counts     map[string]int `json:"counts"`
		Verdict    string         `json:"verdict"`
		Scenarios  []struct {
			ID, Feature, Name, Status, Reason, Trace, FailedStep, Error string
			Tags                                                        []string
		} `json:"scenarios"`
		Deviations []struct {
			ID, Description, OktaImpact string
			Scenarios                   []string
		} `json:"deviations"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("summary.json is not JSON: %v", err)
	}
	if got.Target != run.Target || got.Profile != "xakia" || got.Tags != run.Tags || got.DurationMs != 83400 {
		t.Errorf("header fields: %+v", got)
	}
	if _, err := time.Parse(time.RFC3339, got.Started); err != nil || got.Started != "2026-11-27T03:30:00Z" {
		t.Errorf("started %q: %v", got.Started, err)
	}
	wantCounts := map[string]int{"pass": 4, "fail": 2, "blocked": 0, "deviation": 1, "notRun": 1, "findings": 0, "warnings": 0}
	if !reflect.DeepEqual(got.Counts, wantCounts) || got.Verdict != "fail" {
		t.Errorf("counts %v verdict %q, want %v fail", got.Counts, got.Verdict, wantCounts)
	}
	require.Equal(t, len(run.Scenarios), len(got.Scenarios), "scenarios, want")
	fail := got.Scenarios[1]
	if fail.Status != "fail" || fail.Reason == "" || fail.FailedStep != `When Okta assigns "ada@example.com"` || !strings.Contains(fail.Error, "409") {
		t.Errorf("failed scenario: %+v", fail)
	}
	assert.Equal(t, "connection-users-test-call", got.Scenarios[0].ID, "summary.json carries the scenario's stable id")
	assert.Empty(t, got.Scenarios[1].ID, "a scenario without an id has none in summary.json")
	if got.Scenarios[0].Trace != "traces/x.har" || got.Scenarios[0].Tags[0] != "@connection" {
		t.Errorf("first scenario: %+v", got.Scenarios[0])
	}
	if nr := got.Scenarios[6]; nr.Status != "not-run" || !strings.Contains(nr.Reason, "XAKIA_ADMIN_URL") {
		t.Errorf("not-run scenario: %+v", nr)
	}
	if len(got.Deviations) != 2 || got.Deviations[0].ID != "xakia-limited-query" || got.Deviations[0].OktaImpact == "" {
		t.Errorf("deviations: %+v", got.Deviations)
	}
	assert.NotContains(t, string(b), "null", "summary.json has null where a list or string belongs:\n%s", b)
}
