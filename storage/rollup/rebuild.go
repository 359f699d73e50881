package rollup

import (
	"context"
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/storage"
)

// rebuildBatch is the number of records applied per transaction.
const rebuildBatch = 200

// Rebuild drops the rollups and recomputes them from every order and
// review, for stores written before Hook was installed. Running it twice
// gives the same rollups. Writers must be stopped while it runs: a record
// written during the rebuild may be counted twice or not at all.
func Rebuild(ctx context.Context, store *storage.Store) error {
	db := store.DB()
	for _, p := range [][]byte{prefixCells, prefixFacts, prefixRefs, prefixMarks} {
		if err := db.DropPrefix(p); err != nil {
			return fmt.Errorf("rebuild rollups: drop prefix %q: %w", p, err)
		}
	}
	if err := db.Update(func(txn *badger.Txn) error { return txn.Delete(keyCounts) }); err != nil {
		return fmt.Errorf("rebuild rollups: reset counts: %w", err)
	}

	var orders []storage.Order
	flushOrders := func() error {
		err := applyBatch(db, len(orders), func(txn *badger.Txn, h *txnHook, i int) error { return applyOrder(txn, h, nil, &orders[i]) })
		orders = orders[:0]
		return err
	}
	err := store.EachOrder(ctx, storage.OrderFilter{}, func(o *storage.Order) error {
		orders = append(orders, *o)
		if len(orders) < rebuildBatch {
			return nil
		}
		return flushOrders()
	})
	if err == nil {
		err = flushOrders()
	}
	if err != nil {
		return fmt.Errorf("rebuild rollups from orders: %w", err)
	}

	var reviews []storage.Review
	flushReviews := func() error {
		err := applyBatch(db, len(reviews), func(txn *badger.Txn, h *txnHook, i int) error { return applyReview(txn, h, nil, &reviews[i]) })
		reviews = reviews[:0]
		return err
	}
	err = store.EachReview(ctx, storage.ReviewFilter{}, func(r *storage.Review) error {
		reviews = append(reviews, *r)
		if len(reviews) < rebuildBatch {
			return nil
		}
		return flushReviews()
	})
	if err == nil {
		err = flushReviews()
	}
	if err != nil {
		return fmt.Errorf("rebuild rollups from reviews: %w", err)
	}
	return nil
}

// applyBatch runs apply on records [0, n) in one transaction, or one record
// per transaction when the batch is too big for one.
func applyBatch(db *badger.DB, n int, apply func(txn *badger.Txn, h *txnHook, i int) error) error {
	run := func(from, to int) error {
		return db.Update(func(txn *badger.Txn) error {
			h := &txnHook{d: deltas{}}
			for i := from; i < to; i++ {
				if err := apply(txn, h, i); err != nil {
					return err
				}
			}
			return h.Flush(txn)
		})
	}
	err := run(0, n)
	if !errors.Is(err, badger.ErrTxnTooBig) {
		return err
	}
	for i := 0; i < n; i++ {
		if err := run(i, i+1); err != nil {
			return err
		}
	}
	return nil
}
