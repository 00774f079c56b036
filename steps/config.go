package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xakia-okta/scimtest/reports"
)

// Profiles of the suite: which scenarios run and which deviations are
// declared by default.
const (
	// ProfileXakia checks a Xakia location: the limited query attributes of
	// the seed article are a declared deviation.
	ProfileXakia = "xakia"
	// ProfileOkta checks a full-attribute SCIM server, the way Okta's own
	// SPEC test does; no deviation is declared by default.
	ProfileOkta = "okta"
)

// DefaultReportsDir is where reports go when SCIM_REPORTS is unset.
//
// It is not "reports", the folder of the package that writes them: a run
// in the repository would otherwise fill a source folder.
const DefaultReportsDir = "scim-reports"

// Config is everything a conformance run needs. ConfigFromEnv fills it from
// the environment; callers (the mockokta CLI, tests) may build it directly.
type Config struct {
	// BaseURL and APIKey are the SCIM base URI and API key of the location
	// under test. An empty BaseURL starts the embedded reference server.
	BaseURL, APIKey string
	// BaseURL2 and APIKey2 are a second location of the same target, for the
	// @two-locations scenarios.
	BaseURL2, APIKey2 string
	// AdminURL (an origin; /admin/api/... is appended) and AdminToken reach a
	// reference-compatible admin API, for the @admin scenarios.
	AdminURL, AdminToken string
	// Profile is ProfileXakia (the default) or ProfileOkta.
	Profile string
	// Tags is an extra godog tag expression ANDed with the profile's.
	Tags string
	// ReportsDir receives cucumber.json, junit.xml, summary.json, index.html
	// and traces/.
	ReportsDir string
	// DeviationsFile is a deviations manifest of the user's; empty means the
	// embedded Xakia manifest for ProfileXakia and none for ProfileOkta.
	DeviationsFile string
	// FailOnNotRun makes a not-run scenario fail the verdict (exit 1): for
	// CI, where a scenario that could not run must not pass silently.
	FailOnNotRun bool
	// AllowRemote must be true before the suite writes to a target that is
	// not on a loopback address.
	AllowRemote bool
	// Image is a Docker image already present locally (SCIM_IMAGE): when set
	// and BaseURL is empty, Run starts it with testcontainers on the host
	// network, creates two locations through its admin API and targets it.
	// The image must be reference-compatible (see package steps/target).
	Image string
	// StartImage starts Image; nil means this program cannot start
	// containers (mockokta leaves the Docker client out unless built with
	// -tags containers), and a run with an Image is a configuration error.
	// steps/target.Starter provides it.
	StartImage ImageStarter
	// Faults are reference fault names given to the embedded reference (for
	// the mutation self-test); they are an error with an external target.
	Faults []string
	// Variants are reference variant names (legal behaviours that differ
	// from Xakia's) given to the embedded reference, like Faults.
	Variants []string
	// MaxBody is how many bytes of one response any client of the suite
	// reads (SCIM_MAX_BODY); a longer body is a finding. Zero means
	// reports.DefaultMaxBody (8 MiB).
	MaxBody int64
	// MaxDuration bounds the whole run (SCIM_MAX_DURATION); the scenarios
	// it leaves are reported not run (deadline). Zero means
	// DefaultMaxDuration.
	MaxDuration time.Duration
	// ScenarioTimeout bounds each scenario (SCIM_SCENARIO_TIMEOUT), never
	// beyond what remains of MaxDuration. Zero means DefaultScenarioTimeout.
	ScenarioTimeout time.Duration
	// OIDCPassword is a password the target's OIDC provider accepts for
	// every suite user (SCIM_OIDC_PASSWORD), so that the @oidc scenarios can
	// sign them in with Okta. The embedded reference needs none: the suite
	// adds its users to the embedded mock Okta org.
	OIDCPassword string
	// ChromePath is the browser of the @browser scenarios (CHROME_PATH);
	// empty: chromium, chromium-browser or google-chrome on PATH.
	ChromePath string
	// RequireBrowser makes a browser that cannot run the selected @browser
	// scenarios a configuration error instead of a not-run reason
	// (XAKIA_REQUIRE_BROWSER=true, for CI).
	RequireBrowser bool
	// Output receives the console report; nil means io.Discard.
	Output io.Writer
	// TestingT, when set, makes godog run every scenario as a subtest of
	// it (`go test -v` shows one line per scenario). godog fails the
	// subtest of every scenario it sees fail, so set it only for a run that
	// is meant to pass (TestConformance), never for runs expected to fail
	// (the mutation self-tests): their verdict is judged from Run's result.
	// Deviations behaving as declared, warnings and notes pass their
	// subtest; not-run scenarios are not selected, so they have none.
	TestingT *testing.T
	// ErrOutput receives the configuration and engine errors that end a
	// run without a verdict (the verdict line itself stays on Output); nil
	// means Output.
	ErrOutput io.Writer
	// Verbose prints every scenario and step as it runs (godog's pretty
	// format) instead of the compact console: one line per feature, the
	// failures in full, the findings and the verdict.
	Verbose bool
}

