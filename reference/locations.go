package reference

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// Query attribute modes of a location (docs/behaviour.md ).
const (
	QueryLimited = "limited"
	QueryFull    = "full"
)

// maxLocationSuffix bounds the search for a free location id.
const maxLocationSuffix = 1000

// LocationID derives a URL-safe location id from a display name: lower case,
// letters a-z, digits and '-' only (never '_', which Okta rejects in base
// URLs), runs of other characters collapsed to one '-', no leading or
// trailing '-'. A name without any usable character gives "location".
func LocationID(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	id := b.String()
	if len(id) > 60 {
		id = strings.TrimRight(id[:60], "-")
	}
	if id == "" {
		return "location"
	}
	return id
}

// normalizeQueryAttributes checks a query attributes mode; "" means limited.
func normalizeQueryAttributes(q string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(q)) {
	case "", QueryLimited:
		return QueryLimited, nil
	case QueryFull:
		return QueryFull, nil
	}
	return "", fmt.Errorf("queryAttributes must be %q or %q, not %q", QueryLimited, QueryFull, q)
}

// createLocation creates a location named name with a fresh API key and
// returns it with the plain key, which is shown only this once. The id is
// [LocationID] of the name, suffixed -2, -3, … when taken.
func createLocation(ctx context.Context, st store.Store, name, queryAttributes string) (store.Location, string, error) {
	if err := checkLocationName(name); err != nil {
		return store.Location{}, "", err
	}
	name = strings.TrimSpace(name)
	qa, err := normalizeQueryAttributes(queryAttributes)
	if err != nil {
		return store.Location{}, "", err
	}
	key, err := NewAPIKey()
	if err != nil {
		return store.Location{}, "", err
	}
	base := LocationID(name)
	for n := 1; n <= maxLocationSuffix; n++ {
		id := base
		if n > 1 {
			id = base + "-" + strconv.Itoa(n)
		}
		loc := store.Location{
			ID:              id,
			Name:            name,
			KeyHash:         HashKey(key),
			QueryAttributes: qa,
			Created:         time.Now().UTC(),
		}
		err := st.CreateLocation(ctx, loc)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return store.Location{}, "", fmt.Errorf("create location %q: %w", id, err)
		}
		return loc, key, nil
	}
	return store.Location{}, "", fmt.Errorf("create location: no free id for %q", base)
}

// DefaultLocationID is the id (and name) of the location a server creates on
// an empty database.
const DefaultLocationID = "default"

// createLocationWithID creates a location with exactly the given id, without
// the suffix search of createLocation; a taken id is store.ErrConflict.
func createLocationWithID(ctx context.Context, st store.Store, id, name, queryAttributes string) (store.Location, string, error) {
	qa, err := normalizeQueryAttributes(queryAttributes)
	if err != nil {
		return store.Location{}, "", err
	}
	key, err := NewAPIKey()
	if err != nil {
		return store.Location{}, "", err
	}
	loc := store.Location{
		ID:              id,
		Name:            name,
		KeyHash:         HashKey(key),
		QueryAttributes: qa,
		Created:         time.Now().UTC(),
	}
	if err := st.CreateLocation(ctx, loc); err != nil {
		return store.Location{}, "", fmt.Errorf("create location %q: %w", id, err)
	}
	return loc, key, nil
}

// rotateKey gives location id a new API key and returns it. The old key
// stops working at once because only the new hash is kept.
func rotateKey(ctx context.Context, st store.Store, id string) (string, error) {
	loc, err := st.Location(ctx, id)
	if err != nil {
		return "", fmt.Errorf("location %q: %w", id, err)
	}
	key, err := NewAPIKey()
	if err != nil {
		return "", err
	}
	loc.KeyHash = HashKey(key)
	if err := st.UpdateLocation(ctx, loc); err != nil {
		return "", fmt.Errorf("rotate key of %q: %w", id, err)
	}
	return key, nil
}

// SCIMBaseURI is the SCIM base URI of location id under origin.
func SCIMBaseURI(origin, id string) string {
	return strings.TrimRight(origin, "/") + "/scim/v2/" + id
}

// LocationInfo describes a location (never its key).
type LocationInfo struct {
	ID              string
	Name            string
	QueryAttributes string
	Created         time.Time
}

func locationInfo(l store.Location) LocationInfo {
	return LocationInfo{ID: l.ID, Name: l.Name, QueryAttributes: l.QueryAttributes, Created: l.Created}
}
