//go:build !race

// The verdict self-tests prove the suite in both directions, like the
// mutation self-test does for the xakia profile:
//
//   - TestOktaProfileMutation: every reference fault that Okta would notice
//     fails the okta profile (run on a full-attribute location), and the
//     findings each fault produces are the ones recorded in
//     testdata/mutation/okta.json;
//   - TestAllowedVariants: every allowed variant (a legal behaviour that
//     differs from Xakia's) passes the okta profile with no finding, and in
//     the xakia profile fails only on findings of authority xakia, as
//     recorded in testdata/mutation/variants.json.
//
// Regenerate both golden files after a deliberate change with
//
//	go test -count=1 -run '^(TestOktaProfileMutation|TestAllowedVariants)$' -update-mutation .

package scimtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/reference"
	"github.com/xakia-okta/scimtest/reports"
	"github.com/xakia-okta/scimtest/steps"
)

// Golden files of the verdict self-tests.
const (
	oktaGoldenPath    = "testdata/mutation/okta.json"
	variantGoldenPath = "testdata/mutation/variants.json"
)

// oktaInvisible lists the faults that the okta profile must NOT fail on,
// each with the reason Okta's provisioning does not notice it. Every other
// fault must fail the okta profile.
var oktaInvisible = map[string]string{
	"full-query-attributes":   "returning every attribute is what a full-attribute server does",
	"put-clears-absent":       "a PUT may replace the whole resource (RFC 7644 §3.5.1); keeping absent attributes is Xakia's rule",
	"auto-invite":             "invitations are Xakia-side state, invisible to SCIM",
	"reinvite-existing":       "invitations are Xakia-side state, invisible to SCIM",
	"invite-inactive":         "invitations are Xakia-side state, invisible to SCIM",
	"deactivated-can-sign-in": "sign-in is Xakia-side state, invisible to SCIM",
	"password-after-okta":     "sign-in is Xakia-side state, invisible to SCIM",
	"signin-ignores-invite":   "sign-in is Xakia-side state, invisible to SCIM",
	"cross-location-ids":      "locations are a Xakia notion; the isolation scenarios are Xakia rules",
	"old-key-valid":           "key rotation goes through Xakia's admin API, which the okta profile does not use",
	"no-body-limit":           "a request-size limit is Xakia's rule (RFC 7644 sets none) and Okta never sends large bodies",
	"keep-duplicate-values":   "returning a (type, value) pair twice breaks a SHOULD NOT of RFC 7643 §2.4: a warning, and Okta reads the primary email only",
}

// verdictOutcome is the judged shape of one run: its distinct findings
// ("authority: rule"), failing scenarios and blocked scenarios (by id).
type verdictOutcome struct {
	Findings []string `json:"findings"`
	Failing  []string `json:"failing"`
	Blocked  []string `json:"blocked"`
	// Warnings are the distinct advice-level causes ("rule").
	Warnings []string `json:"warnings,omitempty"`
}

// verdictRun runs the suite on the embedded reference.
func verdictRun(t *testing.T, profile string, faults, variants []string) (verdictOutcome, reports.Run, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), mutationRunTimeout)
	defer cancel()
	run, code := steps.Run(ctx, steps.Config{
		Profile:    profile,
		ReportsDir: t.TempDir(),
		Output:     io.Discard,
		Faults:     faults,
		Variants:   variants,
	})
	if code == steps.ExitConfig {
		t.Fatalf("%s profile, faults %v, variants %v: exit 2 (nothing was judged): %s", profile, faults, variants, reports.VerdictLine(run))
	}
	var out verdictOutcome
	for _, f := range run.Findings {
		out.Findings = append(out.Findings, f.Authority+": "+f.Rule)
	}
	for _, w := range run.Warnings {
		out.Warnings = append(out.Warnings, w.Rule)
	}
	for _, s := range run.Scenarios {
		switch s.Status {
		case reports.StatusFail:
			out.Failing = append(out.Failing, mutationKey(s))
		case reports.StatusBlocked:
			out.Blocked = append(out.Blocked, mutationKey(s))
		}
	}
	sort.Strings(out.Findings)
	sort.Strings(out.Warnings)
	sort.Strings(out.Failing)
	sort.Strings(out.Blocked)
	return out, run, code
}

