//go:build !race

// The mutation self-test runs the whole conformance suite against the
// embedded reference once with no fault, then once per reference fault. It is built
// without the race detector only: with -race a run takes ~25 s instead of
// ~4 s. `make test` runs it with
//
//	go test -count=1 -run '^TestMutationSelfTest$' .
//
// With -short only its table check runs (the suite runs are skipped).
//
// Regenerate the golden file after a deliberate change of the features or
// of the reference faults with
//
//	go test -count=1 -run '^TestMutationSelfTest$' -update-mutation .
//
// and review the diff: each fault's list is its guard scenarios plus the
// collateral failures it causes.

package scimtest_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xakia-okta/scimtest/reference"
	"github.com/xakia-okta/scimtest/reports"
	"github.com/xakia-okta/scimtest/steps"
)

// mutationUpdate rewrites the golden file instead of comparing with it.
var mutationUpdate = flag.Bool("update-mutation", false, "rewrite "+mutationGoldenPath+" from the runs of TestMutationSelfTest")

// mutationGoldenPath is the golden file: for each fault, the sorted ids of
// the scenarios it makes fail, or only warn (suffix mutationWarned).
const mutationGoldenPath = "testdata/mutation/expected.json"

// mutationParallel is how many faulty runs go at once (the machine has two
// cores; each run is one embedded reference plus the suite).
const mutationParallel = 2

// mutationRunTimeout bounds one run of the suite.
const mutationRunTimeout = 5 * time.Minute

// mutationWarned marks, in the tables, a scenario that a fault only made
// warn: an advice-level check (a SHOULD of the RFCs) noticed it, and the
// scenario still passed.
const mutationWarned = " (warning)"

// mutationAdviceOnly are the faults that break only a SHOULD, with why: the
// suite notices them with a warning and still passes (exit 0), so their
// guards are warned scenarios.
var mutationAdviceOnly = map[string]string{
	"keep-duplicate-values": "RFC 7643 §2.4: a (type, value) pair SHOULD NOT be returned twice",
}

// mutationKey names a scenario the way the golden files do: by its stable
// id (its @id tag, plus the example row of an outline), so that titles can
// be improved without touching the golden files.
func mutationKey(s reports.Scenario) string { return s.ID }

