// Package rollup keeps pre-aggregated order and review sums in the store,
// so that BI queries over months or years read a few thousand cells instead
// of every order.
//
// Grain. A cell sums the orders purchased (or reviews created) on one UTC
// day in one delivery region, at one region level, optionally split by the
// items' category (the full category path, not its ancestors) and seller:
//
//	family     split by             measures
//	Orders     region               every order measure
//	Category   region × category    order measures over the items of the category
//	Seller     region × seller      order measures over the items of the seller
//	Pair       region × cat × seller
//	Reviews    region × cat × seller review count and rating sum
//
// Every family is kept at four region levels: 0 (all regions), 1 (country),
// 2 (country, state) and 3 (country, state, city), so a query by state reads
// level 2 and never merges cities. Orders counts in a category cell are the
// orders with an item in that category, so they are not additive across
// categories, and each split of the item dimensions has its own family for
// that reason.
//
// What the cells cannot answer, so package analytics scans the orders: hour
// buckets, buckets in a time zone other than UTC, range bounds that are not
// UTC midnights, distinct customers, the product and payment type
// dimensions, and filters on category subtrees, product, status, payment
// type or a bounding box.
//
// Key layout, under the analytics byte 0x04 of storage/keys.go:
//
//	\x04c<family><level><day>region…[category][seller]  Sums as 10 varints
//	\x04o<orderID>                  the order facts reviews are attributed by
//	\x04q<orderID>\x00<reviewID>    review day, rating and product, per order
//	\x04n                           orders and reviews counted by the rollups
//
// <day> is the UTC day number since 1970-01-01 plus 2^31, 4 bytes
// big-endian, so a day range is one key range within a family and level.
// Strings are uvarint-length-prefixed; a category is its depth followed by
// its names.
package rollup

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Family selects which item dimensions a cell is split by.
type Family byte

// Cell families.
const (
	FamilyOrders   Family = 'a'
	FamilyCategory Family = 'c'
	FamilySeller   Family = 's'
	FamilyPair     Family = 'x'
	FamilyReviews  Family = 'r'
)

func (f Family) hasCategory() bool {
	return f == FamilyCategory || f == FamilyPair || f == FamilyReviews
}
func (f Family) hasSeller() bool { return f == FamilySeller || f == FamilyPair || f == FamilyReviews }

// Levels is the number of region levels, 0 (all regions) through 3 (city).
const Levels = 4

const dayBias = 1 << 31

var (
	prefixCells  = []byte{0x04, 'c'}
	prefixFacts  = []byte{0x04, 'o'}
	prefixRefs   = []byte{0x04, 'q'}
	prefixMarks  = []byte{0x04, 'm'}
	keyCounts    = []byte{0x04, 'n'}
	prefixFamily = []byte{0x04}
)

// Day returns the UTC day number of t: days since 1970-01-01.
func Day(t time.Time) int32 {
	u := t.Unix()
	d := u / 86400
	if u%86400 < 0 {
		d--
	}
	return int32(d)
}

// DayStart returns the UTC midnight that starts day d.
func DayStart(d int32) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Cell is one rollup cell as read back.
type Cell struct {
	Family Family
	Level  int
	Day    int32
	// Region holds the components down to Level; deeper ones are empty.
	Region   storage.Region
	Category []string
	Seller   string
	Sums     Sums
}

// cellPrefix returns the key prefix of family and level.
func cellPrefix(f Family, level int) []byte {
	return append(append([]byte{}, prefixCells...), byte(f), byte(level))
}

func appendDay(b []byte, day int32) []byte {
	return binary.BigEndian.AppendUint32(b, uint32(int64(day)+dayBias))
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// regionAt returns r cut to level.
func regionAt(r storage.Region, level int) storage.Region {
	var out storage.Region
	if level >= 1 {
		out.Country = r.Country
	}
	if level >= 2 {
		out.State = r.State
	}
	if level >= 3 {
		out.City = r.City
	}
	return out
}

func cellKey(f Family, level int, day int32, r storage.Region, category []string, seller string) []byte {
	b := appendDay(cellPrefix(f, level), day)
	if level >= 1 {
		b = appendString(b, r.Country)
	}
	if level >= 2 {
		b = appendString(b, r.State)
	}
	if level >= 3 {
		b = appendString(b, r.City)
	}
	if f.hasCategory() {
		b = binary.AppendUvarint(b, uint64(len(category)))
		for _, c := range category {
			b = appendString(b, c)
		}
	}
	if f.hasSeller() {
		b = appendString(b, seller)
	}
	return b
}

type keyReader struct {
	b   []byte
	err error
}

func (k *keyReader) uvarint() uint64 {
	if k.err != nil {
		return 0
	}
	v, n := binary.Uvarint(k.b)
	if n <= 0 {
		k.err = fmt.Errorf("%w: rollup cell key is truncated", storage.ErrCorruptRecord)
		return 0
	}
	k.b = k.b[n:]
	return v
}

func (k *keyReader) string() string {
	n := k.uvarint()
	if k.err != nil {
		return ""
	}
	if uint64(len(k.b)) < n {
		k.err = fmt.Errorf("%w: rollup cell key string is truncated", storage.ErrCorruptRecord)
		return ""
	}
	s := string(k.b[:n])
	k.b = k.b[n:]
	return s
}

// decodeCellKey parses a key built by cellKey.
func decodeCellKey(key []byte) (Cell, error) {
	if len(key) < len(prefixCells)+2+4 {
		return Cell{}, fmt.Errorf("%w: rollup cell key %q is too short", storage.ErrCorruptRecord, key)
	}
	c := Cell{Family: Family(key[2]), Level: int(key[3])}
	c.Day = int32(int64(binary.BigEndian.Uint32(key[4:8])) - dayBias)
	k := &keyReader{b: key[8:]}
	if c.Level >= 1 {
		c.Region.Country = k.string()
	}
	if c.Level >= 2 {
		c.Region.State = k.string()
	}
	if c.Level >= 3 {
		c.Region.City = k.string()
	}
	if c.Family.hasCategory() {
		n := k.uvarint()
		if n > 64 {
			return Cell{}, fmt.Errorf("%w: rollup cell key has a category of depth %d", storage.ErrCorruptRecord, n)
		}
		for i := uint64(0); i < n && k.err == nil; i++ {
			c.Category = append(c.Category, k.string())
		}
	}
	if c.Family.hasSeller() {
		c.Seller = k.string()
	}
	if k.err == nil && len(k.b) != 0 {
		k.err = fmt.Errorf("%w: rollup cell key has %d trailing bytes", storage.ErrCorruptRecord, len(k.b))
	}
	return c, k.err
}

func factsKey(orderID string) []byte { return append(append([]byte{}, prefixFacts...), orderID...) }

func refsPrefix(orderID string) []byte {
	b := append(append([]byte{}, prefixRefs...), orderID...)
	return append(b, 0)
}

func refKey(orderID, reviewID string) []byte { return append(refsPrefix(orderID), reviewID...) }

// markKey is set once an order has had a review reference. Writes check it
// with a point read before scanning the order's references, because an
// iterator in a read-write Badger transaction sorts all pending writes,
// which made every order write cost time linear in the batch size.
func markKey(orderID string) []byte { return append(append([]byte{}, prefixMarks...), orderID...) }
