package steps

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/tidwall/gjson"
)

// tagFilter marks the scenarios of features/filter.feature: they run only
// when the target's ServiceProviderConfig advertises filter.supported.
const tagFilter = "@filter"

// maxFilterPages bounds the pages one filter request may walk.
const maxFilterPages = 20

// filterPageSize is the count asked for on each page of a filter walk.
const filterPageSize = 200

// filterSteps are the steps of features/filter.feature. One value per
// scenario.
type filterSteps struct {
	w *World
	// filter is the last filter sent, expanded.
	filter string
	// found are the ids the last filter returned over every page.
	found map[string]bool
	// pages are the responses of the last filter walk.
	pages []*response
	// err is why the last walk stopped, if it did.
	err error
}

// registerFilter binds the steps of features/filter.feature.
func (w *World) registerFilter(sc stepper) {
	f := &filterSteps{w: w}
	const q = `"([^"]*)"`
	sc.Step(`^a client has created the users `+q+`, `+q+` and `+q+` for filtering$`, f.createUsers)
	sc.Step(`^a client filters the users with (.+)$`, f.filterUsers)
	sc.Step(`^the filter answers 200 and finds exactly `+q+` among this scenario's users$`, func(a string) error { return f.findsExactly(a) })
	sc.Step(`^the filter answers 200 and finds exactly `+q+` and `+q+` among this scenario's users$`, func(a, b string) error { return f.findsExactly(a, b) })
}

// filterUserTitles are the titles of the three filter users; the second has
// none, so that "title pr" tells them apart.
var filterUserTitles = []string{"Counsel", "", "Partner"}

// createUsers creates three users with userNames that sort in alias order
// and emails equal to their userNames.
func (f *filterSteps) createUsers(a, b, c string) error {
	w := f.w
	for i, alias := range []string{a, b, c} {
		u := w.userFor(alias)
		body := map[string]any{
			"schemas":    []string{schemaUser},
			"userName":   u.UserName,
			"name":       map[string]any{"givenName": u.Given, "familyName": u.Family},
			"emails":     []map[string]any{{"value": u.UserName, "type": "work", "primary": true}},
			"externalId": u.ExternalID,
			"active":     true,
		}
		if t := filterUserTitles[i]; t != "" {
			body["title"] = t
		}
		r, err := w.send(http.MethodPost, "/Users", mustJSON(body), reqOpts{})
		if err != nil {
			return err
		}
		if err := expectStatus(r, http.StatusCreated, http.StatusOK); err != nil {
			return fmt.Errorf("creating the filter user %q: %w", alias, err)
		}
		id := r.get("id").String()
		if id == "" {
			return fmt.Errorf("creating the filter user %q returned no id: %s", alias, r.describe())
		}
		w.adopt(u, id, r.JSON)
	}
	return nil
}

// prefixPlaceholder is the scenario's userName prefix in a filter.
var prefixPlaceholder = regexp.MustCompile(`\{prefix\}`)

// filterUsers sends the filter (placeholders expanded) and walks every page
// of the answer, bounded, collecting the ids.
func (f *filterSteps) filterUsers(filter string) error {
	w := f.w
	prefix := strings.TrimSuffix(w.userName(""), "@example.test")
	filter = prefixPlaceholder.ReplaceAllLiteralString(strings.TrimSpace(filter), prefix)
	filter, err := w.expand(filter)
	if err != nil {
		return err
	}
	f.filter, f.found, f.pages, f.err = filter, map[string]bool{}, nil, nil
	start := 1
	for page := 0; page < maxFilterPages; page++ {
		path := fmt.Sprintf("/Users?filter=%s&startIndex=%d&count=%d", url.QueryEscape(filter), start, filterPageSize)
		r, err := w.send(http.MethodGet, path, nil, reqOpts{})
		if err != nil {
			return err
		}
		f.pages = append(f.pages, r)
		if r.Status != http.StatusOK {
			return nil // judged by the Then step
		}
		items, err := listResources(r)
		if err != nil {
			f.err = err
			return nil
		}
		for _, it := range items {
			if id := it.Get("id").String(); id != "" {
				f.found[id] = true
			}
		}
		total := r.get("totalResults").Int()
		if len(items) == 0 || int64(start-1+len(items)) >= total {
			return nil
		}
		start += len(items)
	}
	return nil
}

// findsExactly checks that the filter answered 200 on every page and that,
// among this scenario's users, exactly the given aliases were found.
func (f *filterSteps) findsExactly(aliases ...string) error {
	w := f.w
	if len(f.pages) == 0 {
		return fmt.Errorf("no filter was sent")
	}
	last := f.pages[len(f.pages)-1]
	rule := "filter " + filterShape(f.filter)
	if last.Status != http.StatusOK {
		// One cause however many forms are refused: the server does not take
		// the filter grammar it advertises. Each scenario names its form.
		return &checkError{Rule: "filters of the RFC grammar are refused although ServiceProviderConfig advertises filtering",
			Msg: fmt.Sprintf("the filter %s was refused although ServiceProviderConfig advertises filtering: %s", f.filter, last.describe())}
	}
	if f.err != nil {
		return f.err
	}
	want := map[string]bool{}
	for _, a := range aliases {
		want[a] = true
	}
	var missing, extra []string
	for _, alias := range w.order {
		u := w.users[alias]
		if u == nil || u.ID == "" {
			continue
		}
		switch {
		case want[alias] && !f.found[u.ID]:
			missing = append(missing, alias)
		case !want[alias] && f.found[u.ID]:
			extra = append(extra, alias)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return nil
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return &checkError{Rule: rule, Msg: fmt.Sprintf("the filter %s should find %s among this scenario's users; it missed [%s] and wrongly found [%s]: %s",
		f.filter, strings.Join(aliases, " and "), strings.Join(missing, ", "), strings.Join(extra, ", "), last.describe())}
}

// filterShape is a filter with its literal values elided, naming the cause
// ("userName sw …"): the same operator failing in two scenarios is one
// finding.
func filterShape(filter string) string {
	return quotedValue.ReplaceAllString(filter, "…")
}

// quotedValue matches a quoted literal of a filter.
var quotedValue = regexp.MustCompile(`"[^"]*"`)

// spcUnsupported asks the target's ServiceProviderConfig whether it
// advertises a feature (e.g. "filter", "etag"); it returns why scenarios
// needing it cannot run, or "".
func (rs *runState) spcUnsupported(ctx context.Context, feature string) string {
	spc, why := rs.serviceProviderConfig(ctx)
	return unadvertised(spc, why, feature)
}

// unadvertised says why a feature cannot be relied on, given a fetched
// ServiceProviderConfig (or why it could not be fetched), or "".
func unadvertised(spc gjson.Result, fetchWhy, feature string) string {
	if fetchWhy != "" {
		return fetchWhy + ", so " + feature + " support is unknown"
	}
	if spc.Get(strings.ToLower(feature)+".supported").Type != gjson.True {
		return fmt.Sprintf("the target's ServiceProviderConfig does not advertise %s.supported: true", feature)
	}
	return ""
}
