package mockokta_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/reference"
)

// startReference starts an in-process reference server (the only reference
// API the mock may use) and returns its default location.
func startReference(t *testing.T, faults ...string) reference.StartedLocation {
	t.Helper()
	return startReferenceWith(t, reference.Options{Faults: faults})
}

func startReferenceWith(t *testing.T, opts reference.Options) reference.StartedLocation {
	t.Helper()
	inst, err := reference.Start(context.Background(), opts)
	require.NoError(t, err, "reference.Start")
	t.Cleanup(func() { _ = inst.Close() })
	return inst.Locations[0]
}

// TestLifecycleAgainstReference runs the whole lifecycle over HTTP against
// the reference in both app styles, with enough users to page the import.
func TestLifecycleAgainstReference(t *testing.T) {
	for _, style := range []mockokta.Style{mockokta.StyleOIN, mockokta.StyleAIW} {
		t.Run(string(style), func(t *testing.T) {
			loc := startReference(t)
			o, err := mockokta.New(mockokta.App{BaseURL: loc.BaseURL, Credential: loc.APIKey, Style: style, ToApp: mockokta.DefaultToApp()}, nil, mockokta.Options{})
			require.NoError(t, err)
			rep := o.Lifecycle(context.Background(), mockokta.LifecycleOptions{Users: 105})
			for _, s := range rep.Steps {
				if !s.OK {
					t.Errorf("step %s: %s", s.Name, s.Verdict)
				}
			}
			if !rep.OK || len(rep.Steps) != 7 {
				t.Fatalf("lifecycle OK=%v with %d steps", rep.OK, len(rep.Steps))
			}
			imp := rep.Steps[6].Tasks[0]
			assert.Len(t, imp.Exchanges, 2, "import of 106 users used %d pages, want 2", len(imp.Exchanges))
		})
	}
}

// TestLifecycleFailsOnForgottenDeactivatedUsers checks that the fault that
// hides deactivated users makes the lifecycle fail with Okta's wording.
func TestLifecycleFailsOnForgottenDeactivatedUsers(t *testing.T) {
	loc := startReference(t, "forget-deactivated")
	o, err := mockokta.New(mockokta.App{BaseURL: loc.BaseURL, Credential: loc.APIKey, ToApp: mockokta.DefaultToApp()}, nil, mockokta.Options{})
	require.NoError(t, err)
	rep := o.Lifecycle(context.Background(), mockokta.LifecycleOptions{Users: 2})
	if rep.OK {
		t.Fatal("lifecycle passed against forget-deactivated")
	}
	var reassign mockokta.Step
	for _, s := range rep.Steps {
		if s.Name == "reassign" {
			reassign = s
		}
	}
	if reassign.OK || len(reassign.Tasks) == 0 {
		t.Fatalf("reassign step %+v", reassign)
	}
	msg := reassign.Tasks[0].Message
	for _, want := range []string{"Automatic provisioning of user lc-", "to app Xakia failed: Error while creating user", "Conflict"} {
		assert.Contains(t, msg, want, "reassign message %q lacks %q", msg, want)
	}
}

// TestLifecycleRunsStepsIndependentOfAFailure checks that a failed Test API
// Credentials (an app with group features against a server without /Groups)
// does not stop the steps that do not depend on it.
func TestLifecycleRunsStepsIndependentOfAFailure(t *testing.T) {
	loc := startReference(t, "groups-404")
	o, err := mockokta.New(mockokta.App{BaseURL: loc.BaseURL, Credential: loc.APIKey, ToApp: mockokta.DefaultToApp(), Groups: true}, nil, mockokta.Options{})
	require.NoError(t, err)
	rep := o.Lifecycle(context.Background(), mockokta.LifecycleOptions{Users: 2})
	if rep.OK {
		t.Fatal("lifecycle passed against groups-404 with group features")
	}
	got := map[string]mockokta.Step{}
	for _, s := range rep.Steps {
		got[s.Name] = s
	}
	if s := got["test-connection"]; s.OK || s.NotRun {
		t.Errorf("test-connection should have run and failed: %+v", s)
	}
	for _, name := range []string{"assign", "assign-existing", "update", "unassign", "reassign", "import"} {
		s, ok := got[name]
		if !ok || s.NotRun {
			t.Errorf("step %s did not run after the failed test connection: %+v", name, s)
		}
	}
	for _, name := range []string{"assign", "assign-existing", "update", "unassign", "reassign", "import"} {
		if s := got[name]; !s.OK {
			t.Errorf("step %s should pass (only /Groups is broken): %s", name, s.Verdict)
		}
	}
}

