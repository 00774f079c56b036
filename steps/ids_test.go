package steps

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// idSlug is the shape of an @id tag's value.
var idSlug = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// TestEveryScenarioHasOneStableID enforces the @id:<slug> convention the
// mutation golden files are keyed on: exactly one @id tag per scenario,
// a lower-case slug, unique across the suite (example rows of an outline
// add the slug of their first cell).
func TestEveryScenarioHasOneStableID(t *testing.T) {
	all, err := embeddedScenarios()
	require.NoError(t, err)
	require.NotEmpty(t, all)
	seen := map[string]string{}
	for _, p := range all {
		where := p.Feature + " / " + p.Name
		var ids []string
		for _, tag := range p.Tags {
			if v, ok := strings.CutPrefix(tag, tagIDPrefix); ok {
				ids = append(ids, v)
			}
		}
		if !assert.Len(t, ids, 1, "%s must carry exactly one @id:<slug> tag", where) {
			continue
		}
		assert.Regexp(t, idSlug, ids[0], "%s: the @id is a lower-case slug", where)
		assert.True(t, strings.HasPrefix(p.ID, ids[0]), "%s: its id %q starts with its tag", where, p.ID)
		if prev, dup := seen[p.ID]; dup {
			t.Errorf("the id %q names two scenarios: %s and %s", p.ID, prev, where)
		}
		seen[p.ID] = where
	}
}

func TestScenarioID(t *testing.T) {
	tests := []struct {
		tags []string
		row  string
		want string
	}{
		{[]string{"@update", "@id:update-put-clears"}, "", "update-put-clears"},
		{[]string{"@id:update-put-clears", "@xakia"}, "a null displayName", "update-put-clears/a-null-displayname"},
		{[]string{"@id:errors-unknown-id-404"}, "GET", "errors-unknown-id-404/get"},
		{[]string{"@id:filter-multi-valued"}, "emails[value eq]", "filter-multi-valued/emails-value-eq"},
		{[]string{"@update"}, "row", ""},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, scenarioID(tc.tags, tc.row), "tags %v, row %q", tc.tags, tc.row)
	}
}
