package mockokta

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestLifecycleAgainstFake runs the lifecycle against the fake in both
// styles, in full and limited query-attribute modes, with more than 100
// users so the import walks several pages.
func TestLifecycleAgainstFake(t *testing.T) {
	for _, style := range []Style{StyleOIN, StyleAIW} {
		for _, limited := range []bool{false, true} {
			name := string(style) + map[bool]string{false: "/full", true: "/limited"}[limited]
			t.Run(name, func(t *testing.T) {
				f := newFake(t)
				f.limited = limited
				for i := range 120 {
					f.add(fakeUser{UserName: "bg" + toJSON(i) + "@example.com", Active: true})
				}
				o := newTestOkta(t, f, style, nil)
				rep := o.Lifecycle(context.Background(), LifecycleOptions{Users: 3})
				if !rep.OK {
					for _, s := range rep.Steps {
						t.Logf("%s: %s", s.Name, s.Verdict)
					}
					t.Fatal("lifecycle failed against a conformant fake")
				}
				names := []string{}
				for _, s := range rep.Steps {
					names = append(names, s.Name)
				}
				if got := strings.Join(names, ","); got != "test-connection,assign,assign-existing,update,unassign,reassign,import" {
					t.Errorf("steps %s", got)
				}
				for _, q := range f.requests() {
					if q.Method == http.MethodDelete {
						t.Errorf("DELETE sent to %s", q.Path)
					}
				}
			})
		}
	}
}

// TestLifecycleDetectsForgottenUsers checks that a server that hides
// deactivated users fails the lifecycle with the reason.
func TestLifecycleDetectsForgottenUsers(t *testing.T) {
	f := newFake(t)
	o := newTestOkta(t, f, StyleOIN, nil)
	f.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		id := strings.TrimPrefix(r.URL.Path, fakePrefix+"/Users/")
		if r.Method == http.MethodGet && id != r.URL.Path {
			if u := f.find(id); u != nil && !u.Active {
				writeJSON(w, 404, scimErr(404, "", "User not found"))
				return true
			}
		}
		return false
	}
	rep := o.Lifecycle(context.Background(), LifecycleOptions{Users: 2})
	if rep.OK {
		t.Fatal("lifecycle passed although deactivated users answer 404")
	}
	var unassign *Step
	for i := range rep.Steps {
		if rep.Steps[i].Name == "unassign" {
			unassign = &rep.Steps[i]
		}
	}
	if unassign == nil || unassign.OK || !strings.Contains(unassign.Verdict, "answered 404, want 200 after the deactivation") {
		t.Fatalf("unassign step: %+v", unassign)
	}
}

// TestLoadAgainstFake runs a small bulk assignment.
func TestLoadAgainstFake(t *testing.T) {
	f := newFake(t)
	o := newTestOkta(t, f, StyleOIN, func(_ *App, opts *Options) { opts.NoRecord = true })
	calls := 0
	rep := o.Load(context.Background(), LoadOptions{Users: 40, Concurrency: 4, Progress: func(done, failed int) { calls++ }})
	if rep.Users != 40 || rep.Succeeded != 40 || rep.Failed != 0 {
		t.Fatalf("report %+v", rep)
	}
	if rep.Requests != 80 || rep.RequestsByStatus["200"] != 40 || rep.RequestsByStatus["201"] != 40 {
		t.Errorf("requests %d by status %v, want 40 lookups and 40 creates", rep.Requests, rep.RequestsByStatus)
	}
	if calls != 40 {
		t.Errorf("progress called %d times", calls)
	}
	if rep.P50 > rep.P95 || rep.P95 > rep.P99 || rep.P99 <= 0 {
		t.Errorf("percentiles out of order: %v %v %v", rep.P50, rep.P95, rep.P99)
	}

	// A server that refuses creates: every failure is counted by status.
	f2 := newFake(t)
	f2.hook = func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.Method == http.MethodPost {
			writeJSON(w, 409, scimErr(409, "uniqueness", "taken"))
			return true
		}
		return false
	}
	o2 := newTestOkta(t, f2, StyleOIN, nil)
	rep = o2.Load(context.Background(), LoadOptions{Users: 5, Concurrency: 2})
	if rep.Failed != 5 || rep.FailuresByCause["409"] != 5 || len(rep.Examples) != 5 {
		t.Errorf("report %+v", rep)
	}
}
