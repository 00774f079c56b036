package mockokta

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"text/template"
	"time"
)

// ChartLabels are the texts of a latency chart.
type ChartLabels struct {
	// Title is the first line, e.g. "mockokta load: 10000 users, 8 in flight".
	Title string
	// Subtitle is the second line, e.g. the rate and the target.
	Subtitle string
}

// Geometry of the chart, in SVG user units.
const (
	chartWidth   = 760
	chartHeight  = 420
	plotLeft     = 70
	plotRight    = 20
	plotTop      = 70
	plotBottom   = 96
	chartYTicks  = 4
	chartBarGap  = 4
	chartBarFill = "#4477aa"
)

// chartBar is one bar, already placed.
type chartBar struct {
	X, Y, W, H   string
	LabelX       string // centre of the bar
	CountY       string // where its count is written
	Count        int
	Share        string
	Label        string
	LowerNs      int64
	UpperNs      int64
	LabelAnchorY string
}

// chartTick is a horizontal grid line with its count.
type chartTick struct {
	Y     string
	Count int
}

// chartMark is a percentile marker.
type chartMark struct {
	Name  string
	Value string
	X     string
	TextY string
}

// chartData is what the template renders.
type chartData struct {
	Width, Height          int
	Labels                 ChartLabels
	PlotLeft, PlotRight    int
	PlotTop, PlotBottom    int
	AxisLabelX, AxisLabelY string
	Bars                   []chartBar
	Ticks                  []chartTick
	Marks                  []chartMark
	Summary                string
	Fill                   string
}

