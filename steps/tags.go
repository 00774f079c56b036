package steps

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	messages "github.com/cucumber/messages/go/v34"
)

// Tags with a meaning for the runner.
const (
	tagAdmin        = "@admin"
	tagTwoLocations = "@two-locations"
	tagXakiaProfile = "@xakia-profile"
	tagOktaProfile  = "@okta-profile"
	// tagXakiaRule marks a scenario whose checks are Xakia rules: judged in
	// the xakia profile only.
	tagXakiaRule = "@xakia"
)

// tagTerm is one tag or negated tag of a godog expression.
var tagTerm = regexp.MustCompile(`^~?@[A-Za-z0-9][A-Za-z0-9_.:-]*$`)

// profileExclusion is the tag expression term that removes the other
// profile's scenarios.
func profileExclusion(profile string) string {
	if profile == ProfileOkta {
		return "~" + tagXakiaProfile + " && ~" + tagXakiaRule
	}
	return "~" + tagOktaProfile
}

// buildTagExpr ANDs the profile's exclusion, the requirement exclusions
// (e.g. "~@admin") and the user's expression, in godog's tag syntax: terms
// joined by "&&", alternatives by ",", "~" for not, no parentheses. Since an
// expression is an OR of ANDs, the fixed terms are distributed over each
// alternative of the user's expression.
func buildTagExpr(profile, user string, exclusions []string) (string, error) {
	fixed := append([]string{profileExclusion(profile)}, exclusions...)
	user = strings.TrimSpace(user)
	if user == "" {
		return strings.Join(fixed, " && "), nil
	}
	var alts []string
	for _, alt := range strings.Split(user, ",") {
		terms := append([]string(nil), fixed...)
		for _, t := range strings.Split(alt, "&&") {
			t = strings.TrimSpace(t)
			if !tagTerm.MatchString(t) {
				if t == "" {
					return "", fmt.Errorf("tag expression %q has an empty term (a stray \",\" or \"&&\"?)", user)
				}
				return "", fmt.Errorf("tag expression %q: %q is not a tag; use godog syntax: @a && ~@b, with \",\" for or (no parentheses, no \"not\")", user, t)
			}
			terms = append(terms, t)
		}
		alts = append(alts, strings.Join(terms, " && "))
	}
	return strings.Join(alts, ","), nil
}

// matchTags evaluates a godog tag expression (as built by buildTagExpr) on a
// scenario's tags, with godog's semantics.
func matchTags(expr string, tags []string) bool {
	if strings.TrimSpace(expr) == "" {
		return true
	}
	has := map[string]bool{}
	for _, t := range tags {
		has[strings.TrimPrefix(t, "@")] = true
	}
	for _, alt := range strings.Split(expr, ",") {
		ok := true
		for _, t := range strings.Split(alt, "&&") {
			t = strings.ReplaceAll(strings.TrimSpace(t), "@", "")
			if neg, found := strings.CutPrefix(t, "~"); found {
				ok = ok && !has[neg]
			} else {
				ok = ok && has[t]
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// tagIDPrefix starts the tag that gives a scenario its stable id.
const tagIDPrefix = "@id:"

// scenarioID is a scenario's stable id from its tags: the value of its
// @id:<slug> tag, followed for an example row of a Scenario Outline by "/"
// and the slug of the row's first cell (row is "" for a plain scenario).
// It is "" when the scenario has no @id tag.
func scenarioID(tags []string, row string) string {
	id := ""
	for _, t := range tags {
		if v, ok := strings.CutPrefix(t, tagIDPrefix); ok {
			id = v
		}
	}
	if id == "" || row == "" {
		return id
	}
	return id + "/" + slug(row)
}

// slug lower-cases s and joins its runs of letters and digits with "-".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}

// exampleFirstCells maps the id of every example row of a document's
// Scenario Outlines to the value of its first cell.
func exampleFirstCells(doc *messages.GherkinDocument) map[string]string {
	out := map[string]string{}
	if doc == nil || doc.Feature == nil {
		return out
	}
	var scenarios []*messages.Scenario
	for _, c := range doc.Feature.Children {
		if c.Scenario != nil {
			scenarios = append(scenarios, c.Scenario)
		}
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				if rc.Scenario != nil {
					scenarios = append(scenarios, rc.Scenario)
				}
			}
		}
	}
	for _, sc := range scenarios {
		for _, ex := range sc.Examples {
			for _, row := range ex.TableBody {
				if len(row.Cells) > 0 {
					out[row.Id] = row.Cells[0].Value
				}
			}
		}
	}
	return out
}
