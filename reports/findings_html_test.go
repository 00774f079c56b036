package reports

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// article returns the HTML of the <article> whose id is id.
func article(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `id="`+id+`">`)
	if start < 0 {
		t.Fatalf("no element with id %q", id)
	}
	start = strings.LastIndex(page[:start], "<article")
	end := strings.Index(page[start:], "</article>")
	if start < 0 || end < 0 {
		t.Fatalf("id %q is not an article", id)
	}
	return page[start : start+end]
}

func TestWriteHTMLFindings(t *testing.T) {
	page := renderSample(t, findingsRun())
	for _, tc := range []struct{ what, want string }{
		{"the verdict line with findings, warnings and blocked", "VERDICT: FAIL — 1 okta, 1 rfc findings; 1 warning — 1 passed, 2 failed, 2 blocked, 1 deviation (declared), 1 not run"},
		{"the blocked tile", "<b>2</b>blocked</a>"},
		{"the findings tile", "<b>2</b>findings</a>"},
		{"the warnings tile", "<b>1</b>warning</a>"},
		{"the failed tile without the blocked ones", "<b>2</b>failed</a>"},
		{"the notice", "Declared deviation no-groups was not observed"},
		{"the feature table's blocked column", `<th class="n wide">Blocked</th>`},
		{"the feature table's blocked cell linking the finding", `<td class="n blocked"><span class="muted">by</span> <a class="fref auth-rfc" href="#F1">F1</a> 2</td>`},
		{"the feature table's failed cell linking the finding", `<td class="n fail"><a class="fref auth-okta" href="#F2">F2</a> 1</td>`},
		{"the scenario list's blocked link", `Filtering by userName in another case <span class="muted">— blocked by</span> <a class="fref auth-rfc" href="#F1">F1</a><span class="muted"> (itemsPerPage is the requested count`},
		{"the scenario list's warning link", `Assigning a taken userName is a conflict <a class="fref auth-advice" href="#W1" title="warning">W1</a>`},
		{"the Xakia note of a step", `<div class="xnote">Xakia rule, not judged in the okta profile: status is the string &#34;409&#34;</div>`},
		{"the declared deviation's Okta impact", "<b>Okta impact:</b> Imports show users without names."},
		{"the not-run reason", "needs XAKIA_ADMIN_URL and XAKIA_ADMIN_TOKEN (no admin API for this target)"},
	} {
		assert.Contains(t, page, tc.want, "index.html lacks %s: %q", tc.what, tc.want)
	}
	// Notices come first, before the counts.
	if n, c := strings.Index(page, `id="notices"`), strings.Index(page, `aria-label="Counts"`); n < 0 || n > c {
		t.Errorf("the notices must come before the counts (notices at %d, counts at %d)", n, c)
	}

	findings := section(t, page, "findings")
	if n := strings.Count(findings, `<article class="card finding `); n != 2 {
		t.Errorf("findings section has %d finding cards, want 2", n)
	}
	assert.NotContains(t, findings, `id="unowned"`, "every failure has a finding, yet the page lists failures no finding covers")
	if n := strings.Count(findings, `<details class="exchange" open>`); n != 2 {
		t.Errorf("findings section has %d open exchanges, want the judged one of each finding (2)", n)
	}

	f1 := article(t, page, "F1")
	for _, tc := range []struct{ what, want string }{
		{"the anchor and the authority colour", `<article class="card finding auth-rfc" id="F1">`},
		{"the authority badge", `<span class="badge auth auth-rfc">rfc</span> itemsPerPage is the requested count, not the number returned</h3>`},
		{"the RFC citation, linked at its section", `<a href="https://datatracker.ietf.org/doc/html/rfc7644#section-3.4.2">RFC 7644 §3.4.2</a>`},
		{"the message", `GET /scim/v2/loc1/Users?startIndex=1&amp;count=5 → 200: &#34;itemsPerPage&#34;: 5, but 2 Resources returned`},
		{"how many scenarios it fails", "Affects 1 scenario</h4>"},
		{"the failing scenario, linked", `<a href="#s-query-users-a-page-reports-how-many-users-it-holds">A page reports how many users it holds</a>`},
		{"how many scenarios it blocks", "Blocks 2 scenarios</h4>"},
		{"a blocked scenario, linked", `<a href="#s-query-users-okta-s-import-walk-reads-every-page">Okta&#39;s import walk reads every page</a>`},
		{"the judged step", "step 3: Then itemsPerPage is the number of users returned"},
		{"where the judged response came from", `<b>The response this step judged</b> <span class="muted">(sent by step 2: When Okta lists users 5 at a time)</span>`},
		{"the judged exchange, open", "<details class=\"exchange\" open>\n  <summary><span class=\"method mono\">GET</span> <code>/scim/v2/loc1/Users?startIndex=1&amp;count=5</code> → <span class=\"code pass\">200 OK</span>"},
		{"the judged response body", "&#34;itemsPerPage&#34;: 5,\n"},
	} {
		assert.Contains(t, f1, tc.want, "card F1 lacks %s: %q", tc.what, tc.want)
	}
	assert.NotContains(t, f1, "This step made no HTTP request", "card F1 hides the judged response behind 'no HTTP request'")

	f2 := article(t, page, "F2")
	for _, tc := range []struct{ what, want string }{
		{"the okta badge", `<span class="badge auth auth-okta">okta</span> a created user can be read by its id`},
		{"the docs citation, linked relatively", `<a href="docs/okta-wire.md">docs/okta-wire.md §4</a>`},
		{"no blocked scenario", "Blocks 0 scenarios</h4>"},
		{"the step's own exchange, open", "<details class=\"exchange\" open>\n  <summary><span class=\"method mono\">GET</span> <code>/scim/v2/loc1/Users/u3</code> → <span class=\"code warn\">404 Not Found</span>"},
	} {
		assert.Contains(t, f2, tc.want, "card F2 lacks %s: %q", tc.what, tc.want)
	}
	assert.NotContains(t, f2, "The response this step judged", "card F2's step made its own request; it must not borrow an earlier one")

	warnings := section(t, page, "warnings")
	w1 := article(t, page, "W1")
	if !strings.Contains(warnings, `id="W1"`) || strings.Count(warnings, "<article") != 1 {
		t.Error("the warnings section must hold the one warning card")
	}
	for _, want := range []string{
		`<article class="card finding auth-advice" id="W1">`,
		`<span class="badge auth auth-advice">advice</span> a 409 should carry scimType uniqueness`,
		`<div class="warnmsg">POST /scim/v2/loc1/Users → 409 without &#34;scimType&#34;</div>`,
		"Raised in 1 scenario",
		"(sent by step 2: When Okta assigns &#34;ada@example.com&#34; again)",
	} {
		assert.Contains(t, w1, want, "card W1 lacks %q", want)
	}
	assert.NotContains(t, w1, " open>", "a warning's exchange is shown collapsed")
	if n := strings.Count(section(t, page, "all"), " open>"); n != 0 {
		t.Errorf("all-scenarios section has %d open elements, want every scenario collapsed", n)
	}
}

