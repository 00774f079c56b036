package steps

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// adminItems returns the items of an admin list answer, which may be a bare
// array or an object holding one ("locations", "users", "Resources").
func adminItems(r *response) []gjson.Result {
	if r.JSON.IsArray() {
		return r.JSON.Array()
	}
	for _, k := range []string{"locations", "users", "resources", "items"} {
		if v := r.JSON.Get(k); v.IsArray() {
			return v.Array()
		}
	}
	return nil
}

// resolveLocationIDs finds the admin ids of the configured locations by
// their SCIM base URI (falling back to the last path segment).
func (rs *runState) resolveLocationIDs(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, rs.requestTimeout())
	defer cancel()
	res, err := rs.client().R().SetContext(ctx).
		SetHeader("Authorization", "Bearer "+rs.adminTok).
		SetHeader("Accept", "application/json").
		Get(rs.adminURL + "/admin/api/locations")
	if err != nil {
		return fmt.Errorf("unreachable: GET /admin/api/locations: %w", err)
	}
	if res.StatusCode() != http.StatusOK {
		return fmt.Errorf("GET /admin/api/locations answered %d; check %s", res.StatusCode(), EnvAdminToken)
	}
	r := newResponse(http.MethodGet, "/admin/api/locations", res.StatusCode(), res.Header(), res.Body(), 0)
	for _, loc := range []*location{&rs.first, &rs.second} {
		if loc.BaseURL == "" {
			continue
		}
		for _, it := range adminItems(r) {
			if strings.TrimRight(it.Get("scimbaseuri").String(), "/") == loc.BaseURL {
				loc.ID = it.Get("id").String()
			}
		}
		if loc.ID == "" {
			loc.ID = loc.BaseURL[strings.LastIndex(loc.BaseURL, "/")+1:]
		}
	}
	return nil
}

// admin sends a request to the admin API (recorded like every exchange).
func (w *World) admin(method, path string, body any) (*response, error) {
	if w.run.adminURL == "" {
		return nil, fmt.Errorf("this step needs the admin API (%s)", EnvAdminURL)
	}
	if method != http.MethodGet {
		w.forgetReads()
	}
	req := w.client.R().
		SetContext(w.ctx).
		SetHeader("Accept", "application/json").
		SetHeader("Authorization", "Bearer "+w.run.adminTok)
	if body != nil {
		req.SetHeader("Content-Type", "application/json").SetBody(mustJSON(body))
	}
	start := time.Now()
	res, err := req.Execute(method, w.run.adminURL+path)
	if err != nil {
		return nil, fmt.Errorf("admin API: %w", w.requestFailed(method, w.run.adminURL+path, err))
	}
	return newResponse(method, path, res.StatusCode(), res.Header(), res.Body(), time.Since(start)), nil
}

// adminUser returns the admin view of a user (SCIM attributes plus
// invitation, signIn, canSignIn, deleted), keys lower-cased.
func (w *World) adminUser(u *user) (gjson.Result, error) {
	// One user by id; an admin API without that endpoint (404/405 with a
	// non-JSON-object body) is read through the whole list instead.
	r, err := w.admin(http.MethodGet, "/admin/api/locations/"+u.Loc.ID+"/users/"+url.PathEscape(u.ID), nil)
	if err != nil {
		return gjson.Result{}, err
	}
	if r.Status == http.StatusOK {
		if r.JSON.IsObject() && r.JSON.Get("id").String() == u.ID {
			return r.JSON, nil
		}
	}
	if r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed && r.Status != http.StatusOK {
		return gjson.Result{}, fmt.Errorf("admin user: %s", r.describe())
	}
	r, err = w.admin(http.MethodGet, "/admin/api/locations/"+u.Loc.ID+"/users", nil)
	if err != nil {
		return gjson.Result{}, err
	}
	if r.Status != http.StatusOK {
		return gjson.Result{}, fmt.Errorf("admin user list: %s", r.describe())
	}
	for _, it := range adminItems(r) {
		if it.Get("id").String() == u.ID {
			return it, nil
		}
	}
	return gjson.Result{}, fmt.Errorf("the admin API does not list the user %q (id %s) in location %s: the user is not a member of the location", u.Alias, u.ID, u.Loc.ID)
}

// createLocation creates a fresh location through the admin API, in the
// same query-attributes mode as the first one, and makes it current.
func (w *World) createLocation() error {
	mode := "limited"
	if _, ok := w.run.manifest.QueryAttributes(); !ok {
		mode = "full"
	}
	return w.createLocationIn(mode)
}

// minKeyLength is the shortest acceptable API key: 32 bytes of entropy
// take at least 32 characters in any printable encoding.
const minKeyLength = 32

