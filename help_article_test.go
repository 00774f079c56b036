package scimtest_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/reports"
	"github.com/xakia-okta/scimtest/steps"
)

// TestHelpArticleInBrowser runs the @browser selection (the help article,
// clicked in headless Chromium against the embedded reference and mock Okta
// org), as `SCIM_TAGS=@browser make conformance` does. Without Chromium it
// skips, saying why, unless XAKIA_REQUIRE_BROWSER=true (CI) makes that a
// failure. Screenshots go to $SCIM_REPORTS/browser when SCIM_REPORTS is
// set, else to a temporary directory.
func TestHelpArticleInBrowser(t *testing.T) {
	required := os.Getenv(steps.EnvRequireBrowser) == "true"
	if testing.Short() && !required {
		t.Skip("the browser walk takes about a minute; skipped with -short unless " + steps.EnvRequireBrowser + "=true")
	}
	dir := t.TempDir()
	if r := os.Getenv(steps.EnvReports); r != "" {
		dir = filepath.Join(r, "browser")
	}
	start := time.Now()
	run, code := steps.Run(context.Background(), steps.Config{
		Tags:           "@browser",
		ReportsDir:     dir,
		ChromePath:     os.Getenv(steps.EnvChromePath),
		RequireBrowser: required,
		Output:         &testWriter{t: t},
	})
	require.NotEmpty(t, run.Scenarios, "exit %d: %s", code, reports.VerdictLine(run))
	for _, s := range run.Scenarios {
		if s.Status == reports.StatusNotRun && !required {
			t.Skipf("%s: %s", s.Name, s.Reason)
		}
	}
	require.Equal(t, steps.ExitPass, code, reports.VerdictLine(run))
	for _, s := range run.Scenarios {
		require.Equal(t, reports.StatusPass, s.Status, "%s: %s", s.Name, s.Reason)
		// Every step from the first one that used the browser has the
		// page it left as a screenshot.
		browsing := false
		for _, st := range s.Steps {
			browsing = browsing || st.Screenshot != ""
			if browsing {
				require.NotEmpty(t, st.Screenshot, "step %q has no screenshot", st.Text)
				require.FileExists(t, filepath.Join(dir, st.Screenshot))
			}
		}
		require.True(t, browsing, "%s: no step has a screenshot", s.Name)
	}
	t.Logf("the browser features took %s (screenshots in %s)", time.Since(start).Round(time.Millisecond), filepath.Join(dir, "screenshots"))
}

// TestHelpArticleMutation is the browser half of the mutation self-test: under
// each reference fault that breaks an invite rule, the help article fails, and
// it fails at the article's sentence that the fault contradicts (the first
// failed step of each scenario listed). A fault the article cannot see is not
// listed: the HTTP-level features catch those (testdata/mutation).
func TestHelpArticleMutation(t *testing.T) {
	required := os.Getenv(steps.EnvRequireBrowser) == "true"
	if testing.Short() && !required {
		t.Skip("three browser walks take minutes; skipped with -short unless " + steps.EnvRequireBrowser + "=true")
	}
	// fault → scenario id → the first step that fails.
	want := map[string]map[string]string{
		// "Once 'added' to Xakia, each new Xakia user must be 'invited'": a user
		// invited on creation contradicts the first sentence back in Xakia.
		"auto-invite": {
			"article-assign-invite-signin-unassign": `"Jane Doe" is added to Xakia as a member who is not invited`,
			"article-two-locations-one-oidc":        `"Jane Doe" is added to "Sydney" and not to "Melbourne"`,
		},
		// "Deactivated users will not be able to log in to the application".
		"deactivated-can-sign-in": {
			"article-assign-invite-signin-unassign": `"Jane Doe" will not be able to log in to the application`,
		},
	}
	for fault, scenarios := range want {
		t.Run(fault, func(t *testing.T) {
			run, code := steps.Run(context.Background(), steps.Config{
				Tags:           "@browser",
				Faults:         []string{fault},
				ReportsDir:     t.TempDir(),
				ChromePath:     os.Getenv(steps.EnvChromePath),
				RequireBrowser: required,
				Output:         io.Discard,
			})
			require.NotEmpty(t, run.Scenarios, "exit %d: %s", code, reports.VerdictLine(run))
			for _, s := range run.Scenarios {
				if s.Status == reports.StatusNotRun && !required {
					t.Skipf("%s: %s", s.Name, s.Reason)
				}
			}
			require.Equal(t, steps.ExitFail, code, "the article must fail under %s: %s", fault, reports.VerdictLine(run))
			got := map[string]string{}
			for _, s := range run.Scenarios {
				for _, st := range s.Steps {
					if st.Status == "failed" {
						got[s.ID] = st.Text
						break
					}
				}
			}
			t.Logf("%s: first failed steps %q", fault, got)
			require.Equal(t, scenarios, got)
		})
	}
}