// mutationGuards returns, for every reference fault, its guard scenarios
// (by id): those written to catch exactly the rule the fault breaks (their
// title states that rule). Each of them must fail when the fault is on.
func mutationGuards() map[string][]string {
	return map[string][]string{
		"full-query-attributes": {
			// Returning more than declared is a notice, not a failure; the rule
			// that still breaks is the admin switch between the two modes.
			"query-admin-switches-mode",
		},
		"case-sensitive-username": {
			"create-409-other-case",
			"query-filter-username-any-case",
		},
		"forget-deactivated": {
			"deactivate-keeps-data",
		},
		"accept-any-key": {
			"connection-no-key-401",
			"connection-wrong-key-401",
			"connection-wrong-scheme-401",
			"connection-writes-without-key",
		},
		"create-returns-200": {
			"create-answers-201",
		},
		"no-location-header": {
			"create-answers-201",
		},
		"ignore-nopath-patch": {
			"deactivate-oin-patch",
			"update-patch-no-path",
		},
		"put-clears-absent": {
			"update-put-keeps-absent",
		},
		"auto-invite": {
			"invite-scim-user-not-invited",
			"signin-okta-user-needs-invite",
		},
		"reinvite-existing": {
			"invite-pre-existing-converted-by-put",
			"invite-pre-existing-converted-by-patch",
			"signin-pre-existing-converted-signs-in-with-okta",
		},
		"string-paging": {
			"connection-users-test-call",
			"query-paging-fields",
		},
		"unstable-paging": {
			"query-import-walk",
		},
		"total-is-page-size": {
			"query-import-walk",
			"query-paging-fields",
		},
		"conflict-as-400": {
			"create-409-other-case",
			"create-409-same-username",
		},
		"no-error-schema": {
			"errors-scim-error-body",
		},
		"new-id-on-reactivate": {
			"deactivate-reassign-same-id",
			"deactivate-aiw-reactivate-same-id",
		},
		"returns-password": {
			"create-password-never-returned",
		},
		"cross-location-ids": {
			"isolation-id-404-elsewhere",
		},
		"old-key-valid": {
			"connection-rotated-key",
		},
		"invite-inactive": {
			"invite-inactive-409",
		},
		"server-error-on-bad-json": {
			"errors-malformed-json-put",
			"errors-malformed-json-create",
		},
		"patch-not-atomic": {
			"errors-patch-atomic-bad-value",
			"errors-patch-atomic-bad-path",
		},
		"groups-404": {
			"connection-groups-test-call",
			"okta-spec-step-10",
		},
		"no-www-authenticate": {
			"connection-no-key-401",
			"connection-wrong-key-401",
			"connection-wrong-scheme-401",
		},
		"deactivated-can-sign-in": {
			"invite-deactivated-cannot-sign-in",
			"signin-deactivated-refused",
		},
		"password-after-okta": {
			"signin-password-refused-after-okta",
		},
		"signin-ignores-invite": {
			"signin-okta-user-needs-invite",
		},
		"no-body-limit": {
			"errors-413-one-long-value",
			"errors-413-many-small-attributes",
		},
		"keep-cleared-values": {
			"update-patch-add-remove",
			"update-put-clears/a-null-locale",
		},
		"items-per-page-is-count": {
			"create-lookup-miss",
		},
		"filter-eq-only": {
			"filter-operator/sw",
			"filter-logical-operators/or",
		},
		"multivalued-filter-never-matches": {
			"filter-multi-valued/a-dotted-path",
			"filter-multi-valued/a-value-filter",
		},
		"duplicate-primary": {
			"rfc-one-primary-create",
			"rfc-one-primary-put",
			"rfc-one-primary-patch",
		},
		"keep-duplicate-values": {
			"rfc-no-duplicate-values" + mutationWarned,
		},
		"noop-patch-bumps-version": {
			"rfc-noop-patch-keeps-version",
			"rfc-noop-patch-email-keeps-version",
		},
		"ignore-attributes-param": {
			"rfc-attributes-get",
			"rfc-excluded-attributes-get",
			"rfc-attributes-list",
			"rfc-attributes-put",
		},
		"etag-mismatch": {
			"rfc-etag-is-version",
		},
		"ignore-if-match": {
			"rfc-if-match-412",
		},
		"ignore-if-none-match": {
			"rfc-if-none-match-304",
		},
	}
}

// mutationOutcome is what one faulty run produced.
type mutationOutcome struct {
	code    int
	failing []string          // sorted ids of the failing (and warned, mutationWarned) scenarios
	reasons map[string]string // failing scenario -> its Reason; warned scenario -> its warnings
	// findings and blocked count the distinct findings and the blocked
	// scenarios of the run.
	findings, blocked int
}

// mutationRun runs the whole suite against the embedded reference with the
// given faults (none for the baseline), reports in a temporary directory.
func mutationRun(t *testing.T, faults ...string) mutationOutcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), mutationRunTimeout)
	defer cancel()
	run, code := steps.Run(ctx, steps.Config{
		Profile:    steps.ProfileXakia,
		ReportsDir: t.TempDir(),
		Output:     io.Discard,
		Faults:     faults,
	})
	out := mutationOutcome{code: code, reasons: map[string]string{}, findings: len(run.Findings), blocked: reports.BlockedCount(run)}
	warnings := map[string]string{}
	for _, f := range run.Warnings {
		warnings[f.ID] = f.Message
	}
	for _, s := range run.Scenarios {
		switch {
		case s.Status == reports.StatusFail:
			key := mutationKey(s)
			out.failing = append(out.failing, key)
			out.reasons[key] = s.Reason
		case len(s.Warnings) > 0:
			key := mutationKey(s) + mutationWarned
			out.failing = append(out.failing, key)
			var msgs []string
			for _, id := range s.Warnings {
				msgs = append(msgs, warnings[id])
			}
			out.reasons[key] = strings.Join(msgs, "; ")
		}
	}
	sort.Strings(out.failing)
	if code == steps.ExitConfig {
		t.Fatalf("faults %v: exit 2 (nothing was judged): %s", faults, reports.VerdictLine(run))
	}
	return out
}

