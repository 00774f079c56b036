package oidc

import (
	"context"
	"crypto/subtle"
	"slices"
	"strings"
	"sync"
)

// MemoryOrg is an in-memory [Org]: people with passwords, OIDC apps and
// their assignments, and the signing key, all lost when the process ends.
// It is meant for tests (see package oidctest) and for embedding the
// provider without a store. The zero value is not usable; call NewMemoryOrg.
type MemoryOrg struct {
	mu       sync.Mutex
	people   map[string]memPerson // by id
	apps     map[string]App       // by client id
	assigned map[string]map[string]bool
	key      []byte
}

type memPerson struct {
	Person
	password string
}

// NewMemoryOrg returns an empty org.
func NewMemoryOrg() *MemoryOrg {
	return &MemoryOrg{
		people:   make(map[string]memPerson),
		apps:     make(map[string]App),
		assigned: make(map[string]map[string]bool),
	}
}

// AddPerson adds a person who signs in with password. An empty ID gets a
// new 00u… id and an empty Status becomes ACTIVE. It returns the stored person.
func (o *MemoryOrg) AddPerson(p Person, password string) (Person, error) {
	if p.ID == "" {
		id, err := NewUserID(nil)
		if err != nil {
			return Person{}, err
		}
		p.ID = id
	}
	if p.Status == "" {
		p.Status = StatusActive
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.people[p.ID] = memPerson{Person: p, password: password}
	return p, nil
}

// SetStatus changes a person's Okta status (ACTIVE, SUSPENDED, DEPROVISIONED…).
func (o *MemoryOrg) SetStatus(personID, status string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	mp, ok := o.people[personID]
	if !ok {
		return ErrUnknownPerson
	}
	mp.Status = status
	o.people[personID] = mp
	return nil
}

// AddApp adds an OIDC app. Empty ClientID or ClientSecret are generated.
// It returns the stored app.
func (o *MemoryOrg) AddApp(app App) (App, error) {
	if app.ClientID == "" || app.ClientSecret == "" {
		id, secret, err := NewClientCredentials(nil)
		if err != nil {
			return App{}, err
		}
		if app.ClientID == "" {
			app.ClientID = id
		}
		if app.ClientSecret == "" {
			app.ClientSecret = secret
		}
	}
	app.RedirectURIs = slices.Clone(app.RedirectURIs)
	app.PostLogoutRedirectURIs = slices.Clone(app.PostLogoutRedirectURIs)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.apps[app.ClientID] = app
	return app, nil
}

// SetRedirectURIs replaces the app's sign-in redirect URIs (a relying party
// started after the provider learns its callback URL late).
func (o *MemoryOrg) SetRedirectURIs(clientID string, uris ...string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	app, ok := o.apps[clientID]
	if !ok {
		return ErrUnknownApp
	}
	app.RedirectURIs = slices.Clone(uris)
	o.apps[clientID] = app
	return nil
}

// Assign assigns the person to the OIDC app.
func (o *MemoryOrg) Assign(clientID, personID string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.assigned[clientID] == nil {
		o.assigned[clientID] = make(map[string]bool)
	}
	o.assigned[clientID][personID] = true
}

// Unassign removes the person's assignment to the OIDC app.
func (o *MemoryOrg) Unassign(clientID, personID string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.assigned[clientID], personID)
}

// Authenticate implements [Org]. Logins compare case-insensitively, as Okta's.
func (o *MemoryOrg) Authenticate(_ context.Context, login, password string) (Person, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, mp := range o.people {
		if strings.EqualFold(mp.Login, login) {
			if subtle.ConstantTimeCompare([]byte(mp.password), []byte(password)) != 1 {
				return Person{}, ErrBadCredentials
			}
			return mp.Person, nil
		}
	}
	return Person{}, ErrBadCredentials
}

// Person implements [Org].
func (o *MemoryOrg) Person(_ context.Context, id string) (Person, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	mp, ok := o.people[id]
	if !ok {
		return Person{}, ErrUnknownPerson
	}
	return mp.Person, nil
}

// App implements [Org].
func (o *MemoryOrg) App(_ context.Context, clientID string) (App, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	app, ok := o.apps[clientID]
	if !ok {
		return App{}, ErrUnknownApp
	}
	app.RedirectURIs = slices.Clone(app.RedirectURIs)
	app.PostLogoutRedirectURIs = slices.Clone(app.PostLogoutRedirectURIs)
	return app, nil
}

// Assigned implements [Org].
func (o *MemoryOrg) Assigned(_ context.Context, clientID, personID string) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.assigned[clientID][personID], nil
}

// SigningKey implements [Org]: the key lives as long as the MemoryOrg, so
// a second provider on the same org (a "restart") signs with the same key.
func (o *MemoryOrg) SigningKey(_ context.Context, create func() ([]byte, error)) ([]byte, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.key == nil {
		k, err := create()
		if err != nil {
			return nil, err
		}
		o.key = k
	}
	return slices.Clone(o.key), nil
}
