package resolvers

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopsight/shopsight/graph"
	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/ml/recommend/service"
	"github.com/shopsight/shopsight/storage"
)

func (r *Resolver) Recommendation() graph.RecommendationResolver {
	return &recommendationResolver{r}
}

func (r *Resolver) RecommendationReason() graph.RecommendationReasonResolver {
	return &recommendationReasonResolver{r}
}

type (
	recommendationResolver       struct{ *Resolver }
	recommendationReasonResolver struct{ *Resolver }
)

// Product loads the recommended product through the Product loader, which
// the list's resolver primed with one store read.
func (r *recommendationResolver) Product(ctx context.Context, obj *service.Item) (*storage.Product, error) {
	p, err := r.loaders(ctx).Product.Load(ctx, obj.ProductID)
	if err != nil {
		return nil, fmt.Errorf("read recommended product %q: %w", obj.ProductID, err)
	}
	if p == nil {
		// The service read the product moments ago, so it was deleted
		// during the request.
		return nil, fmt.Errorf("read recommended product %q: %w", obj.ProductID, storage.ErrNotFound)
	}
	return p, nil
}

func (r *recommendationReasonResolver) Kind(_ context.Context, obj *service.Reason) (model.RecommendationReasonKind, error) {
	return reasonKind(obj.Kind)
}

// RelatedProduct loads the related product through the Product loader. It
// returns null without a related product or when it was deleted.
func (r *recommendationReasonResolver) RelatedProduct(ctx context.Context, obj *service.Reason) (*storage.Product, error) {
	if obj.RelatedProductID == "" {
		return nil, nil
	}
	p, err := r.loaders(ctx).Product.Load(ctx, obj.RelatedProductID)
	if err != nil {
		return nil, fmt.Errorf("read related product %q: %w", obj.RelatedProductID, err)
	}
	return p, nil
}

func (r *recommendationReasonResolver) Region(_ context.Context, obj *service.Reason) (*string, error) {
	return nullIfEmpty(obj.Region), nil
}

func (r *recommendationReasonResolver) RegionName(_ context.Context, obj *service.Reason) (*string, error) {
	return nullIfEmpty(obj.RegionName), nil
}

func (r *recommendationReasonResolver) Window(_ context.Context, obj *service.Reason) (*model.TrendingWindow, error) {
	return reasonWindow(obj.Window)
}

// reasonKind converts a service reason kind, such as "bought_together", to
// its enum value, BOUGHT_TOGETHER. A kind without an enum value is an
// INTERNAL error, so a kind added to the service shows in the server log
// instead of reaching clients under a wrong name.
func reasonKind(kind service.ReasonKind) (model.RecommendationReasonKind, error) {
	k := model.RecommendationReasonKind(strings.ToUpper(string(kind)))
	if !k.IsValid() {
		return "", fmt.Errorf("recommendation reason kind %q has no RecommendationReasonKind value; add it to schema/recommend.graphqls", kind)
	}
	return k, nil
}

// reasonWindow converts the trending window of a reason. It returns nil
// for a reason without a window.
func reasonWindow(window string) (*model.TrendingWindow, error) {
	var w model.TrendingWindow
	switch window {
	case "":
		return nil, nil
	case service.Window24h, "1d":
		w = model.TrendingWindowDay
	case service.Window7d:
		w = model.TrendingWindowWeek
	case service.Window30d:
		w = model.TrendingWindowMonth
	default:
		return nil, fmt.Errorf("recommendation reason window %q has no TrendingWindow value; add it to schema/recommend.graphqls", window)
	}
	return &w, nil
}
