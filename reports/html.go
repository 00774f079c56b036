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
// external assets, no script needed) with the verdict, the counts, a table
// per feature, the failures with their HTTP exchanges, the declared
// deviations with their Okta impact, the scenarios not run with their reasons
// and every scenario, collapsed. dir is created if needed.
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
	Pass        bool
	Verdict     string
	VerdictLine string
	Target      string
	Profile     string
	Tags        string
	Started     string
	Duration    string
	Counts      summaryCounts
	Total       int
	Features    []featureRow
	Failures    []scenarioView
	Deviations  []deviationView
	NotRun      []scenarioView
	All         []featureGroup
}

type featureRow struct {
	Name                          string
	Pass, Fail, Deviation, NotRun int
	Total                         int
}

type featureGroup struct {
	Name      string
	Scenarios []scenarioView
}

type scenarioView struct {
	Anchor     string
	Feature    string
	Name       string
	Tags       []string
	Status     string // CSS class and label key: pass, fail, deviation, not-run
	Label      string
	Reason     string
	Trace      string
	FailedStep *stepView
	Steps      []stepView
}

type stepView struct {
	Text      string
	Status    string
	Error     string
	Exchanges []exchangeView
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
	default:
		return "fail", "failed (" + status + ")"
	}
}

// newPage prepares the view of run.
func newPage(run Run) page {
	pass, fail, deviation, notRun := Counts(run)
	p := page{
		Pass:        Verdict(run) == VerdictPass,
		Verdict:     strings.ToUpper(Verdict(run)),
		VerdictLine: VerdictLine(run),
		Target:      run.Target,
		Profile:     run.Profile,
		Tags:        run.Tags,
		Duration:    humanDuration(run.Duration),
		Counts:      summaryCounts{Pass: pass, Fail: fail, Deviation: deviation, NotRun: notRun},
		Total:       len(run.Scenarios),
	}
	if !run.Started.IsZero() {
		p.Started = run.Started.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	anchors := slugs(run)
	views := make([]scenarioView, len(run.Scenarios))
	featureIndex := map[string]int{}
	for i, sc := range run.Scenarios {
		v := newScenarioView(sc, "s-"+anchors[i])
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
		default:
			row.Fail++
		}
		p.All[fi].Scenarios = append(p.All[fi].Scenarios, v)
		switch v.Status {
		case "fail":
			p.Failures = append(p.Failures, v)
		case "not-run":
			p.NotRun = append(p.NotRun, v)
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

// newScenarioView prepares one scenario.
func newScenarioView(sc Scenario, anchor string) scenarioView {
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
	for _, st := range sc.Steps {
		sv := stepView{Text: st.Text, Status: st.Status, Error: st.Error}
		for _, e := range st.Exchanges {
			sv.Exchanges = append(sv.Exchanges, newExchangeView(e))
		}
		v.Steps = append(v.Steps, sv)
	}
	if class == "fail" {
		for _, st := range v.Steps {
			if st.Status == "failed" {
				// A copy whose last exchange, the likeliest culprit, is shown open.
				failed := st
				failed.Exchanges = append([]exchangeView(nil), st.Exchanges...)
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
