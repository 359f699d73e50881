// Package importer streams users, products, sellers, orders, reviews and
// behaviour events from files into a storage.Store.
//
// Three input formats are supported: the Olist Brazilian e-commerce data set
// in its original Kaggle layout (olist.go), and a generic CSV (csvformat.go)
// and JSONL (jsonl.go) layout whose columns are named like the fields of the
// storage model (entities.go). Rows are read one at a time, validated, and
// written in batches of Options.BatchSize records per transaction. Invalid
// rows are logged with file, line and reason and skipped, or end the import
// in strict mode before anything of that file is written.
//
// Every record gets a deterministic id and every write replaces the record
// with the same id, so importing the same files again, or again after the
// process was killed at any point, leaves the same store as one clean run.
package importer

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // America/Sao_Paulo must load on hosts without a zoneinfo database.

	"github.com/shopsight/shopsight/storage"
)

// Format is an input layout.
type Format string

// Input formats.
const (
	FormatOlist Format = "olist"
	FormatCSV   Format = "csv"
	FormatJSONL Format = "jsonl"
)

// ParseFormat parses "olist", "csv" or "jsonl" in any case.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatOlist, FormatCSV, FormatJSONL:
		return f, nil
	}
	return "", fmt.Errorf("invalid format %q: use olist, csv or jsonl", s)
}

// Encoding is the character encoding of the input files.
type Encoding string

// Supported encodings. UTF-8 input may start with a byte order mark.
const (
	EncodingUTF8   Encoding = "utf-8"
	EncodingLatin1 Encoding = "latin1"
)

// ParseEncoding parses "utf-8" (or "utf8") and "latin1" (or "latin-1",
// "iso-8859-1") in any case.
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "utf-8", "utf8":
		return EncodingUTF8, nil
	case "latin1", "latin-1", "iso-8859-1", "iso8859-1":
		return EncodingLatin1, nil
	}
	return "", fmt.Errorf("invalid encoding %q: use utf-8 or latin1", s)
}

// entityNames maps the plural entity names used in flags and file names to
// record kinds.
var entityNames = map[string]storage.Kind{
	"users":    storage.KindUser,
	"products": storage.KindProduct,
	"sellers":  storage.KindSeller,
	"orders":   storage.KindOrder,
	"reviews":  storage.KindReview,
	"events":   storage.KindEvent,
}

// ParseEntity parses a plural entity name such as "users" or "orders".
func ParseEntity(s string) (storage.Kind, error) {
	if k, ok := entityNames[strings.ToLower(strings.TrimSpace(s))]; ok {
		return k, nil
	}
	return "", fmt.Errorf("unknown entity %q: use users, products, sellers, orders, reviews or events", s)
}

// entityName returns the plural name of k, as used in file names.
func entityName(k storage.Kind) string { return string(k) + "s" }

// DefaultTimeZone is the zone of Olist's timestamps, which are local times
// in São Paulo without an offset.
const DefaultTimeZone = "America/Sao_Paulo"

// Options configures an import. Start from DefaultOptions and change fields
// with the WithX methods.
type Options struct {
	Format Format
	// Entity is the record kind of every generic CSV or JSONL file. When
	// empty, each file's kind comes from its name (users.csv, orders.jsonl).
	Entity   storage.Kind
	Encoding Encoding
	// Strict stops at the first invalid row. Each file is validated in a
	// first pass and written in a second, so nothing of a file with an
	// invalid row is written.
	Strict bool
	// BatchSize is the number of records per Put call.
	BatchSize int
	// Location is the zone of timestamps without an offset. Nil means
	// America/Sao_Paulo for Olist and UTC for CSV and JSONL.
	Location *time.Location
	Logger   *slog.Logger
	// Progress receives a progress bar when ProgressTerminal is set. When it
	// is not set, progress goes to Logger every ProgressInterval.
	Progress         io.Writer
	ProgressTerminal bool
	ProgressInterval time.Duration
	// MaxLoggedInvalid is the number of invalid rows logged one by one
	// before further ones are logged at most once per ProgressInterval.
	MaxLoggedInvalid int
}

// DefaultOptions returns options for a non-strict UTF-8 import in batches
// of 500 records, logging progress every 5 seconds.
func DefaultOptions(format Format) Options {
	return Options{
		Format:           format,
		Encoding:         EncodingUTF8,
		BatchSize:        500,
		Logger:           slog.Default(),
		ProgressInterval: 5 * time.Second,
		MaxLoggedInvalid: 20,
	}
}

// WithEntity sets the record kind of every generic input file.
func (o Options) WithEntity(k storage.Kind) Options { o.Entity = k; return o }

// WithEncoding sets the character encoding of the input files.
func (o Options) WithEncoding(e Encoding) Options { o.Encoding = e; return o }

// WithStrict sets whether the first invalid row ends the import.
func (o Options) WithStrict(v bool) Options { o.Strict = v; return o }

// WithBatchSize sets the number of records per Put call.
func (o Options) WithBatchSize(n int) Options { o.BatchSize = n; return o }

// WithLocation sets the zone of timestamps without an offset.
func (o Options) WithLocation(loc *time.Location) Options { o.Location = loc; return o }

// WithLogger sets the logger for progress, invalid rows and the summary.
func (o Options) WithLogger(l *slog.Logger) Options { o.Logger = l; return o }

