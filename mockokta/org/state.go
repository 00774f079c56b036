package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/xakia-okta/scimtest/mockokta"
)

// StateVersion is the version of the state file format.
const StateVersion = 1

// State is the mock Okta's state file, the format of the CLI's --state
// (`mockokta assign --state FILE`, …): the directory as the library's users
// and, per SCIM base URL, the links (Okta user → SCIM id) the app learnt.
// It never holds a secret. [Org.ExportState] and [Org.ImportState] move an
// org's people and links to and from it, so one-shot CLI runs and a served
// org share what they learnt.
type State struct {
	Version   int                  `json:"version"`
	Directory []mockokta.User      `json:"directory"`
	Apps      map[string]*StateApp `json:"apps"`
}

// StateApp is one app instance of a State, keyed by its SCIM base URL.
type StateApp struct {
	Links []mockokta.Link `json:"links"`
}

// maxStateBytes bounds a state file read by ReadState.
const maxStateBytes = 64 << 20

// ReadState decodes a state file (at most 64 MiB) and checks its version.
func ReadState(r io.Reader) (State, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxStateBytes+1))
	if err != nil {
		return State{}, err
	}
	if len(b) > maxStateBytes {
		return State{}, invalidf("the state file is larger than %d bytes", maxStateBytes)
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return State{}, invalidf("the state file is not valid JSON: %v", err)
	}
	if s.Version != StateVersion {
		return State{}, invalidf("the state file has version %d, this mockokta reads version %d", s.Version, StateVersion)
	}
	return s, nil
}

