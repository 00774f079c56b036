package steps

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/xakia-okta/scimtest/features"
	"github.com/xakia-okta/scimtest/reports"
)

// KindQueryAttributes is the deviation kind "query results return only a
// declared set of attributes".
const KindQueryAttributes = "query-attributes"

// Manifest declares a target's documented limitations (see
// features/DEVIATIONS.md for the format).
type Manifest struct {
	// Target names the product the manifest describes.
	Target string `json:"target"`
	// Source says where the limitations are documented.
	Source string `json:"source,omitempty"`
	// Deviations are the declared limitations.
	Deviations []Deviation `json:"deviations"`
}

// Deviation is one declared limitation.
type Deviation struct {
	// ID names the deviation in reports ("limited-query-attributes").
	ID string `json:"id"`
	// Kind says which checks the deviation changes; only
	// KindQueryAttributes is known.
	Kind string `json:"kind"`
	// Description quotes the vendor's documentation.
	Description string `json:"description"`
	// OktaImpact says what breaks in Okta because of it.
	OktaImpact string `json:"oktaImpact"`
	// Returned lists, for KindQueryAttributes, the only attributes query
	// results carry besides "schemas" (case-insensitive SCIM names).
	Returned []string `json:"returned,omitempty"`
}

// ParseManifest decodes and validates a manifest.
func ParseManifest(data []byte) (Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("deviations manifest: %w", err)
	}
	seen := map[string]bool{}
	for i, d := range m.Deviations {
		switch {
		case d.ID == "":
			return Manifest{}, fmt.Errorf("deviations manifest: deviation %d has no id", i+1)
		case seen[d.ID]:
			return Manifest{}, fmt.Errorf("deviations manifest: id %q is declared twice", d.ID)
		case d.Description == "" || d.OktaImpact == "":
			return Manifest{}, fmt.Errorf("deviations manifest: %q needs a description and an oktaImpact", d.ID)
		}
		seen[d.ID] = true
		switch d.Kind {
		case KindQueryAttributes:
			if len(d.Returned) == 0 {
				return Manifest{}, fmt.Errorf("deviations manifest: %q (kind %s) must list the returned attributes", d.ID, d.Kind)
			}
			if !containsFold(d.Returned, "id") {
				return Manifest{}, fmt.Errorf("deviations manifest: %q: query results without \"id\" cannot be provisioned at all; \"returned\" must include id", d.ID)
			}
		default:
			return Manifest{}, fmt.Errorf("deviations manifest: %q has unknown kind %q (known: %s)", d.ID, d.Kind, KindQueryAttributes)
		}
	}
	if n := len(m.queryAttributeDeviations()); n > 1 {
		return Manifest{}, fmt.Errorf("deviations manifest: %d %s deviations declared; declare at most one", n, KindQueryAttributes)
	}
	return m, nil
}

// loadManifest returns the manifest in force: the user's file when given,
// else the embedded Xakia manifest for the xakia profile, else none.
func loadManifest(cfg Config) (Manifest, error) {
	switch {
	case cfg.DeviationsFile != "":
		data, err := os.ReadFile(cfg.DeviationsFile)
		if err != nil {
			return Manifest{}, fmt.Errorf("%w: %s: %v", ErrConfig, EnvDeviations, err)
		}
		m, err := ParseManifest(data)
		if err != nil {
			return Manifest{}, fmt.Errorf("%w: %s=%s: %v", ErrConfig, EnvDeviations, cfg.DeviationsFile, err)
		}
		return m, nil
	case cfg.Profile == ProfileXakia || cfg.Profile == "":
		return ParseManifest(features.DefaultDeviations())
	}
	return Manifest{}, nil
}

func (m Manifest) queryAttributeDeviations() []Deviation {
	var out []Deviation
	for _, d := range m.Deviations {
		if d.Kind == KindQueryAttributes {
			out = append(out, d)
		}
	}
	return out
}

// QueryAttributes returns the declared query-attributes deviation, if any.
func (m Manifest) QueryAttributes() (Deviation, bool) {
	ds := m.queryAttributeDeviations()
	if len(ds) == 0 {
		return Deviation{}, false
	}
	return ds[0], true
}

// reportDeviations converts the manifest for the reports.
func (m Manifest) reportDeviations(applied map[string][]string) []reports.Deviation {
	out := make([]reports.Deviation, 0, len(m.Deviations))
	for _, d := range m.Deviations {
		out = append(out, reports.Deviation{
			ID:          d.ID,
			Description: d.Description,
			OktaImpact:  d.OktaImpact,
			Scenarios:   applied[d.ID],
		})
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
