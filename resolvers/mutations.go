package resolvers

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopsight/shopsight/graph/errcode"
	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/storage"
)

// Creates write with storage.InsertOnly and updates with
// storage.UpdateOnly, so the store checks existence in the transaction of
// the write. Two concurrent creates of one id give one record and one
// BAD_USER_INPUT, and an update that races a delete gives NOT_FOUND instead
// of writing the record back.
//
// NOTE: an update reads the record, merges the patch and writes the whole
// record, so of two concurrent updates of one record the later write wins,
// even for fields that only the earlier one set.

// insertError maps the non-nil error of an InsertOnly write: an existing id
// is BAD_USER_INPUT on field "id".
func insertError(kind storage.Kind, id, updateMutation string, err error) error {
	if errors.Is(err, storage.ErrExists) {
		return errcode.BadInput("id", "%s %q already exists; use %s to change it or pick another id", kind, id, updateMutation)
	}
	return putError(kind, id, err)
}

// checkExisting checks the point read of a record to be updated: it
// returns NOT_FOUND when the read found none, and wraps other read errors.
func checkExisting(kind storage.Kind, id string, readErr error) error {
	if errors.Is(readErr, storage.ErrNotFound) {
		return errcode.NotFoundf("%s %q not found; check the id", kind, id)
	}
	if readErr != nil {
		return fmt.Errorf("read %s %q: %w", kind, id, readErr)
	}
	return nil
}

// updateError maps the non-nil error of an UpdateOnly write: a record
// deleted since the read is NOT_FOUND.
func updateError(kind storage.Kind, id string, err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return errcode.NotFoundf("%s %q not found; check the id", kind, id)
	}
	return putError(kind, id, err)
}

// deleted returns id after a successful delete, or NOT_FOUND.
func deleted(kind storage.Kind, id string, err error) (string, error) {
	if errors.Is(err, storage.ErrNotFound) {
		return "", errcode.NotFoundf("%s %q not found; check the id", kind, id)
	}
	if err != nil {
		return "", fmt.Errorf("delete %s %q: %w", kind, id, err)
	}
	return id, nil
}

// putError wraps a failed write; *storage.FieldError keeps its type for the
// presenter, which maps it to BAD_USER_INPUT with the field.
func putError(kind storage.Kind, id string, err error) error {
	return fmt.Errorf("write %s %q: %w", kind, id, err)
}

func requireText(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return errcode.BadInput(field, "missing %s: must not be empty", field)
	}
	return nil
}

func regionInput(r *model.RegionInput) storage.Region {
	if r == nil {
		return storage.Region{}
	}
	return storage.Region{Country: deref(r.Country), State: deref(r.State), City: deref(r.City), Zip: deref(r.Zip)}
}

func pointInput(p *model.GeoPointInput) *storage.GeoPoint {
	if p == nil {
		return nil
	}
	return &storage.GeoPoint{Lat: p.Lat, Lon: p.Lon}
}

// attributesInput returns the attribute map and rejects empty or repeated
// keys.
func attributesInput(in []*model.AttributeInput) (map[string]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(in))
	for i, a := range in {
		field := fmt.Sprintf("attributes[%d].key", i)
		if err := requireText(field, a.Key); err != nil {
			return nil, err
		}
		if _, dup := out[a.Key]; dup {
			return nil, errcode.BadInput(field, "duplicate attribute key %q: give each key once", a.Key)
		}
		out[a.Key] = a.Value
	}
	return out, nil
}

func checkRating(v int32) error {
	if v < 1 || v > 5 {
		return errcode.BadInput("rating", "invalid rating %d: must be from 1 to 5", v)
	}
	return nil
}