// TestLifecycleSkipsOnlyDependentSteps checks that a failed assignment
// marks update, unassign and reassign not run, with the reason, while the
// independent steps still run.
func TestLifecycleSkipsOnlyDependentSteps(t *testing.T) {
	loc := startReference(t, "create-returns-200", "no-location-header")
	o, err := mockokta.New(mockokta.App{BaseURL: loc.BaseURL, Credential: "not-the-key"}, nil, mockokta.Options{})
	require.NoError(t, err)
	rep := o.Lifecycle(context.Background(), mockokta.LifecycleOptions{Users: 2})
	got := map[string]mockokta.Step{}
	for _, s := range rep.Steps {
		got[s.Name] = s
	}
	for _, name := range []string{"update", "unassign", "reassign"} {
		if s := got[name]; !s.NotRun || !strings.Contains(s.Verdict, "assign step failed") {
			t.Errorf("step %s: want not run because the assign step failed, got %+v", name, s)
		}
	}
	for _, name := range []string{"test-connection", "assign", "assign-existing", "import"} {
		if s, ok := got[name]; !ok || s.NotRun {
			t.Errorf("independent step %s did not run: %+v", name, s)
		}
	}
}

// TestTestConnectionWrongKeyAgainstReference checks the 401 wording.
func TestTestConnectionWrongKeyAgainstReference(t *testing.T) {
	loc := startReference(t)
	o, err := mockokta.New(mockokta.App{BaseURL: loc.BaseURL, Credential: "not-the-key"}, nil, mockokta.Options{})
	require.NoError(t, err)
	r := o.TestConnection(context.Background())
	if r.OK || !strings.HasPrefix(r.Message, "Error authenticating") {
		t.Errorf("OK=%v message %q", r.OK, r.Message)
	}
}

// TestLoadRateLimitedReference checks the 429 policy end to end: the
// reference limits requests per second and answers 429 with Retry-After;
// with waits compressed by a scaled clock every assignment still succeeds.
func TestLoadRateLimitedReference(t *testing.T) {
	inst, err := reference.Start(context.Background(), reference.Options{RateLimit: 20})
	require.NoError(t, err)
	t.Cleanup(func() { _ = inst.Close() })
	loc := inst.Locations[0]
	o, err := mockokta.New(mockokta.App{BaseURL: loc.BaseURL, Credential: loc.APIKey, ToApp: mockokta.DefaultToApp()}, nil,
		mockokta.Options{Clock: mockokta.RealClock{Scale: 0.05}, NoRecord: true})
	require.NoError(t, err)
	rep := o.Load(context.Background(), mockokta.LoadOptions{Users: 20, Concurrency: 4})
	if rep.Succeeded != 20 || rep.Failed != 0 {
		t.Fatalf("report %+v", rep)
	}
	if rep.RequestsByStatus["429"] == 0 {
		t.Errorf("no 429 seen at 20 requests/s: %v", rep.RequestsByStatus)
	}
}

