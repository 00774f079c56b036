package steps

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/cucumber/godog"

	"github.com/xakia-okta/scimtest/mockokta"
	"github.com/xakia-okta/scimtest/reports"
)

// Authority tags: on a feature or a scenario, the authority of its checks
// unless a step's annotation says otherwise.
var authorityTags = map[string]mockokta.Authority{
	"@okta":   mockokta.AuthorityOkta,
	"@rfc":    mockokta.AuthorityRFC,
	"@xakia":  mockokta.AuthorityXakia,
	"@advice": mockokta.AuthorityAdvice,
}

// defaultCites is the citation of a check that has none of its own: by the
// feature's tag, then by authority. Annotations on steps are more precise.
var defaultCites = map[string]map[mockokta.Authority]string{
	"@connection": {mockokta.AuthorityOkta: "docs/okta-wire.md#test-connection", mockokta.AuthorityXakia: "docs/behaviour.md §1–§2", mockokta.AuthorityRFC: "RFC 7644 §3.12"},
	"@create":     {mockokta.AuthorityOkta: "docs/okta-wire.md#create", mockokta.AuthorityXakia: "docs/behaviour.md §3", mockokta.AuthorityRFC: "RFC 7644 §3.3"},
	"@deactivate": {mockokta.AuthorityOkta: "docs/okta-wire.md#deactivate", mockokta.AuthorityXakia: "docs/behaviour.md §6", mockokta.AuthorityRFC: "RFC 7644 §3.6"},
	"@errors":     {mockokta.AuthorityRFC: "RFC 7644 §3.12", mockokta.AuthorityXakia: "docs/behaviour.md §9"},
	"@filter":     {mockokta.AuthorityRFC: "RFC 7644 §3.4.2.2"},
	"@invite":     {mockokta.AuthorityXakia: "docs/behaviour.md §4"},
	"@isolation":  {mockokta.AuthorityXakia: "docs/behaviour.md §1"},
	"@signin":     {mockokta.AuthorityXakia: "docs/behaviour.md §4, §6"},
	"@okta-crud":  {mockokta.AuthorityOkta: "docs/okta-wire.md", mockokta.AuthorityXakia: "docs/behaviour.md §4–§6"},
	"@okta-spec":  {mockokta.AuthorityOkta: "docs/okta-wire.md", mockokta.AuthorityAdvice: "docs/okta-wire.md"},
	"@query":      {mockokta.AuthorityOkta: "docs/okta-wire.md#import", mockokta.AuthorityXakia: "docs/behaviour.md §7–§8", mockokta.AuthorityRFC: "RFC 7644 §3.4.2"},
	"@update":     {mockokta.AuthorityRFC: "RFC 7644 §3.5", mockokta.AuthorityOkta: "docs/okta-wire.md#profile-update", mockokta.AuthorityXakia: "docs/behaviour.md §5"},
}

// defaultCite is the citation for a check of authority a in a scenario with
// these tags, or "".
func defaultCite(tags []string, a mockokta.Authority) string {
	for _, t := range tags {
		if c := defaultCites[t][a]; c != "" {
			return c
		}
	}
	return ""
}

// annotationExpr is the optional authority annotation at the end of a step,
// e.g. ` [rfc: RFC 7644 §3.3]` or ` [advice]`; it never captures, so step
// functions keep their arguments.
const annotationExpr = `(?:\s+\[(?:okta|rfc|xakia|advice)(?::[^\]]*)?\])?`

// annotationRE parses an annotation: the authority and the citation.
var annotationRE = regexp.MustCompile(`\s+\[(okta|rfc|xakia|advice)(?::\s*([^\]]*))?\]\s*$`)

// parseAnnotation returns the authority and citation of a step text's
// annotation, if it has one.
func parseAnnotation(text string) (mockokta.Authority, string, bool) {
	m := annotationRE.FindStringSubmatch(text)
	if m == nil {
		return "", "", false
	}
	return mockokta.Authority(m[1]), strings.TrimSpace(m[2]), true
}

// checkError is a failed check: what was wrong, who backs it and which
// cause it is (the key that groups the same cause across scenarios).
type checkError struct {
	Authority mockokta.Authority // empty: the step's authority
	Cite      string             // empty: the step's citation
	Rule      string             // empty: the step's text
	Msg       string
	// Precondition marks a failure that stops the check without being what
	// the step asserts (e.g. an error body's shape inside "is a SCIM error
	// with status 400"): the scenario is blocked by the finding of the
	// scenario that asserts it.
	Precondition bool
}

func (e *checkError) Error() string { return e.Msg }

// finding builds a checkError with an explicit cause and authority.
func finding(auth mockokta.Authority, cite, rule, format string, a ...any) error {
	return &checkError{Authority: auth, Cite: cite, Rule: rule, Msg: fmt.Sprintf(format, a...)}
}

