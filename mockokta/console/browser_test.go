package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/mockokta/console"
	"github.com/xakia-okta/scimtest/mockokta/org"
	"github.com/xakia-okta/scimtest/mockokta/serve"
	"github.com/xakia-okta/scimtest/reference"
)

// Generous bounds: the browser test must pass on a loaded 2-core machine.
const (
	browserTimeout = 4 * time.Minute  // the whole walk
	stepTimeout    = 45 * time.Second // one click-and-wait
	pollTimeout    = 60 * time.Second // the reference seeing a change
)

// chromePath finds Chromium: $CHROME_PATH, else chromium on PATH. Without
// one the test skips, unless XAKIA_REQUIRE_BROWSER=true makes it fail.
func chromePath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("XAKIA_REQUIRE_BROWSER") == "true" {
		t.Fatal("no Chromium found (set CHROME_PATH or install chromium) and XAKIA_REQUIRE_BROWSER=true")
	}
	t.Skip("no Chromium found: set CHROME_PATH or install chromium (XAKIA_REQUIRE_BROWSER=true turns this skip into a failure)")
	return ""
}

// shotDir is where the step screenshots go: $SCIM_REPORTS/console, else a
// temporary directory.
func shotDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if r := os.Getenv("SCIM_REPORTS"); r != "" {
		dir = filepath.Join(r, "console")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// browser drives one headless Chromium tab; every action is bounded.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
	n    int
}

// css selects the first element matching a CSS selector.
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	start := time.Now()
	err := chromedp.Do(ctx, actions...)
	if err != nil {
		b.failShot(what)
	}
	require.NoError(b.t, err, "browser step: %s", what)
	if d := time.Since(start); d > 2*time.Second {
		b.t.Logf("slow browser step (%s): %s", d.Round(time.Millisecond), what)
	}
}

// get runs one action that returns a value, bounded.
func get[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	require.NoError(b.t, err, "browser step: %s", what)
	return v
}

// failShot saves the page a failed step left, to show in the report why.
func (b *browser) failShot(what string) {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("no screenshot of the failed step: %v", err)
		return
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(what))
	path := filepath.Join(b.dir, "FAILED-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err == nil {
		b.t.Logf("the page after the failed step: %s", path)
	}
}

// shot saves a full-page PNG of the current page as NN-name.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	png := get(b, "screenshot "+name, chromedp.FullScreenshot(100))
	b.n++
	path := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.n, name))
	require.NoError(b.t, os.WriteFile(path, png, 0o644))
}

// text returns the text of the first element matching sel, once visible.
func (b *browser) text(sel string) string {
	b.t.Helper()
	b.run("wait for "+sel, chromedp.WaitVisible(css(sel)))
	return get(b, "read "+sel, chromedp.Text(css(sel)))
}

// html returns the page's whole HTML.
func (b *browser) html() string {
	b.t.Helper()
	return get(b, "read the page", chromedp.OuterHTML(css("html")))
}

