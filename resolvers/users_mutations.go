package resolvers

import (
	"context"

	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/storage"
)

func (r *mutationResolver) CreateUser(ctx context.Context, input model.CreateUserInput) (*storage.User, error) {
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
	_, readErr := r.store.User(ctx, u.ID)
	if err := ensureAbsent(storage.KindUser, u.ID, "updateUser", readErr); err != nil {
		return nil, err
	}
	if err := r.store.PutUsers(ctx, []storage.User{u}); err != nil {
		return nil, putError(storage.KindUser, u.ID, err)
	}
	return &u, nil
}

func (r *mutationResolver) UpdateUser(ctx context.Context, id string, input model.UpdateUserInput) (*storage.User, error) {
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
	if err := r.store.PutUsers(ctx, []storage.User{u}); err != nil {
		return nil, putError(storage.KindUser, id, err)
	}
	return &u, nil
}

func (r *mutationResolver) DeleteUser(ctx context.Context, id string) (string, error) {
	return deleted(storage.KindUser, id, r.store.DeleteUser(ctx, id))
}
