package mockokta

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// Status is the lifecycle status of a user in the Okta directory.
type Status string

// Okta user statuses the mock models.
const (
	StatusActive      Status = "ACTIVE"
	StatusSuspended   Status = "SUSPENDED"
	StatusDeactivated Status = "DEACTIVATED"
)

// ErrUnknownUser is returned when a login is not in the Okta directory.
var ErrUnknownUser = errors.New("no such user in the Okta directory")

// Profile is the part of an Okta user profile that the Xakia app maps to SCIM.
type Profile struct {
	Login       string `json:"login"`
	Email       string `json:"email"`
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	DisplayName string `json:"displayName"`
	Locale      string `json:"locale"`
}

// User is a user of the Okta directory.
type User struct {
	ID      string  `json:"id"` // "00u" + 17 alphanumerics
	Status  Status  `json:"status"`
	Profile Profile `json:"profile"`
}

// alphanumerics is the alphabet of Okta ids and generated passwords.
const alphanumerics = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Character classes of the placeholder password: an org password policy
// that requires upper case, lower case, a digit and a symbol accepts it.
const (
	upperLetters    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerLetters    = "abcdefghijklmnopqrstuvwxyz"
	digits          = "0123456789"
	passwordSymbols = "!#$%&*+-=?@^_~"
)

// lowerAlphanumerics is the alphabet of the lifecycle's random tags.
const lowerAlphanumerics = digits + lowerLetters

// PasswordLength is the length of the placeholder password: 8, like the
// passwords in recorded create requests, so recorded body sizes still match.
const PasswordLength = 8

