package mockokta

import (
	"context"
	"fmt"
	"net/http"
)

// TestConnection replays Okta's "Test API Credentials": GET
// {base}/Users?startIndex=1&count=2, then GET {base}/Groups?startIndex=1&count=100.
// The Users call must answer 200 with a ListResponse whose paging fields are
// integers. The Groups call is judged the same way only when the app has
// group features (App.Groups); otherwise its failure is advice, reported as
// a warning, because Okta calls Groups optional for an app without them.
func (o *Okta) TestConnection(ctx context.Context) TaskResult {
	return o.retrying(ctx, func() TaskResult { return o.testConnection(ctx) })
}

func (o *Okta) testConnection(ctx context.Context) TaskResult {
	t := o.newTask(ctx, OpTestConnection, nil)
	for _, step := range []struct {
		path, query string
		judged      bool
	}{
		{"/Users", "startIndex=1&count=2", true},
		{"/Groups", "startIndex=1&count=100", o.app.Groups},
	} {
		resp, err := t.s.do(ctx, http.MethodGet, step.path, step.query, nil)
		if err != nil {
			return t.failMsg(err, fmt.Sprintf("Could not verify app %s: %s", o.app.Name, errDetail(err)))
		}
		problem := ""
		switch {
		case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
			return t.failMsg(nil, fmt.Sprintf("Error authenticating: %s (GET %s answered %d); check the SCIM API Key of app %s",
				httpDetail(resp), step.path, resp.Status, o.app.Name))
		case resp.Status != http.StatusOK:
			problem = fmt.Sprintf("GET %s: %s", step.path, httpDetail(resp))
		default:
			if _, err := parseList(resp.Body); err != nil {
				problem = fmt.Sprintf("GET %s did not answer a valid SCIM ListResponse: %v", step.path, err)
			}
		}
		if problem == "" {
			continue
		}
		if step.judged {
			return t.failMsg(nil, fmt.Sprintf("Could not verify app %s: %s", o.app.Name, problem))
		}
		t.finding(AuthorityAdvice, "docs/okta-wire.md#test-connection",
			"%s; app %s has no group features, so Okta does not need /Groups (it would matter with group push or import)", problem, o.app.Name)
	}
	return t.done("App %s was verified successfully!", o.app.Name)
}
