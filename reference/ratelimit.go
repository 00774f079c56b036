package reference

import (
	"sync"
	"time"
)

// maxBuckets bounds the rate limiter's memory; when full, idle buckets are
// dropped (a dropped bucket is simply full again, which errs on the side of
// serving).
const maxBuckets = 10000

// rateLimiter is a token bucket per API key: rate tokens per second, burst of
// rate tokens. A nil or zero-rate limiter allows everything.
type rateLimiter struct {
	rate    float64
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(perSecond int) *rateLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &rateLimiter{rate: float64(perSecond), buckets: map[string]*bucket{}}
}

// allow takes a token from key's bucket. When none is left it returns false
// and how long until the next token.
func (l *rateLimiter) allow(key string, now time.Time) (time.Duration, bool) {
	if l == nil {
		return 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.evictIdle(now)
		}
		b = &bucket{tokens: l.rate, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(l.rate, b.tokens+elapsed*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	missing := 1 - b.tokens
	return time.Duration(missing / l.rate * float64(time.Second)), false
}

// evictIdle drops buckets that have refilled completely (they behave like
// new ones); if none has, it drops them all.
func (l *rateLimiter) evictIdle(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.last).Seconds()*l.rate+b.tokens >= l.rate {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}
