package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	vcs := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/xakia-okta/scimtest", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef"},
			{Key: "vcs.time", Value: "2026-11-01T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	installed := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}}
	for _, tt := range []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  Info
	}{
		{name: "nothing known", want: Info{Version: "dev", Commit: "unknown", Date: "unknown"}},
		{name: "stamped", version: "v1.2.3", commit: "abc1234", date: "2026-11-29T20:00:00Z", bi: vcs,
			want: Info{Version: "v1.2.3", Commit: "abc1234", Date: "2026-11-29T20:00:00Z", GoVersion: "go1.26.8"}},
		{name: "vcs stamp of a checkout build", bi: vcs,
			want: Info{Version: "dev", Commit: "0123456789abcdef-dirty", Date: "2026-11-01T10:00:00Z", GoVersion: "go1.26.8"}},
		{name: "go install @version", bi: installed,
			want: Info{Version: "v1.4.0", Commit: "unknown", Date: "unknown", GoVersion: "go1.26.8"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := resolve(tt.version, tt.commit, tt.date, tt.bi)
			if tt.want.GoVersion == "" {
				tt.want.GoVersion = got.GoVersion // runtime.Version()
			}
			tt.want.Platform = got.Platform
			if got != tt.want {
				t.Errorf("resolve = %+v, want %+v", got, tt.want)
			}
			if s := got.String(); !strings.HasPrefix(s, got.Version+" (commit "+got.Commit+", built "+got.Date+", "+got.GoVersion) {
				t.Errorf("String() = %q", s)
			}
		})
	}
}

func TestReadInTests(t *testing.T) {
	// A test binary has no stamps; Read must still fill every field.
	i := Read()
	if i.Version == "" || i.Commit == "" || i.Date == "" || i.GoVersion == "" || !strings.Contains(i.Platform, "/") {
		t.Errorf("Read() = %+v: a field is empty", i)
	}
}
