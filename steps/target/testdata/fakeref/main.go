// Command fakeref is a minimal reference-compatible server used by the tests of
// package target: it honours XAKIA_ADDR, XAKIA_ADMIN_TOKEN, XAKIA_PUBLIC_URL and
// XAKIA_DB the way xakia-reference does, answers GET /healthz and
// POST /admin/api/locations, and nothing else. It lets the container machinery be
// tested without the real server. With FAKEREF_EXIT set it exits at once with
// code 3, to test how a crashing server is reported.
//
// /healthz answers 200 only when a file can be written next to XAKIA_DB, which
// proves that the image's data directory is writable by its non-root user.
package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

type location struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	ScimBaseURI     string `json:"scimBaseUri"`
	APIKey          string `json:"apiKey"`
	QueryAttributes string `json:"queryAttributes"`
}

type server struct {
	token     string
	publicURL string
	dataDir   string

	mu   sync.Mutex
	locs map[string]location
}

func main() {
	if len(os.Args) < 2 || os.Args[1] != "serve" {
		fmt.Fprintln(os.Stderr, "usage: fakeref serve")
		os.Exit(2)
	}
	if code := os.Getenv("FAKEREF_EXIT"); code != "" {
		fmt.Println("fakeref exiting as asked")
		os.Exit(3)
	}
	addr := os.Getenv("XAKIA_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	s := &server{
		token:     os.Getenv("XAKIA_ADMIN_TOKEN"),
		publicURL: strings.TrimRight(os.Getenv("XAKIA_PUBLIC_URL"), "/"),
		dataDir:   filepath.Dir(os.Getenv("XAKIA_DB")),
		locs:      map[string]location{},
	}
	if s.publicURL == "" {
		s.publicURL = "http://" + addr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeref:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("POST /admin/api/locations", s.createLocation)
	fmt.Println("fakeref listening on", ln.Addr().String())
	if err := http.Serve(ln, mux); err != nil {
		fmt.Fprintln(os.Stderr, "fakeref:", err)
		os.Exit(1)
	}
}

func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	probe := filepath.Join(s.dataDir, ".fakeref-probe")
	if err := os.WriteFile(probe, []byte("ok"), 0o600); err != nil {
		http.Error(w, "data directory not writable: "+err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

func (s *server) createLocation(w http.ResponseWriter, r *http.Request) {
	got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if s.token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var in struct {
		Name            string `json:"name"`
		QueryAttributes string `json:"queryAttributes"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if in.QueryAttributes == "" {
		in.QueryAttributes = "limited"
	}
	id := strings.ToLower(strings.ReplaceAll(in.Name, " ", "-"))
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	loc := location{
		ID:              id,
		Name:            in.Name,
		ScimBaseURI:     s.publicURL + "/scim/v2/" + id,
		APIKey:          hex.EncodeToString(key),
		QueryAttributes: in.QueryAttributes,
	}
	s.mu.Lock()
	_, dup := s.locs[id]
	if !dup {
		s.locs[id] = loc
	}
	s.mu.Unlock()
	if dup {
		http.Error(w, "location exists", http.StatusConflict)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(loc)
}
