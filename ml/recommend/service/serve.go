package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shopsight/shopsight/ml/recommend"
	"github.com/shopsight/shopsight/storage"
)

// ErrInvalidArgument reports a request argument out of range, such as k.
var ErrInvalidArgument = errors.New("invalid argument")

// RecContext is the request context of Recommend.
type RecContext struct {
	// Region is a region key such as "BR-SP" or a state code such as
	// "SP". Empty means the user's region in the store, or all regions
	// for an unknown user.
	Region string
	// Time is when the session events happened. The zero value means now.
	Time time.Time
	// SessionProductIDs are the products viewed in the current session,
	// oldest first. They seed the session, content and bought-together
	// models and are not recommended back. Unknown ids are ignored.
	SessionProductIDs []string
	// Category, when set, keeps only products whose category path starts
	// with it, compared case-insensitively.
	Category []string
}

// ranked is a candidate on its way to an Item.
type ranked struct {
	item    string
	score   float64
	reasons []recommend.Reason
}

func checkK(k int) error {
	if k <= 0 || k > MaxK {
		return fmt.Errorf("%w: k = %d; ask for 1 to %d items", ErrInvalidArgument, k, MaxK)
	}
	return nil
}

// overfetch is how many more candidates than k a request takes, so that
// products deleted since the version was loaded can be dropped.
func overfetch(k int) int { return k + k/2 + 5 }

// Recommend returns up to k products for a user. A known user gets the
// blend of the factor model, co-purchase neighbours of the history, the
// session, bought-together, content and trending models. An unknown or
// empty userID gets the region's trending products and the neighbours of
// the session products. The list is empty only when the catalog, less the
// filters, is. Purchased products are excluded when Options.ExcludePurchased
// is set.
func (s *Service) Recommend(ctx context.Context, userID string, k int, rc RecContext) ([]Item, error) {
	if err := checkK(k); err != nil {
		return nil, fmt.Errorf("recommend for user %q: %w", userID, err)
	}
	snap := s.snap.Load()
	region := rc.Region
	if region == "" && userID != "" {
		u, err := s.store.User(ctx, userID)
		switch {
		case err == nil:
			region = regionKey(u.Region)
		case !errors.Is(err, storage.ErrNotFound):
			return nil, fmt.Errorf("recommend for user %q: %w", userID, err)
		}
	}
	when := rc.Time
	if when.IsZero() {
		when = time.Now()
	}
	inSession := make(map[string]bool, len(rc.SessionProductIDs))
	var session []recommend.SessionEvent
	for _, id := range rc.SessionProductIDs {
		inSession[id] = true
		session = append(session, recommend.SessionEvent{Item: id, Event: recommend.EventView, Time: when})
	}
	keep := func(item string) bool {
		return !inSession[item] && (len(rc.Category) == 0 || snap.inCategory(item, rc.Category))
	}
	recs, err := snap.hybrid.Recommend(ctx, recommend.Request{
		User: userID, Region: snap.resolveRegion(region), K: overfetch(k),
		Session: session, Touched: rc.SessionProductIDs, Allow: keep,
	})
	if err != nil {
		return nil, err
	}
	list := make([]ranked, 0, len(recs))
	for _, r := range recs {
		list = append(list, ranked{item: r.Item, score: r.Score, reasons: r.Reasons})
	}
	if len(list) < overfetch(k) {
		list = snap.fillFromCatalog(list, overfetch(k), func(item string) bool {
			return keep(item) && !s.purchased(snap, userID, item)
		})
	}
	return s.render(ctx, snap, list, k)
}

// purchased reports whether the trained history of user holds a purchase
// of item, when purchased items are excluded.
func (s *Service) purchased(snap *snapshot, user, item string) bool {
	if !s.opts.ExcludePurchased {
		return false
	}
	history, _ := snap.models.histories.Of(user)
	for _, h := range history {
		if h.Item == item && h.Event == recommend.EventPurchase {
			return true
		}
	}
	return false
}

// fillFromCatalog appends catalog products, in id order, until list has n
// items. It serves stores whose interactions cover too little of the
// catalog.
func (snap *snapshot) fillFromCatalog(list []ranked, n int, keep func(string) bool) []ranked {
	taken := make(map[string]bool, len(list))
	for _, r := range list {
		taken[r.item] = true
	}
	for _, id := range snap.catalog.ids {
		if len(list) >= n {
			break
		}
		if taken[id] || !keep(id) {
			continue
		}
		list = append(list, ranked{item: id, reasons: []recommend.Reason{{Kind: ReasonCatalog, Model: "catalog"}}})
	}
	return list
}

// SimilarProducts returns up to k products similar to productID: viewed in
// the same sessions, bought by the same customers, or close in title,
// description and category. A product added after training gets content
// neighbours only. An unknown product returns an error wrapping
// storage.ErrNotFound.
func (s *Service) SimilarProducts(ctx context.Context, productID string, k int) ([]Item, error) {
	if err := checkK(k); err != nil {
		return nil, fmt.Errorf("similar products of %q: %w", productID, err)
	}
	if _, err := s.store.Product(ctx, productID); err != nil {
		return nil, fmt.Errorf("similar products: %w", err)
	}
	snap := s.snap.Load()
	depth := overfetch(k)
	var sources []source
	if m := snap.models.coview; m != nil {
		sources = append(sources, source{0.8, m.Similar(productID, depth), ReasonViewedTogether, blobCoView})
	}
	if m := snap.models.copurchase; m != nil {
		sources = append(sources, source{0.5, m.Similar(productID, depth), ReasonAlsoBought, blobCoPurchase})
	}
	content, err := snap.text.Similar(ctx, productID, depth)
	if err != nil {
		return nil, fmt.Errorf("similar products of %q: %w", productID, err)
	}
	sources = append(sources, source{1, content, recommend.ReasonSimilarContent, "content"})
	list := blend(sources, productID, depth, snap)
	return s.render(ctx, snap, list, k)
}

