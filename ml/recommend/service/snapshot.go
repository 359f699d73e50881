package service

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/shopsight/shopsight/ml/recommend"
	"github.com/shopsight/shopsight/storage"
)

// hybridDepth is the number of candidates Recommend takes from each model.
const hybridDepth = 100

// snapshot is everything one served version reads. It is immutable once
// built, so readers use it without locks while a newer one replaces it.
type snapshot struct {
	// version is nil for bootstrap models computed without training.
	version *Version
	models  *models
	catalog *catalog
	// text indexes the catalog read at load time, so that products added
	// after training have content neighbours.
	text   *recommend.TextIndex
	hybrid *recommend.Hybrid
	// regions are the region keys of the trending models, sorted.
	regions []string
}

// newSnapshot builds the serving structures over trained or bootstrap
// models.
func newSnapshot(v *Version, m *models, cat *catalog, opts Options) (*snapshot, error) {
	text, err := recommend.NewTextIndex(cat.texts, opts.Text)
	if err != nil {
		return nil, fmt.Errorf("index product texts: %w", err)
	}
	s := &snapshot{version: v, models: m, catalog: cat, text: text}
	for _, r := range m.trending[Window7d].Regions {
		if r != "" {
			s.regions = append(s.regions, r)
		}
	}
	slices.Sort(s.regions)

	content, err := recommend.NewContent(text.Similar, 20, 5)
	if err != nil {
		return nil, err
	}
	var components []recommend.Component
	add := func(name string, scorer recommend.Scorer) {
		if w := opts.Blend[name]; w > 0 && scorer != nil {
			components = append(components, recommend.Component{Scorer: scorer, Weight: w})
		}
	}
	if m.factors != nil {
		add(blendFactors, m.factors)
	}
	if m.copurchase != nil {
		add(blendCoPurchase, m.copurchase)
	}
	if m.coview != nil {
		session, err := recommend.NewSession(m.coview, opts.Weights, opts.Session)
		if err != nil {
			return nil, err
		}
		add(blendSession, session)
	}
	if m.fbt != nil {
		add(blendBoughtTogether, m.fbt)
	}
	add(blendContent, content)
	add(blendTrending, m.trending[Window7d])
	add(blendPopular, m.popular)

	exclude := recommend.ExcludeNothing
	if opts.ExcludePurchased {
		exclude = recommend.ExcludePurchased
	}
	hopts := recommend.DefaultHybridOptions().WithDepth(hybridDepth).WithExclude(exclude).
		WithAvailable(func(item string) bool { _, ok := cat.products[item]; return ok })
	s.hybrid, err = recommend.NewHybrid(m.histories, m.popular, hopts, components...)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// bootstrapModels computes popularity, trending and histories from the
// store, for serving before the first training.
func bootstrapModels(ctx context.Context, store *storage.Store, opts Options) (*models, error) {
	data, err := loadInteractions(ctx, store, nil)
	if err != nil {
		return nil, err
	}
	ds, err := recommend.NewDataset(data.users, opts.Weights.WithReference(opts.Now))
	if err != nil {
		return nil, err
	}
	m := &models{trending: make(map[string]*recommend.Popularity), histories: recommend.NewHistories(ds)}
	if err := trainPopularity(ctx, ds, m); err != nil {
		return nil, err
	}
	return m, nil
}

// resolveRegion maps a requested region to a model region key. It accepts
// the key itself ("BR-SP") or a bare state code ("SP") that one country
// uses; among several, the first key in sorted order wins. It returns ""
// for an empty or unknown region, which selects all regions.
func (s *snapshot) resolveRegion(region string) string {
	region = strings.ToUpper(strings.TrimSpace(region))
	if region == "" {
		return ""
	}
	if _, found := slices.BinarySearch(s.regions, region); found {
		return region
	}
	for _, r := range s.regions {
		if strings.HasSuffix(r, "-"+region) {
			return r
		}
	}
	return ""
}

// title returns the catalog title of a product, or its id.
func (s *snapshot) title(id string) string {
	if p, ok := s.catalog.products[id]; ok && p.Title != "" {
		return p.Title
	}
	return id
}

// inCategory reports whether a product's category path starts with prefix.
func (s *snapshot) inCategory(id string, prefix []string) bool {
	p, ok := s.catalog.products[id]
	if !ok || len(p.Category) < len(prefix) {
		return false
	}
	for i, c := range prefix {
		if !strings.EqualFold(p.Category[i], c) {
			return false
		}
	}
	return true
}
