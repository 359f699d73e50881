package resolvers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"golang.org/x/text/language"

	"github.com/shopsight/shopsight/graph/errcode"
	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/ml/recommend/service"
	"github.com/shopsight/shopsight/storage"
)

// defaultRecommendations is the list length when a request passes
// `first: null`. It matches the schema default of `first`.
const defaultRecommendations = 10

// maxSessionProducts bounds context.sessionProductIds, so one request
// cannot make the session models score an unbounded history.
const maxSessionProducts = 100

// trendingWindows maps TrendingWindow values to service windows.
var trendingWindows = map[model.TrendingWindow]string{
	model.TrendingWindowDay:   service.Window24h,
	model.TrendingWindowWeek:  service.Window7d,
	model.TrendingWindowMonth: service.Window30d,
}

func (r *queryResolver) Recommendations(ctx context.Context, userID string, first *int32, rc *model.RecommendationContext) ([]*service.Item, error) {
	if err := requirePredictions(ctx); err != nil {
		return nil, err
	}
	svc, err := r.recommender()
	if err != nil {
		return nil, err
	}
	k, err := recommendationCount(first)
	if err != nil {
		return nil, err
	}
	var req service.RecContext
	if rc != nil {
		if req, err = r.recContext(ctx, rc); err != nil {
			return nil, err
		}
	}
	items, err := svc.Recommend(ctx, userID, k, req)
	if err != nil {
		return nil, serviceError(err, fmt.Sprintf("recommend products for user %q", userID))
	}
	return r.primeItems(ctx, items)
}

func (r *queryResolver) FrequentlyBoughtTogether(ctx context.Context, productID string, first *int32) ([]*service.Item, error) {
	if err := requirePredictions(ctx); err != nil {
		return nil, err
	}
	svc, err := r.recommender()
	if err != nil {
		return nil, err
	}
	k, err := recommendationCount(first)
	if err != nil {
		return nil, err
	}
	if err := r.checkProducts(ctx, "productId", []string{productID}); err != nil {
		return nil, err
	}
	items, err := svc.FrequentlyBoughtTogether(ctx, productID, k)
	if err != nil {
		return nil, serviceError(err, fmt.Sprintf("find products bought together with %q", productID))
	}
	return r.primeItems(ctx, items)
}

func (r *queryResolver) Trending(ctx context.Context, region *string, window *model.TrendingWindow, first *int32) ([]*service.Item, error) {
	if err := requirePredictions(ctx); err != nil {
		return nil, err
	}
	svc, err := r.recommender()
	if err != nil {
		return nil, err
	}
	k, err := recommendationCount(first)
	if err != nil {
		return nil, err
	}
	key := ""
	if region != nil {
		key = strings.TrimSpace(*region)
		if err := checkRegion("region", key); err != nil {
			return nil, err
		}
	}
	// An explicit `window: null` means the schema default, WEEK.
	w := service.Window7d
	if window != nil {
		var ok bool
		if w, ok = trendingWindows[*window]; !ok {
			return nil, errcode.BadInput("window", "invalid window %q: use DAY, WEEK or MONTH", *window)
		}
	}
	items, err := svc.Trending(ctx, key, w, k)
	if err != nil {
		return nil, serviceError(err, fmt.Sprintf("find trending products in %q over %s", key, w))
	}
	return r.primeItems(ctx, items)
}

func (r *queryResolver) RecommendationStatus(ctx context.Context) (*model.RecommendationStatus, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	svc, err := r.recommender()
	if err != nil {
		return nil, err
	}
	return trainingStatus(svc.Status()), nil
}

// TrainRecommendations starts a background training. The training gets a
// context of its own, because the request's context ends with the
// response; Service.Close cancels it at shutdown.
func (r *mutationResolver) TrainRecommendations(ctx context.Context) (*model.RecommendationStatus, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	svc, err := r.recommender()
	if err != nil {
		return nil, err
	}
	if err := svc.StartTraining(context.Background()); err != nil {
		if errors.Is(err, service.ErrTrainingRunning) {
			return nil, &errcode.Error{Code: errcode.Conflict, Message: err.Error(), Err: err}
		}
		return nil, fmt.Errorf("start recommendation training: %w", err)
	}
	r.opts.Logger.Info("recommendation training started from the API")
	return trainingStatus(svc.Status()), nil
}

// recommender returns the recommendation service, or an INTERNAL error when
// the handler was built without one.
func (r *Resolver) recommender() (*service.Service, error) {
	if r.opts.Recommender != nil {
		if svc := r.opts.Recommender(); svc != nil {
			return svc, nil
		}
	}
	return nil, errors.New("recommendations are not available: the handler has no recommendation service; build it with Options.WithRecommender")
}

// recContext checks a RecommendationContext and converts it.
func (r *Resolver) recContext(ctx context.Context, rc *model.RecommendationContext) (service.RecContext, error) {
	var out service.RecContext
	if rc.Region != nil {
		out.Region = strings.TrimSpace(*rc.Region)
		if err := checkRegion("context.region", out.Region); err != nil {
			return out, err
		}
	}
	if rc.Time != nil {
		out.Time = *rc.Time
	}
	if n := len(rc.SessionProductIds); n > maxSessionProducts {
		return out, errcode.BadInput("context.sessionProductIds",
			"invalid context.sessionProductIds: %d products, at most %d are allowed; pass the most recent ones", n, maxSessionProducts)
	}
	if err := r.checkProducts(ctx, "context.sessionProductIds", rc.SessionProductIds); err != nil {
		return out, err
	}
	out.SessionProductIDs = rc.SessionProductIds
	out.Category = rc.Category
	return out, nil
}

