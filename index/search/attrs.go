package search

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"

	"github.com/shopsight/shopsight/index/fulltext"
	"github.com/shopsight/shopsight/storage"
)

// productAttrs are the filterable figures of one product, the same values
// the Bleve product document holds, so that a vector search filters
// exactly like a keyword search.
type productAttrs struct {
	id       string
	category []string
	price    storage.Money
	stats    storage.RatingStats
	rating   float64 // stats.Average(), 0 without reviews
	language string  // detected, as fulltext.DetectLanguage returns it
	regions  []string
}

// matches reports whether a passes f, with fulltext.Filter's semantics.
func (a *productAttrs) matches(f *fulltext.Filter) bool {
	if len(f.Category) > 0 && (len(a.category) < len(f.Category) || !slices.Equal(a.category[:len(f.Category)], f.Category)) {
		return false
	}
	if f.MinPrice != nil && a.price < *f.MinPrice || f.MaxPrice != nil && a.price > *f.MaxPrice {
		return false
	}
	if f.MinRating > 0 && a.rating < f.MinRating {
		return false
	}
	if f.Region != "" && !slices.Contains(a.regions, f.Region) {
		return false
	}
	return f.Language == "" || a.language == f.Language
}

// doc returns the Bleve document of p with a's figures.
func (a *productAttrs) doc(p *storage.Product) fulltext.ProductDoc {
	return fulltext.NewProductDoc(p, a.stats, a.regions)
}

// productKey maps a product id to its HNSW key (FNV-64a of the id).
func productKey(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// attrTable holds productAttrs of every product, the review → product map
// needed to update ratings when a review is deleted, and the HNSW key → id
// map. Its lock is held for reading for the whole of a vector search, so
// the HNSW filter reads it without locking.
type attrTable struct {
	mu       sync.RWMutex
	products map[string]*productAttrs
	keys     map[uint64]string
	// reviewProduct maps a review id to its product id.
	reviewProduct map[string]string
}

func newAttrTable() *attrTable {
	return &attrTable{products: map[string]*productAttrs{}, keys: map[uint64]string{}, reviewProduct: map[string]string{}}
}

// put adds or replaces a product's attributes. It returns an error for a
// product whose key collides with another id's.
func (t *attrTable) put(a *productAttrs) error {
	key := productKey(a.id)
	if other, ok := t.keys[key]; ok && other != a.id {
		return fmt.Errorf("products %q and %q have the same vector key %d: rename one of them", other, a.id, key)
	}
	t.keys[key] = a.id
	t.products[a.id] = a
	return nil
}

func (t *attrTable) remove(id string) {
	if _, ok := t.products[id]; ok {
		delete(t.keys, productKey(id))
		delete(t.products, id)
	}
}

func newAttrs(p *storage.Product, stats storage.RatingStats, regions []string) *productAttrs {
	return &productAttrs{
		id: p.ID, category: slices.Clone(p.Category), price: p.Price, stats: stats, rating: stats.Average(),
		language: fulltext.DetectLanguage(p.Title+" "+p.Description, p.Language), regions: regions,
	}
}

// loadAttrs reads every product with its rating statistics and order
// regions, and every review's product, from the store.
func loadAttrs(ctx context.Context, store *storage.Store) (*attrTable, error) {
	t := newAttrTable()
	regions, err := orderRegions(ctx, store, storage.OrderFilter{})
	if err != nil {
		return nil, err
	}
	var batch []*storage.Product
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ids := make([]string, len(batch))
		for i, p := range batch {
			ids[i] = p.ID
		}
		stats, err := store.RatingStats(ctx, ids)
		if err != nil {
			return fmt.Errorf("read rating statistics: %w", err)
		}
		for i, p := range batch {
			if err := t.put(newAttrs(p, stats[i], regions[p.ID])); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	err = store.EachProduct(ctx, storage.ProductFilter{}, func(p *storage.Product) error {
		batch = append(batch, p)
		if len(batch) == 500 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return nil, fmt.Errorf("read products for search filters: %w", err)
	}
	err = store.EachReview(ctx, storage.ReviewFilter{}, func(r *storage.Review) error {
		if r.ProductID != "" {
			t.reviewProduct[r.ID] = r.ProductID
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read review products: %w", err)
	}
	return t, nil
}

// orderRegions returns the sorted region keys (fulltext.RegionKeys) of the
// orders f selects, per product.
func orderRegions(ctx context.Context, store *storage.Store, f storage.OrderFilter) (map[string][]string, error) {
	out := map[string][]string{}
	err := store.EachOrder(ctx, f, func(o *storage.Order) error {
		for _, key := range fulltext.RegionKeys(o.ShipTo) {
			for _, it := range o.Items {
				out[it.ProductID] = addRegion(out[it.ProductID], key)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read order regions: %w", err)
	}
	return out, nil
}

// addRegion inserts key into the sorted list regions unless present.
func addRegion(regions []string, key string) []string {
	i, found := slices.BinarySearch(regions, key)
	if found {
		return regions
	}
	return slices.Insert(regions, i, key)
}
