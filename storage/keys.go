package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Key layout.
//
// All record keys of the store are built in this file. Three families exist
// here; the change log (changes.go, "\x01chg/") and the families of other
// packages follow them:
//
//	0x02  recommendation model versions (ml/recommend/service)
//	0x03  embedding vectors (index/vectors)
//	0x04  analytics rollups
//	0x05  cached forecasts
//	0x06  API keys (graph/auth)
//
// Metadata, behind a 0x00 byte so it sorts before everything else:
//
//	\x00m/schema               uint32 big-endian schema version
//	\x00m/count/<kind>         uint64 big-endian record count of <kind>
//	\x00m/seq                  the last change log sequence number
//
// Primary records, value = the record in the binary codec of codec.go:
//
//	u/<id>  user      p/<id>  product   s/<id>  seller
//	o/<id>  order     r/<id>  review    e/<id>  event
//
// Product review statistics, value = rating sum and count as two uvarints:
//
//	ps/<productID>
//
// Secondary indexes. Their values are empty; each key is
// <family><group fields, each followed by 0x00><8-byte time><id>, so every
// index is ordered by time and then by record id within its group, and a
// time range is one contiguous key range. The time is Unix microseconds with
// the sign bit flipped, big-endian; the zero time.Time is all zero bytes.
//
//	t/<kind>/                         every record of <kind> by its time
//	ou/<userID>\x00                   orders by user (purchase time)
//	op/<productID>\x00                orders by product in any item
//	os/<sellerID>\x00                 orders by seller of any item
//	or1/<country>\x00                 orders by delivery region, one entry per
//	or2/<country>\x00<state>\x00        level, so a country, a state or a city
//	or3/<country>\x00<state>\x00<city>\x00  is each one prefix
//	oc<d>/<c1>\x00…<cd>\x00           orders by category: one entry per ancestor
//	                                  depth d of every item's category path
//	pc<d>/<c1>\x00…<cd>\x00           products by category, same scheme
//	ur1/, ur2/, ur3/                  users by region, same scheme as or<n>/
//	rp/<productID>\x00                reviews by product
//	ru/<userID>\x00                   reviews by user
//	eu/<userID>\x00                   events by user
//
// Every secondary entry is written and deleted in the same transaction as
// its record (see write.go), so an index entry never points at a missing
// record. Ids, region names and category names may not contain 0x00.

// SchemaVersion is the key layout and codec version this binary writes.
// Opening a store with another version fails.
const SchemaVersion uint32 = 1

// Kind names a record type. Its string is part of the key layout.
type Kind string

// Record kinds.
const (
	KindUser    Kind = "user"
	KindProduct Kind = "product"
	KindSeller  Kind = "seller"
	KindOrder   Kind = "order"
	KindReview  Kind = "review"
	KindEvent   Kind = "event"
)

// Kinds lists every record kind in import order.
var Kinds = []Kind{KindSeller, KindUser, KindProduct, KindOrder, KindReview, KindEvent}

var primaryPrefix = map[Kind]string{
	KindUser: "u/", KindProduct: "p/", KindSeller: "s/", KindOrder: "o/", KindReview: "r/", KindEvent: "e/",
}

var (
	keySchema      = []byte("\x00m/schema")
	keyCountPrefix = "\x00m/count/"
)

func countKey(k Kind) []byte { return []byte(keyCountPrefix + string(k)) }

func primaryKey(k Kind, id string) []byte { return []byte(primaryPrefix[k] + id) }

func productStatsKey(productID string) []byte { return []byte("ps/" + productID) }

// timeBytes encodes t so that byte order equals time order.
func timeBytes(t time.Time) [8]byte {
	var b [8]byte
	if t.IsZero() {
		return b
	}
	binary.BigEndian.PutUint64(b[:], uint64(t.UnixMicro())^(1<<63))
	return b
}

func timeFromBytes(b []byte) time.Time {
	v := binary.BigEndian.Uint64(b)
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(int64(v ^ (1 << 63))).UTC()
}

