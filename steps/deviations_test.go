package steps

import (
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/features"
)

func TestEmbeddedManifest(t *testing.T) {
	m, err := ParseManifest(features.DefaultDeviations())
	require.NoError(t, err)
	d, ok := m.QueryAttributes()
	if !ok || d.ID != "limited-query-attributes" {
		t.Fatalf("the Xakia manifest must declare limited-query-attributes: %+v", m)
	}
	assert.Contains(t, d.Description, "only the following properties will be returned", "the description must quote the seed article: %q", d.Description)
	if strings.Join(d.Returned, ",") != "id,active,externalId" {
		t.Errorf("returned = %v", d.Returned)
	}
}

func TestParseManifestRejects(t *testing.T) {
	tests := map[string]string{
		"not JSON":         `{`,
		"unknown field":    `{"deviations":[{"id":"a","kind":"query-attributes","description":"d","oktaImpact":"i","returned":["id"],"retruned":[]}]}`,
		"no id":            `{"deviations":[{"kind":"query-attributes","description":"d","oktaImpact":"i","returned":["id"]}]}`,
		"duplicate id":     `{"deviations":[{"id":"a","kind":"query-attributes","description":"d","oktaImpact":"i","returned":["id"]},{"id":"a","kind":"query-attributes","description":"d","oktaImpact":"i","returned":["id"]}]}`,
		"no impact":        `{"deviations":[{"id":"a","kind":"query-attributes","description":"d","returned":["id"]}]}`,
		"unknown kind":     `{"deviations":[{"id":"a","kind":"slow","description":"d","oktaImpact":"i"}]}`,
		"empty returned":   `{"deviations":[{"id":"a","kind":"query-attributes","description":"d","oktaImpact":"i"}]}`,
		"returned sans id": `{"deviations":[{"id":"a","kind":"query-attributes","description":"d","oktaImpact":"i","returned":["active"]}]}`,
	}
	for name, doc := range tests {
		if _, err := ParseManifest([]byte(doc)); err == nil {
			t.Errorf("%s: accepted %s", name, doc)
		}
	}
}

func TestCheckQueryRepr(t *testing.T) {
	limited, err := ParseManifest(features.DefaultDeviations())
	require.NoError(t, err)
	alice := &user{Alias: "alice", ID: "u1", UserName: "alice@example.test", ExternalID: "00uabc"}
	bob := &user{Alias: "bob", ID: "u2", UserName: "bob@example.test"}
	full := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"alice@example.test","name":{"givenName":"A","familyName":"C"},"emails":[{"value":"alice@example.test"}],"active":true,"externalId":"00uabc"}`
	tests := []struct {
		name      string
		manifest  Manifest
		u         *user
		body      string
		wantErr   string // substring; "" means no error
		deviation bool
	}{
		{"limited as declared", limited, alice, `{"schemas":["x"],"id":"u1","active":true,"externalId":"00uabc"}`, "", true},
		{"limited, keys in another case", limited, alice, `{"Schemas":["x"],"ID":"u1","Active":true,"ExternalId":"00uabc"}`, "", true},
		{"limited without externalId for a user without one", limited, bob, `{"id":"u2","active":false}`, "", true},
		{"limited but returns userName", limited, alice, `{"id":"u1","active":true,"externalId":"00uabc","userName":"alice@example.test"}`, "", true},
		{"limited but returns meta", limited, alice, `{"id":"u1","active":true,"externalId":"00uabc","meta":{}}`, "", true},
		{"limited but returns every attribute", limited, alice, full, "", false},
		{"limited but lacks active", limited, alice, `{"id":"u1","externalId":"00uabc"}`, "lacks active", false},
		{"limited but lacks externalId that is set", limited, alice, `{"id":"u1","active":true}`, "externalId", false},
		{"limited with an externalId never set", limited, bob, `{"id":"u2","active":true,"externalId":"zzz"}`, "created without one", false},
		{"limited with active as a string", limited, alice, `{"id":"u1","active":"true","externalId":"00uabc"}`, "boolean", false},
		{"wrong id", limited, alice, `{"id":"u9","active":true,"externalId":"00uabc"}`, "expected \"u1\"", false},
		{"full server, full user", Manifest{}, alice, full, "", false},
		{"full server, missing emails", Manifest{}, alice, strings.Replace(full, `"emails":[{"value":"alice@example.test"}],`, "", 1), "emails[0].value", false},
		{"full server, other userName", Manifest{}, alice, strings.Replace(full, `"userName":"alice@example.test"`, `"userName":"ALICE@example.test"`, 1), "userName", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &World{run: &runState{manifest: tt.manifest}}
			norm, err := lowerKeys([]byte(tt.body))
			require.NoError(t, err)
			err = w.checkQueryRepr(gjson.ParseBytes(norm), tt.u, "x", 2)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("want an error containing %q, got %v", tt.wantErr, err)
			}
			if got := len(w.deviations) > 0; got != tt.deviation {
				t.Errorf("deviation recorded = %v, want %v (%v)", got, tt.deviation, w.deviations)
			}
			// Returning more than declared is an improvement: one notice, no failure.
			wantNotice := strings.HasPrefix(tt.name, "limited but returns")
			if got := len(w.run.notices) > 0; got != wantNotice {
				t.Errorf("notice recorded = %v, want %v (%v)", got, wantNotice, w.run.notices)
			} else if wantNotice && !strings.Contains(w.run.notices[0], "is not observed") {
				t.Errorf("notice must say the deviation is not observed: %q", w.run.notices[0])
			}
			if tt.deviation && !strings.Contains(w.deviations[0].Impact, "Okta SPEC step 2 would fail") {
				t.Errorf("impact must name the Okta step: %q", w.deviations[0].Impact)
			}
		})
	}
}
