package steps

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestETagUnsupported(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		want       string // "" means the @etag scenarios run
	}{
		{"advertised", `{"etag":{"supported":true}}`, 200, ""},
		{"advertised with other casing", `{"ETag":{"Supported":true}}`, 200, ""},
		{"not advertised", `{"etag":{"supported":false}}`, 200, "does not advertise etag.supported"},
		{"a string is not a boolean", `{"etag":{"supported":"true"}}`, 200, "does not advertise etag.supported"},
		{"absent", `{"patch":{"supported":true}}`, 200, "does not advertise etag.supported"},
		{"no ServiceProviderConfig", `{"status":"404"}`, 404, "status 404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/scim/v2/x/ServiceProviderConfig" || r.Header.Get("Authorization") != "Bearer k" {
					http.Error(w, "unexpected request", http.StatusTeapot)
					return
				}
				w.Header().Set("Content-Type", mediaSCIM)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			rs := &runState{first: location{BaseURL: srv.URL + "/scim/v2/x", APIKey: "k"}}
			got := rs.etagUnsupported(context.Background())
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("etagUnsupported = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAttrList(t *testing.T) {
	got := attrList(" userName, name.givenName,,EXTERNALID ")
	if want := []string{"username", "name.givenname", "externalid"}; !slices.Equal(got, want) {
		t.Errorf("attrList = %q, want %q", got, want)
	}
}
