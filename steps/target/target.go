package target

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"

	"github.com/xakia-okta/scimtest/internal/harnesshttp"
)

// DefaultImage is the image `make image` builds and [Start] runs when neither
// [Options.Image] nor [Options.Build] is given.
const DefaultImage = "xakia-reference:local"

// Defaults of [Options].
const (
	DefaultStartTimeout    = 60 * time.Second
	DefaultQueryAttributes = "limited"
)

// Errors callers can test with errors.Is; the returned errors wrap them with
// the reason and a hint.
var (
	// ErrNoDocker means no Docker daemon answers: the container run cannot
	// happen and must be reported as not run.
	ErrNoDocker = errors.New("no Docker daemon answers")
	// ErrImageNotPresent means the named image is not in the local daemon.
	// Images are never pulled.
	ErrImageNotPresent = errors.New("image not present in the local Docker daemon")
	// ErrRyukEnabled means TESTCONTAINERS_RYUK_DISABLED is not "true".
	ErrRyukEnabled = errors.New("testcontainers' Ryuk reaper is enabled")
	// ErrNotReady means the container did not answer GET /healthz in time, or
	// exited first.
	ErrNotReady = errors.New("container did not become ready")
)

// Build asks [Start] to build the image from a Dockerfile instead of using a
// present one. The context directory must hold what the Dockerfile copies; for
// the reference Dockerfile that is build/xakia-reference (a static binary:
// CGO_ENABLED=0 go build -trimpath -ldflags='-s -w') and an empty build/data
// directory.
type Build struct {
	// Context is the build context directory (required).
	Context string
	// Dockerfile is the Dockerfile's path relative to Context; default "Dockerfile".
	Dockerfile string
	// Repo and Tag name the built image; defaults "xakia-reference-build" and a
	// random tag.
	Repo, Tag string
	// KeepImage keeps the built image after [Target.Terminate]; by default it is
	// removed with the container.
	KeepImage bool
	// Log receives the build output; nil discards it.
	Log io.Writer
}

// Options configure [Start]. The zero value runs [DefaultImage].
type Options struct {
	// Image is a reference-compatible image already present locally (for
	// example the value of SCIM_IMAGE). Empty means [DefaultImage]. Ignored when
	// Build is set.
	Image string
	// Build, when set, builds the image from a Dockerfile first.
	Build *Build
	// LocationNames are the names of the two locations created through the
	// admin API; default "conformance-a" and "conformance-b".
	LocationNames [2]string
	// QueryAttributes of both locations: "limited" (default, the Xakia
	// behaviour, for the xakia profile) or "full" (for the okta profile).
	QueryAttributes string
	// DB, when set, is passed as XAKIA_DB (e.g. a postgres:// DSN on
	// 127.0.0.1); otherwise the image's default applies.
	DB string
	// Env holds extra environment variables for the container. It cannot
	// override XAKIA_ADDR, XAKIA_ADMIN_TOKEN or XAKIA_PUBLIC_URL.
	Env map[string]string
	// StartTimeout bounds the wait for GET /healthz; default [DefaultStartTimeout].
	StartTimeout time.Duration
	// Logger receives progress and testcontainers' own messages at debug
	// level; nil discards them.
	Logger *slog.Logger
}

// Target is a running container with two locations, ready to be targeted by
// the conformance suite. Its fields map one to one onto the suite's
// configuration (SCIM_BASE_URL, SCIM_API_KEY, SCIM_BASE_URL_2, SCIM_API_KEY_2,
// XAKIA_ADMIN_URL, XAKIA_ADMIN_TOKEN).
type Target struct {
	// BaseURL and APIKey are the first location's SCIM base URL and key.
	BaseURL, APIKey string
	// BaseURL2 and APIKey2 are the second location's.
	BaseURL2, APIKey2 string
	// AdminURL is the origin of the admin API (http://127.0.0.1:PORT); paths
	// /admin/api/... are appended to it.
	AdminURL string
	// AdminToken authenticates the admin API.
	AdminToken string

	// Image is the image reference that runs; ImageSize its size in bytes.
	Image     string
	ImageSize int64
	// ContainerID is the Docker container id.
	ContainerID string
	// CreateDuration is the time to create the container, including the image
	// build when one was asked for.
	CreateDuration time.Duration
	// StartupDuration is the time from starting the container to the first
	// 200 from GET /healthz.
	StartupDuration time.Duration

	container testcontainers.Container
	provider  *testcontainers.DockerProvider
	once      sync.Once
	termErr   error
}

// Terminate stops and removes the container (and the image when [Start] built
// it without [Build.KeepImage]). It is safe to call more than once; later calls
// return the first call's result.
func (t *Target) Terminate(ctx context.Context) error {
	if t == nil {
		return nil
	}
	t.once.Do(func() {
		t.termErr = terminate(ctx, t.container, t.provider)
	})
	return t.termErr
}