// indexPrefix builds <family><f1>\x00<f2>\x00… for a group of an index.
func indexPrefix(family string, fields ...string) []byte {
	n := len(family)
	for _, f := range fields {
		n += len(f) + 1
	}
	b := make([]byte, 0, n+8+32)
	b = append(b, family...)
	for _, f := range fields {
		b = append(b, f...)
		b = append(b, 0)
	}
	return b
}

// indexKey appends the time and id to a group prefix.
func indexKey(prefix []byte, t time.Time, id string) []byte {
	tb := timeBytes(t)
	k := make([]byte, 0, len(prefix)+8+len(id))
	k = append(k, prefix...)
	k = append(k, tb[:]...)
	return append(k, id...)
}

// splitIndexKey returns the time and id of an index key under prefix.
func splitIndexKey(prefix, key []byte) (time.Time, string, error) {
	if len(key) < len(prefix)+8 || !bytes.HasPrefix(key, prefix) {
		return time.Time{}, "", fmt.Errorf("%w: index key %q does not extend prefix %q", ErrCorruptRecord, key, prefix)
	}
	rest := key[len(prefix):]
	return timeFromBytes(rest[:8]), string(rest[8:]), nil
}

func timeIndexPrefix(k Kind) []byte { return indexPrefix("t/" + string(k) + "/") }

// regionPrefixes returns one prefix per non-empty level of r under the
// family ("or" or "ur"): country, then state, then city.
func regionPrefixes(family string, r Region) [][]byte {
	var out [][]byte
	if r.Country == "" {
		return nil
	}
	out = append(out, indexPrefix(family+"1/", r.Country))
	if r.State == "" {
		return out
	}
	out = append(out, indexPrefix(family+"2/", r.Country, r.State))
	if r.City == "" {
		return out
	}
	return append(out, indexPrefix(family+"3/", r.Country, r.State, r.City))
}

// regionQueryPrefix returns the prefix matching every record in r and below,
// or nil when r is empty. A state without a country, or a city without a
// state, is an error.
func regionQueryPrefix(family string, r Region) ([]byte, error) {
	switch {
	case r.Country == "" && (r.State != "" || r.City != ""):
		return nil, fmt.Errorf("invalid region filter: state %q or city %q given without a country; add the country code", r.State, r.City)
	case r.State == "" && r.City != "":
		return nil, fmt.Errorf("invalid region filter: city %q given without a state; add the state code", r.City)
	}
	p := regionPrefixes(family, r)
	if len(p) == 0 {
		return nil, nil
	}
	return p[len(p)-1], nil
}

// categoryPrefixes returns one prefix per ancestor depth of path.
func categoryPrefixes(family string, path []string) [][]byte {
	out := make([][]byte, 0, len(path))
	for d := 1; d <= len(path); d++ {
		out = append(out, indexPrefix(fmt.Sprintf("%s%d/", family, d), path[:d]...))
	}
	return out
}

func categoryQueryPrefix(family string, path []string) []byte {
	if len(path) == 0 {
		return nil
	}
	return indexPrefix(fmt.Sprintf("%s%d/", family, len(path)), path...)
}

// checkKeyPart rejects a value that would break the key layout.
func checkKeyPart(field, v string) error {
	if strings.IndexByte(v, 0) >= 0 {
		return fmt.Errorf("invalid %s %q: contains a NUL byte; remove it", field, v)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("invalid %s %q: not valid UTF-8; convert the input to UTF-8 (or pass --encoding latin1)", field, v)
	}
	return nil
}

func checkID(field, id string) error {
	if id == "" {
		return fmt.Errorf("missing %s: every record needs a non-empty id", field)
	}
	if len(id) > 256 {
		return fmt.Errorf("invalid %s %.40q…: longer than 256 bytes; use a shorter id", field, id)
	}
	return checkKeyPart(field, id)
}
