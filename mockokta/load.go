package mockokta

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
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
	// Forget drops each user from the directory and its assignment once
	// its task is over, so that the memory of a run does not grow with its
	// number of users (callers that keep no state).
	Forget bool
}

// LoadReport summarises a bulk assignment.
type LoadReport struct {
	Users          int           `json:"users"`     // assignments attempted
	Succeeded      int           `json:"succeeded"` // assignments that succeeded
	Failed         int           `json:"failed"`
	Duration       time.Duration `json:"durationNs"`
	UsersPerSecond float64       `json:"usersPerSecond"`
	Requests       int           `json:"requests"`
	// P50, P95, P99 and Max are the latencies of every HTTP attempt, from
	// Latency (percentiles within 3 %).
	P50 time.Duration `json:"p50Ns"`
	P95 time.Duration `json:"p95Ns"`
	P99 time.Duration `json:"p99Ns"`
	Max time.Duration `json:"maxNs"`
	// ByMethod gives the latency of Okta's lookups (GET) and creates (POST)
	// apart: they cost a server very different work.
	ByMethod map[string]MethodLatency `json:"byMethod,omitempty"`
	// LatencyBins is the histogram of every attempt's latency (1-2-5 bins).
	LatencyBins []LatencyBin `json:"latencyHistogram,omitempty"`
	// Latency holds every attempt's latency, for the text histogram and
	// the chart.
	Latency *LatencyHistogram `json:"-"`
	// RequestsByStatus counts every HTTP attempt by status ("0" when no
	// response came back).
	RequestsByStatus map[string]int `json:"requestsByStatus"`
	// FailuresByCause counts failed assignments by the HTTP status that
	// failed them, or "timeout", "rate-limited", "transport", "canceled".
	FailuresByCause map[string]int `json:"failuresByCause,omitempty"`
	// Examples holds up to five failure messages.
	Examples []string `json:"examples,omitempty"`
	// Memory is the peak resident memory of the processes involved, when
	// the caller measured it (Load leaves it nil).
	Memory *LoadMemory `json:"memory,omitempty"`
}

// MethodLatency is the latency of the requests of one HTTP method.
type MethodLatency struct {
	Requests int           `json:"requests"`
	P50      time.Duration `json:"p50Ns"`
	P99      time.Duration `json:"p99Ns"`
}

// LoadMemory is the peak resident set size (VmHWM on Linux) of the load
// process and, when it could be found, of the server it loaded.
type LoadMemory struct {
	// ClientPeakRSS is the load process's own peak, in bytes (0: unknown).
	ClientPeakRSS int64 `json:"clientPeakRssBytes"`
	// ServerPeakRSS is the server process's peak, in bytes (0: unknown).
	ServerPeakRSS int64 `json:"serverPeakRssBytes,omitempty"`
	// ServerPID is the server's process id when it is a local process,
	// and ServerName its command name.
	ServerPID  int    `json:"serverPid,omitempty"`
	ServerName string `json:"serverName,omitempty"`
	// ServerNote says why ServerPeakRSS is missing or what it includes
	// ("in this process" for an embedded server).
	ServerNote string `json:"serverNote,omitempty"`
}

// loadStats collects the observations of a run; its methods are called
// with the run's mutex held.
type loadStats struct {
	all      LatencyHistogram
	byMethod map[string]*LatencyHistogram
	status   map[int]int
}

func (s *loadStats) observe(ob Observation) {
	s.all.Record(ob.Duration)
	h := s.byMethod[ob.Method]
	if h == nil {
		h = &LatencyHistogram{}
		s.byMethod[ob.Method] = h
	}
	h.Record(ob.Duration)
	s.status[ob.Status]++
}

// Load assigns opts.Users new users the way Okta provisions a bulk
// assignment (lookup + POST per user), opts.Concurrency at a time. It stops
// starting new assignments when ctx is done. The users are added to the
// directory and linked, unless opts.Forget drops them. Latencies are
// kept in histograms, so the memory of a run does not grow with its
// number of requests.
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
	stats := loadStats{byMethod: map[string]*LatencyHistogram{}, status: map[int]int{}}
	octx := withObserver(ctx, func(ob Observation) {
		mu.Lock()
		stats.observe(ob)
		mu.Unlock()
	})

	// Each worker takes the next user number itself: no dispatcher
	// goroutine, no channel hand-off per user.
	var next atomic.Int64
	prefix := "load-" + tag + "-"
	domain := "@" + opts.Domain
	var wg sync.WaitGroup
	start := time.Now()
	for range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1))
				if i > opts.Users {
					return
				}
				n := strconv.Itoa(i)
				p := ProfileFromEmail(prefix+n+domain, "Load", "User"+n)
				r := o.AddAndAssign(octx, p)
				if opts.Forget {
					o.dir.Remove(p.Login)
					o.RemoveLink(r.OktaID)
				}
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
	wg.Wait()
	rep.Duration = time.Since(start)
	if rep.Duration > 0 {
		rep.UsersPerSecond = float64(rep.Succeeded) / rep.Duration.Seconds()
	}
	h := &stats.all
	rep.Latency = h
	rep.Requests = h.Count()
	rep.P50, rep.P95, rep.P99, rep.Max = h.Percentile(50), h.Percentile(95), h.Percentile(99), h.Max()
	rep.LatencyBins = h.Bins()
	for status, n := range stats.status {
		rep.RequestsByStatus[strconv.Itoa(status)] = n
	}
	if len(stats.byMethod) > 0 {
		rep.ByMethod = make(map[string]MethodLatency, len(stats.byMethod))
		for m, mh := range stats.byMethod {
			rep.ByMethod[m] = MethodLatency{Requests: mh.Count(), P50: mh.Percentile(50), P99: mh.Percentile(99)}
		}
	}
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
