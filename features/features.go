// Package features holds the Gherkin conformance suite: one .feature file per
// capability of a Xakia SCIM location as Okta uses it, and the default
// deviations manifest (deviations/xakia.json, format in DEVIATIONS.md).
package features

import "embed"

// FS holds the .feature files at its root, for godog's Options.FS.
//
//go:embed *.feature
var FS embed.FS

//go:embed deviations/xakia.json
var xakiaDeviations string

// DefaultDeviations returns the manifest declaring the documented Xakia
// limitation (limited query attributes), used by the xakia profile when
// SCIM_DEVIATIONS is unset.
func DefaultDeviations() []byte { return []byte(xakiaDeviations) }