// ExportState returns the org's people and, for each SCIM app with a base
// URL, the links of the people it provisioned.
func (o *Org) ExportState(ctx context.Context) (State, error) {
	s := State{Version: StateVersion, Directory: []mockokta.User{}, Apps: map[string]*StateApp{}}
	for after := ""; ; {
		page, err := o.People(ctx, PeopleQuery{After: after, Limit: MaxLimit})
		if err != nil {
			return State{}, err
		}
		for _, p := range page.Items {
			s.Directory = append(s.Directory, p.User)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	apps, err := o.Apps(ctx)
	if err != nil {
		return State{}, err
	}
	for _, a := range apps {
		if a.Kind != KindSCIM || a.Provisioning.BaseURL == "" {
			continue
		}
		rows, err := o.db.QueryContext(ctx, `SELECT a.person_id, json_extract(p.profile, '$.login'), a.scim_id, a.link_active
			FROM assignments a JOIN people p ON p.id = a.person_id WHERE a.app_id = ? AND a.scim_id != '' ORDER BY a.seq`, a.ID)
		if err != nil {
			return State{}, err
		}
		sa := &StateApp{Links: []mockokta.Link{}}
		for rows.Next() {
			var l mockokta.Link
			if err := rows.Scan(&l.OktaID, &l.Login, &l.SCIMID, &l.Active); err != nil {
				_ = rows.Close()
				return State{}, err
			}
			sa.Links = append(sa.Links, l)
		}
		err = rows.Err()
		_ = rows.Close()
		if err != nil {
			return State{}, err
		}
		s.Apps[a.Provisioning.BaseURL] = sa
	}
	return s, nil
}

// ImportStateResult counts what [Org.ImportState] did.
type ImportStateResult struct {
	// People added to the directory (people whose login exists are kept).
	People int
	// Links set on SCIM apps whose base URL matches a state app.
	Links int
	// Apps that took a state app's base URL (an unconfigured SCIM app, or
	// a new one).
	Apps int
	// Skipped describes what was left out (an app no SCIM app points at, a
	// link to an unknown user), one line each.
	Skipped []string
}

// ImportState adds the state's people that the org lacks (with their id
// and status, without a password) and, on the SCIM app whose base URL is a
// key of the state, records its links as assignments (active links
// assigned and provisioned, inactive ones remembered for a later
// assignment). A base URL no app has goes to the first SCIM app without a
// base URL, or to a new Xakia app instance (its token is still to be set). No provisioning task is queued. It runs in one transaction:
// an invalid state changes nothing.
func (o *Org) ImportState(ctx context.Context, s State) (ImportStateResult, error) {
	if s.Version != StateVersion {
		return ImportStateResult{}, invalidf("the state has version %d, this mockokta reads version %d", s.Version, StateVersion)
	}
	var res ImportStateResult
	err := o.inTx(ctx, func(tx *sql.Tx) error {
		now := o.stamp()
		for _, u := range s.Directory {
			if !strings.HasPrefix(u.ID, "00u") || len(u.ID) > 64 {
				return invalidf("directory: %q is not an Okta user id", u.ID)
			}
			p, err := normaliseProfile(u.Profile)
			if err != nil {
				return fmt.Errorf("directory: user %s: %w", u.ID, err)
			}
			switch u.Status {
			case mockokta.StatusActive, mockokta.StatusSuspended, mockokta.StatusDeactivated, StatusStaged, StatusProvisioned:
			default:
				return invalidf("directory: user %s has an unknown status %q", u.ID, u.Status)
			}
			if _, err := o.personQ(ctx, tx, p.Login); err == nil {
				continue
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			prof, _ := json.Marshal(p)
			if _, err := tx.ExecContext(ctx, `INSERT INTO people(id, login_key, status, profile, created, activated, status_changed, last_updated) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
				u.ID, loginKey(p.Login), string(u.Status), string(prof), now, now, now, now); err != nil {
				if isUnique(err) {
					return fmt.Errorf("%w: directory: user id %s is taken by another login", ErrConflict, u.ID)
				}
				return err
			}
			res.People++
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+appColumns+` FROM apps WHERE kind = ? ORDER BY seq`, string(KindSCIM))
		if err != nil {
			return err
		}
		byURL := map[string]string{}
		for rows.Next() {
			a, err := scanApp(rows)
			if err != nil {
				_ = rows.Close()
				return err
			}
			if a.Provisioning.BaseURL != "" {
				if _, seen := byURL[a.Provisioning.BaseURL]; !seen {
					byURL[a.Provisioning.BaseURL] = a.ID
				}
			}
		}
		_ = rows.Close()
		bases := make([]string, 0, len(s.Apps))
		for base := range s.Apps {
			bases = append(bases, base)
		}
		sort.Strings(bases)
		for _, base := range bases {
			sa := s.Apps[base]
			base = strings.TrimRight(strings.TrimSpace(base), "/")
			appID, ok := byURL[base]
			if !ok && len(linksOf(sa)) > 0 {
				// No app points there yet: the first SCIM app without a base
				// URL takes it, else a new Xakia app instance; its token is
				// set (and the connection enabled) by the administrator.
				if appID, err = o.adoptBaseURL(ctx, tx, base); err != nil {
					return err
				}
				byURL[base] = appID
				res.Apps++
			}
			if appID == "" {
				continue
			}
			for _, l := range linksOf(sa) {
				p, err := o.personQ(ctx, tx, l.OktaID)
				if err != nil || l.SCIMID == "" {
					res.Skipped = append(res.Skipped, fmt.Sprintf("link of %s (%s) to %s: no such person or no SCIM id", l.Login, l.OktaID, base))
					continue
				}
				status, sync := AssignProvisioned, SyncSynchronized
				if _, err := tx.ExecContext(ctx, `INSERT INTO assignments(app_id, person_id, seq, assigned, status, sync_state, scim_id, link_active, created, last_updated, last_sync)
					VALUES(?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM assignments WHERE app_id = ?), ?, ?, ?, ?, ?, ?, ?, ?)
					ON CONFLICT(app_id, person_id) DO UPDATE SET assigned = excluded.assigned, status = excluded.status, sync_state = excluded.sync_state,
						scim_id = excluded.scim_id, link_active = excluded.link_active, last_updated = excluded.last_updated`,
					appID, p.ID, appID, l.Active, status, sync, l.SCIMID, l.Active, now, now, now); err != nil {
					return err
				}
				res.Links++
			}
		}
		return nil
	})
	if err != nil {
		return ImportStateResult{}, err
	}
	return res, nil
}

// adoptBaseURL gives base to the first SCIM app without a base URL, or to
// a new Xakia app instance, inside tx; it returns the app's id.
func (o *Org) adoptBaseURL(ctx context.Context, tx *sql.Tx, base string) (string, error) {
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return "", invalidf("apps: %q is not an http(s) SCIM base URL", base)
	}
	var id, raw string
	err := tx.QueryRowContext(ctx, `SELECT id, settings FROM apps WHERE kind = ? AND json_extract(settings, '$.provisioning.baseUrl') = '' ORDER BY seq LIMIT 1`, string(KindSCIM)).Scan(&id, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		a, err := o.insertApp(ctx, tx, KindSCIM, DefaultSCIMLabel+" ("+base+")", nil)
		if err != nil {
			return "", err
		}
		id = a.ID
		err = tx.QueryRowContext(ctx, `SELECT settings FROM apps WHERE id = ?`, id).Scan(&raw)
		if err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	var st appSettings
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return "", err
	}
	if st.Provisioning == nil {
		st.Provisioning = &Provisioning{Style: mockokta.StyleOIN, ProfileUpdate: mockokta.UpdatePUT}
	}
	st.Provisioning.BaseURL = base
	b, _ := json.Marshal(st)
	_, err = tx.ExecContext(ctx, `UPDATE apps SET settings = ?, last_updated = ? WHERE id = ?`, string(b), o.stamp(), id)
	return id, err
}

func linksOf(sa *StateApp) []mockokta.Link {
	if sa == nil {
		return nil
	}
	return sa.Links
}