// Logs returns the container's output so far, with lines that may carry a
// secret (they mention a key or token) replaced by a placeholder.
func (t *Target) Logs(ctx context.Context) (string, error) {
	if t == nil || t.container == nil {
		return "", errors.New("target: no container")
	}
	return containerLogs(ctx, t.container)
}

func terminate(ctx context.Context, c testcontainers.Container, p *testcontainers.DockerProvider) error {
	var errs []error
	if c != nil {
		if err := c.Terminate(ctx); err != nil {
			errs = append(errs, fmt.Errorf("target: remove container %s: %w", shortID(c.GetContainerID()), err))
		}
	}
	if p != nil {
		if err := p.Close(); err != nil {
			errs = append(errs, fmt.Errorf("target: close Docker client: %w", err))
		}
	}
	return errors.Join(errs...)
}

// NewProvider returns a testcontainers Docker provider that keeps containers on
// the host network, after checking that a daemon answers (else an error
// wrapping [ErrNoDocker]) and that Ryuk is disabled (else [ErrRyukEnabled]).
// The caller closes it.
func NewProvider(ctx context.Context, logger *slog.Logger) (*testcontainers.DockerProvider, error) {
	logger = orDiscard(logger)
	p, err := newProvider(logger)
	if err != nil {
		return nil, noDocker(err)
	}
	hctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := p.Health(hctx); err != nil {
		_ = p.Close()
		return nil, noDocker(err)
	}
	if !p.Config().Config.RyukDisabled {
		_ = p.Close()
		return nil, fmt.Errorf("target: %w: export TESTCONTAINERS_RYUK_DISABLED=true (exactly \"true\"): its image cannot be pulled here and it would use a bridge network; containers are removed by Terminate instead", ErrRyukEnabled)
	}
	return p, nil
}

// noDocker wraps why the daemon could not be reached into an [ErrNoDocker]
// error with a hint.
func noDocker(reason error) error {
	return fmt.Errorf("target: %w: %v (start dockerd, e.g. as .ci/run does, or point DOCKER_HOST at a running daemon)", ErrNoDocker, reason)
}

// newProvider creates the provider; testcontainers may panic on some broken
// Docker configurations, which is turned into an error here.
func newProvider(logger *slog.Logger) (p *testcontainers.DockerProvider, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("docker provider: %v", r)
		}
	}()
	return testcontainers.NewDockerProvider(
		testcontainers.WithLogger(tcLogger{logger}),
		testcontainers.WithDefaultBridgeNetwork("host"),
	)
}

// CheckDocker reports whether a Docker daemon answers (nil) or why not (an
// error wrapping [ErrNoDocker] or [ErrRyukEnabled]).
func CheckDocker(ctx context.Context) error {
	p, err := NewProvider(ctx, nil)
	if err != nil {
		return err
	}
	return p.Close()
}

// ImageSize returns the size in bytes of an image present in the local daemon,
// or an error wrapping [ErrImageNotPresent] with a "docker load" hint.
func ImageSize(ctx context.Context, p *testcontainers.DockerProvider, image string) (int64, error) {
	res, err := p.Client().ImageInspect(ctx, image)
	if err != nil {
		if errdefs.IsNotFound(err) {
			return 0, fmt.Errorf("target: %w: %q; images are never pulled: load it first with \"docker load -i FILE.tar\" (saved elsewhere with \"docker save -o FILE.tar %s\"), or for the reference run \"make image\"", ErrImageNotPresent, image, image)
		}
		return 0, fmt.Errorf("target: inspect image %q: %w", image, err)
	}
	return res.Size, nil
}

