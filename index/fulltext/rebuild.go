package fulltext

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/shopsight/shopsight/storage"
)

// Source is the part of *storage.Store that Rebuild reads.
type Source interface {
	EachProduct(ctx context.Context, f storage.ProductFilter, fn func(*storage.Product) error) error
	EachReview(ctx context.Context, f storage.ReviewFilter, fn func(*storage.Review) error) error
	EachOrder(ctx context.Context, f storage.OrderFilter, fn func(*storage.Order) error) error
	RatingStats(ctx context.Context, productIDs []string) ([]storage.RatingStats, error)
	Counts(ctx context.Context) (map[storage.Kind]int64, error)
}

// Rebuild indexes every product and review of src into a new directory
// beside the index (its name plus ".tmp") and then swaps it in. Searches
// keep using the current index until the swap, and writes made meanwhile
// are replayed into the new index before it. When ctx is cancelled or an
// error occurs, the new directory is removed and the current index stays.
//
// storeVersion is recorded in the metadata (see Metadata.StoreVersion).
// progress, when not nil, is called after each batch with the products and
// reviews indexed so far and the total from src.Counts.
func (x *Index) Rebuild(ctx context.Context, src Source, storeVersion string, progress func(done, total int)) error {
	x.rebuildMu.Lock()
	defer x.rebuildMu.Unlock()
	if x.isClosed() {
		return ErrClosed
	}
	start := time.Now()
	tmp := x.dir + tmpSuffix
	set, err := createSet(tmp)
	if err != nil {
		return err
	}
	x.setRecording(true)
	built := false
	defer func() {
		x.setRecording(false)
		if !built {
			set.close()
			if err := os.RemoveAll(tmp); err != nil {
				x.log.Error("remove unfinished full-text index", "dir", tmp, "err", err)
			}
		}
	}()

	if err := x.fill(ctx, src, set, progress); err != nil {
		return fmt.Errorf("rebuild full-text index %s: %w", x.dir, err)
	}

	// NOTE: searches wait from here until the new index is open, which
	// includes the replay and Bleve persisting the new index on close.
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return ErrClosed
	}
	x.pendingMu.Lock()
	pending := x.pending
	x.pending, x.recording = nil, false
	x.pendingMu.Unlock()
	for _, fn := range pending {
		if err := fn(ctx, set); err != nil {
			return fmt.Errorf("rebuild full-text index %s: replay write made during rebuild: %w", x.dir, err)
		}
	}
	now := time.Now().UTC()
	meta := Metadata{MappingVersion: MappingVersion, StoreVersion: storeVersion, BuiltAt: now, UpdatedAt: now}
	built = true // finishTemp closes set; on a later error the directory is removed below
	if err := finishTemp(tmp, set, meta); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := x.set.close(); err != nil {
		x.log.Error("close replaced full-text index", "dir", x.dir, "err", err)
	}
	if err := swapIn(x.dir); err != nil {
		return x.reopenAfterFailedSwap(err)
	}
	newSet, err := openSet(x.dir)
	if err != nil {
		x.closed = true
		return fmt.Errorf("open rebuilt full-text index %s: %w", x.dir, err)
	}
	x.set = newSet
	x.meta, _ = readMeta(x.dir)
	x.log.Info("rebuilt full-text index", "dir", x.dir, "products", meta.Products, "reviews", meta.Reviews,
		"replayed_writes", len(pending), "took", time.Since(start))
	return nil
}

// reopenAfterFailedSwap reopens whichever complete index is in place after
// swapIn failed, so that the Index keeps serving.
func (x *Index) reopenAfterFailedSwap(swapErr error) error {
	if err := recoverSwap(x.dir, x.log); err != nil {
		swapErr = errors.Join(swapErr, err)
	}
	set, err := openSet(x.dir)
	if err != nil {
		x.closed = true
		return fmt.Errorf("swap in rebuilt full-text index: %w (reopening failed too, so the index is closed: %w)", swapErr, err)
	}
	x.set = set
	return fmt.Errorf("swap in rebuilt full-text index: %w", swapErr)
}

func (x *Index) isClosed() bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.closed
}

func (x *Index) setRecording(on bool) {
	x.pendingMu.Lock()
	x.recording = on
	x.pending = nil
	x.pendingMu.Unlock()
}

// fill indexes every product, with its ratings and regions, and every review
// of src into set.
func (x *Index) fill(ctx context.Context, src Source, set *indexSet, progress func(done, total int)) error {
	counts, err := src.Counts(ctx)
	if err != nil {
		return fmt.Errorf("count store records: %w", err)
	}
	total := int(counts[storage.KindProduct] + counts[storage.KindReview])
	done := 0
	report := func(n int) {
		done += n
		if progress != nil {
			progress(done, total)
		}
	}

	regions, err := productRegions(ctx, src)
	if err != nil {
		return err
	}

	size := x.opts.BatchSize
	products := make([]*storage.Product, 0, size)
	flushProducts := func() error {
		if len(products) == 0 {
			return nil
		}
		ids := make([]string, len(products))
		for i, p := range products {
			ids[i] = p.ID
		}
		stats, err := src.RatingStats(ctx, ids)
		if err != nil {
			return fmt.Errorf("read rating statistics: %w", err)
		}
		docs := make([]ProductDoc, len(products))
		for i, p := range products {
			docs[i] = NewProductDoc(p, stats[i], regions[p.ID])
		}
		err = indexBatches(ctx, set.products, len(docs), size, func(b *bleve.Batch, i int) error {
			return b.Index(docs[i].ID, docs[i].fields())
		})
		if err != nil {
			return err
		}
		report(len(products))
		products = products[:0]
		return nil
	}
	err = src.EachProduct(ctx, storage.ProductFilter{}, func(p *storage.Product) error {
		products = append(products, p)
		if len(products) == size {
			return flushProducts()
		}
		return nil
	})
	if err == nil {
		err = flushProducts()
	}
	if err != nil {
		return fmt.Errorf("index products: %w", err)
	}

	reviews := make([]ReviewDoc, 0, size)
	flushReviews := func() error {
		err := indexBatches(ctx, set.reviews, len(reviews), size, func(b *bleve.Batch, i int) error {
			return b.Index(reviews[i].ID, reviews[i].fields())
		})
		if err != nil {
			return err
		}
		report(len(reviews))
		reviews = reviews[:0]
		return nil
	}
	err = src.EachReview(ctx, storage.ReviewFilter{}, func(r *storage.Review) error {
		reviews = append(reviews, NewReviewDoc(r))
		if len(reviews) == size {
			return flushReviews()
		}
		return nil
	})
	if err == nil && len(reviews) > 0 {
		err = flushReviews()
	}
	if err != nil {
		return fmt.Errorf("index reviews: %w", err)
	}
	return ctx.Err()
}

// productRegions returns the region keys of every product's orders.
func productRegions(ctx context.Context, src Source) (map[string][]string, error) {
	sets := map[string]map[string]bool{}
	err := src.EachOrder(ctx, storage.OrderFilter{}, func(o *storage.Order) error {
		keys := RegionKeys(o.ShipTo)
		if len(keys) == 0 {
			return nil
		}
		for _, it := range o.Items {
			s := sets[it.ProductID]
			if s == nil {
				s = map[string]bool{}
				sets[it.ProductID] = s
			}
			for _, k := range keys {
				s[k] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read order regions: %w", err)
	}
	out := make(map[string][]string, len(sets))
	for id, s := range sets {
		keys := make([]string, 0, len(s))
		for k := range s {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out[id] = keys
	}
	return out, nil
}
