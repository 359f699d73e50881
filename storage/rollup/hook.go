package rollup

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/storage"
)

// NewTxnHook returns the hook that keeps the rollups in step with the
// records. Install it with storage.DefaultOptions(dir).WithTxnHook(
// rollup.NewTxnHook): for each order and review write it subtracts the old
// version's cells and adds the new version's, and it writes the summed
// changes of the whole transaction once before the commit, so the rollups
// commit atomically with the records. Other kinds are ignored.
func NewTxnHook() storage.TxnHook { return &txnHook{d: deltas{}} }

// txnHook collects the cell and count changes of one transaction.
type txnHook struct {
	d       deltas
	orders  int64
	reviews int64
}

func (h *txnHook) Record(txn *badger.Txn, w storage.RecordWrite) error {
	switch w.Kind {
	case storage.KindOrder:
		old, _ := w.Old.(*storage.Order)
		rec, _ := w.New.(*storage.Order)
		return applyOrder(txn, h, old, rec)
	case storage.KindReview:
		old, _ := w.Old.(*storage.Review)
		rec, _ := w.New.(*storage.Review)
		return applyReview(txn, h, old, rec)
	}
	return nil
}

func (h *txnHook) Flush(txn *badger.Txn) error {
	if err := h.d.apply(txn); err != nil {
		return err
	}
	h.d = deltas{}
	err := addCounts(txn, h.orders, h.reviews)
	h.orders, h.reviews = 0, 0
	return err
}

// Hook is the rollup maintenance as a per-record storage.WriteHook: it
// reads and writes the affected cells for every record. NewTxnHook is
// faster for batches, because it writes each cell once per transaction.
func Hook(txn *badger.Txn, w storage.RecordWrite) error {
	h := &txnHook{d: deltas{}}
	if err := h.Record(txn, w); err != nil {
		return err
	}
	return h.Flush(txn)
}

// deltas collects the cell changes of one record write, so that the cells
// an old and a new version share are read and written once.
type deltas map[string]Sums

func (d deltas) add(key []byte, s Sums) {
	cur := d[string(key)]
	cur.Add(s)
	d[string(key)] = cur
}

// apply adds every delta to its cell; a cell that reaches zero is deleted.
func (d deltas) apply(txn *badger.Txn) error {
	for key, delta := range d {
		if delta.IsZero() {
			continue
		}
		cur, err := readSums(txn, []byte(key))
		if err != nil {
			return err
		}
		cur.Add(delta)
		if cur.IsZero() {
			err = txn.Delete([]byte(key))
		} else {
			err = txn.Set([]byte(key), encodeSums(cur))
		}
		if err != nil {
			return fmt.Errorf("write rollup cell: %w", err)
		}
	}
	return nil
}

func readSums(txn *badger.Txn, key []byte) (Sums, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Sums{}, nil
	}
	if err != nil {
		return Sums{}, fmt.Errorf("read rollup cell: %w", err)
	}
	var s Sums
	err = item.Value(func(v []byte) error {
		s, err = decodeSums(v)
		return err
	})
	return s, err
}

// itemGroup is the items of one order that share a category, a seller or
// both.
type itemGroup struct {
	category []string
	seller   string
	items    []storage.OrderItem
}

// groupItems splits items by category, seller or both, in order of first
// appearance.
func groupItems(items []storage.OrderItem, byCategory, bySeller bool) []itemGroup {
	var groups []itemGroup
	index := map[string]int{}
	for _, it := range items {
		var k string
		var g itemGroup
		if byCategory {
			k = strings.Join(it.Category, "\x00")
			g.category = it.Category
		}
		if bySeller {
			k += "\x01" + it.SellerID
			g.seller = it.SellerID
		}
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, g)
		}
		groups[i].items = append(groups[i].items, it)
	}
	return groups
}

