package steps

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBuildTagExpr(t *testing.T) {
	tests := []struct {
		profile, user string
		excl          []string
		want          string
		wantErr       bool
	}{
		{ProfileXakia, "", nil, "~@okta-profile", false},
		{ProfileOkta, "", nil, "~@xakia-profile && ~@xakia", false},
		{ProfileXakia, "", []string{"~@admin", "~@two-locations"}, "~@okta-profile && ~@admin && ~@two-locations", false},
		{ProfileXakia, "@create", []string{"~@admin"}, "~@okta-profile && ~@admin && @create", false},
		// An OR in the user's expression gets the fixed terms on each side.
		{ProfileXakia, "@create, @update && ~@import", []string{"~@admin"}, "~@okta-profile && ~@admin && @create,~@okta-profile && ~@admin && @update && ~@import", false},
		{ProfileXakia, "@a &&", nil, "", true},
		{ProfileXakia, ",@a", nil, "", true},
		{ProfileXakia, "not @a", nil, "", true},
		{ProfileXakia, "(@a)", nil, "", true},
		{ProfileXakia, "create", nil, "", true},
	}
	for _, tt := range tests {
		got, err := buildTagExpr(tt.profile, tt.user, tt.excl)
		if (err != nil) != tt.wantErr {
			t.Errorf("buildTagExpr(%q, %q): err %v, wantErr %v", tt.profile, tt.user, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("buildTagExpr(%q, %q) = %q, want %q", tt.profile, tt.user, got, tt.want)
		}
	}
}

// TestMatchTagsAgreesWithGodog checks the runner's tag evaluation (used for
// not-run reasons) against godog's own selection on the embedded features.
func TestMatchTagsAgreesWithGodog(t *testing.T) {
	all, err := embeddedScenarios()
	require.NoError(t, err)
	exprs := []string{
		"~@okta-profile",
		"~@okta-profile && ~@admin && ~@two-locations",
		"~@okta-profile && @create,~@okta-profile && @errors",
		"@admin && ~@invite",
		"@no-such-tag",
	}
	for _, expr := range exprs {
		n := 0
		for _, p := range all {
			if matchTags(expr, p.Tags) {
				n++
			}
		}
		godogN, err := countSelected(expr)
		require.NoError(t, err)
		if n != godogN {
			t.Errorf("%q: runner counts %d scenarios, godog %d", expr, n, godogN)
		}
	}
}
