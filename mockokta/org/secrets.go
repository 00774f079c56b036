package org

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// passwordIterations is the PBKDF2-SHA256 work factor of stored passwords.
const passwordIterations = 100000

// DefaultAdminLogin is the login of the org's administrator.
const DefaultAdminLogin = "admin@mockokta.local"

// Keys of the meta table.
const (
	metaAdminLogin    = "admin_login"
	metaAdminPassword = "admin_password_hash"
	metaAPIToken      = "api_token_hash"
)

// alphanumerics is the alphabet of ids, tokens and generated secrets.
const alphanumerics = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomString returns n characters of alphanumerics from crypto/rand.
func randomString(n int) (string, error) {
	const limit = 256 - 256%len(alphanumerics)
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for tries := 0; len(out) < n; tries++ {
		if tries > 64 {
			return "", errors.New("org: the random source keeps returning unusable bytes")
		}
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("org: random bytes: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphanumerics[int(b)%len(alphanumerics)])
			}
		}
	}
	return string(out), nil
}

// newID returns an Okta-shaped id: prefix ("00u", "0oa") and 17
// alphanumerics.
func newID(prefix string) (string, error) {
	s, err := randomString(17)
	if err != nil {
		return "", err
	}
	return prefix + s, nil
}

// NewAPIToken returns a new SSWS API token shaped like Okta's ("00" and 40
// alphanumerics).
func NewAPIToken() (string, error) {
	s, err := randomString(40)
	if err != nil {
		return "", err
	}
	return "00" + s, nil
}

