package importer

import (
	"context"
	"fmt"

	"github.com/shopsight/shopsight/storage"
)

// batch collects records and writes them with put once it holds size
// records. With write off it only counts, for the validation pass of a
// strict import.
type batch[T any] struct {
	items []T
	size  int
	write bool
	put   func(context.Context, []T) error
	stats *FileStats
}

func newBatch[T any](size int, write bool, stats *FileStats, put func(context.Context, []T) error) *batch[T] {
	return &batch[T]{size: size, write: write, put: put, stats: stats}
}

func (b *batch[T]) add(ctx context.Context, v T) error {
	if !b.write {
		return nil
	}
	b.items = append(b.items, v)
	if len(b.items) >= b.size {
		return b.flush(ctx)
	}
	return nil
}

func (b *batch[T]) flush(ctx context.Context) error {
	if len(b.items) == 0 {
		return nil
	}
	if err := b.put(ctx, b.items); err != nil {
		return fmt.Errorf("write %d records from %s: %w", len(b.items), b.stats.Path, err)
	}
	b.stats.add(0, int64(len(b.items)), 0)
	b.items = b.items[:0]
	return nil
}

// recordSink parses generic rows of one kind and batches the records. Orders
// arrive as one row per item and are merged in orderMerger.
type recordSink struct {
	im    *importer
	kind  storage.Kind
	stats *FileStats

	users    *batch[storage.User]
	sellers  *batch[storage.Seller]
	products *batch[storage.Product]
	orders   *batch[storage.Order]
	reviews  *batch[storage.Review]
	events   *batch[storage.Event]
}

func newRecordSink(im *importer, kind storage.Kind, write bool, stats *FileStats) *recordSink {
	n, st := im.opts.BatchSize, im.store
	return &recordSink{
		im: im, kind: kind, stats: stats,
		users:    newBatch(n, write, stats, st.PutUsers),
		sellers:  newBatch(n, write, stats, st.PutSellers),
		products: newBatch(n, write, stats, st.PutProducts),
		orders:   newBatch(n, write, stats, st.PutOrders),
		reviews:  newBatch(n, write, stats, st.PutReviews),
		events:   newBatch(n, write, stats, st.PutEvents),
	}
}

// addRow parses r as a record of the sink's kind other than an order and
// batches it. A *rowError means the row is invalid.
func (s *recordSink) addRow(ctx context.Context, r row) error {
	loc := s.im.loc
	switch s.kind {
	case storage.KindUser:
		u, err := parseUser(r, loc)
		if err != nil {
			return err
		}
		return s.users.add(ctx, u)
	case storage.KindSeller:
		v, err := parseSeller(r)
		if err != nil {
			return err
		}
		return s.sellers.add(ctx, v)
	case storage.KindProduct:
		p, err := parseProduct(r, loc)
		if err != nil {
			return err
		}
		return s.products.add(ctx, p)
	case storage.KindReview:
		v, err := parseReview(r, loc)
		if err != nil {
			return err
		}
		return s.reviews.add(ctx, v)
	case storage.KindEvent:
		v, err := parseEvent(r, loc)
		if err != nil {
			return err
		}
		return s.events.add(ctx, v)
	}
	return fmt.Errorf("record kind %q has no row parser", s.kind)
}

func (s *recordSink) flush(ctx context.Context) error {
	for _, f := range []func(context.Context) error{s.users.flush, s.sellers.flush, s.products.flush, s.orders.flush, s.reviews.flush, s.events.flush} {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}
