package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/xakia-okta/scimtest/mockokta"
)

// stateVersion is the format version of the state file.
const stateVersion = 1

// state is the mock Okta's memory between runs: its directory and, per
// SCIM base URL, the assignments with the SCIM ids Okta learnt. It never
// holds an API key.
type state struct {
	Version   int                  `json:"version"`
	Directory []mockokta.User      `json:"directory"`
	Apps      map[string]*appState `json:"apps"`

	path       string
	memoryOnly bool
}

// appState is the state of one app instance (one SCIM base URL).
type appState struct {
	Links []mockokta.Link `json:"links"`
}

// load reads the state file; a missing file is an empty state.
func (s *state) load() error {
	s.Version = stateVersion
	if s.Apps == nil {
		s.Apps = map[string]*appState{}
	}
	if s.memoryOnly {
		return nil
	}
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the state file: %w", err)
	}
	var in state
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("the state file %s is not valid JSON (%v); move it away to start afresh", s.path, err)
	}
	if in.Version != stateVersion {
		return fmt.Errorf("the state file %s has version %d, this mockokta reads version %d", s.path, in.Version, stateVersion)
	}
	s.Directory = in.Directory
	if in.Apps != nil {
		s.Apps = in.Apps
	}
	return nil
}

// app returns the state of the app at baseURL (never nil).
func (s *state) app(baseURL string) *appState {
	a, ok := s.Apps[baseURL]
	if !ok {
		a = &appState{}
		s.Apps[baseURL] = a
	}
	return a
}

// setLinks replaces the assignments of the app at baseURL.
func (s *state) setLinks(baseURL string, links []mockokta.Link) {
	s.app(baseURL).Links = links
}

// save writes the state atomically: a temporary file in the same directory,
// synced, then renamed over the old one.
func (s *state) save() error {
	if s.memoryOnly {
		return nil
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, ".mockokta-state-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.path)
}
