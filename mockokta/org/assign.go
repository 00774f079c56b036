package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/xakia-okta/scimtest/mockokta"
)

// Assignment statuses (Okta's app user status).
const (
	// AssignActive: assigned, no provisioning (OIDC app, connection off,
	// Create Users off).
	AssignActive = "ACTIVE"
	// AssignStaged: assigned, the create (or link) task has not succeeded yet.
	AssignStaged = "STAGED"
	// AssignProvisioned: the app has the user (created or linked).
	AssignProvisioned = "PROVISIONED"
)

// Sync states (Okta's app user syncState).
const (
	SyncDisabled     = "DISABLED"
	SyncSyncing      = "SYNCING"
	SyncSynchronized = "SYNCHRONIZED"
	SyncError        = "ERROR"
)

// Assignment is a person assigned to an app, with its provisioning state.
type Assignment struct {
	AppID    string `json:"appId"`
	PersonID string `json:"personId"`
	Login    string `json:"login"`
	// Status is AssignActive, AssignStaged or AssignProvisioned.
	Status string `json:"status"`
	// SyncState is SyncDisabled, SyncSyncing, SyncSynchronized or SyncError.
	SyncState string `json:"syncState"`
	// SCIMID is the id the SCIM server gave the user ("" until provisioned).
	SCIMID string `json:"scimId,omitempty"`
	// LastError is the message of the last failed task ("" otherwise).
	LastError   string    `json:"lastError,omitempty"`
	Created     time.Time `json:"created"`
	LastUpdated time.Time `json:"lastUpdated"`
	LastSync    time.Time `json:"lastSync,omitzero"`
}

const assignmentColumns = `a.app_id, a.person_id, json_extract(p.profile, '$.login'), a.status, a.sync_state, a.scim_id, a.last_error, a.created, a.last_updated, a.last_sync`

func scanAssignment(s scanner) (Assignment, error) {
	var a Assignment
	var login sql.NullString
	var created, lu, ls string
	if err := s.Scan(&a.AppID, &a.PersonID, &login, &a.Status, &a.SyncState, &a.SCIMID, &a.LastError, &created, &lu, &ls); err != nil {
		return Assignment{}, err
	}
	a.Login = login.String
	a.Created, a.LastUpdated, a.LastSync = parseTime(created), parseTime(lu), parseTime(ls)
	return a, nil
}

// provisions reports whether assigning to app queues a create task.
func provisions(a App) bool {
	return a.Kind == KindSCIM && a.Provisioning.Enabled
}

