// Package eval measures ShopSight's recommendation models offline: it reads
// interaction logs, splits them into train and test sets, trains every model
// on the train set and scores top-k rankings against the test set.
package eval

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/shopsight/shopsight/ml/recommend"
)

// Format is the layout of an interaction file.
type Format int

// Supported formats.
const (
	// FormatInteractions is INTERACTIONS.csv: comma-separated
	// user_id,item_id,timestamp[,event] with an optional header row. With a
	// header, the optional columns region and order_id are read too. The
	// timestamp is unix seconds or RFC 3339, and a missing event means view.
	FormatInteractions Format = iota
	// FormatMovieLens is MovieLens u.data: tab-separated
	// user item rating timestamp. Every rating counts as a view interaction,
	// whatever its value.
	FormatMovieLens
	// FormatTaobao is the Taobao UserBehavior log: comma-separated
	// user_id,item_id,category_id,behavior_type,timestamp with behavior_type
	// pv, cart, fav or buy, and no header.
	FormatTaobao
)

// ParseFormat parses "interactions", "movielens" or "taobao".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "interactions", "csv":
		return FormatInteractions, nil
	case "movielens", "ml":
		return FormatMovieLens, nil
	case "taobao":
		return FormatTaobao, nil
	}
	return 0, fmt.Errorf("parse format %q: unknown format; use interactions, movielens or taobao", s)
}

// String returns the name ParseFormat accepts.
func (f Format) String() string {
	switch f {
	case FormatInteractions:
		return "interactions"
	case FormatMovieLens:
		return "movielens"
	case FormatTaobao:
		return "taobao"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ReadFile reads an interaction file in the given format.
func ReadFile(path string, format Format) ([]recommend.Interaction, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read interactions: %w", err)
	}
	defer f.Close()
	out, err := Read(f, format)
	if err != nil {
		return nil, fmt.Errorf("read interactions from %s: %w", path, err)
	}
	return out, nil
}

// Read reads interactions in the given format. A UTF-8 byte order mark and
// CRLF line endings are accepted. Errors name the line.
func Read(r io.Reader, format Format) ([]recommend.Interaction, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if format == FormatMovieLens {
		cr.Comma = '\t'
	}
	var parse func(rec []string) (recommend.Interaction, error)
	switch format {
	case FormatInteractions:
		parse = nil // set after the header check
	case FormatMovieLens:
		parse = parseMovieLens
	case FormatTaobao:
		parse = parseTaobao
	default:
		return nil, fmt.Errorf("read interactions: unknown format %d", int(format))
	}
	var out []recommend.Interaction
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if parse == nil {
			cols, isHeader, err := interactionColumns(rec)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			parse = cols.parse
			if isHeader {
				continue
			}
		}
		in, err := parse(rec)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, in)
	}
}

// columns holds the field positions of an INTERACTIONS.csv file, where -1 marks
// an absent optional column.
type columns struct{ user, item, timestamp, event, region, order int }

// interactionColumns detects a header row and returns the column layout.
func interactionColumns(first []string) (columns, bool, error) {
	positional := columns{user: 0, item: 1, timestamp: 2, event: 3, region: -1, order: -1}
	if len(first) < 3 {
		return columns{}, false, fmt.Errorf("expected at least 3 fields user_id,item_id,timestamp, found %d", len(first))
	}
	if _, err := parseTime(first[2]); err == nil {
		return positional, false, nil
	}
	c := columns{user: -1, item: -1, timestamp: -1, event: -1, region: -1, order: -1}
	for i, name := range first {
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "user_id", "user":
			c.user = i
		case "item_id", "item", "product_id":
			c.item = i
		case "timestamp", "time":
			c.timestamp = i
		case "event", "event_type":
			c.event = i
		case "region":
			c.region = i
		case "order_id", "order", "basket_id":
			c.order = i
		}
	}
	if c.user < 0 || c.item < 0 || c.timestamp < 0 {
		return columns{}, false, fmt.Errorf("invalid header %q: it needs user_id, item_id and timestamp columns, or, for a file without a header, a valid timestamp in field 3 (found %q)", strings.Join(first, ","), first[2])
	}
	return c, true, nil
}

func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func (c columns) parse(rec []string) (recommend.Interaction, error) {
	if len(rec) < 3 {
		return recommend.Interaction{}, fmt.Errorf("expected at least 3 fields user_id,item_id,timestamp, found %d", len(rec))
	}
	ts, err := parseTime(field(rec, c.timestamp))
	if err != nil {
		return recommend.Interaction{}, err
	}
	ev := recommend.EventView
	if s := field(rec, c.event); s != "" {
		if ev, err = recommend.ParseEventType(s); err != nil {
			return recommend.Interaction{}, err
		}
	}
	return recommend.Interaction{
		User: field(rec, c.user), Item: field(rec, c.item), Time: ts, Event: ev,
		Region: field(rec, c.region), Order: field(rec, c.order),
	}, nil
}

// parseTime accepts unix seconds or RFC 3339.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(sec, 0).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("invalid timestamp %q: use unix seconds or RFC 3339", s)
}

func parseMovieLens(rec []string) (recommend.Interaction, error) {
	if len(rec) != 4 {
		return recommend.Interaction{}, fmt.Errorf("expected 4 tab-separated fields user item rating timestamp, found %d", len(rec))
	}
	if _, err := strconv.ParseFloat(strings.TrimSpace(rec[2]), 64); err != nil {
		return recommend.Interaction{}, fmt.Errorf("invalid rating %q: %w", rec[2], err)
	}
	ts, err := parseTime(rec[3])
	if err != nil {
		return recommend.Interaction{}, err
	}
	return recommend.Interaction{User: field(rec, 0), Item: field(rec, 1), Time: ts, Event: recommend.EventView}, nil
}

func parseTaobao(rec []string) (recommend.Interaction, error) {
	if len(rec) != 5 {
		return recommend.Interaction{}, fmt.Errorf("expected 5 fields user_id,item_id,category_id,behavior_type,timestamp, found %d", len(rec))
	}
	ev, err := recommend.ParseEventType(rec[3])
	if err != nil {
		return recommend.Interaction{}, err
	}
	ts, err := parseTime(rec[4])
	if err != nil {
		return recommend.Interaction{}, err
	}
	return recommend.Interaction{User: field(rec, 0), Item: field(rec, 1), Time: ts, Event: ev}, nil
}
