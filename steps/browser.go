package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/mockokta/console"
	"github.com/xakia-okta/scimtest/mockokta/oidc"
	"github.com/xakia-okta/scimtest/mockokta/org"
	"github.com/xakia-okta/scimtest/mockokta/serve"
)

// Browser scenarios (@browser: the help article, clicked in headless
// Chromium) run only when selected explicitly (SCIM_TAGS=@browser), against
// the embedded reference and an embedded mock Okta org.
const (
	tagBrowser = "@browser"
	// EnvChromePath names the Chromium (or Chrome) binary; else chromium,
	// chromium-browser or google-chrome on PATH.
	EnvChromePath = "CHROME_PATH"
	// EnvRequireBrowser set to "true" makes a missing browser a
	// configuration error instead of a not-run reason (for CI).
	EnvRequireBrowser = "XAKIA_REQUIRE_BROWSER"
)

// Bounds of the browser scenarios: generous, for a loaded 2-core machine.
const (
	browserStartTimeout = 60 * time.Second // Chromium's first start
	browserStepTimeout  = 45 * time.Second // one click-and-wait
	browserPollTimeout  = 60 * time.Second // a change reaching the other side
	shotTimeout         = 10 * time.Second // one screenshot
)

// browserSelected reports whether the user's tag expression asks for the
// browser scenarios (a term @browser that is not negated).
func browserSelected(tags string) bool {
	for _, or := range strings.Split(tags, ",") {
		for _, t := range strings.Split(or, "&&") {
			if strings.TrimSpace(t) == tagBrowser {
				return true
			}
		}
	}
	return false
}

// findChrome returns the browser binary: path when set, else the first of
// chromium, chromium-browser, google-chrome on PATH; "" when none.
func findChrome(path string) string {
	if path != "" {
		if p, err := exec.LookPath(path); err == nil {
			return p
		}
		return ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// noChromeReason is the not-run reason of the browser scenarios without a browser.
func noChromeReason(path string) string {
	if path != "" {
		return fmt.Sprintf("no Chromium found: %s=%s is not an executable", EnvChromePath, path)
	}
	return fmt.Sprintf("no Chromium found: install chromium or set %s (%s=true makes this an error)", EnvChromePath, EnvRequireBrowser)
}

// browserEnv is what the browser scenarios share in one run: the embedded
// mock Okta org (Management API, admin console, OIDC provider) and one
// headless Chromium.
type browserEnv struct {
	okta *serve.Instance
	// oidcApp is the Xakia OIDC app's id (= its client id).
	oidcApp string
	// allocCtx is Chromium's allocator; browserCtx its first tab, which
	// keeps the process alive for the run.
	allocCtx, browserCtx context.Context
	cancel               func()
}

// oktaMounts are the faces of the embedded mock Okta org, as in `mockokta
// serve`: the admin console at "/" and the OIDC provider at its issuer.
func oktaMounts() []serve.Mount { return []serve.Mount{console.Mount(), oidc.Mount()} }

// startOktaOrg starts the embedded mock Okta org on 127.0.0.1 (in memory)
// and returns it with its Xakia OIDC app's id and client secret.
func startOktaOrg(ctx context.Context) (*serve.Instance, string, string, error) {
	inst, err := serve.Start(ctx, serve.Config{Mounts: oktaMounts(), Org: org.Options{Timeout: 30 * time.Second}})
	if err != nil {
		return nil, "", "", err
	}
	for _, a := range inst.Bootstrap.Apps {
		if a.Kind == org.KindOIDC {
			_, secret, err := inst.Org.OIDCClient(ctx, a.ID)
			if err != nil {
				_ = inst.Close()
				return nil, "", "", err
			}
			return inst, a.ID, secret, nil
		}
	}
	_ = inst.Close()
	return nil, "", "", errors.New("the mock Okta org has no Xakia OIDC app")
}

// startChrome starts headless Chromium (one process for the run).
func (b *browserEnv) startChrome(ctx context.Context, chrome string) error {
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	)...)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	b.allocCtx, b.browserCtx = alloc, bctx
	b.cancel = func() { cancelBrowser(); cancelAlloc() }
	// The first run starts Chromium, which lives as long as the context of
	// that run: bctx itself, bounded here instead.
	if err := within(ctx, browserStartTimeout, func() error { return chromedp.Do(bctx) }); err != nil {
		b.cancel()
		return fmt.Errorf("starting %s: %w", chrome, err)
	}
	return nil
}

