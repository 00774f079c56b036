package reference

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// MaxSeedUsers is the largest number of users one Seed call creates.
const MaxSeedUsers = 10_000_000

// SeedResult describes the users a Seed call created.
type SeedResult struct {
	// Users is the number of users created.
	Users int
	// UserNamePattern shows their userNames: the %d is the user's number,
	// from 1 to Users, zero-padded to seven digits.
	UserNamePattern string
}

// Seed fills location locID with n synthetic users (active, not invited,
// Okta sign-in, shaped like Okta's creations: name, work email,
// displayName, locale, an externalId of Okta's form), for load tests and
// benchmarks. All n go in one transaction through one prepared statement,
// so a failure leaves the location as it was. userNames carry a random run
// tag, so seeding a location again adds users rather than conflicting. An
// unknown location is [ErrNoLocation]; n must be 1..[MaxSeedUsers].
func (d *DB) Seed(ctx context.Context, locID string, n int) (SeedResult, error) {
	if n < 1 || n > MaxSeedUsers {
		return SeedResult{}, fmt.Errorf("reference: seed: the number of users must be 1..%d, got %d", MaxSeedUsers, n)
	}
	if _, err := d.st.Location(ctx, locID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return SeedResult{}, fmt.Errorf("%w: %q", ErrNoLocation, locID)
		}
		return SeedResult{}, err
	}
	var tagBytes [3]byte
	if _, err := rand.Read(tagBytes[:]); err != nil {
		return SeedResult{}, fmt.Errorf("reference: seed: %w", err)
	}
	tag := hex.EncodeToString(tagBytes[:])
	now := nowUTC()
	var idErr error
	err := d.st.CreateUsers(ctx, n, func(i int) store.User {
		num := fmt.Sprintf("%07d", i+1)
		userName := "seed-" + tag + "-" + num + "@example.com"
		id, err := newUserID()
		if err != nil && idErr == nil {
			idErr = err
		}
		externalID := "00us" + tag + num
		doc := `{"active":true,"displayName":"Seed ` + num + ` User","emails":[{"primary":true,"type":"work","value":` +
			strconv.Quote(userName) + `}],"externalId":"` + externalID + `","locale":"en-US","name":{"familyName":"User","givenName":"Seed ` +
			num + `"},"userName":` + strconv.Quote(userName) + `}`
		return store.User{
			LocationID:   locID,
			ID:           id,
			UserName:     userName,
			UserNameKey:  FoldUserName(userName),
			ExternalID:   externalID,
			Active:       true,
			Doc:          []byte(doc),
			Invitation:   store.NotInvited,
			SignIn:       store.SignInOkta,
			Created:      now,
			LastModified: now,
		}
	})
	if err == nil {
		err = idErr
	}
	if err != nil {
		return SeedResult{}, fmt.Errorf("reference: seed %d users into %q: %w", n, locID, err)
	}
	return SeedResult{Users: n, UserNamePattern: "seed-" + tag + "-%07d@example.com"}, nil
}
