package reference

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxBuckets bounds the rate limiter's memory; when full, idle buckets are
// dropped (a dropped bucket is simply full again, which errs on the side of
// serving).
const maxBuckets = 10000

// rateLimiter is a token bucket per API key (golang.org/x/time/rate): rate
// tokens per second, a burst of rate tokens. A nil limiter (rate 0) allows
// everything. What x/time/rate does not do, and this type adds, is one bucket
// per key with bounded memory, and the wait until the next token for
// Retry-After.
type rateLimiter struct {
	rate    rate.Limit
	burst   int
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

func newRateLimiter(perSecond int) *rateLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &rateLimiter{rate: rate.Limit(perSecond), burst: perSecond, buckets: map[string]*rate.Limiter{}}
}

// allow takes a token from key's bucket at now. When none is left it
// returns false and how long until the next token (nothing is taken).
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
		b = rate.NewLimiter(l.rate, l.burst)
		l.buckets[key] = b
	}
	if b.AllowN(now, 1) {
		return 0, true
	}
	missing := 1 - b.TokensAt(now)
	return time.Duration(missing / float64(l.rate) * float64(time.Second)), false
}

// evictIdle drops buckets that have refilled completely (they behave like
// new ones); if none has, it drops them all.
func (l *rateLimiter) evictIdle(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}