// ImageTarget is a reference-compatible container the suite targets: two
// locations, the admin API, and how to remove it.
type ImageTarget struct {
	BaseURL, APIKey   string // the first location
	BaseURL2, APIKey2 string // the second location
	// AdminURL is the origin of the admin API; AdminToken its token.
	AdminURL, AdminToken string
	// ContainerID and StartupDuration are for the console.
	ContainerID     string
	StartupDuration time.Duration
	// Terminate stops and removes the container.
	Terminate func(context.Context) error
}

// ImageStarter starts image (already loaded, never pulled) with two
// locations whose queries return the given query attributes ("limited" or
// "full").
type ImageStarter func(ctx context.Context, image, queryAttributes string) (*ImageTarget, error)

// Default bounds of a run.
const (
	DefaultMaxDuration     = 10 * time.Minute
	DefaultScenarioTimeout = 2 * time.Minute
)

// maxBody is the configured body limit or the default.
func (c Config) maxBody() int64 {
	if c.MaxBody > 0 {
		return c.MaxBody
	}
	return reports.DefaultMaxBody
}

// maxDuration is the configured run deadline or the default.
func (c Config) maxDuration() time.Duration {
	if c.MaxDuration > 0 {
		return c.MaxDuration
	}
	return DefaultMaxDuration
}

// scenarioTimeout is the configured scenario deadline or the default.
func (c Config) scenarioTimeout() time.Duration {
	if c.ScenarioTimeout > 0 {
		return c.ScenarioTimeout
	}
	return DefaultScenarioTimeout
}

// ParseSize reads a byte count: a plain integer, or one ending in KiB or MiB
// ("8MiB", "512KiB").
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20} {
		if strings.HasSuffix(s, suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, suffix)), m
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("not a positive size in bytes, KiB or MiB: %q", s)
	}
	return n * mult, nil
}

// Environment variables read by ConfigFromEnv.
const (
	EnvBaseURL     = "SCIM_BASE_URL"
	EnvAPIKey      = "SCIM_API_KEY"
	EnvBaseURL2    = "SCIM_BASE_URL_2"
	EnvAPIKey2     = "SCIM_API_KEY_2"
	EnvAdminURL    = "XAKIA_ADMIN_URL"
	EnvAdminToken  = "XAKIA_ADMIN_TOKEN"
	EnvDeviations  = "SCIM_DEVIATIONS"
	EnvProfile     = "SCIM_PROFILE"
	EnvTags        = "SCIM_TAGS"
	EnvReports     = "SCIM_REPORTS"
	EnvAllowRemote = "SCIM_ALLOW_REMOTE"
	// EnvFailOnNotRun set to "true" makes not-run scenarios fail the verdict.
	EnvFailOnNotRun = "SCIM_FAIL_ON_NOT_RUN"
	EnvImage        = "SCIM_IMAGE"
	// EnvMaxBody bounds each response body (bytes, or e.g. "8MiB").
	EnvMaxBody = "SCIM_MAX_BODY"
	// EnvMaxDuration bounds the whole run (a Go duration, e.g. "10m").
	EnvMaxDuration = "SCIM_MAX_DURATION"
	// EnvScenarioTimeout bounds each scenario (a Go duration, e.g. "2m").
	EnvScenarioTimeout = "SCIM_SCENARIO_TIMEOUT"
	// EnvOIDCPassword is the password the target's OIDC provider accepts for
	// every suite user (the @oidc scenarios).
	EnvOIDCPassword = "SCIM_OIDC_PASSWORD"
)

// ErrConfig marks configuration errors (exit status 2).
var ErrConfig = errors.New("configuration error")

