package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// JUnitFile is the name WriteJUnit writes inside the report directory.
const JUnitFile = "junit.xml"

// maxJUnitMessage bounds the message attribute of a failure or skip; the
// element's text carries the whole message.
const maxJUnitMessage = 500

// junitSuites is the root element of junit.xml.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr,omitempty"`
	Suites   []junitSuite `xml:"testsuite"`
}

// junitSuite is one feature.
type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties *junitPropList  `xml:"properties"`
	Cases      []junitTestCase `xml:"testcase"`
}

// junitTestCase is one scenario.
type junitTestCase struct {
	Name       string         `xml:"name,attr"`
	Classname  string         `xml:"classname,attr"`
	Properties *junitPropList `xml:"properties"`
	Failure    *junitResult   `xml:"failure"`
	Skipped    *junitResult   `xml:"skipped"`
	SystemOut  *junitText     `xml:"system-out"`
}

type junitPropList struct {
	Props []junitProp `xml:"property"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// junitResult is a <failure> or a <skipped>.
type junitResult struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"` // made valid by xmlText
}

// junitText is an element of text only, as CDATA so that line breaks and
// quotes stay readable in the file.
type junitText struct {
	Text string `xml:",cdata"` // made valid by xmlText
}

// xmlText replaces the characters XML 1.0 cannot carry (control characters
// other than tab and line breaks, invalid UTF-8) with U+FFFD: encoding/xml
// escapes them in attributes and character data, not in CDATA.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == utf8.RuneError, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// WriteJUnit writes dir/junit.xml from run: one <testsuite> per feature and
// one <testcase> per scenario (classname = feature). A failed scenario has a
// <failure> naming its finding, authority and citation, with the failing
// step and its message; a blocked scenario has a <failure type="blocked">
// naming the finding that blocked it (it proved nothing, so it is no pass); a
// scenario not run is <skipped> with its reason; a declared deviation passes
// with a "deviation" property; warnings and notes go to <system-out>. dir is
// created if needed.
func WriteJUnit(dir string, run Run) error {
	return writeFile(filepath.Join(dir, JUnitFile), func(w io.Writer) error {
		return encodeJUnit(w, run)
	})
}

