package resolvers

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopsight/shopsight/graph/errcode"
	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/storage"
)

func (r *mutationResolver) CreateReview(ctx context.Context, input model.CreateReviewInput) (*storage.Review, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if err := checkRating(input.Rating); err != nil {
		return nil, err
	}
	rv := storage.Review{
		ID:        input.ID,
		ProductID: input.ProductID,
		UserID:    input.UserID,
		OrderID:   deref(input.OrderID),
		Rating:    input.Rating,
		Title:     deref(input.Title),
		Text:      deref(input.Text),
		Language:  deref(input.Language),
		CreatedAt: r.now().UTC(),
	}
	if input.CreatedAt != nil {
		rv.CreatedAt = *input.CreatedAt
	}
	if err := r.checkReviewRefs(ctx, &rv); err != nil {
		return nil, err
	}
	if err := r.store.WriteReviews(ctx, []storage.Review{rv}, storage.InsertOnly); err != nil {
		return nil, insertError(storage.KindReview, rv.ID, "updateReview", err)
	}
	return &rv, nil
}

// checkReviewRefs returns BAD_USER_INPUT on the field of the first product,
// user or order id of rv that names no record.
func (r *mutationResolver) checkReviewRefs(ctx context.Context, rv *storage.Review) error {
	refs := []struct {
		field string
		kind  storage.Kind
		id    string
		read  func(context.Context, string) error
	}{
		{"productId", storage.KindProduct, rv.ProductID, func(ctx context.Context, id string) error { _, err := r.store.Product(ctx, id); return err }},
		{"userId", storage.KindUser, rv.UserID, func(ctx context.Context, id string) error { _, err := r.store.User(ctx, id); return err }},
		{"orderId", storage.KindOrder, rv.OrderID, func(ctx context.Context, id string) error { _, err := r.store.Order(ctx, id); return err }},
	}
	for _, ref := range refs {
		if ref.id == "" {
			if ref.field == "orderId" {
				continue
			}
			return errcode.BadInput(ref.field, "missing %s: a review needs the id of an existing %s", ref.field, ref.kind)
		}
		err := ref.read(ctx, ref.id)
		if errors.Is(err, storage.ErrNotFound) {
			return errcode.BadInput(ref.field, "%s %q not found: a review must name an existing %s", ref.kind, ref.id, ref.kind)
		}
		if err != nil {
			return fmt.Errorf("check %s %q of review %q: %w", ref.kind, ref.id, rv.ID, err)
		}
	}
	return nil
}

func (r *mutationResolver) UpdateReview(ctx context.Context, id string, input model.UpdateReviewInput) (*storage.Review, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	rv, err := r.store.Review(ctx, id)
	if err := checkExisting(storage.KindReview, id, err); err != nil {
		return nil, err
	}
	if input.Rating != nil {
		if err := checkRating(*input.Rating); err != nil {
			return nil, err
		}
		rv.Rating = *input.Rating
	}
	if input.Title != nil {
		rv.Title = *input.Title
	}
	if input.Text != nil {
		rv.Text = *input.Text
	}
	if input.Language != nil {
		rv.Language = *input.Language
	}
	if err := r.store.WriteReviews(ctx, []storage.Review{rv}, storage.UpdateOnly); err != nil {
		return nil, updateError(storage.KindReview, id, err)
	}
	return &rv, nil
}

func (r *mutationResolver) DeleteReview(ctx context.Context, id string) (string, error) {
	if err := requireAdmin(ctx); err != nil {
		return "", err
	}
	return deleted(storage.KindReview, id, r.store.DeleteReview(ctx, id))
}
