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
	if err := r.store.WriteUsers(ctx, []storage.User{u}, storage.InsertOnly); err != nil {
		return nil, insertError(storage.KindUser, u.ID, "updateUser", err)
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
	if err := r.store.WriteUsers(ctx, []storage.User{u}, storage.UpdateOnly); err != nil {
		return nil, updateError(storage.KindUser, id, err)
	}
	return &u, nil
}

func (r *mutationResolver) DeleteUser(ctx context.Context, id string) (string, error) {
	return deleted(storage.KindUser, id, r.store.DeleteUser(ctx, id))
}
