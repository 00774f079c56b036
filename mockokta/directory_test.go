package mockokta

import (
	"crypto/rand"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var oktaIDPattern = regexp.MustCompile(`^00u[0-9A-Za-z]{17}$`)

func TestNewOktaID(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		id, err := NewOktaID(rand.Reader)
		require.NoError(t, err)
		if !oktaIDPattern.MatchString(id) {
			t.Fatalf("id %q is not 00u + 17 alphanumerics", id)
		}
		if seen[id] {
			t.Fatalf("id %q repeated", id)
		}
		seen[id] = true
	}
}

// TestPasswordPolicy draws many placeholder passwords and checks each
// satisfies a policy that requires upper case, lower case, a digit and a
// symbol, with the fixed length and only the expected characters.
func TestPasswordPolicy(t *testing.T) {
	classes := map[string]*regexp.Regexp{
		"upper": regexp.MustCompile(`[A-Z]`), "lower": regexp.MustCompile(`[a-z]`),
		"digit": regexp.MustCompile(`[0-9]`), "symbol": regexp.MustCompile(`[!#$%&*+\-=?@^_~]`),
	}
	only := regexp.MustCompile(`^[A-Za-z0-9!#$%&*+\-=?@^_~]+$`)
	firstIsSymbol := 0
	const draws = 5000
	for i := range draws {
		pw, err := NewPassword(rand.Reader)
		require.NoError(t, err)
		if len(pw) != PasswordLength || !only.MatchString(pw) {
			t.Fatalf("draw %d: password %q has the wrong length or characters", i, pw)
		}
		for name, re := range classes {
			if !re.MatchString(pw) {
				t.Fatalf("draw %d: password %q has no %s character", i, pw, name)
			}
		}
		if classes["symbol"].MatchString(pw[:1]) {
			firstIsSymbol++
		}
	}
	// The classes are shuffled, not at fixed positions: the first character
	// is a symbol in some draws but not in all.
	if firstIsSymbol == 0 || firstIsSymbol == draws {
		t.Errorf("the first character was a symbol in %d of %d draws", firstIsSymbol, draws)
	}
}

func TestRandomSourceErrors(t *testing.T) {
	if _, err := NewOktaID(strings.NewReader("short")); err == nil {
		t.Error("no error from an exhausted random source")
	}
}

func TestDirectory(t *testing.T) {
	d := NewDirectory(rand.Reader)
	u, err := d.Add(ProfileFromEmail("jane.doe@example.com", "", ""))
	require.NoError(t, err)
	if u.Status != StatusActive || u.Profile.FirstName != "Jane" || u.Profile.LastName != "Doe" || u.Profile.DisplayName != "Jane Doe" || u.Profile.Locale != "en-US" {
		t.Errorf("unexpected user %+v", u)
	}
	if _, err := d.Add(ProfileFromEmail("JANE.DOE@example.com", "", "")); err == nil {
		t.Error("a login differing only in case was added twice")
	}
	p := u.Profile
	require.NoError(t, p.SetAttribute("firstName", "Janet"))
	if err := p.SetAttribute("shoeSize", "9"); err == nil {
		t.Error("unknown attribute accepted")
	}
	if _, err := d.Update("jane.doe@example.com", p); err != nil {
		t.Fatal(err)
	}
	got, err := d.Get("Jane.Doe@example.com")
	if err != nil || got.Profile.FirstName != "Janet" || got.ID != u.ID {
		t.Errorf("Get after update: %+v, %v", got, err)
	}
	if _, err := d.SetStatus("nobody@example.com", StatusSuspended); err == nil {
		t.Error("status set on an unknown user")
	}
}

func TestOverlayProfile(t *testing.T) {
	u := User{ID: "00uAAAAAAAAAAAAAAAAA", Profile: Profile{Login: "a@x.test", Email: "a@x.test", FirstName: "A", LastName: "B", DisplayName: "A B", Locale: "en-US"}}
	tests := []struct {
		name, got, want string
	}{
		{"limited GET keeps order and adds the profile",
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1","active":false,"externalId":"old"}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1","active":true,"externalId":"00uAAAAAAAAAAAAAAAAA","userName":"a@x.test","name":{"givenName":"A","familyName":"B"},"emails":[{"primary":true,"value":"a@x.test","type":"work"}],"displayName":"A B","locale":"en-US","groups":[]}`},
		{"unknown attributes echoed, name merged, case folded",
			`{"id":"1", "UserName":"old","name":{"formatted":"Old B","givenName":"Old"},"title":"CEO","password":"x"}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1","userName":"a@x.test","name":{"formatted":"Old B","givenName":"A","familyName":"B"},"title":"CEO","emails":[{"primary":true,"value":"a@x.test","type":"work"}],"displayName":"A B","locale":"en-US","externalId":"00uAAAAAAAAAAAAAAAAA","groups":[],"active":true}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := overlayProfile([]byte(tc.got), u, true)
			require.NoError(t, err)
			if string(b) != tc.want {
				t.Errorf("got  %s\nwant %s", b, tc.want)
			}
		})
	}
	if _, err := overlayProfile([]byte(`[1]`), u, true); err == nil {
		t.Error("a non-object GET body was accepted")
	}
}

func TestLookupQuery(t *testing.T) {
	got := lookupQuery("o'brien+tag@example.com")
	want := `filter=userName%20eq%20%22o%27brien%2Btag%40example.com%22&startIndex=1&count=100`
	assert.Equal(t, want, got, "got")
}

func TestAppValidate(t *testing.T) {
	tests := []struct {
		name    string
		app     App
		wantErr string
		auth    string
	}{
		{"bearer default", App{BaseURL: "https://x.test/scim/v2/a/", Credential: "k"}, "", "Bearer k"},
		{"basic", App{BaseURL: "https://x.test/scim", Credential: "u:p", Auth: AuthBasic}, "", "Basic dTpw"},
		{"header", App{BaseURL: "https://x.test/scim", Credential: "SSWS abc", Auth: AuthHeader}, "", "SSWS abc"},
		{"basic without colon", App{BaseURL: "https://x.test/scim", Credential: "up", Auth: AuthBasic}, "user:password", ""},
		{"no URL", App{Credential: "k"}, "base URL is empty", ""},
		{"ftp URL", App{BaseURL: "ftp://x.test", Credential: "k"}, "not an http(s) URL", ""},
		{"no key", App{BaseURL: "https://x.test"}, "API key is empty", ""},
		{"bad style", App{BaseURL: "https://x.test", Credential: "k", Style: "scim"}, "unknown app style", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.app.Validate()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			require.NoError(t, err)
			if got := tc.app.AuthorizationHeader(); got != tc.auth {
				t.Errorf("Authorization %q, want %q", got, tc.auth)
			}
			if strings.HasSuffix(tc.app.BaseURL, "/") || tc.app.Name != DefaultAppName || tc.app.Style != StyleOIN {
				t.Errorf("defaults not filled: %+v", tc.app)
			}
		})
	}
	for url, want := range map[string]bool{"http://127.0.0.1:8080/x": false, "http://localhost/x": false, "http://[::1]:9/x": false, "http://example.com/x": true, "https://example.com/x": false} {
		if got := (App{BaseURL: url}).InsecureRemote(); got != want {
			t.Errorf("InsecureRemote(%s) = %v, want %v", url, got, want)
		}
	}
}