// A run whose scenarios do not carry finding ids (built by hand, not by
// GroupFindings) still gets its cards, by title; a failure no finding
// covers keeps its own card.
func TestWriteHTMLFindingsByTitle(t *testing.T) {
	run := Run{
		Scenarios: []Scenario{
			{Feature: "F", Name: "a", Status: StatusFail, Steps: []Step{{Text: "Then x", Status: "failed", Error: "boom"}}},
			{Feature: "F", Name: "b", Status: StatusBlocked, Reason: "blocked by F1 (x)"},
			{Feature: "F", Name: "hook", Status: StatusFail, Reason: "Before hook: target unreachable"},
			{Feature: "F", Name: "ungrouped", Status: StatusFail, Steps: []Step{
				{Text: "When Okta reads user 7", Status: "passed", Exchanges: []Exchange{{Method: "GET", URL: "http://h/scim/v2/Users/7", Status: 500}}},
				{Text: "Then the answer is 200", Status: "failed", Error: "want 200, got 500"},
			}},
		},
		Findings: []Finding{{ID: "F1", Authority: "engine", Rule: "x", Message: "boom",
			Scenarios: []string{"F / a", "F / gone"}, Blocked: []string{"F / b"}}},
		Interrupted: true,
	}
	page := renderSample(t, run)
	f1 := article(t, page, "F1")
	for _, want := range []string{
		`<span class="badge auth auth-other">engine</span>`,
		"Affects 2 scenarios", `<a href="#s-f-a">a</a>`, "<li>F / gone</li>",
		"Blocks 1 scenario</h4>", `<a href="#s-f-b">b</a>`,
		"No citation given.",
		"Neither this step nor an earlier step of the scenario made an HTTP request.",
	} {
		assert.Contains(t, f1, want, "card F1 lacks %q", want)
	}
	findings := section(t, page, "findings")
	if !strings.Contains(findings, `id="unowned"`) || strings.Count(findings, `<article class="card fail"`) != 2 || !strings.Contains(findings, "Before hook: target unreachable") {
		t.Error("the hook failure and the ungrouped failure must keep a card of their own")
	}
	ungrouped := article(t, page, "fail-s-f-ungrouped")
	for _, want := range []string{
		`(sent by step 1: When Okta reads user 7)`,
		"<details class=\"exchange\" open>\n  <summary><span class=\"method mono\">GET</span> <code>/scim/v2/Users/7</code>",
	} {
		assert.Contains(t, ungrouped, want, "the ungrouped failure's card lacks %q", want)
	}
	for _, want := range []string{`<header class="banner interrupted">`, "<b>The run was interrupted</b>"} {
		assert.Contains(t, page, want, "index.html lacks %q", want)
	}
}

func TestCiteHref(t *testing.T) {
	for _, tc := range []struct{ cite, want string }{
		{"RFC 7644 §3.4.2", "https://datatracker.ietf.org/doc/html/rfc7644#section-3.4.2"},
		{"RFC 7643", "https://datatracker.ietf.org/doc/html/rfc7643"},
		{"docs/okta-wire.md §4", "docs/okta-wire.md"},
		{"Okta (https://developer.okta.com/docs/scim/).", "https://developer.okta.com/docs/scim/"},
		{"docs/okta-wire.md; RFC 7644 §3.12", "docs/okta-wire.md"},
		{"behaviour.md §3", ""},
		{"javascript:alert(1)", ""},
		{"", ""},
	} {
		if got := citeHref(tc.cite); got != tc.want {
			t.Errorf("citeHref(%q) = %q, want %q", tc.cite, got, tc.want)
		}
	}
}
