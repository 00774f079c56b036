package benchtable

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

// Ref names one figure of a run: a benchmark and one of its metrics.
type Ref struct {
	Bench  string // e.g. "BenchmarkReads/bare-c8"
	Metric string // e.g. "req/s"
}

// Target says what a goal compares: the figure itself or its ratio to the
// ceiling.
type Target int

// What a goal is about.
const (
	OnFigure Target = iota // an absolute goal: "≥ 2000 creates/s"
	OnRatio                // a goal on figure ÷ ceiling: "≥ 0.60 × ceiling"
)

// Goal is what a figure must reach. The zero Goal has none: the figure is
// only reported.
type Goal struct {
	// AtLeast is true for "≥ Value", false for "≤ Value".
	AtLeast bool
	Value   float64
	On      Target
}

// none reports whether g is the zero Goal.
func (g Goal) none() bool { return g == Goal{} }

// Met says whether v (the figure, or the ratio for OnRatio goals) meets g.
func (g Goal) Met(v float64) bool {
	if g.AtLeast {
		return v >= g.Value
	}
	return v <= g.Value
}

// text renders the goal: "≥ 2,000 creates/s", "ratio ≥ 0.6", "≤ 300.0 ms";
// "reported" when there is none.
func (g Goal) text(unit string) string {
	if g.none() {
		return "reported"
	}
	op := "≤"
	if g.AtLeast {
		op = "≥"
	}
	if g.On == OnRatio {
		return fmt.Sprintf("ratio %s %s", op, trimFloat(g.Value))
	}
	return op + " " + goalValue(g.Value) + " " + unitName(unit)
}

// goalValue renders a goal's number without needless decimals: "2,000",
// "1.5".
func goalValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) >= 1000 {
		return thousands(int64(v))
	}
	return trimFloat(v)
}

// unitName is the unit a person reads for a metric: "p99-ms" is "ms",
// "walk-s" is "s", "client-rss-MB" is "MB".
func unitName(unit string) string {
	for _, u := range []string{"ms", "s", "MB"} {
		if unit == u || strings.HasSuffix(unit, "-"+u) {
			return u
		}
	}
	return unit
}

// Spec is one row of the table: a figure, the ceiling it is divided by
// (Bench empty: none) and its goal.
type Spec struct {
	Label   string
	Figure  Ref
	Ceiling Ref
	Goal    Goal
	// RatioMetric, when the figure's benchmark reports it (e.g.
	// "ratio-to-bare"), is the ratio the benchmark measured itself, with
	// its ceiling read again next to the figure: it is used instead of
	// figure ÷ Ceiling, and the ceiling shown is the one it implies.
	RatioMetric string
}

// Row is a rendered row of the table.
type Row struct {
	Benchmark, Figure, Ceiling, Ratio, Goal, Met string
}

// Table is the rows and the notes their cells refer to ("[1]"): why a
// figure was not measured, in go test's or the load run's words.
type Table struct {
	Rows  []Row
	Notes []string
}

// note returns the marker of text, adding it to the notes once.
func (t *Table) note(text string) string {
	for i, n := range t.Notes {
		if n == text {
			return fmt.Sprintf("[%d]", i+1)
		}
	}
	t.Notes = append(t.Notes, text)
	return fmt.Sprintf("[%d]", len(t.Notes))
}

// Build evaluates every spec against rs. A figure missing from rs gives a
// row that says why (skipped or failed, with the reason in a note, or not
// run); it is never counted as met.
func Build(specs []Spec, rs Results) Table {
	var t Table
	rows := make([]Row, 0, len(specs))
	for _, s := range specs {
		row := Row{Benchmark: s.Label, Ceiling: "—", Ratio: "—", Goal: s.Goal.text(s.Figure.Metric), Met: "—"}
		fig, ok := lookup(rs, s.Figure)
		if !ok {
			row.Figure = t.missing(rs, s.Figure)
			if !s.Goal.none() {
				row.Met = "not measured"
			}
			rows = append(rows, row)
			continue
		}
		row.Figure = Format(fig, s.Figure.Metric)
		ratio := math.NaN()
		if r, ok := lookup(rs, Ref{s.Figure.Bench, s.RatioMetric}); ok && s.RatioMetric != "" && r > 0 {
			ratio = r
			row.Ratio = fmt.Sprintf("%.2f", ratio)
			row.Ceiling = Format(fig/ratio, s.Figure.Metric) + " " + t.note("the ceiling as the benchmark measured it interleaved with the figure (its "+s.RatioMetric+"), not once for all rows: the machine is shared")
		} else if s.Ceiling.Bench != "" {
			if c, ok := lookup(rs, s.Ceiling); ok {
				row.Ceiling = Format(c, s.Ceiling.Metric)
				if c != 0 {
					ratio = fig / c
					row.Ratio = fmt.Sprintf("%.2f", ratio)
				}
			} else {
				row.Ceiling = t.missing(rs, s.Ceiling)
			}
		}
		switch {
		case s.Goal.none():
		case s.Goal.On == OnRatio && math.IsNaN(ratio):
			row.Met = "no ceiling"
		case s.Goal.On == OnRatio:
			row.Met = yesNo(s.Goal.Met(ratio))
		default:
			row.Met = yesNo(s.Goal.Met(fig))
		}
		rows = append(rows, row)
	}
	t.Rows = rows
	return t
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "**NO**"
}