// chartSource is the SVG template: every value is a number formatted in Go
// or text passed through x (XML escaping).
const chartSource = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" font-family="sans-serif" font-size="12">
<title>{{x .Labels.Title}}</title>
<rect width="{{.Width}}" height="{{.Height}}" fill="#ffffff"/>
<text x="{{.PlotLeft}}" y="24" font-size="16" font-weight="bold">{{x .Labels.Title}}</text>
<text x="{{.PlotLeft}}" y="44" fill="#444444">{{x .Labels.Subtitle}}</text>
<text x="{{.PlotLeft}}" y="62" fill="#444444">{{x .Summary}}</text>
<g class="grid" stroke="#dddddd">
{{- range .Ticks}}
<line x1="{{$.PlotLeft}}" x2="{{$.PlotRight}}" y1="{{.Y}}" y2="{{.Y}}"/>
<text x="{{$.PlotLeft}}" y="{{.Y}}" dx="-6" dy="4" text-anchor="end" stroke="none" fill="#444444">{{.Count}}</text>
{{- end}}
</g>
<g class="bars">
{{- range .Bars}}
<rect class="bar" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="{{$.Fill}}" data-count="{{.Count}}" data-lower-ns="{{.LowerNs}}" data-upper-ns="{{.UpperNs}}"><title>{{x .Label}}: {{.Count}} requests ({{.Share}})</title></rect>
<text class="count" x="{{.LabelX}}" y="{{.CountY}}" text-anchor="middle">{{.Count}}</text>
<text class="bin" x="{{.LabelX}}" y="{{.LabelAnchorY}}" text-anchor="end" transform="rotate(-40 {{.LabelX}} {{.LabelAnchorY}})">{{x .Label}}</text>
{{- end}}
</g>
<g class="percentiles" stroke-dasharray="4 3">
{{- range .Marks}}
<line class="percentile" x1="{{.X}}" x2="{{.X}}" y1="{{$.PlotTop}}" y2="{{$.PlotBottom}}" stroke="#cc3311"/>
<text x="{{.X}}" y="{{.TextY}}" dx="3" fill="#cc3311" stroke="#ffffff" stroke-width="3" stroke-dasharray="none" paint-order="stroke">{{x .Name}} {{x .Value}}</text>
{{- end}}
</g>
<line x1="{{.PlotLeft}}" x2="{{.PlotRight}}" y1="{{.PlotBottom}}" y2="{{.PlotBottom}}" stroke="#000000"/>
<line x1="{{.PlotLeft}}" x2="{{.PlotLeft}}" y1="{{.PlotTop}}" y2="{{.PlotBottom}}" stroke="#000000"/>
<text x="{{.AxisLabelX}}" y="{{.Height}}" dy="-8" text-anchor="middle">request latency</text>
<text x="16" y="{{.AxisLabelY}}" text-anchor="middle" transform="rotate(-90 16 {{.AxisLabelY}})">requests</text>
</svg>
`

// chartTemplate parses the chart's template (once per chart: a chart is
// written once per run).
func chartTemplate() (*template.Template, error) {
	return template.New("chart").Funcs(template.FuncMap{"x": xmlEscape}).Parse(chartSource)
}

// xmlEscape escapes text for XML character data and attribute values.
func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// f1 formats a coordinate with one decimal.
func f1(v float64) string { return fmt.Sprintf("%.1f", v) }

// WriteSVG writes the histogram as a self-contained SVG bar chart: one bar
// per display bin (as in WriteText) with its count, the y axis in requests,
// and dashed markers at p50, p95 and p99. An empty histogram gives a chart
// with no bars.
func (h *LatencyHistogram) WriteSVG(w io.Writer, labels ChartLabels) error {
	bins := h.Bins()
	d := chartData{
		Width: chartWidth, Height: chartHeight, Labels: labels,
		PlotLeft: plotLeft, PlotRight: chartWidth - plotRight,
		PlotTop: plotTop, PlotBottom: chartHeight - plotBottom,
		Fill: chartBarFill,
	}
	d.AxisLabelX = f1(float64(d.PlotLeft+d.PlotRight) / 2)
	d.AxisLabelY = f1(float64(d.PlotTop+d.PlotBottom) / 2)
	d.Summary = fmt.Sprintf("%d requests; p50 %s, p95 %s, p99 %s, max %s", h.n,
		millis(h.Percentile(50)), millis(h.Percentile(95)), millis(h.Percentile(99)), millis(h.max))
	most := 0
	for _, b := range bins {
		most = max(most, b.Count)
	}
	top := niceCeil(most)
	plotH := float64(d.PlotBottom - d.PlotTop)
	yOf := func(count int) float64 {
		if top == 0 {
			return float64(d.PlotBottom)
		}
		return float64(d.PlotBottom) - plotH*float64(count)/float64(top)
	}
	// Ticks at quarters of the top, or at every count below 4.
	ticks := min(top, chartYTicks)
	for i := 1; i <= ticks; i++ {
		c := top * i / ticks
		d.Ticks = append(d.Ticks, chartTick{Y: f1(yOf(c)), Count: c})
	}
	if len(bins) > 0 {
		slot := float64(d.PlotRight-d.PlotLeft) / float64(len(bins))
		for i, b := range bins {
			x := float64(d.PlotLeft) + float64(i)*slot
			y := yOf(b.Count)
			cx := x + slot/2
			d.Bars = append(d.Bars, chartBar{
				X: f1(x + chartBarGap/2), Y: f1(y), W: f1(max(slot-chartBarGap, 1)), H: f1(float64(d.PlotBottom) - y),
				LabelX: f1(cx), CountY: f1(y - 4), Count: b.Count,
				Share: fmt.Sprintf("%.1f %%", 100*float64(b.Count)/float64(max(h.n, 1))),
				Label: b.Label(), LowerNs: int64(b.Lower), UpperNs: int64(b.Upper),
				LabelAnchorY: f1(float64(d.PlotBottom) + 14),
			})
		}
		for j, m := range []struct {
			name string
			p    float64
		}{{"p50", 50}, {"p95", 95}, {"p99", 99}} {
			v := h.Percentile(m.p)
			d.Marks = append(d.Marks, chartMark{
				Name: m.name, Value: millis(v),
				X:     f1(float64(d.PlotLeft) + slot*binPosition(bins, v)),
				TextY: f1(float64(d.PlotTop) + 12 + 14*float64(j)),
			})
		}
	}
	tmpl, err := chartTemplate()
	if err != nil {
		return err
	}
	return tmpl.Execute(w, d)
}

// binPosition places v on the bins' axis: i + the fraction of bin i below
// v, on a log scale inside the bin (the bins are a 1-2-5 series).
func binPosition(bins []LatencyBin, v time.Duration) float64 {
	for i, b := range bins {
		if b.Upper != 0 && v >= b.Upper {
			continue
		}
		if v < b.Lower {
			return float64(i)
		}
		switch {
		case b.Upper == 0:
			return float64(i) + 0.5
		case b.Lower == 0:
			return float64(i) + float64(v)/float64(b.Upper)
		default:
			return float64(i) + math.Log(float64(v)/float64(b.Lower))/math.Log(float64(b.Upper)/float64(b.Lower))
		}
	}
	return float64(len(bins))
}

// niceCeil rounds n up to 1, 2, 4 or 8 times a power of ten (0 stays 0),
// so that the y axis ticks at quarters are round numbers.
func niceCeil(n int) int {
	if n <= 0 {
		return 0
	}
	p := 1
	for p*10 <= n {
		p *= 10
	}
	for _, m := range []int{1, 2, 4, 8} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}

// millis renders a duration in milliseconds for people: "1.6 ms".
func millis(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
