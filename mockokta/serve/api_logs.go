package serve

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xakia-okta/scimtest/mockokta/org"
)

// logEvent renders a provisioning log entry as an Okta System Log event.
// The event types follow Okta's application.provision family; the exact
// names of Okta's events are not modelled beyond that (see
// docs/mockokta-serve.md).
func (a *api) logEvent(e org.LogEntry, labels map[string]string) map[string]any {
	severity, result := "INFO", "SUCCESS"
	switch e.Outcome {
	case org.OutcomeFailure:
		severity, result = "ERROR", "FAILURE"
	case org.OutcomeRetry:
		severity, result = "WARN", "FAILURE"
	}
	eventType := "application.provision." + strings.ReplaceAll(string(e.Op), "-", "_")
	if e.PersonID != "" {
		eventType = "application.provision.user." + strings.ReplaceAll(string(e.Op), "-", "_")
	}
	targets := []map[string]any{{"id": e.AppID, "type": "AppInstance", "alternateId": labels[e.AppID], "displayName": labels[e.AppID]}}
	if e.PersonID != "" {
		targets = append(targets, map[string]any{"id": e.PersonID, "type": "User", "alternateId": e.Login, "displayName": e.Login})
	}
	debug := map[string]any{"outcome": e.Outcome}
	if e.TaskID != 0 {
		debug["taskId"] = strconv.FormatInt(e.TaskID, 10)
	}
	if e.SCIMID != "" {
		debug["scimId"] = e.SCIMID
	}
	if e.Status != 0 {
		debug["httpStatus"] = strconv.Itoa(e.Status)
	}
	if e.Authority != "" {
		debug["authority"] = string(e.Authority)
	}
	if len(e.Warnings) > 0 {
		debug["warnings"] = strings.Join(e.Warnings, "\n")
	}
	return map[string]any{
		"uuid":           fmt.Sprintf("mockokta-log-%d", e.Seq),
		"published":      oktaTime(e.Time),
		"eventType":      eventType,
		"version":        "0",
		"severity":       severity,
		"displayMessage": e.Message,
		"actor":          map[string]any{"id": "0oa_okta_system", "type": "SystemPrincipal", "alternateId": "system@okta.com", "displayName": "Okta System"},
		"outcome":        map[string]any{"result": result, "reason": e.Message},
		"target":         targets,
		"debugContext":   map[string]any{"debugData": debug},
	}
}

// listLogs is GET /api/v1/logs: the provisioning log as System Log events,
// oldest first (sortOrder=DESCENDING for newest first), with since, until,
// limit, after and q (a substring of the message).
func (a *api) listLogs(w http.ResponseWriter, r *http.Request) {
	limit, after, ok := paging(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	query := org.LogQuery{Limit: limit}
	if after != "" {
		n, err := strconv.ParseInt(after, 10, 64)
		if err != nil || n < 0 {
			writeError(w, r, http.StatusBadRequest, "E0000001", "Api validation failed: after", []string{"after: not a cursor of this log"})
			return
		}
		query.After = n
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &query.Since}, {"until", &query.Until}} {
		if s := q.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				writeError(w, r, http.StatusBadRequest, "E0000001", "Api validation failed: "+p.name, []string{p.name + ": not an ISO 8601 time"})
				return
			}
			*p.dst = t
		}
	}
	switch strings.ToUpper(q.Get("sortOrder")) {
	case "", "ASCENDING":
	case "DESCENDING":
		query.Descending = true
	default:
		writeError(w, r, http.StatusBadRequest, "E0000001", "Api validation failed: sortOrder", []string{"sortOrder: ASCENDING or DESCENDING"})
		return
	}
	page, err := a.org.LogPage(r.Context(), query)
	if err != nil {
		a.orgError(w, r, err, "Log", "")
		return
	}
	apps, err := a.org.Apps(r.Context())
	if err != nil {
		a.orgError(w, r, err, "App", "")
		return
	}
	labels := map[string]string{}
	for _, app := range apps {
		labels[app.ID] = app.Label
	}
	text := strings.ToLower(q.Get("q"))
	out := []map[string]any{}
	for _, e := range page.Items {
		if text != "" && !strings.Contains(strings.ToLower(e.Message), text) {
			continue
		}
		out = append(out, a.logEvent(e, labels))
	}
	a.writeLinks(w, r, page.Next, limit)
	writeJSON(w, http.StatusOK, out)
}
