package scimtest_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/reports"
	"github.com/xakia-okta/scimtest/steps"
	"github.com/xakia-okta/scimtest/steps/target"
)

// testWriter sends the suite's console output to the test log, a line
// at a time (godog writes in small pieces).
type testWriter struct {
	t   *testing.T
	buf []byte
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.t.Log(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}

// TestConformance runs the conformance suite as `make conformance` does:
// configured by the SCIM_* environment (the embedded reference when
// SCIM_BASE_URL is unset), reports in SCIM_REPORTS (default reports/).
func TestConformance(t *testing.T) {
	cfg, err := steps.ConfigFromEnv(os.Getenv)
	require.NoError(t, err, "exit 2")
	cfg.Output = &testWriter{t: t}
	// One subtest per scenario (go test -v); the verdict below still
	// decides, from the findings, deviations and not-run scenarios.
	cfg.TestingT = t
	cfg.StartImage = target.Starter() // SCIM_IMAGE
	run, code := steps.Run(context.Background(), cfg)
	if code != steps.ExitPass {
		t.Fatalf("exit %d: %s", code, reports.VerdictLine(run))
	}
}

// TestConformanceProfiles runs both profiles against the embedded
// reference: the xakia profile on limited locations (the deviation
// declared), the okta profile on full-attribute locations.
func TestConformanceProfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("the full suite runs twice; skipped with -short")
	}
	for _, profile := range []string{steps.ProfileXakia, steps.ProfileOkta} {
		t.Run(profile, func(t *testing.T) {
			dir := t.TempDir()
			run, code := steps.Run(context.Background(), steps.Config{Profile: profile, ReportsDir: dir, Output: &testWriter{t: t}, TestingT: t})
			if code != steps.ExitPass {
				t.Fatalf("exit %d: %s", code, reports.VerdictLine(run))
			}
			counts := map[string]int{}
			for _, s := range run.Scenarios {
				counts[s.Status]++
			}
			if counts[reports.StatusPass] == 0 {
				t.Errorf("no scenario passed: %v", counts)
			}
			if counts[reports.StatusNotRun] != 0 {
				t.Errorf("the embedded reference offers every capability, yet %d scenarios were not run", counts[reports.StatusNotRun])
			}
			switch profile {
			case steps.ProfileXakia:
				if counts[reports.StatusDeviation] == 0 {
					t.Errorf("the xakia profile must report the declared deviation on the query scenarios: %v", counts)
				}
			case steps.ProfileOkta:
				if counts[reports.StatusDeviation] != 0 {
					t.Errorf("the okta profile declares no deviation, yet %d scenarios were deviations", counts[reports.StatusDeviation])
				}
			}
			for _, f := range []string{"summary.json", "index.html", "cucumber.json", "junit.xml"} {
				if st, err := os.Stat(dir + "/" + f); err != nil || st.Size() == 0 {
					t.Errorf("report %s missing or empty: %v", f, err)
				}
			}
		})
	}
}
