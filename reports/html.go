package reports

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

//go:embed templates/index.html.tmpl
var templateFS embed.FS

// indexTemplate is the HTML report page, parsed once.
var indexTemplate = template.Must(template.New("index.html.tmpl").ParseFS(templateFS, "templates/index.html.tmpl"))

// maxBodyRendered is how much of one body the HTML page shows; the HAR trace
// has the rest.
const maxBodyRendered = 64 << 10

// WriteHTML writes dir/index.html: one self-contained page (inline CSS, no
// external assets, no script needed) with the verdict, the notices, the
// counts, a table per feature, one card per finding (anchored by its id, with
// its authority, citation, message, the scenarios it fails and blocks, and
// the exchange its first scenario judged, open), the warnings, the failures
// no finding covers, the declared deviations with their Okta impact, the
// scenarios not run with their reasons and every scenario, collapsed. dir is
// created if needed.
func WriteHTML(dir string, run Run) error {
	return writeFile(filepath.Join(dir, HTMLFile), func(w io.Writer) error {
		return renderHTML(w, run)
	})
}

// renderHTML renders the report page of run to w.
func renderHTML(w io.Writer, run Run) error {
	if err := indexTemplate.Execute(w, newPage(run)); err != nil {
		return fmt.Errorf("rendering HTML report: %w", err)
	}
	return nil
}

// page is what the template renders; every string is plain text that the
// template escapes.
type page struct {
	Banner      string // CSS class of the banner: ok, ko, interrupted
	Verdict     string
	VerdictLine string
	Target      string
	Profile     string
	Tags        string
	Started     string
	Duration    string
	Interrupted bool
	Notices     []string
	Counts      summaryCounts
	Total       int
	Features    []featureRow
	Findings    []findingView
	Unowned     []scenarioView // failed scenarios that no finding covers
	Warnings    []findingView
	Deviations  []deviationView
	NotRun      []scenarioView
	All         []featureGroup
}

type featureRow struct {
	Name                                   string
	Pass, Fail, Blocked, Deviation, NotRun int
	Total                                  int
	FailedOn, BlockedBy                    []findingRef // distinct findings, in order
}

type featureGroup struct {
	Name      string
	Scenarios []scenarioView
}

// findingRef links to a finding or warning card.
type findingRef struct {
	ID    string
	Class string // authority CSS class
}

type scenarioView struct {
	Anchor     string
	Feature    string
	Name       string
	Tags       []string
	Status     string // CSS class and label key: pass, fail, blocked, deviation, not-run
	Label      string
	Reason     string
	BlockedBy  *findingRef // set with ReasonRest when Reason is "blocked by F3…"
	ReasonRest string      // Reason after "blocked by F3"
	FailedOn   []findingRef
	Warned     []findingRef
	Trace      string
	FailedStep *stepView
	// FailedJudgedFrom is set when the failed step made no request and
	// FailedStep.Exchanges holds the last exchange of this earlier step.
	FailedJudgedFrom string
	Steps            []stepView
}

type stepView struct {
	No        int // 1-based
	Text      string
	Status    string
	Error     string
	Authority string
	AuthClass string
	Cite      string
	CiteHref  string
	Finding   *findingRef
	Warning   string
	WarningID *findingRef
	Note      string
	Exchanges []exchangeView
	// Screenshot is the step's PNG, relative to index.html.
	Screenshot string
}

// findingView is one card of the Findings or Warnings section.
type findingView struct {
	ID        string
	Authority string
	AuthClass string
	Cite      string
	CiteHref  string // empty: the citation is not linked
	Rule      string
	Message   string
	Affects   []scenarioView
	Blocks    []scenarioView
	// AffectsOther and BlocksOther are scenario titles of the finding that
	// match no scenario of the run; they are listed unlinked.
	AffectsOther, BlocksOther []string
	NAffects, NBlocks         int
	Evidence                  *evidenceView
	Warning                   bool // a warning card (advice: never fails)
}

// evidenceView is the step that judged a finding, in its first scenario,
// with the exchanges it judged.
type evidenceView struct {
	Scenario  scenarioView
	Step      stepView
	ShowError bool // the step's error says more than the finding's message
	// JudgedFrom is set when the step made no request: the exchange shown is
	// the last one of an earlier step, e.g. "step 2: When Okta lists users".
	JudgedFrom string
	Exchanges  []exchangeView
}

