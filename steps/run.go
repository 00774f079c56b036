package steps

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	"github.com/go-resty/resty/v2"

	"github.com/xakia-okta/scimtest/features"
	"github.com/xakia-okta/scimtest/internal/harnesshttp"
	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/reference"
	"github.com/xakia-okta/scimtest/reports"
)

// Exit statuses of Run.
const (
	ExitPass   = 0 // every selected scenario passed (declared deviations behaving as declared included)
	ExitFail   = 1 // conformance failures
	ExitConfig = 2 // configuration or engine error: nothing was judged
	// ExitInterrupted: the run was stopped by its caller (SIGINT, SIGTERM,
	// a cancelled context) before every selected scenario ran.
	ExitInterrupted = 130
)

// Reasons of scenarios the run did not get to.
const (
	reasonInterrupted = "not run (interrupted)"
	reasonDeadline    = "not run (deadline)"
)

// runState is shared by every scenario of one run.
type runState struct {
	cfg      Config
	manifest Manifest
	runID    string
	first    location
	second   location
	adminURL string
	adminTok string
	// people signs suite users in at the target's OIDC provider (nil: the
	// suite cannot, and the @oidc scenarios are not run).
	people oidcPeople
	// browser is the embedded mock Okta org and Chromium of the @browser
	// scenarios (nil when they do not run).
	browser *browserEnv
	// hc is the client of the runner's own requests (probes, the
	// ServiceProviderConfig, the admin location list): bodies bounded,
	// redirects never followed.
	hc *resty.Client
	// parent is the caller's context (cancelled on SIGINT); runCtx is it
	// bounded by the run's deadline.
	parent, runCtx context.Context

	mu      sync.Mutex
	learned []string // secrets learnt during the run (rotated and new keys)
	notices []string // run-level remarks, each once
	seq     int
	worlds  []*World
	// featureOf names the feature of each feature file (by URI); progress
	// prints the compact console's line per feature (nil when verbose).
	featureOf map[string]string
	progress  *featureProgress
}

// stopReason says why the run stopped early: reasonInterrupted when the
// caller cancelled it, reasonDeadline when its deadline passed, else "".
func (rs *runState) stopReason() string {
	switch {
	case rs.parent != nil && rs.parent.Err() != nil:
		return reasonInterrupted
	case rs.runCtx != nil && rs.runCtx.Err() != nil:
		return reasonDeadline
	}
	return ""
}

// runCtxOr is the run's context, or fallback when the run state has none
// (unit tests).
func (rs *runState) runCtxOr(fallback context.Context) context.Context {
	if rs.runCtx != nil {
		return rs.runCtx
	}
	return fallback
}

// client returns the client of the runner's own requests (a fresh one when
// the run state was built without it, as in unit tests).
func (rs *runState) client() *resty.Client {
	if rs.hc != nil {
		return rs.hc
	}
	return newRunnerClient(rs.cfg.maxBody())
}

// newRunnerClient is the harness client without a recorder: bodies stop at
// maxBody bytes, redirects are never followed (harnesshttp).
func newRunnerClient(maxBody int64) *resty.Client {
	return harnesshttp.New(harnesshttp.Options{MaxBody: maxBody})
}

// requestTimeout is how long one request of the runner may take: a
// scenario's deadline, at most 30 s.
func (rs *runState) requestTimeout() time.Duration {
	return min(30*time.Second, rs.cfg.scenarioTimeout())
}

// secrets returns every secret the recorders must hide.
func (rs *runState) secrets() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := []string{rs.first.APIKey, rs.second.APIKey, rs.adminTok}
	if rs.cfg.OIDCPassword != "" {
		out = append(out, rs.cfg.OIDCPassword)
	}
	return append(out, rs.learned...)
}

// notice records a run-level remark once (repeats are dropped; the first
// wording of a remark wins, compared up to its first colon).
func (rs *runState) notice(text string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	key, _, _ := strings.Cut(text, ":")
	for _, n := range rs.notices {
		if k, _, _ := strings.Cut(n, ":"); k == key {
			return
		}
	}
	rs.notices = append(rs.notices, text)
}

// learn registers a secret learnt during the run.
func (rs *runState) learn(s string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.learned = append(rs.learned, s)
}

// pickleInfo is a scenario of the embedded features.
type pickleInfo struct {
	ID      string // stable id (scenarioID)
	Feature string
	URI     string
	Name    string
	Tags    []string
}

