package importer

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"
)

// barInterval is how often the terminal progress bar is redrawn.
const barInterval = 200 * time.Millisecond

// progress shows how far the current file is read: a bar redrawn in place
// on a terminal, or a log line every interval otherwise. The ETA assumes
// the rest of the file reads at the average byte rate so far.
type progress struct {
	bar      io.Writer // nil: log lines
	log      *slog.Logger
	interval time.Duration

	label    string
	path     string
	size     int64
	rows     int64
	bytes    int64
	started  time.Time
	lastDraw time.Time
	drawn    bool
}

func newProgress(opts Options) *progress {
	p := &progress{log: opts.Logger, interval: opts.ProgressInterval}
	if opts.Progress != nil && opts.ProgressTerminal {
		p.bar = opts.Progress
		p.interval = barInterval
	}
	return p
}

// start begins a pass over a file of size bytes; label names the step.
func (p *progress) start(label, path string, size int64) {
	now := time.Now()
	*p = progress{bar: p.bar, log: p.log, interval: p.interval, label: label, path: path, size: size, started: now, lastDraw: now}
	p.log.Debug("reading file", "step", label, "file", path, "bytes", size)
}

// update records that one more row was read, bytesRead bytes into the file.
func (p *progress) update(bytesRead int64) {
	p.rows++
	p.bytes = bytesRead
	if p.rows%256 != 0 {
		return
	}
	if now := time.Now(); now.Sub(p.lastDraw) >= p.interval {
		p.lastDraw = now
		p.show(now)
	}
}

func (p *progress) show(now time.Time) {
	elapsed := now.Sub(p.started).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.rows) / elapsed
	}
	fraction := 0.0
	if p.size > 0 {
		fraction = min(float64(p.bytes)/float64(p.size), 1)
	}
	eta := time.Duration(0)
	if fraction > 0 {
		eta = time.Duration(elapsed * (1 - fraction) / fraction * float64(time.Second)).Round(time.Second)
	}
	if p.bar == nil {
		p.log.Info("import progress", "step", p.label, "file", p.path, "rows", p.rows,
			"rows_per_s", int64(rate), "percent", int(fraction*100), "eta", eta.String())
		return
	}
	const width = 30
	filled := int(fraction * width)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	fmt.Fprintf(p.bar, "\r%-12s [%s] %3d%%  %10d rows  %8.0f rows/s  ETA %-8s %s\x1b[K",
		p.label, bar, int(fraction*100), p.rows, rate, eta, filepath.Base(p.path))
	p.drawn = true
}

// finish ends the bar of the current file.
func (p *progress) finish() {
	if p.bar != nil && p.drawn {
		p.show(time.Now())
		fmt.Fprintln(p.bar)
	}
	p.drawn = false
}

// done ends progress output for the import.
func (p *progress) done() { p.finish() }