type exchangeView struct {
	Method, URL, Path   string // Path: path and query, decoded for reading
	Open                bool   // shown expanded
	Status              int
	StatusText          string
	StatusClass         string
	Duration            string
	Err                 string
	ReqHeaders, RspHdrs []headerView
	ReqBody, RspBody    string
	ReqNote, RspNote    string
}

type headerView struct{ Name, Value string }

type deviationView struct {
	ID          string
	Description string
	OktaImpact  string
	Applies     []string
	Touched     []scenarioView
}

// statusLabel names a scenario status for people.
func statusLabel(status string) (class, label string) {
	switch status {
	case StatusPass:
		return "pass", "passed"
	case StatusDeviation:
		return "deviation", "deviation (declared)"
	case StatusNotRun:
		return "not-run", "not run"
	case StatusFail:
		return "fail", "failed"
	case StatusBlocked:
		return "blocked", "blocked"
	default:
		return "fail", "failed (" + status + ")"
	}
}

// authClass is the CSS class of an authority's badge: one of the four
// authorities, or "other" (e.g. "engine", the suite's own fault).
func authClass(authority string) string {
	switch authority {
	case AuthorityOkta, AuthorityRFC, AuthorityXakia, AuthorityAdvice:
		return "auth-" + authority
	}
	return "auth-other"
}

// rfcCite matches an RFC citation such as "RFC 7644 §3.4.2".
var rfcCite = regexp.MustCompile(`\bRFC\s*(\d{3,5})(?:\s*§\s*(\d+(?:\.\d+)*))?`)

// citeHref returns the link of a citation: its first http(s) URL or
// docs/… path (relative to the report), else the IETF page of the first RFC
// it names (at the section, when it names one), else "".
func citeHref(cite string) string {
	for _, word := range strings.Fields(cite) {
		word = strings.TrimRight(word, ".,;:)]")
		word = strings.TrimLeft(word, "([")
		if strings.HasPrefix(word, "https://") || strings.HasPrefix(word, "http://") || strings.HasPrefix(word, "docs/") {
			return word
		}
	}
	if m := rfcCite.FindStringSubmatch(cite); m != nil {
		href := "https://datatracker.ietf.org/doc/html/rfc" + m[1]
		if m[2] != "" {
			href += "#section-" + m[2]
		}
		return href
	}
	return ""
}

