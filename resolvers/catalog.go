package resolvers

import (
	"context"
	"fmt"
	"sort"

	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/resolvers/loaders"
	"github.com/shopsight/shopsight/storage"
)

func (r *queryResolver) Product(ctx context.Context, id string) (*storage.Product, error) {
	if err := requireCatalog(ctx); err != nil {
		return nil, err
	}
	return found(r.store.Product(ctx, id))
}

func (r *queryResolver) Products(ctx context.Context, filter *model.ProductFilter, first *int32, after *string, orderBy *model.SortDirection) (*model.ProductConnection, error) {
	if err := requireCatalog(ctx); err != nil {
		return nil, err
	}
	f, err := productFilter(filter)
	if err != nil {
		return nil, err
	}
	req, err := r.pageRequest(ctx, first, after, orderBy)
	if err != nil {
		return nil, err
	}
	page, err := r.store.ListProducts(ctx, f, req)
	if err != nil {
		return nil, listingError("list products", err)
	}
	return productConnection(page, req), nil
}

func (r *queryResolver) Seller(ctx context.Context, id string) (*storage.Seller, error) {
	if err := requireCatalog(ctx); err != nil {
		return nil, err
	}
	return found(r.store.Seller(ctx, id))
}

func (r *queryResolver) Sellers(ctx context.Context, filter *model.SellerFilter, first *int32, after *string, orderBy *model.SortDirection) (*model.SellerConnection, error) {
	if err := requireCatalog(ctx); err != nil {
		return nil, err
	}
	f, err := sellerFilter(filter)
	if err != nil {
		return nil, err
	}
	req, err := r.pageRequest(ctx, first, after, orderBy)
	if err != nil {
		return nil, err
	}
	page, err := r.store.ListSellers(ctx, f, req)
	if err != nil {
		return nil, listingError("list sellers", err)
	}
	return sellerConnection(page, req), nil
}

// Attributes returns the attribute map as a list sorted by key, so the
// order is stable across requests.
func (r *productResolver) Attributes(_ context.Context, obj *storage.Product) ([]*model.Attribute, error) {
	out := make([]*model.Attribute, 0, len(obj.Attributes))
	for k, v := range obj.Attributes {
		out = append(out, &model.Attribute{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (r *productResolver) AverageRating(ctx context.Context, obj *storage.Product) (*float64, error) {
	st, err := r.loaders(ctx).RatingStats.Load(ctx, obj.ID)
	if err != nil {
		return nil, fmt.Errorf("read rating statistics of product %q: %w", obj.ID, err)
	}
	if st.Count == 0 {
		return nil, nil
	}
	avg := st.Average()
	return &avg, nil
}

func (r *productResolver) ReviewCount(ctx context.Context, obj *storage.Product) (int32, error) {
	st, err := r.loaders(ctx).RatingStats.Load(ctx, obj.ID)
	if err != nil {
		return 0, fmt.Errorf("read rating statistics of product %q: %w", obj.ID, err)
	}
	return int32(st.Count), nil
}

// Reviews loads a page of the product's reviews through the
// ReviewsByProduct loader, so a page of products costs one store read.
func (r *productResolver) Reviews(ctx context.Context, obj *storage.Product, first *int32, after *string, orderBy *model.SortDirection) (*model.ReviewConnection, error) {
	req, err := r.pageRequest(ctx, first, after, orderBy)
	if err != nil {
		return nil, err
	}
	page, err := r.loaders(ctx).ReviewsByProduct.Load(ctx, loaders.ReviewsKey{ID: obj.ID, Page: req})
	if err != nil {
		return nil, listingError(fmt.Sprintf("list reviews of product %q", obj.ID), err)
	}
	return reviewConnection(page, req), nil
}
