package mockokta

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// svgElement is an element of a parsed chart with its attributes.
type svgElement struct {
	Name  string
	Attrs map[string]string
	Text  string
}

// parseSVG checks that b is well-formed XML with an <svg> root and returns
// its elements in document order.
func parseSVG(t *testing.T, b []byte) []svgElement {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var out []svgElement
	var stack []int
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "the chart is not well-formed XML")
		switch tk := tok.(type) {
		case xml.StartElement:
			e := svgElement{Name: tk.Name.Local, Attrs: map[string]string{}}
			for _, a := range tk.Attr {
				e.Attrs[a.Name.Local] = a.Value
			}
			if len(out) == 0 {
				require.Equal(t, "svg", tk.Name.Local)
				require.Equal(t, "http://www.w3.org/2000/svg", tk.Name.Space)
			}
			out = append(out, e)
			stack = append(stack, len(out)-1)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				out[stack[len(stack)-1]].Text += string(tk)
			}
		}
	}
	require.Empty(t, stack, "unclosed elements")
	return out
}

func TestChartIsValidSVGWithOneBarPerBin(t *testing.T) {
	var h LatencyHistogram
	for range 70 {
		h.Record(1500 * time.Microsecond)
	}
	for range 20 {
		h.Record(3 * time.Millisecond)
	}
	for range 10 {
		h.Record(30 * time.Millisecond)
	}
	var buf bytes.Buffer
	require.NoError(t, h.WriteSVG(&buf, ChartLabels{Title: `load <10000> users & "quotes"`, Subtitle: "987 users/s"}))
	els := parseSVG(t, buf.Bytes())

	var bars, marks []svgElement
	var texts []string
	for _, e := range els {
		switch {
		case e.Name == "rect" && e.Attrs["class"] == "bar":
			bars = append(bars, e)
		case e.Name == "line" && e.Attrs["class"] == "percentile":
			marks = append(marks, e)
		case e.Name == "text":
			texts = append(texts, e.Text)
		}
	}
	bins := h.Bins()
	require.Len(t, bars, len(bins), "one bar per bin, the empty ones included")
	heights := make([]float64, len(bars))
	for i, b := range bars {
		assert.Equal(t, strconv.Itoa(bins[i].Count), b.Attrs["data-count"])
		assert.Equal(t, strconv.FormatInt(int64(bins[i].Lower), 10), b.Attrs["data-lower-ns"])
		var err error
		heights[i], err = strconv.ParseFloat(b.Attrs["height"], 64)
		require.NoError(t, err)
	}
	// Heights are proportional to the counts: 70, 20, 0, 0, 10.
	assert.InDelta(t, heights[0]*20/70, heights[1], 0.2)
	assert.InDelta(t, heights[0]*10/70, heights[4], 0.2)
	assert.Zero(t, heights[2])
	assert.Len(t, marks, 3, "p50, p95 and p99 markers")
	all := strings.Join(texts, "\n")
	assert.Contains(t, all, `load <10000> users & "quotes"`, "the title survives escaping")
	assert.Contains(t, all, "1–2 ms")
	assert.Contains(t, all, "20–50 ms")
	assert.Contains(t, all, "p99 "+millis(h.Percentile(99)))
	assert.Contains(t, all, "100 requests")
	// Markers sit inside the bins that hold their percentile: p50 in 1–2 ms
	// (the first bar), p99 in 20–50 ms (the last).
	x := func(e svgElement, attr string) float64 {
		v, err := strconv.ParseFloat(e.Attrs[attr], 64)
		require.NoError(t, err)
		return v
	}
	assert.GreaterOrEqual(t, x(marks[0], "x1"), x(bars[0], "x")-chartBarGap)
	assert.LessOrEqual(t, x(marks[0], "x1"), x(bars[0], "x")+x(bars[0], "width")+chartBarGap)
	assert.GreaterOrEqual(t, x(marks[2], "x1"), x(bars[4], "x")-chartBarGap)
}

func TestChartOfNothing(t *testing.T) {
	var h LatencyHistogram
	var buf bytes.Buffer
	require.NoError(t, h.WriteSVG(&buf, ChartLabels{Title: "empty"}))
	for _, e := range parseSVG(t, buf.Bytes()) {
		assert.NotEqual(t, "bar", e.Attrs["class"], "an empty histogram has no bars")
	}
}

func TestNiceCeil(t *testing.T) {
	for n, want := range map[int]int{0: 0, 1: 1, 3: 4, 7: 8, 9: 10, 70: 80, 1200: 2000, 4001: 8000, 8001: 10000} {
		assert.Equal(t, want, niceCeil(n), "niceCeil(%d)", n)
	}
}
