package oidc

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func testStorage(t *testing.T, limits Limits) (*storage, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s := newStorage(NewMemoryOrg(), signingKey{}, limits.withDefaults(), "/oauth2/default/login")
	s.now = clock.now
	return s, clock
}

func authorizeRequest() *zoidc.AuthRequest {
	return &zoidc.AuthRequest{
		ClientID: "0oaX", RedirectURI: "https://rp.example/cb", ResponseType: zoidc.ResponseTypeCode,
		Scopes: zoidc.SpaceDelimitedArray{"openid"}, State: "s", Nonce: "n",
		CodeChallenge: "abc", CodeChallengeMethod: zoidc.CodeChallengeMethodS256,
	}
}

func TestPendingSignInsAreBoundedOldestFirst(t *testing.T) {
	s, clock := testStorage(t, Limits{MaxAuthRequests: 3})
	var ids []string
	for range 4 {
		r, err := s.CreateAuthRequest(t.Context(), authorizeRequest(), "")
		require.NoError(t, err)
		ids = append(ids, r.GetID())
		clock.t = clock.t.Add(time.Second)
	}
	assert.Len(t, s.requests, 3)
	_, err := s.AuthRequestByID(t.Context(), ids[0])
	assert.ErrorIs(t, err, errNotFound, "the oldest was dropped")
	for _, id := range ids[1:] {
		_, err := s.AuthRequestByID(t.Context(), id)
		assert.NoError(t, err)
	}
}

func TestPendingSignInsExpire(t *testing.T) {
	s, clock := testStorage(t, Limits{AuthRequestTTL: 10 * time.Minute})
	r, err := s.CreateAuthRequest(t.Context(), authorizeRequest(), "")
	require.NoError(t, err)
	clock.t = clock.t.Add(10*time.Minute + time.Second)
	_, err = s.AuthRequestByID(t.Context(), r.GetID())
	require.ErrorIs(t, err, errNotFound)
	_, err = s.complete(r.GetID(), "00uX")
	require.ErrorIs(t, err, errNotFound)
	// The next create sweeps it out of memory.
	_, err = s.CreateAuthRequest(t.Context(), authorizeRequest(), "")
	require.NoError(t, err)
	assert.Len(t, s.requests, 1)
}

func TestCodesAreSingleUseAndExpire(t *testing.T) {
	s, clock := testStorage(t, Limits{CodeTTL: time.Minute})
	issue := func() string {
		r, err := s.CreateAuthRequest(t.Context(), authorizeRequest(), "")
		require.NoError(t, err)
		_, err = s.complete(r.GetID(), "00uX")
		require.NoError(t, err)
		code := "code-" + r.GetID()
		require.NoError(t, s.SaveAuthCode(t.Context(), r.GetID(), code))
		return code
	}
	code := issue()
	r, err := s.AuthRequestByCode(t.Context(), code)
	require.NoError(t, err)
	assert.Equal(t, "00uX", r.GetSubject())
	_, err = s.AuthRequestByCode(t.Context(), code)
	require.ErrorIs(t, err, errNotFound, "second use")

	code = issue()
	clock.t = clock.t.Add(time.Minute + time.Second)
	_, err = s.AuthRequestByCode(t.Context(), code)
	require.ErrorIs(t, err, errNotFound, "expired")
}

func TestPKCES256IsRequired(t *testing.T) {
	s, _ := testStorage(t, Limits{})
	req := authorizeRequest()
	req.CodeChallengeMethod = zoidc.CodeChallengeMethodPlain
	_, err := s.CreateAuthRequest(t.Context(), req, "")
	var oe *zoidc.Error
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, zoidc.InvalidRequest, oe.ErrorType)
	assert.Equal(t, "PKCE code challenge method must be S256.", oe.Description)

	req = authorizeRequest()
	req.CodeChallenge = ""
	_, err = s.CreateAuthRequest(t.Context(), req, "")
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "PKCE code challenge is required.", oe.Description)
	assert.Empty(t, s.requests)
}

func TestAccessTokenIDCarriesTheScopes(t *testing.T) {
	for _, tc := range []struct {
		scopes []string
		flags  int
	}{
		{[]string{"openid"}, 0},
		{[]string{"openid", "profile"}, scopeProfile},
		{[]string{"openid", "email"}, scopeEmail},
		{[]string{"openid", "profile", "email"}, scopeProfile | scopeEmail},
	} {
		s, _ := testStorage(t, Limits{})
		r := authorizeRequest()
		r.Scopes = tc.scopes
		ar, err := s.CreateAuthRequest(t.Context(), r, "")
		require.NoError(t, err)
		id, _, err := s.CreateAccessToken(t.Context(), ar)
		require.NoError(t, err)
		assert.Equal(t, tc.flags, flagsFromTokenID(id), tc.scopes)
	}
	assert.Equal(t, 0, flagsFromTokenID("forged.9"))
	assert.Equal(t, 0, flagsFromTokenID("nodot"))
}

func TestPromptNoneAndOtherResponseModesAreRefused(t *testing.T) {
	s, _ := testStorage(t, Limits{})
	req := authorizeRequest()
	req.Prompt = zoidc.SpaceDelimitedArray{zoidc.PromptNone}
	_, err := s.CreateAuthRequest(t.Context(), req, "")
	var oe *zoidc.Error
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, zoidc.LoginRequired, oe.ErrorType)

	for _, mode := range []zoidc.ResponseMode{zoidc.ResponseModeFormPost, zoidc.ResponseModeFragment} {
		req = authorizeRequest()
		req.ResponseMode = mode
		_, err = s.CreateAuthRequest(t.Context(), req, "")
		require.ErrorAs(t, err, &oe, mode)
		assert.Equal(t, zoidc.InvalidRequest, oe.ErrorType, mode)
	}
	req = authorizeRequest()
	req.ResponseMode = zoidc.ResponseModeQuery
	_, err = s.CreateAuthRequest(t.Context(), req, "")
	require.NoError(t, err)
}

func TestCodesNeverOutnumberSignIns(t *testing.T) {
	s, clock := testStorage(t, Limits{MaxAuthRequests: 2})
	for i := range 5 {
		r, err := s.CreateAuthRequest(t.Context(), authorizeRequest(), "")
		require.NoError(t, err)
		_, err = s.complete(r.GetID(), "00uX")
		require.NoError(t, err)
		require.NoError(t, s.SaveAuthCode(t.Context(), r.GetID(), fmt.Sprint("code-", i)))
		clock.t = clock.t.Add(time.Second)
	}
	assert.Len(t, s.requests, 2)
	assert.Len(t, s.codes, 2)
	_, err := s.AuthRequestByCode(t.Context(), "code-0")
	require.ErrorIs(t, err, errNotFound, "its sign-in was dropped")
	_, err = s.AuthRequestByCode(t.Context(), "code-4")
	require.NoError(t, err)
}
