package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SetCredential implements Store.
func (s *sqliteStore) SetCredential(ctx context.Context, c Credential) error {
	if _, err := s.write.ExecContext(ctx, `INSERT INTO member_credentials (location_id, user_id, password_hash, admin)
		VALUES (?, ?, ?, ?) ON CONFLICT (location_id, user_id)
		DO UPDATE SET password_hash = excluded.password_hash, admin = excluded.admin`,
		c.LocationID, c.UserID, c.PasswordHash, c.Admin); err != nil {
		return fmt.Errorf("store: set credential: %w", err)
	}
	s.noteWrite()
	return nil
}

// Credential implements Store.
func (s *sqliteStore) Credential(ctx context.Context, locationID, userID string) (Credential, error) {
	c := Credential{LocationID: locationID, UserID: userID}
	err := s.read.QueryRowContext(ctx, `SELECT password_hash, admin FROM member_credentials
		WHERE location_id = ? AND user_id = ?`, locationID, userID).Scan(&c.PasswordHash, &c.Admin)
	if errors.Is(err, sql.ErrNoRows) {
		return Credential{}, fmt.Errorf("%w: credential of user %q", ErrNotFound, userID)
	}
	if err != nil {
		return Credential{}, fmt.Errorf("store: read credential: %w", err)
	}
	return c, nil
}

// AppendSignIn implements Store.
func (s *sqliteStore) AppendSignIn(ctx context.Context, e SignInEvent) (err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: append sign-in: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `INSERT INTO signin_events (location_id, time, method, login, user_id, outcome, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.LocationID, formatSQLiteTime(e.Time), e.Method, e.Login, e.UserID, e.Outcome, e.Detail); err != nil {
		return fmt.Errorf("store: append sign-in: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM signin_events WHERE location_id = ? AND seq <=
		(SELECT seq FROM signin_events WHERE location_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
		e.LocationID, e.LocationID, SignInKeepPerLocation); err != nil {
		return fmt.Errorf("store: trim sign-ins: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: append sign-in: commit: %w", err)
	}
	s.noteWrite()
	return nil
}

// SignIns implements Store.
func (s *sqliteStore) SignIns(ctx context.Context, locationID string, limit int) ([]SignInEvent, error) {
	return sqliteCollect(ctx, s.read, "read sign-ins", func(rows *sql.Rows) (e SignInEvent, err error) {
		var t string
		if err = rows.Scan(&e.LocationID, &t, &e.Method, &e.Login, &e.UserID, &e.Outcome, &e.Detail); err == nil {
			e.Time, err = parseSQLiteTime(t)
		}
		return e, err
	}, `SELECT location_id, time, method, login, user_id, outcome, detail
		FROM (SELECT * FROM signin_events WHERE location_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq`, locationID, max(limit, 0))
}
