// Package barescim is the ceiling of the load benchmarks: the least a SCIM
// server can do to answer an Okta bulk assignment. It answers Okta's
// userName lookup (GET /Users?filter=…) with an empty ListResponse and
// Okta's create (POST /Users) with 201 and a small user carrying a fresh
// id, without storing, validating or authenticating anything.
//
// Whatever rate the mock Okta's load engine reaches against this handler
// on a machine is the most it can reach against any server there; a real
// server's rate divided by it is the fraction of the machine the server
// leaves to its clients.
package barescim

import (
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
)

// emptyList is the answer to every GET: no user matches.
const emptyList = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`

// Handler answers Okta's lookup and create. It is safe for concurrent use;
// ids are "bare-1", "bare-2", … in the order the POSTs arrive.
type Handler struct {
	next atomic.Int64
}

// ServeHTTP answers GET with an empty ListResponse and POST with 201 and a
// user whose id is new; other methods get 405. Request bodies are drained
// so that connections are reused.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/scim+json; charset=utf-8")
	switch r.Method {
	case http.MethodGet:
		_, _ = io.WriteString(w, emptyList)
	case http.MethodPost:
		id := strconv.FormatInt(h.next.Add(1), 10)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"bare-`+id+`","active":true}`)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// Created returns how many users were "created" so far.
func (h *Handler) Created() int64 { return h.next.Load() }