// describeFindings lists a run's findings for a failure message.
func describeFindings(run reports.Run) string {
	var b strings.Builder
	for _, f := range run.Findings {
		fmt.Fprintf(&b, "\n  %s [%s %s] %s (fails %d, blocks %d): %s", f.ID, f.Authority, f.Cite, f.Rule, len(f.Scenarios), len(f.Blocked), f.Message)
	}
	return b.String()
}

// readVerdictGolden reads a golden file of the verdict self-tests.
func readVerdictGolden[T any](path string) (T, error) {
	var v T
	b, err := os.ReadFile(path)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// writeVerdictGolden writes a golden file (map keys sorted by encoding/json).
func writeVerdictGolden(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// compareOutcome reports how got differs from want.
func compareOutcome(t *testing.T, path string, want, got verdictOutcome) {
	t.Helper()
	var b strings.Builder
	diff := func(what string, w, g []string) {
		added, missing := mutationDiff(w, g)
		for _, s := range added {
			fmt.Fprintf(&b, "\n  + %s now: %s", what, s)
		}
		for _, s := range missing {
			fmt.Fprintf(&b, "\n  - %s no longer: %s", what, s)
		}
	}
	diff("finding", want.Findings, got.Findings)
	diff("failing", want.Failing, got.Failing)
	diff("blocked", want.Blocked, got.Blocked)
	diff("warning", want.Warnings, got.Warnings)
	if b.Len() > 0 {
		t.Errorf("the outcome differs from %s (regenerate with -update-mutation if the change is deliberate):%s", path, b.String())
	}
}

// TestOktaProfileMutation runs the okta profile with each reference fault.
func TestOktaProfileMutation(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the okta-profile mutation self-test runs the suite once per fault (about a minute)")
	}
	known := map[string]bool{}
	for _, f := range reference.Faults() {
		known[f.Name] = true
	}
	for name := range oktaInvisible {
		if !known[name] {
			t.Fatalf("oktaInvisible names %q, which is not a reference fault", name)
		}
	}
	base, baseRun, code := verdictRun(t, steps.ProfileOkta, nil, nil)
	if code != steps.ExitPass || len(base.Findings) > 0 {
		t.Fatalf("okta profile without a fault: exit %d, want 0:%s", code, describeFindings(baseRun))
	}
	golden := map[string]verdictOutcome{}
	if !*mutationUpdate {
		var err error
		if golden, err = readVerdictGolden[map[string]verdictOutcome](oktaGoldenPath); err != nil {
			t.Fatalf("cannot read %s: %v (regenerate with -update-mutation)", oktaGoldenPath, err)
		}
	}
	var mu sync.Mutex
	observed := map[string]verdictOutcome{}
	sem := make(chan struct{}, mutationParallel)
	t.Run("faults", func(t *testing.T) {
		for _, fault := range reference.Faults() {
			t.Run(fault.Name, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				got, run, code := verdictRun(t, steps.ProfileOkta, []string{fault.Name}, nil)
				mu.Lock()
				observed[fault.Name] = got
				mu.Unlock()
				t.Logf("%s: exit %d, %d findings, %d failing, %d blocked, %d warnings", fault.Name, code, len(got.Findings), len(got.Failing), len(got.Blocked), len(got.Warnings))
				if why, invisible := oktaInvisible[fault.Name]; invisible {
					if code != steps.ExitPass {
						t.Errorf("the okta profile failed on %s, which Okta does not notice (%s):%s", fault.Name, why, describeFindings(run))
					}
				} else if code != steps.ExitFail {
					t.Errorf("exit %d, want %d: the okta profile did not notice that %s", code, steps.ExitFail, fault.Description)
				}
				for _, f := range run.Findings {
					if f.Authority == reports.AuthorityXakia {
						t.Errorf("the okta profile reported a Xakia rule as a finding: %s %s", f.ID, f.Rule)
					}
				}
				if want, ok := golden[fault.Name]; ok && !*mutationUpdate {
					compareOutcome(t, oktaGoldenPath, want, got)
				} else if !*mutationUpdate {
					t.Errorf("fault %q has no entry in %s (regenerate with -update-mutation)", fault.Name, oktaGoldenPath)
				}
			})
		}
	})
	if *mutationUpdate && !t.Failed() {
		require.NoError(t, writeVerdictGolden(oktaGoldenPath, observed))
		t.Logf("wrote %s: review the diff before committing", oktaGoldenPath)
	}
}

