package steps

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLowerKeys(t *testing.T) {
	tests := []struct {
		in, path, want string
		typ            gjson.Type
	}{
		{`{"UserName":"Ann"}`, "username", "Ann", gjson.String},
		{`{"Name":{"GivenName":"Ann"}}`, "name.givenname", "Ann", gjson.String},
		{`{"Emails":[{"Value":"a@x"}]}`, "emails.0.value", "a@x", gjson.String},
		{`{"totalResults":12345678901}`, "totalresults", "12345678901", gjson.Number},
		{`{"totalResults":"1"}`, "totalresults", "1", gjson.String},
		{`{"userName":"a","UserName":"b"}`, "username", "b", gjson.String}, // sorted: "UserName" first
	}
	for _, tt := range tests {
		b, err := lowerKeys([]byte(tt.in))
		require.NoError(t, err, "%s", tt.in)
		v := gjson.GetBytes(b, tt.path)
		if v.String() != tt.want || v.Type != tt.typ {
			t.Errorf("%s → %s: got %s (%v), want %s (%v)", tt.in, b, v.Raw, v.Type, tt.want, tt.typ)
		}
	}
	if _, err := lowerKeys([]byte(`{"a":`)); err == nil {
		t.Error("invalid JSON must be an error")
	}
}

func TestNewResponseInvalidJSON(t *testing.T) {
	r := newResponse("GET", "/x", 200, http.Header{}, []byte(`{"a":`), 0)
	if r.ValidJSON || r.get("a").Exists() {
		t.Fatalf("invalid JSON must not yield values: %+v", r)
	}
}

func TestExpand(t *testing.T) {
	w := &World{run: &runState{runID: "abcd1234"}, seq: 7, users: map[string]*user{}}
	got, err := w.expand(`{"userName":"{alice.userName}","externalId":"{alice.externalId}"}`)
	require.NoError(t, err)
	assert.Contains(t, got, "ctabcd1234-s7-alice@example.test", "userName not namespaced: %s", got)
	ext := w.users["alice"].ExternalID
	assert.Regexp(t, `^00u[0-9a-z]{17}$`, ext, "externalId is Okta-shaped (00u + 17)")
	seen := map[string]string{}
	for i := 0; i < 300; i++ {
		alias := fmt.Sprintf("bulk%d", i)
		id := w.externalID(alias)
		if len(id) != 20 || !strings.HasPrefix(id, "00u") {
			t.Fatalf("externalID(%q) = %q is not Okta-shaped", alias, id)
		}
		if other, dup := seen[id]; dup {
			t.Fatalf("externalID collides for %q and %q: %s", alias, other, id)
		}
		seen[id] = alias
	}
	_, err = w.expand("/Users/{alice.id}")
	assert.Error(t, err, "an unknown id must be an error")
	w.users["alice"].ID = "id-1"
	got, err = w.expand("/Users/{alice.id}")
	require.NoError(t, err)
	assert.Equal(t, "/Users/id-1", got)
}

func TestCheckSCIMError(t *testing.T) {
	w := &World{run: &runState{first: location{APIKey: "the-secret-api-key-123456"}}}
	h := http.Header{"Content-Type": {"application/scim+json"}}
	good := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidSyntax","detail":"bad JSON"}`
	tests := []struct {
		name, body string
		status     int
		types      []string
		wantErr    string
	}{
		{"good", good, 400, []string{"invalidSyntax"}, ""},
		{"wrong status", good, 500, nil, "expected status 400"},
		{"integer status", strings.Replace(good, `"400"`, `400`, 1), 400, nil, "string"},
		{"no schema", strings.Replace(good, `"urn:ietf:params:scim:api:messages:2.0:Error"`, `"x"`, 1), 400, nil, "schema"},
		{"empty detail", strings.Replace(good, `"bad JSON"`, `" "`, 1), 400, nil, "detail"},
		{"wrong scimType", good, 400, []string{"invalidValue"}, "scimType"},
		{"stack trace", strings.Replace(good, `bad JSON`, `panic: boom goroutine 1`, 1), 400, nil, "stack trace"},
		{"leaks the key", strings.Replace(good, `bad JSON`, `key the-secret-api-key-123456 is bad`, 1), 400, nil, "API key"},
		{"not JSON", `oops`, 400, nil, "JSON"},
	}
	for _, tt := range tests {
		r := newResponse("POST", "/Users", tt.status, h, []byte(tt.body), 0)
		err := w.checkSCIMError(r, []int{400}, tt.types)
		if tt.wantErr == "" {
			assert.NoError(t, err, tt.name)
		} else {
			assert.ErrorContains(t, err, tt.wantErr, tt.name)
		}
	}
}

func TestCheckListResponse(t *testing.T) {
	ok := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":[{"id":"a"}]}`
	tests := []struct {
		name, body, wantErr string
	}{
		{"good", ok, ""},
		{"string paging", strings.Replace(ok, `"totalResults":1`, `"totalResults":"1"`, 1), "not a JSON integer"},
		{"fraction", strings.Replace(ok, `"startIndex":1`, `"startIndex":1.5`, 1), "not a JSON integer"},
		{"missing itemsPerPage", strings.Replace(ok, `,"itemsPerPage":1`, ``, 1), "lacks itemsPerPage"},
		{"itemsPerPage disagrees", strings.Replace(ok, `"itemsPerPage":1`, `"itemsPerPage":2`, 1), "itemsPerPage is 2"},
		{"total below page", strings.Replace(ok, `"totalResults":1`, `"totalResults":0`, 1), "smaller"},
		{"no schema", strings.Replace(ok, `ListResponse`, `Other`, 1), "schema"},
	}
	for _, tt := range tests {
		err := checkListResponse(newResponse("GET", "/Users", 200, http.Header{}, []byte(tt.body), 0))
		if tt.wantErr == "" {
			assert.NoError(t, err, tt.name)
		} else {
			assert.ErrorContains(t, err, tt.wantErr, tt.name)
		}
	}
}