// untilPage reloads url until the page's HTML contains want (bounded).
func (b *browser) untilPage(url, want string) {
	b.t.Helper()
	deadline := time.Now().Add(pollTimeout)
	for {
		b.run("open "+url, chromedp.Navigate(b.base+url), chromedp.WaitReady(css("body")))
		page := b.html()
		if strings.Contains(page, want) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s never showed %q within %s; last page:\n%s", url, want, pollTimeout, page)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// xakiaUser reads the reference's admin view of the user with userName
// login, polling until cond holds (bounded).
func xakiaUser(t *testing.T, ref *reference.Instance, loc, login string, cond func(map[string]any) bool) map[string]any {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(pollTimeout)
	var last []map[string]any
	for {
		req, err := http.NewRequest(http.MethodGet, ref.Origin+"/admin/api/locations/"+loc+"/users", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+ref.AdminToken)
		resp, err := client.Do(req)
		if err == nil {
			last = nil
			err = json.NewDecoder(resp.Body).Decode(&last)
			_ = resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.NoError(t, err)
			for _, u := range last {
				if strings.EqualFold(fmt.Sprint(u["userName"]), login) && cond(u) {
					return u
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reference never showed %s as expected within %s; users: %v", login, pollTimeout, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestConsoleInBrowser follows the help article's Step 2 in headless
// Chromium: sign in, add a person, add the Xakia app from the catalog,
// Configure API Integration, Test API Credentials (a wrong key, then the
// right one), Save, enable To App create/update/deactivate, assign the
// person, see the user arrive in the reference, unassign, see it
// deactivated there.
func TestConsoleInBrowser(t *testing.T) {
	chrome := chromePath(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()

	ref, err := reference.Start(ctx, reference.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ref.Close() })
	loc := ref.Locations[0]

	// The real `mockokta serve` server with the console mounted at "/".
	srv, err := serve.Start(ctx, serve.Config{Mounts: []serve.Mount{console.Mount()},
		Org: org.Options{Timeout: 30 * time.Second}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	admin, password := srv.Bootstrap.AdminLogin, srv.Bootstrap.AdminPassword

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	)...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	// The first run starts Chromium; it lives as long as bctx, so this call
	// has no timeout of its own (the test's context bounds it).
	require.NoError(t, chromedp.Do(bctx), "starting Chromium %s", chrome)
	b := &browser{t: t, ctx: bctx, base: srv.URL, dir: shotDir(t)}
	t.Logf("screenshots in %s", b.dir)

	// Sign in.
	b.run("open the console", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css("#okta-signin-submit")))
	b.shot("sign-in")
	b.run("sign in",
		chromedp.SendKeys(css("#username"), admin),
		chromedp.SendKeys(css("#password"), password),
		chromedp.Click(css("#okta-signin-submit")),
		chromedp.WaitVisible(css("#add-person")))

	// Directory → People → Add person.
	const login = "jane.doe@example.com"
	b.run("add a person",
		chromedp.Click(css("#add-person")),
		chromedp.WaitVisible(css("#save-person")),
		chromedp.SendKeys(css("#firstName"), "Jane"),
		chromedp.SendKeys(css("#lastName"), "Doe"),
		chromedp.SendKeys(css("#login"), login),
		chromedp.SendKeys(css("#email"), login),
		chromedp.SendKeys(css("#password"), "Jane-Passw0rd"),
		chromedp.Click(css("#save-person")),
		chromedp.WaitVisible(css("#add-person")))
	require.Contains(t, b.text("div.banner.ok"), "was added")
	b.shot("people")

	// Applications → Browse App Catalog → Xakia → Add Integration → Done.
	b.run("browse the catalog",
		chromedp.Navigate(srv.URL+"/admin/apps"),
		chromedp.Click(css("#browse-catalog")),
		chromedp.SendKeys(css("#catalog-search"), "Xakia\n"),
		chromedp.WaitVisible(css(`#catalog-search[value="Xakia"]`)),
		chromedp.WaitVisible(css(`a[href="/admin/catalog/xakia"]`)))
	b.shot("catalog")
	// One Xakia app per location: this one is named after it.
	b.run("add the Xakia app",
		chromedp.Click(css(`a[href="/admin/catalog/xakia"]`)),
		chromedp.Click(css("#add-integration")),
		chromedp.WaitVisible(css("#done")),
		chromedp.Clear(css("#label")),
		chromedp.SendKeys(css("#label"), "Xakia Sydney"),
		chromedp.Click(css("#done")),
		chromedp.WaitVisible(css("#configure-api")))
	here := get(b, "read the location", chromedp.Location())
	app := strings.TrimSuffix(strings.TrimPrefix(here, srv.URL), "/provisioning")
	require.Regexp(t, `^/admin/apps/0oa[0-9A-Za-z]{17}$`, app)

	// Provisioning → Configure API Integration; a wrong key first.
	b.run("configure the API integration",
		chromedp.Click(css("#configure-api")),
		chromedp.WaitVisible(css("#test-api")),
		chromedp.Click(css("#enable-api")),
		chromedp.SendKeys(css("#baseUrl"), loc.BaseURL),
		chromedp.SendKeys(css("#apiToken"), "not-the-key"),
		chromedp.Click(css("#test-api")))
	msg := b.text("div.banner.err")
	require.Contains(t, msg, "Error authenticating")
	require.Contains(t, msg, "check the SCIM API Key of app Xakia Sydney")
	b.shot("test-api-credentials-wrong-key")

	b.run("test the right key",
		chromedp.SendKeys(css("#apiToken"), loc.APIKey),
		chromedp.Click(css("#test-api")))
	require.Contains(t, b.text("div.banner.ok"), "App Xakia Sydney was verified successfully!")
	page := b.html()
	require.NotContains(t, page, loc.APIKey, "the page shows the API token back")
	require.Contains(t, page, loc.BaseURL)
	b.shot("test-api-credentials")
	b.run("save the integration",
		chromedp.Click(css("#save-api")),
		chromedp.WaitVisible(css("#edit-api")))
	require.NotContains(t, b.html(), loc.APIKey, "the page shows the API token after Save")
	b.shot("integration-saved")

	// Provisioning → To App → Edit: Create, Update, Deactivate → Save.
	b.run("enable To App",
		chromedp.Click(css("#nav-to-app")),
		chromedp.Click(css("#edit-to-app")),
		chromedp.WaitVisible(css("#save-to-app")),
		chromedp.Click(css("#create-users")),
		chromedp.Click(css("#update-users")),
		chromedp.Click(css("#deactivate-users")),
		chromedp.Click(css("#save-to-app")),
		chromedp.WaitVisible(css("#edit-to-app")))
	require.Equal(t, 1, strings.Count(b.text("#to-app"), "Disabled"), "only Sync Password stays disabled")
	b.shot("to-app")

	// Assignments → Assign → Assign to People: search, Assign, Done.
	b.run("assign to people",
		chromedp.Click(css("#tab-assignments")),
		chromedp.Click(css("#assign")),
		chromedp.Click(css("#assign-to-people")),
		chromedp.WaitVisible(css("#people-search")),
		chromedp.SendKeys(css("#people-search"), "jane\n"),
		chromedp.WaitVisible(css(`#people-search[value="jane"]`)),
		chromedp.Click(css(`button[data-login="`)+login+`"]`),
		chromedp.WaitVisible(css(`span.assigned`)))
	b.shot("assign-to-people")
	b.run("done", chromedp.Click(css("#assign-done")), chromedp.WaitVisible(css("#assignments")))

	// The user arrives in Xakia; the row shows it provisioned.
	u := xakiaUser(t, ref, loc.ID, login, func(u map[string]any) bool { return u["active"] == true })
	require.Equal(t, "Jane", fmt.Sprint(u["name"].(map[string]any)["givenName"]))
	require.Equal(t, "not-invited", fmt.Sprint(u["invitation"]))
	b.untilPage(app+"/assignments", ">PROVISIONED<")
	b.shot("assignments-provisioned")

	// Unassign: the user is deactivated in Xakia (kept, inactive).
	b.run("unassign", chromedp.Click(css(`tr[data-login="`)+login+`"] button.danger`),
		chromedp.WaitVisible(css("div.banner.ok")))
	gone := xakiaUser(t, ref, loc.ID, login, func(u map[string]any) bool { return u["active"] == false })
	require.Equal(t, u["id"], gone["id"], "the deactivated user keeps its id")
	b.untilPage("/admin/tasks", "was deactivated in app Xakia Sydney")
	b.shot("tasks")

	// The Xakia OIDC app's Sign On tab: issuer, client id, redirect URIs;
	// the client secret stays folded until asked for.
	var oidcApp string
	for _, a := range srv.Bootstrap.Apps {
		if a.Kind == org.KindOIDC {
			oidcApp = a.ID
		}
	}
	require.NotEmpty(t, oidcApp)
	b.run("open Sign On", chromedp.Navigate(srv.URL+"/admin/apps/"+oidcApp+"/sign-on"), chromedp.WaitVisible(css("#client-id")))
	require.Equal(t, oidcApp, b.text("#client-id"))
	require.Equal(t, srv.Issuer, b.text("#issuer"))
	open := get(b, "read the secret's fold", chromedp.AttributeValue(css("details.secret"), "open"))
	require.False(t, open.Exists, "the client secret is shown without being asked for")
	b.shot("sign-on")

	// Import Now: the (deactivated) user is found in Xakia. Okta leaves
	// inactive users out of an import, so it is counted as skipped. This
	// is the last step on purpose: in our runs, after the import's
	// redirect no later click or navigation of chromedp v0.23.0 reached
	// the server, although the page was complete (document.readyState);
	// the cause is not found, and the same pages work with curl.
	b.run("import now", chromedp.Navigate(srv.URL+app+"/import"), chromedp.Click(css("#import-now")),
		chromedp.WaitVisible(css("#import-results")))
	require.Contains(t, b.text("div.banner.ok"), "found 1 users: 0 imported, 1 inactive skipped")
	b.shot("import")

	t.Logf("browser walk took %s", time.Since(start).Round(time.Millisecond))
}
