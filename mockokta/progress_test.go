package mockokta

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xakia-okta/scimtest/internal/lockedbuf"
)

func TestFormatRateAndETA(t *testing.T) {
	assert.Equal(t, "987 users/s", FormatRate(987.4, "users"))
	assert.Equal(t, "12.5 users/s", FormatRate(12.46, "users"))
	assert.Equal(t, "0.0 users/s", FormatRate(0, "users"))
	for d, want := range map[time.Duration]string{
		0: "0s", 400 * time.Millisecond: "0s", 1500 * time.Millisecond: "2s", 45 * time.Second: "45s",
		125 * time.Second: "2m05s", time.Hour + 2*time.Minute + 10*time.Second: "1h02m", -time.Second: "0s",
	} {
		assert.Equal(t, want, FormatETA(d), "FormatETA(%v)", d)
	}
}

func TestLoadProgressLine(t *testing.T) {
	p := LoadProgress{Done: 4000, Failed: 2, Total: 10000, Elapsed: 4 * time.Second}
	assert.InDelta(t, 1000, p.Rate(), 1e-9)
	eta, ok := p.ETA()
	require.True(t, ok)
	assert.Equal(t, 6*time.Second, eta)
	assert.Equal(t, "4000/10000 users, 2 failed, 40%, 1000 users/s, elapsed 4s, ETA 6s", p.String())
	assert.Equal(t, "[####......] 4000/10000 users, 2 failed, 40%, 1000 users/s, elapsed 4s, ETA 6s", p.Bar(10))

	start := LoadProgress{Total: 10}
	_, ok = start.ETA()
	assert.False(t, ok, "no ETA before anything finished")
	assert.Contains(t, start.String(), "ETA --")
	done := LoadProgress{Done: 10, Total: 10, Elapsed: 2 * time.Second}
	assert.Equal(t, "[##########] 10/10 users, 0 failed, 100%, 5.0 users/s, elapsed 2s, ETA 0s", done.Bar(10))
}

// fakeNow is a clock the test moves by hand.
type fakeNow struct{ t time.Time }

func (f *fakeNow) now() time.Time { return f.t }

func TestProgressPrinterLines(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeNow{t: time.Unix(1000, 0)}
	// An hour-long interval: the ticker never fires, the test prints by hand.
	p := NewProgressPrinter(&buf, ProgressLines, 100, "load: ", time.Hour)
	p.now, p.start = clock.now, clock.now()
	p.Update(10, 0)
	assert.Empty(t, buf.String(), "lines mode prints on its ticker only")
	clock.t = clock.t.Add(2 * time.Second)
	p.Update(50, 1)
	p.printLine()
	p.Stop()
	p.Stop()
	assert.Equal(t, "load: 50/100 users, 1 failed, 50%, 25.0 users/s, elapsed 2s, ETA 2s\n", buf.String())
	assert.NotContains(t, buf.String(), "\r")
}

func TestProgressPrinterBar(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeNow{t: time.Unix(1000, 0)}
	p := NewProgressPrinter(&buf, ProgressBar, 3, "", 0)
	p.now, p.start = clock.now, clock.now()
	clock.t = clock.t.Add(time.Second)
	p.Update(1, 0) // drawn: the first update
	p.Update(2, 0) // not drawn: within 100 ms of the last draw
	p.Update(3, 1) // drawn: the last item
	p.Stop()
	out := buf.String()
	assert.Equal(t, 2, strings.Count(out, "\r"), "two redraws:\n%q", out)
	assert.NotContains(t, out, "2/3 users")
	assert.Contains(t, out, "3/3 users, 1 failed, 100%, 3.0 users/s")
	assert.True(t, strings.HasSuffix(out, "\x1b[K\n"), "the bar ends with a newline at Stop: %q", out)
}

func TestProgressPrinterOff(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgressPrinter(&buf, ProgressOff, 5, "", 0)
	for i := 1; i <= 5; i++ {
		p.Update(i, 0)
	}
	p.Stop()
	assert.Empty(t, buf.String())
}

func TestProgressPrinterTicks(t *testing.T) {
	var buf lockedbuf.Buffer
	p := NewProgressPrinter(&buf, ProgressLines, 10, "x: ", time.Millisecond)
	p.Update(5, 0)
	require.Eventually(t, func() bool { return strings.Contains(buf.String(), "x: 5/10 users, 0 failed, 50%") },
		10*time.Second, time.Millisecond, "the ticker prints a line on its own")
	p.Stop()
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		assert.True(t, strings.HasPrefix(line, "x: "), "every line is a progress line: %q", line)
	}
}