// WithProgress sets where progress goes: a bar on w when terminal is true,
// otherwise log lines.
func (o Options) WithProgress(w io.Writer, terminal bool) Options {
	o.Progress = w
	o.ProgressTerminal = terminal
	return o
}

// WithProgressInterval sets how often progress is logged when no terminal
// shows the bar.
func (o Options) WithProgressInterval(d time.Duration) Options { o.ProgressInterval = d; return o }

// WithMaxLoggedInvalid sets how many invalid rows are logged one by one.
func (o Options) WithMaxLoggedInvalid(n int) Options { o.MaxLoggedInvalid = n; return o }

func (o Options) check() error {
	if _, err := ParseFormat(string(o.Format)); err != nil {
		return err
	}
	if _, err := ParseEncoding(string(o.Encoding)); err != nil {
		return err
	}
	if o.BatchSize <= 0 {
		return fmt.Errorf("invalid batch size %d: must be at least 1", o.BatchSize)
	}
	if o.Entity != "" && o.Format == FormatOlist {
		return fmt.Errorf("entity %q is set for the olist format, which tells entities by file name; drop --entity", o.Entity)
	}
	if o.ProgressInterval <= 0 {
		return fmt.Errorf("invalid progress interval %s: must be positive", o.ProgressInterval)
	}
	return nil
}

// importer is the state of one Import call.
type importer struct {
	store    *storage.Store
	opts     Options
	log      *slog.Logger
	loc      *time.Location
	report   *Report
	progress *progress
	invalid  *invalidLog
}

// Import reads the files at paths (files or directories) in opts.Format and
// writes their records to st. It returns the report of rows read, written
// and skipped, also when it fails part way.
func Import(ctx context.Context, st *storage.Store, opts Options, paths []string) (*Report, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("missing input: name at least one file or directory to import")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
		if opts.Format == FormatOlist {
			l, err := time.LoadLocation(DefaultTimeZone)
			if err != nil {
				return nil, fmt.Errorf("load time zone %s: %w", DefaultTimeZone, err)
			}
			loc = l
		}
	}
	im := &importer{
		store:    st,
		opts:     opts,
		log:      opts.Logger,
		loc:      loc,
		report:   newReport(),
		progress: newProgress(opts),
		invalid:  newInvalidLog(opts.Logger, opts.MaxLoggedInvalid, opts.ProgressInterval),
	}
	var err error
	switch opts.Format {
	case FormatOlist:
		err = im.importOlist(ctx, paths)
	default:
		err = im.importGeneric(ctx, paths)
	}
	im.progress.done()
	im.invalid.flush()
	im.report.Elapsed = time.Since(im.report.started)
	return im.report, err
}

// genericFile is one generic input file and the kind of its records.
type genericFile struct {
	path string
	kind storage.Kind
}

// listGeneric expands directories to their .csv or .jsonl files and tells
// each file's entity, then orders the files by storage.Kinds so that sellers
// and products exist before the orders that name them.
func (im *importer) listGeneric(paths []string) ([]genericFile, error) {
	ext := "." + string(im.opts.Format)
	var files []genericFile
	add := func(path string) error {
		kind := im.opts.Entity
		if kind == "" {
			base := strings.ToLower(filepath.Base(path))
			k, err := ParseEntity(strings.TrimSuffix(base, filepath.Ext(base)))
			if err != nil {
				return fmt.Errorf("cannot tell the entity of %s from its name: %w; rename it (users%s, orders%s, …) or pass --entity", path, err, ext, ext)
			}
			kind = k
		}
		files = append(files, genericFile{path: path, kind: kind})
		return nil
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", p, err)
		}
		if !info.IsDir() {
			if err := add(p); err != nil {
				return nil, err
			}
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("list input directory %s: %w", p, err)
		}
		found := false
		for _, e := range entries {
			if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ext) {
				continue
			}
			if err := add(filepath.Join(p, e.Name())); err != nil {
				return nil, err
			}
			found = true
		}
		if !found {
			return nil, fmt.Errorf("input directory %s has no %s files; pass the files or pick --format", p, ext)
		}
	}
	order := map[storage.Kind]int{}
	for i, k := range storage.Kinds {
		order[k] = i
	}
	sort.SliceStable(files, func(i, j int) bool { return order[files[i].kind] < order[files[j].kind] })
	return files, nil
}

// importGeneric imports generic CSV or JSONL files.
func (im *importer) importGeneric(ctx context.Context, paths []string) error {
	files, err := im.listGeneric(paths)
	if err != nil {
		return err
	}
	for _, f := range files {
		fs := im.report.file(f.path, f.kind)
		err := im.runFile(ctx, fs, func(ctx context.Context, write bool) error {
			sink := newRecordSink(im, f.kind, write, fs)
			var err error
			if im.opts.Format == FormatCSV {
				err = im.scanGenericCSV(ctx, f, fs, sink)
			} else {
				err = im.scanGenericJSONL(ctx, f, fs, sink)
			}
			if err != nil {
				return err
			}
			return sink.flush(ctx)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// runFile runs pass once, writing, or in strict mode first without writing
// so that an invalid row stops the import before the file writes anything.
func (im *importer) runFile(ctx context.Context, fs *FileStats, pass func(ctx context.Context, write bool) error) error {
	if im.opts.Strict {
		if err := pass(ctx, false); err != nil {
			return err
		}
		fs.resetCounts()
	}
	return pass(ctx, true)
}
