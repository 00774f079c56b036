package features_test

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/xakia-okta/scimtest/features"
)

func TestEmbeddedFeatures(t *testing.T) {
	want := []string{
		"connection.feature", "create.feature", "update.feature", "deactivate.feature",
		"invite.feature", "query.feature", "isolation.feature", "errors.feature",
		"okta-spec.feature", "okta-crud.feature", "rfc.feature", "filter.feature", "signin.feature",
	}
	for _, name := range want {
		b, err := fs.ReadFile(features.FS, name)
		if err != nil {
			t.Errorf("%s is not embedded: %v", name, err)
			continue
		}
		if !strings.Contains(string(b), "Feature:") || !strings.Contains(string(b), "Scenario") {
			t.Errorf("%s has no feature or no scenario", name)
		}
	}
	all, err := fs.Glob(features.FS, "*.feature")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(want) {
		t.Errorf("embedded features %v, want exactly %v", all, want)
	}
}

func TestDefaultDeviationsIsJSON(t *testing.T) {
	var v map[string]any
	if err := json.Unmarshal(features.DefaultDeviations(), &v); err != nil {
		t.Fatalf("deviations/xakia.json: %v", err)
	}
	if _, ok := v["deviations"]; !ok {
		t.Fatal("deviations/xakia.json has no deviations")
	}
}
