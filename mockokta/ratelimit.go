package mockokta

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Clock is the time source of the 429 policy, so that tests can use a fake
// clock and the CLI can compress waits.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever comes first, and
	// returns ctx.Err() in the second case.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock with every sleep multiplied by Scale. A zero
// or negative Scale means 1 (real time); 0.001 turns a 5-minute wait into
// 300 ms.
type RealClock struct {
	Scale float64
}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Scaled returns d×Scale, the time Sleep(d) really waits.
func (c RealClock) Scaled(d time.Duration) time.Duration {
	if c.Scale > 0 && c.Scale != 1 {
		return time.Duration(float64(d) * c.Scale)
	}
	return d
}

// Sleep waits d×Scale or until ctx is done.
func (c RealClock) Sleep(ctx context.Context, d time.Duration) error {
	d = c.Scaled(d)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RateLimitPolicy is Okta's handling of 429 Too Many Requests: the task
// whose request got 429 is paused and rescheduled, and a rescheduled task
// starts again from its first request (docs/okta-wire.md, "Rate limits
// (429)").
//
// It is written here rather than taken from golang.org/x/time/rate on
// purpose: Okta does not pace its requests with a token bucket, it reacts
// to the server's 429 with a per-task schedule (Retry-After seconds or 5
// minutes, then doubling, at most 10 runs). A limiter would make the mock
// send at a rate of its own choosing instead of replaying that schedule,
// which the golden transcripts and the load reports pin. The reference
// server's own limit (reference/ratelimit.go) is a token bucket and uses
// x/time/rate.
type RateLimitPolicy struct {
	// MaxAttempts is the number of times a task is run before it fails
	// (10 for Okta).
	MaxAttempts int
	// DefaultWait is the first wait when Retry-After is missing or not an
	// integer number of seconds (5 minutes for Okta).
	DefaultWait time.Duration
}

// OktaRateLimitPolicy returns Okta's documented policy: at most 10 attempts
// of a task, the first wait Retry-After seconds (else 5 minutes), each
// further wait double the previous one and never shorter than Retry-After.
func OktaRateLimitPolicy() RateLimitPolicy {
	return RateLimitPolicy{MaxAttempts: 10, DefaultWait: 5 * time.Minute}
}

// maxWait caps a doubled wait so that it cannot overflow.
const maxWait = 24 * time.Hour

// Next returns the wait before the next attempt of a task, given the
// previous wait (0 before the first) and the Retry-After header value of
// the 429 that paused it: the first wait is Retry-After's integer seconds
// or DefaultWait; every later wait is double the previous one, raised to
// Retry-After when that is longer.
func (p RateLimitPolicy) Next(prev time.Duration, retryAfter string) time.Duration {
	ra, hasRA := time.Duration(0), false
	if secs, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && secs >= 0 {
		ra, hasRA = min(time.Duration(secs)*time.Second, maxWait), true
	}
	if prev <= 0 {
		if hasRA {
			return ra
		}
		return p.DefaultWait
	}
	return max(min(2*prev, maxWait), ra)
}
