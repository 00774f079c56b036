package target

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/internal/harnesshttp"
)

func TestBaseURL(t *testing.T) {
	tests := []struct {
		name, admin, advertised, id string
		want                        string
		wantErr                     string
	}{
		{name: "advertised on the admin origin", admin: "http://127.0.0.1:9000", advertised: "http://127.0.0.1:9000/scim/v2/acme", id: "acme", want: "http://127.0.0.1:9000/scim/v2/acme"},
		{name: "empty falls back to the conventional path", admin: "http://127.0.0.1:9000/", advertised: "", id: "acme", want: "http://127.0.0.1:9000/scim/v2/acme"},
		{name: "other port is refused", admin: "http://127.0.0.1:9000", advertised: "http://127.0.0.1:8080/scim/v2/acme", id: "acme", wantErr: "XAKIA_PUBLIC_URL"},
		{name: "other scheme is refused", admin: "http://127.0.0.1:9000", advertised: "https://127.0.0.1:9000/scim/v2/acme", id: "acme", wantErr: "is not on"},
		{name: "unparsable is refused", admin: "http://127.0.0.1:9000", advertised: "http://[::1", id: "acme", wantErr: "scimBaseUri"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := baseURL(tc.admin, tc.advertised, tc.id)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("baseURL error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("baseURL = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	tests := []struct {
		name    string
		in      Options
		check   func(t *testing.T, o Options)
		wantErr string
	}{
		{name: "zero value runs the default image", in: Options{}, check: func(t *testing.T, o Options) {
			if o.Image != DefaultImage || o.QueryAttributes != "limited" || o.StartTimeout != DefaultStartTimeout ||
				o.LocationNames != [2]string{"conformance-a", "conformance-b"} {
				t.Errorf("defaults = %+v", o)
			}
		}},
		{name: "build gets a Dockerfile, repo and tag", in: Options{Build: &Build{Context: "ctx"}}, check: func(t *testing.T, o Options) {
			if o.Image != "" || o.Build.Dockerfile != "Dockerfile" || o.Build.Repo == "" || len(o.Build.Tag) != 12 {
				t.Errorf("build defaults = %+v", *o.Build)
			}
		}},
		{name: "full query attributes are kept", in: Options{QueryAttributes: "full"}, check: func(t *testing.T, o Options) {
			if o.QueryAttributes != "full" {
				t.Errorf("QueryAttributes = %q", o.QueryAttributes)
			}
		}},
		{name: "unknown query attributes", in: Options{QueryAttributes: "some"}, wantErr: `want "limited" or "full"`},
		{name: "same location names", in: Options{LocationNames: [2]string{"x", "x"}}, wantErr: "must differ"},
		{name: "build without context", in: Options{Build: &Build{}}, wantErr: "Build.Context is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := withDefaults(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			require.NoError(t, err)
			tc.check(t, got)
		})
	}
}

func TestRedactKeysAndTail(t *testing.T) {
	in := "listening on 127.0.0.1:1\nSCIM API Key: abc\nadmin token xyz\nready\n"
	got := redactKeys(in)
	if strings.Contains(got, "abc") || strings.Contains(got, "xyz") {
		t.Fatalf("secrets left in %q", got)
	}
	if !strings.Contains(got, "listening on 127.0.0.1:1") || !strings.Contains(got, "ready") {
		t.Fatalf("harmless lines lost: %q", got)
	}
	if got := tail("a\nb\nc\n", 2); got != "b\nc" {
		t.Fatalf("tail = %q", got)
	}
}

func TestCreateLocation(t *testing.T) {
	const token = "admin-secret"
	tests := []struct {
		name    string
		status  int
		answer  func(origin string) string
		want    Location
		wantErr string
	}{
		{name: "created", status: http.StatusCreated,
			answer: func(o string) string {
				return `{"id":"acme","name":"Acme","scimBaseUri":"` + o + `/scim/v2/acme","apiKey":"k1","queryAttributes":"full"}`
			},
			want: Location{ID: "acme", Name: "Acme", BaseURL: "{origin}/scim/v2/acme", APIKey: "k1", QueryAttributes: "full"}},
		{name: "refused", status: http.StatusUnauthorized, answer: func(string) string { return `{"detail":"bad token"}` }, wantErr: "401"},
		{name: "no api key", status: http.StatusCreated, answer: func(string) string { return `{"id":"acme"}` }, wantErr: "lacks id or apiKey"},
		{name: "not json", status: http.StatusCreated, answer: func(string) string { return `<html>` }, wantErr: "not the expected JSON"},
		{name: "foreign origin", status: http.StatusCreated,
			answer: func(string) string {
				return `{"id":"acme","apiKey":"k","scimBaseUri":"http://127.0.0.1:1/scim/v2/acme"}`
			},
			wantErr: "XAKIA_PUBLIC_URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var origin string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/admin/api/locations" {
					http.Error(w, "wrong route", http.StatusNotFound)
					return
				}
				if r.Header.Get("Authorization") != "Bearer "+token {
					http.Error(w, "wrong token", http.StatusForbidden)
					return
				}
				var in map[string]string
				if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in["name"] != "Acme" || in["queryAttributes"] != "full" {
					http.Error(w, "wrong body", http.StatusBadRequest)
					return
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.answer(origin))
			}))
			defer srv.Close()
			origin = srv.URL
			got, err := CreateLocation(context.Background(), harnesshttp.New(harnesshttp.Options{}), srv.URL, token, "Acme", "full")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			require.NoError(t, err)
			want := tc.want
			want.BaseURL = strings.Replace(want.BaseURL, "{origin}", origin, 1)
			require.Equal(t, want, got, "CreateLocation")
		})
	}
}