// encodeJUnit writes the junit.xml document of run to w.
func encodeJUnit(w io.Writer, run Run) error {
	doc := newJUnit(run)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing junit.xml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("writing junit.xml: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// newJUnit builds the junit.xml document of run.
func newJUnit(run Run) junitSuites {
	doc := junitSuites{Name: "scim-conformance"}
	if run.Duration > 0 {
		doc.Time = fmt.Sprintf("%.3f", run.Duration.Seconds())
	}
	findings := map[string]Finding{}
	for _, f := range run.Findings {
		findings[f.ID] = f
	}
	warnings := map[string]Finding{}
	for _, f := range run.Warnings {
		warnings[f.ID] = f
	}
	runProps := []junitProp{
		{Name: "target", Value: run.Target},
		{Name: "profile", Value: run.Profile},
		{Name: "tags", Value: run.Tags},
		{Name: "verdict", Value: VerdictLine(run)},
	}
	for _, n := range run.Notices {
		runProps = append(runProps, junitProp{Name: "notice", Value: n})
	}
	if run.Interrupted {
		runProps = append(runProps, junitProp{Name: "interrupted", Value: "true"})
	}
	timestamp := ""
	if !run.Started.IsZero() {
		timestamp = run.Started.UTC().Format("2006-01-02T15:04:05")
	}
	suiteOf := map[string]int{}
	for _, sc := range run.Scenarios {
		i, ok := suiteOf[sc.Feature]
		if !ok {
			i = len(doc.Suites)
			suiteOf[sc.Feature] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: sc.Feature, Timestamp: timestamp,
				Properties: &junitPropList{Props: runProps}})
		}
		suite := &doc.Suites[i]
		tc := newJUnitCase(run, sc, findings, warnings)
		suite.Tests++
		if tc.Failure != nil {
			suite.Failures++
		}
		if tc.Skipped != nil {
			suite.Skipped++
		}
		suite.Cases = append(suite.Cases, tc)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
	return doc
}

// newJUnitCase builds the <testcase> of one scenario.
func newJUnitCase(run Run, sc Scenario, findings, warnings map[string]Finding) junitTestCase {
	tc := junitTestCase{Name: sc.Name, Classname: sc.Feature}
	var props []junitProp
	prop := func(name, value string) {
		if value != "" {
			props = append(props, junitProp{Name: name, Value: value})
		}
	}
	prop("status", sc.Status)
	for _, t := range sc.Tags {
		prop("tag", t)
	}
	j := firstFailed(sc)
	var st Step
	if j >= 0 {
		st = sc.Steps[j]
	}
	var f Finding
	var hasFinding bool
	for _, id := range sc.Findings {
		if f, hasFinding = findings[id]; hasFinding {
			break
		}
	}
	switch sc.Status {
	case StatusPass:
	case StatusNotRun:
		reason := sc.Reason
		if reason == "" {
			reason = "not run"
		}
		tc.Skipped = &junitResult{Message: shortMessage(reason)}
	case StatusDeviation:
		touched := false
		for _, d := range run.Deviations {
			if deviationTouches(d, sc) {
				prop("deviation", deviationText(d))
				touched = true
			}
		}
		if !touched {
			prop("deviation", sc.Reason)
		}
	case StatusBlocked:
		prop("finding", f.ID)
		prop("authority", f.Authority)
		prop("cite", f.Cite)
		msg := sc.Reason
		if msg == "" && hasFinding {
			msg = fmt.Sprintf("blocked by %s (%s)", f.ID, f.Rule)
		}
		if msg == "" {
			msg = "blocked"
		}
		detail := st.Error
		if hasFinding {
			detail = strings.TrimSpace(detail + "\n" + findingReach(f))
		}
		tc.Failure = &junitResult{Type: StatusBlocked, Message: shortMessage(msg), Text: failureText(sc, j, st, detail)}
	default: // StatusFail and any status nobody can name: not a pass
		authority, cite := st.Authority, st.Cite
		if hasFinding {
			authority, cite = f.Authority, f.Cite
		}
		prop("finding", f.ID)
		prop("authority", authority)
		prop("cite", cite)
		var msg string
		switch {
		case hasFinding:
			msg = fmt.Sprintf("%s [%s] %s", f.ID, strings.TrimSpace(authority+" "+cite), f.Rule)
		case st.Error != "":
			msg = st.Error
		case sc.Reason != "":
			msg = sc.Reason
		default:
			msg = "failed (" + sc.Status + ")"
		}
		typ := authority
		if typ == "" {
			typ = StatusFail
		}
		detail := st.Error
		if detail == "" {
			detail = sc.Reason
		}
		if hasFinding {
			detail = strings.TrimSpace(detail + "\n" + findingReach(f))
		}
		tc.Failure = &junitResult{Type: typ, Message: shortMessage(msg), Text: failureText(sc, j, st, detail)}
	}
	if out := junitOut(sc, warnings); out != "" {
		tc.SystemOut = &junitText{Text: xmlText(out)}
	}
	if len(props) > 0 {
		tc.Properties = &junitPropList{Props: props}
	}
	return tc
}

// findingReach says how far a finding reaches, e.g. "F1 fails 1 scenario
// and blocks 2: see index.html#F1".
func findingReach(f Finding) string {
	return fmt.Sprintf("%s fails %s and blocks %d: see %s#%s", f.ID, plural(len(f.Scenarios), "scenario"), len(f.Blocked), HTMLFile, f.ID)
}

// plural is "1 scenario", "2 scenarios".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// deviationText is the value of a "deviation" property.
func deviationText(d Deviation) string {
	s := d.ID
	if d.Description != "" {
		s += ": " + d.Description
	}
	if d.OktaImpact != "" {
		s += " (Okta impact: " + d.OktaImpact + ")"
	}
	return s
}

// failureText is the body of a <failure>: the failing step and the message.
func failureText(sc Scenario, j int, st Step, message string) string {
	var b strings.Builder
	if j >= 0 {
		fmt.Fprintf(&b, "step %d: %s\n", j+1, st.Text)
	}
	if message != "" {
		b.WriteString(message)
		b.WriteString("\n")
	}
	if sc.Trace != "" {
		fmt.Fprintf(&b, "trace: %s\n", filepath.ToSlash(sc.Trace))
	}
	return xmlText(b.String())
}

// junitOut is the <system-out> of a scenario: its warnings and the rules of
// another profile it observed without judging.
func junitOut(sc Scenario, warnings map[string]Finding) string {
	var lines []string
	for _, id := range sc.Warnings {
		w, ok := warnings[id]
		if !ok {
			continue
		}
		lines = append(lines, fmt.Sprintf("warning %s [%s] %s: %s", w.ID, strings.TrimSpace(w.Authority+" "+w.Cite), w.Rule, w.Message))
	}
	for i, st := range sc.Steps {
		if st.Note != "" {
			lines = append(lines, fmt.Sprintf("note (step %d): %s", i+1, st.Note))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// shortMessage is the first line of s, at most maxJUnitMessage bytes.
func shortMessage(s string) string {
	s, _, cut := strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > maxJUnitMessage {
		n := maxJUnitMessage
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s, cut = s[:n], true
	}
	if cut {
		s += " …"
	}
	return s
}
