package reports

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// harCreator names this toolkit in the HAR traces it writes.
const creatorName = "scimtest"

// WriteAll writes the whole report of run into dir (created if needed):
// traces/<slug>.har for every scenario that made HTTP requests (one HAR page
// per step), then summary.json, junit.xml and index.html, which link to
// those traces. HAR files left in traces/ by an earlier run are removed
// first, so the directory describes this run only. cucumber.json is written
// by godog's formatter, not here.
func WriteAll(dir string, run Run) error {
	if dir == "" {
		return errors.New("reports: no report directory given")
	}
	traces := filepath.Join(dir, TracesDir)
	if err := os.MkdirAll(traces, 0o755); err != nil {
		return fmt.Errorf("creating report directory: %w", err)
	}
	if err := removeOldTraces(traces); err != nil {
		return err
	}
	// Work on a copy: the caller's scenarios keep their fields.
	run.Scenarios = append([]Scenario(nil), run.Scenarios...)
	for i, slug := range slugs(run) {
		sc := &run.Scenarios[i]
		sc.Trace = ""
		steps := make([]stepExchanges, 0, len(sc.Steps))
		n := 0
		for j, st := range sc.Steps {
			steps = append(steps, stepExchanges{title: fmt.Sprintf("%d. %s", j+1, st.Text), exchanges: st.Exchanges})
			n += len(st.Exchanges)
		}
		if n == 0 {
			continue
		}
		rel := path.Join(TracesDir, slug+".har")
		err := writeFile(filepath.Join(dir, filepath.FromSlash(rel)), func(w io.Writer) error {
			return writeStepsHAR(w, creatorName, steps)
		})
		if err != nil {
			return fmt.Errorf("writing the trace of %q: %w", sc.Name, err)
		}
		sc.Trace = rel
	}
	if err := WriteSummary(dir, run); err != nil {
		return err
	}
	if err := WriteJUnit(dir, run); err != nil {
		return err
	}
	return WriteHTML(dir, run)
}

// removeOldTraces deletes the *.har files of an earlier run in dir.
func removeOldTraces(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".har") {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("removing an old trace: %w", err)
			}
		}
	}
	return nil
}
