package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/shopsight/shopsight/storage"
)

// csvHeader is the parsed header row of a CSV file.
type csvHeader struct {
	names []string
	index map[string]int
}

// parseCSVHeader lower-cases and trims the column names and checks them:
// each required column must be present, and when known is not nil every
// column must be in it.
func parseCSVHeader(record []string, required, known []string) (csvHeader, error) {
	h := csvHeader{index: make(map[string]int, len(record))}
	for i, name := range record {
		name = strings.ToLower(strings.TrimSpace(name))
		if !utf8.ValidString(name) {
			return h, fmt.Errorf("header column %d is not valid UTF-8: convert the file to UTF-8 or pass --encoding latin1", i+1)
		}
		if _, dup := h.index[name]; dup {
			return h, fmt.Errorf("header names column %q twice: rename one", name)
		}
		h.index[name] = i
		h.names = append(h.names, name)
	}
	if known != nil {
		if err := checkFieldNames(h.names, known); err != nil {
			return h, fmt.Errorf("header: %w", err)
		}
	}
	for _, r := range required {
		if _, ok := h.index[r]; !ok {
			return h, fmt.Errorf("header lacks the required column %q (found %s)", r, strings.Join(h.names, ", "))
		}
	}
	return h, nil
}

// isHeader reports whether record repeats the header, as files concatenated
// with their headers do.
func (h csvHeader) isHeader(record []string) bool {
	if len(record) != len(h.names) {
		return false
	}
	for i, v := range record {
		if strings.ToLower(strings.TrimSpace(v)) != h.names[i] {
			return false
		}
	}
	return true
}

// csvRow turns one CSV record into a row, checking its width and encoding.
func (h csvHeader) csvRow(record []string, line int, latin1 bool) (row, error) {
	r := row{index: h.index, values: record, line: line}
	if len(record) != len(h.names) {
		return r, &rowError{Class: "wrong column count", Err: fmt.Errorf("row has %d columns, the header has %d: quote fields that contain commas", len(record), len(h.names))}
	}
	if !latin1 {
		for i, v := range record {
			if !utf8.ValidString(v) {
				return r, &rowError{Class: "invalid UTF-8", Err: fmt.Errorf("column %q: value is not valid UTF-8: if the file is Latin-1, pass --encoding latin1", h.names[i])}
			}
		}
	}
	return r, nil
}

// scanCSV reads the CSV file at path and calls handle for each data row.
// Malformed rows and rows for which handle returns a *rowError are passed to
// rejectRow; any other error from handle ends the scan. label names the
// step in progress output.
func (im *importer) scanCSV(ctx context.Context, path, label string, stats *FileStats, required, known []string, handle func(row) error) error {
	in, err := openInput(path, im.opts.Encoding)
	if err != nil {
		return err
	}
	defer in.Close()
	cr := csv.NewReader(in.text)
	cr.FieldsPerRecord = -1
	latin1 := im.opts.Encoding == EncodingLatin1

	first, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: empty file: a CSV file needs a header row", path)
	}
	if err != nil {
		return fmt.Errorf("%s: read header: %w", path, err)
	}
	header, err := parseCSVHeader(slices.Clone(first), required, known)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}

	im.progress.start(label, path, in.size)
	defer im.progress.finish()
	for rows := 0; ; rows++ {
		if rows%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return fmt.Errorf("%s: read: %w", path, err)
			}
			stats.add(1, 0, 0)
			if rerr := im.rejectRow(stats, pe.StartLine, &rowError{Class: "malformed CSV", Err: fmt.Errorf("malformed CSV: %w", pe.Err)}); rerr != nil {
				return rerr
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		im.progress.update(in.bytesRead())
		if header.isHeader(record) {
			continue
		}
		stats.add(1, 0, 0)
		r, err := header.csvRow(record, line, latin1)
		if err == nil {
			err = handle(r)
		}
		if err != nil {
			re := asRowError(err)
			if re == nil {
				return err
			}
			if rerr := im.rejectRow(stats, line, re); rerr != nil {
				return rerr
			}
		}
	}
}

// scanGenericCSV imports one generic CSV file into sink.
func (im *importer) scanGenericCSV(ctx context.Context, f genericFile, stats *FileStats, sink *recordSink) error {
	known, required := entityFields(f.kind)
	label := entityName(f.kind)
	if f.kind != storage.KindOrder {
		return im.scanCSV(ctx, f.path, label, stats, required, known, func(r row) error {
			return sink.addRow(ctx, r)
		})
	}
	merger := newOrderMerger(im, stats, sink.orders)
	err := im.scanCSV(ctx, f.path, label, stats, required, known, func(r row) error {
		return merger.addRow(ctx, r)
	})
	if err != nil {
		return err
	}
	return merger.flush(ctx)
}