// hashToken is how a high-entropy token is stored: its SHA-256, hex.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// hashPassword returns "pbkdf2-sha256$ITER$SALT$HASH" (base64, no padding).
func hashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("org: random salt: %w", err)
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, passwordIterations, 32)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", passwordIterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// passwordMatches checks password against a stored hash in constant time.
func passwordMatches(password, stored string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > 10000000 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// checkPasswordPolicy is the org's password policy: at least 8 characters,
// not the login, at most 256 bytes.
func checkPasswordPolicy(password, login string) error {
	switch {
	case len(password) < 8:
		return invalidf("password: Password requirements were not met. Password requirements: at least 8 characters.")
	case len(password) > 256:
		return invalidf("password: Password requirements were not met. Password requirements: at most 256 characters.")
	case login != "" && strings.EqualFold(password, login):
		return invalidf("password: Password requirements were not met. Password requirements: does not contain part of username.")
	}
	return nil
}

// Bootstrap is what the first start of an org creates. Plain secrets are
// only set when they were created (or given) by this call: they are shown
// once and never stored in the clear.
type Bootstrap struct {
	// FirstStart is true when the org had no administrator yet.
	FirstStart bool
	// AdminLogin is the administrator's login (always set).
	AdminLogin string
	// AdminPassword is the generated administrator password (first start only).
	AdminPassword string
	// APIToken is the SSWS token: generated at first start, or the token
	// given to Bootstrap; empty otherwise.
	APIToken string
	// Apps are the apps created at first start (a Xakia SCIM app and the
	// Xakia OIDC app).
	Apps []App
}

// BootstrapOptions configure [Org.Bootstrap].
type BootstrapOptions struct {
	// APIToken, when not empty, becomes the org's API token (replacing the
	// stored one); MOCKOKTA_API_TOKEN in the CLI.
	APIToken string
	// OIDCRedirectURIs are the redirect URIs of the Xakia OIDC app created at
	// first start (default: the reference's callback on its default address).
	OIDCRedirectURIs []string
}

// DefaultOIDCRedirectURI is the Xakia reference's sign-in callback on its
// default address.
const DefaultOIDCRedirectURI = "http://127.0.0.1:8080/auth/okta/callback"

// Bootstrap makes sure the org has an administrator, an API token and its
// first apps. At first start it generates the admin password and the API
// token (unless opts.APIToken is given) and returns them; later starts
// return only the admin login, or the given token.
func (o *Org) Bootstrap(ctx context.Context, opts BootstrapOptions) (Bootstrap, error) {
	if opts.APIToken != "" && (len(opts.APIToken) < 16 || len(opts.APIToken) > 256 || strings.ContainsAny(opts.APIToken, " \t\r\n")) {
		return Bootstrap{}, invalidf("the API token must be 16 to 256 characters without spaces")
	}
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	var b Bootstrap
	login, err := o.meta(ctx, metaAdminLogin)
	switch {
	case errors.Is(err, ErrNotFound):
		b.FirstStart = true
	case err != nil:
		return Bootstrap{}, err
	default:
		b.AdminLogin = string(login)
	}
	tx, err := o.db.BeginTx(ctx, nil)
	if err != nil {
		return Bootstrap{}, err
	}
	defer func() { _ = tx.Rollback() }()
	if b.FirstStart {
		pw, err := randomString(20)
		if err != nil {
			return Bootstrap{}, err
		}
		h, err := hashPassword(pw)
		if err != nil {
			return Bootstrap{}, err
		}
		b.AdminLogin, b.AdminPassword = DefaultAdminLogin, pw
		if err := putMeta(ctx, tx, metaAdminLogin, []byte(b.AdminLogin)); err != nil {
			return Bootstrap{}, err
		}
		if err := putMeta(ctx, tx, metaAdminPassword, []byte(h)); err != nil {
			return Bootstrap{}, err
		}
	}
	switch {
	case opts.APIToken != "":
		b.APIToken = opts.APIToken
	case b.FirstStart:
		if b.APIToken, err = NewAPIToken(); err != nil {
			return Bootstrap{}, err
		}
	}
	if b.APIToken != "" {
		if err := putMeta(ctx, tx, metaAPIToken, []byte(hashToken(b.APIToken))); err != nil {
			return Bootstrap{}, err
		}
	}
	if b.FirstStart {
		uris := opts.OIDCRedirectURIs
		if len(uris) == 0 {
			uris = []string{DefaultOIDCRedirectURI}
		}
		scim, err := o.insertApp(ctx, tx, KindSCIM, DefaultSCIMLabel, nil)
		if err != nil {
			return Bootstrap{}, err
		}
		oidc, err := o.insertApp(ctx, tx, KindOIDC, DefaultOIDCLabel, uris)
		if err != nil {
			return Bootstrap{}, err
		}
		b.Apps = []App{scim, oidc}
	}
	if err := tx.Commit(); err != nil {
		return Bootstrap{}, err
	}
	o.log.Info("org ready", "first_start", b.FirstStart, "admin", b.AdminLogin)
	return b, nil
}

// AdminLogin returns the administrator's login.
func (o *Org) AdminLogin(ctx context.Context) (string, error) {
	v, err := o.meta(ctx, metaAdminLogin)
	return string(v), err
}

// CheckAdmin checks the administrator's sign-in: ErrBadCredentials when the
// login or the password does not match.
func (o *Org) CheckAdmin(ctx context.Context, login, password string) error {
	want, err := o.meta(ctx, metaAdminLogin)
	if err != nil {
		return err
	}
	h, err := o.meta(ctx, metaAdminPassword)
	if err != nil {
		return err
	}
	okPw := passwordMatches(password, string(h))
	if !strings.EqualFold(strings.TrimSpace(login), string(want)) || !okPw {
		return ErrBadCredentials
	}
	return nil
}

// SetAdminPassword replaces the administrator's password.
func (o *Org) SetAdminPassword(ctx context.Context, password string) error {
	if err := checkPasswordPolicy(password, DefaultAdminLogin); err != nil {
		return err
	}
	h, err := hashPassword(password)
	if err != nil {
		return err
	}
	return putMeta(ctx, o.db, metaAdminPassword, []byte(h))
}

// CheckAPIToken checks an SSWS API token: ErrBadCredentials when it is not
// the org's.
func (o *Org) CheckAPIToken(ctx context.Context, token string) error {
	h, err := o.meta(ctx, metaAPIToken)
	if errors.Is(err, ErrNotFound) {
		return ErrBadCredentials
	}
	if err != nil {
		return err
	}
	if token == "" || subtle.ConstantTimeCompare([]byte(hashToken(token)), h) != 1 {
		return ErrBadCredentials
	}
	return nil
}

// RotateAPIToken replaces the API token with a new one and returns it (the
// old one stops working at once).
func (o *Org) RotateAPIToken(ctx context.Context) (string, error) {
	t, err := NewAPIToken()
	if err != nil {
		return "", err
	}
	return t, putMeta(ctx, o.db, metaAPIToken, []byte(hashToken(t)))
}

// execer is a *sql.DB or *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// querier is a *sql.DB or *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func putMeta(ctx context.Context, e execer, key string, value []byte) error {
	_, err := e.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

func (o *Org) meta(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := o.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return v, err
}

// maxBlob bounds a stored blob.
const maxBlob = 1 << 20

// Blob returns the blob stored under name (ErrNotFound when none): the
// OIDC provider keeps its signing key here.
func (o *Org) Blob(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := o.db.QueryRowContext(ctx, `SELECT value FROM blobs WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: blob %s", ErrNotFound, name)
	}
	return v, err
}

// PutBlob stores value under name (at most 1 MiB), replacing what was there.
func (o *Org) PutBlob(ctx context.Context, name string, value []byte) error {
	if name == "" || len(name) > 200 {
		return invalidf("a blob name is 1 to 200 characters")
	}
	if len(value) > maxBlob {
		return invalidf("a blob holds at most %d bytes", maxBlob)
	}
	if value == nil {
		value = []byte{}
	}
	_, err := o.db.ExecContext(ctx, `INSERT INTO blobs(name, value) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`, name, value)
	return err
}