// addOrderCells adds o's contribution times sign to every family and level.
func addOrderCells(d deltas, o *storage.Order, sign int64) {
	day := Day(o.PurchasedAt)
	whole := ItemSums(o, o.Items)
	byFamily := map[Family][]itemGroup{
		FamilyCategory: groupItems(o.Items, true, false),
		FamilySeller:   groupItems(o.Items, false, true),
		FamilyPair:     groupItems(o.Items, true, true),
	}
	for level := 0; level < Levels; level++ {
		r := regionAt(o.ShipTo, level)
		d.add(cellKey(FamilyOrders, level, day, r, nil, ""), scale(whole, sign))
		for f, groups := range byFamily {
			for _, g := range groups {
				d.add(cellKey(f, level, day, r, g.category, g.seller), scale(ItemSums(o, g.items), sign))
			}
		}
	}
}

func scale(s Sums, sign int64) Sums {
	if sign < 0 {
		return s.Negate()
	}
	return s
}

// addReviewCells adds review r, attributed by its order's facts (nil when
// the order is missing), times sign.
func addReviewCells(d deltas, facts *storage.Order, r reviewRef, sign int64) {
	region, category, seller := ReviewTarget(facts, &storage.Review{ProductID: r.productID})
	s := scale(Sums{Reviews: 1, RatingSum: int64(r.rating)}, sign)
	for level := 0; level < Levels; level++ {
		d.add(cellKey(FamilyReviews, level, r.day, regionAt(region, level), category, seller), s)
	}
}

func applyOrder(txn *badger.Txn, h *txnHook, old, rec *storage.Order) error {
	d := h.d
	if old != nil {
		addOrderCells(d, old, -1)
		h.orders--
	}
	if rec != nil {
		addOrderCells(d, rec, 1)
		h.orders++
	}
	id := orderID(old, rec)
	oldFacts, newFacts := encodeFacts(old), encodeFacts(rec)
	if !bytes.Equal(oldFacts, newFacts) {
		if err := moveReviews(txn, d, id, old, rec); err != nil {
			return err
		}
		var err error
		if rec == nil {
			err = txn.Delete(factsKey(id))
		} else {
			err = txn.Set(factsKey(id), newFacts)
		}
		if err != nil {
			return fmt.Errorf("write rollup facts of order %q: %w", id, err)
		}
	}
	return nil
}

func orderID(old, rec *storage.Order) string {
	if rec != nil {
		return rec.ID
	}
	return old.ID
}

// moveReviews re-attributes the reviews of an order whose region or items
// changed from the old version's facts to the new one's.
func moveReviews(txn *badger.Txn, d deltas, id string, old, rec *storage.Order) error {
	if _, err := txn.Get(markKey(id)); errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("read review mark of order %q: %w", id, err)
	}
	prefix := refsPrefix(id)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var ref reviewRef
		err := it.Item().Value(func(v []byte) error {
			var err error
			ref, err = decodeRef(v)
			return err
		})
		if err != nil {
			return fmt.Errorf("read review reference %q: %w", it.Item().Key(), err)
		}
		addReviewCells(d, old, ref, -1)
		addReviewCells(d, rec, ref, 1)
	}
	return nil
}

func applyReview(txn *badger.Txn, h *txnHook, old, rec *storage.Review) error {
	d := h.d
	if old != nil {
		facts, err := readFacts(txn, old.OrderID)
		if err != nil {
			return err
		}
		addReviewCells(d, facts, refOf(old), -1)
		if old.OrderID != "" {
			if err := txn.Delete(refKey(old.OrderID, old.ID)); err != nil {
				return fmt.Errorf("delete review reference of %q: %w", old.ID, err)
			}
		}
		h.reviews--
	}
	if rec != nil {
		facts, err := readFacts(txn, rec.OrderID)
		if err != nil {
			return err
		}
		ref := refOf(rec)
		addReviewCells(d, facts, ref, 1)
		if rec.OrderID != "" {
			if err := txn.Set(refKey(rec.OrderID, rec.ID), encodeRef(ref)); err != nil {
				return fmt.Errorf("write review reference of %q: %w", rec.ID, err)
			}
			if err := txn.Set(markKey(rec.OrderID), nil); err != nil {
				return fmt.Errorf("write review mark of order %q: %w", rec.OrderID, err)
			}
		}
		h.reviews++
	}
	return nil
}

// reviewRef is what the rollups keep of a review to move it when its order
// changes.
type reviewRef struct {
	day       int32
	rating    int32
	productID string
}

