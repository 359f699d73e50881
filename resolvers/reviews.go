package resolvers

import (
	"context"

	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/storage"
)

func (r *queryResolver) Reviews(ctx context.Context, filter *model.ReviewFilter, first *int32, after *string, orderBy *model.SortDirection) (*model.ReviewConnection, error) {
	if err := requireCatalog(ctx); err != nil {
		return nil, err
	}
	f, err := reviewFilter(filter)
	if err != nil {
		return nil, err
	}
	req, err := r.pageRequest(ctx, first, after, orderBy)
	if err != nil {
		return nil, err
	}
	page, err := r.store.ListReviews(ctx, f, req)
	if err != nil {
		return nil, listingError("list reviews", err)
	}
	return reviewConnection(page, req), nil
}

func (r *reviewResolver) Product(ctx context.Context, obj *storage.Review) (*storage.Product, error) {
	return r.loaders(ctx).Product.Load(ctx, obj.ProductID)
}

func (r *reviewResolver) User(ctx context.Context, obj *storage.Review) (*storage.User, error) {
	if err := requirePersonalRecords(ctx); err != nil {
		return nil, err
	}
	if obj.UserID == "" {
		return nil, nil
	}
	return r.loaders(ctx).User.Load(ctx, obj.UserID)
}

func (r *reviewResolver) OrderID(_ context.Context, obj *storage.Review) (*string, error) {
	return nullIfEmpty(obj.OrderID), nil
}

func (r *reviewResolver) Order(ctx context.Context, obj *storage.Review) (*storage.Order, error) {
	if err := requirePersonalRecords(ctx); err != nil {
		return nil, err
	}
	if obj.OrderID == "" {
		return nil, nil
	}
	return r.loaders(ctx).Order.Load(ctx, obj.OrderID)
}
