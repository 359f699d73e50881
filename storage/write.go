package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

var timeZero time.Time

// ErrExists reports an insert of an id that is already in the store.
var ErrExists = errors.New("already exists")

// WriteMode selects what a write does when a record with the same id exists
// or is missing. The check and the write happen in one transaction, so two
// concurrent inserts of one id cannot both succeed.
type WriteMode uint8

// Write modes.
const (
	// Upsert creates a missing record or replaces an existing one.
	Upsert WriteMode = iota
	// InsertOnly fails with ErrExists when the id exists.
	InsertOnly
	// UpdateOnly fails with ErrNotFound when the id is missing.
	UpdateOnly
)

func checkMode(kind Kind, id string, exists bool, mode WriteMode) error {
	switch {
	case mode == InsertOnly && exists:
		return fmt.Errorf("%s %q: %w", kind, id, ErrExists)
	case mode == UpdateOnly && !exists:
		return fmt.Errorf("%s %q: %w", kind, id, ErrNotFound)
	}
	return nil
}

// maxConflictRetries bounds how often a transaction that lost a write
// conflict (two writers updating the same counter or record) is retried.
const maxConflictRetries = 8

// txnState carries per-transaction bookkeeping: count deltas are applied
// once at commit so a batch touches each counter key once.
type txnState struct {
	txn    *badger.Txn
	counts map[Kind]int64
}

// update runs fn in a read-write transaction, retrying on write conflicts.
func (s *Store) update(ctx context.Context, fn func(st *txnState) error) error {
	var err error
	for attempt := 0; attempt < maxConflictRetries; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err = s.db.Update(func(txn *badger.Txn) error {
			st := &txnState{txn: txn, counts: map[Kind]int64{}}
			if err := fn(st); err != nil {
				return err
			}
			return st.flushCounts()
		})
		if !errors.Is(err, badger.ErrConflict) {
			break
		}
		s.log.Debug("write conflict, retrying", "attempt", attempt+1)
	}
	if err == nil {
		s.writes.Add(1)
	}
	return err
}

func (st *txnState) flushCounts() error {
	for k, delta := range st.counts {
		if delta == 0 {
			continue
		}
		n, err := readCount(st.txn, k)
		if err != nil {
			return err
		}
		n += delta
		if n < 0 {
			n = 0
		}
		if err := st.txn.Set(countKey(k), binary.BigEndian.AppendUint64(nil, uint64(n))); err != nil {
			return err
		}
	}
	return nil
}

