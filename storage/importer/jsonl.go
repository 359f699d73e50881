package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopsight/shopsight/storage"
)

// jsonObjectRow turns one JSON object into a row. Strings keep their value,
// numbers and booleans become their JSON text, null becomes empty, and
// objects and arrays keep their JSON text for the fields that hold JSON
// (attributes, category, payments, items). Keys are matched in lower case
// and must be in known.
func jsonObjectRow(data []byte, known []string, line int) (row, map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return row{}, nil, &rowError{Class: "malformed JSON", Err: fmt.Errorf("malformed JSON: %w", err)}
	}
	if obj == nil {
		return row{}, nil, &rowError{Class: "malformed JSON", Err: errors.New("malformed JSON: the line is null, not an object")}
	}
	r := row{index: make(map[string]int, len(obj)), line: line}
	names := make([]string, 0, len(obj))
	lower := make(map[string]json.RawMessage, len(obj))
	for k, raw := range obj {
		name := strings.ToLower(k)
		names = append(names, name)
		lower[name] = raw
		raw = bytes.TrimSpace(raw)
		var text string
		switch {
		case len(raw) == 0 || string(raw) == "null":
		case raw[0] == '"':
			if err := json.Unmarshal(raw, &text); err != nil {
				return r, nil, &rowError{Class: "malformed JSON", Err: fmt.Errorf("malformed JSON in field %s: %w", name, err)}
			}
		default:
			text = string(raw)
		}
		r.index[name] = len(r.values)
		r.values = append(r.values, text)
	}
	if err := checkFieldNames(names, known); err != nil {
		return r, nil, &rowError{Class: "unknown field", Err: err}
	}
	return r, lower, nil
}

// parseJSONLOrder parses one JSONL order: the order-level fields plus an
// items array of {product_id, seller_id, quantity, unit_price, freight}.
func parseJSONLOrder(r row, obj map[string]json.RawMessage, loc *time.Location) (storage.Order, error) {
	o, err := parseOrderHead(r, loc)
	if err != nil {
		return o, err
	}
	raw, ok := obj["items"]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		return o, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return o, invalidField("items", "%s: not a JSON array of objects: %w", raw, err)
	}
	for i, itemJSON := range items {
		ir, _, err := jsonObjectRow(itemJSON, itemFields, r.line)
		if err != nil {
			return o, invalidField("items", "element %d: %w", i, err)
		}
		item, ok, err := parseOrderItem(ir)
		if err != nil {
			return o, invalidField("items", "element %d: %w", i, err)
		}
		if !ok {
			return o, invalidField("items", "element %d: missing product_id", i)
		}
		o.Items = append(o.Items, item)
	}
	return o, nil
}

// jsonlFields returns the known fields of a JSONL object of kind. Orders
// take their items from an items array, not from item fields at the top.
func jsonlFields(kind storage.Kind) []string {
	if kind == storage.KindOrder {
		return append(append([]string(nil), orderFields...), "items")
	}
	known, _ := entityFields(kind)
	return known
}

// parseJSONLLine parses one JSONL line of kind into a validated record. It
// is the unit that FuzzJSONLRow drives.
func parseJSONLLine(kind storage.Kind, data []byte, line int, loc *time.Location, latin1 bool) (any, error) {
	if !latin1 && !utf8.Valid(data) {
		return nil, &rowError{Class: "invalid UTF-8", Err: errors.New("line is not valid UTF-8: if the file is Latin-1, pass --encoding latin1")}
	}
	r, obj, err := jsonObjectRow(data, jsonlFields(kind), line)
	if err != nil {
		return nil, err
	}
	switch kind {
	case storage.KindUser:
		return parseUser(r, loc)
	case storage.KindSeller:
		return parseSeller(r)
	case storage.KindProduct:
		return parseProduct(r, loc)
	case storage.KindOrder:
		o, err := parseJSONLOrder(r, obj, loc)
		if err != nil {
			return nil, err
		}
		return o, storage.ValidateOrder(&o)
	case storage.KindReview:
		return parseReview(r, loc)
	case storage.KindEvent:
		return parseEvent(r, loc)
	}
	return nil, fmt.Errorf("record kind %q has no JSONL parser", kind)
}

// scanGenericJSONL imports one JSONL file into sink. Empty lines are
// skipped; a line may end in LF or CR LF.
func (im *importer) scanGenericJSONL(ctx context.Context, f genericFile, stats *FileStats, sink *recordSink) error {
	in, err := openInput(f.path, im.opts.Encoding)
	if err != nil {
		return err
	}
	defer in.Close()
	br := bufio.NewReaderSize(in.text, 64<<10)
	orders := newOrderMerger(im, stats, sink.orders)
	latin1 := im.opts.Encoding == EncodingLatin1

	im.progress.start(entityName(f.kind), f.path, in.size)
	defer im.progress.finish()
	for line := 1; ; line++ {
		if line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// NOTE: a line is read whole, so one huge line takes that much memory.
		data, readErr := br.ReadBytes('\n')
		if readErr != nil && !errors.Is(readErr, io.EOF) {
			return fmt.Errorf("%s: read line %d: %w", f.path, line, readErr)
		}
		data = bytes.TrimRight(data, "\r\n")
		if len(bytes.TrimSpace(data)) > 0 {
			stats.add(1, 0, 0)
			im.progress.update(in.bytesRead())
			if err := im.addJSONLRecord(ctx, f.kind, data, line, latin1, sink, orders); err != nil {
				re := asRowError(err)
				if re == nil {
					return err
				}
				if rerr := im.rejectRow(stats, line, re); rerr != nil {
					return rerr
				}
			}
		}
		if readErr != nil {
			return nil
		}
	}
}

func (im *importer) addJSONLRecord(ctx context.Context, kind storage.Kind, data []byte, line int, latin1 bool, sink *recordSink, orders *orderMerger) error {
	rec, err := parseJSONLLine(kind, data, line, im.loc, latin1)
	if err != nil {
		return err
	}
	switch v := rec.(type) {
	case storage.User:
		return sink.users.add(ctx, v)
	case storage.Seller:
		return sink.sellers.add(ctx, v)
	case storage.Product:
		return sink.products.add(ctx, v)
	case storage.Order:
		return orders.addOrder(ctx, v, line)
	case storage.Review:
		return sink.reviews.add(ctx, v)
	case storage.Event:
		return sink.events.add(ctx, v)
	}
	return fmt.Errorf("record type %T has no batch", rec)
}
