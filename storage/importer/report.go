package importer

import (
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Report is the outcome of an import: rows read, records written and rows
// skipped per file and per entity.
type Report struct {
	// Files lists every input file in the order it was read. A file read in
	// several passes appears once.
	Files   []*FileStats
	Elapsed time.Duration
	started time.Time
	byPath  map[string]*FileStats
}

// FileStats counts one input file's rows.
type FileStats struct {
	Path string
	// Kind is the record kind the file's rows become, or "" for a lookup
	// file (Olist geolocation, category translation, items, payments)
	// whose rows feed other records.
	Kind storage.Kind
	// Rows is the number of data rows read, header rows excluded.
	Rows int64
	// Written is the number of records written. It differs from Rows minus
	// Skipped where rows merge into one record (order items, customers of
	// the same person).
	Written int64
	Skipped int64
	// Reasons counts skipped rows by the class of their reason, such as
	// "invalid price" or "malformed CSV".
	Reasons map[string]int64
	// quiet stats belong to an extra pass whose rows a later pass reports,
	// so rejectRow neither logs nor fails on them.
	quiet bool
	mu    sync.Mutex
}

// EntityStats sums the FileStats of one record kind.
type EntityStats struct {
	Kind    storage.Kind
	Rows    int64
	Written int64
	Skipped int64
}

func newReport() *Report {
	return &Report{started: time.Now(), byPath: map[string]*FileStats{}}
}

// file returns the stats of path, adding them on first use.
func (r *Report) file(path string, kind storage.Kind) *FileStats {
	if fs, ok := r.byPath[path]; ok {
		return fs
	}
	fs := &FileStats{Path: path, Kind: kind, Reasons: map[string]int64{}}
	r.byPath[path] = fs
	r.Files = append(r.Files, fs)
	return fs
}

func (fs *FileStats) add(rows, written, skipped int64) {
	fs.mu.Lock()
	fs.Rows += rows
	fs.Written += written
	fs.Skipped += skipped
	fs.mu.Unlock()
}

func (fs *FileStats) skip(class string) {
	fs.mu.Lock()
	fs.Skipped++
	fs.Reasons[class]++
	fs.mu.Unlock()
}

// resetCounts clears the counts of a validation pass before the write pass.
func (fs *FileStats) resetCounts() {
	fs.mu.Lock()
	fs.Rows, fs.Written, fs.Skipped = 0, 0, 0
	fs.Reasons = map[string]int64{}
	fs.mu.Unlock()
}

// Entities returns the per-kind totals in storage.Kinds order, for the kinds
// that had input.
func (r *Report) Entities() []EntityStats {
	var out []EntityStats
	for _, k := range storage.Kinds {
		es := EntityStats{Kind: k}
		found := false
		for _, fs := range r.Files {
			if fs.Kind == k {
				found = true
				es.Rows += fs.Rows
				es.Written += fs.Written
				es.Skipped += fs.Skipped
			}
		}
		if found {
			out = append(out, es)
		}
	}
	return out
}

// TotalRows returns the data rows read from all files.
func (r *Report) TotalRows() int64 {
	var n int64
	for _, fs := range r.Files {
		n += fs.Rows
	}
	return n
}

// WriteSummary writes a table of rows read, written and skipped per entity,
// the skip reasons per file, and the elapsed time and throughput.
func (r *Report) WriteSummary(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "entity\trows read\twritten\tskipped\t")
	for _, es := range r.Entities() {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", entityName(es.Kind), es.Rows, es.Written, es.Skipped)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, fs := range r.Files {
		if fs.Skipped == 0 {
			continue
		}
		fmt.Fprintf(w, "%s: %d of %d rows skipped\n", fs.Path, fs.Skipped, fs.Rows)
		classes := make([]string, 0, len(fs.Reasons))
		for c := range fs.Reasons {
			classes = append(classes, c)
		}
		sort.Strings(classes)
		for _, c := range classes {
			fmt.Fprintf(w, "  %6d  %s\n", fs.Reasons[c], c)
		}
	}
	secs := r.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(r.TotalRows()) / secs
	}
	_, err := fmt.Fprintf(w, "%d rows in %.2f s (%.0f rows/s)\n", r.TotalRows(), secs, rate)
	return err
}

// rejectRow handles an invalid row: in strict mode it returns an
// *InvalidRowError that ends the import; otherwise it counts and logs the
// row and returns nil.
func (im *importer) rejectRow(fs *FileStats, line int, err error) error {
	re := asRowError(err)
	if re == nil {
		re = &rowError{Class: "invalid row", Err: err}
	}
	if fs.quiet {
		return nil
	}
	if im.opts.Strict {
		return &InvalidRowError{File: fs.Path, Line: line, Reason: re}
	}
	fs.skip(re.Class)
	im.invalid.log(fs.Path, line, re)
	return nil
}

// invalidLog logs invalid rows: the first max one by one, then at most one
// line per interval that also counts the rows not logged since.
type invalidLog struct {
	logger     *slog.Logger
	max        int
	interval   time.Duration
	logged     int
	suppressed int
	lastLog    time.Time
}

func newInvalidLog(l *slog.Logger, max int, interval time.Duration) *invalidLog {
	return &invalidLog{logger: l, max: max, interval: interval}
}

func (l *invalidLog) log(path string, line int, re *rowError) {
	now := time.Now()
	if l.logged >= l.max && now.Sub(l.lastLog) < l.interval {
		l.suppressed++
		return
	}
	attrs := []any{"file", path, "line", line, "reason", re.Err.Error()}
	if l.suppressed > 0 {
		attrs = append(attrs, "not_logged_since", l.suppressed)
	}
	l.logger.Warn("skipping invalid row", attrs...)
	l.logged++
	l.suppressed = 0
	l.lastLog = now
}

// flush logs the count of invalid rows not logged yet.
func (l *invalidLog) flush() {
	if l.suppressed > 0 {
		l.logger.Warn("more invalid rows were skipped without a log line; the summary counts them per reason", "not_logged", l.suppressed)
		l.suppressed = 0
	}
}