// Run runs the conformance suite described by cfg and returns its outcome
// and exit status (ExitPass, ExitFail or ExitConfig). It writes the console
// report to cfg.Output and the report files to cfg.ReportsDir. It never
// exits the process.
func Run(ctx context.Context, cfg Config) (reports.Run, int) {
	out := cfg.Output
	if out == nil {
		out = io.Discard
	}
	errOut := cfg.ErrOutput
	if errOut == nil {
		errOut = out
	}
	if cfg.Profile == "" {
		cfg.Profile = ProfileXakia
	}
	if cfg.ReportsDir == "" {
		cfg.ReportsDir = DefaultReportsDir
	}
	started := time.Now()
	result := reports.Run{Profile: cfg.Profile, Started: started}
	parent := ctx
	ctx, cancelRun := context.WithTimeout(ctx, cfg.maxDuration())
	defer cancelRun()
	// contacted is set once requests go to the target: from then on every
	// ending writes the reports, the selected scenarios marked not run.
	var contacted bool
	var people oidcPeople
	var pending []reports.Scenario
	fail := func(format string, a ...any) (reports.Run, int) {
		msg := fmt.Sprintf(format, a...)
		result.Duration = time.Since(started)
		code := ExitConfig
		switch {
		case parent.Err() != nil:
			result.Interrupted, code = true, ExitInterrupted
		case ctx.Err() != nil:
			result.Interrupted = true
		}
		if code == ExitConfig && len(result.Findings) == 0 {
			// A configuration or engine error: the error stream.
			fmt.Fprintf(errOut, "scimtest: %s\n", msg)
		} else {
			fmt.Fprintf(out, "scimtest: %s\n", msg)
		}
		if !contacted {
			fmt.Fprintln(out, "VERDICT: ERROR — nothing was judged (exit 2)")
			return result, code
		}
		if len(result.Findings) > 0 && code == ExitConfig {
			code = ExitFail
		}
		for _, p := range pending {
			if p.Reason == "" {
				p.Reason = "not run: " + msg
			}
			result.Scenarios = append(result.Scenarios, p)
		}
		result.Notices = append(result.Notices, "the run ended before any scenario: "+msg)
		writeReports(out, cfg.ReportsDir, result)
		if code == ExitConfig {
			fmt.Fprintln(out, "VERDICT: ERROR — nothing was judged (exit 2)")
		} else {
			fmt.Fprintln(out, reports.VerdictLine(result))
		}
		return result, code
	}
	if err := cfg.Validate(); err != nil {
		return fail("%v", err)
	}
	manifest, err := loadManifest(cfg)
	if err != nil {
		return fail("%v", err)
	}
	result.Deviations = manifest.reportDeviations(nil)

	// Browser scenarios: only when asked for, against the embedded target,
	// with a browser.
	browserAsked := browserSelected(cfg.Tags)
	var browserWhy, chrome string
	var browser *browserEnv
	if browserAsked {
		if cfg.Image != "" || cfg.BaseURL != "" {
			browserWhy = fmt.Sprintf("the browser scenarios need the embedded reference and mock Okta org (%s and %s unset)", EnvBaseURL, EnvImage)
		} else if chrome = findChrome(cfg.ChromePath); chrome == "" {
			browserWhy = noChromeReason(cfg.ChromePath)
		}
		if browserWhy != "" && cfg.RequireBrowser {
			return fail("%s=true but %s", EnvRequireBrowser, browserWhy)
		}
	}

	if cfg.Image != "" {
		tgt, err := startImage(ctx, cfg)
		if err != nil {
			return fail("cannot start %s=%s: %v", EnvImage, cfg.Image, err)
		}
		defer func() {
			stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			if err := tgt.Terminate(stopCtx); err != nil {
				fmt.Fprintf(out, "scimtest: removing the container of %s: %v\n", cfg.Image, err)
			}
		}()
		cfg.BaseURL, cfg.APIKey = tgt.BaseURL, tgt.APIKey
		cfg.BaseURL2, cfg.APIKey2 = tgt.BaseURL2, tgt.APIKey2
		cfg.AdminURL, cfg.AdminToken = tgt.AdminURL, tgt.AdminToken
		fmt.Fprintf(out, "scimtest: testing image %s in container %.12s at %s (ready in %s, profile %s)\n",
			cfg.Image, tgt.ContainerID, tgt.AdminURL, tgt.StartupDuration.Round(time.Millisecond), cfg.Profile)
	} else if cfg.BaseURL == "" {
		inst, emb, err := startEmbedded(ctx, cfg, browserAsked && browserWhy == "")
		if err != nil {
			return fail("cannot start the embedded reference server: %v", err)
		}
		defer emb.close()
		defer inst.Close()
		people = emb.people
		if emb.browser != nil {
			if err := emb.browser.startChrome(ctx, chrome); err != nil {
				browserWhy = err.Error()
				if cfg.RequireBrowser {
					return fail("%s=true but the browser does not start: %v", EnvRequireBrowser, err)
				}
			} else {
				browser = emb.browser
			}
		}
		cfg.BaseURL, cfg.APIKey = inst.Locations[0].BaseURL, inst.Locations[0].APIKey
		cfg.BaseURL2, cfg.APIKey2 = inst.Locations[1].BaseURL, inst.Locations[1].APIKey
		cfg.AdminURL, cfg.AdminToken = inst.Origin, inst.AdminToken
		fmt.Fprintf(out, "scimtest: no %s given: testing the embedded reference server at %s (profile %s", EnvBaseURL, inst.Origin, cfg.Profile)
		if len(cfg.Faults) > 0 {
			fmt.Fprintf(out, ", faults %s", strings.Join(cfg.Faults, ", "))
		}
		if len(cfg.Variants) > 0 {
			fmt.Fprintf(out, ", variants %s", strings.Join(cfg.Variants, ", "))
		}
		fmt.Fprintln(out, ")")
	}
	result.Target = cfg.BaseURL
	if people == nil && cfg.OIDCPassword != "" {
		people = sharedPassword(cfg.OIDCPassword)
	}
	if remote := cfg.remoteTargets(); len(remote) > 0 && !cfg.AllowRemote {
		return fail("%s is not a loopback address and the suite creates, changes and deactivates users there; set %s=true to allow it", strings.Join(remote, ", "), EnvAllowRemote)
	}

	rs := &runState{
		parent:   parent,
		runCtx:   ctx,
		hc:       newRunnerClient(cfg.maxBody()),
		cfg:      cfg,
		manifest: manifest,
		runID:    newRunID(),
		first:    location{Label: "first", BaseURL: strings.TrimRight(cfg.BaseURL, "/"), APIKey: cfg.APIKey},
		second:   location{Label: "second", BaseURL: strings.TrimRight(cfg.BaseURL2, "/"), APIKey: cfg.APIKey2},
		adminURL: strings.TrimRight(cfg.AdminURL, "/"),
		adminTok: cfg.AdminToken,
		people:   people,
		browser:  browser,
	}

	// Selection: the profile, the requirements the target does not meet,
	// the user's tags.
	var exclusions []string
	missing := map[string]string{}
	if rs.adminURL == "" {
		exclusions = append(exclusions, "~"+tagAdmin)
		missing[tagAdmin] = fmt.Sprintf("needs an admin API (%s and %s are unset)", EnvAdminURL, EnvAdminToken)
	}
	if rs.second.BaseURL == "" {
		exclusions = append(exclusions, "~"+tagTwoLocations)
		missing[tagTwoLocations] = fmt.Sprintf("needs a second location (%s and %s are unset)", EnvBaseURL2, EnvAPIKey2)
	}
	contacted = true
	if err := os.MkdirAll(cfg.ReportsDir, 0o755); err != nil {
		contacted = false
		return fail("cannot create the report directory %s: %v", cfg.ReportsDir, err)
	}
	// Scenarios of optional SCIM features run only when ServiceProviderConfig
	// advertises them (asked once).
	spc, spcWhy := rs.serviceProviderConfig(ctx)
	for _, c := range []struct{ tag, feature string }{{tagETag, "etag"}, {tagFilter, "filter"}} {
		if why := unadvertised(spc, spcWhy, c.feature); why != "" {
			exclusions = append(exclusions, "~"+c.tag)
			missing[c.tag] = why
		}
	}
	// Sign-in scenarios run only when the target's web sign-in page offers
	// what they need (asked once).
	if rs.adminURL == "" {
		exclusions = append(exclusions, "~"+tagSignIn, "~"+tagOIDC)
		missing[tagSignIn] = missing[tagAdmin]
		missing[tagOIDC] = missing[tagAdmin]
	} else if signin, okta, whySignIn, whyOkta := rs.signInCaps(ctx); !signin || !okta {
		if !signin {
			exclusions = append(exclusions, "~"+tagSignIn)
			missing[tagSignIn] = whySignIn
		}
		if !okta {
			exclusions = append(exclusions, "~"+tagOIDC)
			missing[tagOIDC] = whyOkta
		}
	}
	var base []string
	if !browserAsked {
		// Left out of the default selection, so that it stays fast.
		base = []string{"~" + tagBrowser}
	} else if browser == nil {
		exclusions = append(exclusions, "~"+tagBrowser)
		missing[tagBrowser] = browserWhy
	}
	exclusions = append(exclusions, base...)
	wanted, err := buildTagExpr(cfg.Profile, cfg.Tags, base)
	if err != nil {
		return fail("%v", err)
	}
	expr, err := buildTagExpr(cfg.Profile, cfg.Tags, exclusions)
	if err != nil {
		return fail("%v", err)
	}
	result.Tags = expr
	all, err := embeddedScenarios()
	if err != nil {
		return fail("the embedded features do not parse: %v", err)
	}
	var selected int
	var notRun []reports.Scenario
	var selectedPickles []pickleInfo
	for _, p := range all {
		switch {
		case matchTags(expr, p.Tags):
			selected++
			selectedPickles = append(selectedPickles, p)
			pending = append(pending, reports.Scenario{ID: p.ID, Feature: p.Feature, Name: p.Name, Tags: p.Tags, Status: reports.StatusNotRun})
		case matchTags(wanted, p.Tags):
			var why []string
			for _, t := range p.Tags {
				// Several capability tags can miss for one reason (no admin API): say it once.
				if r, ok := missing[t]; ok && !slices.Contains(why, r) {
					why = append(why, r)
				}
			}
			notRun = append(notRun, reports.Scenario{ID: p.ID, Feature: p.Feature, Name: p.Name, Tags: p.Tags, Status: reports.StatusNotRun, Reason: strings.Join(why, "; ")})
		}
	}
	if n, err := countSelected(expr); err != nil {
		return fail("the embedded features do not parse: %v", err)
	} else if n != selected {
		return fail("internal error: godog selects %d scenarios for %q, the runner counted %d", n, expr, selected)
	}
	if selected == 0 && browserAsked && browser == nil && len(notRun) > 0 {
		// Only browser scenarios were asked for and no browser can run
		// them: each is reported not run, with the reason.
		result.Scenarios = append(result.Scenarios, notRun...)
		result.Duration = time.Since(started)
		result.Strict = cfg.FailOnNotRun
		code := ExitPass
		if reports.Verdict(result) == reports.VerdictFail {
			code = ExitFail
		}
		printSummary(out, result, cfg.Verbose)
		if !writeReports(out, cfg.ReportsDir, result) {
			code = ExitConfig
		}
		fmt.Fprintln(out, reports.VerdictLine(result))
		return result, code
	}
	if selected == 0 {
		return fail("no scenario is selected by the tag expression %q (profile %s, %s=%q)", expr, cfg.Profile, EnvTags, cfg.Tags)
	}

	pending = append(pending, notRun...)
	for _, l := range []location{rs.first, rs.second} {
		if l.BaseURL == "" {
			continue
		}
		if err := rs.probe(ctx, l); err != nil {
			var ce *checkError
			if !errors.As(err, &ce) || parent.Err() != nil || ctx.Err() != nil {
				return fail("%s location: %v", l.Label, err)
			}
			// The target answered, wrongly for Okta: a finding, and
			// nothing else can be judged.
			result.Findings = []reports.Finding{{ID: "F1", Authority: string(ce.Authority), Cite: ce.Cite, Rule: ce.Rule, Message: ce.Msg}}
			return fail("%s location: %v", l.Label, err)
		}
	}
	if rs.adminURL != "" {
		if err := rs.resolveLocationIDs(ctx); err != nil {
			return fail("admin API (%s): %v", EnvAdminURL, err)
		}
	}

	fmt.Fprintf(out, "scimtest: target %s, profile %s, tags %q: %d scenarios selected, %d not run\n", rs.first.BaseURL, cfg.Profile, expr, selected, len(notRun))
	if d, ok := manifest.QueryAttributes(); ok {
		fmt.Fprintf(out, "scimtest: declared deviation %s: query results carry only %s\n", d.ID, strings.Join(d.Returned, ", "))
	}

	featureOf := map[string]string{}
	idOf := map[string]string{} // by URI and scenario name
	var featureOrder []string
	for _, p := range all {
		if _, ok := featureOf[p.URI]; !ok {
			featureOrder = append(featureOrder, p.Feature)
		}
		featureOf[p.URI] = p.Feature
		idOf[p.URI+"\x00"+p.Name] = p.ID
	}
	rs.featureOf = featureOf
	// The console: godog's pretty format, without its step-definition
	// suffixes, when verbose; else one line per feature as it ends.
	format := "cucumber:" + filepath.Join(cfg.ReportsDir, "cucumber.json") // junit.xml: reports.WriteJUnit
	pretty := &suffixStripper{out: out}
	if cfg.Verbose {
		format = "pretty," + format
	} else {
		rs.progress = newFeatureProgress(out, featureOrder, notRun)
	}
	suite := godog.TestSuite{
		Name:                "scim-conformance",
		ScenarioInitializer: rs.initScenario,
		Options: &godog.Options{
			Format:         format,
			Output:         &ansiStripper{out: pretty},
			NoColors:       false, // see ansiStripper
			Strict:         true,
			Randomize:      0,
			Concurrency:    1,
			Tags:           expr,
			FS:             features.FS,
			Paths:          []string{"."},
			DefaultContext: ctx,
			TestingT:       cfg.TestingT,
		},
	}
	status := suite.Run()
	_ = pretty.Flush()
	if rs.progress != nil {
		rs.progress.finish()
	}

	applied := map[string][]string{}
	stopped := rs.stopReason()
	ran := 0
	for _, w := range rs.worlds {
		if w.scenario == nil {
			continue // initialised, never started
		}
		sc := w.outcome(featureOf[w.scenario.Uri])
		sc.ID = idOf[w.scenario.Uri+"\x00"+w.scenario.Name]
		if sc.Status != reports.StatusNotRun {
			ran++
		}
		if sc.Status == reports.StatusDeviation {
			for _, h := range uniqueHits(w.deviations) {
				applied[h.ID] = append(applied[h.ID], sc.Name)
			}
		}
		result.Scenarios = append(result.Scenarios, sc)
	}
	if stopped != "" {
		// Scenarios godog never started (it stops calling them once its
		// context is done in some versions): not run either.
		started := map[string]int{}
		for _, w := range rs.worlds {
			if w.scenario != nil {
				started[w.scenario.Uri+"\x00"+w.scenario.Name]++
			}
		}
		for _, p := range selectedPickles {
			k := p.URI + "\x00" + p.Name
			if started[k] > 0 {
				started[k]--
				continue
			}
			result.Scenarios = append(result.Scenarios, reports.Scenario{ID: p.ID, Feature: p.Feature, Name: p.Name, Tags: p.Tags, Status: reports.StatusNotRun, Reason: stopped})
		}
	}
	result.Scenarios = append(result.Scenarios, notRun...)
	result = reports.GroupFindings(result)
	result.Notices = append(result.Notices, rs.notices...)
	result.Deviations = manifest.reportDeviations(applied)
	result.Duration = time.Since(started)
	result.Strict = cfg.FailOnNotRun

	code := ExitPass
	if reports.Verdict(result) == reports.VerdictFail {
		code = ExitFail
	}
	for _, s := range result.Scenarios {
		if s.Status == reports.StatusFail || s.Status == reports.StatusBlocked {
			code = ExitFail
		}
	}
	engineErr := ""
	switch {
	case status == 2:
		engineErr = "godog could not run the suite (status 2); see the messages above"
		code = ExitConfig
	case status != 0 && code == ExitPass && stopped == "":
		code = ExitFail
	}
	if ran != selected && stopped == "" {
		fmt.Fprintf(out, "scimtest: warning: %d scenarios selected but %d ran\n", selected, ran)
		code = max(code, ExitFail)
	}
	switch stopped {
	case reasonInterrupted:
		result.Interrupted, code = true, ExitInterrupted
		result.Notices = append(result.Notices, fmt.Sprintf("the run was interrupted after %s: %d of %d selected scenarios did not run", time.Since(started).Round(time.Millisecond), selected-ran, selected))
	case reasonDeadline:
		result.Interrupted = true
		code = max(code, ExitFail)
		result.Notices = append(result.Notices, fmt.Sprintf("the run reached its deadline of %s (%s): %d of %d selected scenarios did not run", cfg.maxDuration(), EnvMaxDuration, selected-ran, selected))
	}
	if engineErr != "" {
		result.Notices = append(result.Notices, engineErr)
		fmt.Fprintf(errOut, "scimtest: %s\n", engineErr)
	}

	if !cfg.Verbose {
		printFailures(out, result)
	}
	printSummary(out, result, cfg.Verbose)
	if !writeReports(out, cfg.ReportsDir, result) {
		code = ExitConfig
	}
	fmt.Fprintln(out, reports.VerdictLine(result))
	if engineErr != "" {
		fmt.Fprintln(out, "VERDICT: ERROR — the engine failed (exit 2)")
	}
	return result, code
}

