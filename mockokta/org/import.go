package org

import (
	"context"
	"strings"

	"github.com/xakia-okta/scimtest/mockokta"
)

// Import matches (Okta's import results).
const (
	// MatchLinked: the SCIM user is the one this app provisioned for a person.
	MatchLinked = "linked"
	// MatchExact: its userName is a person's login (Okta's "exact match").
	MatchExact = "exact match"
	// MatchNone: no person matches; Okta would create one.
	MatchNone = "no match"
)

// ImportRow is one user an import found and how it matches the directory.
type ImportRow struct {
	mockokta.ImportedUser
	// Match is MatchLinked, MatchExact or MatchNone.
	Match string `json:"match"`
	// PersonID and Login are the matching person's ("" for MatchNone).
	PersonID string `json:"personId,omitempty"`
	Login    string `json:"login,omitempty"`
}

// ImportResult is the outcome of [Org.Import].
type ImportResult struct {
	// Task is the library's import task (OK false when Okta would fail it).
	Task mockokta.TaskResult `json:"task"`
	Rows []ImportRow         `json:"rows"`
}

// Import runs Okta's user import for a SCIM app ("Import Now"),
// synchronously, and matches each active user found: by the SCIM id the
// app provisioned, else by userName against logins. Nothing is changed in
// the directory; the outcome is recorded in the provisioning log.
func (o *Org) Import(ctx context.Context, appID string) (ImportResult, error) {
	_, la, err := o.appForTask(ctx, appID)
	if err != nil {
		return ImportResult{}, err
	}
	mo, err := mockokta.New(la, nil, o.libraryOptions())
	if err != nil {
		return ImportResult{}, invalidf("%v", err)
	}
	r := mo.Import(ctx)
	o.appendLog(ctx, 0, appID, "", "", r)
	res := ImportResult{Task: r}
	if !r.OK {
		return res, nil
	}
	linked := map[string]string{} // scim id → person id
	rows, err := o.db.QueryContext(ctx, `SELECT scim_id, person_id FROM assignments WHERE app_id = ? AND scim_id != ''`, appID)
	if err != nil {
		return ImportResult{}, err
	}
	for rows.Next() {
		var s, p string
		if err := rows.Scan(&s, &p); err != nil {
			_ = rows.Close()
			return ImportResult{}, err
		}
		linked[s] = p
	}
	_ = rows.Close()
	for _, u := range r.Imported {
		row := ImportRow{ImportedUser: u, Match: MatchNone}
		if pid, ok := linked[u.ID]; ok {
			if p, err := o.Person(ctx, pid); err == nil {
				row.Match, row.PersonID, row.Login = MatchLinked, p.ID, p.Profile.Login
			}
		} else if strings.TrimSpace(u.UserName) != "" {
			if p, err := o.Person(ctx, u.UserName); err == nil {
				row.Match, row.PersonID, row.Login = MatchExact, p.ID, p.Profile.Login
			}
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}
