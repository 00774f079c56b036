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
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"

	"github.com/xakia-okta/scimtest/features"
	"github.com/xakia-okta/scimtest/reference"
	"github.com/xakia-okta/scimtest/reports"
	"github.com/xakia-okta/scimtest/steps/target"
)

// Exit statuses of Run.
const (
	ExitPass   = 0 // every selected scenario passed (declared deviations behaving as declared included)
	ExitFail   = 1 // conformance failures
	ExitConfig = 2 // configuration or engine error: nothing was judged
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

	mu      sync.Mutex
	learned []string // secrets learnt during the run (rotated and new keys)
	notices []string // run-level remarks, each once
	seq     int
	worlds  []*World
}

// secrets returns every secret the recorders must hide.
func (rs *runState) secrets() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := []string{rs.first.APIKey, rs.second.APIKey, rs.adminTok}
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
	if cfg.Profile == "" {
		cfg.Profile = ProfileXakia
	}
	if cfg.ReportsDir == "" {
		cfg.ReportsDir = DefaultReportsDir
	}
	started := time.Now()
	result := reports.Run{Profile: cfg.Profile, Started: started}
	fail := func(format string, a ...any) (reports.Run, int) {
		fmt.Fprintf(out, "scimtest: "+format+"\n", a...)
		fmt.Fprintln(out, "VERDICT: ERROR — nothing was judged (exit 2)")
		result.Duration = time.Since(started)
		return result, ExitConfig
	}
	if err := cfg.Validate(); err != nil {
		return fail("%v", err)
	}
	manifest, err := loadManifest(cfg)
	if err != nil {
		return fail("%v", err)
	}
	result.Deviations = manifest.reportDeviations(nil)

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
		inst, err := startEmbedded(ctx, cfg)
		if err != nil {
			return fail("cannot start the embedded reference server: %v", err)
		}
		defer inst.Close()
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
	if remote := cfg.remoteTargets(); len(remote) > 0 && !cfg.AllowRemote {
		return fail("%s is not a loopback address and the suite creates, changes and deactivates users there; set %s=true to allow it", strings.Join(remote, ", "), EnvAllowRemote)
	}

	rs := &runState{
		cfg:      cfg,
		manifest: manifest,
		runID:    newRunID(),
		first:    location{Label: "first", BaseURL: strings.TrimRight(cfg.BaseURL, "/"), APIKey: cfg.APIKey},
		second:   location{Label: "second", BaseURL: strings.TrimRight(cfg.BaseURL2, "/"), APIKey: cfg.APIKey2},
		adminURL: strings.TrimRight(cfg.AdminURL, "/"),
		adminTok: cfg.AdminToken,
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
	if why := rs.etagUnsupported(ctx); why != "" {
		exclusions = append(exclusions, "~"+tagETag)
		missing[tagETag] = why
	}
	if why := rs.spcUnsupported(ctx, "filter"); why != "" {
		exclusions = append(exclusions, "~"+tagFilter)
		missing[tagFilter] = why
	}
	wanted, err := buildTagExpr(cfg.Profile, cfg.Tags, nil)
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
	for _, p := range all {
		switch {
		case matchTags(expr, p.Tags):
			selected++
		case matchTags(wanted, p.Tags):
			var why []string
			for _, t := range p.Tags {
				if r, ok := missing[t]; ok {
					why = append(why, r)
				}
			}
			notRun = append(notRun, reports.Scenario{Feature: p.Feature, Name: p.Name, Tags: p.Tags, Status: reports.StatusNotRun, Reason: strings.Join(why, "; ")})
		}
	}
	if n, err := countSelected(expr); err != nil {
		return fail("the embedded features do not parse: %v", err)
	} else if n != selected {
		return fail("internal error: godog selects %d scenarios for %q, the runner counted %d", n, expr, selected)
	}
	if selected == 0 {
		return fail("no scenario is selected by the tag expression %q (profile %s, %s=%q)", expr, cfg.Profile, EnvTags, cfg.Tags)
	}

	if err := probe(ctx, rs.first); err != nil {
		return fail("%v", err)
	}
	if rs.second.BaseURL != "" {
		if err := probe(ctx, rs.second); err != nil {
			return fail("second location (%s): %v", EnvBaseURL2, err)
		}
	}
	if rs.adminURL != "" {
		if err := rs.resolveLocationIDs(ctx); err != nil {
			return fail("admin API (%s): %v", EnvAdminURL, err)
		}
	}
	if err := os.MkdirAll(cfg.ReportsDir, 0o755); err != nil {
		return fail("cannot create the report directory %s: %v", cfg.ReportsDir, err)
	}

	fmt.Fprintf(out, "scimtest: target %s, profile %s, tags %q: %d scenarios selected, %d not run\n", rs.first.BaseURL, cfg.Profile, expr, selected, len(notRun))
	if d, ok := manifest.QueryAttributes(); ok {
		fmt.Fprintf(out, "scimtest: declared deviation %s: query results carry only %s\n", d.ID, strings.Join(d.Returned, ", "))
	}

	suite := godog.TestSuite{
		Name:                "scim-conformance",
		ScenarioInitializer: rs.initScenario,
		Options: &godog.Options{
			Format:         "pretty,cucumber:" + filepath.Join(cfg.ReportsDir, "cucumber.json"), // junit.xml: reports.WriteJUnit
			Output:         &ansiStripper{out: out},
			NoColors:       false, // see ansiStripper
			Strict:         true,
			Randomize:      0,
			Concurrency:    1,
			Tags:           expr,
			FS:             features.FS,
			Paths:          []string{"."},
			DefaultContext: ctx,
		},
	}
	status := suite.Run()

	featureOf := map[string]string{}
	for _, p := range all {
		featureOf[p.URI] = p.Feature
	}
	applied := map[string][]string{}
	for _, w := range rs.worlds {
		sc := w.outcome(featureOf[w.scenario.Uri])
		if sc.Status == reports.StatusDeviation {
			for _, h := range uniqueHits(w.deviations) {
				applied[h.ID] = append(applied[h.ID], sc.Name)
			}
		}
		result.Scenarios = append(result.Scenarios, sc)
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
	switch {
	case status == 2:
		return fail("godog could not run the suite (status 2); see the messages above")
	case status != 0 && code == ExitPass:
		code = ExitFail
	}
	if len(rs.worlds) != selected {
		fmt.Fprintf(out, "scimtest: warning: %d scenarios selected but %d ran\n", selected, len(rs.worlds))
		code = max(code, ExitFail)
	}

	printSummary(out, result)
	if err := reports.WriteAll(cfg.ReportsDir, result); err != nil {
		fmt.Fprintf(out, "scimtest: cannot write the reports to %s: %v\n", cfg.ReportsDir, err)
		code = ExitConfig
	} else {
		fmt.Fprintf(out, "scimtest: reports written to %s (index.html, summary.json, cucumber.json, junit.xml, traces/)\n", cfg.ReportsDir)
	}
	fmt.Fprintln(out, reports.VerdictLine(result))
	return result, code
}

// startEmbedded starts the reference with two locations in the profile's
// query-attributes mode.
func startEmbedded(ctx context.Context, cfg Config) (*reference.Instance, error) {
	mode := "limited"
	if cfg.Profile == ProfileOkta {
		mode = "full"
	}
	inst, err := reference.Start(ctx, reference.Options{
		Locations: []reference.LocationSpec{{Name: "default", QueryAttributes: mode}, {Name: "second", QueryAttributes: mode}},
		Faults:    cfg.Faults,
		Variants:  cfg.Variants,
	})
	if err != nil {
		return nil, err
	}
	if len(inst.Locations) < 2 {
		_ = inst.Close()
		return nil, errors.New("the reference started fewer than two locations")
	}
	return inst, nil
}

// startImage starts cfg.Image (already loaded: never pulled) with two
// locations in the profile's query-attributes mode.
func startImage(ctx context.Context, cfg Config) (*target.Target, error) {
	mode := "limited"
	if cfg.Profile == ProfileOkta {
		mode = "full"
	}
	return target.Start(ctx, target.Options{Image: cfg.Image, QueryAttributes: mode})
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
		for _, p := range f.Pickles {
			tags := make([]string, len(p.Tags))
			for i, t := range p.Tags {
				tags[i] = t.Name
			}
			out = append(out, pickleInfo{Feature: name, URI: p.Uri, Name: p.Name, Tags: tags})
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
func probe(ctx context.Context, loc location) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.BaseURL+"/Users?startIndex=1&count=1", nil)
	if err != nil {
		return fmt.Errorf("bad SCIM base URL %s: %v", loc.BaseURL, err)
	}
	req.Header.Set("Accept", mediaSCIM)
	req.Header.Set("Authorization", "Bearer "+loc.APIKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("target unreachable: GET %s/Users?startIndex=1&count=1 failed: %v", loc.BaseURL, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	_ = res.Body.Close()
	switch res.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("the API key was refused: GET %s/Users?startIndex=1&count=1 answered %d; check %s", loc.BaseURL, res.StatusCode, EnvAPIKey)
	case http.StatusNotFound:
		return fmt.Errorf("no SCIM Users endpoint: GET %s/Users?startIndex=1&count=1 answered 404; check %s (the SCIM Base URI, e.g. https://host/scim/v2/<location>)", loc.BaseURL, EnvBaseURL)
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

	sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
		w.scenario = s
		return ctx, nil
	})
	sc.StepContext().Before(func(ctx context.Context, st *godog.Step) (context.Context, error) {
		w.beginStep(st)
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		return w.afterStep(ctx, st, status, err), nil
	})
	sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
		w.cleanup(ctx)
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
func printSummary(out io.Writer, r reports.Run) {
	counts := map[string]int{}
	for _, s := range r.Scenarios {
		counts[s.Status]++
	}
	fmt.Fprintf(out, "\nscimtest summary: %d passed, %d deviation (as declared), %d failed, %d blocked, %d not run; %d findings, %d warnings\n",
		counts[reports.StatusPass], counts[reports.StatusDeviation], counts[reports.StatusFail], counts[reports.StatusBlocked],
		counts[reports.StatusNotRun], len(r.Findings), len(r.Warnings))
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
