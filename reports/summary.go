package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// Verdicts of a run.
const (
	VerdictPass        = "pass"
	VerdictFail        = "fail"
	VerdictInterrupted = "interrupted"
)

// SummaryFile, HTMLFile and TracesDir are the names WriteAll writes inside
// the report directory.
const (
	SummaryFile = "summary.json"
	HTMLFile    = "index.html"
	TracesDir   = "traces"
)

// Counts tallies the scenarios of a run by status. A scenario whose status is
// none of the known ones, blocked included, counts as failed: an outcome
// nobody can name is not a pass.
func Counts(run Run) (pass, fail, deviation, notRun int) {
	for _, s := range run.Scenarios {
		switch s.Status {
		case StatusPass:
			pass++
		case StatusDeviation:
			deviation++
		case StatusNotRun:
			notRun++
		default:
			fail++
		}
	}
	return pass, fail, deviation, notRun
}

// BlockedCount is the number of blocked scenarios of a run.
func BlockedCount(run Run) int {
	n := 0
	for _, s := range run.Scenarios {
		if s.Status == StatusBlocked {
			n++
		}
	}
	return n
}

// Verdict is VerdictInterrupted when the run was stopped early, else
// VerdictPass when no scenario failed or was blocked and at least one passed
// or behaved as a declared deviation, else VerdictFail. Warnings and not-run
// scenarios do not fail a run, but a run where nothing ran does not pass.
func Verdict(run Run) string {
	if run.Interrupted {
		return VerdictInterrupted
	}
	pass, fail, deviation, notRun := Counts(run)
	if run.Strict && notRun > 0 {
		return VerdictFail
	}
	if fail == 0 && len(run.Findings) == 0 && pass+deviation > 0 {
		return VerdictPass
	}
	return VerdictFail
}

// VerdictLine is the one-line outcome printed at the end of a run, e.g.
// "VERDICT: FAIL — 2 okta, 1 rfc findings; 3 warnings — 41 passed, 2 failed,
// 11 blocked, 3 deviations (declared), 4 not run".
func VerdictLine(run Run) string {
	pass, fail, deviation, notRun := Counts(run)
	blocked := BlockedCount(run)
	fail -= blocked
	devWord := "deviations"
	if deviation == 1 {
		devWord = "deviation"
	}
	head := strings.ToUpper(Verdict(run))
	var judged []string
	if len(run.Findings) > 0 {
		judged = append(judged, findingsPhrase(run))
	}
	if n := len(run.Warnings); n > 0 {
		w := "warnings"
		if n == 1 {
			w = "warning"
		}
		judged = append(judged, fmt.Sprintf("%d %s", n, w))
	}
	if len(judged) > 0 {
		head += " — " + strings.Join(judged, "; ")
	}
	tail := fmt.Sprintf("%d passed, %d failed", pass, fail)
	if blocked > 0 {
		tail += fmt.Sprintf(", %d blocked", blocked)
	}
	tail += fmt.Sprintf(", %d %s (declared), %d not run", deviation, devWord, notRun)
	if run.Strict && notRun > 0 {
		tail += " (strict: not-run scenarios fail)"
	}
	line := "VERDICT: " + head + " — " + tail
	if pass+fail+blocked+deviation == 0 {
		line += " (no scenario ran)"
	}
	return line
}

// summary is the shape of summary.json.
type summary struct {
	Target      string            `json:"target"`
	Profile     string            `json:"profile"`
	Tags        string            `json:"tags"`
	Started     string            `json:"started"`
	DurationMs  int64             `json:"durationMs"`
	Counts      summaryCounts     `json:"counts"`
	Verdict     string            `json:"verdict"`
	VerdictLine string            `json:"verdictLine"`
	Findings    []Finding         `json:"findings"`
	Warnings    []Finding         `json:"warnings"`
	Notices     []string          `json:"notices"`
	Scenarios   []summaryScenario `json:"scenarios"`
	Deviations  []summaryDev      `json:"deviations"`
}

// toSummaryFindings copies findings with empty lists as [] (not null).
func toSummaryFindings(fs []Finding) []Finding {
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		f.Scenarios, f.Blocked = nonNil(f.Scenarios), nonNil(f.Blocked)
		out = append(out, f)
	}
	return out
}

type summaryCounts struct {
	Pass      int `json:"pass"`
	Fail      int `json:"fail"`
	Blocked   int `json:"blocked"`
	Findings  int `json:"findings"`
	Warnings  int `json:"warnings"`
	Deviation int `json:"deviation"`
	NotRun    int `json:"notRun"`
}

