package benchtable

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// loadDoc is the part of `mockokta --json load` output a benchmark needs.
type loadDoc struct {
	Command  string   `json:"command"`
	OK       bool     `json:"ok"`
	Warnings []string `json:"warnings"`
	Load     *struct {
		Users          int     `json:"users"`
		Succeeded      int     `json:"succeeded"`
		Failed         int     `json:"failed"`
		UsersPerSecond float64 `json:"usersPerSecond"`
		P99Ms          float64 `json:"p99Ms"`
		Memory         *struct {
			ClientPeakRSS int64 `json:"clientPeakRssBytes"`
			ServerPeakRSS int64 `json:"serverPeakRssBytes"`
		} `json:"memory"`
	} `json:"load"`
}

// LoadResult turns the JSON document `mockokta --json load` prints into a
// Result named name: users/s, p99-ms and, when measured, the peak RSS of
// the load process (client-rss-MB) and of the server (server-rss-MB), in
// MB of 10^6 bytes. A run in which assignments failed, or that was stopped
// before every user was attempted, is an error: its rate would flatter the
// server.
func LoadResult(name string, doc []byte) (Result, error) {
	var d loadDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return Result{}, fmt.Errorf("benchtable: the load output is not mockokta's JSON: %w", err)
	}
	if d.Load == nil {
		return Result{}, errors.New("benchtable: the load output has no load summary")
	}
	l := d.Load
	if l.Failed > 0 || l.Succeeded == 0 {
		return Result{}, fmt.Errorf("benchtable: %s: %d of %d assignments failed", name, l.Failed, l.Users)
	}
	if !d.OK {
		return Result{}, fmt.Errorf("benchtable: %s: the run did not finish: %s", name, strings.Join(d.Warnings, "; "))
	}
	r := Result{Name: name, Iterations: int64(l.Succeeded), Metrics: map[string]float64{
		MetricUsersPerSecond: l.UsersPerSecond,
		MetricP99:            l.P99Ms,
	}}
	if m := l.Memory; m != nil {
		if m.ClientPeakRSS > 0 {
			r.Metrics[MetricClientRSS] = float64(m.ClientPeakRSS) / 1e6
		}
		if m.ServerPeakRSS > 0 {
			r.Metrics[MetricServerRSS] = float64(m.ServerPeakRSS) / 1e6
		}
	}
	return r, nil
}
