package reports

import (
	"fmt"
	"sort"
	"strings"
)

// Step kinds, from the Gherkin keyword of the step (And/But inherit).
const (
	KindContext = "context" // Given
	KindAction  = "action"  // When
	KindOutcome = "outcome" // Then
)

// GroupFindings turns the failed steps of run's scenarios into distinct
// findings, one per cause (Step.Rule), and marks each failed scenario:
//   - a scenario whose failing step is an outcome (a Then: what its title
//     asserts) fails on the finding;
//   - a scenario whose precondition (a Given or When) failed on a cause that
//     some scenario's outcome reports is blocked by that finding;
//   - a precondition failure no outcome reports is a finding of its own, so
//     no cause is ever hidden.
//
// Advice-level remarks (Step.Warning) become run.Warnings. GroupFindings
// returns the updated run; it is idempotent.
func GroupFindings(run Run) Run {
	run.Scenarios = append([]Scenario(nil), run.Scenarios...)
	type failure struct {
		sc   int
		step int
	}
	byRule := map[string]*Finding{}
	var order []string
	owners := map[string]bool{}
	var fails []failure
	for i := range run.Scenarios {
		sc := &run.Scenarios[i]
		sc.Findings, sc.Warnings = nil, nil
		sc.Steps = append([]Step(nil), sc.Steps...)
		if sc.Status != StatusFail && sc.Status != StatusBlocked {
			continue
		}
		j := firstFailed(*sc)
		if j < 0 {
			continue // failed without a failed step (e.g. no step ran): stays a bare failure
		}
		st := &sc.Steps[j]
		if st.Rule == "" {
			st.Rule = "step: " + StripAnnotation(st.Text)
		}
		if st.Authority == "" {
			// A failure the steps did not judge (a hook, an undefined step):
			// the suite's own problem, never presented as the target's.
			st.Authority = "engine"
		}
		f, ok := byRule[st.Rule]
		if !ok {
			f = &Finding{Authority: st.Authority, Cite: st.Cite, Rule: st.Rule, Message: st.Error}
			byRule[st.Rule] = f
			order = append(order, st.Rule)
		}
		if (st.Kind == KindOutcome || st.Kind == "") && !owners[st.Rule] {
			owners[st.Rule] = true
			// The scenario that asserts the rule speaks for it.
			f.Authority, f.Cite, f.Message = st.Authority, st.Cite, st.Error
		}
		fails = append(fails, failure{i, j})
	}
	// A precondition-only cause is owned by its first scenario.
	for _, fl := range fails {
		st := run.Scenarios[fl.sc].Steps[fl.step]
		if !owners[st.Rule] {
			owners[st.Rule] = true
			run.Scenarios[fl.sc].Steps[fl.step].Kind = KindOutcome
		}
	}
	// Number the findings by first appearance.
	for n, rule := range order {
		byRule[rule].ID = fmt.Sprintf("F%d", n+1)
	}
	for _, fl := range fails {
		sc := &run.Scenarios[fl.sc]
		st := &sc.Steps[fl.step]
		f := byRule[st.Rule]
		st.Finding = f.ID
		sc.Findings = []string{f.ID}
		title := sc.Feature + " / " + sc.Name
		if st.Kind == KindOutcome {
			sc.Status = StatusFail
			f.Scenarios = append(f.Scenarios, title)
		} else {
			sc.Status = StatusBlocked
			sc.Reason = fmt.Sprintf("blocked by %s (%s): %s", f.ID, f.Rule, st.Text)
			f.Blocked = append(f.Blocked, title)
		}
	}
	run.Findings = run.Findings[:0:0]
	for _, rule := range order {
		run.Findings = append(run.Findings, *byRule[rule])
	}
	// Warnings, grouped the same way.
	warn := map[string]*Finding{}
	var worder []string
	for i := range run.Scenarios {
		sc := &run.Scenarios[i]
		for _, st := range sc.Steps {
			if st.Warning == "" {
				continue
			}
			rule := st.Rule
			if rule == "" {
				rule = "step: " + StripAnnotation(st.Text)
			}
			f, ok := warn[rule]
			if !ok {
				f = &Finding{ID: fmt.Sprintf("W%d", len(worder)+1), Authority: AuthorityAdvice, Cite: st.Cite, Rule: rule, Message: st.Warning}
				warn[rule] = f
				worder = append(worder, rule)
			}
			title := sc.Feature + " / " + sc.Name
			if n := len(f.Scenarios); n == 0 || f.Scenarios[n-1] != title {
				f.Scenarios = append(f.Scenarios, title)
				sc.Warnings = append(sc.Warnings, f.ID)
			}
		}
	}
	run.Warnings = run.Warnings[:0:0]
	for _, rule := range worder {
		run.Warnings = append(run.Warnings, *warn[rule])
	}
	return run
}

// firstFailed returns the index of the first failed step, or -1.
func firstFailed(sc Scenario) int {
	for j, st := range sc.Steps {
		if st.Status == "failed" || st.Status == "undefined" || st.Status == "pending" || st.Status == "ambiguous" {
			return j
		}
	}
	return -1
}

// StripAnnotation removes a trailing authority annotation such as
// " [rfc: RFC 7644 §3.3]" from a step text.
func StripAnnotation(text string) string {
	t := strings.TrimRight(text, " ")
	if strings.HasSuffix(t, "]") {
		if i := strings.LastIndex(t, " ["); i >= 0 {
			inner := t[i+2 : len(t)-1]
			word, _, _ := strings.Cut(inner, ":")
			switch strings.TrimSpace(word) {
			case AuthorityOkta, AuthorityRFC, AuthorityXakia, AuthorityAdvice:
				return strings.TrimRight(t[:i], " ")
			}
		}
	}
	return text
}

// FindingCounts tallies run.Findings by authority, in a fixed order.
func FindingCounts(run Run) map[string]int {
	out := map[string]int{}
	for _, f := range run.Findings {
		out[f.Authority]++
	}
	return out
}

// findingsPhrase is e.g. "2 okta, 1 rfc findings".
func findingsPhrase(run Run) string {
	c := FindingCounts(run)
	var parts []string
	for _, a := range []string{AuthorityOkta, AuthorityRFC, AuthorityXakia} {
		if c[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[a], a))
		}
	}
	var others []string
	for a := range c {
		if a != AuthorityOkta && a != AuthorityRFC && a != AuthorityXakia {
			others = append(others, a)
		}
	}
	sort.Strings(others)
	for _, a := range others {
		parts = append(parts, fmt.Sprintf("%d %s", c[a], a))
	}
	word := "findings"
	if len(run.Findings) == 1 {
		word = "finding"
	}
	return strings.Join(parts, ", ") + " " + word
}
