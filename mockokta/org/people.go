package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xakia-okta/scimtest/mockokta"
)

// Okta statuses the org adds to the library's (ACTIVE, SUSPENDED,
// DEACTIVATED): a person created without activation is STAGED; one
// activated without a password is PROVISIONED (Okta would send an
// activation email).
const (
	StatusStaged      mockokta.Status = "STAGED"
	StatusProvisioned mockokta.Status = "PROVISIONED"
)

// Person is a person of the org's directory: the library's user (id,
// status, profile) and Okta's timestamps.
type Person struct {
	mockokta.User
	Created         time.Time `json:"created"`
	Activated       time.Time `json:"activated,omitzero"`
	StatusChanged   time.Time `json:"statusChanged,omitzero"`
	LastUpdated     time.Time `json:"lastUpdated"`
	PasswordChanged time.Time `json:"passwordChanged,omitzero"`
	LastLogin       time.Time `json:"lastLogin,omitzero"`
	// HasPassword says the person has an Okta password (never the password).
	HasPassword bool `json:"hasPassword"`
}

// NewPerson is the input of [Org.CreatePerson].
type NewPerson struct {
	Profile mockokta.Profile
	// Password is the Okta password (optional; needed to sign in).
	Password string
	// Activate makes the person ACTIVE (PROVISIONED without a password);
	// otherwise the person is STAGED.
	Activate bool
}

// maxAttribute bounds every profile attribute.
const maxAttribute = 1024

// normaliseProfile trims the profile, fills displayName, and validates it
// the way Okta does (login and email required and email-shaped, names
// required).
func normaliseProfile(p mockokta.Profile) (mockokta.Profile, error) {
	p.Login = strings.TrimSpace(p.Login)
	p.Email = strings.TrimSpace(p.Email)
	p.FirstName = strings.TrimSpace(p.FirstName)
	p.LastName = strings.TrimSpace(p.LastName)
	p.DisplayName = strings.TrimSpace(p.DisplayName)
	p.Locale = strings.TrimSpace(p.Locale)
	for name, v := range map[string]string{"login": p.Login, "email": p.Email, "firstName": p.FirstName, "lastName": p.LastName, "displayName": p.DisplayName, "locale": p.Locale} {
		if len(v) > maxAttribute || !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\r\n") {
			return p, invalidf("%s: the value is too long or holds characters that are not allowed", name)
		}
	}
	switch {
	case p.Login == "":
		return p, invalidf("login: The field cannot be left blank")
	case p.Email == "":
		return p, invalidf("email: The field cannot be left blank")
	case p.FirstName == "":
		return p, invalidf("firstName: The field cannot be left blank")
	case p.LastName == "":
		return p, invalidf("lastName: The field cannot be left blank")
	}
	if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
		return p, invalidf("email: Does not match required pattern")
	}
	if a, err := mail.ParseAddress(p.Login); err != nil || a.Address != p.Login {
		return p, invalidf("login: Username must be in the form of an email address")
	}
	if p.DisplayName == "" {
		p.DisplayName = p.FirstName + " " + p.LastName
	}
	if p.Locale == "" {
		p.Locale = "en-US"
	}
	return p, nil
}