// Assign assigns a person to an app. For a SCIM app whose connection is
// enabled, Okta's assignment (lookup, then link or create; a previously
// unassigned user is reactivated) is queued and the assignment is STAGED
// until it succeeds. Assigning an assigned person returns the assignment
// unchanged. A deactivated person cannot be assigned (ErrLifecycle).
func (o *Org) Assign(ctx context.Context, appID, personID string) (Assignment, error) {
	var (
		a       Assignment
		changed bool
	)
	err := o.inTx(ctx, func(tx *sql.Tx) error {
		app, err := o.appQ(ctx, tx, appID)
		if err != nil {
			return err
		}
		p, err := o.personQ(ctx, tx, personID)
		if err != nil {
			return err
		}
		if p.Status == mockokta.StatusDeactivated {
			return fmt.Errorf("%w: a deactivated person cannot be assigned to an app", ErrLifecycle)
		}
		var assigned bool
		err = tx.QueryRowContext(ctx, `SELECT assigned FROM assignments WHERE app_id = ? AND person_id = ?`, app.ID, p.ID).Scan(&assigned)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if assigned {
			a, err = o.assignmentQ(ctx, tx, app.ID, p.ID)
			return err
		}
		status, sync := AssignActive, SyncDisabled
		if provisions(app) {
			status, sync = AssignStaged, SyncSyncing
		}
		now := o.stamp()
		if exists {
			_, err = tx.ExecContext(ctx, `UPDATE assignments SET assigned = 1, status = ?, sync_state = ?, last_error = '', created = ?, last_updated = ? WHERE app_id = ? AND person_id = ?`,
				status, sync, now, now, app.ID, p.ID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO assignments(app_id, person_id, seq, assigned, status, sync_state, created, last_updated)
				VALUES(?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM assignments WHERE app_id = ?), 1, ?, ?, ?, ?)`, app.ID, p.ID, app.ID, status, sync, now, now)
		}
		if err != nil {
			return err
		}
		if provisions(app) {
			if err := o.enqueue(ctx, tx, app.ID, p.ID, p.Profile.Login, mockokta.OpAssign); err != nil {
				return err
			}
		}
		changed = true
		a, err = o.assignmentQ(ctx, tx, app.ID, p.ID)
		return err
	})
	if err != nil {
		return Assignment{}, err
	}
	if changed {
		o.signal()
		o.log.Info("assigned", "app", a.AppID, "person", a.PersonID, "status", a.Status)
	}
	return a, nil
}

// Unassign removes a person's assignment to an app (ErrNotFound when it is
// not assigned). When the app had provisioned the user, Okta's
// unassignment (OIN PATCH active:false or AIW GET then PUT) is queued. The
// SCIM id is remembered for a later assignment.
func (o *Org) Unassign(ctx context.Context, appID, personID string) error {
	err := o.inTx(ctx, func(tx *sql.Tx) error {
		app, err := o.appQ(ctx, tx, appID)
		if err != nil {
			return err
		}
		p, err := o.personQ(ctx, tx, personID)
		if err != nil {
			return err
		}
		appID, personID = app.ID, p.ID // resolved, for the log
		var linkActive bool
		err = tx.QueryRowContext(ctx, `SELECT link_active FROM assignments WHERE app_id = ? AND person_id = ? AND assigned = 1`, app.ID, p.ID).Scan(&linkActive)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: person %s is not assigned to app %s", ErrNotFound, p.ID, app.ID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assignments SET assigned = 0, last_updated = ? WHERE app_id = ? AND person_id = ?`, o.stamp(), app.ID, p.ID); err != nil {
			return err
		}
		if provisions(app) && (linkActive || o.hasQueued(ctx, tx, app.ID, p.ID)) {
			return o.enqueue(ctx, tx, app.ID, p.ID, p.Profile.Login, mockokta.OpUnassign)
		}
		return nil
	})
	if err != nil {
		return err
	}
	o.signal()
	o.log.Info("unassigned", "app", appID, "person", personID)
	return nil
}