// mutationScenarioNames lists the id of every scenario of a run, so that
// the tables can be checked against the real scenarios.
func mutationScenarioNames(run reports.Run) map[string]bool {
	names := map[string]bool{}
	for _, s := range run.Scenarios {
		names[mutationKey(s)] = true
	}
	return names
}

// mutationReadGolden reads the golden file.
func mutationReadGolden() (map[string][]string, error) {
	return readVerdictGolden[map[string][]string](mutationGoldenPath)
}

// mutationWriteGolden writes the golden file (keys sorted by encoding/json).
func mutationWriteGolden(golden map[string][]string) error {
	return writeVerdictGolden(mutationGoldenPath, golden)
}

// mutationDiff returns what got has that want lacks (added) and the reverse
// (missing). Both inputs may be unsorted; the outputs are sorted.
func mutationDiff(want, got []string) (added, missing []string) {
	inWant := map[string]bool{}
	for _, s := range want {
		inWant[s] = true
	}
	inGot := map[string]bool{}
	for _, s := range got {
		inGot[s] = true
		if !inWant[s] {
			added = append(added, s)
		}
	}
	for _, s := range want {
		if !inGot[s] {
			missing = append(missing, s)
		}
	}
	sort.Strings(added)
	sort.Strings(missing)
	return added, missing
}

// mutationCheckTables checks that the guard table and the golden file cover
// exactly the reference faults and name only scenarios that exist. known is
// nil when the scenario names are not available.
func mutationCheckTables(guards, golden map[string][]string, known map[string]bool) []error {
	var errs []error
	faults := map[string]bool{}
	for _, f := range reference.Faults() {
		faults[f.Name] = true
		if len(guards[f.Name]) == 0 {
			errs = append(errs, fmt.Errorf("fault %q has no guard scenario in mutationGuards", f.Name))
		}
		if golden != nil {
			if _, ok := golden[f.Name]; !ok {
				errs = append(errs, fmt.Errorf("fault %q has no entry in %s (regenerate with -update-mutation)", f.Name, mutationGoldenPath))
			}
		}
	}
	check := func(where string, table map[string][]string) {
		for _, fault := range slices.Sorted(maps.Keys(table)) {
			if !faults[fault] {
				errs = append(errs, fmt.Errorf("%s names %q, which is not a fault of reference.Faults()", where, fault))
			}
			seen := map[string]bool{}
			for _, sc := range table[fault] {
				if seen[sc] {
					errs = append(errs, fmt.Errorf("%s: fault %q lists %q twice", where, fault, sc))
				}
				seen[sc] = true
				if known != nil && !known[strings.TrimSuffix(sc, mutationWarned)] {
					errs = append(errs, fmt.Errorf("%s: fault %q names the scenario %q, which the suite does not have", where, fault, sc))
				}
			}
		}
	}
	check("mutationGuards", guards)
	if golden != nil {
		check(mutationGoldenPath, golden)
		for _, fault := range slices.Sorted(maps.Keys(guards)) {
			if want, ok := golden[fault]; ok {
				// Guards that the golden list lacks come out as "added".
				if added, _ := mutationDiff(want, guards[fault]); len(added) > 0 {
					errs = append(errs, fmt.Errorf("fault %q: guard scenarios missing from %s: %s", fault, mutationGoldenPath, strings.Join(added, "; ")))
				}
			}
		}
	}
	return errs
}

// TestMutationTables checks, without running the suite, that the guard table
// and the golden file cover every reference fault and nothing else.
func TestMutationTables(t *testing.T) {
	golden, err := mutationReadGolden()
	if err != nil {
		t.Fatalf("cannot read the golden file: %v (regenerate with go test -run TestMutationSelfTest -update-mutation .)", err)
	}
	for _, err := range mutationCheckTables(mutationGuards(), golden, nil) {
		t.Error(err)
	}
}

