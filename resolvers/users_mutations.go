package resolvers

import (
	"context"

	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/storage"
)

func (r *mutationResolver) CreateUser(ctx context.Context, input model.CreateUserInput) (*storage.User, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if err := requireText("name", input.Name); err != nil {
		return nil, err
	}
	u := storage.User{
		ID:       input.ID,
		Name:     input.Name,
		Email:    deref(input.Email),
		Region:   regionInput(input.Region),
		Location: pointInput(input.Location),
		SignupAt: r.now().UTC(),
	}
	if input.SignupAt != nil {
		u.SignupAt = *input.SignupAt
	}
	if err := r.store.WriteUsers(ctx, []storage.User{u}, storage.InsertOnly); err != nil {
		return nil, insertError(storage.KindUser, u.ID, "updateUser", err)
	}
	return &u, nil
}

func (r *mutationResolver) UpdateUser(ctx context.Context, id string, input model.UpdateUserInput) (*storage.User, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	u, err := r.store.User(ctx, id)
	if err := checkExisting(storage.KindUser, id, err); err != nil {
		return nil, err
	}
	if input.Name != nil {
		if err := requireText("name", *input.Name); err != nil {
			return nil, err
		}
		u.Name = *input.Name
	}
	if input.Email != nil {
		u.Email = *input.Email
	}
	if input.Region != nil {
		u.Region = regionInput(input.Region)
	}
	if input.Location != nil {
		u.Location = pointInput(input.Location)
	}
	if input.SignupAt != nil {
		u.SignupAt = *input.SignupAt
	}
	if err := r.store.WriteUsers(ctx, []storage.User{u}, storage.UpdateOnly); err != nil {
		return nil, updateError(storage.KindUser, id, err)
	}
	return &u, nil
}

// DeleteUser deletes the user record, or with erase removes the user's
// personal data from the store (see storage.Store.EraseUser).
//
// NOTE: an erase leaves the user id in the current recommendation model
// version, and in the orders, which the next training reads again. The id
// is a pseudonym once the user record is gone: recommendations for it stay
// personal, from purchase history, but no name, email or address remains.
func (r *mutationResolver) DeleteUser(ctx context.Context, id string, erase *bool) (string, error) {
	if err := requireAdmin(ctx); err != nil {
		return "", err
	}
	if erase == nil || !*erase {
		return deleted(storage.KindUser, id, r.store.DeleteUser(ctx, id))
	}
	res, err := r.store.EraseUser(ctx, id)
	if err != nil {
		return deleted(storage.KindUser, id, err)
	}
	r.opts.Logger.Info("user erased", "user", id, "orders_coarsened", res.Orders,
		"reviews_anonymized", res.Reviews, "events_deleted", res.Events)
	return id, nil
}
