package search

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/shopsight/shopsight/index/fulltext"
	"github.com/shopsight/shopsight/index/hnsw"
	"github.com/shopsight/shopsight/index/vectors"
	"github.com/shopsight/shopsight/storage"
)

// Follow applies the store's new changes to the indexes every
// Options.PollInterval until ctx ends, and then returns ctx's error. A
// failed poll is logged and retried at the next tick. Run one Follow per
// Service; it is the only writer of the indexes after Open.
//
// With a text model, Follow also embeds, in the background, the reviews
// that have no vector of the model or whose text changed, and deletes the
// vectors of deleted reviews (see syncReviewVectors). It returns after that
// work stops.
func (s *Service) Follow(ctx context.Context) error {
	if s.enc != nil {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.syncReviewVectors(ctx)
		}()
		defer wg.Wait()
	}
	ticker := time.NewTicker(s.opts.PollInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
		err := s.CatchUp(ctx)
		if err == nil {
			err = s.checkpoint(ctx, false)
		}
		switch {
		case err == nil:
			s.followErr = 0
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			s.followErr++
			// Log the first failure and then every 100th, so a persistent
			// failure does not flood the log.
			if s.followErr == 1 || s.followErr%100 == 0 {
				s.log.Error("search index update failed; retrying", "err", err, "watermark", s.applied.Load(),
					"consecutive_failures", s.followErr)
			}
		}
	}
}

// CatchUp applies every change after the watermark, in batches of
// Options.ChangeBatch, and advances the watermark after each batch. It
// returns an error wrapping errChangesTrimmed when the change log no longer
// holds the next change.
func (s *Service) CatchUp(ctx context.Context) error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	if s.closed.Load() {
		return ErrClosed
	}
	last, err := s.store.LastSeq(ctx)
	if err != nil {
		return fmt.Errorf("search: read change log position: %w", err)
	}
	for s.applied.Load() < last {
		after := s.applied.Load()
		changes, err := s.store.Changes(ctx, after, s.opts.ChangeBatch)
		if err != nil {
			return fmt.Errorf("search: read changes after %d: %w", after, err)
		}
		// Every committed transaction with records takes the next sequence
		// number, so a gap means the entries were trimmed.
		if len(changes) == 0 || changes[0].Seq != after+1 {
			return fmt.Errorf("search: next change after %d is missing (log ends at %d): %w", after, last, errChangesTrimmed)
		}
		// A transaction's entries may span two batches; apply whole
		// sequence numbers only, unless one transaction fills the batch.
		if len(changes) == s.opts.ChangeBatch {
			lastSeq := changes[len(changes)-1].Seq
			if i := slices.IndexFunc(changes, func(c storage.Change) bool { return c.Seq == lastSeq }); i > 0 {
				changes = changes[:i]
			}
		}
		if err := s.apply(ctx, changes); err != nil {
			return err
		}
		s.applied.Store(changes[len(changes)-1].Seq)
	}
	return nil
}

// catchUpFrom lowers the watermark to seq, when it is above, and catches up.
func (s *Service) catchUpFrom(ctx context.Context, seq uint64) error {
	if seq < s.applied.Load() {
		s.applied.Store(seq)
	}
	return s.CatchUp(ctx)
}

// changeSet is a batch of changes grouped by what they affect.
type changeSet struct {
	// products lists products to re-read; textChanged those whose own
	// record changed, so their vector may have to change too.
	products    map[string]bool
	textChanged map[string]bool
	reviews     []string
	orders      []string
}

// apply brings the indexes in step with the current state of the records
// that changes name. The caller holds applyMu.
func (s *Service) apply(ctx context.Context, changes []storage.Change) error {
	set := changeSet{products: map[string]bool{}, textChanged: map[string]bool{}}
	for _, c := range changes {
		switch c.Kind {
		case storage.KindProduct:
			set.products[c.ID] = true
			set.textChanged[c.ID] = true
		case storage.KindReview:
			set.reviews = append(set.reviews, c.ID)
		case storage.KindOrder:
			set.orders = append(set.orders, c.ID)
		}
	}
	if err := s.applyReviews(ctx, &set); err != nil {
		return err
	}
	if err := s.applyOrders(ctx, &set); err != nil {
		return err
	}
	return s.applyProducts(ctx, &set)
}

// applyReviews indexes or deletes the reviews, updates their vectors when
// there is a text model, and marks the products whose rating changed.
func (s *Service) applyReviews(ctx context.Context, set *changeSet) error {
	if len(set.reviews) == 0 {
		return nil
	}
	ids := slices.Compact(slices.Sorted(slices.Values(set.reviews)))
	reviews, err := s.store.Reviews(ctx, ids)
	if err != nil {
		return fmt.Errorf("search: read changed reviews: %w", err)
	}
	var docs []fulltext.ReviewDoc
	var deleted []string
	s.attrs.mu.Lock()
	for i, id := range ids {
		if old, ok := s.attrs.reviewProduct[id]; ok {
			set.products[old] = true
			delete(s.attrs.reviewProduct, id)
		}
		r := reviews[i]
		if r == nil {
			deleted = append(deleted, id)
			continue
		}
		docs = append(docs, fulltext.NewReviewDoc(r))
		if r.ProductID != "" {
			s.attrs.reviewProduct[id] = r.ProductID
			set.products[r.ProductID] = true
		}
	}
	s.attrs.mu.Unlock()
	if err := s.text.IndexReviews(ctx, docs); err != nil {
		return fmt.Errorf("search: index reviews: %w", err)
	}
	if err := s.text.DeleteReviews(ctx, deleted); err != nil {
		return fmt.Errorf("search: delete reviews: %w", err)
	}
	if s.enc != nil {
		// Review vectors live in the store only; the HNSW index holds
		// products.
		return s.ensureVectors(ctx, storage.KindReview, ids)
	}
	return nil
}