// mutationTestCheckTables proves that mutationCheckTables reports each kind
// of defect, so that a green table check means something.
func mutationTestCheckTables(t *testing.T) {
	full := func() (map[string][]string, map[string][]string, map[string]bool) {
		guards, golden, known := map[string][]string{}, map[string][]string{}, map[string]bool{}
		for _, f := range reference.Faults() {
			sc := "guard-of-" + f.Name
			guards[f.Name] = []string{sc}
			golden[f.Name] = []string{sc, "collateral"}
			known[sc] = true
		}
		known["collateral"] = true
		return guards, golden, known
	}
	first := reference.Faults()[0].Name
	tests := []struct {
		name   string
		mutate func(guards, golden map[string][]string, known map[string]bool)
		want   string
	}{
		{"complete tables pass", func(_, _ map[string][]string, _ map[string]bool) {}, ""},
		{"fault without guard", func(g, _ map[string][]string, _ map[string]bool) { delete(g, first) }, "has no guard scenario"},
		{"fault without golden entry", func(_, gold map[string][]string, _ map[string]bool) { delete(gold, first) }, "has no entry in"},
		{"unknown fault in guards", func(g, _ map[string][]string, _ map[string]bool) { g["no-such-fault"] = []string{"collateral"} }, `names "no-such-fault"`},
		{"unknown fault in golden", func(_, gold map[string][]string, _ map[string]bool) { gold["no-such-fault"] = nil }, `names "no-such-fault"`},
		{"unknown scenario", func(g, _ map[string][]string, _ map[string]bool) { g[first] = append(g[first], "nope") }, `"nope", which the suite does not have`},
		{"guard absent from golden", func(_, gold map[string][]string, _ map[string]bool) { gold[first] = []string{"collateral"} }, "guard scenarios missing from"},
		{"duplicate", func(_, gold map[string][]string, _ map[string]bool) {
			gold[first] = append(gold[first], "collateral")
		}, "twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			guards, golden, known := full()
			tc.mutate(guards, golden, known)
			errs := mutationCheckTables(guards, golden, known)
			joined := errors.Join(errs...)
			switch {
			case tc.want == "" && joined != nil:
				t.Fatalf("unexpected errors: %v", joined)
			case tc.want != "" && (joined == nil || !strings.Contains(joined.Error(), tc.want)):
				t.Fatalf("want an error containing %q, got %v", tc.want, joined)
			}
		})
	}
}