// FrequentlyBoughtTogether returns up to k products bought in the same
// orders as productID, ranked by lift, then products bought by the same
// customers. The list is empty before the first training and for a product
// without purchases. An unknown product returns an error wrapping
// storage.ErrNotFound.
func (s *Service) FrequentlyBoughtTogether(ctx context.Context, productID string, k int) ([]Item, error) {
	if err := checkK(k); err != nil {
		return nil, fmt.Errorf("products bought together with %q: %w", productID, err)
	}
	if _, err := s.store.Product(ctx, productID); err != nil {
		return nil, fmt.Errorf("products bought together: %w", err)
	}
	snap := s.snap.Load()
	depth := overfetch(k)
	var sources []source
	if m := snap.models.fbt; m != nil {
		sources = append(sources, source{1, m.Together(productID, depth), recommend.ReasonBoughtTogether, blobFBT})
	}
	if m := snap.models.copurchase; m != nil {
		sources = append(sources, source{0.5, m.Similar(productID, depth), ReasonAlsoBought, blobCoPurchase})
	}
	return s.render(ctx, snap, blend(sources, productID, depth, snap), k)
}

// Trending returns up to k products trending in region over window ("24h",
// "7d" or "30d"): the rise of their recent rate over their baseline rate,
// then the region's popular products. An empty or unknown region means all
// regions.
func (s *Service) Trending(ctx context.Context, region, window string, k int) ([]Item, error) {
	if err := checkK(k); err != nil {
		return nil, fmt.Errorf("trending products: %w", err)
	}
	if !slices.Contains(Windows(), window) {
		return nil, fmt.Errorf("trending products: %w: window %q; use 24h, 7d or 30d", ErrInvalidArgument, window)
	}
	snap := s.snap.Load()
	cands, err := snap.models.trending[window].Candidates(ctx,
		&recommend.Query{Region: snap.resolveRegion(region), Exclude: map[string]struct{}{}}, overfetch(k))
	if err != nil {
		return nil, fmt.Errorf("trending products in %q over %s: %w", region, window, err)
	}
	list := make([]ranked, 0, len(cands))
	for _, c := range cands {
		if _, ok := snap.catalog.products[c.Item]; ok {
			list = append(list, ranked{item: c.Item, score: c.Score, reasons: c.Reasons})
		}
	}
	return s.render(ctx, snap, list, k)
}

// source is one model's neighbour list for blend.
type source struct {
	weight float64
	cands  []recommend.Candidate
	kind   ReasonKind
	model  string
}

// blend merges neighbour lists of anchor by rank, as the hybrid does: the
// candidate at rank r of a list scores weight·(1 − r/depth). Products not
// in the catalog and the anchor itself are skipped.
func blend(sources []source, anchor string, depth int, snap *snapshot) []ranked {
	byItem := make(map[string]*ranked)
	var order []string
	for _, src := range sources {
		rank := 0
		for _, c := range src.cands {
			if _, ok := snap.catalog.products[c.Item]; !ok || c.Item == anchor {
				continue
			}
			contrib := src.weight * (1 - float64(rank)/float64(depth))
			rank++
			r := byItem[c.Item]
			if r == nil {
				r = &ranked{item: c.Item}
				byItem[c.Item] = r
				order = append(order, c.Item)
			}
			r.score += contrib
			r.reasons = append(r.reasons, recommend.Reason{Kind: src.kind, Model: src.model, Item: anchor, Score: c.Score})
		}
	}
	out := make([]ranked, 0, len(order))
	for _, id := range order {
		out = append(out, *byItem[id])
	}
	slices.SortStableFunc(out, func(a, b ranked) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	return out
}

// render turns ranked candidates into Items: it reads the products from
// the store in one batch, drops those deleted since the version was loaded,
// keeps the first k and writes every reason's sentence.
func (s *Service) render(ctx context.Context, snap *snapshot, list []ranked, k int) ([]Item, error) {
	seen := make(map[string]bool)
	var ids []string
	addID := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, r := range list {
		addID(r.item)
		for _, reason := range r.reasons {
			addID(reason.Item)
		}
	}
	products, err := s.store.Products(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read recommended products: %w", err)
	}
	byID := make(map[string]*storage.Product, len(ids))
	for i, p := range products {
		if p != nil {
			byID[ids[i]] = p
		}
	}
	title := func(id string) string {
		if p := byID[id]; p != nil && p.Title != "" {
			return p.Title
		}
		return snap.title(id)
	}
	out := make([]Item, 0, k)
	for _, r := range list {
		if len(out) == k {
			break
		}
		p := byID[r.item]
		if p == nil {
			continue
		}
		item := Item{ProductID: r.item, Title: p.Title, Score: r.score}
		// Two models can give the same reason (regional and all-time
		// popularity both say "popular in São Paulo"); a reader sees it once.
		dup := make(map[string]bool)
		for _, reason := range r.reasons {
			rendered := newReason(reason, title)
			key := string(rendered.Kind) + "\x00" + rendered.Text
			if dup[key] {
				continue
			}
			dup[key] = true
			item.Reasons = append(item.Reasons, rendered)
		}
		out = append(out, item)
	}
	return out, nil
}