// randomString draws n characters of alphabet from r without modulo bias.
func randomString(r io.Reader, alphabet string, n int) (string, error) {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	for tries := 0; len(out) < n; tries++ {
		if tries > 64 {
			return "", errors.New("mockokta: random source keeps returning unusable bytes")
		}
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("mockokta: reading random bytes: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

// NewOktaID returns an Okta user id: "00u" followed by 17 alphanumerics drawn
// from r (crypto/rand.Reader in production, a fixed stream in tests).
func NewOktaID(r io.Reader) (string, error) {
	s, err := randomString(r, alphanumerics, 17)
	if err != nil {
		return "", err
	}
	return "00u" + s, nil
}

// NewPassword returns the random password Okta sends in a create request
// when password sync is off. Okta draws it to satisfy the org's password
// policy (captures show upper case and symbols), so it always holds at
// least one upper-case letter, lower-case letter, digit and symbol.
func NewPassword(r io.Reader) (string, error) {
	classes := []string{upperLetters, lowerLetters, digits, passwordSymbols}
	all := strings.Join(classes, "")
	var out []byte
	for _, c := range classes {
		s, err := randomString(r, c, 1)
		if err != nil {
			return "", err
		}
		out = append(out, s...)
	}
	rest, err := randomString(r, all, PasswordLength-len(classes))
	if err != nil {
		return "", err
	}
	out = append(out, rest...)
	// Shuffle (Fisher–Yates) so the classes are not at fixed positions.
	for i := len(out) - 1; i > 0; i-- {
		j, err := randomIndex(r, i+1)
		if err != nil {
			return "", err
		}
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}

// randomIndex draws an integer in [0, n) from r without modulo bias; n must
// be between 1 and 256.
func randomIndex(r io.Reader, n int) (int, error) {
	limit := 256 - 256%n
	var b [1]byte
	for tries := 0; tries < 256; tries++ {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, fmt.Errorf("mockokta: reading random bytes: %w", err)
		}
		if int(b[0]) < limit {
			return int(b[0]) % n, nil
		}
	}
	return 0, errors.New("mockokta: random source keeps returning unusable bytes")
}

// Directory is the Okta org's user directory. It is safe for concurrent use.
type Directory struct {
	mu      sync.Mutex
	random  io.Reader
	byLogin map[string]*User // key: lower-cased login
}

// NewDirectory returns an empty directory drawing ids from random.
func NewDirectory(random io.Reader) *Directory {
	return &Directory{random: random, byLogin: make(map[string]*User)}
}

// loginKey folds a login the way Okta compares them (case-insensitively).
func loginKey(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

// ProfileFromEmail builds a profile for an email address, deriving the
// first and last names from its local part ("test.user" → "Test", "User")
// when they are empty.
func ProfileFromEmail(email, first, last string) Profile {
	local, _, _ := strings.Cut(email, "@")
	parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '+' })
	if first == "" {
		first = "Test"
		if len(parts) > 0 {
			first = capitalise(parts[0])
		}
	}
	if last == "" {
		last = "User"
		if len(parts) > 1 {
			last = capitalise(parts[len(parts)-1])
		}
	}
	return Profile{
		Login:       email,
		Email:       email,
		FirstName:   first,
		LastName:    last,
		DisplayName: first + " " + last,
		Locale:      "en-US",
	}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Add creates an ACTIVE user with a new Okta id. Adding a login that exists
// already is an error.
func (d *Directory) Add(p Profile) (User, error) {
	if strings.TrimSpace(p.Login) == "" {
		return User{}, errors.New("mockokta: a user needs a login")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.byLogin[loginKey(p.Login)]; ok {
		return User{}, fmt.Errorf("mockokta: user %s already exists in the Okta directory", p.Login)
	}
	id, err := NewOktaID(d.random)
	if err != nil {
		return User{}, err
	}
	u := &User{ID: id, Status: StatusActive, Profile: p}
	d.byLogin[loginKey(p.Login)] = u
	return *u, nil
}

// Put stores u as is (used when loading saved state).
func (d *Directory) Put(u User) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := u
	d.byLogin[loginKey(u.Profile.Login)] = &c
}

// Get returns the user with that login.
func (d *Directory) Get(login string) (User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, ok := d.byLogin[loginKey(login)]
	if !ok {
		return User{}, fmt.Errorf("%w: %s", ErrUnknownUser, login)
	}
	return *u, nil
}

// Remove deletes the user with that login, if any (bulk runs that do not
// keep their users).
func (d *Directory) Remove(login string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.byLogin, loginKey(login))
}

// Update replaces the profile of the user with that login and returns the
// updated user. The login itself may change.
func (d *Directory) Update(login string, p Profile) (User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, ok := d.byLogin[loginKey(login)]
	if !ok {
		return User{}, fmt.Errorf("%w: %s", ErrUnknownUser, login)
	}
	if loginKey(p.Login) != loginKey(login) {
		if _, taken := d.byLogin[loginKey(p.Login)]; taken {
			return User{}, fmt.Errorf("mockokta: login %s is taken", p.Login)
		}
		delete(d.byLogin, loginKey(login))
		d.byLogin[loginKey(p.Login)] = u
	}
	u.Profile = p
	return *u, nil
}

// SetStatus changes the Okta status of the user with that login.
func (d *Directory) SetStatus(login string, s Status) (User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, ok := d.byLogin[loginKey(login)]
	if !ok {
		return User{}, fmt.Errorf("%w: %s", ErrUnknownUser, login)
	}
	u.Status = s
	return *u, nil
}

// Users returns every user, sorted by login.
func (d *Directory) Users() []User {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]User, 0, len(d.byLogin))
	for _, u := range d.byLogin {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return loginKey(out[i].Profile.Login) < loginKey(out[j].Profile.Login) })
	return out
}

// SetAttribute changes one profile attribute by its Okta name (login, email,
// firstName, lastName, displayName, locale). Changing firstName or lastName
// does not recompute displayName; set it explicitly.
func (p *Profile) SetAttribute(name, value string) error {
	switch strings.ToLower(name) {
	case "login", "username":
		p.Login = value
	case "email":
		p.Email = value
	case "firstname", "givenname":
		p.FirstName = value
	case "lastname", "familyname":
		p.LastName = value
	case "displayname":
		p.DisplayName = value
	case "locale":
		p.Locale = value
	default:
		return fmt.Errorf("unknown profile attribute %q (known: login, email, firstName, lastName, displayName, locale)", name)
	}
	return nil
}
