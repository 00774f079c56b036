package reference

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Member passwords are stored as PBKDF2-HMAC-SHA512 hashes with a random
// 16-byte salt, encoded "pbkdf2-sha512$<iterations>$<salt>$<hash>" (base64url).
const (
	passwordScheme     = "pbkdf2-sha512"
	passwordIterations = 210000 // OWASP's figure for PBKDF2-HMAC-SHA512
	passwordSaltBytes  = 16
	passwordHashBytes  = 32
	// MinPasswordLength and MaxPasswordLength bound a member's password
	// (in characters).
	MinPasswordLength = 8
	MaxPasswordLength = 256
)

// checkPassword refuses passwords too short or too long to be hashed.
func checkPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if !utf8.ValidString(pw) || n < MinPasswordLength || n > MaxPasswordLength {
		return newError(http.StatusBadRequest, scimInvalidValue,
			fmt.Sprintf("a member's password must be %d to %d characters long", MinPasswordLength, MaxPasswordLength))
	}
	return nil
}

// hashPassword returns the encoded hash of pw under a fresh salt.
func hashPassword(pw string) (string, error) {
	salt := make([]byte, passwordSaltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key, err := pbkdf2.Key(sha512.New, pw, salt, passwordIterations, passwordHashBytes)
	if err != nil {
		return "", fmt.Errorf("password hash: %w", err)
	}
	enc := base64.RawURLEncoding
	return passwordScheme + "$" + strconv.Itoa(passwordIterations) + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key), nil
}

// passwordMatches reports whether pw matches an encoded hash, comparing in
// constant time. A malformed hash or an over-long password never matches.
func passwordMatches(pw, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 || parts[0] != passwordScheme || len(pw) > 4*MaxPasswordLength {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > 10*passwordIterations {
		return false
	}
	enc := base64.RawURLEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha512.New, pw, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}