// printFeatureTable prints the outcome counts of each feature.
func printFeatureTable(out io.Writer, r reports.Run) {
	var order []string
	perFeature := map[string]map[string]int{}
	for _, s := range r.Scenarios {
		if perFeature[s.Feature] == nil {
			perFeature[s.Feature] = map[string]int{}
			order = append(order, s.Feature)
		}
		perFeature[s.Feature][s.Status]++
	}
	for _, f := range order {
		c := perFeature[f]
		fmt.Fprintf(out, "  %-58s %3d passed %3d deviation %3d failed %3d blocked %3d not run\n", f,
			c[reports.StatusPass], c[reports.StatusDeviation], c[reports.StatusFail], c[reports.StatusBlocked], c[reports.StatusNotRun])
	}
}

// writeReports writes every report file of result to dir and says so.
func writeReports(out io.Writer, dir string, result reports.Run) bool {
	if err := reports.WriteAll(dir, result); err != nil {
		fmt.Fprintf(out, "scimtest: cannot write the reports to %s: %v\n", dir, err)
		return false
	}
	fmt.Fprintf(out, "scimtest: reports written to %s (index.html, summary.json, cucumber.json, junit.xml, traces/)\n", dir)
	return true
}

// embedded is what startEmbedded started besides the reference: the mock
// Okta that signs its users in, and for browser runs the whole mock org.
type embedded struct {
	people  oidcPeople
	closeFn func()
	// browser holds the mock Okta org (Chromium not started yet); nil
	// unless asked for.
	browser *browserEnv
}

