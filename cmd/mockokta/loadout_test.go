package main

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xakia-okta/scimtest/mockokta"
)

func TestProgressModeFollowsOutput(t *testing.T) {
	assert.Equal(t, mockokta.ProgressBar, progressMode(false, false, true))
	assert.Equal(t, mockokta.ProgressLines, progressMode(false, false, false), "not a terminal: periodic lines")
	assert.Equal(t, mockokta.ProgressOff, progressMode(true, false, true), "--quiet")
	assert.Equal(t, mockokta.ProgressOff, progressMode(false, true, false), "--json")
}

func TestLoadPrintsHistogramMemoryAndChart(t *testing.T) {
	inst := startRef(t)
	loc := inst.Locations[0]
	chart := filepath.Join(t.TempDir(), "charts", "load.svg")
	code, out, stderr := runCLI(t, nil, "--base-url", loc.BaseURL, "--api-key", loc.APIKey,
		"load", "--users", "20", "--concurrency", "4", "--chart", chart)
	require.Equal(t, exitOK, code, "%s\n%s", out, stderr)
	assert.Contains(t, out, "load: 20 users assigned")
	assert.Contains(t, out, "by method: GET (lookup) 20, p50")
	assert.Contains(t, out, "POST (create) 20, p50")
	assert.Contains(t, out, "latency histogram (40 requests):")
	assert.Regexp(t, `peak memory \(RSS\): this process [0-9.]+ MB; server in this process: included above`, out,
		"the server listens in the test process: found by its port")
	assert.Contains(t, out, "latency chart: "+chart)
	assert.NotContains(t, out, "\r", "no bar when stdout is not a terminal")

	b, err := os.ReadFile(chart)
	require.NoError(t, err)
	dec := xml.NewDecoder(strings.NewReader(string(b)))
	bars := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "the chart is not well-formed XML")
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			for _, a := range se.Attr {
				if a.Name.Local == "class" && a.Value == "bar" {
					bars++
				}
			}
		}
	}
	assert.Positive(t, bars)
}

func TestLoadQuiet(t *testing.T) {
	code, out, stderr := runCLI(t, nil, "--embedded", "load", "--users", "10", "--concurrency", "2", "--quiet")
	require.Equal(t, exitOK, code, "%s\n%s", out, stderr)
	assert.Contains(t, out, "load: 10 users assigned")
	assert.Contains(t, out, "p99")
	assert.NotContains(t, out, "latency histogram", "--quiet leaves out the histogram")
	assert.NotContains(t, out, "users, 0 failed,", "--quiet leaves out progress")
	assert.Contains(t, out, "server in this process (--embedded)")
}

func TestLoadJSONCarriesHistogramAndMemory(t *testing.T) {
	code, out, stderr := runCLI(t, nil, "--embedded", "--json", "load", "--users", "5", "--concurrency", "2")
	require.Equal(t, exitOK, code, "%s\n%s", out, stderr)
	assert.Contains(t, out, `"latencyHistogram": [`)
	assert.Contains(t, out, `"clientPeakRssBytes": `)
	assert.Contains(t, out, `"byMethod": {`)
	assert.NotContains(t, out, "load: ", "no progress lines in JSON output")
}

func TestLifecycleQuiet(t *testing.T) {
	code, out, stderr := runCLI(t, nil, "--embedded", "lifecycle", "--quiet")
	require.Equal(t, exitOK, code, "%s\n%s", out, stderr)
	assert.Equal(t, "lifecycle PASS: ", out[:len("lifecycle PASS: ")], "a passing quiet run prints the verdict only:\n%s", out)
	assert.Equal(t, 1, strings.Count(out, "\n"), "one line:\n%s", out)

	code, out, _ = runCLI(t, nil, "--embedded", "--fault", "forget-deactivated", "lifecycle", "--quiet")
	require.Equal(t, exitFailed, code, out)
	assert.Contains(t, out, "== ", "a failed step is printed in full")
	assert.Contains(t, out, "lifecycle FAIL: ")
	assert.NotContains(t, out, "== test-connection", "passing steps stay quiet")
	assert.Contains(t, out, "== unassign")
}

func TestMeasureMemoryNamesWhatItCouldNotMeasure(t *testing.T) {
	m := measureMemory("https://xakia.example/scim/v2/loc1", false)
	assert.Equal(t, "not measured (not a process on this machine)", m.ServerNote)
	assert.Zero(t, m.ServerPeakRSS)
	assert.Zero(t, m.ServerPID)

	m = measureMemory("http://127.0.0.1:1/scim/v2/x", false)
	assert.Zero(t, m.ServerPeakRSS)
	assert.NotEmpty(t, m.ServerNote, "nobody listens on port 1: the note says why there is no figure")

	m = measureMemory("", true)
	assert.Equal(t, "in this process (--embedded): included above", m.ServerNote)
	if runtime.GOOS == "linux" {
		assert.Positive(t, m.ClientPeakRSS, "VmHWM of this process")
	}
}

func TestLifecycleStepProgress(t *testing.T) {
	var buf strings.Builder
	off := stepProgress{mode: mockokta.ProgressOff, w: &buf}
	off.update("assign", 1, 100)
	off.stop()
	assert.Empty(t, buf.String())

	short := stepProgress{mode: mockokta.ProgressBar, w: &buf}
	short.update("assign", 1, 3)
	short.stop()
	assert.Empty(t, buf.String(), "no bar for a 3-task step")

	bar := stepProgress{mode: mockokta.ProgressBar, w: &buf}
	for i := 1; i <= 50; i++ {
		bar.update("assign", i, 50)
	}
	bar.stop()
	bar.stop()
	out := buf.String()
	assert.Contains(t, out, "\r[")
	assert.Contains(t, out, "50/50 users, 0 failed, 100%")
	assert.True(t, strings.HasSuffix(out, "\n"), "the bar's line is ended before the step prints")
}
