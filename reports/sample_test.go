package reports

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// plantedSecret is an Authorization value that must never reach a report.
const plantedSecret = "Bearer planted-0123456789abcdef-secret"

// sampleRun is a run with every kind of outcome: passes, a failure with its
// exchanges (one carrying an unredacted Authorization header, as if it had
// not come through a Recorder), declared deviations, a not-run scenario, an
// outline whose examples share a name, and markup in names.
func sampleRun() Run {
	t0 := time.Date(2026, 11, 27, 3, 30, 0, 0, time.UTC)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	lookup := Exchange{
		Started: t0.Add(time.Second), Duration: 12 * time.Millisecond, Method: "GET",
		URL:             `http://127.0.0.1:8080/scim/v2/loc1/Users?filter=userName%20eq%20%22ada%40example.com%22&startIndex=1&count=100`,
		RequestHeaders:  hdr("Accept", "application/scim+json", "Authorization", "Bearer REDACTED"),
		Status:          200,
		ResponseHeaders: hdr("Content-Type", "application/scim+json"),
		ResponseBody:    []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`),
	}
	create := Exchange{
		Started: t0.Add(2 * time.Second), Duration: 31 * time.Millisecond, Method: "POST",
		URL:             "http://127.0.0.1:8080/scim/v2/loc1/Users",
		RequestHeaders:  hdr("Content-Type", "application/scim+json; charset=utf-8", "Authorization", plantedSecret),
		RequestBody:     []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","name":{"givenName":"Ada","familyName":"Lovelace"},"active":true}`),
		Status:          409,
		ResponseHeaders: hdr("Content-Type", "application/scim+json"),
		ResponseBody:    []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"userName <ada@example.com> already exists"}`),
	}
	refused := Exchange{
		Started: t0.Add(3 * time.Second), Duration: 2 * time.Millisecond, Method: "GET",
		URL: "http://127.0.0.1:8080/scim/v2/loc1/Users/42", Err: "dial tcp 127.0.0.1:8080: connect: connection refused",
	}
	return Run{
		Target:   "http://127.0.0.1:8080/scim/v2/loc1",
		Profile:  "xakia",
		Tags:     "~@wip && ~@slow",
		Started:  t0,
		Duration: 83*time.Second + 400*time.Millisecond,
		Scenarios: []Scenario{
			{Feature: "Test connection", Name: "Okta's Test API Credentials succeeds", Tags: []string{"@connection"}, Status: StatusPass,
				Steps: []Step{{Text: "Given a SCIM location", Status: "passed"}, {Text: "When Okta tests the API credentials", Status: "passed", Exchanges: []Exchange{lookup}}}},
			{Feature: "Create users", Name: "Assigning a new user creates it", Tags: []string{"@create"}, Status: StatusFail,
				Reason: "step 3 failed: want 201, got 409",
				Steps: []Step{
					{Text: "Given a SCIM location", Status: "passed"},
					{Text: `Given no user "ada@example.com"`, Status: "passed", Exchanges: []Exchange{lookup}},
					{Text: `When Okta assigns "ada@example.com"`, Status: "failed", Error: "want status 201 Created, got 409 Conflict: userName <ada@example.com> already exists", Exchanges: []Exchange{lookup, create}},
					{Text: "Then the user is a member of the location", Status: "skipped"},
				}},
			{Feature: "Create users", Name: "Duplicate <script>alert(1)</script> userName is 409", Tags: []string{"@create"}, Status: StatusPass,
				Steps: []Step{{Text: "When Okta assigns twice", Status: "passed", Exchanges: []Exchange{create}}}},
			{Feature: "Query users", Name: "A user read by id has the full profile", Tags: []string{"@spec", "@limited-query"}, Status: StatusDeviation,
				Reason: "xakia-limited-query: only id, active and externalId are returned",
				Steps:  []Step{{Text: "Then the user has userName, name and emails", Status: "passed"}}},
			{Feature: "Query users", Name: "Paging by 2", Tags: []string{"@import"}, Status: StatusPass},
			{Feature: "Query users", Name: "Paging by 2", Tags: []string{"@import"}, Status: StatusPass},
			{Feature: "Invites", Name: "A new user cannot sign in before an invite", Tags: []string{"@admin"}, Status: StatusNotRun,
				Reason: "needs XAKIA_ADMIN_URL and XAKIA_ADMIN_TOKEN (no admin API for this target)"},
			{Feature: "Availability", Name: "The server answers after a restart", Tags: []string{"@restart"}, Status: StatusFail,
				Reason: "target unreachable",
				Steps:  []Step{{Text: "When Okta reads user 42", Status: "failed", Error: "connection refused", Exchanges: []Exchange{refused}}}},
		},
		Deviations: []Deviation{
			{ID: "xakia-limited-query", Description: "Queries return only Identifier, Active and ExternalIdentifier",
				OktaImpact: "Okta's SPEC test steps 0 and 2 fail; imports show users without names; profile updates must not rely on GET echoing attributes.",
				Scenarios:  []string{"@limited-query"}},
			{ID: "no-groups", Description: "Groups are not supported", OktaImpact: "Group push must stay off.", Scenarios: []string{"@groups"}},
		},
	}
}

// TestWriteSampleReport writes the sample report into $REPORTS_SAMPLE_DIR,
// for a person (or a headless browser) to look at. Skipped otherwise.
func TestWriteSampleReport(t *testing.T) {
	dir := os.Getenv("REPORTS_SAMPLE_DIR")
	if dir == "" {
		t.Skip("set REPORTS_SAMPLE_DIR to write the sample report")
	}
	require.NoError(t, WriteAll(dir, sampleRun()))
}

// findingsRun is a run as the steps runner hands it over after
// GroupFindings: two findings (F1 owned by a Then that made no request of its
// own, and blocking two scenarios; F2 owned by a Then with its own
// exchange), a warning, a Xakia note, a notice, a declared deviation and a
// scenario not run.
func findingsRun() Run {
	t0 := time.Date(2026, 11, 29, 21, 0, 0, 0, time.UTC)
	jsonHdr := http.Header{"Content-Type": {"application/scim+json"}}
	list := Exchange{Started: t0, Duration: 9 * time.Millisecond, Method: "GET",
		URL: "http://127.0.0.1:8080/scim/v2/loc1/Users?startIndex=1&count=5", Status: 200, ResponseHeaders: jsonHdr,
		ResponseBody: []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"startIndex":1,"itemsPerPage":5,"Resources":[{"id":"u1","userName":"ada@example.com"},{"id":"u2","userName":"bob@example.com"}]}`)}
	filter := Exchange{Started: t0, Duration: 7 * time.Millisecond, Method: "GET",
		URL: `http://127.0.0.1:8080/scim/v2/loc1/Users?filter=userName%20eq%20%22ADA%40example.com%22`, Status: 200, ResponseHeaders: jsonHdr,
		ResponseBody: []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,"itemsPerPage":100,"Resources":[{"id":"u1"}]}`)}
	create := Exchange{Started: t0, Duration: 20 * time.Millisecond, Method: "POST",
		URL: "http://127.0.0.1:8080/scim/v2/loc1/Users", RequestBody: []byte(`{"userName":"cy@example.com"}`),
		Status: 201, ResponseHeaders: jsonHdr, ResponseBody: []byte(`{"id":"u3","userName":"cy@example.com"}`)}
	readBack := Exchange{Started: t0, Duration: 5 * time.Millisecond, Method: "GET",
		URL: "http://127.0.0.1:8080/scim/v2/loc1/Users/u3", Status: 404, ResponseHeaders: jsonHdr,
		ResponseBody: []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"no such user u3"}`)}
	dup := Exchange{Started: t0, Duration: 6 * time.Millisecond, Method: "POST",
		URL: "http://127.0.0.1:8080/scim/v2/loc1/Users", RequestBody: []byte(`{"userName":"ada@example.com"}`),
		Status: 409, ResponseHeaders: jsonHdr, ResponseBody: []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409"}`)}
	const (
		ippRule = "itemsPerPage is the requested count, not the number returned"
		ippCite = "RFC 7644 §3.4.2"
		ippMsg  = `GET /scim/v2/loc1/Users?startIndex=1&count=5 → 200: "itemsPerPage": 5, but 2 Resources returned`
	)
	ctx := func(text string) Step { return Step{Text: text, Status: "passed", Kind: KindContext} }
	run := Run{
		Target:   "http://127.0.0.1:8080/scim/v2/loc1",
		Profile:  "okta",
		Started:  t0,
		Duration: 4 * time.Second,
		Notices: []string{"Declared deviation no-groups was not observed: the target answers /Groups. " +
			"Remove it from your manifest, or run with --profile okta."},
		Scenarios: []Scenario{
			{Feature: "Query users", Name: "A page reports how many users it holds", Tags: []string{"@query"}, Status: StatusFail,
				Steps: []Step{
					ctx("Given a SCIM location"),
					{Text: "When Okta lists users 5 at a time", Status: "passed", Kind: KindAction, Exchanges: []Exchange{list}},
					{Text: "Then itemsPerPage is the number of users returned [rfc: RFC 7644 §3.4.2]", Status: "failed", Kind: KindOutcome,
						Authority: AuthorityRFC, Cite: ippCite, Rule: ippRule, Error: ippMsg},
				}},
			{Feature: "Query users", Name: "Filtering by userName in another case", Tags: []string{"@query"}, Status: StatusFail,
				Steps: []Step{
					ctx("Given a SCIM location"),
					{Text: `When Okta filters by userName "ADA@example.com"`, Status: "failed", Kind: KindAction, Exchanges: []Exchange{filter},
						Authority: AuthorityRFC, Cite: ippCite, Rule: ippRule, Error: ippMsg},
					{Text: "Then it finds exactly ada@example.com", Status: "skipped", Kind: KindOutcome},
				}},
			{Feature: "Query users", Name: "Okta's import walk reads every page", Tags: []string{"@import"}, Status: StatusFail,
				Steps: []Step{
					ctx("Given a SCIM location"),
					{Text: "When Okta imports users 2 at a time", Status: "failed", Kind: KindAction, Exchanges: []Exchange{list},
						Authority: AuthorityRFC, Cite: ippCite, Rule: ippRule, Error: ippMsg},
				}},
			{Feature: "Create users", Name: "Assigning a new user creates it", Tags: []string{"@create"}, Status: StatusFail,
				Steps: []Step{
					ctx("Given a SCIM location"),
					{Text: `When Okta assigns "cy@example.com"`, Status: "passed", Kind: KindAction, Exchanges: []Exchange{create}},
					{Text: "Then Okta can read the user back", Status: "failed", Kind: KindOutcome, Exchanges: []Exchange{readBack},
						Authority: AuthorityOkta, Cite: "docs/okta-wire.md §4", Rule: "a created user can be read by its id",
						Error: `GET /scim/v2/loc1/Users/u3 → 404: "detail": "no such user u3"`},
				}},
			{Feature: "Create users", Name: "Assigning a taken userName is a conflict", Tags: []string{"@create"}, Status: StatusPass,
				Steps: []Step{
					ctx("Given a SCIM location"),
					{Text: `When Okta assigns "ada@example.com" again`, Status: "passed", Kind: KindAction, Exchanges: []Exchange{dup}},
					{Text: "Then the error says uniqueness [advice: RFC 7644 §3.12]", Status: "passed", Kind: KindOutcome,
						Authority: AuthorityAdvice, Cite: "RFC 7644 §3.12", Rule: "a 409 should carry scimType uniqueness",
						Warning: `POST /scim/v2/loc1/Users → 409 without "scimType"`},
					{Text: "And the error body is a SCIM error", Status: "passed", Kind: KindOutcome,
						Authority: AuthorityXakia, Rule: "error status is a string", Note: "Xakia rule, not judged in the okta profile: status is the string \"409\""},
				}},
			{Feature: "Query users", Name: "A user read by id has the full profile", Tags: []string{"@limited-query"}, Status: StatusDeviation,
				Reason: "xakia-limited-query: only id, active and externalId are returned",
				Steps:  []Step{ctx("Given a SCIM location"), {Text: "Then the user has userName, name and emails", Status: "passed", Kind: KindOutcome}}},
			{Feature: "Invites", Name: "A new user cannot sign in before an invite", Tags: []string{"@admin"}, Status: StatusNotRun,
				Reason: "needs XAKIA_ADMIN_URL and XAKIA_ADMIN_TOKEN (no admin API for this target)"},
		},
		Deviations: []Deviation{{ID: "xakia-limited-query", Description: "Queries return only Identifier, Active and ExternalIdentifier",
			OktaImpact: "Imports show users without names.", Scenarios: []string{"@limited-query"}}},
	}
	return GroupFindings(run)
}

// TestWriteFindingsSampleReport writes findingsRun's report into
// $REPORTS_SAMPLE_DIR/findings, for a person or a headless browser.
func TestWriteFindingsSampleReport(t *testing.T) {
	dir := os.Getenv("REPORTS_SAMPLE_DIR")
	if dir == "" {
		t.Skip("set REPORTS_SAMPLE_DIR to write the sample report")
	}
	require.NoError(t, WriteAll(filepath.Join(dir, "findings"), findingsRun()))
}
