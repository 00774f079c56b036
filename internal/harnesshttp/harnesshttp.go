// Package harnesshttp builds the one HTTP client of the harness: every
// request the conformance suite, its runner (probes, ServiceProviderConfig,
// the admin API) and the container starter send goes through a client made
// here. The mock Okta has its own client on purpose: it replays Okta's
// behaviour (its 429 policy), not the harness's.
//
// The client is resty over a transport that caps response bodies
// (reports.LimitBody), optionally recorded by a redacting recorder, and it
// never follows a redirect (the credential stays home) and never retries
// (Okta does not retry, and a retried write would hide what the target did).
package harnesshttp

import (
	"net/http"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/xakia-okta/scimtest/reports"
)

// Options configure a client made by New.
type Options struct {
	// Base is the transport requests finally go through; nil means
	// http.DefaultTransport.
	Base http.RoundTripper
	// MaxBody caps every response body, in bytes; 0 or less means
	// reports.DefaultMaxBody. A longer body fails the request with a
	// *reports.BodyTooLargeError.
	MaxBody int64
	// Timeout bounds each request (0: only the request's context does).
	Timeout time.Duration
	// Record, when not nil, wraps the capped transport, typically in a
	// reports.Recorder: it sees exactly what the client sends and receives
	// (transport errors included, which resty's hooks never see).
	Record func(next http.RoundTripper) http.RoundTripper
}

// New returns a resty client configured by o: bodies capped, redirects
// answered as they are (a 3xx is returned, never followed), no retries.
func New(o Options) *resty.Client {
	base := o.Base
	if base == nil {
		base = http.DefaultTransport
	}
	maxBody := o.MaxBody
	if maxBody <= 0 {
		maxBody = reports.DefaultMaxBody
	}
	rt := reports.LimitBody(base, maxBody)
	if o.Record != nil {
		rt = o.Record(rt)
	}
	return resty.New().
		SetTransport(rt).
		SetTimeout(o.Timeout).
		SetRetryCount(0).
		SetRedirectPolicy(resty.RedirectPolicyFunc(reports.RefuseRedirect))
}