// close stops what startEmbedded started besides the reference.
func (e *embedded) close() {
	if e.browser != nil {
		e.browser.close()
	}
	if e.closeFn != nil {
		e.closeFn()
	}
}

// startEmbedded starts the reference with two locations in the profile's
// query-attributes mode, signing in with Okta at an embedded mock Okta: its
// OIDC provider alone, or with withOrg (browser runs) the whole mock Okta
// org of `mockokta serve` (Management API, admin console, OIDC provider).
func startEmbedded(ctx context.Context, cfg Config, withOrg bool) (*reference.Instance, *embedded, error) {
	mode := "limited"
	if cfg.Profile == ProfileOkta {
		mode = "full"
	}
	emb := &embedded{}
	var oidcCfg reference.OIDCConfig
	var setRedirect func(uri string) error
	if withOrg {
		inst, app, secret, err := startOktaOrg(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("the embedded mock Okta org: %w", err)
		}
		emb.browser = &browserEnv{okta: inst, oidcApp: app}
		emb.people = &orgPeople{o: inst.Org, app: app}
		oidcCfg = reference.OIDCConfig{Issuer: inst.Issuer, ClientID: app, ClientSecret: secret}
		setRedirect = func(uri string) error {
			_, err := inst.Org.SetRedirectURIs(ctx, app, []string{uri})
			return err
		}
	} else {
		// The mock Okta org's OIDC provider, for "Sign in with Okta" (@oidc).
		okta, err := startEmbeddedOkta(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("the embedded mock Okta OIDC provider: %w", err)
		}
		emb.people, emb.closeFn = okta, okta.close
		oidcCfg = reference.OIDCConfig{Issuer: okta.issuer, ClientID: okta.clientID, ClientSecret: okta.secret}
		setRedirect = func(uri string) error { return okta.org.SetRedirectURIs(okta.clientID, uri) }
	}
	inst, err := reference.Start(ctx, reference.Options{
		Locations: []reference.LocationSpec{{Name: "default", QueryAttributes: mode}, {Name: "second", QueryAttributes: mode}},
		Faults:    cfg.Faults,
		Variants:  cfg.Variants,
		OIDC:      oidcCfg,
	})
	if err != nil {
		emb.close()
		return nil, nil, err
	}
	if len(inst.Locations) < 2 {
		_ = inst.Close()
		emb.close()
		return nil, nil, errors.New("the reference started fewer than two locations")
	}
	if err := setRedirect(inst.Origin + reference.CallbackPath); err != nil {
		_ = inst.Close()
		emb.close()
		return nil, nil, err
	}
	return inst, emb, nil
}

