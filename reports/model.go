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
}

// Scenario is one scenario's outcome.
type Scenario struct {
	Feature string
	Name    string
	Tags    []string
	Status  string // StatusPass, StatusFail, StatusNotRun or StatusDeviation
	Reason  string // why it failed, was not run, or which deviation applied
	Steps   []Step
	Trace   string // path of its HAR file relative to the report directory
}

// Step is one step's outcome with the HTTP exchanges it made.
type Step struct {
	Text      string
	Status    string // "passed", "failed", "skipped", "undefined", "pending"
	Error     string
	Exchanges []Exchange
}

// Deviation is a declared limitation of the target and what it means for Okta.
type Deviation struct {
	ID          string
	Description string
	OktaImpact  string
	Scenarios   []string // tags or scenario names it applies to
}