// newPage prepares the view of run.
func newPage(run Run) page {
	pass, fail, deviation, notRun := Counts(run)
	blocked := BlockedCount(run)
	verdict := Verdict(run)
	p := page{
		Banner:      "ko",
		Verdict:     strings.ToUpper(verdict),
		VerdictLine: VerdictLine(run),
		Target:      run.Target,
		Profile:     run.Profile,
		Tags:        run.Tags,
		Duration:    humanDuration(run.Duration),
		Interrupted: run.Interrupted,
		Notices:     run.Notices,
		Counts: summaryCounts{Pass: pass, Fail: fail - blocked, Blocked: blocked, Deviation: deviation, NotRun: notRun,
			Findings: len(run.Findings), Warnings: len(run.Warnings)},
		Total: len(run.Scenarios),
	}
	switch verdict {
	case VerdictPass:
		p.Banner = "ok"
	case VerdictInterrupted:
		p.Banner = "interrupted"
	}
	if !run.Started.IsZero() {
		p.Started = run.Started.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	refs := map[string]findingRef{}
	for _, f := range run.Findings {
		refs[f.ID] = findingRef{ID: f.ID, Class: authClass(f.Authority)}
	}
	warnByRule := map[string]findingRef{}
	for _, f := range run.Warnings {
		refs[f.ID] = findingRef{ID: f.ID, Class: authClass(AuthorityAdvice)}
		warnByRule[f.Rule] = refs[f.ID]
	}
	anchors := slugs(run)
	views := make([]scenarioView, len(run.Scenarios))
	featureIndex := map[string]int{}
	for i, sc := range run.Scenarios {
		v := newScenarioView(sc, "s-"+anchors[i], refs, warnByRule)
		views[i] = v
		fi, ok := featureIndex[sc.Feature]
		if !ok {
			fi = len(p.Features)
			featureIndex[sc.Feature] = fi
			p.Features = append(p.Features, featureRow{Name: sc.Feature})
			p.All = append(p.All, featureGroup{Name: sc.Feature})
		}
		row := &p.Features[fi]
		row.Total++
		switch v.Status {
		case "pass":
			row.Pass++
		case "deviation":
			row.Deviation++
		case "not-run":
			row.NotRun++
		case "blocked":
			row.Blocked++
			if v.BlockedBy != nil {
				row.BlockedBy = addRef(row.BlockedBy, *v.BlockedBy)
			}
		default:
			row.Fail++
			for _, r := range v.FailedOn {
				row.FailedOn = addRef(row.FailedOn, r)
			}
		}
		p.All[fi].Scenarios = append(p.All[fi].Scenarios, v)
		if v.Status == "not-run" {
			p.NotRun = append(p.NotRun, v)
		}
	}
	covered := make([]bool, len(run.Scenarios))
	for _, f := range run.Findings {
		p.Findings = append(p.Findings, newFindingView(run, f, views, covered, false))
	}
	for _, f := range run.Warnings {
		p.Warnings = append(p.Warnings, newFindingView(run, f, views, nil, true))
	}
	for i, v := range views {
		if (v.Status == "fail" || v.Status == "blocked") && !covered[i] {
			p.Unowned = append(p.Unowned, v)
		}
	}
	for _, d := range run.Deviations {
		dv := deviationView{ID: d.ID, Description: d.Description, OktaImpact: d.OktaImpact, Applies: d.Scenarios}
		for i, sc := range run.Scenarios {
			if deviationTouches(d, sc) {
				dv.Touched = append(dv.Touched, views[i])
			}
		}
		p.Deviations = append(p.Deviations, dv)
	}
	return p
}

// addRef appends r to refs unless it is there already.
func addRef(refs []findingRef, r findingRef) []findingRef {
	for _, have := range refs {
		if have.ID == r.ID {
			return refs
		}
	}
	return append(refs, r)
}

// newFindingView prepares the card of a finding (or, with warning, of a
// warning): the scenarios it fails and blocks, matched by the ids the
// scenarios carry (or, for a run built without them, by title), and the
// evidence of its first scenario. covered, when not nil, marks the
// scenarios the card lists.
func newFindingView(run Run, f Finding, views []scenarioView, covered []bool, warning bool) findingView {
	fv := findingView{ID: f.ID, Authority: f.Authority, AuthClass: authClass(f.Authority), Cite: f.Cite,
		CiteHref: citeHref(f.Cite), Rule: f.Rule, Message: f.Message, Warning: warning}
	if warning {
		fv.AuthClass = authClass(AuthorityAdvice)
		if fv.Authority == "" {
			fv.Authority = AuthorityAdvice
		}
	}
	var affects, blocks []int
	for i, sc := range run.Scenarios {
		ids := sc.Findings
		if warning {
			ids = sc.Warnings
		}
		if !slices.Contains(ids, f.ID) {
			continue
		}
		if sc.Status == StatusBlocked {
			blocks = append(blocks, i)
		} else {
			affects = append(affects, i)
		}
	}
	if len(affects)+len(blocks) == 0 {
		// No scenario carries the id: match the finding's titles.
		used := map[int]bool{}
		match := func(titles []string, blocked bool) (found []int, other []string) {
			for _, t := range titles {
				k := -1
				for i, sc := range run.Scenarios {
					if !used[i] && sc.Feature+" / "+sc.Name == t && (sc.Status == StatusBlocked) == blocked {
						k = i
						break
					}
				}
				if k < 0 {
					other = append(other, t)
					continue
				}
				used[k] = true
				found = append(found, k)
			}
			return found, other
		}
		affects, fv.AffectsOther = match(f.Scenarios, false)
		blocks, fv.BlocksOther = match(f.Blocked, true)
	}
	for _, i := range affects {
		fv.Affects = append(fv.Affects, views[i])
	}
	for _, i := range blocks {
		fv.Blocks = append(fv.Blocks, views[i])
	}
	if covered != nil {
		for _, i := range append(affects, blocks...) {
			covered[i] = true
		}
	}
	fv.NAffects = len(fv.Affects) + len(fv.AffectsOther)
	fv.NBlocks = len(fv.Blocks) + len(fv.BlocksOther)
	owner := -1
	switch {
	case len(affects) > 0:
		owner = affects[0]
	case len(blocks) > 0:
		owner = blocks[0]
	}
	if owner >= 0 {
		fv.Evidence = newEvidence(run.Scenarios[owner], views[owner], f, warning)
	}
	return fv
}

// newEvidence picks the step of sc that judged f (the step carrying its id,
// else the first failed step; for a warning, the step that raised it) and
// the exchanges it judged: its own, the last open; when it made no request,
// the most recent exchange of an earlier step, which is the response a Then
// judges. A warning's exchanges are shown collapsed.
func newEvidence(sc Scenario, v scenarioView, f Finding, warning bool) *evidenceView {
	j := -1
	for k, st := range sc.Steps {
		if (!warning && st.Finding == f.ID) || (warning && st.Warning != "" && warningRule(st) == f.Rule) {
			j = k
			break
		}
	}
	if j < 0 && !warning {
		j = firstFailed(sc)
	}
	if j < 0 {
		return &evidenceView{Scenario: v}
	}
	ev := &evidenceView{Scenario: v, Step: v.Steps[j]}
	ev.ShowError = !warning && ev.Step.Error != "" && strings.TrimSpace(ev.Step.Error) != strings.TrimSpace(f.Message)
	ex := v.Steps[j].Exchanges
	if len(ex) == 0 {
		for k := j - 1; k >= 0; k-- {
			if n := len(v.Steps[k].Exchanges); n > 0 {
				ex = v.Steps[k].Exchanges[n-1:]
				ev.JudgedFrom = fmt.Sprintf("step %d: %s", k+1, v.Steps[k].Text)
				break
			}
		}
	}
	ev.Exchanges = append([]exchangeView(nil), ex...)
	if n := len(ev.Exchanges); n > 0 && !warning {
		ev.Exchanges[n-1].Open = true
	}
	return ev
}

// warningRule is the grouping key GroupFindings gives a step's warning.
func warningRule(st Step) string {
	if st.Rule != "" {
		return st.Rule
	}
	return "step: " + StripAnnotation(st.Text)
}

// deviationTouches reports whether a declared deviation applies to a
// scenario: one of its tags or its name is listed, or its reason names the
// deviation's id.
func deviationTouches(d Deviation, sc Scenario) bool {
	for _, want := range d.Scenarios {
		w := strings.TrimPrefix(strings.TrimSpace(want), "@")
		if w == "" {
			continue
		}
		if strings.EqualFold(w, sc.Name) {
			return true
		}
		for _, tag := range sc.Tags {
			if strings.EqualFold(w, strings.TrimPrefix(tag, "@")) {
				return true
			}
		}
	}
	return d.ID != "" && strings.Contains(sc.Reason, d.ID)
}

// newScenarioView prepares one scenario; refs resolves finding and warning
// ids, warnByRule a step's warning to its id.
func newScenarioView(sc Scenario, anchor string, refs map[string]findingRef, warnByRule map[string]findingRef) scenarioView {
	class, label := statusLabel(sc.Status)
	v := scenarioView{
		Anchor:  anchor,
		Feature: sc.Feature,
		Name:    sc.Name,
		Tags:    sc.Tags,
		Status:  class,
		Label:   label,
		Reason:  sc.Reason,
		Trace:   filepath.ToSlash(sc.Trace),
	}
	for _, id := range sc.Findings {
		r, ok := refs[id]
		if !ok {
			continue
		}
		if class == "blocked" && v.BlockedBy == nil {
			v.BlockedBy = &r
			if rest, ok := strings.CutPrefix(sc.Reason, "blocked by "+id); ok {
				v.ReasonRest = rest
			} else if sc.Reason != "" {
				v.ReasonRest = " — " + sc.Reason
			}
			continue
		}
		v.FailedOn = append(v.FailedOn, r)
	}
	for _, id := range sc.Warnings {
		if r, ok := refs[id]; ok {
			v.Warned = append(v.Warned, r)
		}
	}
	for j, st := range sc.Steps {
		sv := stepView{No: j + 1, Text: st.Text, Status: st.Status, Error: st.Error, Authority: st.Authority,
			AuthClass: authClass(st.Authority), Cite: st.Cite, CiteHref: citeHref(st.Cite), Warning: st.Warning, Note: st.Note, Screenshot: st.Screenshot}
		if r, ok := refs[st.Finding]; ok && st.Finding != "" {
			sv.Finding = &r
		}
		if st.Warning != "" {
			if r, ok := warnByRule[warningRule(st)]; ok {
				sv.WarningID = &r
			}
		}
		for _, e := range st.Exchanges {
			sv.Exchanges = append(sv.Exchanges, newExchangeView(e))
		}
		v.Steps = append(v.Steps, sv)
	}
	if class == "fail" || class == "blocked" {
		for j, st := range v.Steps {
			if st.Status == "failed" {
				// A copy whose last exchange, the likeliest culprit, is shown
				// open; a step that made no request judged an earlier one.
				failed := st
				failed.Exchanges = append([]exchangeView(nil), st.Exchanges...)
				for k := j - 1; k >= 0 && len(failed.Exchanges) == 0; k-- {
					if n := len(v.Steps[k].Exchanges); n > 0 {
						failed.Exchanges = append(failed.Exchanges, v.Steps[k].Exchanges[n-1])
						v.FailedJudgedFrom = fmt.Sprintf("step %d: %s", k+1, v.Steps[k].Text)
					}
				}
				if n := len(failed.Exchanges); n > 0 {
					failed.Exchanges[n-1].Open = true
				}
				v.FailedStep = &failed
				break
			}
		}
	}
	return v
}

// newExchangeView prepares one exchange, redacting credentials headers and
// JSON credential members again in case the exchange did not come through a
// Recorder.
func newExchangeView(e Exchange) exchangeView {
	v := exchangeView{
		Method:     e.Method,
		URL:        e.URL,
		Path:       e.URL,
		Status:     e.Status,
		StatusText: http.StatusText(e.Status),
		Duration:   humanDuration(e.Duration),
		Err:        e.Err,
		ReqHeaders: renderHeaders(e.RequestHeaders),
		RspHdrs:    renderHeaders(e.ResponseHeaders),
	}
	v.Path = readablePath(e.URL)
	switch {
	case e.Status == 0:
		v.StatusClass = "fail"
	case e.Status >= 500:
		v.StatusClass = "fail"
	case e.Status >= 400:
		v.StatusClass = "warn"
	default:
		v.StatusClass = "pass"
	}
	v.ReqBody, v.ReqNote = renderBody(e.RequestBody, e.RequestBodyTruncated)
	v.RspBody, v.RspNote = renderBody(e.ResponseBody, e.ResponseBodyTruncated)
	if e.ResponseDecoded != "" {
		v.RspNote = strings.TrimSpace("decoded from " + e.ResponseDecoded + ". " + v.RspNote)
	}
	return v
}

// readablePath returns the path and query of a URL with percent-escapes
// decoded, so a filter reads as `userName eq "ada@example.com"`. The full URL,
// exactly as sent, is shown next to it.
func readablePath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return raw
	}
	out := u.Path
	if u.RawQuery != "" {
		q := u.RawQuery
		if dq, err := url.QueryUnescape(q); err == nil {
			q = dq
		}
		out += "?" + q
	}
	return out
}