// startImage starts cfg.Image (already loaded: never pulled) with two
// locations in the profile's query-attributes mode.
func startImage(ctx context.Context, cfg Config) (*ImageTarget, error) {
	if cfg.StartImage == nil {
		return nil, errors.New("this build cannot start containers (mockokta leaves the Docker client out): use `make conformance`, a mockokta built with `go build -tags containers`, or `go test -run '^TestConformance$' .`")
	}
	mode := "limited"
	if cfg.Profile == ProfileOkta {
		mode = "full"
	}
	return cfg.StartImage(ctx, cfg.Image, mode)
}

// embeddedScenarios parses every embedded scenario (no tag filter).
func embeddedScenarios() ([]pickleInfo, error) {
	feats, err := godog.TestSuite{Options: &godog.Options{FS: features.FS, Paths: []string{"."}}}.RetrieveFeatures()
	if err != nil {
		return nil, err
	}
	var out []pickleInfo
	for _, f := range feats {
		name := f.GherkinDocument.Feature.Name
		firstCells := exampleFirstCells(f.GherkinDocument)
		for _, p := range f.Pickles {
			tags := make([]string, len(p.Tags))
			for i, t := range p.Tags {
				tags[i] = t.Name
			}
			row := ""
			if len(p.AstNodeIds) > 1 {
				row = firstCells[p.AstNodeIds[1]]
			}
			out = append(out, pickleInfo{ID: scenarioID(tags, row), Feature: name, URI: p.Uri, Name: p.Name, Tags: tags})
		}
	}
	return out, nil
}

