package steps

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/mockokta"
)

// recordingTarget is a SCIM target on 127.0.0.1 that remembers every
// request and answers GET /Users/{id} with a full user.
type recordingTarget struct {
	mu   sync.Mutex
	reqs []recordedRequest
}

type recordedRequest struct {
	Method, Path, Query string
	Body                []byte
}

func (rt *recordingTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, recordedRequest{r.Method, r.URL.Path, r.URL.RawQuery, body})
	rt.mu.Unlock()
	w.Header().Set("Content-Type", mediaSCIM)
	if r.Method == http.MethodGet && r.URL.Path == "/Users/id-1" {
		_, _ = io.WriteString(w, `{"schemas":["`+schemaUser+`"],"id":"id-1","userName":"alice@example.test","displayName":"Alice Stored","emails":[{"value":"alice@example.test","primary":true}]}`)
		return
	}
	_, _ = io.WriteString(w, `{"id":"id-1"}`)
}

func (rt *recordingTarget) last(t *testing.T) recordedRequest {
	t.Helper()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	require.NotEmpty(t, rt.reqs, "no request reached the target")
	return rt.reqs[len(rt.reqs)-1]
}

// domainWorld is a World whose user "alice" (id id-1) lives on a
// recording target.
func domainWorld(t *testing.T) (*World, *recordingTarget) {
	t.Helper()
	rt := &recordingTarget{}
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)
	rs := &runState{runID: "abcd1234", first: location{Label: "first", BaseURL: srv.URL, APIKey: "key-0123456789"}}
	w := newWorld(rs, 1)
	u := w.userFor("alice")
	u.ID, u.Loc = "id-1", w.loc
	return w, rt
}

// table builds a Gherkin data table.
func table(rows ...[]string) *godog.Table {
	tb := &godog.Table{}
	for _, r := range rows {
		row := &messages.PickleTableRow{}
		for _, c := range r {
			row.Cells = append(row.Cells, &messages.PickleTableCell{Value: c})
		}
		tb.Rows = append(tb.Rows, row)
	}
	return tb
}

func TestClientPutsBuildsTheSCIMBody(t *testing.T) {
	w, rt := domainWorld(t)
	require.NoError(t, w.clientPuts("alice", table(
		[]string{"name.givenName", `"Ally"`},
		[]string{"name.familyName", `"Changed"`},
		[]string{"emails", `[{"value":"changed-{alice.userName}","primary":true}]`},
	)))
	got := rt.last(t)
	assert.Equal(t, http.MethodPut, got.Method)
	assert.Equal(t, "/Users/id-1", got.Path)
	want := `{"schemas":["` + schemaUser + `"],"userName":"` + w.users["alice"].UserName + `",` +
		`"name":{"givenName":"Ally","familyName":"Changed"},"emails":[{"value":"changed-` + w.users["alice"].UserName + `","primary":true}]}`
	assert.JSONEq(t, want, string(got.Body))
	assert.Regexp(t, `^\{"schemas":.*"userName":.*"name":\{"givenName":"Ally","familyName":"Changed"\}`, string(got.Body), "keys keep the table's order")

	require.NoError(t, w.clientPutsNoUserName("alice", table([]string{"displayName", `"No UserName"`})))
	assert.JSONEq(t, `{"schemas":["`+schemaUser+`"],"displayName":"No UserName"}`, string(rt.last(t).Body))

	err := w.clientPuts("alice", table([]string{"displayName", `Ally`}))
	require.Error(t, err, "a cell that is not JSON is refused")
	assert.Contains(t, err.Error(), "not a JSON value")
}

func TestClientPatchesBuildsThePatchOp(t *testing.T) {
	w, rt := domainWorld(t)
	require.NoError(t, w.clientPatches("alice", table(
		[]string{"op", "path", "value"},
		[]string{"replace", "", `{"displayName":"Half Applied"}`},
		[]string{"remove", "displayName", ""},
	)))
	got := rt.last(t)
	assert.Equal(t, http.MethodPatch, got.Method)
	assert.Equal(t, `{"schemas":["`+schemaPatchOp+`"],"Operations":[{"op":"replace","value":{"displayName":"Half Applied"}},{"op":"remove","path":"displayName"}]}`,
		string(got.Body), "an empty path or value is left out")

	require.Error(t, w.clientPatches("alice", table([]string{"op", "path", "value"})), "a table without operations is refused")
}

func TestSearchFilterEncodesLikeOkta(t *testing.T) {
	w, rt := domainWorld(t)
	require.NoError(t, w.searchFilter(`externalId eq "{alice.externalId}"`))
	got := rt.last(t)
	assert.Equal(t, "/Users", got.Path)
	assert.Equal(t, "filter=externalId%20eq%20%22"+w.users["alice"].ExternalID+"%22", got.Query, "spaces as %20, no paging parameters")
}

func TestLookupPathIsTheMockOktasQuery(t *testing.T) {
	assert.Equal(t, "/Users?"+mockokta.LookupQuery("a b@example.test"), lookupPath("a b@example.test"))
}

func TestThenStepsObserveReadsMadeByWhenSteps(t *testing.T) {
	w, rt := domainWorld(t)
	err := w.storedHas("alice", "displayName", `"Alice Stored"`)
	require.Error(t, err, "a check before any read-back cannot pass")
	assert.Contains(t, err.Error(), `the stored profile of "alice" is read back`, "the error names the read it needs")

	require.NoError(t, w.readBack("alice"))
	n := len(rt.reqs)
	require.NoError(t, w.storedHas("alice", "displayName", `"Alice Stored"`))
	require.NoError(t, w.storedHas("alice", "emails[0].value", `"alice@example.test"`), "SCIM index paths are understood")
	assert.Equal(t, n, len(rt.reqs), "the Then checks sent no request")

	require.NoError(t, w.clientPatches("alice", table([]string{"op", "path", "value"}, []string{"replace", "displayName", `"X"`})))
	assert.Error(t, w.storedHas("alice", "displayName", `"Alice Stored"`), "a write makes the read-back stale")

	err = w.noUser("bob")
	require.Error(t, err, "no lookup of bob was sent")
	assert.Contains(t, err.Error(), `Okta looks up the user "bob" by userName`)
}

func TestJSONPath(t *testing.T) {
	assert.Equal(t, "emails.0.value", jsonPath("emails[0].value"))
	assert.Equal(t, "name.givenname", jsonPath("name.givenName"))
	assert.Equal(t, "resources.0.id", jsonPath("Resources.0.id"))
}
