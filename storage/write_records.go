package storage

import (
	"context"
	"encoding/binary"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// PutUsers creates or replaces users. Every record is validated before any
// is written.
func (s *Store) PutUsers(ctx context.Context, users []User) error {
	return s.WriteUsers(ctx, users, Upsert)
}

// WriteUsers writes users in the given mode.
func (s *Store) WriteUsers(ctx context.Context, users []User, mode WriteMode) error {
	return writeAll(s, ctx, userOps, users, mode, ValidateUser, nil, nil)
}

// PutSellers creates or replaces sellers.
func (s *Store) PutSellers(ctx context.Context, sellers []Seller) error {
	return writeAll(s, ctx, sellerOps, sellers, Upsert, ValidateSeller, nil, nil)
}

// PutProducts creates or replaces products. When a product is new or its
// category changes, the orders that contain it are re-indexed under the new
// category in the same transaction.
func (s *Store) PutProducts(ctx context.Context, products []Product) error {
	return s.WriteProducts(ctx, products, Upsert)
}

// WriteProducts writes products in the given mode.
func (s *Store) WriteProducts(ctx context.Context, products []Product, mode WriteMode) error {
	return writeAll(s, ctx, productOps, products, mode, ValidateProduct, nil, func(st *txnState, old, p *Product) error {
		if old == nil || !sameCategory(old.Category, p.Category) {
			return recategorizeOrders(st, p.ID, p.Category)
		}
		return nil
	})
}

// recategorizeOrders sets the category of productID's items in every order
// that contains it, and moves those orders' category index entries.
//
// The order ids come from a read-only transaction: an iterator in the
// read-write transaction would sort all its pending writes on every call,
// which made each product write cost time linear in the batch size. The
// "op/" entries it reads are never changed by a product write, and every
// order is then read and written through the read-write transaction.
func recategorizeOrders(st *txnState, productID string, category []string) error {
	prefix := indexPrefix("op/", productID)
	var orderIDs []string
	snapshot := st.db.NewTransaction(false)
	defer snapshot.Discard()
	it := snapshot.NewIterator(badger.IteratorOptions{Prefix: prefix})
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
		old, err := orderOps.readOld(st, id)
		if err != nil {
			return err
		}
		if old == nil {
			continue
		}
		o := *old
		o.Items = append([]OrderItem(nil), old.Items...)
		for i := range o.Items {
			if o.Items[i].ProductID == productID {
				o.Items[i].Category = category
			}
		}
		if _, err := orderOps.write(st, old, &o); err != nil {
			return err
		}
	}
	return nil
}

// PutOrders creates or replaces orders. Items without a category get the
// category of their product when the product is in the store.
func (s *Store) PutOrders(ctx context.Context, orders []Order) error {
	return writeAll(s, ctx, orderOps, orders, Upsert, ValidateOrder, fillItemCategories, nil)
}

// fillItemCategories copies the catalog category into items that have none,
// on a copy of the items.
func fillItemCategories(st *txnState, _ *Order, o *Order) error {
	copied := false
	for j := range o.Items {
		if len(o.Items[j].Category) > 0 {
			continue
		}
		p, err := productOps.readOld(st, o.Items[j].ProductID)
		if err != nil {
			return err
		}
		if p == nil || len(p.Category) == 0 {
			continue
		}
		if !copied {
			o.Items = append([]OrderItem(nil), o.Items...)
			copied = true
		}
		o.Items[j].Category = p.Category
	}
	return nil
}

// PutReviews creates or replaces reviews and keeps each product's rating
// statistics in step in the same transaction.
func (s *Store) PutReviews(ctx context.Context, reviews []Review) error {
	return s.WriteReviews(ctx, reviews, Upsert)
}

// WriteReviews writes reviews in the given mode.
func (s *Store) WriteReviews(ctx context.Context, reviews []Review, mode WriteMode) error {
	return writeAll(s, ctx, reviewOps, reviews, mode, ValidateReview, nil, func(st *txnState, old, r *Review) error {
		if old != nil {
			if err := addRating(st.txn, old.ProductID, -int64(old.Rating), -1); err != nil {
				return err
			}
		}
		return addRating(st.txn, r.ProductID, int64(r.Rating), 1)
	})
}

// PutEvents creates or replaces behaviour events.
func (s *Store) PutEvents(ctx context.Context, events []Event) error {
	return writeAll(s, ctx, eventOps, events, Upsert, ValidateEvent, nil, nil)
}

// DeleteUser removes a user record and its index entries. Orders, reviews
// and events that name the user are history and stay.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return deleteByID(s, ctx, userOps, id, nil)
}

// DeleteProduct removes a product record and its index entries. Orders that
// contain it keep their items and category.
func (s *Store) DeleteProduct(ctx context.Context, id string) error {
	return deleteByID(s, ctx, productOps, id, nil)
}

// DeleteReview removes a review and updates its product's rating statistics.
func (s *Store) DeleteReview(ctx context.Context, id string) error {
	return deleteByID(s, ctx, reviewOps, id, func(st *txnState, old *Review) error {
		return addRating(st.txn, old.ProductID, -int64(old.Rating), -1)
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
