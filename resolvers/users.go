package resolvers

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/resolvers/loaders"
	"github.com/shopsight/shopsight/storage"
)

// found turns a point read into a nullable result: a missing record is
// null, not an error.
func found[T any](v T, err error) (*T, error) {
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func (r *queryResolver) User(ctx context.Context, id string) (*storage.User, error) {
	if err := requirePersonalRecords(ctx); err != nil {
		return nil, err
	}
	return found(r.store.User(ctx, id))
}

func (r *queryResolver) Users(ctx context.Context, filter *model.UserFilter, first *int32, after *string, orderBy *model.SortDirection) (*model.UserConnection, error) {
	if err := requirePersonalRecords(ctx); err != nil {
		return nil, err
	}
	f, err := userFilter(filter)
	if err != nil {
		return nil, err
	}
	req, err := r.pageRequest(ctx, first, after, orderBy)
	if err != nil {
		return nil, err
	}
	page, err := r.store.ListUsers(ctx, f, req)
	if err != nil {
		return nil, listingError("list users", err)
	}
	return userConnection(page, req), nil
}

// Orders loads a page of the user's orders through the OrdersByUser loader,
// so a page of users costs one store read for all their orders.
func (r *userResolver) Orders(ctx context.Context, obj *storage.User, first *int32, after *string, filter *model.OrderFilter, orderBy *model.SortDirection) (*model.OrderConnection, error) {
	f, err := orderFilter(filter)
	if err != nil {
		return nil, err
	}
	req, err := r.pageRequest(ctx, first, after, orderBy)
	if err != nil {
		return nil, err
	}
	key := loaders.OrdersKey{UserID: obj.ID, Filter: loaders.NewOrderFilterKey(f), Page: req}
	page, err := r.loaders(ctx).OrdersByUser.Load(ctx, key)
	if err != nil {
		return nil, listingError(fmt.Sprintf("list orders of user %q", obj.ID), err)
	}
	return orderConnection(page, req), nil
}

func (r *userResolver) Reviews(ctx context.Context, obj *storage.User, first *int32, after *string, orderBy *model.SortDirection) (*model.ReviewConnection, error) {
	req, err := r.pageRequest(ctx, first, after, orderBy)
	if err != nil {
		return nil, err
	}
	page, err := r.loaders(ctx).ReviewsByUser.Load(ctx, loaders.ReviewsKey{ID: obj.ID, Page: req})
	if err != nil {
		return nil, listingError(fmt.Sprintf("list reviews of user %q", obj.ID), err)
	}
	return reviewConnection(page, req), nil
}
