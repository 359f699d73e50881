// Package eval measures forecast accuracy on held-out data. It reads series
// from CSV files, holds out the last h values of each series and fits each
// model on the rest. It reports sMAPE, MASE, RMSSE, interval coverage and
// fitting time per model and per series.
//
// EvaluateFile with Options (WithHorizon, WithSeason, WithModels,
// WithWorkers) and Report.WriteJSON cover the flags of the command
// `shopsight eval forecast --series SERIES.csv --horizon H [--season S]
// [--models ...] [--out FILE]`.
package eval

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Series is one named series to evaluate.
type Series struct {
	ID     string
	Values []float64
}

// newCSVReader returns a csv.Reader over r with a leading UTF-8 byte order
// mark removed. encoding/csv already treats CRLF line endings as LF.
func newCSVReader(r io.Reader) (*csv.Reader, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\xef\xbb\xbf" {
		if _, err := br.Discard(3); err != nil {
			return nil, fmt.Errorf("eval: skipping byte order mark: %w", err)
		}
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	return cr, nil
}

// ReadLong reads rows of series_id,date,value (with that header) and returns
// the series in order of first appearance, each sorted by date. Dates are
// YYYY-MM-DD. It returns an error naming the line of a malformed row or a
// duplicate date.
func ReadLong(r io.Reader) ([]Series, error) {
	cr, err := newCSVReader(r)
	if err != nil {
		return nil, err
	}
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("eval: reading header: %w", err)
	}
	want := []string{"series_id", "date", "value"}
	if len(header) != 3 || !slices.EqualFunc(header, want, func(a, b string) bool { return strings.EqualFold(strings.TrimSpace(a), b) }) {
		return nil, fmt.Errorf("eval: header is %q, want series_id,date,value", header)
	}

	type point struct {
		date  time.Time
		value float64
	}
	points := make(map[string][]point)
	var ids []string
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("eval: reading line %d: %w", line, err)
		}
		id := strings.TrimSpace(rec[0])
		date, err := time.Parse(time.DateOnly, strings.TrimSpace(rec[1]))
		if err != nil {
			return nil, fmt.Errorf("eval: line %d: date %q is not YYYY-MM-DD: %w", line, rec[1], err)
		}
		value, err := strconv.ParseFloat(strings.TrimSpace(rec[2]), 64)
		if err != nil {
			return nil, fmt.Errorf("eval: line %d: value %q is not a number: %w", line, rec[2], err)
		}
		if _, seen := points[id]; !seen {
			ids = append(ids, id)
		}
		points[id] = append(points[id], point{date, value})
	}

	out := make([]Series, 0, len(ids))
	for _, id := range ids {
		ps := points[id]
		slices.SortStableFunc(ps, func(a, b point) int { return a.date.Compare(b.date) })
		s := Series{ID: id, Values: make([]float64, len(ps))}
		for i, p := range ps {
			if i > 0 && p.date.Equal(ps[i-1].date) {
				return nil, fmt.Errorf("eval: series %q has two values for %s: keep one row per date", id, p.date.Format(time.DateOnly))
			}
			s.Values[i] = p.value
		}
		out = append(out, s)
	}
	return out, nil
}

// ReadWide reads a table whose first column is the date and whose other
// columns are series, one row per date in time order (the layout of the M5
// state and store totals). Column headers become series IDs.
func ReadWide(r io.Reader) ([]Series, error) {
	cr, err := newCSVReader(r)
	if err != nil {
		return nil, err
	}
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("eval: reading header: %w", err)
	}
	if len(header) < 2 {
		return nil, fmt.Errorf("eval: header %q has no series columns after the date", header)
	}
	out := make([]Series, len(header)-1)
	for i, name := range header[1:] {
		out[i].ID = strings.TrimSpace(name)
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("eval: reading line %d: %w", line, err)
		}
		for i, field := range rec[1:] {
			v, err := strconv.ParseFloat(strings.TrimSpace(field), 64)
			if err != nil {
				return nil, fmt.Errorf("eval: line %d, column %q: value %q is not a number: %w", line, out[i].ID, field, err)
			}
			out[i].Values = append(out[i].Values, v)
		}
	}
	return out, nil
}

// ReadRows reads a table with one series per row: an ID column, then one
// column per time step in order (the layout of the M5 sales files: id, then
// d_1, d_2, ...).
func ReadRows(r io.Reader) ([]Series, error) {
	cr, err := newCSVReader(r)
	if err != nil {
		return nil, err
	}
	if _, err := cr.Read(); err != nil {
		return nil, fmt.Errorf("eval: reading header: %w", err)
	}
	var out []Series
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("eval: reading line %d: %w", line, err)
		}
		if len(rec) < 2 {
			return nil, fmt.Errorf("eval: line %d has no value columns", line)
		}
		s := Series{ID: rec[0], Values: make([]float64, 0, len(rec)-1)}
		for col, field := range rec[1:] {
			v, err := strconv.ParseFloat(strings.TrimSpace(field), 64)
			if err != nil {
				return nil, fmt.Errorf("eval: line %d, column %d: value %q is not a number: %w", line, col+2, field, err)
			}
			s.Values = append(s.Values, v)
		}
		out = append(out, s)
	}
	return out, nil
}