// requireDocker skips under -short, and skips (or fails under
// XAKIA_REQUIRE_DOCKER=true) when no daemon answers.
func requireDocker(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("container tests did NOT run: -short (they build and start images); make test runs them")
	}
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") != "true" {
		t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true") // before testcontainers first reads its config
	}
	if err := CheckDocker(context.Background()); err != nil {
		if os.Getenv("XAKIA_REQUIRE_DOCKER") == "true" {
			t.Fatalf("container tests must run (XAKIA_REQUIRE_DOCKER=true): %v", err)
		}
		t.Skipf("container tests did NOT run: %v", err)
	}
}

// fakeContext builds testdata/fakeref statically into a build context next to
// the repository's Dockerfile and .dockerignore, as `make image` lays it out.
func fakeContext(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"Dockerfile", ".dockerignore"} {
		b, err := os.ReadFile(filepath.Join("..", "..", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "build", "data"), 0o755))
	// Something the .dockerignore must keep out of the context.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "not-for-the-image.txt"), []byte("x"), 0o644))
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "build", "xakia-reference"), "./testdata/fakeref")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build fakeref: %v\n%s", err, out)
	}
	return dir
}

func TestStartBuildsRunsAndTerminates(t *testing.T) {
	requireDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	tgt, err := Start(ctx, Options{Build: &Build{Context: fakeContext(t), Repo: "scimtest-target-fake"}, QueryAttributes: "full"})
	if tgt != nil {
		t.Cleanup(func() { _ = tgt.Terminate(context.Background()) })
	}
	require.NoError(t, err)
	t.Logf("image %s: %d bytes; create %s, start-to-ready %s", tgt.Image, tgt.ImageSize, tgt.CreateDuration, tgt.StartupDuration)

	if !strings.HasPrefix(tgt.AdminURL, "http://127.0.0.1:") {
		t.Errorf("AdminURL %q is not on 127.0.0.1", tgt.AdminURL)
	}
	if tgt.BaseURL != tgt.AdminURL+"/scim/v2/conformance-a" || tgt.BaseURL2 != tgt.AdminURL+"/scim/v2/conformance-b" {
		t.Errorf("base URLs %q, %q", tgt.BaseURL, tgt.BaseURL2)
	}
	if tgt.APIKey == "" || tgt.APIKey2 == "" || tgt.APIKey == tgt.APIKey2 || len(tgt.AdminToken) != 64 {
		t.Errorf("credentials missing or shared: %d %d %d", len(tgt.APIKey), len(tgt.APIKey2), len(tgt.AdminToken))
	}
	if tgt.ImageSize <= 0 || tgt.ContainerID == "" {
		t.Errorf("image size %d, container %q", tgt.ImageSize, tgt.ContainerID)
	}

	// The image runs as the non-root user, on the host network, and the data
	// directory is writable (fakeref's /healthz writes there).
	p, err := NewProvider(ctx, nil)
	require.NoError(t, err)
	defer p.Close()
	img, err := p.Client().ImageInspect(ctx, tgt.Image)
	require.NoError(t, err)
	if img.Config.User != "65532:65532" || strings.Join(img.Config.Entrypoint, " ") != "/xakia-reference serve" {
		t.Errorf("image user %q entrypoint %q", img.Config.User, img.Config.Entrypoint)
	}
	if img.Size > 64<<20 {
		t.Errorf("image is %d bytes: the context leaked more than the binary", img.Size)
	}
	inspect, err := tgt.container.Inspect(ctx)
	require.NoError(t, err)
	if inspect.HostConfig.NetworkMode != "host" {
		t.Errorf("network mode %q, want host", inspect.HostConfig.NetworkMode)
	}
	if msg := probe(ctx, harnesshttp.New(harnesshttp.Options{}), tgt.AdminURL+"/healthz"); msg != "" {
		t.Errorf("healthz: %s", msg)
	}

	if err := tgt.Terminate(ctx); err != nil {
		t.Fatalf("Terminate: %v", err)
	}
	if err := tgt.Terminate(ctx); err != nil {
		t.Fatalf("second Terminate: %v", err)
	}
	if _, err := p.Client().ContainerInspect(ctx, tgt.ContainerID, client.ContainerInspectOptions{}); err == nil {
		t.Errorf("container %s still exists after Terminate", shortID(tgt.ContainerID))
	}
	if _, err := ImageSize(ctx, p, tgt.Image); !errors.Is(err, ErrImageNotPresent) {
		t.Errorf("built image still present after Terminate: %v", err)
	}
}