// countSelected asks godog how many scenarios the expression selects.
func countSelected(expr string) (int, error) {
	feats, err := godog.TestSuite{Options: &godog.Options{FS: features.FS, Paths: []string{"."}, Tags: expr}}.RetrieveFeatures()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range feats {
		n += len(f.Pickles)
	}
	return n, nil
}

// probe checks that a location answers its API key before any scenario.
// A redirect or a body over the limit is a *checkError: the target
// answered, in a way Okta cannot use.
func (rs *runState) probe(ctx context.Context, loc location) error {
	ctx, cancel := context.WithTimeout(ctx, rs.requestTimeout())
	defer cancel()
	const query = "/Users?startIndex=1&count=1"
	slow := func(err error) error {
		return &checkError{Authority: mockokta.AuthorityOkta, Cite: citeLimits,
			Rule: "the connection probe completes within the request timeout",
			Msg: fmt.Sprintf("GET %s%s did not complete within %s (the scenario deadline, at most 30 s): %v",
				loc.BaseURL, query, rs.requestTimeout(), err)}
	}
	// The answer is read whole (resty), never past the body cap.
	res, err := rs.client().R().SetContext(ctx).
		SetHeader("Accept", mediaSCIM).
		SetHeader("Authorization", "Bearer "+loc.APIKey).
		Get(loc.BaseURL + query)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return slow(err)
	}
	var big *reports.BodyTooLargeError
	if errors.As(err, &big) {
		return &checkError{Authority: mockokta.AuthorityOkta, Cite: citeLimits,
			Rule: "response body exceeds " + reports.SizeWords(big.Limit), Msg: big.Error()}
	}
	if err != nil {
		return fmt.Errorf("target unreachable: GET %s%s failed: %w", loc.BaseURL, query, err)
	}
	switch status := res.StatusCode(); {
	case isRedirect(status):
		return redirectFinding(http.MethodGet, loc.BaseURL+query, status, res.Header().Get("Location"))
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return fmt.Errorf("the API key was refused: GET %s%s answered %d; check %s", loc.BaseURL, query, status, EnvAPIKey)
	case status == http.StatusNotFound:
		return fmt.Errorf("no SCIM Users endpoint: GET %s%s answered 404; check %s (the SCIM Base URI, e.g. https://host/scim/v2/<location>)", loc.BaseURL, query, EnvBaseURL)
	}
	return nil
}

