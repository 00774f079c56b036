package reference

import (
	"strconv"
	"testing"
	"time"
)

func TestRateLimiterBuckets(t *testing.T) {
	l := newRateLimiter(2)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		key  string
		at   time.Duration
		ok   bool
		wait time.Duration
	}{
		{"a", 0, true, 0},
		{"a", 0, true, 0},
		{"a", 0, false, 500 * time.Millisecond},
		{"b", 0, true, 0}, // buckets are per key
		{"a", 250 * time.Millisecond, false, 250 * time.Millisecond},
		{"a", 500 * time.Millisecond, true, 0},
		{"a", 3 * time.Second, true, 0},
		{"a", 3 * time.Second, true, 0}, // refilled to the burst, not beyond
		{"a", 3 * time.Second, false, 500 * time.Millisecond},
	}
	for i, s := range steps {
		wait, ok := l.allow(s.key, t0.Add(s.at))
		if ok != s.ok || wait != s.wait {
			t.Errorf("step %d: ok %v wait %v, want %v %v", i, ok, wait, s.ok, s.wait)
		}
	}
	if _, ok := newRateLimiter(0).allow("x", t0); !ok {
		t.Errorf("disabled limiter refused")
	}
}

func TestRateLimit429(t *testing.T) {
	e := newEnv(t, Config{RateLimit: 1}, "one", "two")
	a, b := e.loc(0), e.loc(1)
	var limited *resp
	for range 5 {
		r := e.do("GET", a.Base+"/Users", a.Key, "")
		if r.Status == 429 {
			limited = &r
			break
		}
		if r.Status != 200 {
			t.Fatalf("status %d", r.Status)
		}
	}
	if limited == nil {
		t.Fatal("five requests at once with a limit of 1/s were all served")
	}
	assertSCIMError(t, *limited, 429, "")
	secs, err := strconv.Atoi(limited.Header.Get("Retry-After"))
	if err != nil || secs < 1 {
		t.Errorf("Retry-After %q", limited.Header.Get("Retry-After"))
	}
	if r := e.do("GET", b.Base+"/Users", b.Key, ""); r.Status != 200 {
		t.Errorf("another key is limited too: %d", r.Status)
	}
	// Without a limit nothing is refused.
	e2 := newEnv(t, Config{})
	for range 20 {
		if r := e2.do("GET", e2.loc(0).Base+"/Users", e2.loc(0).Key, ""); r.Status != 200 {
			t.Fatalf("unlimited server: %d", r.Status)
		}
	}
}
