package scimtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xakia-okta/scimtest/steps/target"
)

// TestMockoktaImage builds the mock Okta image with `make image-mockokta`
// (under a throwaway tag), checks what Dockerfile.mockokta promises, and runs
// the conformance suite from it the way README.md, "Run without Go", tells
// users to: `docker run --network host -v DIR:/reports IMAGE conform` against
// the reference image started on the host network. The verdict must be PASS
// and the reports must land in the mounted folder.
func TestMockoktaImage(t *testing.T) {
	deployRequireDocker(t)
	docker, err := exec.LookPath("docker")
	if err != nil {
		deploySkipOrFail(t, "mockokta image test did NOT run: no docker command on PATH", "XAKIA_REQUIRE_DOCKER")
	}
	ctx, cancel := deployContext(t, 15*time.Minute)
	defer cancel()

	image := "mockokta-test:" + deployRandomHex(6)
	began := time.Now()
	build := exec.CommandContext(ctx, "make", "--no-print-directory", "image-mockokta",
		"MOCKOKTA_IMAGE="+image, "MOCKOKTA_BUILD="+t.TempDir())
	out, err := build.CombinedOutput()
	t.Cleanup(func() { _ = exec.Command(docker, "image", "rm", "--force", image).Run() })
	if err != nil {
		t.Fatalf("make image-mockokta: %v\n%s", err, deployTail(string(out), 40))
	}
	t.Logf("make image-mockokta (static build + docker build) in %s", time.Since(began).Round(time.Millisecond))

	mockoktaCheckImage(ctx, t, docker, image)

	// The reference, built and started as TestConformanceInContainer does.
	tgt, err := target.Start(ctx, target.Options{
		Build: &target.Build{Context: deployImageContext(t), Repo: "xakia-reference-test"},
	})
	if tgt != nil {
		t.Cleanup(func() {
			if err := tgt.Terminate(context.Background()); err != nil {
				t.Errorf("terminate the reference container: %v", err)
			}
		})
	}
	if err != nil {
		t.Fatal(err)
	}

	reports := t.TempDir()
	// As documented: the caller's uid owns the mounted folder, and secrets are
	// passed by name (-e NAME) so that they never appear on a command line.
	run := exec.CommandContext(ctx, docker, "run", "--rm", "--network", "host",
		"--user", fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid()),
		"-v", reports+":/reports",
		"-e", "SCIM_BASE_URL", "-e", "SCIM_API_KEY", "-e", "SCIM_BASE_URL_2", "-e", "SCIM_API_KEY_2",
		"-e", "XAKIA_ADMIN_URL", "-e", "XAKIA_ADMIN_TOKEN",
		image, "conform")
	run.Env = append(os.Environ(),
		"SCIM_BASE_URL="+tgt.BaseURL, "SCIM_API_KEY="+tgt.APIKey,
		"SCIM_BASE_URL_2="+tgt.BaseURL2, "SCIM_API_KEY_2="+tgt.APIKey2,
		"XAKIA_ADMIN_URL="+tgt.AdminURL, "XAKIA_ADMIN_TOKEN="+tgt.AdminToken)
	var console bytes.Buffer
	run.Stdout, run.Stderr = &console, &console
	began = time.Now()
	err = run.Run()
	took := time.Since(began)
	verdict := mockoktaVerdict(console.String())
	t.Logf("docker run … %s conform: %s to verdict %q", image, took.Round(time.Millisecond), verdict)
	if err != nil || !strings.HasPrefix(verdict, "VERDICT: PASS") {
		t.Fatalf("docker run … conform: %v, verdict %q; console:\n%s", err, verdict, deployTail(console.String(), 60))
	}
	for _, f := range []string{"index.html", "junit.xml", "summary.json", "cucumber.json"} {
		st, err := os.Stat(filepath.Join(reports, f))
		if err != nil || st.Size() == 0 {
			t.Errorf("the mounted /reports lacks %s (%v)", f, err)
		}
	}
}

// mockoktaCheckImage checks the image's configuration and files: non-root,
// the entrypoint, SCIM_REPORTS, the CA bundle, no shell, and a stamped
// `version`.
func mockoktaCheckImage(ctx context.Context, t *testing.T, docker, image string) {
	t.Helper()
	out, err := exec.CommandContext(ctx, docker, "image", "inspect", image).Output()
	if err != nil {
		t.Fatalf("docker image inspect %s: %v", image, err)
	}
	var inspect []struct {
		Size   int64
		Config struct {
			User       string
			Entrypoint []string
			Env        []string
			WorkingDir string
		}
	}
	if err := json.Unmarshal(out, &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("docker image inspect: %v (%d images)", err, len(inspect))
	}
	img := inspect[0]
	t.Logf("image %s: %.1f MB (%d bytes)", image, float64(img.Size)/1e6, img.Size)
	if img.Config.User != "65532:65532" {
		t.Errorf("image user %q, want 65532:65532", img.Config.User)
	}
	if !slices.Equal(img.Config.Entrypoint, []string{"/mockokta"}) {
		t.Errorf("entrypoint %q, want [/mockokta]", img.Config.Entrypoint)
	}
	if !slices.Contains(img.Config.Env, "SCIM_REPORTS=/reports") {
		t.Errorf("env %q lacks SCIM_REPORTS=/reports", img.Config.Env)
	}

	// Files, read from a created (never started) container.
	id, err := exec.CommandContext(ctx, docker, "create", image).Output()
	if err != nil {
		t.Fatalf("docker create %s: %v", image, err)
	}
	cid := strings.TrimSpace(string(id))
	defer func() { _ = exec.Command(docker, "rm", "--force", cid).Run() }()
	for _, p := range []string{"/etc/ssl/certs/ca-certificates.crt", "/mockokta"} {
		if b, err := exec.CommandContext(ctx, docker, "cp", cid+":"+p, "-").Output(); err != nil || len(b) < 1024 {
			t.Errorf("%s is missing from the image or empty (%v)", p, err)
		}
	}
	if err := exec.CommandContext(ctx, docker, "cp", cid+":/bin/sh", "-").Run(); err == nil {
		t.Error("the image has a shell at /bin/sh")
	}

	v, err := exec.CommandContext(ctx, docker, "run", "--rm", "--network", "host", image, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(v), "mockokta ") || strings.Contains(string(v), "built unknown") {
		t.Errorf("docker run %s version: %v, %q (want a stamped build date)", image, err, v)
	} else {
		t.Logf("docker run %s version: %s", image, strings.TrimSpace(string(v)))
	}
}

// mockoktaVerdict returns the last "VERDICT:" line of a console report.
func mockoktaVerdict(console string) string {
	lines := strings.Split(console, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); strings.HasPrefix(l, "VERDICT:") {
			return l
		}
	}
	return ""
}
