package mockokta

import (
	"context"
	"fmt"
	"net/http"
)

// TestConnection replays Okta's "Test API Credentials": GET
// {base}/Users?startIndex=1&count=2, then GET {base}/Groups?startIndex=1&count=100.
// Both must answer 200 with a ListResponse whose paging fields are integers.
func (o *Okta) TestConnection(ctx context.Context) TaskResult {
	t := o.newTask(ctx, OpTestConnection, nil)
	for _, step := range []struct{ path, query string }{
		{"/Users", "startIndex=1&count=2"},
		{"/Groups", "startIndex=1&count=100"},
	} {
		resp, err := t.s.do(ctx, http.MethodGet, step.path, step.query, nil)
		if err != nil {
			return t.failMsg(err, fmt.Sprintf("Could not verify app %s: %s", o.app.Name, errDetail(err)))
		}
		switch {
		case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
			return t.failMsg(nil, fmt.Sprintf("Error authenticating: %s (GET %s answered %d); check the SCIM API Key of app %s",
				httpDetail(resp), step.path, resp.Status, o.app.Name))
		case resp.Status != http.StatusOK:
			return t.failMsg(nil, fmt.Sprintf("Could not verify app %s: GET %s: %s", o.app.Name, step.path, httpDetail(resp)))
		}
		if _, err := parseList(resp.Body); err != nil {
			return t.failMsg(nil, fmt.Sprintf("Could not verify app %s: GET %s did not answer a valid SCIM ListResponse: %v", o.app.Name, step.path, err))
		}
	}
	return t.done("App %s was verified successfully!", o.app.Name)
}
