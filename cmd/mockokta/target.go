package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/reference"
	"github.com/xakia-okta/scimtest/reports"
	"github.com/xakia-okta/scimtest/steps"
)

// cli is one command invocation: its configuration, target and outputs.
type cli struct {
	g       *globals
	e       env
	stdout  io.Writer
	stderr  io.Writer
	command string

	okta      *mockokta.Okta
	inst      *reference.Instance
	state     *state
	exchanges []reports.Exchange
	// noRecord disables exchange recording unless --har asks for it.
	noRecord bool
}

// close stops the embedded reference, if any.
func (c *cli) close() {
	if c.okta != nil {
		c.okta.Close()
	}
	if c.inst != nil {
		_ = c.inst.Close()
	}
}

// fail prints a configuration error and returns exit 2.
func (c *cli) configError(err error) int {
	fmt.Fprintf(c.stderr, "mockokta %s: %v\n", c.command, err)
	return exitUsage
}

// setup validates the global flags, starts the embedded reference when
// asked, loads the state and builds the mock Okta.
func (c *cli) setup(ctx context.Context) error {
	g := c.g
	auth := mockokta.AuthMode(strings.ToLower(g.auth))
	switch auth {
	case mockokta.AuthBearer, mockokta.AuthBasic, mockokta.AuthHeader:
	default:
		return usagef("--auth must be bearer, basic or header, not %q", g.auth)
	}
	style := mockokta.Style(strings.ToLower(g.mode))
	switch style {
	case mockokta.StyleOIN, mockokta.StyleAIW:
	default:
		return usagef("--mode must be oin or aiw, not %q", g.mode)
	}
	update := mockokta.UpdateMethod(strings.ToLower(g.profileUpdate))
	switch update {
	case mockokta.UpdatePUT, mockokta.UpdatePATCH:
	default:
		return usagef("--profile-update must be put or patch, not %q", g.profileUpdate)
	}
	if g.timeout <= 0 {
		return usagef("--timeout must be positive")
	}
	if g.retryScale < 0 {
		return usagef("--retry-time-scale must not be negative")
	}
	if len(g.faults) > 0 && !g.embedded {
		// A fault only exists in the embedded reference: with no target
		// given, --fault means --embedded.
		if g.baseURL != "" {
			return usagef("--fault applies to the embedded reference: drop --base-url (or SCIM_BASE_URL), or add --embedded")
		}
		g.embedded = true
	}
	if g.embedded {
		inst, err := reference.Start(ctx, reference.Options{Faults: g.faults})
		if err != nil {
			return usagef("starting the embedded reference: %v", err)
		}
		if len(inst.Locations) == 0 {
			_ = inst.Close()
			return usagef("the embedded reference has no location")
		}
		c.inst = inst
		g.baseURL, g.apiKey = inst.Locations[0].BaseURL, inst.Locations[0].APIKey
		auth = mockokta.AuthBearer
	}
	if g.baseURL == "" {
		return usagef("no target: set --base-url (or SCIM_BASE_URL) and --api-key (or SCIM_API_KEY), or use --embedded")
	}
	if g.apiKey == "" {
		return usagef("no API key: set --api-key (or SCIM_API_KEY), or use --embedded")
	}
	app := mockokta.App{
		Name:       g.appName,
		BaseURL:    g.baseURL,
		Auth:       auth,
		Credential: g.apiKey,
		Style:      style,
		ToApp:      mockokta.DefaultToApp(),
		Groups:     g.groups,
		// ProfileUpdate matters for OIN apps only.
		ProfileUpdate: update,
	}
	if err := app.Validate(); err != nil {
		return usagef("%v", err)
	}
	if app.InsecureRemote() {
		fmt.Fprintf(c.stderr, "warning: %s is plain http to a non-loopback host; Okta requires HTTPS and would refuse this base URL\n", app.BaseURL)
	}
	c.state = &state{path: g.statePath, memoryOnly: g.embedded}
	if err := c.state.load(); err != nil {
		return usagef("%v", err)
	}
	dir := mockokta.NewDirectory(rand.Reader)
	for _, u := range c.state.Directory {
		dir.Put(u)
	}
	var maxBody int64
	if g.maxBody != "" {
		n, err := steps.ParseSize(g.maxBody)
		if err != nil {
			return usagef("--max-body: %v", err)
		}
		maxBody = n
	}
	o, err := mockokta.New(app, dir, mockokta.Options{
		MaxBody:  maxBody,
		Timeout:  g.timeout,
		Clock:    mockokta.RealClock{Scale: g.retryScale},
		NoRecord: c.noRecord && g.har == "",
	})
	if err != nil {
		return usagef("%v", err)
	}
	for _, l := range c.state.app(app.BaseURL).Links {
		o.SetLink(l)
	}
	c.okta = o
	return nil
}

