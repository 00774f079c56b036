// Package steps runs the Gherkin conformance suite of package features with
// godog: the step definitions, one World per scenario, the runner (Run) and
// its configuration (Config, ConfigFromEnv).
//
// The steps speak HTTP only (resty through a redacting reports.Recorder,
// JSON read with gjson on case-folded keys): they never import the reference
// server's internals, so a bug shared by judge and judged cannot hide. The
// only bridge is reference.Start, used when no target is configured.
//
// Documented limitations of a target are data (a deviations manifest, see
// features/DEVIATIONS.md): steps that meet one check that the server behaves
// exactly as declared and report the scenario as a deviation with its Okta
// impact. Scenarios that need what the target lacks (@admin, @two-locations)
// are excluded by tag and reported not-run with the reason.
package steps
