package mockokta

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"flag"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

//go:embed testdata/golden
var goldenFS embed.FS

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/golden")

// fixedRandom returns a deterministic random stream for ids and passwords.
func fixedRandom() *mrand.ChaCha8 {
	var seed [32]byte
	copy(seed[:], "mockokta golden transcripts seed")
	return mrand.NewChaCha8(seed)
}

// newTestOkta builds a mock Okta against f with deterministic ids.
func newTestOkta(t testing.TB, f *fakeSCIM, style Style, mod func(*App, *Options)) *Okta {
	t.Helper()
	app := App{BaseURL: f.baseURL(), Credential: fakeKey, Style: style, ToApp: DefaultToApp()}
	opts := Options{Random: fixedRandom(), Clock: &fakeClock{}}
	if mod != nil {
		mod(&app, &opts)
	}
	o, err := New(app, nil, opts)
	require.NoError(t, err)
	t.Cleanup(o.Close)
	return o
}

// mustOK fails the test when a set-up task failed.
func mustOK(t testing.TB, r TaskResult) TaskResult {
	t.Helper()
	if !r.OK {
		t.Fatalf("%s %s failed: %s", r.Operation, r.User, r.Message)
	}
	return r
}

var testProfile = ProfileFromEmail("test.user@example.com", "Test", "User")

type goldenCase struct {
	name  string
	mod   func(*App, *Options)
	setup func(t *testing.T, ctx context.Context, f *fakeSCIM, o *Okta)
	run   func(ctx context.Context, o *Okta) TaskResult
	// inferred returns a note for requests whose shape has no public
	// source; the note is pinned in the transcript.
	inferred func(r recorded) string
}

// Notes for the shapes the mock sends without a public capture.
const (
	inferredLinkActivate = "inferred: an OIN app PATCHes active:true before pushing the profile when the user it found is inactive (no public capture)"
	inferredPasswordSync = "inferred: the OIN password-sync PATCH body (no public capture)"
	inferredProfilePatch = "inferred: the OIN profile update as one PATCH (Okta's FAQ says OIN updates may PATCH; no public capture of the body)"
)

// isPatch reports whether r is a PATCH whose body mentions s.
func isPatch(r recorded, s string) bool {
	return r.Method == "PATCH" && strings.Contains(string(r.Body), s)
}