// hasQueued reports whether a task of the person for the app is waiting
// (an assignment not run yet: its unassignment must follow it).
func (o *Org) hasQueued(ctx context.Context, q querier, appID, personID string) bool {
	var n int
	_ = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM tasks WHERE app_id = ? AND person_id = ? AND state IN (?, ?)`,
		appID, personID, string(TaskQueued), string(TaskRunning)).Scan(&n)
	return n > 0
}

// Assignment returns the assignment of a person to an app (ErrNotFound
// when the person is not assigned).
func (o *Org) Assignment(ctx context.Context, appID, personID string) (Assignment, error) {
	p, err := o.Person(ctx, personID)
	if err != nil {
		return Assignment{}, err
	}
	return o.assignmentQ(ctx, o.db, appID, p.ID)
}

func (o *Org) assignmentQ(ctx context.Context, q querier, appID, personID string) (Assignment, error) {
	a, err := scanAssignment(q.QueryRowContext(ctx, `SELECT `+assignmentColumns+` FROM assignments a JOIN people p ON p.id = a.person_id
		WHERE a.app_id = ? AND a.person_id = ? AND a.assigned = 1`, appID, personID))
	if errors.Is(err, sql.ErrNoRows) {
		return Assignment{}, fmt.Errorf("%w: person %s is not assigned to app %s", ErrNotFound, personID, appID)
	}
	return a, err
}

// IsAssigned reports whether the person (id or login) is assigned to the app.
func (o *Org) IsAssigned(ctx context.Context, appID, personID string) (bool, error) {
	_, err := o.Assignment(ctx, appID, personID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// AssignmentQuery selects assignments for [Org.Assignments].
type AssignmentQuery struct {
	// Q matches the start of the person's login, email, first or last name.
	Q string
	// After is the person id of the last assignment of the previous page.
	After string
	// Limit is the page size (DefaultLimit when 0, at most MaxLimit).
	Limit int
}

// Assignments lists the people assigned to an app, in assignment order.
func (o *Org) Assignments(ctx context.Context, appID string, q AssignmentQuery) (Page[Assignment], error) {
	limit, err := pageLimit(q.Limit)
	if err != nil {
		return Page[Assignment]{}, err
	}
	if _, err := o.App(ctx, appID); err != nil {
		return Page[Assignment]{}, err
	}
	like := escapeLike(q.Q) + "%"
	rows, err := o.db.QueryContext(ctx, `SELECT `+assignmentColumns+` FROM assignments a JOIN people p ON p.id = a.person_id
		WHERE a.app_id = ? AND a.assigned = 1
		AND a.seq > COALESCE((SELECT seq FROM assignments WHERE app_id = ? AND person_id = ?), 0)
		AND (? = '%' OR json_extract(p.profile, '$.login') LIKE ? ESCAPE '\' OR json_extract(p.profile, '$.email') LIKE ? ESCAPE '\'
			OR json_extract(p.profile, '$.firstName') LIKE ? ESCAPE '\' OR json_extract(p.profile, '$.lastName') LIKE ? ESCAPE '\')
		ORDER BY a.seq LIMIT ?`, appID, appID, q.After, like, like, like, like, like, limit+1)
	if err != nil {
		return Page[Assignment]{}, err
	}
	defer rows.Close()
	var out Page[Assignment]
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return Page[Assignment]{}, err
		}
		if len(out.Items) == limit {
			out.Next = out.Items[limit-1].PersonID
			break
		}
		out.Items = append(out.Items, a)
	}
	return out, rows.Err()
}

// escapeLike escapes LIKE wildcards.
func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}

// PersonAssignments lists the apps a person is assigned to.
func (o *Org) PersonAssignments(ctx context.Context, personID string) ([]Assignment, error) {
	p, err := o.Person(ctx, personID)
	if err != nil {
		return nil, err
	}
	rows, err := o.db.QueryContext(ctx, `SELECT `+assignmentColumns+` FROM assignments a JOIN people p ON p.id = a.person_id
		WHERE a.person_id = ? AND a.assigned = 1 ORDER BY a.app_id`, p.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// enqueueForPerson queues op for every app the person is assigned to that
// needs it: a profile update goes to provisioned users of apps with Update
// Users on; a deactivation removes every assignment and deactivates the
// user in each app that provisioned it.
func (o *Org) enqueueForPerson(ctx context.Context, tx *sql.Tx, personID, login string, op mockokta.Operation) error {
	rows, err := tx.QueryContext(ctx, `SELECT app_id, assigned, link_active FROM assignments WHERE person_id = ?`, personID)
	if err != nil {
		return err
	}
	type row struct {
		app              string
		assigned, linked bool
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.app, &r.assigned, &r.linked); err != nil {
			_ = rows.Close()
			return err
		}
		rs = append(rs, r)
	}
	_ = rows.Close()
	now := o.stamp()
	for _, r := range rs {
		app, err := o.appQ(ctx, tx, r.app)
		if err != nil {
			return err
		}
		queued := provisions(app) && (r.linked || o.hasQueued(ctx, tx, app.ID, personID))
		switch op {
		case mockokta.OpUpdate:
			if !r.assigned || !queued || !app.Provisioning.ToApp.UpdateUsers {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE assignments SET sync_state = ?, last_updated = ? WHERE app_id = ? AND person_id = ?`, SyncSyncing, now, app.ID, personID); err != nil {
				return err
			}
		case mockokta.OpDeactivate:
			if !r.assigned {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE assignments SET assigned = 0, last_updated = ? WHERE app_id = ? AND person_id = ?`, now, app.ID, personID); err != nil {
				return err
			}
			if !queued {
				continue
			}
		default:
			return fmt.Errorf("org: enqueueForPerson: unexpected operation %s", op)
		}
		if err := o.enqueue(ctx, tx, app.ID, personID, login, op); err != nil {
			return err
		}
	}
	return nil
}
