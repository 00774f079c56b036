package reports

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parsedJUnit is junit.xml read back with encoding/xml, independently of
// the writer's types.
type parsedJUnit struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Props    []prop `xml:"properties>property"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Props     []prop `xml:"properties>property"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

type prop struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

func propValues(props []prop, name string) []string {
	var out []string
	for _, p := range props {
		if p.Name == name {
			out = append(out, p.Value)
		}
	}
	return out
}

func readJUnit(t *testing.T, run Run) (parsedJUnit, string) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, WriteJUnit(dir, run))
	b, err := os.ReadFile(filepath.Join(dir, JUnitFile))
	require.NoError(t, err)
	var doc parsedJUnit
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("junit.xml does not parse: %v\n%s", err, b)
	}
	return doc, string(b)
}

func TestWriteJUnit(t *testing.T) {
	doc, raw := readJUnit(t, findingsRun())
	if !strings.HasPrefix(raw, "<?xml") {
		t.Error("junit.xml lacks the XML declaration")
	}
	// 7 scenarios: 2 fail, 2 blocked (failures too), 1 pass, 1 deviation, 1 not run.
	if doc.Tests != 7 || doc.Failures != 4 || doc.Skipped != 1 || doc.Errors != 0 {
		t.Errorf("testsuites tests/failures/skipped/errors = %d/%d/%d/%d, want 7/4/1/0", doc.Tests, doc.Failures, doc.Skipped, doc.Errors)
	}
	type counts struct{ tests, failures, skipped int }
	wantSuites := map[string]counts{"Query users": {4, 3, 0}, "Create users": {2, 1, 0}, "Invites": {1, 0, 1}}
	assert.Equal(t, len(wantSuites), len(doc.Suites), "testsuites, want one per feature")
	type tcase struct {
		suite, name, classname string
		props                  []prop
		failure                *struct{ Message, Type, Text string }
		skipped                string
		out                    string
	}
	cases := map[string]tcase{}
	for _, s := range doc.Suites {
		got := counts{s.Tests, s.Failures, s.Skipped}
		if want := wantSuites[s.Name]; got != want {
			t.Errorf("testsuite %q tests/failures/skipped = %v, want %v", s.Name, got, want)
		}
		if len(s.Cases) != s.Tests {
			t.Errorf("testsuite %q says %d tests but has %d testcases", s.Name, s.Tests, len(s.Cases))
		}
		if v := propValues(s.Props, "notice"); len(v) != 1 || !strings.Contains(v[0], "no-groups was not observed") {
			t.Errorf("testsuite %q notice properties = %q", s.Name, v)
		}
		if v := propValues(s.Props, "profile"); len(v) != 1 || v[0] != "okta" {
			t.Errorf("testsuite %q profile property = %q", s.Name, v)
		}
		for _, c := range s.Cases {
			tc := tcase{suite: s.Name, name: c.Name, classname: c.Classname, props: c.Props, out: c.SystemOut}
			if c.Failure != nil {
				tc.failure = &struct{ Message, Type, Text string }{c.Failure.Message, c.Failure.Type, c.Failure.Text}
			}
			if c.Skipped != nil {
				tc.skipped = "skipped: " + c.Skipped.Message
			}
			cases[c.Name] = tc
		}
	}
	for name, c := range cases {
		if c.classname != c.suite {
			t.Errorf("%q: classname %q, want the feature %q", name, c.classname, c.suite)
		}
	}

	owner := cases["A page reports how many users it holds"]
	if f := owner.failure; f == nil {
		t.Error("the failing scenario has no <failure>")
	} else {
		if want := "F1 [rfc RFC 7644 §3.4.2] itemsPerPage is the requested count, not the number returned"; f.Message != want {
			t.Errorf("failure message = %q, want %q", f.Message, want)
		}
		if f.Type != AuthorityRFC {
			t.Errorf("failure type = %q, want the authority", f.Type)
		}
		for _, want := range []string{"step 3: Then itemsPerPage is the number of users returned", `"itemsPerPage": 5, but 2 Resources returned`} {
			assert.Contains(t, f.Text, want, "failure text lacks %q:\n%s", want, f.Text)
		}
	}
	if got := propValues(owner.props, "authority"); len(got) != 1 || got[0] != "rfc" {
		t.Errorf("authority property = %q", got)
	}
	if got := propValues(owner.props, "cite"); len(got) != 1 || got[0] != "RFC 7644 §3.4.2" {
		t.Errorf("cite property = %q", got)
	}
	if f := cases["Assigning a new user creates it"].failure; f == nil || f.Type != AuthorityOkta || !strings.HasPrefix(f.Message, "F2 [okta docs/okta-wire.md §4] ") {
		t.Errorf("okta failure = %+v", f)
	}
	for _, name := range []string{"Filtering by userName in another case", "Okta's import walk reads every page"} {
		f := cases[name].failure
		if f == nil || f.Type != "blocked" || !strings.HasPrefix(f.Message, "blocked by F1 (") {
			t.Errorf("%q: blocked scenario failure = %+v, want type blocked, message blocked by F1", name, f)
		}
	}
	if c := cases["A new user cannot sign in before an invite"]; c.skipped != "skipped: needs XAKIA_ADMIN_URL and XAKIA_ADMIN_TOKEN (no admin API for this target)" || c.failure != nil {
		t.Errorf("not-run scenario: %+v", c)
	}
	dev := cases["A user read by id has the full profile"]
	if dev.failure != nil || dev.skipped != "" {
		t.Errorf("a declared deviation must pass: %+v", dev)
	}
	if v := propValues(dev.props, "deviation"); len(v) != 1 || !strings.HasPrefix(v[0], "xakia-limited-query: Queries return only") || !strings.Contains(v[0], "Okta impact: Imports show users without names.") {
		t.Errorf("deviation property = %q", v)
	}
	warned := cases["Assigning a taken userName is a conflict"]
	if warned.failure != nil || warned.skipped != "" {
		t.Errorf("a warning must not fail a scenario: %+v", warned)
	}
	for _, want := range []string{"warning W1 [advice RFC 7644 §3.12] a 409 should carry scimType uniqueness", "note (step 4): Xakia rule, not judged"} {
		assert.Contains(t, warned.out, want, "system-out lacks %q:\n%s", want, warned.out)
	}
}

