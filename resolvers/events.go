package resolvers

import (
	"context"

	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/storage"
)

func (r *queryResolver) Event(ctx context.Context, id string) (*storage.Event, error) {
	if err := requirePersonalRecords(ctx); err != nil {
		return nil, err
	}
	return found(r.store.Event(ctx, id))
}

func (r *queryResolver) Events(ctx context.Context, filter *model.EventFilter, first *int32, after *string, orderBy *model.SortDirection) (*model.EventConnection, error) {
	if err := requirePersonalRecords(ctx); err != nil {
		return nil, err
	}
	f, err := eventFilter(filter)
	if err != nil {
		return nil, err
	}
	req, err := r.pageRequest(ctx, first, after, orderBy)
	if err != nil {
		return nil, err
	}
	page, err := r.store.ListEvents(ctx, f, req)
	if err != nil {
		return nil, listingError("list events", err)
	}
	return eventConnection(page, req), nil
}

func (r *eventResolver) User(ctx context.Context, obj *storage.Event) (*storage.User, error) {
	if err := requirePersonalRecords(ctx); err != nil {
		return nil, err
	}
	if obj.UserID == "" {
		return nil, nil
	}
	return r.loaders(ctx).User.Load(ctx, obj.UserID)
}

func (r *eventResolver) ProductID(_ context.Context, obj *storage.Event) (*string, error) {
	return nullIfEmpty(obj.ProductID), nil
}

func (r *eventResolver) Product(ctx context.Context, obj *storage.Event) (*storage.Product, error) {
	if obj.ProductID == "" {
		return nil, nil
	}
	return r.loaders(ctx).Product.Load(ctx, obj.ProductID)
}

func (r *eventResolver) Query(_ context.Context, obj *storage.Event) (*string, error) {
	return nullIfEmpty(obj.Query), nil
}
