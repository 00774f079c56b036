// Package reports holds what the conformance suite and the mock Okta record and
// write: HTTP exchanges, HAR traces, summary.json and the HTML report. Generated
// files go to the reports/ directory by default and are never committed.
package reports

import (
	"net/http"
	"time"
)

// Exchange is one recorded HTTP request and its response, already redacted.
type Exchange struct {
	Started         time.Time
	Duration        time.Duration
	Method          string
	URL             string
	RequestHeaders  http.Header
	RequestBody     []byte
	Status          int // 0 when the request failed before a response
	ResponseHeaders http.Header
	ResponseBody    []byte
	Err             string // transport error, if any

	// Fields below were added with the recorder; zero values mean "unknown".

	Proto                 string // protocol of the response, e.g. "HTTP/1.1"
	RequestBodySize       int64  // bytes of request body sent, before any truncation of RequestBody
	RequestBodyTruncated  bool   // RequestBody keeps only the first MaxBodyKept bytes
	ResponseBodySize      int64  // bytes of response body received on the wire (still encoded)
	ResponseBodyTruncated bool   // ResponseBody keeps only the first MaxBodyKept bytes
	ResponseDecoded       string // Content-Encoding ("gzip", "deflate") decoded into ResponseBody, if any
}

// Scenario outcomes in summary.json and the HTML report.
const (
	StatusPass      = "pass"
	StatusFail      = "fail"
	StatusNotRun    = "not-run"
	StatusDeviation = "deviation"
	// StatusBlocked: a precondition failed for a cause that a finding of
	// another scenario already reports; the scenario judged nothing itself.
	StatusBlocked = "blocked"
)

// Authorities of findings (the same words as mockokta.Authority).
const (
	AuthorityOkta   = "okta"
	AuthorityRFC    = "rfc"
	AuthorityXakia  = "xakia"
	AuthorityAdvice = "advice"
)

// Run is the outcome of one conformance run, the input of the report writers.
type Run struct {
	Target     string // base URL of the location under test (no secrets)
	Profile    string // "xakia" or "okta"
	Tags       string // the godog tag expression that selected the scenarios
	Started    time.Time
	Duration   time.Duration
	Scenarios  []Scenario
	Deviations []Deviation // the declared deviations of the manifest in force
	// Findings are the distinct causes of failure, each with the scenarios
	// it fails and blocks (see GroupFindings).
	Findings []Finding
	// Warnings are advice-level findings: reported, never failing.
	Warnings []Finding
	// Notices are run-level remarks that judge nothing (e.g. a declared
	// deviation the target no longer shows).
	Notices []string
	// Strict makes not-run scenarios fail the verdict (SCIM_FAIL_ON_NOT_RUN).
	Strict bool
	// Interrupted is set when the run was stopped (signal or deadline)
	// before every selected scenario ran.
	Interrupted bool
}

// Finding is one cause of failure: a broken rule backed by an authority,
// with the scenarios it affects.
type Finding struct {
	ID        string   `json:"id"`        // "F1", "F2", … in order of first appearance
	Authority string   `json:"authority"` // AuthorityOkta, AuthorityRFC, AuthorityXakia or AuthorityAdvice
	Cite      string   `json:"cite"`      // the section or document backing it, e.g. "RFC 7644 §3.4.2"
	Rule      string   `json:"rule"`      // the cause, stable across scenarios (the grouping key)
	Message   string   `json:"message"`   // the first failure's message: the request and what came back
	Scenarios []string `json:"scenarios"` // scenarios that failed on it ("Feature / Scenario")
	Blocked   []string `json:"blocked"`   // scenarios whose precondition failed on it
}

// Scenario is one scenario's outcome.
type Scenario struct {
	// ID is the scenario's stable id: its @id:<slug> tag, followed for a
	// Scenario Outline by "/" and the slug of its example row's first cell
	// ("update-put-clears/a-null-displayname"). Titles may change; ids do
	// not.
	ID      string
	Feature string
	Name    string
	Tags    []string
	Status  string // StatusPass, StatusFail, StatusNotRun or StatusDeviation
	Reason  string // why it failed, was not run, or which deviation applied
	Steps   []Step
	Trace   string // path of its HAR file relative to the report directory
	// Findings are the ids of the findings this scenario failed on or is
	// blocked by; Warnings the ids of the warnings it raised.
	Findings []string
	Warnings []string
}

// Step is one step's outcome with the HTTP exchanges it made.
type Step struct {
	Text      string
	Status    string // "passed", "failed", "skipped", "undefined", "pending"
	Error     string
	Exchanges []Exchange
	// Kind is "context" (Given), "action" (When) or "outcome" (Then).
	Kind string
	// Authority and Cite back a failed check (or a warning); Rule is its
	// cause; Finding is the id of the finding it belongs to.
	Authority string
	Cite      string
	Rule      string
	Finding   string
	// Warning holds an advice-level remark of a step that passed; Note a
	// rule of another profile that was observed but not judged.
	Warning string
	Note    string
	// Screenshot is the path, relative to the report directory, of a PNG
	// of the page the step left (browser scenarios); empty otherwise.
	Screenshot string `json:",omitempty"`
}

// Deviation is a declared limitation of the target and what it means for Okta.
type Deviation struct {
	ID          string
	Description string
	OktaImpact  string
	Scenarios   []string // tags or scenario names it applies to
}
