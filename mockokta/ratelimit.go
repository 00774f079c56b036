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

// RateLimitPolicy is Okta's handling of 429 Too Many Requests.
type RateLimitPolicy struct {
	// MaxAttempts is the number of requests sent before the task fails
	// (10 for Okta).
	MaxAttempts int
	// DefaultWait is the wait when Retry-After is missing or not an
	// integer number of seconds (5 minutes for Okta).
	DefaultWait time.Duration
}

// OktaRateLimitPolicy returns Okta's documented policy: at most 10 attempts,
// Retry-After seconds or else 5 minutes, doubling on each further 429.
func OktaRateLimitPolicy() RateLimitPolicy {
	return RateLimitPolicy{MaxAttempts: 10, DefaultWait: 5 * time.Minute}
}

// Wait returns how long to wait after the n-th consecutive 429 (n starts at
// 1) whose Retry-After header value is retryAfter: the header's integer
// seconds, or DefaultWait when it is missing, an HTTP-date, "null" or
// anything else, doubled for every 429 before this one.
func (p RateLimitPolicy) Wait(n int, retryAfter string) time.Duration {
	base := p.DefaultWait
	if secs, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && secs >= 0 {
		base = time.Duration(secs) * time.Second
	}
	if n < 1 {
		n = 1
	}
	for i := 1; i < n && base < 24*time.Hour; i++ {
		base *= 2
	}
	return base
}