// prepare runs setup and turns its error into an exit code (or -1 to go on).
func (c *cli) prepare(ctx context.Context) int {
	if err := c.setup(ctx); err != nil {
		return c.configError(err)
	}
	return -1
}

// saveState writes the directory and assignments back.
func (c *cli) saveState() {
	if c.state == nil || c.okta == nil {
		return
	}
	c.state.Directory = c.okta.Directory().Users()
	c.state.setLinks(c.okta.App().BaseURL, c.okta.Links())
	if err := c.state.save(); err != nil {
		fmt.Fprintf(c.stderr, "warning: could not save the state: %v\n", err)
	}
}

// collect keeps a task's exchanges for the HAR file.
func (c *cli) collect(ex []reports.Exchange) {
	c.exchanges = append(c.exchanges, ex...)
}

// writeHAR writes the HAR file when --har was given.
func (c *cli) writeHAR() int {
	if c.g.har == "" {
		return exitOK
	}
	ex := append([]reports.Exchange(nil), c.exchanges...)
	sort.SliceStable(ex, func(i, j int) bool { return ex[i].Started.Before(ex[j].Started) })
	if err := reports.WriteHARFile(c.g.har, "mockokta", ex); err != nil {
		fmt.Fprintf(c.stderr, "mockokta: writing %s: %v\n", c.g.har, err)
		return exitUsage
	}
	if !c.g.json {
		fmt.Fprintf(c.stderr, "wrote %d exchanges to %s\n", len(ex), c.g.har)
	}
	return exitOK
}

// finish writes the HAR file and combines exit codes.
func (c *cli) finish(code int) int {
	if h := c.writeHAR(); h != exitOK && code == exitOK {
		return h
	}
	return code
}

// unreachable reports a target that could not be reached: exit 2.
func (c *cli) unreachable(err error) int {
	fmt.Fprintf(c.stderr, "mockokta %s: cannot reach the SCIM server at %s: %v\n", c.command, c.okta.App().BaseURL, err)
	return c.finish(exitUsage)
}

// adminCreator returns a function creating a pre-existing user through the
// reference admin API, or nil when no admin API is known.
func (c *cli) adminCreator() func(ctx context.Context, p mockokta.Profile) error {
	origin, token, loc := c.g.adminURL, c.g.admToken, ""
	if c.inst != nil {
		origin, token, loc = c.inst.Origin, c.inst.AdminToken, c.inst.Locations[0].ID
	}
	if origin == "" || token == "" {
		return nil
	}
	if loc == "" {
		u, err := url.Parse(c.okta.App().BaseURL)
		if err != nil {
			return nil
		}
		loc = path.Base(u.Path)
	}
	endpoint := strings.TrimRight(origin, "/") + "/admin/api/locations/" + url.PathEscape(loc) + "/users"
	hc := &http.Client{Timeout: c.g.timeout, CheckRedirect: reports.RefuseRedirect,
		Transport: reports.LimitBody(nil, reports.DefaultMaxBody)}
	return func(ctx context.Context, p mockokta.Profile) error {
		body, _ := json.Marshal(map[string]any{
			"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
			"userName":    p.Login,
			"name":        map[string]string{"givenName": p.FirstName, "familyName": p.LastName},
			"emails":      []map[string]any{{"primary": true, "value": p.Email, "type": "work"}},
			"displayName": p.DisplayName,
		})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("admin API POST %s answered %d: %s", strings.TrimPrefix(endpoint, origin), resp.StatusCode, strings.TrimSpace(string(b)))
		}
		return nil
	}
}

// errUnknownUser is returned when a command names a user that is not in the
// mock Okta directory.
var errUnknownUser = errors.New("not in the mock Okta directory")

// knownUser checks that login is in the directory.
func (c *cli) knownUser(login string) error {
	if _, err := c.okta.Directory().Get(login); err != nil {
		hint := fmt.Sprintf("assign it first (the state file is %s)", c.g.statePath)
		if c.g.embedded {
			hint = "each --embedded run starts an empty server and directory; use \"mockokta --embedded lifecycle\" to replay a whole lifecycle"
		}
		return usagef("user %s is %v: %s", login, errUnknownUser, hint)
	}
	return nil
}

// millis renders a duration in milliseconds for humans.
func millis(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