func TestStartRefusesAbsentImage(t *testing.T) {
	requireDocker(t)
	const image = "scimtest-never-loaded:absent"
	tgt, err := Start(context.Background(), Options{Image: image})
	if tgt != nil {
		_ = tgt.Terminate(context.Background())
		t.Fatal("Start returned a target for an absent image")
	}
	if !errors.Is(err, ErrImageNotPresent) {
		t.Fatalf("error = %v, want ErrImageNotPresent", err)
	}
	for _, want := range []string{image, "docker load -i", "never pulled"} {
		assert.Contains(t, err.Error(), want, "error %q lacks %q", err, want)
	}
}

func TestStartOfAPresentImage(t *testing.T) {
	requireDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p, err := NewProvider(ctx, nil)
	require.NoError(t, err)
	defer p.Close()

	// Build once and keep the image; the subtests start it by name, the way a
	// user-supplied SCIM_IMAGE is started.
	built, err := Start(ctx, Options{Build: &Build{Context: fakeContext(t), Repo: "scimtest-target-fake", KeepImage: true}})
	if built != nil {
		_ = built.Terminate(ctx)
	}
	require.NoError(t, err)
	image := built.Image
	t.Cleanup(func() {
		_, _ = p.Client().ImageRemove(context.Background(), image, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	})

	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		// Env cannot redirect the control variables this package sets.
		{name: "env cannot override the address or public URL",
			env: map[string]string{"XAKIA_ADDR": "not-an-address", "XAKIA_PUBLIC_URL": "http://127.0.0.1:1", "XAKIA_ADMIN_TOKEN": "x"}},
		// A server that exits is reported at once with its exit code and output.
		{name: "a server that exits is reported", env: map[string]string{"FAKEREF_EXIT": "3"}, wantErr: "exited with code 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tgt, err := Start(ctx, Options{Image: image, Env: tc.env, StartTimeout: 30 * time.Second})
			if tgt != nil {
				defer func() {
					if err := tgt.Terminate(ctx); err != nil {
						t.Errorf("Terminate: %v", err)
					}
				}()
			}
			if tc.wantErr == "" {
				require.NoError(t, err)
				if tgt.Image != image || !strings.HasPrefix(tgt.BaseURL, tgt.AdminURL) {
					t.Errorf("target %+v", tgt)
				}
				return
			}
			if tgt != nil || !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Start = %v, %v; want ErrNotReady containing %q", tgt, err, tc.wantErr)
			}
			assert.Contains(t, err.Error(), "fakeref exiting as asked", "error lacks the container output: %v", err)
		})
	}
	// Nothing is left of the subtests' containers, failed start included.
	left, err := p.Client().ContainerList(ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("ancestor", image)})
	require.NoError(t, err)
	assert.Empty(t, left.Items, "%d containers of %s left behind", len(left.Items), image)
	// The image is still there (it was not built by these Starts).
	if _, err := ImageSize(ctx, p, image); err != nil {
		t.Errorf("image removed by Terminate of a named-image target: %v", err)
	}
}

// TestNoDockerError checks the error callers get when no daemon answers. (A
// live check is not possible in-process: testcontainers falls back to
// /var/run/docker.sock whatever DOCKER_HOST says, and caches the host.)
func TestNoDockerError(t *testing.T) {
	reason := errors.New("dial unix /var/run/docker.sock: connect: no such file or directory")
	err := noDocker(reason)
	if !errors.Is(err, ErrNoDocker) || errors.Is(err, ErrImageNotPresent) {
		t.Fatalf("errors.Is mismatch for %v", err)
	}
	for _, want := range []string{"no Docker daemon answers", reason.Error(), "start dockerd"} {
		assert.Contains(t, err.Error(), want, "error %q lacks %q", err, want)
	}
}
