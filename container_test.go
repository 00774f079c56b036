package scimtest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/xakia-okta/scimtest/steps"
	"github.com/xakia-okta/scimtest/steps/target"
)

// deployRequireDocker skips the test when no Docker daemon answers, saying
// that the container tests did not run, or fails it when XAKIA_REQUIRE_DOCKER
// is "true" (.ci/run sets it). It also turns Ryuk off for this process when
// the caller did not (its image cannot be pulled here).
func deployRequireDocker(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("container tests did NOT run: -short")
	}
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") != "true" {
		t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	if err := target.CheckDocker(context.Background()); err != nil {
		reason := "container tests did NOT run: " + err.Error()
		if errors.Is(err, target.ErrNoDocker) {
			reason = "container tests did NOT run: no Docker daemon answers (start dockerd as in .ci/run): " + err.Error()
		}
		deploySkipOrFail(t, reason, "XAKIA_REQUIRE_DOCKER")
	}
}

// deployImageContext lays out a Docker build context the way `make image`
// does: the repository's Dockerfile and .dockerignore, the static binary in
// build/xakia-reference and an empty build/data.
func deployImageContext(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"Dockerfile", ".dockerignore"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "build", "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	deployBuildReference(t, filepath.Join(dir, "build", "xakia-reference"))
	return dir
}

// TestConformanceInContainer runs the conformance suite against the reference
// image started with testcontainers on the host network: the image built from
// the Dockerfile, or SCIM_IMAGE when set (it must already be loaded).
func TestConformanceInContainer(t *testing.T) {
	deployRequireDocker(t)
	ctx, cancel := deployContext(t, 15*time.Minute)
	defer cancel()

	profile := os.Getenv("SCIM_PROFILE")
	if profile == "" {
		profile = steps.ProfileXakia
	}
	opts := target.Options{QueryAttributes: "limited"}
	if profile == steps.ProfileOkta {
		opts.QueryAttributes = "full"
	}
	if img := os.Getenv("SCIM_IMAGE"); img != "" {
		opts.Image = img
		t.Logf("SCIM_IMAGE=%s", img)
	} else {
		began := time.Now()
		var buildLog bytes.Buffer
		opts.Build = &target.Build{Context: deployImageContext(t), Repo: "xakia-reference-test", Log: &buildLog}
		t.Logf("static binary and build context ready in %s", time.Since(began).Round(time.Millisecond))
		defer func() {
			if t.Failed() {
				t.Logf("docker build output:\n%s", deployTail(buildLog.String(), 40))
			}
		}()
	}

	tgt, err := target.Start(ctx, opts)
	if tgt != nil {
		t.Cleanup(func() {
			if err := tgt.Terminate(context.Background()); err != nil {
				t.Errorf("terminate container: %v", err)
			}
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image %s: %.1f MB (%d bytes); container create %s (incl. any build), start-to-ready %s",
		tgt.Image, float64(tgt.ImageSize)/1e6, tgt.ImageSize, tgt.CreateDuration.Round(time.Millisecond), tgt.StartupDuration.Round(time.Millisecond))

	if opts.Build != nil {
		deployCheckReferenceImage(ctx, t, tgt)
	}

	var console bytes.Buffer
	cfg := steps.Config{
		BaseURL: tgt.BaseURL, APIKey: tgt.APIKey,
		BaseURL2: tgt.BaseURL2, APIKey2: tgt.APIKey2,
		AdminURL: tgt.AdminURL, AdminToken: tgt.AdminToken,
		Profile:    profile,
		ReportsDir: t.TempDir(),
		Output:     &console,
	}
	began := time.Now()
	run, code := steps.Run(ctx, cfg)
	t.Logf("suite (profile %s) against the container: exit %d, %d scenarios, wall %s", profile, code, len(run.Scenarios), time.Since(began).Round(time.Millisecond))
	if code != 0 {
		logs, _ := tgt.Logs(context.Background())
		t.Fatalf("suite exit %d, want 0; console:\n%s\ncontainer output:\n%s", code, console.String(), deployTail(logs, 40))
	}
	if len(run.Scenarios) == 0 {
		t.Fatal("the suite ran no scenario")
	}
}

// deployCheckReferenceImage checks what the Dockerfile promises: a non-root
// user, no shell, the entrypoint, and the SQLite database written to /data.
func deployCheckReferenceImage(ctx context.Context, t *testing.T, tgt *target.Target) {
	t.Helper()
	p, err := target.NewProvider(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	img, err := p.Client().ImageInspect(ctx, tgt.Image)
	if err != nil {
		t.Fatal(err)
	}
	if img.Config.User != "65532:65532" {
		t.Errorf("image user %q, want 65532:65532", img.Config.User)
	}
	if got := strings.Join(img.Config.Entrypoint, " "); got != "/xakia-reference serve" {
		t.Errorf("entrypoint %q", got)
	}
	if _, err := p.Client().ContainerStatPath(ctx, tgt.ContainerID, client.ContainerStatPathOptions{Path: "/bin/sh"}); err == nil {
		t.Error("the image has a shell at /bin/sh")
	}
	st, err := p.Client().ContainerStatPath(ctx, tgt.ContainerID, client.ContainerStatPathOptions{Path: "/data/xakia-reference.db"})
	if err != nil {
		t.Errorf("no database in /data: %v", err)
	} else if st.Stat.Size == 0 {
		t.Error("/data/xakia-reference.db is empty")
	}
}

// TestContainerImageNotPresent: a SCIM_IMAGE that was never loaded is refused
// with a "docker load" hint, and nothing is pulled.
func TestContainerImageNotPresent(t *testing.T) {
	deployRequireDocker(t)
	const image = "xakia-reference-never-loaded:absent"
	tgt, err := target.Start(context.Background(), target.Options{Image: image})
	if tgt != nil {
		_ = tgt.Terminate(context.Background())
		t.Fatal("a target was started from an image that is not present")
	}
	if !errors.Is(err, target.ErrImageNotPresent) {
		t.Fatalf("error = %v, want target.ErrImageNotPresent", err)
	}
	for _, want := range []string{image, "docker load -i", "never pulled"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