// lookup finds a figure.
func lookup(rs Results, ref Ref) (float64, bool) {
	r, ok := rs.Get(ref.Bench)
	if !ok {
		return 0, false
	}
	v, ok := r.Metrics[ref.Metric]
	return v, ok
}

// missing says why a figure is absent; a reason goes to the notes.
func (t *Table) missing(rs Results, ref Ref) string {
	for _, m := range []struct {
		what    string
		reasons map[string]string
	}{{"failed", rs.Failed}, {"skipped", rs.Skipped}} {
		for name, why := range m.reasons {
			if name == ref.Bench || strings.HasPrefix(ref.Bench, name+"/") {
				if why == "" {
					return m.what
				}
				return m.what + " " + t.note(name+": "+why)
			}
		}
	}
	if _, ok := rs.Get(ref.Bench); ok {
		return "no " + ref.Metric
	}
	return "not run"
}

// Format renders a value in its unit for people: rates with thousands
// separators ("12,345 req/s"), milliseconds with one decimal, seconds with
// two, nanoseconds per op as µs or ms.
func Format(v float64, unit string) string {
	switch {
	case unit == "ns/op" && v >= 1e6:
		return fmt.Sprintf("%.2f ms/op", v/1e6)
	case unit == "ns/op":
		return fmt.Sprintf("%.1f µs/op", v/1e3)
	case strings.HasSuffix(unit, "/s"):
		if v >= 100 {
			return thousands(int64(math.Round(v))) + " " + unit
		}
		return fmt.Sprintf("%.1f %s", v, unit)
	case unit == "ms" || strings.HasSuffix(unit, "-ms"):
		return fmt.Sprintf("%.1f ms", v)
	case unit == "s" || strings.HasSuffix(unit, "-s"):
		return fmt.Sprintf("%.2f s", v)
	case unit == "MB" || strings.HasSuffix(unit, "-MB"):
		return fmt.Sprintf("%.1f MB", v)
	default:
		return trimFloat(v) + " " + unit
	}
}

// thousands renders n with "," every three digits.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// trimFloat renders v with up to two decimals and no trailing zeros.
func trimFloat(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// Render writes the table as Markdown whose columns line up in a terminal
// too, followed by its notes.
func Render(w io.Writer, t Table) error {
	rows := t.Rows
	header := Row{"benchmark", "figure", "ceiling (same run)", "ratio", "goal", "met?"}
	all := append([]Row{header}, rows...)
	widths := make([]int, 6)
	for _, r := range all {
		for i, c := range r.cells() {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			pad := widths[i] - utf8.RuneCountInString(c)
			if i >= 1 && i <= 3 {
				b.WriteString(" " + strings.Repeat(" ", pad) + c + " |") // numbers right-aligned
			} else {
				b.WriteString(" " + c + strings.Repeat(" ", pad) + " |")
			}
		}
		b.WriteString("\n")
	}
	line(header.cells())
	sep := make([]string, 6)
	for i, wd := range widths {
		sep[i] = strings.Repeat("-", wd)
		if i >= 1 && i <= 3 {
			sep[i] = strings.Repeat("-", wd-1) + ":"
		}
	}
	line(sep)
	for _, r := range rows {
		line(r.cells())
	}
	if len(t.Notes) > 0 {
		b.WriteString("\n")
		for i, n := range t.Notes {
			fmt.Fprintf(&b, "[%d] %s\n", i+1, n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (r Row) cells() []string {
	return []string{r.Benchmark, r.Figure, r.Ceiling, r.Ratio, r.Goal, r.Met}
}
