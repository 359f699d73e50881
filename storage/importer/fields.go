package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Field parsers shared by the generic CSV and JSONL formats and by the
// Olist importer. Each returns a rowError naming the field.

func requiredField(r row, name string) (string, error) {
	v := r.get(name)
	if v == "" {
		return "", missingField(name)
	}
	return v, nil
}

// timeField parses field name with parseTime. An empty optional field
// returns the zero time.
func timeField(r row, name string, loc *time.Location, required bool) (time.Time, error) {
	v := r.get(name)
	if v == "" {
		if required {
			return time.Time{}, missingField(name)
		}
		return time.Time{}, nil
	}
	t, err := parseTime(v, loc)
	if err != nil {
		return time.Time{}, &rowError{Class: "invalid " + name, Err: fmt.Errorf("invalid %s: %w", name, err)}
	}
	return t, nil
}

func moneyField(r row, name string, required bool) (storage.Money, error) {
	v := r.get(name)
	if v == "" {
		if required {
			return 0, missingField(name)
		}
		return 0, nil
	}
	m, err := storage.ParseMoney(v)
	if err != nil {
		return 0, &rowError{Class: "invalid " + name, Err: fmt.Errorf("invalid %s: %w", name, err)}
	}
	return m, nil
}

// intField parses a whole number. A JSON number such as 2.0 is accepted.
func intField(r row, name string, def int64) (int64, error) {
	v := r.get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err == nil {
		return n, nil
	}
	f, ferr := strconv.ParseFloat(v, 64)
	if ferr == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f), nil
	}
	return 0, invalidField(name, "%q: not a whole number", v)
}

func floatField(r row, name string) (float64, bool, error) {
	v := r.get(name)
	if v == "" {
		return 0, false, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false, invalidField(name, "%q: not a number", v)
	}
	return f, true, nil
}

// regionFields reads country, state, city and zip.
func regionFields(r row) storage.Region {
	return storage.Region{
		Country: strings.ToUpper(r.get("country")),
		State:   r.get("state"),
		City:    r.get("city"),
		Zip:     r.get("zip"),
	}
}

// pointFields reads lat and lon, which must both be set or both be empty.
func pointFields(r row) (*storage.GeoPoint, error) {
	lat, hasLat, err := floatField(r, "lat")
	if err != nil {
		return nil, err
	}
	lon, hasLon, err := floatField(r, "lon")
	if err != nil {
		return nil, err
	}
	switch {
	case !hasLat && !hasLon:
		return nil, nil
	case hasLat != hasLon:
		return nil, &rowError{Class: "invalid location", Err: fmt.Errorf("invalid location: lat and lon must both be set or both be empty")}
	}
	return &storage.GeoPoint{Lat: lat, Lon: lon}, nil
}

// parseCategory parses a category path written "a > b > c" or as a JSON
// array of strings.
func parseCategory(v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	var path []string
	if strings.HasPrefix(v, "[") {
		if err := json.Unmarshal([]byte(v), &path); err != nil {
			return nil, invalidField("category", "%q: not a JSON array of strings: %w", v, err)
		}
	} else {
		path = strings.Split(v, ">")
	}
	for i := range path {
		path[i] = strings.TrimSpace(path[i])
		if path[i] == "" {
			return nil, invalidField("category", "%q: level %d is empty; write levels as \"a > b > c\"", v, i+1)
		}
	}
	return path, nil
}

// parseAttributes parses a JSON object. String values are kept, numbers
// and booleans become their JSON text, and null drops the key.
func parseAttributes(v string) (map[string]string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v), &obj); err != nil {
		return nil, invalidField("attributes", "%q: not a JSON object: %w", v, err)
	}
	out := make(map[string]string, len(obj))
	for k, raw := range obj {
		text, err := jsonScalarText(raw)
		if err != nil {
			return nil, invalidField("attributes", "key %q: %w", k, err)
		}
		if text != nil {
			out[k] = *text
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// jsonScalarText returns the text of a JSON string, number or boolean, and
// nil for null. Objects and arrays are an error.
func jsonScalarText(raw json.RawMessage) (*string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var text string
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, err
		}
	case '{', '[':
		return nil, fmt.Errorf("value %s is not a string, number or boolean", raw)
	default:
		text = string(raw)
	}
	return &text, nil
}

// paymentJSON is one element of the payments field.
type paymentJSON struct {
	Type         string          `json:"type"`
	Installments int32           `json:"installments"`
	Value        json.RawMessage `json:"value"`
}

// parsePayments parses a JSON array of {"type", "installments", "value"}
// objects, with value a decimal string or number.
func parsePayments(v string) ([]storage.Payment, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(v))
	dec.DisallowUnknownFields()
	var list []paymentJSON
	if err := dec.Decode(&list); err != nil {
		return nil, invalidField("payments", "%q: not a JSON array of {\"type\",\"installments\",\"value\"} objects: %w", v, err)
	}
	out := make([]storage.Payment, 0, len(list))
	for i, p := range list {
		text, err := jsonScalarText(p.Value)
		if err != nil || text == nil {
			return nil, invalidField("payments", "element %d: value %s is not a decimal amount", i, p.Value)
		}
		m, err := storage.ParseMoney(*text)
		if err != nil {
			return nil, invalidField("payments", "element %d: %w", i, err)
		}
		out = append(out, storage.Payment{Type: p.Type, Installments: p.Installments, Value: m})
	}
	return out, nil
}

// checkFieldNames returns an error naming the first field of names that is
// not in known, listing the known ones.
func checkFieldNames(names []string, known []string) error {
	set := make(map[string]bool, len(known))
	for _, k := range known {
		set[k] = true
	}
	for _, n := range names {
		if !set[n] {
			sorted := append([]string(nil), known...)
			sort.Strings(sorted)
			return fmt.Errorf("unknown field %q: use %s", n, strings.Join(sorted, ", "))
		}
	}
	return nil
}
