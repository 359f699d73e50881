package fulltext

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
)

// IndexProducts adds or replaces products, in batches of Options.BatchSize.
// It validates every document before writing any. When ctx is cancelled
// between batches, the batches already written stay indexed.
func (x *Index) IndexProducts(ctx context.Context, docs []ProductDoc) error {
	for i := range docs {
		if err := docs[i].validate(); err != nil {
			return err
		}
	}
	return x.write(ctx, func(ctx context.Context, set *indexSet) error {
		return indexBatches(ctx, set.products, len(docs), x.opts.BatchSize, func(b *bleve.Batch, i int) error {
			return b.Index(docs[i].ID, docs[i].fields())
		})
	})
}

// DeleteProducts removes products by id; unknown ids are ignored.
func (x *Index) DeleteProducts(ctx context.Context, ids []string) error {
	return x.write(ctx, func(ctx context.Context, set *indexSet) error {
		return indexBatches(ctx, set.products, len(ids), x.opts.BatchSize, func(b *bleve.Batch, i int) error {
			b.Delete(ids[i])
			return nil
		})
	})
}

// IndexReviews adds or replaces reviews, in batches of Options.BatchSize.
func (x *Index) IndexReviews(ctx context.Context, docs []ReviewDoc) error {
	for i := range docs {
		if err := docs[i].validate(); err != nil {
			return err
		}
	}
	return x.write(ctx, func(ctx context.Context, set *indexSet) error {
		return indexBatches(ctx, set.reviews, len(docs), x.opts.BatchSize, func(b *bleve.Batch, i int) error {
			return b.Index(docs[i].ID, docs[i].fields())
		})
	})
}

// DeleteReviews removes reviews by id; unknown ids are ignored.
func (x *Index) DeleteReviews(ctx context.Context, ids []string) error {
	return x.write(ctx, func(ctx context.Context, set *indexSet) error {
		return indexBatches(ctx, set.reviews, len(ids), x.opts.BatchSize, func(b *bleve.Batch, i int) error {
			b.Delete(ids[i])
			return nil
		})
	})
}

// write applies fn to the current index set and, while a Rebuild runs,
// queues it for replay on the new set.
func (x *Index) write(ctx context.Context, fn func(context.Context, *indexSet) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return ErrClosed
	}
	if err := fn(ctx, x.set); err != nil {
		return err
	}
	x.pendingMu.Lock()
	if x.recording {
		x.pending = append(x.pending, fn)
	}
	x.pendingMu.Unlock()
	return nil
}

// indexBatches adds n items to idx with add, committing a batch every size
// items and checking ctx before each commit.
func indexBatches(ctx context.Context, idx bleve.Index, n, size int, add func(*bleve.Batch, int) error) error {
	b := idx.NewBatch()
	for i := 0; i < n; i++ {
		if err := add(b, i); err != nil {
			return fmt.Errorf("add document %d to batch: %w", i, err)
		}
		if b.Size() >= size || i == n-1 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := idx.Batch(b); err != nil {
				return fmt.Errorf("write batch of %d documents: %w", b.Size(), err)
			}
			b.Reset()
		}
	}
	return nil
}
