package mockokta

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// LoadProgress is a snapshot of a bulk run: how many of Total are done (of
// which Failed failed) after Elapsed.
type LoadProgress struct {
	Done, Failed, Total int
	Elapsed             time.Duration
}

// Rate returns the finished items per second so far (0 before any time
// passed).
func (p LoadProgress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Done) / p.Elapsed.Seconds()
}

// ETA returns the time left at the rate so far; ok is false while the rate
// is unknown (nothing done yet).
func (p LoadProgress) ETA() (eta time.Duration, ok bool) {
	rate := p.Rate()
	if rate <= 0 {
		return 0, p.Done >= p.Total
	}
	left := max(p.Total-p.Done, 0)
	return time.Duration(float64(left) / rate * float64(time.Second)), true
}

// String renders the snapshot in one line without a bar, e.g.
// "4000/10000 users, 2 failed, 40%, 987 users/s, elapsed 4s, ETA 6s".
func (p LoadProgress) String() string {
	pct := 0
	if p.Total > 0 {
		pct = p.Done * 100 / p.Total
	}
	eta := "ETA --"
	if d, ok := p.ETA(); ok {
		eta = "ETA " + FormatETA(d)
	}
	return fmt.Sprintf("%d/%d users, %d failed, %d%%, %s, elapsed %s, %s",
		p.Done, p.Total, p.Failed, pct, FormatRate(p.Rate(), "users"), FormatETA(p.Elapsed), eta)
}

// Bar renders the snapshot as a bar of width cells followed by String.
func (p LoadProgress) Bar(width int) string {
	width = max(width, 1)
	filled := 0
	if p.Total > 0 {
		filled = min(p.Done*width/p.Total, width)
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "] " + p.String()
}

// FormatRate renders a rate for people: whole numbers from 100 up
// ("987 users/s"), one decimal below ("12.5 users/s").
func FormatRate(perSecond float64, noun string) string {
	if perSecond >= 100 {
		return fmt.Sprintf("%.0f %s/s", perSecond, noun)
	}
	return fmt.Sprintf("%.1f %s/s", perSecond, noun)
}

// FormatETA renders a duration rounded to the second: "0s", "45s",
// "2m05s", "1h02m".
func FormatETA(d time.Duration) string {
	s := int64((d + time.Second/2) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", max(s, 0))
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	}
}

// ProgressMode is how a bulk run shows its progress.
type ProgressMode int

// Progress modes: off (--quiet, --json), a bar redrawn in place (stdout is
// a terminal), or one line every interval (a log or a pipe).
const (
	ProgressOff ProgressMode = iota
	ProgressBar
	ProgressLines
)

// Defaults of a ProgressPrinter.
const (
	// DefaultProgressInterval is how often ProgressLines prints.
	DefaultProgressInterval = 2 * time.Second
	// barRedraw is the least time between two redraws of the bar.
	barRedraw = 100 * time.Millisecond
	barWidth  = 30
)

// ProgressPrinter shows the progress of a bulk run on w. Update may be
// called from several goroutines; Stop ends the printing.
type ProgressPrinter struct {
	w        io.Writer
	mode     ProgressMode
	total    int
	prefix   string
	interval time.Duration
	now      func() time.Time

	mu           sync.Mutex
	start        time.Time
	done, failed int
	lastDraw     time.Time
	drawn        bool

	quit chan struct{}
	wg   sync.WaitGroup
}

// NewProgressPrinter starts showing the progress of a run of total items
// on w. In ProgressLines mode a line starting with prefix (e.g. "load: ")
// is printed every interval (DefaultProgressInterval when not positive)
// until Stop; the bar of ProgressBar starts with the bar itself.
func NewProgressPrinter(w io.Writer, mode ProgressMode, total int, prefix string, interval time.Duration) *ProgressPrinter {
	if interval <= 0 {
		interval = DefaultProgressInterval
	}
	p := &ProgressPrinter{w: w, mode: mode, total: total, prefix: prefix, interval: interval, now: time.Now, quit: make(chan struct{})}
	p.start = p.now()
	if mode == ProgressLines {
		p.wg.Add(1)
		go p.tickLoop()
	}
	return p
}

func (p *ProgressPrinter) tickLoop() {
	defer p.wg.Done()
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-p.quit:
			return
		case <-t.C:
			p.printLine()
		}
	}
}

// snapshot returns the progress so far; p.mu must be held.
func (p *ProgressPrinter) snapshot() LoadProgress {
	return LoadProgress{Done: p.done, Failed: p.failed, Total: p.total, Elapsed: p.now().Sub(p.start)}
}

// printLine prints one progress line (ProgressLines).
func (p *ProgressPrinter) printLine() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.snapshot())
}

// Update records the counts so far (it has the signature of
// LoadOptions.Progress). In ProgressBar mode it redraws the bar at most
// every 100 ms, and always for the last item.
func (p *ProgressPrinter) Update(done, failed int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.failed = done, failed
	if p.mode != ProgressBar {
		return
	}
	now := p.now()
	if p.drawn && now.Sub(p.lastDraw) < barRedraw && done < p.total {
		return
	}
	p.lastDraw, p.drawn = now, true
	// \x1b[K clears what a longer previous line left on the right.
	fmt.Fprintf(p.w, "\r%s\x1b[K", p.snapshot().Bar(barWidth))
}

// Stop ends the printing: the ticker of ProgressLines stops, and a drawn
// bar is ended with a newline so that what follows starts a fresh line.
// It is safe to call more than once.
func (p *ProgressPrinter) Stop() {
	p.mu.Lock()
	select {
	case <-p.quit:
		p.mu.Unlock()
		return
	default:
		close(p.quit)
	}
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
	p.mu.Unlock()
	p.wg.Wait()
}