// renderHeaders lists headers sorted by name, credentials hidden.
func renderHeaders(h http.Header) []headerView {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []headerView
	for _, name := range names {
		canon := http.CanonicalHeaderKey(name)
		for _, v := range h[name] {
			if sensitiveHeaders[canon] {
				v = redactHeaderValue(canon, v)
			}
			out = append(out, headerView{Name: canon, Value: v})
		}
	}
	return out
}

// renderBody returns a body for people: JSON indented, other text as is,
// binary as a note; cut at maxBodyRendered.
func renderBody(b []byte, truncated bool) (text, note string) {
	if len(b) == 0 {
		return "", ""
	}
	b = redactJSONFields(b)
	var notes []string
	if truncated {
		notes = append(notes, fmt.Sprintf("recorded body truncated to %d bytes.", MaxBodyKept))
	}
	if json.Valid(b) {
		var buf bytes.Buffer
		if err := json.Indent(&buf, b, "", "  "); err == nil {
			b = buf.Bytes()
		}
	}
	if !utf8.Valid(b) {
		notes = append(notes, fmt.Sprintf("%d bytes of binary data (see the HAR trace).", len(b)))
		return "", strings.Join(notes, " ")
	}
	if len(b) > maxBodyRendered {
		cut := maxBodyRendered
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		b = b[:cut]
		notes = append(notes, fmt.Sprintf("shown up to %d bytes; the HAR trace has the rest.", maxBodyRendered))
	}
	return string(b), strings.Join(notes, " ")
}

// humanDuration formats a duration for people: "850 ms", "12.3 s", "2 min 5 s".
func humanDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0 ms"
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	default:
		d = d.Round(time.Second)
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	}
}
