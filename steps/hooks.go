package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cucumber/godog"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/reports"
)

// afterStep records a step's outcome and HTTP exchanges, and attaches the
// exchanges (already redacted by the recorder) to cucumber.json.
func (w *World) afterStep(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) context.Context {
	ex := w.rec.Take()
	s := reports.Step{Text: st.Text, Status: status.String(), Exchanges: ex, Kind: w.cur.kind,
		Warning: w.cur.warning, Note: w.cur.note, Rule: w.cur.rule}
	if status != godog.StepSkipped {
		// Browser scenarios: the page the step left, kept as a PNG.
		s.Screenshot = w.screenshot(len(w.steps)+1, st.Text)
	}
	if w.cur.warning != "" || w.cur.note != "" {
		s.Authority, s.Cite = string(mockokta.AuthorityAdvice), w.cur.cite
		if w.cur.note != "" {
			s.Authority = string(mockokta.AuthorityXakia)
		}
	}
	if err != nil && status != godog.StepSkipped {
		s.Error = err.Error()
		if f := w.cur.failure; f != nil {
			s.Authority, s.Cite, s.Rule = string(f.Authority), f.Cite, f.Rule
		} else {
			// An undefined or pending step, or a panic: the suite's own fault.
			s.Authority, s.Rule = "engine", "engine: "+err.Error()
		}
	}
	w.cur = stepMeta{}
	switch status {
	case godog.StepPassed, godog.StepSkipped:
	default:
		w.failed = true
	}
	w.steps = append(w.steps, s)
	if len(ex) > 0 {
		if b, jerr := json.Marshal(attachable(ex)); jerr == nil {
			ctx = godog.Attach(ctx, godog.Attachment{Body: b, FileName: "http-exchanges.json", MediaType: "application/json"})
		}
	}
	if s.Screenshot != "" {
		// A link, not the PNG: cucumber.json stays small.
		ctx = godog.Attach(ctx, godog.Attachment{Body: []byte(s.Screenshot + "\n"), FileName: "screenshot", MediaType: "text/uri-list"})
	}
	return ctx
}

// maxAttachedBody is how much of each body goes into cucumber.json; the
// HAR traces keep what the recorder kept.
const maxAttachedBody = 8 << 10

// attachable returns copies of exchanges with bodies cut for cucumber.json.
func attachable(ex []reports.Exchange) []reports.Exchange {
	out := make([]reports.Exchange, len(ex))
	for i, e := range ex {
		e.RequestBody = cutBody(e.RequestBody)
		e.ResponseBody = cutBody(e.ResponseBody)
		out[i] = e
	}
	return out
}

func cutBody(b []byte) []byte {
	if len(b) <= maxAttachedBody {
		return b
	}
	return append(append([]byte(nil), b[:maxAttachedBody]...), fmt.Sprintf("… [%d bytes cut; see the HAR trace]", len(b)-maxAttachedBody)...)
}

// outcome turns the recorded steps into the scenario's report entry.
func (w *World) outcome(feature string) reports.Scenario {
	sc := reports.Scenario{Feature: feature, Steps: w.steps}
	if w.scenario != nil {
		sc.Name = w.scenario.Name
		for _, t := range w.scenario.Tags {
			sc.Tags = append(sc.Tags, t.Name)
		}
	}
	switch {
	case w.stopped != "":
		// The run was interrupted or hit its deadline before or while this
		// scenario ran: nothing it saw is judged, and it never passes.
		sc.Status, sc.Reason = reports.StatusNotRun, w.stopped
	case w.failed || len(w.steps) == 0:
		sc.Status = reports.StatusFail
		for _, s := range w.steps {
			if s.Status != "passed" && s.Status != "skipped" {
				reason := s.Error
				if reason == "" {
					reason = "step " + s.Status
				}
				sc.Reason = fmt.Sprintf("%s: %s", s.Text, reason)
				break
			}
		}
		if len(w.steps) == 0 {
			sc.Reason = "no step ran"
		}
	case len(w.deviations) > 0:
		sc.Status = reports.StatusDeviation
		var parts []string
		for _, h := range uniqueHits(w.deviations) {
			parts = append(parts, fmt.Sprintf("declared deviation %s observed as declared; %s", h.ID, h.Impact))
		}
		sc.Reason = strings.Join(parts, "; ")
	default:
		sc.Status = reports.StatusPass
	}
	return sc
}

// cleanup deactivates the users the scenario created, without recording:
// cleanup is not part of what is judged.
func (w *World) cleanup(ctx context.Context) {
	// Okta's own deactivation (the OIN no-path PATCH).
	body := mockokta.PatchActiveBody(false)
	for _, u := range w.created {
		if ctx.Err() != nil {
			return
		}
		if u.ID == "" {
			continue
		}
		_, _ = w.client.R().SetContext(ctx).
			SetHeader("Accept", mediaSCIM).
			SetHeader("Content-Type", mediaSCIM).
			SetHeader("Authorization", "Bearer "+w.currentKey(u.Loc)).
			SetBody(body).
			Patch(u.Loc.BaseURL + "/Users/" + u.ID)
	}
	_ = w.rec.Take()
}

// currentKey returns the key in force for a location (a rotation in this
// scenario may have replaced it).
func (w *World) currentKey(l location) string {
	for _, known := range w.locs {
		if known.BaseURL == l.BaseURL {
			return known.APIKey
		}
	}
	return l.APIKey
}
