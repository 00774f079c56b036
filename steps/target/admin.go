package target

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/testcontainers/testcontainers-go"
)

// Location is a location created through the admin API.
type Location struct {
	ID              string
	Name            string
	BaseURL         string // the SCIM base URL (the admin API's scimBaseUri)
	APIKey          string
	QueryAttributes string
}

// CreateLocation creates a location through a reference-compatible admin API
// (POST {adminURL}/admin/api/locations) and returns it. The answered
// scimBaseUri must be on adminURL's origin: a server that advertises another
// origin is misconfigured (its public URL) and is reported as such.
func CreateLocation(ctx context.Context, client *resty.Client, adminURL, token, name, queryAttributes string) (Location, error) {
	endpoint := strings.TrimRight(adminURL, "/") + "/admin/api/locations"
	resp, err := client.R().SetContext(ctx).
		SetHeader("Authorization", "Bearer "+token).
		SetHeader("Content-Type", "application/json").
		SetHeader("Accept", "application/json").
		SetBody(map[string]string{"name": name, "queryAttributes": queryAttributes}).
		Post(endpoint)
	if err != nil {
		return Location{}, fmt.Errorf("target: create location %q: %w", name, err)
	}
	raw := resp.Body()
	if resp.StatusCode() != http.StatusCreated && resp.StatusCode() != http.StatusOK {
		return Location{}, fmt.Errorf("target: create location %q: POST %s answered %s: %s",
			name, endpoint, resp.Status(), firstLine(redactKeys(string(raw))))
	}
	var got struct {
		ID              string `json:"id"`
		Name            string `json:"name"`
		ScimBaseURI     string `json:"scimBaseUri"`
		APIKey          string `json:"apiKey"`
		QueryAttributes string `json:"queryAttributes"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		return Location{}, fmt.Errorf("target: create location %q: answer is not the expected JSON: %w", name, err)
	}
	if got.ID == "" || got.APIKey == "" {
		return Location{}, fmt.Errorf("target: create location %q: answer lacks id or apiKey", name)
	}
	base, err := baseURL(adminURL, got.ScimBaseURI, got.ID)
	if err != nil {
		return Location{}, fmt.Errorf("target: create location %q: %w", name, err)
	}
	return Location{ID: got.ID, Name: got.Name, BaseURL: base, APIKey: got.APIKey, QueryAttributes: got.QueryAttributes}, nil
}

// baseURL returns the advertised SCIM base URL after checking it lives on the
// admin origin; an empty one falls back to {origin}/scim/v2/{id}.
func baseURL(adminURL, advertised, id string) (string, error) {
	origin := strings.TrimRight(adminURL, "/")
	if advertised == "" {
		return origin + "/scim/v2/" + url.PathEscape(id), nil
	}
	a, err := url.Parse(advertised)
	if err != nil {
		return "", fmt.Errorf("scimBaseUri %q: %w", advertised, err)
	}
	o, err := url.Parse(origin)
	if err != nil {
		return "", fmt.Errorf("admin URL %q: %w", adminURL, err)
	}
	if a.Scheme != o.Scheme || a.Host != o.Host {
		return "", fmt.Errorf("scimBaseUri %q is not on %s: does the server honour XAKIA_PUBLIC_URL?", advertised, origin)
	}
	return advertised, nil
}

// waitReady polls GET {origin}/healthz until it answers 200, the container
// exits, or the timeout passes.
func waitReady(ctx context.Context, client *resty.Client, c testcontainers.Container, origin string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last string
	for attempt := 0; ; attempt++ {
		if last = probe(ctx, client, origin+"/healthz"); last == "" {
			return nil
		}
		if attempt%10 == 9 { // about once a second: did it die?
			if st, err := c.State(ctx); err == nil && !st.Running {
				logs, _ := containerLogs(context.WithoutCancel(ctx), c)
				return fmt.Errorf("target: %w: container %s exited with code %d before GET /healthz answered 200; its output:\n%s",
					ErrNotReady, shortID(c.GetContainerID()), st.ExitCode, tail(logs, 30))
			}
		}
		select {
		case <-ctx.Done():
			logs, _ := containerLogs(context.WithoutCancel(ctx), c)
			return fmt.Errorf("target: %w within %s: GET %s/healthz: %s; container output:\n%s",
				ErrNotReady, timeout, origin, last, tail(logs, 30))
		case <-tick.C:
		}
	}
}

// probe returns "" when GET url answers 200, else what happened.
func probe(ctx context.Context, client *resty.Client, u string) string {
	resp, err := client.R().SetContext(ctx).Get(u)
	if err != nil {
		return err.Error()
	}
	if resp.StatusCode() != http.StatusOK {
		return resp.Status()
	}
	return ""
}

// containerLogs reads the container's output with secret-looking lines redacted.
func containerLogs(ctx context.Context, c testcontainers.Container) (string, error) {
	rc, err := c.Logs(ctx)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil && !errors.Is(err, io.EOF) {
		return redactKeys(string(raw)), err
	}
	return redactKeys(string(raw)), nil
}

// redactKeys replaces every line that mentions a key or a token: the reference
// prints the default location's API key once at first start.
func redactKeys(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		low := strings.ToLower(l)
		if strings.Contains(low, "key") || strings.Contains(low, "token") {
			lines[i] = "[line redacted: may hold a secret]"
		}
	}
	return strings.Join(lines, "\n")
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
