package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/importer"
)

// importCommand streams Olist, generic CSV or JSONL files into the store.
func importCommand() command {
	return command{
		name:    "import",
		summary: "import Olist, CSV or JSONL files into the store",
		run:     runImport,
	}
}

func runImport(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "import", "import --data DIR --format olist|csv|jsonl [flags] PATH...")
	var lf logFlags
	lf.register(fs)
	dataDir := fs.String("data", "", "store directory, created when missing (required; no default)")
	formatName := fs.String("format", "", "input format: olist (Kaggle file names), csv or jsonl (required; no default)")
	entityName := fs.String("entity", "", "record kind of every csv/jsonl file: users, products, sellers, orders, reviews or events (default: from each file name, such as users.csv)")
	encodingName := fs.String("encoding", "utf-8", "character encoding of the input files: utf-8 or latin1")
	strict := fs.Bool("strict", false, "stop at the first invalid row and write nothing from its file (default false: skip and count invalid rows)")
	batch := fs.Int("batch", 500, "records written per transaction, a count")
	zone := fs.String("time-zone", "", "IANA time zone of timestamps without a UTC offset (default: America/Sao_Paulo for olist, UTC for csv and jsonl)")
	progressEvery := fs.Duration("progress-interval", 5*time.Second, "interval between progress log lines when stderr is not a terminal, a duration")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := lf.newLogger(a.stderr)
	if err != nil {
		return err
	}
	if *dataDir == "" {
		return errors.New("missing --data: name the store directory to import into")
	}
	if *formatName == "" {
		return errors.New("missing --format: use olist, csv or jsonl")
	}
	format, err := importer.ParseFormat(*formatName)
	if err != nil {
		return err
	}
	enc, err := importer.ParseEncoding(*encodingName)
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("missing input: name the files or directories to import after the flags")
	}
	if err := checkFlagsBeforeArgs(fs, args); err != nil {
		return err
	}
	// Check the inputs before Open creates the data directory, so that a
	// mistyped path leaves nothing behind.
	for _, path := range fs.Args() {
		if _, err := os.Stat(path); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("input path %s does not exist: check the path", path)
			}
			return fmt.Errorf("read input path %s: %w", path, err)
		}
	}
	opts := importer.DefaultOptions(format).
		WithEncoding(enc).
		WithStrict(*strict).
		WithBatchSize(*batch).
		WithLogger(logger).
		WithProgressInterval(*progressEvery).
		WithProgress(a.stderr, isTerminal(a.stderr))
	if *entityName != "" {
		kind, err := importer.ParseEntity(*entityName)
		if err != nil {
			return err
		}
		opts = opts.WithEntity(kind)
	}
	if *zone != "" {
		loc, err := time.LoadLocation(*zone)
		if err != nil {
			return fmt.Errorf("invalid --time-zone %q: %w; use an IANA name such as America/Sao_Paulo or UTC", *zone, err)
		}
		opts = opts.WithLocation(loc)
	}
	if *batch <= 0 {
		return fmt.Errorf("invalid --batch %d: must be at least 1", *batch)
	}

	st, err := storage.Open(storeOptions(*dataDir, logger).WithBatchSize(*batch))
	if err != nil {
		return err
	}
	logger.Info("import started", "data", *dataDir, "format", format, "inputs", fs.Args())
	report, importErr := importer.Import(ctx, st, opts, fs.Args())
	closeErr := st.Close()
	if report != nil {
		if err := report.WriteSummary(a.stdout); err != nil {
			return fmt.Errorf("write import summary: %w", err)
		}
	}
	if importErr != nil {
		return fmt.Errorf("import into %s: %w", *dataDir, importErr)
	}
	if closeErr != nil {
		return closeErr
	}
	return checkImported(report)
}

// checkImported returns an error when the import read record rows but
// wrote none, so that a run whose every row was invalid exits non-zero.
// Lookup files, such as Olist geolocation, write no records of their own
// and do not count.
func checkImported(report *importer.Report) error {
	if report == nil {
		return nil
	}
	var rows, written int64
	for _, es := range report.Entities() {
		rows += es.Rows
		written += es.Written
	}
	if rows > 0 && written == 0 {
		return fmt.Errorf("no row was imported: all %d rows were invalid; see the messages above", rows)
	}
	return nil
}

// isTerminal reports whether w is a terminal, so progress can redraw a bar.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
