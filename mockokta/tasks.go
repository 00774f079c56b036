package mockokta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/reports"
)

// Operation names a provisioning task.
type Operation string

// The tasks the mock Okta performs.
const (
	OpTestConnection Operation = "test-connection"
	OpAssign         Operation = "assign"
	OpUpdate         Operation = "update"
	OpUnassign       Operation = "unassign"
	OpDeactivate     Operation = "deactivate"
	OpSuspend        Operation = "suspend"
	OpReactivate     Operation = "reactivate"
	OpReassign       Operation = "reassign"
	OpPasswordSync   Operation = "password-sync"
	OpImport         Operation = "import"
)

// TaskResult is the outcome of one provisioning task, as Okta's task list
// and system log would show it, with the HTTP exchanges it made.
type TaskResult struct {
	Operation Operation `json:"operation"`
	User      string    `json:"user,omitempty"`   // Okta login
	OktaID    string    `json:"oktaId,omitempty"` // 00u… id
	SCIMID    string    `json:"scimId,omitempty"` // id the SCIM server gave
	OK        bool      `json:"ok"`
	// Message is Okta's wording: a success line, or "Automatic provisioning
	// of user … to app … failed: …".
	Message string `json:"message"`
	// Authority backs a failure: okta unless a finding of another
	// authority failed the task (empty when the task succeeded).
	Authority Authority `json:"authority,omitempty"`
	// Warnings never fail the task (advice).
	Warnings []string `json:"warnings,omitempty"`
	// Findings are what the task judged about the server's answers, each
	// with its authority; advice findings never fail the task.
	Findings []Finding `json:"findings,omitempty"`
	// Attempts is how many times the task ran (more than 1 after a 429
	// paused and rescheduled it).
	Attempts int `json:"attempts,omitempty"`
	// Created is true when the task POSTed a new user; Linked when it
	// linked to a user found by the lookup.
	Created bool `json:"created,omitempty"`
	Linked  bool `json:"linked,omitempty"`
	// Imported holds the users an import would bring into Okta.
	Imported []ImportedUser `json:"imported,omitempty"`
	// ImportSkipped counts inactive users an import left out.
	ImportSkipped int `json:"importSkipped,omitempty"`
	// Status is the HTTP status of the response that failed the task (0
	// when it succeeded or when no response came back).
	Status int `json:"status,omitempty"`
	// Exchanges are the redacted HTTP exchanges, in order.
	Exchanges []reports.Exchange `json:"-"`
	// Err is the underlying error of a failed task (nil for an HTTP
	// error status); see IsUnreachable.
	Err error `json:"-"`
	// LastBody is the decoded body of the last write response (POST, PUT
	// or PATCH), for callers that verify what the server answered.
	LastBody []byte `json:"-"`
}

// Finding is one judgement of a task about the server, with the authority
// that backs it and where that authority says so.
type Finding struct {
	Authority Authority `json:"authority"`
	Text      string    `json:"text"`
	// Source is the section that backs it: an RFC section such as
	// "RFC 7644 §3.4.2.4" or a section of docs/okta-wire.md.
	Source string `json:"source,omitempty"`
}

// String renders the finding as "[authority] text (source)".
func (f Finding) String() string {
	s := "[" + string(f.Authority) + "] " + f.Text
	if f.Source != "" {
		s += " (" + f.Source + ")"
	}
	return s
}

// task accumulates a TaskResult.
type task struct {
	ctx context.Context
	o   *Okta
	s   *session
	res TaskResult
	// display is the user's display name in failure messages.
	display string
}

func (o *Okta) newTask(ctx context.Context, op Operation, u *User) *task {
	t := &task{ctx: ctx, o: o, s: o.client.session(), res: TaskResult{Operation: op}}
	if u != nil {
		t.res.User = u.Profile.Login
		t.res.OktaID = u.ID
		t.display = u.Profile.DisplayName
		if t.display == "" {
			t.display = u.Profile.Login
		}
	}
	return t
}

// done finishes the task with a success message.
func (t *task) done(format string, args ...any) TaskResult {
	t.res.OK = true
	t.res.Message = fmt.Sprintf(format, args...)
	t.res.Exchanges = t.s.exchanges()
	return t.res
}

// warn records advice: a warning that does not fail the task.
func (t *task) warn(format string, args ...any) {
	t.finding(AuthorityAdvice, "", format, args...)
}

