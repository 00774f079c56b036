package mockokta

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHistogramPercentilesWithinThreePercent(t *testing.T) {
	var h LatencyHistogram
	// 1 ms … 100 ms in 1 ms steps: the exact nearest-rank p is p ms.
	for i := 1; i <= 100; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	require.Equal(t, 100, h.Count())
	for _, p := range []float64{1, 50, 95, 99} {
		want := time.Duration(p) * time.Millisecond
		got := h.Percentile(p)
		assert.GreaterOrEqual(t, got, want, "p%v", p)
		assert.LessOrEqual(t, float64(got), float64(want)*(1+1.0/subBuckets), "p%v = %v, want %v within 3 %%", p, got, want)
	}
	assert.Equal(t, 100*time.Millisecond, h.Percentile(100), "p100 is the max, exactly")
	assert.Equal(t, time.Millisecond, h.Min())
	assert.Equal(t, 100*time.Millisecond, h.Max())
	assert.Equal(t, 50500*time.Microsecond, h.Mean())
}

func TestHistogramEdgeCases(t *testing.T) {
	var empty LatencyHistogram
	assert.Zero(t, empty.Percentile(99))
	assert.Nil(t, empty.Bins())
	var buf bytes.Buffer
	require.NoError(t, empty.WriteText(&buf, 40))
	assert.Empty(t, buf.String())

	var h LatencyHistogram
	h.Record(-time.Second)  // counted as 0
	h.Record(500)           // below the first fine bucket
	h.Record(2 * time.Hour) // beyond the last fine bucket
	h.Record(7 * time.Microsecond)
	require.Equal(t, 4, h.Count())
	assert.Zero(t, h.Min())
	assert.Equal(t, 2*time.Hour, h.Max())
	assert.Equal(t, 2*time.Hour, h.Percentile(100), "an overflow percentile is clamped to the exact max")
	assert.LessOrEqual(t, h.Percentile(25), time.Duration(1<<minExp))
	bins := h.Bins()
	require.NotEmpty(t, bins)
	assert.Equal(t, LatencyBin{Lower: 0, Upper: 100 * time.Microsecond, Count: 3}, bins[0])
	assert.Equal(t, LatencyBin{Lower: 50 * time.Second, Upper: 0, Count: 1}, bins[len(bins)-1])
	assert.Len(t, bins, numDisplayEdges+1, "empty bins between the first and the last stay")
}

func TestFineBucketsCoverEveryDuration(t *testing.T) {
	// Every duration falls in a bucket whose bounds hold it.
	for _, d := range []time.Duration{1 << minExp, 1<<minExp + 1, 1500 * time.Microsecond, 33 * time.Millisecond, time.Second, 1<<maxExp - 1} {
		i := fineIndex(d)
		require.Positive(t, i)
		assert.Less(t, d, fineUpper(i), "%v below its bucket's upper bound", d)
		assert.GreaterOrEqual(t, d, fineUpper(i-1), "%v at or above the bucket below", d)
	}
}

func TestHistogramBinsAndLabels(t *testing.T) {
	var h LatencyHistogram
	for range 70 {
		h.Record(1500 * time.Microsecond) // 1–2 ms
	}
	for range 20 {
		h.Record(3 * time.Millisecond) // 2–5 ms
	}
	for range 10 {
		h.Record(30 * time.Millisecond) // 20–50 ms
	}
	bins := h.Bins()
	require.Len(t, bins, 5) // 1–2, 2–5, 5–10, 10–20, 20–50 ms
	want := []struct {
		label string
		count int
	}{{"1–2 ms", 70}, {"2–5 ms", 20}, {"5–10 ms", 0}, {"10–20 ms", 0}, {"20–50 ms", 10}}
	for i, w := range want {
		assert.Equal(t, w.label, bins[i].Label())
		assert.Equal(t, w.count, bins[i].Count)
	}
	assert.Equal(t, "500 µs–1 ms", LatencyBin{Lower: 500 * time.Microsecond, Upper: time.Millisecond}.Label())
	assert.Equal(t, "< 100 µs", LatencyBin{Upper: 100 * time.Microsecond}.Label())
	assert.Equal(t, "≥ 50 s", LatencyBin{Lower: 50 * time.Second}.Label())
	assert.Equal(t, 50*time.Second, displayEdge(numDisplayEdges-1))
	assert.Equal(t, time.Millisecond, displayEdge(3))

	var buf bytes.Buffer
	require.NoError(t, h.WriteText(&buf, 20))
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	require.Len(t, lines, 5)
	assert.Equal(t, "    1–2 ms  "+strings.Repeat("█", 20)+"  70   70.0 %", lines[0])
	assert.Equal(t, "    2–5 ms  "+strings.Repeat("█", 5)+strings.Repeat(" ", 15)+"  20   20.0 %", lines[1])
	assert.Equal(t, "   5–10 ms  "+strings.Repeat(" ", 20)+"   0    0.0 %", lines[2])
	assert.Equal(t, "  20–50 ms  "+strings.Repeat("█", 2)+strings.Repeat(" ", 18)+"  10   10.0 %", lines[4])
}

func TestHistogramMerge(t *testing.T) {
	var a, b, both LatencyHistogram
	for i := 1; i <= 50; i++ {
		a.Record(time.Duration(i) * time.Millisecond)
		both.Record(time.Duration(i) * time.Millisecond)
	}
	for i := 51; i <= 100; i++ {
		b.Record(time.Duration(i) * time.Millisecond)
		both.Record(time.Duration(i) * time.Millisecond)
	}
	a.Merge(&b)
	a.Merge(nil)
	assert.Equal(t, both, a)
}
