package mockokta

import (
	"fmt"
	"io"
	"math"
	"math/bits"
	"strings"
	"time"
)

// The fine buckets of a LatencyHistogram: each power of two of nanoseconds
// from 2^minExp (about 1 µs) to 2^maxExp (about 69 s) is cut into subBuckets
// equal parts, so a percentile is off by at most 1/subBuckets (3 %).
const (
	subBucketBits = 5
	subBuckets    = 1 << subBucketBits
	minExp        = 10
	maxExp        = 36
	// Bucket 0 holds everything under 2^minExp, the last one everything
	// from 2^maxExp up.
	fineBuckets = (maxExp-minExp)*subBuckets + 2
)

// numDisplayEdges is the number of upper bounds of the bins shown by the
// text histogram and the chart: a 1-2-5 series from 100 µs to 50 s; the
// bin above the last edge is open-ended.
const numDisplayEdges = 18

// displayEdge returns the upper bound of display bin i (0 <= i <
// numDisplayEdges): 100 µs, 200 µs, 500 µs, 1 ms, 2 ms, …, 50 s.
func displayEdge(i int) time.Duration {
	d := 100 * time.Microsecond
	for range i / 3 {
		d *= 10
	}
	return d * time.Duration([3]int{1, 2, 5}[i%3])
}

// LatencyHistogram counts durations in a fixed amount of memory (about
// 7 KB whatever the number of requests): fine log-linear buckets for the
// percentiles (within 3 %) and exact counts per 1-2-5 bin (100 µs, 200 µs,
// 500 µs, 1 ms, …) for display. The zero value is ready to use; it is not
// safe for concurrent use.
type LatencyHistogram struct {
	fine     [fineBuckets]uint64
	bins     [numDisplayEdges + 1]uint64
	n        uint64
	sum      time.Duration
	min, max time.Duration
}

// fineIndex returns the fine bucket of d.
func fineIndex(d time.Duration) int {
	if d < 1<<minExp {
		return 0
	}
	v := uint64(d)
	exp := bits.Len64(v) - 1 // 2^exp <= v < 2^(exp+1)
	if exp >= maxExp {
		return fineBuckets - 1
	}
	sub := int(v>>(exp-subBucketBits)) & (subBuckets - 1)
	return (exp-minExp)*subBuckets + sub + 1
}

// fineUpper returns the exclusive upper bound of fine bucket i (the last
// bucket has none: the longest duration ever recorded bounds it).
func fineUpper(i int) time.Duration {
	switch i {
	case 0:
		return 1 << minExp
	case fineBuckets - 1:
		return math.MaxInt64
	}
	i--
	exp, sub := i/subBuckets+minExp, i%subBuckets
	return time.Duration(uint64(subBuckets+sub+1) << (exp - subBucketBits))
}

// displayIndex returns the display bin of d.
func displayIndex(d time.Duration) int {
	for i := range numDisplayEdges {
		if d < displayEdge(i) {
			return i
		}
	}
	return numDisplayEdges
}

// Record adds one duration (negative durations count as zero).
func (h *LatencyHistogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.fine[fineIndex(d)]++
	h.bins[displayIndex(d)]++
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.n++
	h.sum += d
}

// Merge adds the counts of o to h.
func (h *LatencyHistogram) Merge(o *LatencyHistogram) {
	if o == nil || o.n == 0 {
		return
	}
	for i, c := range o.fine {
		h.fine[i] += c
	}
	for i, c := range o.bins {
		h.bins[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
}

// Count returns the number of recorded durations.
func (h *LatencyHistogram) Count() int { return int(h.n) }

// Min returns the shortest recorded duration (0 when empty).
func (h *LatencyHistogram) Min() time.Duration { return h.min }

// Max returns the longest recorded duration (0 when empty).
func (h *LatencyHistogram) Max() time.Duration { return h.max }

// Mean returns the average duration (0 when empty).
func (h *LatencyHistogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100): the
// upper bound of the fine bucket holding that rank, never above Max and
// never below Min, so within 3 % of the exact value. It is 0 when empty.
func (h *LatencyHistogram) Percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(p / 100 * float64(h.n))
	if float64(rank) < p/100*float64(h.n) {
		rank++ // ceil
	}
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.fine {
		seen += c
		if seen >= rank {
			return min(max(fineUpper(i), h.min), h.max)
		}
	}
	return h.max
}

// LatencyBin is one bar of the displayed histogram: the durations d with
// Lower <= d < Upper (Upper 0: no upper bound).
type LatencyBin struct {
	Lower time.Duration `json:"lowerNs"`
	Upper time.Duration `json:"upperNs,omitempty"`
	Count int           `json:"count"`
}

// Label names the bin the way the text histogram and the chart show it,
// e.g. "1–2 ms", "< 100 µs", "≥ 60 s".
func (b LatencyBin) Label() string {
	switch {
	case b.Lower == 0:
		return "< " + shortDuration(b.Upper)
	case b.Upper == 0:
		return "≥ " + shortDuration(b.Lower)
	}
	lo, hi := shortDuration(b.Lower), shortDuration(b.Upper)
	// "1–2 ms" rather than "1 ms–2 ms" when the units agree.
	if lu, hu := unitOf(lo), unitOf(hi); lu == hu {
		lo = strings.TrimSuffix(lo, " "+lu)
	}
	return lo + "–" + hi
}

func unitOf(s string) string {
	_, u, _ := strings.Cut(s, " ")
	return u
}

// shortDuration renders a 1-2-5 edge: "100 µs", "2 ms", "1 s".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d/time.Microsecond)
	case d < time.Second:
		return fmt.Sprintf("%d ms", d/time.Millisecond)
	default:
		return fmt.Sprintf("%d s", d/time.Second)
	}
}

// Bins returns the display bins from the first to the last that holds a
// duration (empty bins in between included, so the shape stays honest); nil
// when nothing was recorded.
func (h *LatencyHistogram) Bins() []LatencyBin {
	first, last := -1, -1
	for i, c := range h.bins {
		if c > 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return nil
	}
	out := make([]LatencyBin, 0, last-first+1)
	for i := first; i <= last; i++ {
		b := LatencyBin{Count: int(h.bins[i])}
		if i > 0 {
			b.Lower = displayEdge(i - 1)
		}
		if i < numDisplayEdges {
			b.Upper = displayEdge(i)
		}
		out = append(out, b)
	}
	return out
}

// WriteText writes the histogram as text, one bin a line, with a bar of up
// to width characters, the count and the share:
//
//	1–2 ms  ████████████████████          1034  17.2 %
//
// Nothing is written when the histogram is empty.
func (h *LatencyHistogram) WriteText(w io.Writer, width int) error {
	bins := h.Bins()
	if len(bins) == 0 {
		return nil
	}
	width = max(width, 10)
	labelW, countW, most := 0, 1, 0
	for _, b := range bins {
		labelW = max(labelW, len([]rune(b.Label())))
		countW = max(countW, len(fmt.Sprint(b.Count)))
		most = max(most, b.Count)
	}
	var sb strings.Builder
	for _, b := range bins {
		n := b.Count * width / most
		if b.Count > 0 && n == 0 {
			n = 1 // a non-empty bin always shows
		}
		label := b.Label()
		pad := labelW - len([]rune(label))
		fmt.Fprintf(&sb, "  %s%s  %s%s  %*d  %5.1f %%\n", strings.Repeat(" ", pad), label,
			strings.Repeat("█", n), strings.Repeat(" ", width-n), countW, b.Count, 100*float64(b.Count)/float64(h.n))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}
