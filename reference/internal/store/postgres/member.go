package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// The store's web sign-in types, under the names the backend uses.
type (
	// Credential is store.Credential.
	Credential = store.Credential
	// SignInEvent is store.SignInEvent.
	SignInEvent = store.SignInEvent
)

// SignInKeepPerLocation is store.SignInKeepPerLocation.
const SignInKeepPerLocation = store.SignInKeepPerLocation

// SetCredential implements Store.
func (s *pgStore) SetCredential(ctx context.Context, c Credential) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO member_credentials (location_id, user_id, password_hash, admin)
		VALUES ($1, $2, $3, $4) ON CONFLICT (location_id, user_id)
		DO UPDATE SET password_hash = EXCLUDED.password_hash, admin = EXCLUDED.admin`,
		c.LocationID, c.UserID, c.PasswordHash, c.Admin); err != nil {
		return fmt.Errorf("store: set credential: %w", err)
	}
	return nil
}

// Credential implements Store.
func (s *pgStore) Credential(ctx context.Context, locationID, userID string) (Credential, error) {
	c := Credential{LocationID: locationID, UserID: userID}
	err := s.pool.QueryRow(ctx, `SELECT password_hash, admin FROM member_credentials
		WHERE location_id = $1 AND user_id = $2`, locationID, userID).Scan(&c.PasswordHash, &c.Admin)
	if errors.Is(err, pgx.ErrNoRows) {
		return Credential{}, fmt.Errorf("%w: credential of user %q", ErrNotFound, userID)
	}
	if err != nil {
		return Credential{}, fmt.Errorf("store: read credential: %w", err)
	}
	return c, nil
}

// AppendSignIn implements Store.
func (s *pgStore) AppendSignIn(ctx context.Context, e SignInEvent) (err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: append sign-in: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if _, err := tx.Exec(ctx, `INSERT INTO signin_events (location_id, time, method, login, user_id, outcome, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.LocationID, normTime(e.Time), e.Method, e.Login, e.UserID, e.Outcome, e.Detail); err != nil {
		return fmt.Errorf("store: append sign-in: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM signin_events WHERE location_id = $1 AND seq <=
		(SELECT seq FROM signin_events WHERE location_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)`,
		e.LocationID, SignInKeepPerLocation); err != nil {
		return fmt.Errorf("store: trim sign-ins: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: append sign-in: commit: %w", err)
	}
	return nil
}

// SignIns implements Store.
func (s *pgStore) SignIns(ctx context.Context, locationID string, limit int) ([]SignInEvent, error) {
	return pgCollect(ctx, s.pool, "read sign-ins", func(row pgx.CollectableRow) (e SignInEvent, err error) {
		err = row.Scan(&e.LocationID, &e.Time, &e.Method, &e.Login, &e.UserID, &e.Outcome, &e.Detail)
		e.Time = e.Time.UTC()
		return e, err
	}, `SELECT location_id, time, method, login, user_id, outcome, detail
		FROM (SELECT * FROM signin_events WHERE location_id = $1 ORDER BY seq DESC LIMIT $2) last ORDER BY seq`, locationID, max(limit, 0))
}
