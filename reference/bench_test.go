package reference

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// benchGet issues one GET and drains the body.
func benchGet(b *testing.B, c *http.Client, url, key string) {
	req, _ := http.NewRequest("GET", url, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Fatalf("status %d", res.StatusCode)
	}
}

// BenchmarkBareHandler is the floor: a trivial handler returning a small
// JSON body over a real loopback server.
func BenchmarkBareHandler(b *testing.B) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
	}))
	defer hs.Close()
	c := hs.Client()
	b.ResetTimer()
	for b.Loop() {
		benchGet(b, c, hs.URL+"/scim/v2/default/Users", "")
	}
}

// BenchmarkGetUserByFilter is Okta's userName lookup against a location of
// 1000 users, over loopback HTTP.
func BenchmarkGetUserByFilter(b *testing.B) {
	e := newBenchEnv(b)
	l := e.loc(0)
	for i := range 1000 {
		r := doBenchPost(b, e, l, fmt.Sprintf("user%04d@example.com", i))
		if r != 201 {
			b.Fatalf("seed: %d", r)
		}
	}
	c := e.http.Client()
	var i atomic.Int64
	b.ResetTimer()
	for b.Loop() {
		n := i.Add(1) % 1000
		benchGet(b, c, fmt.Sprintf("%s/Users?filter=userName%%20eq%%20%%22USER%04d@example.com%%22&startIndex=1&count=100", l.Base, n), l.Key)
	}
}

// BenchmarkCreateUser is Okta's POST /Users over loopback HTTP.
func BenchmarkCreateUser(b *testing.B) {
	e := newBenchEnv(b)
	l := e.loc(0)
	i := 0
	b.ResetTimer()
	for b.Loop() {
		i++
		if s := doBenchPost(b, e, l, fmt.Sprintf("new%07d@example.com", i)); s != 201 {
			b.Fatalf("status %d", s)
		}
	}
}

func newBenchEnv(b *testing.B) *testEnv {
	return newEnv(b, Config{})
}

func doBenchPost(b *testing.B, e *testEnv, l testLoc, userName string) int {
	req, _ := http.NewRequest("POST", l.Base+"/Users", strings.NewReader(oktaUser(userName, "00u"+userName[:4])))
	req.Header.Set("Authorization", "Bearer "+l.Key)
	req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	res, err := e.http.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}