// writeBatches applies put to records [0, n) in transactions of at most
// BatchSize records. A batch that exceeds Badger's transaction limit is
// split in half and retried, so callers never see ErrTxnTooBig for large
// inputs. Batches commit in order; a failure leaves earlier batches
// committed, and re-running the same input is idempotent.
func (s *Store) writeBatches(ctx context.Context, n int, put func(st *txnState, i int) error) error {
	for start := 0; start < n; start += s.opts.BatchSize {
		end := min(start+s.opts.BatchSize, n)
		if err := s.writeRange(ctx, start, end, put); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) writeRange(ctx context.Context, start, end int, put func(st *txnState, i int) error) error {
	err := s.update(ctx, func(st *txnState) error {
		for i := start; i < end; i++ {
			if err := put(st, i); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, badger.ErrTxnTooBig) && end-start > 1 {
		mid := start + (end-start)/2
		if err := s.writeRange(ctx, start, mid, put); err != nil {
			return err
		}
		return s.writeRange(ctx, mid, end, put)
	}
	return err
}

// getRaw returns a copy of the value at key, or nil when absent.
func getRaw(txn *badger.Txn, key []byte) ([]byte, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// putRecord writes the primary value and moves the index entries from the
// old version's keys to the new ones. It returns whether the record is new.
func putRecord(st *txnState, kind Kind, id string, oldVal, newVal []byte, oldKeys, newKeys [][]byte) error {
	if oldVal != nil && bytes.Equal(oldVal, newVal) {
		return nil
	}
	removed, added := diffKeys(oldKeys, newKeys)
	for _, k := range removed {
		if err := st.txn.Delete(k); err != nil {
			return err
		}
	}
	for _, k := range added {
		if err := st.txn.Set(k, nil); err != nil {
			return err
		}
	}
	if err := st.txn.Set(primaryKey(kind, id), newVal); err != nil {
		return err
	}
	if oldVal == nil {
		st.counts[kind]++
	}
	return nil
}

// deleteRecord removes the primary value and its index entries.
func deleteRecord(st *txnState, kind Kind, id string, keys [][]byte) error {
	for _, k := range keys {
		if err := st.txn.Delete(k); err != nil {
			return err
		}
	}
	if err := st.txn.Delete(primaryKey(kind, id)); err != nil {
		return err
	}
	st.counts[kind]--
	return nil
}

func validateAll[T any](items []T, validate func(*T) error) error {
	for i := range items {
		if err := validate(&items[i]); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
	}
	return nil
}

// PutUsers creates or replaces users. Every record is validated before any
// is written.
func (s *Store) PutUsers(ctx context.Context, users []User) error {
	return s.WriteUsers(ctx, users, Upsert)
}

// WriteUsers writes users in the given mode.
func (s *Store) WriteUsers(ctx context.Context, users []User, mode WriteMode) error {
	if err := validateAll(users, ValidateUser); err != nil {
		return err
	}
	return s.writeBatches(ctx, len(users), func(st *txnState, i int) error {
		u := &users[i]
		old, err := getRaw(st.txn, primaryKey(KindUser, u.ID))
		if err != nil {
			return err
		}
		if err := checkMode(KindUser, u.ID, old != nil, mode); err != nil {
			return err
		}
		var oldKeys [][]byte
		if old != nil {
			ou, err := decodeUser(old)
			if err != nil {
				return fmt.Errorf("user %q: %w", u.ID, err)
			}
			oldKeys = userIndexKeys(&ou)
		}
		return putRecord(st, KindUser, u.ID, old, encodeUser(u), oldKeys, userIndexKeys(u))
	})
}

// PutSellers creates or replaces sellers.
func (s *Store) PutSellers(ctx context.Context, sellers []Seller) error {
	if err := validateAll(sellers, ValidateSeller); err != nil {
		return err
	}
	return s.writeBatches(ctx, len(sellers), func(st *txnState, i int) error {
		sl := &sellers[i]
		old, err := getRaw(st.txn, primaryKey(KindSeller, sl.ID))
		if err != nil {
			return err
		}
		var oldKeys [][]byte
		if old != nil {
			oldKeys = sellerIndexKeys(sl) // the seller index depends on the id alone
		}
		return putRecord(st, KindSeller, sl.ID, old, encodeSeller(sl), oldKeys, sellerIndexKeys(sl))
	})
}

// PutProducts creates or replaces products. When a product is new or its
// category changes, the orders that contain it are re-indexed under the new
// category in the same transaction.
func (s *Store) PutProducts(ctx context.Context, products []Product) error {
	return s.WriteProducts(ctx, products, Upsert)
}

// WriteProducts writes products in the given mode.
func (s *Store) WriteProducts(ctx context.Context, products []Product, mode WriteMode) error {
	if err := validateAll(products, ValidateProduct); err != nil {
		return err
	}
	return s.writeBatches(ctx, len(products), func(st *txnState, i int) error {
		p := &products[i]
		old, err := getRaw(st.txn, primaryKey(KindProduct, p.ID))
		if err != nil {
			return err
		}
		if err := checkMode(KindProduct, p.ID, old != nil, mode); err != nil {
			return err
		}
		var oldKeys [][]byte
		var oldCategory []string
		if old != nil {
			op, err := decodeProduct(old)
			if err != nil {
				return fmt.Errorf("product %q: %w", p.ID, err)
			}
			oldKeys = productIndexKeys(&op)
			oldCategory = op.Category
		}
		if err := putRecord(st, KindProduct, p.ID, old, encodeProduct(p), oldKeys, productIndexKeys(p)); err != nil {
			return err
		}
		if old == nil || !sameCategory(oldCategory, p.Category) {
			return recategorizeOrders(st, p.ID, p.Category)
		}
		return nil
	})
}

// recategorizeOrders sets the category of productID's items in every order
// that contains it, and moves those orders' category index entries.
func recategorizeOrders(st *txnState, productID string, category []string) error {
	prefix := indexPrefix("op/", productID)
	var orderIDs []string
	it := st.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	for it.Rewind(); it.Valid(); it.Next() {
		_, id, err := splitIndexKey(prefix, it.Item().Key())
		if err != nil {
			it.Close()
			return err
		}
		orderIDs = append(orderIDs, id)
	}
	it.Close()
	for _, id := range orderIDs {
		old, err := getRaw(st.txn, primaryKey(KindOrder, id))
		if err != nil {
			return err
		}
		if old == nil {
			continue
		}
		o, err := decodeOrder(old)
		if err != nil {
			return fmt.Errorf("order %q: %w", id, err)
		}
		oldKeys := orderIndexKeys(&o)
		for i := range o.Items {
			if o.Items[i].ProductID == productID {
				o.Items[i].Category = category
			}
		}
		if err := putRecord(st, KindOrder, id, old, encodeOrder(&o), oldKeys, orderIndexKeys(&o)); err != nil {
			return err
		}
	}
	return nil
}

// PutOrders creates or replaces orders. Items without a category get the
// category of their product when the product is in the store.
func (s *Store) PutOrders(ctx context.Context, orders []Order) error {
	if err := validateAll(orders, ValidateOrder); err != nil {
		return err
	}
	return s.writeBatches(ctx, len(orders), func(st *txnState, i int) error {
		o := orders[i]
		o.Items = append([]OrderItem(nil), o.Items...)
		for j := range o.Items {
			if len(o.Items[j].Category) > 0 {
				continue
			}
			raw, err := getRaw(st.txn, primaryKey(KindProduct, o.Items[j].ProductID))
			if err != nil {
				return err
			}
			if raw != nil {
				p, err := decodeProduct(raw)
				if err != nil {
					return fmt.Errorf("product %q: %w", o.Items[j].ProductID, err)
				}
				o.Items[j].Category = p.Category
			}
		}
		old, err := getRaw(st.txn, primaryKey(KindOrder, o.ID))
		if err != nil {
			return err
		}
		var oldKeys [][]byte
		if old != nil {
			oo, err := decodeOrder(old)
			if err != nil {
				return fmt.Errorf("order %q: %w", o.ID, err)
			}
			oldKeys = orderIndexKeys(&oo)
		}
		return putRecord(st, KindOrder, o.ID, old, encodeOrder(&o), oldKeys, orderIndexKeys(&o))
	})
}

// PutReviews creates or replaces reviews and keeps each product's rating
// statistics in step in the same transaction.
func (s *Store) PutReviews(ctx context.Context, reviews []Review) error {
	return s.WriteReviews(ctx, reviews, Upsert)
}

// WriteReviews writes reviews in the given mode.
func (s *Store) WriteReviews(ctx context.Context, reviews []Review, mode WriteMode) error {
	if err := validateAll(reviews, ValidateReview); err != nil {
		return err
	}
	return s.writeBatches(ctx, len(reviews), func(st *txnState, i int) error {
		r := &reviews[i]
		old, err := getRaw(st.txn, primaryKey(KindReview, r.ID))
		if err != nil {
			return err
		}
		if err := checkMode(KindReview, r.ID, old != nil, mode); err != nil {
			return err
		}
		newVal := encodeReview(r)
		if old != nil && bytes.Equal(old, newVal) {
			return nil
		}
		var oldKeys [][]byte
		if old != nil {
			or, err := decodeReview(old)
			if err != nil {
				return fmt.Errorf("review %q: %w", r.ID, err)
			}
			oldKeys = reviewIndexKeys(&or)
			if err := addRating(st.txn, or.ProductID, -int64(or.Rating), -1); err != nil {
				return err
			}
		}
		if err := addRating(st.txn, r.ProductID, int64(r.Rating), 1); err != nil {
			return err
		}
		return putRecord(st, KindReview, r.ID, old, newVal, oldKeys, reviewIndexKeys(r))
	})
}

// PutEvents creates or replaces behaviour events.
func (s *Store) PutEvents(ctx context.Context, events []Event) error {
	if err := validateAll(events, ValidateEvent); err != nil {
		return err
	}
	return s.writeBatches(ctx, len(events), func(st *txnState, i int) error {
		e := &events[i]
		old, err := getRaw(st.txn, primaryKey(KindEvent, e.ID))
		if err != nil {
			return err
		}
		var oldKeys [][]byte
		if old != nil {
			oe, err := decodeEvent(old)
			if err != nil {
				return fmt.Errorf("event %q: %w", e.ID, err)
			}
			oldKeys = eventIndexKeys(&oe)
		}
		return putRecord(st, KindEvent, e.ID, old, encodeEvent(e), oldKeys, eventIndexKeys(e))
	})
}

// addRating adds sum and count to productID's rating statistics; reviews
// without a product have none.
func addRating(txn *badger.Txn, productID string, sum, count int64) error {
	if productID == "" {
		return nil
	}
	key := productStatsKey(productID)
	raw, err := getRaw(txn, key)
	if err != nil {
		return err
	}
	st, err := decodeRatingStats(raw)
	if err != nil {
		return fmt.Errorf("rating statistics of product %q: %w", productID, err)
	}
	st.Sum += sum
	st.Count += count
	if st.Count <= 0 {
		return txn.Delete(key)
	}
	return txn.Set(key, encodeRatingStats(st))
}

// DeleteUser removes a user record and its index entries. Orders, reviews
// and events that name the user are history and stay.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.deleteOne(ctx, KindUser, id, func(raw []byte) ([][]byte, error) {
		u, err := decodeUser(raw)
		return userIndexKeys(&u), err
	})
}

// DeleteProduct removes a product record and its index entries. Orders that
// contain it keep their items and category.
func (s *Store) DeleteProduct(ctx context.Context, id string) error {
	return s.deleteOne(ctx, KindProduct, id, func(raw []byte) ([][]byte, error) {
		p, err := decodeProduct(raw)
		return productIndexKeys(&p), err
	})
}

// DeleteReview removes a review and updates its product's rating statistics.
func (s *Store) DeleteReview(ctx context.Context, id string) error {
	return s.deleteOne(ctx, KindReview, id, func(raw []byte) ([][]byte, error) {
		r, err := decodeReview(raw)
		if err != nil {
			return nil, err
		}
		return reviewIndexKeys(&r), nil
	}, func(st *txnState, raw []byte) error {
		r, err := decodeReview(raw)
		if err != nil {
			return err
		}
		return addRating(st.txn, r.ProductID, -int64(r.Rating), -1)
	})
}

func (s *Store) deleteOne(ctx context.Context, kind Kind, id string, keysOf func([]byte) ([][]byte, error), extra ...func(*txnState, []byte) error) error {
	return s.update(ctx, func(st *txnState) error {
		raw, err := getRaw(st.txn, primaryKey(kind, id))
		if err != nil {
			return err
		}
		if raw == nil {
			return fmt.Errorf("%s %q: %w", kind, id, ErrNotFound)
		}
		keys, err := keysOf(raw)
		if err != nil {
			return fmt.Errorf("%s %q: %w", kind, id, err)
		}
		for _, fn := range extra {
			if err := fn(st, raw); err != nil {
				return err
			}
		}
		return deleteRecord(st, kind, id, keys)
	})
}

// RatingStats is the sum and count of a product's review ratings.
type RatingStats struct {
	Sum   int64
	Count int64
}

// Average returns the mean rating, or 0 without reviews.
func (r RatingStats) Average() float64 {
	if r.Count == 0 {
		return 0
	}
	return float64(r.Sum) / float64(r.Count)
}

func encodeRatingStats(r RatingStats) []byte {
	b := binary.AppendVarint(nil, r.Sum)
	return binary.AppendVarint(b, r.Count)
}

func decodeRatingStats(b []byte) (RatingStats, error) {
	if b == nil {
		return RatingStats{}, nil
	}
	d := decoder{buf: b}
	r := RatingStats{Sum: d.varint(), Count: d.varint()}
	return r, d.end("rating statistics")
}
