package mockokta

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// LoadOptions configure [Okta.Load].
type LoadOptions struct {
	// Users is the number of users to assign (at least 1).
	Users int
	// Concurrency is the number of assignments in flight (default 4).
	Concurrency int
	// Domain is the email domain of the generated users (default example.com).
	Domain string
	// Progress, when set, is called after each finished assignment with the
	// counts so far (from several goroutines, never concurrently).
	Progress func(done, failed int)
	// OnResult, when set, receives every assignment's result (never
	// concurrently), e.g. to keep its exchanges for a HAR file.
	OnResult func(TaskResult)
}

// LoadReport summarises a bulk assignment.
type LoadReport struct {
	Users          int           `json:"users"`     // assignments attempted
	Succeeded      int           `json:"succeeded"` // assignments that succeeded
	Failed         int           `json:"failed"`
	Duration       time.Duration `json:"durationNs"`
	UsersPerSecond float64       `json:"usersPerSecond"`
	Requests       int           `json:"requests"`
	P50            time.Duration `json:"p50Ns"`
	P95            time.Duration `json:"p95Ns"`
	P99            time.Duration `json:"p99Ns"`
	// RequestsByStatus counts every HTTP attempt by status ("0" when no
	// response came back).
	RequestsByStatus map[string]int `json:"requestsByStatus"`
	// FailuresByCause counts failed assignments by the HTTP status that
	// failed them, or "timeout", "rate-limited", "transport", "canceled".
	FailuresByCause map[string]int `json:"failuresByCause,omitempty"`
	// Examples holds up to five failure messages.
	Examples []string `json:"examples,omitempty"`
}

// Load assigns opts.Users new users the way Okta provisions a bulk
// assignment (lookup + POST per user), opts.Concurrency at a time. It stops
// starting new assignments when ctx is done. The users are added to the
// directory but the caller decides whether to keep them.
func (o *Okta) Load(ctx context.Context, opts LoadOptions) LoadReport {
	if opts.Users < 1 {
		opts.Users = 1
	}
	if opts.Concurrency < 1 {
		opts.Concurrency = 4
	}
	if opts.Domain == "" {
		opts.Domain = "example.com"
	}
	rep := LoadReport{RequestsByStatus: map[string]int{}, FailuresByCause: map[string]int{}}
	tag, err := randomString(o.random, lowerAlphanumerics, 6)
	if err != nil {
		rep.Failed, rep.Examples = 1, []string{err.Error()}
		return rep
	}

	var mu sync.Mutex
	var latencies []time.Duration
	observe := func(ob Observation) {
		mu.Lock()
		defer mu.Unlock()
		latencies = append(latencies, ob.Duration)
		rep.RequestsByStatus[strconv.Itoa(ob.Status)]++
	}
	octx := withObserver(ctx, observe)

	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				p := ProfileFromEmail(fmt.Sprintf("load-%s-%d@%s", tag, i, opts.Domain), "Load", fmt.Sprintf("User%d", i))
				r := o.AddAndAssign(octx, p)
				mu.Lock()
				rep.Users++
				if r.OK {
					rep.Succeeded++
				} else {
					rep.Failed++
					rep.FailuresByCause[failureCause(ctx, r)]++
					if len(rep.Examples) < 5 {
						rep.Examples = append(rep.Examples, r.Message)
					}
				}
				if opts.OnResult != nil {
					opts.OnResult(r)
				}
				if opts.Progress != nil {
					opts.Progress(rep.Users, rep.Failed)
				}
				mu.Unlock()
			}
		}()
	}
dispatch:
	for i := 1; i <= opts.Users; i++ {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break dispatch
		}
	}
	close(jobs)
	wg.Wait()
	rep.Duration = time.Since(start)
	if rep.Duration > 0 {
		rep.UsersPerSecond = float64(rep.Succeeded) / rep.Duration.Seconds()
	}
	rep.Requests = len(latencies)
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	rep.P50, rep.P95, rep.P99 = percentile(latencies, 50), percentile(latencies, 95), percentile(latencies, 99)
	if len(rep.FailuresByCause) == 0 {
		rep.FailuresByCause = nil
	}
	return rep
}

// failureCause classifies a failed task for the load summary.
func failureCause(ctx context.Context, r TaskResult) string {
	switch {
	case r.Status != 0 && r.Status != http.StatusTooManyRequests:
		return strconv.Itoa(r.Status)
	case r.Status == http.StatusTooManyRequests:
		return "rate-limited"
	case ctx.Err() != nil:
		return "canceled"
	case r.Err != nil && errDetail(r.Err) == "Read timed out":
		return "timeout"
	case r.Err != nil:
		return "transport"
	default:
		return "invalid response"
	}
}

// percentile returns the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}
