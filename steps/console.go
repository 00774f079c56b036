package steps

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xakia-okta/scimtest/reports"
)

// featureProgress prints the compact console's live lines: one per feature,
// when its last scenario has run, with the outcome counts of its run
// scenarios and the not-run ones the selection left out. godog runs the
// scenarios of a feature together, so a change of feature closes the
// previous one.
type featureProgress struct {
	out    io.Writer
	order  []string       // features in file order
	notRun map[string]int // not-run scenarios known before the run, per feature

	mu      sync.Mutex
	current string
	counts  map[string]map[string]int
	printed map[string]bool
}

func newFeatureProgress(out io.Writer, order []string, notRun []reports.Scenario) *featureProgress {
	p := &featureProgress{out: out, order: order, notRun: map[string]int{},
		counts: map[string]map[string]int{}, printed: map[string]bool{}}
	for _, s := range notRun {
		p.notRun[s.Feature]++
	}
	return p
}

// scenarioDone records the status of a finished scenario of feature.
func (p *featureProgress) scenarioDone(feature, status string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.current != "" && p.current != feature {
		p.flushLocked(p.current)
	}
	p.current = feature
	if p.counts[feature] == nil {
		p.counts[feature] = map[string]int{}
	}
	p.counts[feature][status]++
}

// finish prints the features not printed yet (the last one, and those
// whose scenarios were all left out), in file order.
func (p *featureProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.order {
		if p.counts[f] != nil || p.notRun[f] > 0 {
			p.flushLocked(f)
		}
	}
}

func (p *featureProgress) flushLocked(feature string) {
	if p.printed[feature] {
		return
	}
	p.printed[feature] = true
	c := p.counts[feature]
	failed := c[reports.StatusFail] + c[reports.StatusBlocked]
	mark := "ok  "
	if failed > 0 {
		mark = "FAIL"
	}
	line := fmt.Sprintf("%s %-62s %3d passed", mark, feature, c[reports.StatusPass])
	if n := c[reports.StatusDeviation]; n > 0 {
		line += fmt.Sprintf(", %d deviation", n)
	}
	if failed > 0 {
		line += fmt.Sprintf(", %d failed", failed)
	}
	if n := c[reports.StatusNotRun] + p.notRun[feature]; n > 0 {
		line += fmt.Sprintf(", %d not run", n)
	}
	fmt.Fprintln(p.out, line)
}

// consoleBodyLimit is how much of a request or answer body the console
// shows; the HAR trace of the scenario has all of it.
const consoleBodyLimit = 2048

// printFailures prints every failed scenario in full: the failed step, its
// error, the finding's authority and citation, and the request and answer
// that showed it (the step's last exchange, else the last one before it).
// Blocked scenarios get one line naming the finding that blocked them.
func printFailures(out io.Writer, r reports.Run) {
	first := true
	for _, s := range r.Scenarios {
		if s.Status != reports.StatusFail && s.Status != reports.StatusBlocked {
			continue
		}
		if first {
			fmt.Fprintln(out, "\nFAILURES (every exchange is in index.html and traces/ of the report directory):")
			first = false
		}
		if s.Status == reports.StatusBlocked {
			fmt.Fprintf(out, "\nBLOCKED %s / %s\n  %s\n", s.Feature, s.Name, s.Reason)
			continue
		}
		fmt.Fprintf(out, "\nFAILED %s / %s\n", s.Feature, s.Name)
		j := failedStep(s.Steps)
		if j < 0 {
			fmt.Fprintf(out, "  reason:    %s\n", s.Reason)
			continue
		}
		st := s.Steps[j]
		fmt.Fprintf(out, "  step:      %s\n", st.Text)
		if st.Error != "" {
			fmt.Fprintf(out, "  error:     %s\n", indentRest(st.Error, "             "))
		}
		if st.Authority != "" {
			auth := st.Authority
			if st.Cite != "" {
				auth += " — " + st.Cite
			}
			if st.Finding != "" {
				auth += " (finding " + st.Finding + ")"
			}
			fmt.Fprintf(out, "  authority: %s\n", auth)
		}
		if e, ok := lastExchange(s.Steps, j); ok {
			fmt.Fprintf(out, "  request:   %s %s\n", e.Method, e.URL)
			printBody(out, e.RequestBody, e.RequestBodySize)
			switch {
			case e.Status == 0:
				fmt.Fprintf(out, "  answer:    none: %s\n", e.Err)
			default:
				fmt.Fprintf(out, "  answer:    %d %s\n", e.Status, e.ResponseHeaders.Get("Content-Type"))
				printBody(out, e.ResponseBody, e.ResponseBodySize)
			}
		}
	}
}

// failedStep is the index of the first step that neither passed nor was
// skipped, or -1.
func failedStep(steps []reports.Step) int {
	for i, st := range steps {
		if st.Status != "passed" && st.Status != "skipped" {
			return i
		}
	}
	return -1
}

// lastExchange is the last exchange of step j, else of the nearest step
// before it that made one.
func lastExchange(steps []reports.Step, j int) (reports.Exchange, bool) {
	for k := j; k >= 0; k-- {
		if n := len(steps[k].Exchanges); n > 0 {
			return steps[k].Exchanges[n-1], true
		}
	}
	return reports.Exchange{}, false
}

// printBody prints a body indented under its request or answer line, cut
// at consoleBodyLimit on a rune boundary.
func printBody(out io.Writer, body []byte, size int64) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return
	}
	total := max(size, int64(len(body)))
	cut := false
	if len(body) > consoleBodyLimit {
		body = body[:consoleBodyLimit]
		for len(body) > 0 && !utf8.Valid(body) {
			body = body[:len(body)-1]
		}
		cut = true
	}
	text := indentRest(string(body), "             ")
	if cut {
		text += fmt.Sprintf(" … (%d bytes in all; the trace has the whole body)", total)
	}
	fmt.Fprintf(out, "             %s\n", text)
}

// indentRest indents every line of s after the first with prefix.
func indentRest(s, prefix string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

// stepDefinitionSuffix matches the "# register.go:12 -> *World" godog's
// pretty formatter appends to each step: where the step is defined, which
// says nothing to someone judging a server.
var stepDefinitionSuffix = regexp.MustCompile(`\s+# [^\s#]+\.go:\d+ -> \S.*$`)

// suffixStripper drops stepDefinitionSuffix from each line it writes. It
// holds back an unfinished line until its end arrives (or Flush).
type suffixStripper struct {
	out     io.Writer
	partial []byte
}

// Write writes the complete lines of p, without their step-definition
// suffix, and keeps the rest for the next write.
func (s *suffixStripper) Write(p []byte) (int, error) {
	data := append(s.partial, p...)
	s.partial = nil
	var clean bytes.Buffer
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		clean.Write(stepDefinitionSuffix.ReplaceAll(data[:i], nil))
		clean.WriteByte('\n')
		data = data[i+1:]
	}
	s.partial = append([]byte(nil), data...)
	if clean.Len() > 0 {
		if _, err := s.out.Write(clean.Bytes()); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes an unfinished last line.
func (s *suffixStripper) Flush() error {
	if len(s.partial) == 0 {
		return nil
	}
	_, err := s.out.Write(stepDefinitionSuffix.ReplaceAll(s.partial, nil))
	s.partial = nil
	return err
}