// newRunID returns 8 random hex characters naming this run's users.
func newRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// initScenario is godog's ScenarioInitializer: one World per scenario.
func (rs *runState) initScenario(sc *godog.ScenarioContext) {
	rs.mu.Lock()
	rs.seq++
	seq := rs.seq
	rs.mu.Unlock()
	w := newWorld(rs, seq)
	rs.mu.Lock()
	rs.worlds = append(rs.worlds, w)
	rs.mu.Unlock()

	if why := rs.stopReason(); why != "" {
		// The run is over: skip this scenario as cheaply as possible (no
		// step phrases compiled); one phrase matching every step keeps
		// godog from calling them undefined, and is never called.
		w.stopped = why
		sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
			w.scenario = s
			return ctx, godog.ErrSkip
		})
		sc.Step(`^.*$`, func() error { return godog.ErrSkip })
		return
	}

	sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
		w.scenario = s
		if why := rs.stopReason(); why != "" || ctx.Err() != nil {
			// godog goes on calling scenarios after its context is done:
			// skip the steps at once; the runner reports it not run.
			if why == "" {
				why = reasonInterrupted
			}
			w.stopped = why
			return ctx, godog.ErrSkip
		}
		// The scenario's deadline: its own bound, never beyond the run's.
		w.ctx, w.cancel = context.WithTimeout(ctx, rs.cfg.scenarioTimeout())
		return ctx, nil
	})
	sc.StepContext().Before(func(ctx context.Context, st *godog.Step) (context.Context, error) {
		w.beginStep(st)
		if w.stopped != "" {
			return ctx, godog.ErrSkip
		}
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		return w.afterStep(ctx, st, status, err), nil
	})
	sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
		defer w.cancel()
		defer w.closeTabs()
		if why := rs.stopReason(); why != "" && (w.failed || w.stopped != "") {
			// Cut by the run's end, not judged: not run.
			w.stopped = why
		}
		if w.stopped == "" {
			// A scenario cut by its own deadline still removes its users,
			// within a short bound of its own and never past the run's.
			cctx, cancel := context.WithTimeout(rs.runCtxOr(ctx), rs.requestTimeout())
			defer cancel()
			w.cleanup(cctx)
		}
		if rs.progress != nil {
			feature := rs.featureOf[s.Uri]
			rs.progress.scenarioDone(feature, w.outcome(feature).Status)
		}
		return ctx, nil
	})
	w.register(sc)
}

