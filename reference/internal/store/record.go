package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"
)

// Rules shared by both backends for what the store accepts and fills in.
//
// Times are kept in UTC with microsecond precision (PostgreSQL's timestamptz
// resolution), so a value returned by a write equals the value read back later
// on either backend.

// normTime returns t in UTC truncated to microseconds.
func normTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// now is the store's clock reading in normalised form.
func now() time.Time {
	return normTime(time.Now())
}

// prepareLocation validates l and fills Created when zero.
func prepareLocation(l Location) (Location, error) {
	if l.ID == "" {
		return Location{}, errors.New("store: location ID is empty")
	}
	if l.Created.IsZero() {
		l.Created = now()
	}
	l.Created = normTime(l.Created)
	if l.KeyHash == nil {
		l.KeyHash = []byte{}
	}
	return l, nil
}

// prepareNewUser validates u for CreateUser and fills the fields the store
// owns: Seq is cleared (assigned by the database), Version is 1, a zero Created
// becomes now and a zero LastModified becomes Created. An empty Doc is stored
// as "{}".
func prepareNewUser(u User) (User, error) {
	switch {
	case u.LocationID == "":
		return User{}, errors.New("store: user LocationID is empty")
	case u.ID == "":
		return User{}, errors.New("store: user ID is empty")
	case u.UserNameKey == "":
		return User{}, errors.New("store: user UserNameKey is empty")
	}
	doc, err := checkDoc(u.Doc)
	if err != nil {
		return User{}, err
	}
	u.Doc = doc
	u.Seq = 0
	u.Version = 1
	if u.Created.IsZero() {
		u.Created = now()
	}
	u.Created = normTime(u.Created)
	if u.LastModified.IsZero() {
		u.LastModified = u.Created
	}
	u.LastModified = normTime(u.LastModified)
	return u, nil
}

// prepareUpdatedUser restores the fields fn may not change (LocationID, ID,
// Seq, Created), sets Version to old.Version+1 and, when fn left LastModified
// unchanged, sets it to now.
func prepareUpdatedUser(old, updated User) (User, error) {
	updated.LocationID = old.LocationID
	updated.ID = old.ID
	updated.Seq = old.Seq
	updated.Created = old.Created
	updated.Version = old.Version + 1
	if updated.UserNameKey == "" {
		return User{}, errors.New("store: user UserNameKey is empty")
	}
	doc, err := checkDoc(updated.Doc)
	if err != nil {
		return User{}, err
	}
	updated.Doc = doc
	if updated.LastModified.Equal(old.LastModified) {
		updated.LastModified = now()
	}
	updated.LastModified = normTime(updated.LastModified)
	return updated, nil
}

// checkDoc returns a private copy of doc ("{}" when empty) or an error when it
// is not a JSON object.
func checkDoc(doc json.RawMessage) (json.RawMessage, error) {
	if len(doc) == 0 {
		return json.RawMessage("{}"), nil
	}
	if !json.Valid(doc) {
		return nil, errors.New("store: user Doc is not valid JSON")
	}
	if trimmed := bytes.TrimLeft(doc, " \t\r\n"); trimmed[0] != '{' {
		return nil, errors.New("store: user Doc is not a JSON object")
	}
	return append(json.RawMessage(nil), doc...), nil
}

// clampPage turns negative offsets and limits into 0.
func clampPage(p Page) Page {
	p.Offset = max(p.Offset, 0)
	p.Limit = max(p.Limit, 0)
	return p
}

// defaultScanBatch is how many users ScanUsers reads per query; fn is never
// called while a query holds a connection.
const defaultScanBatch = 256