type summaryScenario struct {
	ID         string   `json:"id,omitempty"`
	Feature    string   `json:"feature"`
	Name       string   `json:"name"`
	Tags       []string `json:"tags"`
	Status     string   `json:"status"`
	Reason     string   `json:"reason"`
	Trace      string   `json:"trace"`
	FailedStep string   `json:"failedStep,omitempty"`
	Error      string   `json:"error,omitempty"`
	Authority  string   `json:"authority,omitempty"`
	Cite       string   `json:"cite,omitempty"`
	Findings   []string `json:"findings,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
}

type summaryDev struct {
	ID          string   `json:"id"`
	Description string   `json:"description"`
	OktaImpact  string   `json:"oktaImpact"`
	Scenarios   []string `json:"scenarios"`
}

// WriteSummary writes dir/summary.json: the run's target, profile, tags,
// start, duration, counts, verdict, every scenario with its status, reason
// and trace, and the declared deviations. dir is created if needed.
func WriteSummary(dir string, run Run) error {
	return writeFile(filepath.Join(dir, SummaryFile), func(w io.Writer) error {
		return encodeSummary(w, run)
	})
}

// encodeSummary writes the summary JSON of run to w.
func encodeSummary(w io.Writer, run Run) error {
	pass, fail, deviation, notRun := Counts(run)
	s := summary{
		Target:     run.Target,
		Profile:    run.Profile,
		Tags:       run.Tags,
		DurationMs: run.Duration.Milliseconds(),
		Counts: summaryCounts{Pass: pass, Fail: fail - BlockedCount(run), Blocked: BlockedCount(run), Deviation: deviation, NotRun: notRun,
			Findings: len(run.Findings), Warnings: len(run.Warnings)},
		Findings:    toSummaryFindings(run.Findings),
		Warnings:    toSummaryFindings(run.Warnings),
		Notices:     nonNil(run.Notices),
		Verdict:     Verdict(run),
		VerdictLine: VerdictLine(run),
		Scenarios:   make([]summaryScenario, 0, len(run.Scenarios)),
		Deviations:  make([]summaryDev, 0, len(run.Deviations)),
	}
	if !run.Started.IsZero() {
		s.Started = run.Started.UTC().Format(time.RFC3339)
	}
	for _, sc := range run.Scenarios {
		out := summaryScenario{
			ID:      sc.ID,
			Feature: sc.Feature,
			Name:    sc.Name,
			Tags:    nonNil(sc.Tags),
			Status:  sc.Status,
			Reason:  sc.Reason,
			Trace:   filepath.ToSlash(sc.Trace),
		}
		if st, ok := failedStep(sc); ok {
			out.FailedStep, out.Error = st.Text, st.Error
			out.Authority, out.Cite = st.Authority, st.Cite
		}
		out.Findings, out.Warnings = sc.Findings, sc.Warnings
		s.Scenarios = append(s.Scenarios, out)
	}
	for _, d := range run.Deviations {
		s.Deviations = append(s.Deviations, summaryDev{
			ID: d.ID, Description: d.Description, OktaImpact: d.OktaImpact, Scenarios: nonNil(d.Scenarios),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("writing summary: %w", err)
	}
	return nil
}

// failedStep returns the first failed step of a failed scenario.
func failedStep(sc Scenario) (Step, bool) {
	if sc.Status == StatusPass || sc.Status == StatusNotRun || sc.Status == StatusDeviation {
		return Step{}, false
	}
	for _, st := range sc.Steps {
		if st.Status == "failed" {
			return st, true
		}
	}
	return Step{}, false
}

// nonNil turns a nil slice into an empty one, so JSON says [] not null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Slug is the file-name form of a scenario: feature and scenario name,
// lower-case, runs of anything but [a-z0-9] as one "-", at most 120 bytes.
func Slug(feature, name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(feature + " " + name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if len(s) > 120 {
		s = strings.TrimRight(s[:120], "-")
	}
	if s == "" {
		s = "scenario"
	}
	return s
}

// slugs returns a distinct slug per scenario of run, in order: scenarios of
// an outline share a name, so repeats get "-2", "-3"….
func slugs(run Run) []string {
	out := make([]string, len(run.Scenarios))
	used := map[string]bool{}
	for i, sc := range run.Scenarios {
		base := Slug(sc.Feature, sc.Name)
		s := base
		for n := 2; used[s]; n++ {
			s = fmt.Sprintf("%s-%d", base, n)
		}
		used[s] = true
		out[i] = s
	}
	return out
}