// stepMeta is the judging context of the step being run.
type stepMeta struct {
	authority mockokta.Authority
	cite      string
	kind      string
	text      string
	tags      []string
	failure   *checkError // the failure the step returned, resolved
	warning   string      // an advice-level remark
	note      string      // a rule of another profile, observed and not judged
	rule      string      // the cause of the warning or note
}

// scenarioAuthority is the default authority of a scenario from its tags
// (scenario tags come after the feature's, so the last one wins).
func scenarioAuthority(tags []string) mockokta.Authority {
	var a mockokta.Authority
	for _, t := range tags {
		if v, ok := authorityTags[t]; ok {
			a = v
		}
	}
	return a
}

// beginStep sets the judging context of a step from its annotation, the
// scenario's tags and its Gherkin keyword.
func (w *World) beginStep(st *godog.Step) {
	m := stepMeta{authority: mockokta.AuthorityRFC}
	if w.scenario != nil {
		for _, t := range w.scenario.Tags {
			m.tags = append(m.tags, t.Name)
		}
		if a := scenarioAuthority(m.tags); a != "" {
			m.authority = a
		}
	}
	if a, cite, ok := parseAnnotation(st.Text); ok {
		m.authority, m.cite = a, cite
	}
	switch string(st.Type) {
	case "Context":
		m.kind = reports.KindContext
	case "Action":
		m.kind = reports.KindAction
	default:
		m.kind = reports.KindOutcome
	}
	m.text = st.Text
	w.cur = m
}

// judge resolves a step's error against its authority and the profile:
// advice becomes a warning, a Xakia rule in the okta profile a note, both
// letting the scenario go on; everything else fails the step.
func (w *World) judge(err error) error {
	if err == nil {
		return nil
	}
	ce := &checkError{Msg: err.Error()}
	var known *checkError
	if errors.As(err, &known) {
		c := *known
		c.Msg = err.Error() // keep the context the wrappers added
		ce = &c
	}
	if ce.Authority == "" {
		ce.Authority = w.cur.authority
	}
	if ce.Rule == "" {
		// No named cause: the step's check on the request it judged.
		ce.Rule = reports.StripAnnotation(w.cur.text)
		if w.resp != nil {
			ce.Rule += " (" + w.resp.Method + " " + pathTemplate(w.resp.Path) + ")"
		}
	}
	if ce.Cite == "" && ce.Authority == w.cur.authority {
		ce.Cite = w.cur.cite
	}
	if ce.Cite == "" {
		ce.Cite = defaultCite(w.cur.tags, ce.Authority)
	}
	if ce.Precondition {
		w.cur.kind = reports.KindContext
	}
	if w.cur.kind != reports.KindOutcome {
		// A precondition (Given/When) that fails stops the scenario whatever
		// the scenario's authority: its checks cannot be judged. The cause
		// is reported by the scenario that asserts it (the runner marks this
		// one blocked), or by this one when none does.
		w.cur.failure = ce
		return ce
	}
	switch {
	case ce.Authority == mockokta.AuthorityAdvice:
		w.cur.warning, w.cur.rule = ce.Msg, ce.Rule
		if w.cur.cite == "" {
			w.cur.cite = ce.Cite
		}
		return nil
	case ce.Authority == mockokta.AuthorityXakia && w.run.cfg.Profile == ProfileOkta:
		w.cur.note, w.cur.rule = "Xakia rule, not judged in the okta profile: "+ce.Msg, ce.Rule
		return nil
	}
	w.cur.failure = ce
	return ce
}

// stepper registers step phrases that may end with an authority annotation
// and routes every step's error through World.judge.
type stepper struct {
	sc *godog.ScenarioContext
	w  *World
}

// Step registers expr (anchored with ^…$) with fn, accepting an optional
// trailing annotation.
func (s stepper) Step(expr string, fn any) {
	expr = strings.TrimSuffix(expr, "$") + annotationExpr + "$"
	s.sc.Step(expr, s.w.judged(fn))
}

// errorType is the reflect type of the error interface.
var errorType = reflect.TypeOf((*error)(nil)).Elem()

// judged wraps a step function so that its returned error goes through
// judge. The wrapper has fn's exact type, so godog binds arguments as usual.
func (w *World) judged(fn any) any {
	v := reflect.ValueOf(fn)
	t := v.Type()
	if t.Kind() != reflect.Func || t.NumOut() == 0 || t.Out(t.NumOut()-1) != errorType {
		return fn
	}
	return reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
		out := v.Call(args)
		last := len(out) - 1
		if out[last].IsNil() {
			return out
		}
		err := w.judge(out[last].Interface().(error))
		if err == nil {
			out[last] = reflect.Zero(errorType)
		} else {
			out[last] = reflect.ValueOf(&err).Elem()
		}
		return out
	}).Interface()
}
