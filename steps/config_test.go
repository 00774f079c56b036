package steps

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr bool
		check   func(t *testing.T, c Config)
	}{
		{
			name: "empty means embedded reference, xakia profile, reports dir",
			env:  map[string]string{},
			check: func(t *testing.T, c Config) {
				if c.BaseURL != "" || c.Profile != ProfileXakia || c.ReportsDir != DefaultReportsDir || c.AllowRemote {
					t.Errorf("defaults wrong: %+v", c)
				}
			},
		},
		{
			name: "full external configuration",
			env: map[string]string{
				EnvBaseURL: "https://x.example/scim/v2/a", EnvAPIKey: "k1",
				EnvBaseURL2: "https://x.example/scim/v2/b", EnvAPIKey2: "k2",
				EnvAdminURL: "https://x.example", EnvAdminToken: "t",
				EnvProfile: "okta", EnvTags: "@create,@update", EnvReports: "out", EnvAllowRemote: "true",
				EnvDeviations: "my.json",
			},
			check: func(t *testing.T, c Config) {
				if c.BaseURL2 != "https://x.example/scim/v2/b" || c.Profile != ProfileOkta || !c.AllowRemote || c.ReportsDir != "out" || c.DeviationsFile != "my.json" || c.Tags != "@create,@update" {
					t.Errorf("not read: %+v", c)
				}
			},
		},
		{name: "unknown profile", env: map[string]string{EnvProfile: "azure"}, wantErr: true},
		{name: "allow remote must be exactly true", env: map[string]string{EnvAllowRemote: "yes"}, wantErr: true},
		{name: "base URL without key", env: map[string]string{EnvBaseURL: "http://127.0.0.1:1/scim/v2/a"}, wantErr: true},
		{name: "key without base URL", env: map[string]string{EnvAPIKey: "k"}, wantErr: true},
		{name: "relative base URL", env: map[string]string{EnvBaseURL: "/scim/v2/a", EnvAPIKey: "k"}, wantErr: true},
		{name: "base URL with credentials", env: map[string]string{EnvBaseURL: "http://u:p@127.0.0.1/scim", EnvAPIKey: "k"}, wantErr: true},
		{name: "second URL without second key", env: map[string]string{EnvBaseURL: "http://127.0.0.1/a", EnvAPIKey: "k", EnvBaseURL2: "http://127.0.0.1/b"}, wantErr: true},
		{name: "second location equals the first", env: map[string]string{EnvBaseURL: "http://127.0.0.1/a", EnvAPIKey: "k", EnvBaseURL2: "http://127.0.0.1/a/", EnvAPIKey2: "k2"}, wantErr: true},
		{name: "admin URL without token", env: map[string]string{EnvBaseURL: "http://127.0.0.1/a", EnvAPIKey: "k", EnvAdminURL: "http://127.0.0.1"}, wantErr: true},
		{name: "admin with the embedded reference", env: map[string]string{EnvAdminURL: "http://127.0.0.1", EnvAdminToken: "t"}, wantErr: true},
		{name: "tags with parentheses", env: map[string]string{EnvTags: "(@a && @b)"}, wantErr: true},
		{name: "tags with not", env: map[string]string{EnvTags: "not @admin"}, wantErr: true},
		{name: "tags with a trailing &&", env: map[string]string{EnvTags: "@a &&"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ConfigFromEnv(envOf(tt.env))
			if tt.wantErr {
				if err == nil || !errors.Is(err, ErrConfig) {
					t.Fatalf("want a configuration error, got %v (%+v)", err, c)
				}
				return
			}
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

func TestFaultsNeedTheEmbeddedReference(t *testing.T) {
	c := Config{BaseURL: "http://127.0.0.1:1/scim/v2/a", APIKey: "k", Faults: []string{"groups-404"}}
	if err := c.Validate(); !errors.Is(err, ErrConfig) {
		t.Fatalf("faults with an external target must be refused, got %v", err)
	}
}

func TestRemoteTargets(t *testing.T) {
	tests := []struct {
		url    string
		remote bool
	}{
		{"http://127.0.0.1:8080/scim/v2/a", false},
		{"http://localhost/scim", false},
		{"http://[::1]:9/scim", false},
		{"https://xakia.example.com/scim/v2/a", true},
		{"http://10.0.0.1/scim", true},
	}
	for _, tt := range tests {
		c := Config{BaseURL: tt.url}
		if got := len(c.remoteTargets()) > 0; got != tt.remote {
			t.Errorf("%s: remote = %v, want %v", tt.url, got, tt.remote)
		}
	}
}

func TestConfigLimitsFromEnv(t *testing.T) {
	c, err := ConfigFromEnv(envOf(map[string]string{EnvMaxBody: "1MiB", EnvMaxDuration: "90s", EnvScenarioTimeout: "5s"}))
	require.NoError(t, err)
	if c.maxBody() != 1<<20 || c.maxDuration().Seconds() != 90 || c.scenarioTimeout().Seconds() != 5 {
		t.Errorf("limits not read: %+v", c)
	}
	d, err := ConfigFromEnv(envOf(nil))
	require.NoError(t, err)
	if d.maxBody() != 8<<20 || d.maxDuration() != DefaultMaxDuration || d.scenarioTimeout() != DefaultScenarioTimeout {
		t.Errorf("defaults wrong: %d %s %s", d.maxBody(), d.maxDuration(), d.scenarioTimeout())
	}
	for _, bad := range []map[string]string{{EnvMaxBody: "lots"}, {EnvMaxBody: "-1"}, {EnvMaxDuration: "soon"}, {EnvScenarioTimeout: "-2s"}} {
		if _, err := ConfigFromEnv(envOf(bad)); !errors.Is(err, ErrConfig) {
			t.Errorf("%v: want a configuration error, got %v", bad, err)
		}
	}
	if n, err := ParseSize("512KiB"); err != nil || n != 512<<10 {
		t.Errorf("ParseSize(512KiB) = %d, %v", n, err)
	}
}