// uniqueHits removes repeated deviation hits (same id and impact).
func uniqueHits(hs []deviationHit) []deviationHit {
	seen := map[deviationHit]bool{}
	var out []deviationHit
	for _, h := range hs {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// printSummary prints what the pretty formatter does not say: the distinct
// findings with their authority, citation and the scenarios they fail and
// block, warnings, not-run scenarios with their reasons, deviations.
// The table of counts per feature is printed when verbose; the compact
// console printed a line per feature as the run went.
func printSummary(out io.Writer, r reports.Run, verbose bool) {
	counts := map[string]int{}
	for _, s := range r.Scenarios {
		counts[s.Status]++
	}
	fmt.Fprintf(out, "\nscimtest summary: %d passed, %d deviation (as declared), %d failed, %d blocked, %d not run; %d findings, %d warnings\n",
		counts[reports.StatusPass], counts[reports.StatusDeviation], counts[reports.StatusFail], counts[reports.StatusBlocked],
		counts[reports.StatusNotRun], len(r.Findings), len(r.Warnings))
	if verbose {
		printFeatureTable(out, r)
	}
	for _, n := range r.Notices {
		fmt.Fprintf(out, "NOTICE: %s\n", n)
	}
	printFindings := func(title string, fs []reports.Finding) {
		if len(fs) == 0 {
			return
		}
		fmt.Fprintf(out, "%s:\n", title)
		for _, f := range fs {
			cite := f.Cite
			if cite == "" {
				cite = "no citation"
			}
			fmt.Fprintf(out, "  %s [%s — %s] %s\n", f.ID, f.Authority, cite, f.Rule)
			fmt.Fprintf(out, "     %s\n", f.Message)
			affects := fmt.Sprintf("affects %d scenario", len(f.Scenarios))
			if len(f.Scenarios) != 1 {
				affects += "s"
			}
			if len(f.Blocked) > 0 {
				affects += fmt.Sprintf(", blocks %d", len(f.Blocked))
			}
			fmt.Fprintf(out, "     %s: %s\n", affects, strings.Join(f.Scenarios, "; "))
			for _, b := range f.Blocked {
				fmt.Fprintf(out, "       blocked by %s: %s\n", f.ID, b)
			}
		}
	}
	printFindings("FINDINGS (each is one cause; fix these)", r.Findings)
	printFindings("WARNINGS (advice: never fails the verdict)", r.Warnings)
	var notes []string
	for _, s := range r.Scenarios {
		for _, st := range s.Steps {
			if st.Note != "" {
				notes = append(notes, fmt.Sprintf("  - %s / %s: %s", s.Feature, s.Name, st.Note))
			}
		}
	}
	if len(notes) > 0 {
		fmt.Fprintf(out, "NOT JUDGED (Xakia rules, okta profile):\n%s\n", strings.Join(notes, "\n"))
	}
	byStatus := func(status, title string) {
		var lines []string
		for _, s := range r.Scenarios {
			if s.Status == status {
				lines = append(lines, fmt.Sprintf("  - %s / %s: %s", s.Feature, s.Name, s.Reason))
			}
		}
		if len(lines) > 0 {
			sort.Strings(lines)
			fmt.Fprintf(out, "%s:\n%s\n", title, strings.Join(lines, "\n"))
		}
	}
	byStatus(reports.StatusDeviation, "DEVIATION (declared, behaving as declared)")
	byStatus(reports.StatusNotRun, "NOT RUN")
	for _, d := range r.Deviations {
		fmt.Fprintf(out, "declared deviation %s: %s\n  Okta impact: %s\n", d.ID, d.Description, d.OktaImpact)
	}
}
