// Package buildinfo tells which build of a scimtest command is running: the
// version, the commit, the build date and the Go version.
//
// Release builds (make dist, make image-mockokta) stamp the version, commit and
// date at link time:
//
//	go build -ldflags "-X github.com/xakia-okta/scimtest/internal/buildinfo.version=v1.2.3
//	  -X github.com/xakia-okta/scimtest/internal/buildinfo.commit=0123abc
//	  -X github.com/xakia-okta/scimtest/internal/buildinfo.date=2026-11-29T20:00:00Z" ./cmd/mockokta
//
// Without stamps, [Read] falls back to what the Go toolchain records by itself:
// the module version of "go install …@v1.2.3", and the VCS revision and time of
// a build inside a git checkout. What is still unknown reads "dev" (version) or
// "unknown".
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set by the linker (-ldflags -X) only; never written at run time.
var (
	version string
	commit  string
	date    string
)

// Info is the identity of the running build.
type Info struct {
	// Version is a release tag (v1.2.3), a `git describe` string, a module
	// pseudo-version, or "dev".
	Version string `json:"version"`
	// Commit is the git commit the binary was built from, or "unknown"; a
	// "-dirty" suffix means the work tree had uncommitted changes.
	Commit string `json:"commit"`
	// Date is the build date (RFC 3339, UTC), or the commit date when only
	// the toolchain's VCS stamp is known, or "unknown".
	Date string `json:"date"`
	// GoVersion is the Go toolchain that built the binary.
	GoVersion string `json:"goVersion"`
	// Platform is GOOS/GOARCH of the binary.
	Platform string `json:"platform"`
}

// Read returns the running binary's build information.
func Read() Info {
	bi, _ := debug.ReadBuildInfo()
	return resolve(version, commit, date, bi)
}

// resolve combines the linker stamps with the toolchain's build information
// (which may be nil); a stamp wins over what the toolchain recorded.
func resolve(version, commit, date string, bi *debug.BuildInfo) Info {
	info := Info{Version: version, Commit: commit, Date: date, GoVersion: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if bi.GoVersion != "" {
			info.GoVersion = bi.GoVersion
		}
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		var revision, vcsTime string
		var modified bool
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				vcsTime = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if info.Commit == "" && revision != "" {
			info.Commit = revision
			if modified {
				info.Commit += "-dirty"
			}
		}
		if info.Date == "" {
			info.Date = vcsTime
		}
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	if info.Commit == "" {
		info.Commit = "unknown"
	}
	if info.Date == "" {
		info.Date = "unknown"
	}
	return info
}

// String is the one-line form printed by the version commands:
// "mockokta v1.2.3 (commit 0123abc, built 2026-11-29T20:00:00Z, go1.26.8, linux/amd64)".
func (i Info) String() string {
	return fmt.Sprintf("%s (commit %s, built %s, %s, %s)", i.Version, i.Commit, i.Date, i.GoVersion, i.Platform)
}