func TestWriteJUnitEdgeCases(t *testing.T) {
	run := Run{Scenarios: []Scenario{
		{Feature: "F <&>", Name: "control \x01 chars and \"quotes\"", Status: StatusFail, Reason: "Before hook: target unreachable \x01\xff ]]> end"},
		{Feature: "F <&>", Name: "odd", Status: "undefined"},
		{Feature: "G", Name: "long", Status: StatusNotRun, Reason: strings.Repeat("é", 600)},
	}}
	doc, _ := readJUnit(t, run)
	if doc.Tests != 3 || doc.Failures != 2 || doc.Skipped != 1 {
		t.Errorf("tests/failures/skipped = %d/%d/%d, want 3/2/1", doc.Tests, doc.Failures, doc.Skipped)
	}
	c := doc.Suites[0].Cases[0]
	if c.Failure == nil || !strings.HasPrefix(c.Failure.Message, "Before hook: target unreachable") || !strings.Contains(c.Failure.Text, "]]> end") {
		t.Errorf("failure without a step = %+v", c.Failure)
	}
	if c := doc.Suites[0].Cases[1]; c.Failure == nil || c.Failure.Message != "failed (undefined)" {
		t.Errorf("an unknown status must fail: %+v", c.Failure)
	}
	if m := doc.Suites[1].Cases[0].Skipped.Message; len(m) > maxJUnitMessage+len(" …") || !strings.HasSuffix(m, " …") {
		t.Errorf("a long reason must be cut in the attribute: %d bytes", len(m))
	}
	// No scenario at all is still a valid document.
	if doc, _ := readJUnit(t, Run{}); doc.Tests != 0 || len(doc.Suites) != 0 {
		t.Errorf("empty run: %+v", doc)
	}
}