// TestMutationSelfTest proves that every check of the suite can fail: with no
// fault the suite passes; with each reference fault it fails, its guard
// scenarios among the failures, and the failing set is exactly the one
// recorded in the golden file.
func TestMutationSelfTest(t *testing.T) {
	t.Run("table-check", mutationTestCheckTables)
	if t.Failed() {
		t.FailNow()
	}
	if testing.Short() {
		t.Skip("mutation self-test did NOT run: -short (27 runs of the whole suite, 1-2 min); make test runs it")
	}

	started := time.Now()

	ctx, cancel := context.WithTimeout(context.Background(), mutationRunTimeout)
	baseRun, baseCode := steps.Run(ctx, steps.Config{Profile: steps.ProfileXakia, ReportsDir: t.TempDir(), Output: io.Discard})
	cancel()
	if baseCode != steps.ExitPass {
		var failing []string
		for _, s := range baseRun.Scenarios {
			if s.Status == reports.StatusFail {
				failing = append(failing, mutationKey(s)+" ("+s.Name+"): "+s.Reason)
			}
		}
		t.Fatalf("baseline (no fault): exit %d, want 0; failing:\n  %s", baseCode, strings.Join(failing, "\n  "))
	}
	known := mutationScenarioNames(baseRun)
	if len(known) != len(baseRun.Scenarios) {
		t.Fatalf("baseline: %d scenarios but only %d distinct ids; the golden files need a unique @id per scenario", len(baseRun.Scenarios), len(known))
	}
	t.Logf("baseline: exit 0, %d scenarios, none failing", len(baseRun.Scenarios))

	guards := mutationGuards()
	var golden map[string][]string
	if !*mutationUpdate {
		var err error
		if golden, err = mutationReadGolden(); err != nil {
			t.Fatalf("cannot read the golden file: %v (regenerate with -update-mutation)", err)
		}
	}
	if errs := mutationCheckTables(guards, golden, known); len(errs) > 0 {
		t.Fatalf("the mutation tables are inconsistent:\n%v", errors.Join(errs...))
	}

	var mu sync.Mutex
	observed := map[string][]string{}
	sem := make(chan struct{}, mutationParallel)
	t.Run("faults", func(t *testing.T) {
		for _, fault := range reference.Faults() {
			t.Run(fault.Name, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()

				got := mutationRun(t, fault.Name)
				mu.Lock()
				observed[fault.Name] = got.failing
				mu.Unlock()
				t.Logf("%s (%s): exit %d, %d findings, %d failing scenarios, %d blocked", fault.Name, fault.Description, got.code, got.findings, len(got.failing), got.blocked)
				if why, advice := mutationAdviceOnly[fault.Name]; advice {
					if got.code != steps.ExitPass {
						t.Errorf("exit %d, want %d: %s breaks only a SHOULD (%s), which must warn, not fail", got.code, steps.ExitPass, fault.Name, why)
					}
				} else if got.code != steps.ExitFail {
					t.Errorf("exit %d, want %d: no check noticed that %s", got.code, steps.ExitFail, fault.Description)
				}
				for i, g := range guards[fault.Name] {
					reason, failed := got.reasons[g]
					switch {
					case !failed:
						t.Errorf("guard scenario did not fail (or, for %s, warn): %s", mutationWarned, g)
					case strings.TrimSpace(reason) == "":
						t.Errorf("guard scenario failed without a reason: %s", g)
					case i == 0:
						t.Logf("guard %s failed: %s", g, reason)
					}
				}
				if golden == nil {
					var b strings.Builder
					for _, s := range got.failing {
						fmt.Fprintf(&b, "\n  %s: %s", s, got.reasons[s])
					}
					t.Logf("failing scenarios, for review of the golden file:%s", b.String())
					return
				}
				added, missing := mutationDiff(golden[fault.Name], got.failing)
				if len(added) > 0 || len(missing) > 0 {
					var b strings.Builder
					fmt.Fprintf(&b, "the failing scenarios differ from %s (regenerate with -update-mutation if the change is deliberate)", mutationGoldenPath)
					for _, s := range added {
						fmt.Fprintf(&b, "\n  + now fails:       %s: %s", s, got.reasons[s])
					}
					for _, s := range missing {
						fmt.Fprintf(&b, "\n  - no longer fails: %s", s)
					}
					t.Error(b.String())
				}
			})
		}
	})

	mu.Lock()
	runs := 1 + len(observed)
	mu.Unlock()
	t.Logf("mutation self-test: %d runs (baseline + %d faults) in %s", runs, runs-1, time.Since(started).Round(time.Millisecond))

	if *mutationUpdate {
		if t.Failed() {
			t.Fatalf("not writing %s: the runs above failed", mutationGoldenPath)
		}
		// A -run filter may have skipped some faults: keep their old lists,
		// drop the lists of faults that no longer exist.
		old, err := mutationReadGolden()
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("not writing %s: %v", mutationGoldenPath, err)
		}
		merged := map[string][]string{}
		for _, f := range reference.Faults() {
			if got, ok := observed[f.Name]; ok {
				merged[f.Name] = got
			} else if prev, ok := old[f.Name]; ok {
				merged[f.Name] = prev
			}
		}
		if err := mutationWriteGolden(merged); err != nil {
			t.Fatalf("writing %s: %v", mutationGoldenPath, err)
		}
		t.Logf("wrote %s: review the diff before committing", mutationGoldenPath)
	}
}