// createLocationIn creates a location in the given query-attributes mode
// through the admin API and makes it current.
func (w *World) createLocationIn(mode string) error {
	name := fmt.Sprintf("ct%s-s%d", w.run.runID, w.seq)
	r, err := w.admin(http.MethodPost, "/admin/api/locations", map[string]any{"name": name, "queryAttributes": mode})
	if err != nil {
		return err
	}
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		return fmt.Errorf("creating a location through the admin API: %s", r.describe())
	}
	loc := location{
		Label:   "new",
		ID:      r.get("id").String(),
		BaseURL: strings.TrimRight(r.get("scimBaseUri").String(), "/"),
		APIKey:  r.get("apiKey").String(),
	}
	if loc.ID == "" || loc.BaseURL == "" || loc.APIKey == "" {
		return fmt.Errorf("the admin API's new location lacks id, scimBaseUri or apiKey: %s", r.describe())
	}
	w.run.learn(loc.APIKey)
	w.rec.AddSecret(loc.APIKey)
	if len(loc.APIKey) < minKeyLength {
		return fmt.Errorf("the new location's API key has %d characters; keys need at least 32 bytes of entropy", len(loc.APIKey))
	}
	w.locs["new"] = loc
	w.loc = loc
	return nil
}

// rotateKey generates a new API key for the current location.
func (w *World) rotateKey() error {
	if w.loc.ID == "" {
		return fmt.Errorf("the current location has no admin id")
	}
	r, err := w.admin(http.MethodPost, "/admin/api/locations/"+w.loc.ID+"/api-key", nil)
	if err != nil {
		return err
	}
	if r.Status != http.StatusOK && r.Status != http.StatusCreated {
		return fmt.Errorf("rotating the API key: %s", r.describe())
	}
	key := r.get("apiKey").String()
	if key == "" {
		return fmt.Errorf("the admin API's key rotation returned no apiKey: %s", r.describe())
	}
	w.run.learn(key)
	w.rec.AddSecret(key)
	if key == w.loc.APIKey {
		return fmt.Errorf("the admin API's key rotation returned the old key")
	}
	if len(key) < minKeyLength {
		return fmt.Errorf("the generated API key has %d characters; keys need at least 32 bytes of entropy", len(key))
	}
	w.oldKey = w.loc.APIKey
	w.loc.APIKey = key
	w.locs[w.loc.Label] = w.loc
	return nil
}

// setQueryMode switches the current location's query attributes through
// the admin API.
func (w *World) setQueryMode(mode string) error {
	if w.loc.ID == "" {
		return fmt.Errorf("the current location has no admin id")
	}
	r, err := w.admin(http.MethodPatch, "/admin/api/locations/"+w.loc.ID, map[string]any{"queryAttributes": mode})
	if err != nil {
		return err
	}
	w.adminResp = r
	if r.Status != http.StatusOK {
		return fmt.Errorf("switching the location to %s query attributes: %s", mode, r.describe())
	}
	if got := r.get("queryAttributes").String(); got != mode {
		return fmt.Errorf("the admin API answered queryAttributes %q after switching to %q", got, mode)
	}
	return nil
}

// storedList is what an admin list read saw: the answer, or why there is
// none (reported by the Then step that needed it).
type storedList struct {
	resp *response
	err  error
}

// forgetReads drops every read-back: a write made them stale.
func (w *World) forgetReads() {
	w.stored, w.adminSeen, w.adminList = nil, nil, nil
}

// adminLooksAt is the When step that reads a user's admin view for the
// Then steps after it; a read that goes wrong is reported by the check
// that needed it.
func (w *World) adminLooksAt(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	doc, err := w.adminUser(u)
	if w.adminSeen == nil {
		w.adminSeen = map[string]storedRead{}
	}
	w.adminSeen[alias] = storedRead{doc: doc, err: err}
	return nil
}

// adminSeenOf returns the admin view of a user read since the last write.
func (w *World) adminSeenOf(alias string) (gjson.Result, error) {
	s, ok := w.adminSeen[alias]
	if !ok {
		return gjson.Result{}, fmt.Errorf("the admin view of %q was not read since the last write (a When step \"an admin looks at the user %q\" must come before this check)", alias, alias)
	}
	return s.doc, s.err
}

// adminListsUsers is the When step that reads the admin user list of the
// current location for the Then steps after it.
func (w *World) adminListsUsers() error {
	if w.loc.ID == "" {
		return fmt.Errorf("the current location has no admin id")
	}
	r, err := w.admin(http.MethodGet, "/admin/api/locations/"+w.loc.ID+"/users", nil)
	w.adminList = &storedList{resp: r, err: err}
	return nil
}