// checkProducts returns a NOT_FOUND error on field naming the first id
// that is not in the catalog.
func (r *Resolver) checkProducts(ctx context.Context, field string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	products, err := r.primeProducts(ctx, ids)
	if err != nil {
		return fmt.Errorf("read products of %s: %w", field, err)
	}
	for i, p := range products {
		if p == nil {
			return &errcode.Error{Code: errcode.NotFound, Field: field, Message: fmt.Sprintf("product %q of %s not found", ids[i], field)}
		}
	}
	return nil
}

// recommendationCount checks `first` of a recommendation list.
func recommendationCount(first *int32) (int, error) {
	if first == nil {
		return defaultRecommendations, nil
	}
	n := int(*first)
	if n < 1 || n > service.MaxK {
		return 0, errcode.BadInput("first", "invalid first %d: must be between 1 and %d", n, service.MaxK)
	}
	return n, nil
}

// checkRegion returns a BAD_USER_INPUT error on field unless region is
// empty, a region key made of an ISO 3166-1 alpha-2 country code and a
// subdivision code of 1 to 3 letters or digits ("BR-SP"), or a subdivision
// code alone ("SP").
//
// NOTE: the subdivision code is checked for its form only. A well-formed
// region without orders or events, such as "BR-XY", selects all regions,
// because the recommendation service does not export its list of regions.
func checkRegion(field, region string) error {
	if region == "" {
		return nil
	}
	country, subdivision, hasCountry := strings.Cut(region, "-")
	if !hasCountry {
		subdivision = country
	}
	if !isSubdivisionCode(subdivision) {
		return errcode.BadInput(field, "invalid %s %q: use a region key such as \"BR-SP\" or a subdivision code such as \"SP\"", field, region)
	}
	if hasCountry {
		code, err := language.ParseRegion(country)
		if err != nil || len(country) != 2 || !code.IsCountry() {
			return errcode.BadInput(field, "invalid %s %q: %q is not an ISO 3166-1 alpha-2 country code such as \"BR\"", field, region, country)
		}
	}
	return nil
}

func isSubdivisionCode(s string) bool {
	if len(s) < 1 || len(s) > 3 {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// serviceError maps an error of the recommendation service to an API
// error: an unknown product is NOT_FOUND and an argument out of range is
// BAD_USER_INPUT. The resolvers check their arguments first, so these
// cases arise only when a product is deleted during the request or the
// service's limits change.
func serviceError(err error, what string) error {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return &errcode.Error{Code: errcode.NotFound, Message: fmt.Sprintf("%s: %s", what, err), Err: err}
	case errors.Is(err, service.ErrInvalidArgument):
		return &errcode.Error{Code: errcode.BadUserInput, Message: fmt.Sprintf("%s: %s", what, err), Err: err}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// primeProducts reads the products of ids in one store read and puts them
// in the request's Product loader. The fields that resolve them later then
// find them cached instead of each level of the response waiting
// Options.LoaderWait for a batch. It returns nil for a missing product.
func (r *Resolver) primeProducts(ctx context.Context, ids []string) ([]*storage.Product, error) {
	products, err := r.store.Products(ctx, ids)
	if err != nil {
		return nil, err
	}
	loader := r.loaders(ctx).Product
	for i, p := range products {
		if p != nil {
			loader.Prime(ids[i], p)
		}
	}
	return products, nil
}

// primeItems primes the Product loader with the products and related
// products of items and returns pointers to the items.
func (r *Resolver) primeItems(ctx context.Context, items []service.Item) ([]*service.Item, error) {
	seen := make(map[string]bool)
	var ids []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	out := make([]*service.Item, len(items))
	for i := range items {
		out[i] = &items[i]
		add(items[i].ProductID)
		for _, reason := range items[i].Reasons {
			add(reason.RelatedProductID)
		}
	}
	if len(ids) > 0 {
		if _, err := r.primeProducts(ctx, ids); err != nil {
			return nil, fmt.Errorf("read recommended products: %w", err)
		}
	}
	return out, nil
}

// trainingStatus converts the service's training status. The empty stage
// and the zero start time, which mean no training since the service
// opened, become null.
func trainingStatus(s service.TrainingStatus) *model.RecommendationStatus {
	out := &model.RecommendationStatus{
		Running:     s.Running,
		Stage:       nullIfEmpty(s.Stage),
		Done:        clampInt32(s.Done),
		Total:       clampInt32(s.Total),
		StartedAt:   nullIfZero(s.StartedAt),
		LastVersion: nullIfEmpty(s.LastVersion),
		LastError:   nullIfEmpty(s.LastError),
	}
	return out
}

func clampInt32(n int) int32 {
	return int32(min(max(n, math.MinInt32), math.MaxInt32))
}