// loginKey folds a login the way Okta compares them.
func loginKey(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

// CreatePerson adds a person to the directory. A login in use is
// ErrConflict; a bad profile or password is ErrInvalid.
func (o *Org) CreatePerson(ctx context.Context, in NewPerson) (Person, error) {
	p, err := normaliseProfile(in.Profile)
	if err != nil {
		return Person{}, err
	}
	hash := ""
	if in.Password != "" {
		if err := checkPasswordPolicy(in.Password, p.Login); err != nil {
			return Person{}, err
		}
		if hash, err = hashPassword(in.Password); err != nil {
			return Person{}, err
		}
	}
	id, err := newID("00u")
	if err != nil {
		return Person{}, err
	}
	now := o.stamp()
	status, activated, pwChanged := StatusStaged, "", ""
	if in.Activate {
		status, activated = mockokta.StatusActive, now
		if hash == "" {
			status = StatusProvisioned
		}
	}
	if hash != "" {
		pwChanged = now
	}
	prof, _ := json.Marshal(p)
	_, err = o.db.ExecContext(ctx, `INSERT INTO people(id, login_key, status, profile, password_hash, created, activated, status_changed, last_updated, password_changed)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, loginKey(p.Login), string(status), string(prof), hash, now, activated, now, now, pwChanged)
	if err != nil {
		if isUnique(err) {
			return Person{}, fmt.Errorf("%w: login: An object with this field already exists in the current organization", ErrConflict)
		}
		return Person{}, err
	}
	o.log.Info("person created", "id", id, "status", status)
	return o.Person(ctx, id)
}

// isUnique reports a UNIQUE constraint failure.
func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

const personColumns = `id, status, profile, password_hash != '', created, activated, status_changed, last_updated, password_changed, last_login`

type scanner interface{ Scan(dest ...any) error }

func scanPerson(s scanner) (Person, error) {
	var (
		p                                          Person
		status, prof, created, act, sc, lu, pc, ll string
	)
	if err := s.Scan(&p.ID, &status, &prof, &p.HasPassword, &created, &act, &sc, &lu, &pc, &ll); err != nil {
		return Person{}, err
	}
	p.Status = mockokta.Status(status)
	if err := json.Unmarshal([]byte(prof), &p.Profile); err != nil {
		return Person{}, fmt.Errorf("org: stored profile of %s: %w", p.ID, err)
	}
	p.Created, p.Activated, p.StatusChanged = parseTime(created), parseTime(act), parseTime(sc)
	p.LastUpdated, p.PasswordChanged, p.LastLogin = parseTime(lu), parseTime(pc), parseTime(ll)
	return p, nil
}

// Person returns the person with that id or login.
func (o *Org) Person(ctx context.Context, idOrLogin string) (Person, error) {
	return o.personQ(ctx, o.db, idOrLogin)
}

func (o *Org) personQ(ctx context.Context, q querier, idOrLogin string) (Person, error) {
	p, err := scanPerson(q.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE id = ? OR login_key = ?`, idOrLogin, loginKey(idOrLogin)))
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, fmt.Errorf("%w: person %s", ErrNotFound, idOrLogin)
	}
	return p, err
}

// PeopleQuery selects people for [Org.People]. Q, Search and Filter are
// the Management API's parameters: Q matches the start of the login,
// email, first or last name; Search and Filter are expressions such as
// `status eq "ACTIVE"` or `profile.login eq "jane@example.com"` (see
// [ParseExpression]).
type PeopleQuery struct {
	Q      string
	Search string
	Filter string
	// After is the id of the last person of the previous page.
	After string
	// Limit is the page size (DefaultLimit when 0, at most MaxLimit).
	Limit int
}

// Paging limits of the list methods.
const (
	DefaultLimit = 200
	MaxLimit     = 200
)

// Page is a page of results and the cursor of the next one ("" when this is
// the last page).
type Page[T any] struct {
	Items []T
	Next  string
}

func pageLimit(limit int) (int, error) {
	switch {
	case limit == 0:
		return DefaultLimit, nil
	case limit < 0:
		return 0, invalidf("limit: must be a positive number")
	case limit > MaxLimit:
		return MaxLimit, nil
	}
	return limit, nil
}

// People lists the people matching q in creation order, one page at a time.
func (o *Org) People(ctx context.Context, q PeopleQuery) (Page[Person], error) {
	limit, err := pageLimit(q.Limit)
	if err != nil {
		return Page[Person]{}, err
	}
	var match []func(Person) bool
	for _, e := range []struct{ name, expr string }{{"search", q.Search}, {"filter", q.Filter}} {
		if strings.TrimSpace(e.expr) == "" {
			continue
		}
		ex, err := ParseExpression(e.expr)
		if err != nil {
			return Page[Person]{}, invalidf("%s: %v", e.name, err)
		}
		match = append(match, ex.Match)
	}
	if qs := strings.ToLower(strings.TrimSpace(q.Q)); qs != "" {
		match = append(match, func(p Person) bool {
			for _, v := range []string{p.Profile.Login, p.Profile.Email, p.Profile.FirstName, p.Profile.LastName} {
				if strings.HasPrefix(strings.ToLower(v), qs) {
					return true
				}
			}
			return false
		})
	}
	rows, err := o.db.QueryContext(ctx, `SELECT `+personColumns+` FROM people
		WHERE seq > COALESCE((SELECT seq FROM people WHERE id = ?), 0) ORDER BY seq`, q.After)
	if err != nil {
		return Page[Person]{}, err
	}
	defer rows.Close()
	var out Page[Person]
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return Page[Person]{}, err
		}
		ok := true
		for _, m := range match {
			ok = ok && m(p)
		}
		if !ok {
			continue
		}
		if len(out.Items) == limit {
			out.Next = out.Items[len(out.Items)-1].ID
			break
		}
		out.Items = append(out.Items, p)
	}
	return out, rows.Err()
}