// applyOrders adds the regions of changed orders to their products.
//
// TODO: regions only grow here; a deleted order, or one whose address or
// items changed, keeps contributing its old regions until the next rebuild.
func (s *Service) applyOrders(ctx context.Context, set *changeSet) error {
	if len(set.orders) == 0 {
		return nil
	}
	orders, err := s.store.Orders(ctx, slices.Compact(slices.Sorted(slices.Values(set.orders))))
	if err != nil {
		return fmt.Errorf("search: read changed orders: %w", err)
	}
	s.attrs.mu.Lock()
	defer s.attrs.mu.Unlock()
	for _, o := range orders {
		if o == nil {
			continue
		}
		for _, key := range fulltext.RegionKeys(o.ShipTo) {
			for _, it := range o.Items {
				a := s.attrs.products[it.ProductID]
				if a == nil {
					continue
				}
				if regions := addRegion(a.regions, key); len(regions) != len(a.regions) {
					a.regions = regions
					set.products[it.ProductID] = true
				}
			}
		}
	}
	return nil
}

// applyProducts re-reads the marked products and updates the attribute
// table, the Bleve documents and, for products whose record changed, the
// vectors.
func (s *Service) applyProducts(ctx context.Context, set *changeSet) error {
	if len(set.products) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(set.products))
	products, err := s.store.Products(ctx, ids)
	if err != nil {
		return fmt.Errorf("search: read changed products: %w", err)
	}
	stats, err := s.store.RatingStats(ctx, ids)
	if err != nil {
		return fmt.Errorf("search: read rating statistics: %w", err)
	}
	var docs []fulltext.ProductDoc
	var deleted []string
	s.attrs.mu.Lock()
	for i, id := range ids {
		p := products[i]
		if p == nil {
			s.attrs.remove(id)
			deleted = append(deleted, id)
			continue
		}
		var regions []string
		if old := s.attrs.products[id]; old != nil {
			regions = old.regions
		}
		a := newAttrs(p, stats[i], regions)
		if err := s.attrs.put(a); err != nil {
			s.log.Error("product left out of search", "product", id, "err", err)
			continue
		}
		docs = append(docs, a.doc(p))
	}
	s.attrs.mu.Unlock()
	if err := s.text.IndexProducts(ctx, docs); err != nil {
		return fmt.Errorf("search: index products: %w", err)
	}
	if err := s.text.DeleteProducts(ctx, deleted); err != nil {
		return fmt.Errorf("search: delete products: %w", err)
	}
	for _, id := range ids {
		if set.textChanged[id] {
			if err := s.updateVector(ctx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// updateVector brings the product's vector, in the store and in the HNSW
// index, in step with its record.
func (s *Service) updateVector(ctx context.Context, id string) error {
	if s.modelID == "" {
		return nil
	}
	if s.enc != nil {
		if err := s.vecs.EnsureOne(ctx, storage.KindProduct, id); err != nil {
			return fmt.Errorf("search: embed product %q: %w", id, err)
		}
	}
	key := productKey(id)
	s.attrs.mu.RLock()
	_, exists := s.attrs.products[id]
	s.attrs.mu.RUnlock()
	g := s.graph.Load()
	if !exists {
		if g != nil {
			g.Delete(key)
		}
		return nil
	}
	vec, err := s.vecs.Get(ctx, s.modelID, storage.KindProduct, id)
	switch {
	case errors.Is(err, vectors.ErrNotFound):
		if g != nil {
			g.Delete(key)
		}
		return nil
	case err != nil:
		return fmt.Errorf("search: read vector of product %q: %w", id, err)
	}
	if g == nil {
		if g, err = hnsw.New(len(vec), s.opts.HNSW.WithMetadata("")); err != nil {
			return fmt.Errorf("search: create vector index: %w", err)
		}
		s.graph.Store(g)
	}
	if old, ok := g.Vector(key); ok && sameVector(g.Options().Metric, old, vec) {
		return nil
	}
	if err := g.Add(key, vec); err != nil {
		return fmt.Errorf("search: add vector of product %q: %w", id, err)
	}
	return nil
}

// sameVector reports whether re-adding raw would leave the stored vector
// unchanged: under Cosine the index stores vectors normalized, so only the
// direction counts.
func sameVector(metric hnsw.Metric, stored, raw []float32) bool {
	if len(stored) != len(raw) {
		return false
	}
	if metric != hnsw.Cosine {
		return slices.Equal(stored, raw)
	}
	var dot, norm float64
	for i := range raw {
		dot += float64(stored[i]) * float64(raw[i])
		norm += float64(raw[i]) * float64(raw[i])
	}
	return dot > 0 && dot*dot >= norm*(1-1e-9)
}