// ConfigFromEnv reads the suite's environment variables through getenv
// (os.Getenv in production) and validates them. Output is left nil.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	cfg := Config{
		BaseURL:        get(EnvBaseURL),
		APIKey:         get(EnvAPIKey),
		BaseURL2:       get(EnvBaseURL2),
		APIKey2:        get(EnvAPIKey2),
		AdminURL:       get(EnvAdminURL),
		AdminToken:     get(EnvAdminToken),
		DeviationsFile: get(EnvDeviations),
		Profile:        get(EnvProfile),
		Tags:           get(EnvTags),
		ReportsDir:     get(EnvReports),
		Image:          get(EnvImage),
		OIDCPassword:   getenv(EnvOIDCPassword),
		ChromePath:     get(EnvChromePath),
	}
	for name, dst := range map[string]*bool{EnvAllowRemote: &cfg.AllowRemote, EnvFailOnNotRun: &cfg.FailOnNotRun, EnvRequireBrowser: &cfg.RequireBrowser} {
		switch v := get(name); v {
		case "", "false":
		case "true":
			*dst = true
		default:
			return Config{}, fmt.Errorf("%w: %s must be \"true\" or \"false\", not %q", ErrConfig, name, v)
		}
	}
	if v := get(EnvMaxBody); v != "" {
		n, err := ParseSize(v)
		if err != nil {
			return Config{}, fmt.Errorf("%w: %s: %w", ErrConfig, EnvMaxBody, err)
		}
		cfg.MaxBody = n
	}
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{EnvMaxDuration, &cfg.MaxDuration}, {EnvScenarioTimeout, &cfg.ScenarioTimeout}} {
		if v := get(d.name); v != "" {
			n, err := time.ParseDuration(v)
			if err != nil || n <= 0 {
				return Config{}, fmt.Errorf("%w: %s must be a positive duration such as \"10m\", not %q", ErrConfig, d.name, v)
			}
			*d.to = n
		}
	}
	if cfg.Profile == "" {
		cfg.Profile = ProfileXakia
	}
	if cfg.ReportsDir == "" {
		cfg.ReportsDir = DefaultReportsDir
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Validate checks that the configuration is complete and consistent. Empty
// Profile and ReportsDir are accepted (Run uses the defaults).
func (c Config) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, a...)...)
	}
	switch c.Profile {
	case "", ProfileXakia, ProfileOkta:
	default:
		return bad("%s must be %q or %q, not %q", EnvProfile, ProfileXakia, ProfileOkta, c.Profile)
	}
	if c.Image != "" {
		if c.BaseURL != "" {
			return bad("set %s or %s, not both: the image is started and targeted", EnvImage, EnvBaseURL)
		}
		if len(c.Faults) > 0 || len(c.Variants) > 0 {
			return bad("faults and variants can only be given to the embedded reference (unset %s)", EnvImage)
		}
	}
	if c.BaseURL == "" {
		if c.APIKey != "" || c.BaseURL2 != "" || c.APIKey2 != "" {
			return bad("%s is unset (embedded reference) but %s, %s or %s is set; set %s too, or unset them", EnvBaseURL, EnvAPIKey, EnvBaseURL2, EnvAPIKey2, EnvBaseURL)
		}
		if c.AdminURL != "" || c.AdminToken != "" {
			return bad("%s is unset (embedded reference, which has its own admin API) but %s or %s is set", EnvBaseURL, EnvAdminURL, EnvAdminToken)
		}
		if c.OIDCPassword != "" {
			return bad("%s is unset (embedded reference, which signs its users in at its own mock Okta org) but %s is set", EnvBaseURL, EnvOIDCPassword)
		}
	} else {
		if len(c.Faults) > 0 || len(c.Variants) > 0 {
			return bad("faults and variants can only be given to the embedded reference (unset %s)", EnvBaseURL)
		}
		if err := checkURL(EnvBaseURL, c.BaseURL); err != nil {
			return err
		}
		if c.APIKey == "" {
			return bad("%s is set but %s is empty: give the SCIM API key of that location", EnvBaseURL, EnvAPIKey)
		}
		if (c.BaseURL2 == "") != (c.APIKey2 == "") {
			return bad("set both %s and %s, or neither", EnvBaseURL2, EnvAPIKey2)
		}
		if c.BaseURL2 != "" {
			if err := checkURL(EnvBaseURL2, c.BaseURL2); err != nil {
				return err
			}
			if strings.TrimRight(c.BaseURL2, "/") == strings.TrimRight(c.BaseURL, "/") {
				return bad("%s must be another location than %s", EnvBaseURL2, EnvBaseURL)
			}
		}
		if (c.AdminURL == "") != (c.AdminToken == "") {
			return bad("set both %s and %s, or neither", EnvAdminURL, EnvAdminToken)
		}
		if c.AdminURL != "" {
			if err := checkURL(EnvAdminURL, c.AdminURL); err != nil {
				return err
			}
		}
	}
	if c.MaxBody < 0 || c.MaxDuration < 0 || c.ScenarioTimeout < 0 {
		return bad("MaxBody, MaxDuration and ScenarioTimeout must not be negative")
	}
	if _, err := buildTagExpr(c.Profile, c.Tags, nil); err != nil {
		return bad("%s: %v", EnvTags, err)
	}
	return nil
}

// checkURL accepts absolute http(s) URLs without credentials or query.
func checkURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %s is not a URL: %v", ErrConfig, name, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: %s must be an absolute http(s) URL such as https://example.com/scim/v2/acme, not %q", ErrConfig, name, raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%w: %s must not carry credentials, a query or a fragment", ErrConfig, name)
	}
	return nil
}

// isLoopback reports whether the URL's host is a loopback name or address.
func isLoopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// remoteTargets lists the configured URLs that are not on loopback.
func (c Config) remoteTargets() []string {
	var out []string
	for _, u := range []string{c.BaseURL, c.BaseURL2, c.AdminURL} {
		if u != "" && !isLoopback(u) {
			out = append(out, u)
		}
	}
	return out
}