// UpdateProfile replaces the person's profile (a login in use is
// ErrConflict) and pushes it to every app the person is assigned to whose
// connection is enabled and whose To App "Update User Attributes" is on.
func (o *Org) UpdateProfile(ctx context.Context, id string, p mockokta.Profile) (Person, error) {
	p, err := normaliseProfile(p)
	if err != nil {
		return Person{}, err
	}
	err = o.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := o.personQ(ctx, tx, id)
		if err != nil {
			return err
		}
		id = cur.ID // resolved (id may be a login)
		if cur.Status == mockokta.StatusDeactivated {
			return fmt.Errorf("%w: a deactivated person's profile cannot be changed", ErrLifecycle)
		}
		prof, _ := json.Marshal(p)
		if _, err := tx.ExecContext(ctx, `UPDATE people SET profile = ?, login_key = ?, last_updated = ? WHERE id = ?`,
			string(prof), loginKey(p.Login), o.stamp(), cur.ID); err != nil {
			if isUnique(err) {
				return fmt.Errorf("%w: login: An object with this field already exists in the current organization", ErrConflict)
			}
			return err
		}
		if cur.Profile != p {
			return o.enqueueForPerson(ctx, tx, cur.ID, p.Login, mockokta.OpUpdate)
		}
		return nil
	})
	if err != nil {
		return Person{}, err
	}
	o.signal()
	return o.Person(ctx, id)
}

// SetPassword sets the person's Okta password (the org's password policy
// applies). Password sync to apps is not modelled.
func (o *Org) SetPassword(ctx context.Context, id, password string) (Person, error) {
	cur, err := o.Person(ctx, id)
	if err != nil {
		return Person{}, err
	}
	if err := checkPasswordPolicy(password, cur.Profile.Login); err != nil {
		return Person{}, err
	}
	h, err := hashPassword(password)
	if err != nil {
		return Person{}, err
	}
	now := o.stamp()
	if _, err := o.db.ExecContext(ctx, `UPDATE people SET password_hash = ?, password_changed = ?, last_updated = ? WHERE id = ?`, h, now, now, cur.ID); err != nil {
		return Person{}, err
	}
	return o.Person(ctx, cur.ID)
}

// setStatus changes a person's status inside tx.
func (o *Org) setStatus(ctx context.Context, tx *sql.Tx, p Person, s mockokta.Status) error {
	now := o.stamp()
	activated := ""
	if p.Activated.IsZero() && s == mockokta.StatusActive {
		activated = now
	}
	_, err := tx.ExecContext(ctx, `UPDATE people SET status = ?, status_changed = ?, last_updated = ?,
		activated = CASE WHEN ? != '' THEN ? ELSE activated END WHERE id = ?`, string(s), now, now, activated, activated, p.ID)
	return err
}

// transition runs a lifecycle change: check decides the new status from the
// current person (or refuses), then after runs inside the same transaction.
func (o *Org) transition(ctx context.Context, id string, check func(Person) (mockokta.Status, error), after func(*sql.Tx, Person) error) (Person, error) {
	var (
		cur  Person
		next mockokta.Status
	)
	err := o.inTx(ctx, func(tx *sql.Tx) (err error) {
		if cur, err = o.personQ(ctx, tx, id); err != nil {
			return err
		}
		if next, err = check(cur); err != nil {
			return err
		}
		if next != cur.Status {
			if err := o.setStatus(ctx, tx, cur, next); err != nil {
				return err
			}
		}
		if after != nil {
			return after(tx, cur)
		}
		return nil
	})
	if err != nil {
		return Person{}, err
	}
	o.signal()
	o.log.Info("person status", "id", cur.ID, "from", cur.Status, "to", next)
	return o.Person(ctx, cur.ID)
}

// activeStatus is the status an activation gives: ACTIVE with a password,
// PROVISIONED without.
func activeStatus(p Person) mockokta.Status {
	if p.HasPassword {
		return mockokta.StatusActive
	}
	return StatusProvisioned
}

// Activate activates a STAGED or deactivated person: ACTIVE with a
// password, PROVISIONED without. An active person is ErrLifecycle. Okta
// sends nothing to apps: a reactivated person's direct assignments were
// removed when it was deactivated.
func (o *Org) Activate(ctx context.Context, id string) (Person, error) {
	return o.transition(ctx, id, func(p Person) (mockokta.Status, error) {
		switch p.Status {
		case StatusStaged, mockokta.StatusDeactivated:
			return activeStatus(p), nil
		}
		return "", fmt.Errorf("%w: Activation failed because the user is already active", ErrLifecycle)
	}, nil)
}