// Start starts a reference-compatible image (see the package documentation)
// on the host network, waits until it is ready, creates two locations through
// its admin API and returns the [Target]. The caller must call
// [Target.Terminate]. On error nothing is left running.
func Start(ctx context.Context, opts Options) (_ *Target, err error) {
	logger := orDiscard(opts.Logger)
	opts, err = withDefaults(opts)
	if err != nil {
		return nil, err
	}

	p, err := NewProvider(ctx, logger)
	if err != nil {
		return nil, err
	}
	// tgt is not the named result: "return nil, err" must not hide it from
	// the cleanup below.
	tgt := &Target{provider: p, AdminToken: randomToken()}
	defer func() {
		if err != nil {
			if terr := tgt.Terminate(context.WithoutCancel(ctx)); terr != nil {
				err = errors.Join(err, terr)
			}
		}
	}()

	req := testcontainers.ContainerRequest{
		HostConfigModifier: func(hc *container.HostConfig) { hc.NetworkMode = "host" },
		Labels:             map[string]string{"org.xakia-okta.scimtest.target": "true"},
	}
	if b := opts.Build; b != nil {
		tgt.Image = b.Repo + ":" + b.Tag
		req.FromDockerfile = testcontainers.FromDockerfile{
			Context:        b.Context,
			Dockerfile:     b.Dockerfile,
			Repo:           b.Repo,
			Tag:            b.Tag,
			KeepImage:      b.KeepImage,
			BuildLogWriter: orDiscardWriter(b.Log),
		}
	} else {
		tgt.Image = opts.Image
		req.Image = opts.Image
		// Checked here so that testcontainers never tries to pull it.
		if _, err := ImageSize(ctx, p, opts.Image); err != nil {
			return nil, err
		}
	}

	port, err := freeLoopbackPort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	tgt.AdminURL = "http://" + addr
	req.Env = map[string]string{}
	for k, v := range opts.Env {
		req.Env[k] = v
	}
	if opts.DB != "" {
		req.Env["XAKIA_DB"] = opts.DB
	}
	req.Env["XAKIA_ADDR"] = addr
	req.Env["XAKIA_ADMIN_TOKEN"] = tgt.AdminToken
	req.Env["XAKIA_PUBLIC_URL"] = tgt.AdminURL

	logger.Debug("creating container", "image", tgt.Image, "build", opts.Build != nil, "addr", addr)
	began := time.Now()
	c, err := p.CreateContainer(ctx, req)
	if c != nil { // testcontainers may return a container together with an error
		tgt.container = c
		tgt.ContainerID = c.GetContainerID()
	}
	if err != nil {
		return nil, fmt.Errorf("target: create container from %q: %w", tgt.Image, err)
	}
	tgt.CreateDuration = time.Since(began)

	if tgt.ImageSize, err = ImageSize(ctx, p, tgt.Image); err != nil {
		return nil, err
	}

	began = time.Now()
	if err := c.Start(ctx); err != nil {
		return nil, fmt.Errorf("target: start container %s: %w", shortID(tgt.ContainerID), err)
	}
	// The harness client (bodies capped, redirects never followed), straight
	// to the container: no proxy.
	client := harnesshttp.New(harnesshttp.Options{Base: &http.Transport{Proxy: nil}, Timeout: 10 * time.Second})
	defer client.GetClient().CloseIdleConnections()
	if err := waitReady(ctx, client, c, tgt.AdminURL, opts.StartTimeout); err != nil {
		return nil, err
	}
	tgt.StartupDuration = time.Since(began)
	logger.Debug("container ready", "id", shortID(tgt.ContainerID), "startup", tgt.StartupDuration)

	locs := make([]Location, 0, len(opts.LocationNames))
	for _, name := range opts.LocationNames {
		loc, err := CreateLocation(ctx, client, tgt.AdminURL, tgt.AdminToken, name, opts.QueryAttributes)
		if err != nil {
			return nil, err
		}
		locs = append(locs, loc)
	}
	tgt.BaseURL, tgt.APIKey = locs[0].BaseURL, locs[0].APIKey
	tgt.BaseURL2, tgt.APIKey2 = locs[1].BaseURL, locs[1].APIKey
	return tgt, nil
}

func withDefaults(opts Options) (Options, error) {
	if opts.Build == nil && opts.Image == "" {
		opts.Image = DefaultImage
	}
	if b := opts.Build; b != nil {
		if b.Context == "" {
			return opts, errors.New("target: Build.Context is required")
		}
		cp := *b
		if cp.Dockerfile == "" {
			cp.Dockerfile = "Dockerfile"
		}
		if cp.Repo == "" {
			cp.Repo = "xakia-reference-build"
		}
		if cp.Tag == "" {
			cp.Tag = randomToken()[:12]
		}
		opts.Build = &cp
	}
	if opts.LocationNames[0] == "" {
		opts.LocationNames[0] = "conformance-a"
	}
	if opts.LocationNames[1] == "" {
		opts.LocationNames[1] = "conformance-b"
	}
	if opts.LocationNames[0] == opts.LocationNames[1] {
		return opts, fmt.Errorf("target: the two location names must differ (both %q)", opts.LocationNames[0])
	}
	switch opts.QueryAttributes {
	case "":
		opts.QueryAttributes = DefaultQueryAttributes
	case "limited", "full":
	default:
		return opts, fmt.Errorf("target: QueryAttributes %q: want \"limited\" or \"full\"", opts.QueryAttributes)
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = DefaultStartTimeout
	}
	return opts, nil
}

// freeLoopbackPort asks the kernel for a free TCP port on 127.0.0.1. The port
// is released before the container binds it, so another process could take it
// in between; the container then fails to start and the error says so.
func freeLoopbackPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("target: pick a free 127.0.0.1 port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error
	return hex.EncodeToString(b)
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

func orDiscardWriter(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// tcLogger sends testcontainers' messages to slog at debug level.
type tcLogger struct{ l *slog.Logger }

// Printf implements testcontainers' log.Logger.
func (t tcLogger) Printf(format string, v ...any) {
	t.l.Debug(fmt.Sprintf(format, v...), "source", "testcontainers")
}
