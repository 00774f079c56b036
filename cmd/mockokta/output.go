package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/reports"
)

// jsonRequest is one HTTP exchange in --json output (already redacted).
type jsonRequest struct {
	Method     string  `json:"method"`
	URL        string  `json:"url"`
	Status     int     `json:"status"`
	DurationMs float64 `json:"durationMs"`
	Error      string  `json:"error,omitempty"`
}

// jsonTask is a task result with its requests.
type jsonTask struct {
	mockokta.TaskResult
	Requests []jsonRequest `json:"requests"`
}

// jsonStep is a lifecycle step with its tasks and verification requests.
type jsonStep struct {
	Name     string           `json:"name"`
	OK       bool             `json:"ok"`
	NotRun   bool             `json:"notRun,omitempty"`
	Verdict  string           `json:"verdict"`
	Tasks    []jsonTask       `json:"tasks,omitempty"`
	Checks   []mockokta.Check `json:"checks,omitempty"`
	Requests []jsonRequest    `json:"verificationRequests,omitempty"`
}

// jsonOutput is the document printed with --json.
type jsonOutput struct {
	Command   string     `json:"command"`
	OK        bool       `json:"ok"`
	ExitCode  int        `json:"exitCode"`
	Target    string     `json:"target"`
	Mode      string     `json:"mode"`
	Tasks     []jsonTask `json:"tasks,omitempty"`
	Steps     []jsonStep `json:"steps,omitempty"`
	Load      *jsonLoad  `json:"load,omitempty"`
	Warnings  []string   `json:"warnings,omitempty"`
	Unreached string     `json:"unreachable,omitempty"`
}

// jsonLoad is the load summary with durations in milliseconds.
type jsonLoad struct {
	mockokta.LoadReport
	DurationMs float64 `json:"durationMs"`
	P50Ms      float64 `json:"p50Ms"`
	P95Ms      float64 `json:"p95Ms"`
	P99Ms      float64 `json:"p99Ms"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func requestsOf(ex []reports.Exchange) []jsonRequest {
	out := make([]jsonRequest, 0, len(ex))
	for _, e := range ex {
		out = append(out, jsonRequest{Method: e.Method, URL: e.URL, Status: e.Status, DurationMs: ms(e.Duration), Error: e.Err})
	}
	return out
}

func taskJSON(r mockokta.TaskResult) jsonTask {
	return jsonTask{TaskResult: r, Requests: requestsOf(r.Exchanges)}
}

// printJSON writes v as indented JSON.
func (c *cli) printJSON(v any) {
	enc := json.NewEncoder(c.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(c.stderr, "mockokta: encoding JSON: %v\n", err)
	}
}

// newJSONOutput starts the --json document.
func (c *cli) newJSONOutput() jsonOutput {
	return jsonOutput{Command: c.command, Target: c.okta.App().BaseURL, Mode: string(c.okta.App().Style)}
}

// pathOf returns the path and query of a URL for the log.
func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if u.RawQuery != "" {
		return u.EscapedPath() + "?" + u.RawQuery
	}
	return u.EscapedPath()
}

// printExchanges prints one line per request, like Okta's provisioning log.
func (c *cli) printExchanges(ex []reports.Exchange, prefix string) {
	for _, e := range ex {
		status := fmt.Sprintf("%d", e.Status)
		if e.Status == 0 {
			status = "ERR"
		}
		line := fmt.Sprintf("%s%s %-6s %s -> %s (%s)", prefix, e.Started.Format("15:04:05.000"), e.Method, pathOf(e.URL), status, millis(e.Duration))
		if e.Err != "" {
			line += ": " + e.Err
		}
		fmt.Fprintln(c.stdout, line)
	}
}

// printTask prints a task's requests and its result in Okta's words.
func (c *cli) printTask(r mockokta.TaskResult, prefix string) {
	c.printExchanges(r.Exchanges, prefix)
	mark := "[ok]    "
	if !r.OK {
		mark = "[FAILED]"
	}
	who := string(r.Operation)
	if r.User != "" {
		who += " " + r.User
	}
	fmt.Fprintf(c.stdout, "%s%s %s: %s\n", prefix, mark, who, r.Message)
	if !r.OK && r.Authority != "" {
		fmt.Fprintf(c.stdout, "%s         authority: %s (docs/okta-wire.md)\n", prefix, r.Authority)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(c.stdout, "%s         warning: %s\n", prefix, w)
	}
}

// reportTasks prints the results of single-task commands and returns the
// exit code: 0 all succeeded, 1 a task failed, 2 the target was unreachable.
func (c *cli) reportTasks(results ...mockokta.TaskResult) int {
	code := exitOK
	var unreachable error
	out := c.newJSONOutput()
	for _, r := range results {
		c.collect(r.Exchanges)
		if !c.g.json {
			c.printTask(r, "")
		}
		out.Tasks = append(out.Tasks, taskJSON(r))
		if !r.OK {
			code = exitFailed
			if mockokta.IsUnreachable(r.Err) {
				unreachable = r.Err
			}
		}
	}
	if unreachable != nil {
		code = exitUsage
		out.Unreached = unreachable.Error()
	}
	out.OK, out.ExitCode = code == exitOK, code
	if c.g.json {
		c.printJSON(out)
	}
	if unreachable != nil {
		return c.unreachable(unreachable)
	}
	return c.finish(code)
}

// indent is the prefix of lines inside a lifecycle step.
const indent = "    "

// printStep prints a lifecycle step as it finishes.
func (c *cli) printStep(s mockokta.Step) {
	fmt.Fprintf(c.stdout, "== %s\n", s.Name)
	for _, t := range s.Tasks {
		c.printTask(t, indent)
	}
	if len(s.Exchanges) > 0 {
		fmt.Fprintf(c.stdout, "%sverification requests (not sent by Okta):\n", indent)
		c.printExchanges(s.Exchanges, indent+"  ")
	}
	for _, ch := range s.Checks {
		if !ch.OK {
			fmt.Fprintf(c.stdout, "%scheck failed: %s\n", indent, ch.Text)
		}
	}
	fmt.Fprintf(c.stdout, "%s%s\n\n", indent, verdictLine(s))
}

func verdictLine(s mockokta.Step) string {
	if s.NotRun {
		return s.Verdict
	}
	return strings.TrimSpace(s.Verdict)
}
