package resolvers

import (
	"context"

	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/storage"
)

// defaultCurrency is the currency of a created product without one; the
// demo and imported data sets are priced in Brazilian reais.
const defaultCurrency = "BRL"

func (r *mutationResolver) CreateProduct(ctx context.Context, input model.CreateProductInput) (*storage.Product, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if err := requireText("title", input.Title); err != nil {
		return nil, err
	}
	attrs, err := attributesInput(input.Attributes)
	if err != nil {
		return nil, err
	}
	p := storage.Product{
		ID:          input.ID,
		Title:       input.Title,
		Description: deref(input.Description),
		Category:    input.Category,
		Price:       input.Price,
		Currency:    defaultCurrency,
		Attributes:  attrs,
		Language:    deref(input.Language),
		CreatedAt:   r.now().UTC(),
	}
	if input.Currency != nil {
		p.Currency = *input.Currency
	}
	if input.CreatedAt != nil {
		p.CreatedAt = *input.CreatedAt
	}
	if err := r.store.WriteProducts(ctx, []storage.Product{p}, storage.InsertOnly); err != nil {
		return nil, insertError(storage.KindProduct, p.ID, "updateProduct", err)
	}
	return &p, nil
}

func (r *mutationResolver) UpdateProduct(ctx context.Context, id string, input model.UpdateProductInput) (*storage.Product, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	old, err := r.store.Product(ctx, id)
	if err := checkExisting(storage.KindProduct, id, err); err != nil {
		return nil, err
	}
	if input.Title != nil {
		if err := requireText("title", *input.Title); err != nil {
			return nil, err
		}
		old.Title = *input.Title
	}
	if input.Description != nil {
		old.Description = *input.Description
	}
	if input.Category != nil {
		old.Category = input.Category
	}
	if input.Price != nil {
		old.Price = *input.Price
	}
	if input.Currency != nil {
		old.Currency = *input.Currency
	}
	if input.Attributes != nil {
		if old.Attributes, err = attributesInput(input.Attributes); err != nil {
			return nil, err
		}
	}
	if input.Language != nil {
		old.Language = *input.Language
	}
	if err := r.store.WriteProducts(ctx, []storage.Product{old}, storage.UpdateOnly); err != nil {
		return nil, updateError(storage.KindProduct, id, err)
	}
	return &old, nil
}

func (r *mutationResolver) DeleteProduct(ctx context.Context, id string) (string, error) {
	if err := requireAdmin(ctx); err != nil {
		return "", err
	}
	return deleted(storage.KindProduct, id, r.store.DeleteProduct(ctx, id))
}