// TestLifecycleDetectsReferenceFaults checks, fault by fault, that the
// lifecycle fails at the step where Okta would notice, with a message that
// says what Okta would see; and that a fault invisible to an app style
// (PATCH ignored, for AIW apps that never PATCH) does not fail it.
func TestLifecycleDetectsReferenceFaults(t *testing.T) {
	tests := []struct {
		fault    string
		style    mockokta.Style
		users    int
		wantStep string // "" means the lifecycle passes
		wantText string
	}{
		{"string-paging", mockokta.StyleOIN, 2, "test-connection", "totalResults is a string"},
		{"groups-404", mockokta.StyleAIW, 2, "", ""}, // no group features: advice only
		{"unstable-paging", mockokta.StyleOIN, 110, "import", "appeared on more than one page"},
		{"total-is-page-size", mockokta.StyleAIW, 110, "import", "Okta's import walk missed it"},
		{"new-id-on-reactivate", mockokta.StyleAIW, 2, "reassign", "instead of"},
		{"ignore-nopath-patch", mockokta.StyleOIN, 2, "unassign", "want false after the deactivation"},
		{"ignore-nopath-patch", mockokta.StyleAIW, 2, "", ""},
		{"forget-deactivated", mockokta.StyleAIW, 2, "unassign", "answered 404, want 200 after the deactivation"},
	}
	for _, tc := range tests {
		t.Run(tc.fault+"/"+string(tc.style), func(t *testing.T) {
			loc := startReference(t, tc.fault)
			o, err := mockokta.New(mockokta.App{BaseURL: loc.BaseURL, Credential: loc.APIKey, Style: tc.style, ToApp: mockokta.DefaultToApp()}, nil, mockokta.Options{NoRecord: true})
			require.NoError(t, err)
			t.Cleanup(o.Close)
			rep := o.Lifecycle(context.Background(), mockokta.LifecycleOptions{Users: tc.users})
			if tc.wantStep == "" {
				if !rep.OK {
					t.Fatalf("lifecycle failed: %+v", rep.Steps)
				}
				return
			}
			if rep.OK {
				t.Fatal("lifecycle passed despite the fault")
			}
			for _, s := range rep.Steps {
				if s.OK || s.NotRun {
					continue
				}
				if s.Name != tc.wantStep {
					t.Fatalf("first failing step %s (%s), want %s", s.Name, s.Verdict, tc.wantStep)
				}
				assert.Contains(t, s.Verdict, tc.wantText, "verdict %q lacks %q", s.Verdict, tc.wantText)
				return
			}
			t.Fatal("no failing step")
		})
	}
}

// TestGroupsJudgedOnlyWithGroupFeatures checks Test API Credentials against
// a reference whose /Groups answers 404: an app with group features fails,
// an app without them (Xakia's) passes with an advice warning.
func TestGroupsJudgedOnlyWithGroupFeatures(t *testing.T) {
	loc := startReference(t, "groups-404")
	for _, groups := range []bool{true, false} {
		o, err := mockokta.New(mockokta.App{BaseURL: loc.BaseURL, Credential: loc.APIKey, Groups: groups}, nil, mockokta.Options{NoRecord: true})
		require.NoError(t, err)
		r := o.TestConnection(context.Background())
		o.Close()
		if groups {
			if r.OK || !strings.Contains(r.Message, "GET /Groups") || r.Authority != mockokta.AuthorityOkta {
				t.Errorf("with group features: OK=%v authority %q message %q, want an okta failure about GET /Groups", r.OK, r.Authority, r.Message)
			}
			continue
		}
		if !r.OK || len(r.Findings) != 1 || r.Findings[0].Authority != mockokta.AuthorityAdvice || !strings.Contains(r.Findings[0].Text, "GET /Groups") {
			t.Errorf("without group features: OK=%v findings %+v, want success with one advice finding about GET /Groups", r.OK, r.Findings)
		}
	}
}

// TestAIWDeactivationAgainstLimitedReference checks the AIW echo against a
// location with Xakia's limited query attributes: GET returns no userName,
// the echo adds the login as userName (inferred), and the reference accepts
// the PUT and deactivates the user.
func TestAIWDeactivationAgainstLimitedReference(t *testing.T) {
	loc := startReference(t)
	ctx := context.Background()
	o, err := mockokta.New(mockokta.App{BaseURL: loc.BaseURL, Credential: loc.APIKey, Style: mockokta.StyleAIW}, nil, mockokta.Options{})
	require.NoError(t, err)
	t.Cleanup(o.Close)
	p := mockokta.ProfileFromEmail("echo.aiw@example.com", "", "")
	if r := o.AddAndAssign(ctx, p); !r.OK {
		t.Fatalf("assign: %s", r.Message)
	}
	r := o.Unassign(ctx, p.Login)
	if !r.OK || len(r.Exchanges) != 2 {
		t.Fatalf("AIW unassign: OK=%v (%d exchanges) %s", r.OK, len(r.Exchanges), r.Message)
	}
	if body := string(r.Exchanges[1].RequestBody); !strings.Contains(body, `"userName":"echo.aiw@example.com"`) || !strings.Contains(body, `"active":false`) || strings.Contains(body, `"name"`) {
		t.Errorf("the PUT is not the limited GET echo plus userName: %s", body)
	}
}