// within runs f and waits at most d (or until ctx ends) for it; f keeps
// running in the background after a timeout, and the caller cancels
// whatever f waits on.
func within(ctx context.Context, d time.Duration, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return fmt.Errorf("no answer within %s", d)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops Chromium and the mock Okta org.
func (b *browserEnv) close() {
	if b == nil {
		return
	}
	if b.cancel != nil {
		b.cancel()
	}
	if b.okta != nil {
		_ = b.okta.Close()
	}
}

// orgPeople adds suite users to the embedded mock Okta org (the @oidc
// scenarios), assigned to its Xakia OIDC app, each once: later calls
// return the password of the first.
type orgPeople struct {
	o   *org.Org
	app string

	mu        sync.Mutex
	passwords map[string]string // by lower-cased login
}

func (p *orgPeople) person(ctx context.Context, login, given, family string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := strings.ToLower(login)
	if pw, ok := p.passwords[key]; ok {
		return pw, nil
	}
	pw := randomPassword()
	per, err := p.o.CreatePerson(ctx, org.NewPerson{Profile: mockokta.Profile{Login: login, Email: login, FirstName: given, LastName: family},
		Password: pw, Activate: true})
	if err != nil {
		return "", err
	}
	if _, err := p.o.Assign(ctx, p.app, per.ID); err != nil {
		return "", err
	}
	if p.passwords == nil {
		p.passwords = map[string]string{}
	}
	p.passwords[key] = pw
	return pw, nil
}

// tab is one role's browser window (its own cookie jar: an incognito
// browser context), e.g. the Xakia admin, the Okta admin, a member.
type tab struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// tabFor returns the scenario's tab of role, opening it on first use.
func (w *World) tabFor(role string) (*tab, error) {
	b := w.run.browser
	if b == nil {
		return nil, errors.New("no browser in this run")
	}
	if t, ok := w.tabs[role]; ok {
		return t, nil
	}
	ctx, cancel := chromedp.NewContext(b.browserCtx, chromedp.WithNewBrowserContext())
	// The first run opens the tab, which lives as long as the context of
	// that run: it gets the tab's own context, bounded here instead.
	if err := within(w.ctx, browserStepTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
		cancel()
		return nil, fmt.Errorf("opening a browser window for the %s: %w", role, err)
	}
	t := &tab{ctx: ctx, cancel: cancel}
	if w.tabs == nil {
		w.tabs = map[string]*tab{}
	}
	w.tabs[role] = t
	w.lastTab = t
	return t, nil
}

// closeTabs closes the scenario's tabs.
func (w *World) closeTabs() {
	for _, t := range w.tabs {
		t.cancel()
	}
	w.tabs, w.lastTab = nil, nil
}

// in runs actions in role's tab, bounded by a step timeout and the
// scenario's deadline; what names the action in an error.
func (w *World) in(role, what string, actions ...chromedp.Action[chromedp.Void]) error {
	t, err := w.tabFor(role)
	if err != nil {
		return err
	}
	w.lastTab = t
	ctx, cancel := context.WithTimeout(t.ctx, browserStepTimeout)
	defer cancel()
	stop := context.AfterFunc(w.ctx, cancel)
	defer stop()
	if err := chromedp.Do(ctx, actions...); err != nil {
		return fmt.Errorf("in the browser (%s): %s: %w", role, what, err)
	}
	return nil
}

// read runs one action returning a value in role's tab, bounded.
func read[T any](w *World, role, what string, a chromedp.Action[T]) (T, error) {
	var zero T
	t, err := w.tabFor(role)
	if err != nil {
		return zero, err
	}
	w.lastTab = t
	ctx, cancel := context.WithTimeout(t.ctx, browserStepTimeout)
	defer cancel()
	stop := context.AfterFunc(w.ctx, cancel)
	defer stop()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		return zero, fmt.Errorf("in the browser (%s): %s: %w", role, what, err)
	}
	return v, nil
}

// screenshot saves a PNG of the page the last used tab shows and returns
// its path relative to the report directory ("" when there is none).
func (w *World) screenshot(stepNo int, text string) string {
	if w.lastTab == nil || w.run.browser == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(w.lastTab.ctx, shotTimeout)
	defer cancel()
	// Secrets never reach a report: inputs showing one (the new SCIM API
	// Key) are masked in the page, not on the server, before the shot.
	secrets, _ := json.Marshal(w.run.secrets())
	mask := fmt.Sprintf(`(() => { const s = new Set(%s.filter(x => x)); let n = 0;
		document.querySelectorAll('input').forEach(i => { if (i.type !== 'password' && s.has(i.value)) { i.value = '[redacted]'; n++; } }); return n; })()`, secrets)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](mask)); err != nil {
		return ""
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG, not JPEG
	if err != nil {
		return ""
	}
	name := ""
	if w.scenario != nil {
		name = w.scenario.Name
	}
	rel := filepath.Join("screenshots", fmt.Sprintf("%02d-%s", w.seq, fileSlug(name, 48)), fmt.Sprintf("%02d-%s.png", stepNo, fileSlug(text, 60)))
	abs := filepath.Join(w.run.cfg.ReportsDir, rel)
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return ""
	}
	if err := os.WriteFile(abs, png, 0o644); err != nil {
		return ""
	}
	return filepath.ToSlash(rel)
}

// fileSlug turns s into a lower-case file name part of at most n characters.
func fileSlug(s string, n int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= n {
			break
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// loads runs a (a click or key press that leaves the page) and waits until
// a new document has replaced the current one and finished loading, so
// that the next action never acts on the page being left.
func loads(a chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		var v chromedp.Void
		if _, err := chromedp.Evaluate[bool](`window.__scimtestLeaving = true`)(ctx, t); err != nil {
			return v, err
		}
		if _, err := a(ctx, t); err != nil {
			return v, err
		}
		for {
			// Evaluate fails while the page is being replaced: try again.
			done, err := chromedp.Evaluate[bool](`window.__scimtestLeaving === undefined && document.readyState === 'complete'`)(ctx, t)
			if err == nil && done {
				return v, nil
			}
			select {
			case <-ctx.Done():
				return v, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// clickLoads clicks sel and waits for the page it leads to.
func clickLoads(sel string) chromedp.Action[chromedp.Void] { return loads(chromedp.Click(css(sel))) }
