package resolvers

import (
	"context"
	"time"

	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/storage"
)

func (r *queryResolver) Order(ctx context.Context, id string) (*storage.Order, error) {
	if err := requirePersonalRecords(ctx); err != nil {
		return nil, err
	}
	return found(r.store.Order(ctx, id))
}

func (r *queryResolver) Orders(ctx context.Context, filter *model.OrderFilter, first *int32, after *string, orderBy *model.SortDirection) (*model.OrderConnection, error) {
	if err := requirePersonalRecords(ctx); err != nil {
		return nil, err
	}
	f, err := orderFilter(filter)
	if err != nil {
		return nil, err
	}
	req, err := r.pageRequest(ctx, first, after, orderBy)
	if err != nil {
		return nil, err
	}
	page, err := r.store.ListOrders(ctx, f, req)
	if err != nil {
		return nil, listingError("list orders", err)
	}
	return orderConnection(page, req), nil
}

func (r *orderResolver) User(ctx context.Context, obj *storage.Order) (*storage.User, error) {
	if err := requirePersonalRecords(ctx); err != nil {
		return nil, err
	}
	if obj.UserID == "" {
		return nil, nil
	}
	return r.loaders(ctx).User.Load(ctx, obj.UserID)
}

func (r *orderResolver) ApprovedAt(_ context.Context, obj *storage.Order) (*time.Time, error) {
	return nullIfZero(obj.ApprovedAt), nil
}

func (r *orderResolver) DeliveredAt(_ context.Context, obj *storage.Order) (*time.Time, error) {
	return nullIfZero(obj.DeliveredAt), nil
}

func (r *orderResolver) EstimatedDeliveryAt(_ context.Context, obj *storage.Order) (*time.Time, error) {
	return nullIfZero(obj.EstimatedDeliveryAt), nil
}

func (r *orderResolver) FreightTotal(_ context.Context, obj *storage.Order) (storage.Money, error) {
	var sum storage.Money
	for _, it := range obj.Items {
		sum += it.Freight
	}
	return sum, nil
}

func (r *orderItemResolver) Product(ctx context.Context, obj *storage.OrderItem) (*storage.Product, error) {
	if obj.ProductID == "" {
		return nil, nil
	}
	return r.loaders(ctx).Product.Load(ctx, obj.ProductID)
}

func (r *orderItemResolver) Seller(ctx context.Context, obj *storage.OrderItem) (*storage.Seller, error) {
	if obj.SellerID == "" {
		return nil, nil
	}
	return r.loaders(ctx).Seller.Load(ctx, obj.SellerID)
}