// variantOutcome is what one allowed variant produced in each profile.
type variantOutcome struct {
	Okta  verdictOutcome `json:"okta"`
	Xakia verdictOutcome `json:"xakia"`
}

// TestAllowedVariants runs both profiles against each allowed variant.
func TestAllowedVariants(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the allowed-variant self-test runs the suite twice per variant")
	}
	golden := map[string]variantOutcome{}
	if !*mutationUpdate {
		var err error
		if golden, err = readVerdictGolden[map[string]variantOutcome](variantGoldenPath); err != nil {
			t.Fatalf("cannot read %s: %v (regenerate with -update-mutation)", variantGoldenPath, err)
		}
	}
	var names []string
	for _, v := range reference.Variants() {
		names = append(names, v.Name)
	}
	for name := range golden {
		if !slices.Contains(names, name) {
			t.Errorf("%s names %q, which is not a reference variant", variantGoldenPath, name)
		}
	}
	var mu sync.Mutex
	observed := map[string]variantOutcome{}
	sem := make(chan struct{}, mutationParallel)
	t.Run("variants", func(t *testing.T) {
		for _, name := range names {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				var got variantOutcome
				okta, oktaRun, code := verdictRun(t, steps.ProfileOkta, nil, []string{name})
				got.Okta = okta
				if code != steps.ExitPass || len(oktaRun.Findings) > 0 {
					t.Errorf("false alarm: the okta profile failed on the legal variant %s (exit %d):%s", name, code, describeFindings(oktaRun))
				}
				xakia, xakiaRun, _ := verdictRun(t, steps.ProfileXakia, nil, []string{name})
				got.Xakia = xakia
				for _, f := range xakiaRun.Findings {
					if f.Authority != reports.AuthorityXakia {
						t.Errorf("the xakia profile failed the legal variant %s on a non-Xakia finding: %s [%s %s] %s: %s", name, f.ID, f.Authority, f.Cite, f.Rule, f.Message)
					}
				}
				t.Logf("%s: okta profile %d findings, %d warnings; xakia profile %d findings (all xakia), %d failing, %d blocked",
					name, len(okta.Findings), len(okta.Warnings), len(xakia.Findings), len(xakia.Failing), len(xakia.Blocked))
				mu.Lock()
				observed[name] = got
				mu.Unlock()
				if want, ok := golden[name]; ok && !*mutationUpdate {
					compareOutcome(t, variantGoldenPath+" (okta)", want.Okta, got.Okta)
					compareOutcome(t, variantGoldenPath+" (xakia)", want.Xakia, got.Xakia)
				} else if !*mutationUpdate {
					t.Errorf("variant %q has no entry in %s (regenerate with -update-mutation)", name, variantGoldenPath)
				}
			})
		}
	})
	if *mutationUpdate && !t.Failed() {
		require.NoError(t, writeVerdictGolden(variantGoldenPath, observed))
		t.Logf("wrote %s: review the diff before committing", variantGoldenPath)
	}
}
