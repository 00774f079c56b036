package steps

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/reference"
	"github.com/xakia-okta/scimtest/reports"
)

// lastLine returns the last non-empty line of the console output.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestRunConfigurationErrors(t *testing.T) {
	badManifest := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(badManifest, []byte(`{"deviations":[{"id":"x","kind":"nope","description":"d","oktaImpact":"i"}]}`), 0o644))
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"unreachable target", Config{BaseURL: "http://127.0.0.1:1/scim/v2/a", APIKey: "k"}, "target unreachable"},
		{"remote target without permission", Config{BaseURL: "https://xakia.invalid/scim/v2/a", APIKey: "k"}, EnvAllowRemote},
		{"bad profile", Config{Profile: "azure"}, EnvProfile},
		{"bad manifest", Config{DeviationsFile: badManifest}, "unknown kind"},
		{"missing manifest", Config{DeviationsFile: filepath.Join(t.TempDir(), "none.json")}, EnvDeviations},
		{"no scenario selected", Config{Tags: "@no-such-tag"}, "no scenario is selected"},
		{"unknown fault", Config{Faults: []string{"no-such-fault"}}, "no-such-fault"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			tt.cfg.Output = &out
			tt.cfg.ReportsDir = t.TempDir()
			run, code := Run(context.Background(), tt.cfg)
			if code != ExitConfig {
				t.Fatalf("exit %d, want %d; output:\n%s", code, ExitConfig, out.String())
			}
			assert.Contains(t, out.String(), tt.want, "the output should say %q:\n%s", tt.want, out.String())
			// Once the target was contacted the selected scenarios are
			// reported, but only as not run.
			for _, sc := range run.Scenarios {
				if sc.Status != reports.StatusNotRun {
					t.Errorf("no scenario may be judged on a configuration error, got %s: %s", sc.Status, sc.Name)
				}
			}
			if run.Interrupted {
				t.Error("a configuration error is not an interruption")
			}
		})
	}
}

func TestRunWrongKeyIsAConfigurationError(t *testing.T) {
	inst, err := reference.Start(context.Background(), reference.Options{})
	require.NoError(t, err)
	defer inst.Close()
	var out bytes.Buffer
	_, code := Run(context.Background(), Config{BaseURL: inst.Locations[0].BaseURL, APIKey: "wrong-key-0123456789", ReportsDir: t.TempDir(), Output: &out})
	if code != ExitConfig || !strings.Contains(out.String(), "API key was refused") {
		t.Fatalf("exit %d, output:\n%s", code, out.String())
	}
}

// TestRunExternalTargetReportsNotRun runs part of the suite against a
// target given by URL and key only: the @admin and @two-locations
// scenarios must be reported not-run with their reason, never passed.
func TestRunExternalTargetReportsNotRun(t *testing.T) {
	inst, err := reference.Start(context.Background(), reference.Options{})
	require.NoError(t, err)
	defer inst.Close()
	var out bytes.Buffer
	dir := t.TempDir()
	run, code := Run(context.Background(), Config{
		BaseURL: inst.Locations[0].BaseURL, APIKey: inst.Locations[0].APIKey,
		Tags: "@connection", ReportsDir: dir, Output: &out,
	})
	if code != ExitPass {
		t.Fatalf("exit %d, output:\n%s", code, out.String())
	}
	var notRun, passed int
	for _, s := range run.Scenarios {
		if !hasTag(s.Tags, "@connection") {
			t.Errorf("scenario %q was not selected by @connection", s.Name)
		}
		switch s.Status {
		case reports.StatusNotRun:
			notRun++
			if !strings.Contains(s.Reason, EnvAdminURL) && !strings.Contains(s.Reason, EnvBaseURL2) {
				t.Errorf("not-run scenario %q lacks its reason: %q", s.Name, s.Reason)
			}
			assert.Empty(t, s.Steps, "not-run scenario %q has steps", s.Name)
		case reports.StatusPass:
			passed++
			if hasTag(s.Tags, "@admin") || hasTag(s.Tags, "@two-locations") {
				t.Errorf("scenario %q needs what the target lacks but passed", s.Name)
			}
		}
	}
	if notRun != 3 || passed == 0 {
		t.Errorf("want 3 not-run connection scenarios (2 @admin, 1 @two-locations) and some passed; got %d not run, %d passed", notRun, passed)
	}
	if !strings.Contains(out.String(), "NOT RUN") || !strings.HasPrefix(lastLine(out.String()), "VERDICT") {
		t.Errorf("the console must list not-run scenarios and end with the verdict:\n%s", out.String())
	}
	for _, f := range []string{"summary.json", "index.html", "cucumber.json", "junit.xml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("report %s: %v", f, err)
		}
	}
}

// TestRunCatchesAFault shows one broken rule failing the scenarios that
// check it, with a message naming the rule (the full mutation self-test
// lives elsewhere).
func TestRunCatchesAFault(t *testing.T) {
	var out bytes.Buffer
	run, code := Run(context.Background(), Config{Faults: []string{"groups-404"}, Tags: "@connection", ReportsDir: t.TempDir(), Output: &out})
	if code != ExitFail {
		t.Fatalf("exit %d, want %d; output:\n%s", code, ExitFail, out.String())
	}
	var failed []string
	for _, s := range run.Scenarios {
		if s.Status == reports.StatusFail {
			failed = append(failed, s.Name)
			if !strings.Contains(s.Reason, "GET /Groups") && !strings.Contains(s.Reason, "POST /Groups") {
				t.Errorf("the failure of %q should name the Groups request: %s", s.Name, s.Reason)
			}
		}
	}
	if len(failed) == 0 || !strings.Contains(strings.Join(failed, "|"), "Okta's Groups test call answers a ListResponse") {
		t.Errorf("the Groups test-connection scenario must fail, failed: %v", failed)
	}
}

func hasTag(tags []string, tag string) bool {
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}