func refOf(r *storage.Review) reviewRef {
	return reviewRef{day: Day(r.CreatedAt), rating: r.Rating, productID: r.ProductID}
}

func encodeRef(r reviewRef) []byte {
	b := binary.AppendVarint(nil, int64(r.day))
	b = binary.AppendVarint(b, int64(r.rating))
	return appendString(b, r.productID)
}

func decodeRef(b []byte) (reviewRef, error) {
	day, n := binary.Varint(b)
	if n <= 0 {
		return reviewRef{}, fmt.Errorf("%w: review reference is truncated", storage.ErrCorruptRecord)
	}
	rating, m := binary.Varint(b[n:])
	if m <= 0 {
		return reviewRef{}, fmt.Errorf("%w: review reference is truncated", storage.ErrCorruptRecord)
	}
	k := &keyReader{b: b[n+m:]}
	product := k.string()
	return reviewRef{day: int32(day), rating: int32(rating), productID: product}, k.err
}

// encodeFacts returns what review attribution needs of an order: its
// region and, per product, the category and seller of its first item. The
// result is nil for a nil order.
func encodeFacts(o *storage.Order) []byte {
	if o == nil {
		return nil
	}
	b := appendString(nil, o.ShipTo.Country)
	b = appendString(b, o.ShipTo.State)
	b = appendString(b, o.ShipTo.City)
	seen := map[string]bool{}
	for _, it := range o.Items {
		if it.ProductID == "" || seen[it.ProductID] {
			continue
		}
		seen[it.ProductID] = true
		b = appendString(b, it.ProductID)
		b = appendString(b, it.SellerID)
		b = binary.AppendUvarint(b, uint64(len(it.Category)))
		for _, c := range it.Category {
			b = appendString(b, c)
		}
	}
	return b
}

// readFacts returns the facts of orderID as an order with only ShipTo and
// one item per product, or nil when the order is unknown.
func readFacts(txn *badger.Txn, orderID string) (*storage.Order, error) {
	if orderID == "" {
		return nil, nil
	}
	item, err := txn.Get(factsKey(orderID))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read rollup facts of order %q: %w", orderID, err)
	}
	var o *storage.Order
	err = item.Value(func(v []byte) error {
		k := &keyReader{b: v}
		o = &storage.Order{ID: orderID}
		o.ShipTo = storage.Region{Country: k.string(), State: k.string(), City: k.string()}
		for len(k.b) > 0 && k.err == nil {
			it := storage.OrderItem{ProductID: k.string(), SellerID: k.string()}
			n := k.uvarint()
			for i := uint64(0); i < n && k.err == nil; i++ {
				it.Category = append(it.Category, k.string())
			}
			o.Items = append(o.Items, it)
		}
		return k.err
	})
	if err != nil {
		return nil, fmt.Errorf("decode rollup facts of order %q: %w", orderID, err)
	}
	return o, nil
}

// Counts is the number of orders and reviews the rollups contain.
type Counts struct {
	Orders  int64
	Reviews int64
}

func readCounts(txn *badger.Txn) (Counts, error) {
	item, err := txn.Get(keyCounts)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Counts{}, nil
	}
	if err != nil {
		return Counts{}, fmt.Errorf("read rollup counts: %w", err)
	}
	var c Counts
	err = item.Value(func(v []byte) error {
		if len(v) != 16 {
			return fmt.Errorf("%w: rollup counts have %d bytes, expected 16", storage.ErrCorruptRecord, len(v))
		}
		c.Orders = int64(binary.BigEndian.Uint64(v[:8]))
		c.Reviews = int64(binary.BigEndian.Uint64(v[8:]))
		return nil
	})
	return c, err
}

func addCounts(txn *badger.Txn, orders, reviews int64) error {
	if orders == 0 && reviews == 0 {
		return nil
	}
	c, err := readCounts(txn)
	if err != nil {
		return err
	}
	c.Orders += orders
	c.Reviews += reviews
	b := binary.BigEndian.AppendUint64(nil, uint64(c.Orders))
	b = binary.BigEndian.AppendUint64(b, uint64(c.Reviews))
	return txn.Set(keyCounts, b)
}
