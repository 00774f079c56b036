package mockokta

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/xakia-okta/scimtest/internal/barescim"
)

// BenchmarkLoadBare measures the load engine alone: Okta's lookup + POST per
// user, 8 in flight, against the bare handler on loopback. Its users/s is
// the ceiling of any load run on the same machine.
func BenchmarkLoadBare(b *testing.B) {
	srv := httptest.NewServer(&barescim.Handler{})
	defer srv.Close()
	o, err := New(App{BaseURL: srv.URL + "/scim/v2/bare", Credential: "bench-key"}, nil, Options{NoRecord: true})
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	// Bounded in time as well as in count: a stuck run ends, and fails.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b.ReportAllocs()
	b.ResetTimer()
	rep := o.Load(ctx, LoadOptions{Users: b.N, Concurrency: 8})
	b.StopTimer()
	if rep.Failed > 0 || rep.Users < b.N {
		b.Fatalf("%d of %d assignments failed: %v", rep.Failed, rep.Users, rep.Examples)
	}
	b.ReportMetric(rep.UsersPerSecond, "users/s")
}
