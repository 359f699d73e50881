package rollup

import (
	"context"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/storage"
)

// EachCell calls fn for every cell of family f at level whose day d is in
// [fromDay, toDay), in day order, in one read transaction.
func EachCell(ctx context.Context, store *storage.Store, f Family, level int, fromDay, toDay int32, fn func(*Cell) error) error {
	if level < 0 || level >= Levels {
		return fmt.Errorf("invalid rollup level %d: must be 0 to %d", level, Levels-1)
	}
	prefix := cellPrefix(f, level)
	start := appendDay(append([]byte{}, prefix...), fromDay)
	end := appendDay(append([]byte{}, prefix...), toDay)
	return store.DB().View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		n := 0
		for it.Seek(start); it.Valid(); it.Next() {
			item := it.Item()
			if string(item.Key()) >= string(end) {
				break
			}
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			c, err := decodeCellKey(item.Key())
			if err != nil {
				return err
			}
			err = item.Value(func(v []byte) error {
				c.Sums, err = decodeSums(v)
				return err
			})
			if err != nil {
				return fmt.Errorf("rollup cell %q: %w", item.Key(), err)
			}
			if err := fn(&c); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadCounts returns the number of orders and reviews in the rollups.
func ReadCounts(ctx context.Context, store *storage.Store) (Counts, error) {
	if err := ctx.Err(); err != nil {
		return Counts{}, err
	}
	var c Counts
	err := store.DB().View(func(txn *badger.Txn) error {
		var err error
		c, err = readCounts(txn)
		return err
	})
	return c, err
}

// Current reports whether the rollups contain as many orders and reviews
// as the store. A store written without Hook (imported before it existed,
// or opened without it) fails this check until Rebuild runs.
//
// NOTE: the check compares counts only, so an update written without the
// hook that leaves the counts unchanged goes unnoticed.
func Current(ctx context.Context, store *storage.Store) (bool, error) {
	c, err := ReadCounts(ctx, store)
	if err != nil {
		return false, err
	}
	n, err := store.Counts(ctx)
	if err != nil {
		return false, fmt.Errorf("read record counts: %w", err)
	}
	return c.Orders == n[storage.KindOrder] && c.Reviews == n[storage.KindReview], nil
}