// Reactivate is the console's "Activate" of a deactivated person (and
// Okta's reactivate of a PROVISIONED one, which changes nothing here).
func (o *Org) Reactivate(ctx context.Context, id string) (Person, error) {
	return o.transition(ctx, id, func(p Person) (mockokta.Status, error) {
		switch p.Status {
		case mockokta.StatusDeactivated:
			return activeStatus(p), nil
		case StatusProvisioned:
			return StatusProvisioned, nil
		}
		return "", fmt.Errorf("%w: This operation is not allowed in the user's current status (%s)", ErrLifecycle, p.Status)
	}, nil)
}

// Deactivate deactivates a person: its app assignments are removed and
// every app that provisioned it gets Okta's deactivation (OIN PATCH or AIW
// PUT, queued). Deactivating a deactivated person changes nothing.
func (o *Org) Deactivate(ctx context.Context, id string) (Person, error) {
	return o.transition(ctx, id, func(p Person) (mockokta.Status, error) {
		return mockokta.StatusDeactivated, nil
	}, func(tx *sql.Tx, p Person) error {
		if p.Status == mockokta.StatusDeactivated {
			return nil
		}
		return o.enqueueForPerson(ctx, tx, p.ID, p.Profile.Login, mockokta.OpDeactivate)
	})
}

// Suspend suspends an ACTIVE person (Okta sends nothing to apps).
func (o *Org) Suspend(ctx context.Context, id string) (Person, error) {
	return o.transition(ctx, id, func(p Person) (mockokta.Status, error) {
		if p.Status != mockokta.StatusActive {
			return "", fmt.Errorf("%w: Cannot suspend a user that is not active", ErrLifecycle)
		}
		return mockokta.StatusSuspended, nil
	}, nil)
}

// Unsuspend makes a SUSPENDED person ACTIVE again.
func (o *Org) Unsuspend(ctx context.Context, id string) (Person, error) {
	return o.transition(ctx, id, func(p Person) (mockokta.Status, error) {
		if p.Status != mockokta.StatusSuspended {
			return "", fmt.Errorf("%w: Cannot unsuspend a user that is not suspended", ErrLifecycle)
		}
		return mockokta.StatusActive, nil
	}, nil)
}

// DeletePerson deletes a deactivated person and its assignments; any other
// status is ErrLifecycle (deactivate first, as Okta requires).
func (o *Org) DeletePerson(ctx context.Context, id string) error {
	err := o.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := o.personQ(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Status != mockokta.StatusDeactivated {
			return fmt.Errorf("%w: only a deactivated person can be deleted", ErrLifecycle)
		}
		id = cur.ID // resolved, for the log
		_, err = tx.ExecContext(ctx, `DELETE FROM people WHERE id = ?`, cur.ID)
		return err
	})
	if err != nil {
		return err
	}
	o.log.Info("person deleted", "id", id)
	return nil
}

// Authenticate checks a person's sign-in: ErrBadCredentials when the login
// is unknown or the password does not match (the same error, so that
// logins cannot be probed), ErrInactive when the person is not ACTIVE. It
// records the sign-in time.
func (o *Org) Authenticate(ctx context.Context, login, password string) (Person, error) {
	var hash, id string
	err := o.db.QueryRowContext(ctx, `SELECT id, password_hash FROM people WHERE login_key = ?`, loginKey(login)).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		// Spend the same time as a real check.
		passwordMatches(password, dummyHash)
		return Person{}, ErrBadCredentials
	}
	if err != nil {
		return Person{}, err
	}
	if hash == "" || !passwordMatches(password, hash) {
		return Person{}, ErrBadCredentials
	}
	p, err := o.Person(ctx, id)
	if err != nil {
		return Person{}, err
	}
	if p.Status != mockokta.StatusActive {
		return p, fmt.Errorf("%w (%s)", ErrInactive, p.Status)
	}
	if _, err := o.db.ExecContext(ctx, `UPDATE people SET last_login = ? WHERE id = ?`, o.stamp(), id); err != nil {
		return Person{}, err
	}
	return o.Person(ctx, id)
}

// dummyHash is checked for unknown logins so that they cost as much time as
// known ones.
const dummyHash = "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