// finding records a judgement; advice findings are also warnings.
func (t *task) finding(a Authority, source, format string, args ...any) Finding {
	f := Finding{Authority: a, Text: fmt.Sprintf(format, args...), Source: source}
	t.res.Findings = append(t.res.Findings, f)
	if !a.Fails() {
		t.res.Warnings = append(t.res.Warnings, f.String())
	}
	return f
}

// failMsg finishes the task with a message used verbatim.
func (t *task) failMsg(err error, msg string) TaskResult {
	t.res.OK = false
	if t.res.Authority == "" {
		t.res.Authority = AuthorityOkta
	}
	t.res.Message = msg
	switch {
	case errors.Is(err, ErrRateLimited):
		t.res.Status = http.StatusTooManyRequests
	case err == nil && (t.s.lastStatus < 200 || t.s.lastStatus > 299):
		t.res.Status = t.s.lastStatus
	}
	t.res.Err = err
	t.res.Exchanges = t.s.exchanges()
	return t.res
}

// fail finishes a user task with Okta's failure wording:
// "Automatic provisioning of user <login> to app <App> failed: <doing>: <detail>".
func (t *task) fail(err error, doing, detail string) TaskResult {
	return t.failMsg(err, fmt.Sprintf("Automatic provisioning of user %s to app %s failed: %s: %s",
		t.res.User, t.o.app.Name, doing, detail))
}

// httpDetail words an HTTP error response the way Okta shows it:
// "Conflict. Errors reported by remote server: <SCIM detail>".
func httpDetail(resp *response) string {
	text := http.StatusText(resp.Status)
	if text == "" {
		text = fmt.Sprintf("HTTP %d", resp.Status)
	}
	if d := strings.TrimSpace(scimError(resp.Body)); d != "" {
		return fmt.Sprintf("%s. Errors reported by remote server: %s", text, d)
	}
	return fmt.Sprintf("%s (HTTP %d), no SCIM error detail in the response", text, resp.Status)
}

// errDetail words a request that got no usable response.
func errDetail(err error) string {
	var re *RequestError
	switch {
	case errors.Is(err, ErrRateLimited):
		return "Rate limit exceeded: " + err.Error()
	case errors.As(err, &re) && re.Timeout:
		return "Read timed out"
	case IsUnreachable(err):
		return "Connect to the SCIM server failed: " + err.Error()
	default:
		return err.Error()
	}
}

// send performs a request and, when it fails at the transport level,
// returns the finished failed result (ok false).
func (t *task) send(doing, method, path, query string, body []byte) (*response, *TaskResult) {
	resp, err := t.s.do(t.ctx, method, path, query, body)
	if err != nil {
		r := t.fail(err, doing, errDetail(err))
		return nil, &r
	}
	return resp, nil
}

// retrying runs a task under Okta's 429 policy: when a request of the task
// gets 429 the task is paused and then run again from its first request (a
// fresh lookup before a POST), up to the policy's MaxAttempts runs. The
// first pause is Retry-After (or DefaultWait), each later one double the
// previous and at least Retry-After. The result carries the exchanges of
// every run and one warning per pause.
func (o *Okta) retrying(ctx context.Context, run func() TaskResult) TaskResult {
	var (
		wait      time.Duration
		exchanges []reports.Exchange
		pauses    []string
	)
	policy, clock := o.client.policy, o.client.clock
	for attempt := 1; ; attempt++ {
		r := run()
		r.Attempts = attempt
		var rl *rateLimitedError
		limited := !r.OK && errors.As(r.Err, &rl)
		if !limited || attempt >= policy.MaxAttempts {
			if limited {
				r.Message += fmt.Sprintf(" (the task was run %d times, each paused by a 429)", attempt)
			}
			r.Exchanges = append(exchanges, r.Exchanges...)
			r.Warnings = append(pauses, r.Warnings...)
			return r
		}
		exchanges = append(exchanges, r.Exchanges...)
		wait = policy.Next(wait, rl.RetryAfter)
		ra := rl.RetryAfter
		if ra == "" {
			ra = "none"
		}
		pauses = append(pauses, fmt.Sprintf("run %d: %s %s answered 429 (Retry-After %s); the task was paused for %s and rescheduled", attempt, rl.Method, rl.Path, ra, wait))
		if err := clock.Sleep(ctx, wait); err != nil {
			r.Message += ": the wait after a 429 was interrupted: " + err.Error()
			r.Err, r.Status = err, 0
			r.Exchanges = exchanges
			r.Warnings = append(pauses, r.Warnings...)
			return r
		}
	}
}
