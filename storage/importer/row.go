package importer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopsight/shopsight/storage"
)

// row is one input row as named text fields: a CSV record with its header,
// or a JSONL object whose values were turned into text (toRow in jsonl.go).
// Field names are lower case.
type row struct {
	index  map[string]int
	values []string
	line   int
}

// get returns the trimmed value of field name, or "" when the row lacks it.
func (r row) get(name string) string {
	i, ok := r.index[name]
	if !ok || i >= len(r.values) {
		return ""
	}
	return strings.TrimSpace(r.values[i])
}

// raw returns the value of field name without trimming, for free text.
func (r row) raw(name string) string {
	i, ok := r.index[name]
	if !ok || i >= len(r.values) {
		return ""
	}
	return r.values[i]
}

// rowError is why one input row is invalid. Class groups rows for the
// per-reason counts of the report ("invalid price", "malformed CSV"), and
// Err is the full reason with the offending value.
type rowError struct {
	Class string
	Err   error
}

func (e *rowError) Error() string { return e.Err.Error() }
func (e *rowError) Unwrap() error { return e.Err }

// invalidField returns a rowError for field, classed "invalid FIELD".
func invalidField(field, format string, args ...any) error {
	return &rowError{Class: "invalid " + field, Err: fmt.Errorf("invalid "+field+" "+format, args...)}
}

// missingField returns a rowError for a required field left empty.
func missingField(field string) error {
	return &rowError{Class: "missing " + field, Err: fmt.Errorf("missing %s: the field is required", field)}
}

// asRowError classifies err as a row error: a rowError as is, a store
// validation error by its field, and nil for anything else (an I/O or store
// failure that must end the import, or a strict import's InvalidRowError).
func asRowError(err error) *rowError {
	var strict *InvalidRowError
	if errors.As(err, &strict) {
		return nil
	}
	var re *rowError
	if errors.As(err, &re) {
		return re
	}
	var fe *storage.FieldError
	if errors.As(err, &fe) {
		return &rowError{Class: "invalid " + fe.Field, Err: err}
	}
	return nil
}

// InvalidRowError is the error of a strict import that met an invalid row.
type InvalidRowError struct {
	File   string
	Line   int
	Reason error
}

func (e *InvalidRowError) Error() string {
	return fmt.Sprintf("%s:%d: invalid row: %v (strict mode writes nothing from this file; fix the row or drop --strict to skip invalid rows)", e.File, e.Line, e.Reason)
}

func (e *InvalidRowError) Unwrap() error { return e.Reason }