var goldenCases = []goldenCase{
	{name: "test-connection", run: func(ctx context.Context, o *Okta) TaskResult { return o.TestConnection(ctx) }},
	{name: "assign-new", run: func(ctx context.Context, o *Okta) TaskResult { return o.AddAndAssign(ctx, testProfile) }},
	{
		name: "assign-existing",
		setup: func(t *testing.T, ctx context.Context, f *fakeSCIM, o *Okta) {
			f.add(fakeUser{UserName: "Test.User@example.com", GivenName: "Old", FamilyName: "Name", Email: "test.user@example.com", NickName: "tu", Locale: "en-AU", Active: true})
		},
		run: func(ctx context.Context, o *Okta) TaskResult { return o.AddAndAssign(ctx, testProfile) },
	},
	{
		name: "assign-existing-inactive",
		setup: func(t *testing.T, ctx context.Context, f *fakeSCIM, o *Okta) {
			f.add(fakeUser{UserName: "test.user@example.com", GivenName: "Test", FamilyName: "User", Email: "test.user@example.com", Active: false})
		},
		run: func(ctx context.Context, o *Okta) TaskResult { return o.AddAndAssign(ctx, testProfile) },
		inferred: func(r recorded) string {
			if isPatch(r, `"active":true`) {
				return inferredLinkActivate
			}
			return ""
		},
	},
	{
		name: "update-patch",
		mod:  func(a *App, _ *Options) { a.ProfileUpdate = UpdatePATCH },
		setup: func(t *testing.T, ctx context.Context, f *fakeSCIM, o *Okta) {
			mustOK(t, o.AddAndAssign(ctx, testProfile))
		},
		run: func(ctx context.Context, o *Okta) TaskResult {
			p := testProfile
			p.FirstName, p.DisplayName = "Tess", "Tess User"
			return o.UpdateProfile(ctx, p.Login, p)
		},
		inferred: func(r recorded) string {
			if isPatch(r, `"userName"`) {
				return inferredProfilePatch
			}
			return ""
		},
	},
	{
		name: "update",
		setup: func(t *testing.T, ctx context.Context, f *fakeSCIM, o *Okta) {
			mustOK(t, o.AddAndAssign(ctx, testProfile))
		},
		run: func(ctx context.Context, o *Okta) TaskResult {
			p := testProfile
			p.FirstName, p.DisplayName = "Tess", "Tess User"
			return o.UpdateProfile(ctx, p.Login, p)
		},
	},
	{
		name: "unassign",
		setup: func(t *testing.T, ctx context.Context, f *fakeSCIM, o *Okta) {
			mustOK(t, o.AddAndAssign(ctx, testProfile))
		},
		run: func(ctx context.Context, o *Okta) TaskResult { return o.Unassign(ctx, testProfile.Login) },
	},
	{
		name: "reassign",
		setup: func(t *testing.T, ctx context.Context, f *fakeSCIM, o *Okta) {
			mustOK(t, o.AddAndAssign(ctx, testProfile))
			mustOK(t, o.Unassign(ctx, testProfile.Login))
		},
		run: func(ctx context.Context, o *Okta) TaskResult { return o.Reassign(ctx, testProfile.Login) },
	},
	{
		name: "import",
		setup: func(t *testing.T, ctx context.Context, f *fakeSCIM, o *Okta) {
			for i := range 150 {
				f.add(fakeUser{UserName: fmt.Sprintf("user%03d@example.com", i), ExternalID: fmt.Sprintf("ext%03d", i), Active: i%10 != 3})
			}
			f.limited = true
		},
		run: func(ctx context.Context, o *Okta) TaskResult { return o.Import(ctx) },
	},
	{
		name: "password-sync",
		mod:  func(a *App, _ *Options) { a.ToApp.SyncPassword = true },
		setup: func(t *testing.T, ctx context.Context, f *fakeSCIM, o *Okta) {
			mustOK(t, o.AddAndAssign(ctx, testProfile))
		},
		run: func(ctx context.Context, o *Okta) TaskResult {
			return o.SyncPassword(ctx, testProfile.Login, "N3w-Passw0rd!")
		},
		inferred: func(r recorded) string {
			if isPatch(r, `"password"`) {
				return inferredPasswordSync
			}
			return ""
		},
	},
}

// transcript renders the requests the fake received as pinned JSON.
func transcript(t *testing.T, reqs []recorded) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(reqs))
	return buf.Bytes()
}

// TestGoldenTranscripts pins the exact requests of every flow in both app
// styles. Run with -update to rewrite them after an intended change.
func TestGoldenTranscripts(t *testing.T) {
	for _, style := range []Style{StyleOIN, StyleAIW} {
		for _, gc := range goldenCases {
			name := gc.name + "-" + string(style)
			t.Run(name, func(t *testing.T) {
				ctx := context.Background()
				f := newFake(t)
				o := newTestOkta(t, f, style, gc.mod)
				if gc.setup != nil {
					gc.setup(t, ctx, f, o)
				}
				f.resetRequests()
				mustOK(t, gc.run(ctx, o))
				reqs := f.requests()
				if len(reqs) == 0 {
					t.Fatal("the flow sent no request")
				}
				for i, r := range reqs {
					if r.auth != "Bearer "+fakeKey {
						t.Errorf("request %d (%s %s): Authorization %q, want the bearer API key", i, r.Method, r.Path, r.auth)
					}
				}
				if gc.inferred != nil {
					for i := range reqs {
						reqs[i].Inferred = gc.inferred(reqs[i])
					}
				}
				got := transcript(t, reqs)
				file := filepath.Join("testdata", "golden", name+".json")
				if *update {
					require.NoError(t, os.WriteFile(file, got, 0o644))
					return
				}
				want, err := goldenFS.ReadFile(filepath.ToSlash(file))
				require.NoError(t, err, "no golden transcript %s (run go test ./mockokta -run TestGoldenTranscripts -update)", file)
				if !bytes.Equal(got, want) {
					t.Errorf("the requests of %s drifted from %s (rerun with -update if intended)\n%s", name, file, firstDiff(string(want), string(got)))
				}
			})
		}
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want: %s\n  got:  %s", i+1, w, g)
		}
	}
	return "(no line differs)"
}
