package storage

import (
	"context"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// getOne reads and decodes one record.
func getOne[T any](s *Store, ctx context.Context, kind Kind, id string, decode func([]byte) (T, error)) (T, error) {
	s.reads.Add(1)
	var out T
	if err := ctx.Err(); err != nil {
		return out, err
	}
	err := s.db.View(func(txn *badger.Txn) error {
		raw, err := getRaw(txn, primaryKey(kind, id))
		if err != nil {
			return fmt.Errorf("read %s %q: %w", kind, id, err)
		}
		if raw == nil {
			return fmt.Errorf("%s %q: %w", kind, id, ErrNotFound)
		}
		out, err = decode(raw)
		if err != nil {
			return fmt.Errorf("%s %q: %w", kind, id, err)
		}
		return nil
	})
	return out, err
}

// getMany reads records by id in one transaction. The result has one entry
// per id, in order, nil where the id is missing.
func getMany[T any](s *Store, ctx context.Context, kind Kind, ids []string, decode func([]byte) (T, error)) ([]*T, error) {
	s.reads.Add(1)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]*T, len(ids))
	err := s.db.View(func(txn *badger.Txn) error {
		for i, id := range ids {
			raw, err := getRaw(txn, primaryKey(kind, id))
			if err != nil {
				return fmt.Errorf("read %s %q: %w", kind, id, err)
			}
			if raw == nil {
				continue
			}
			v, err := decode(raw)
			if err != nil {
				return fmt.Errorf("%s %q: %w", kind, id, err)
			}
			out[i] = &v
		}
		return nil
	})
	return out, err
}

// User returns the user with id, or an error wrapping ErrNotFound.
func (s *Store) User(ctx context.Context, id string) (User, error) {
	return getOne(s, ctx, KindUser, id, decodeUser)
}

// Users returns users by id, nil where an id is missing.
func (s *Store) Users(ctx context.Context, ids []string) ([]*User, error) {
	return getMany(s, ctx, KindUser, ids, decodeUser)
}

// Product returns the product with id, or an error wrapping ErrNotFound.
func (s *Store) Product(ctx context.Context, id string) (Product, error) {
	return getOne(s, ctx, KindProduct, id, decodeProduct)
}

// Products returns products by id, nil where an id is missing.
func (s *Store) Products(ctx context.Context, ids []string) ([]*Product, error) {
	return getMany(s, ctx, KindProduct, ids, decodeProduct)
}

// Seller returns the seller with id, or an error wrapping ErrNotFound.
func (s *Store) Seller(ctx context.Context, id string) (Seller, error) {
	return getOne(s, ctx, KindSeller, id, decodeSeller)
}

// Sellers returns sellers by id, nil where an id is missing.
func (s *Store) Sellers(ctx context.Context, ids []string) ([]*Seller, error) {
	return getMany(s, ctx, KindSeller, ids, decodeSeller)
}

// Order returns the order with id, or an error wrapping ErrNotFound.
func (s *Store) Order(ctx context.Context, id string) (Order, error) {
	return getOne(s, ctx, KindOrder, id, decodeOrder)
}

// Orders returns orders by id, nil where an id is missing.
func (s *Store) Orders(ctx context.Context, ids []string) ([]*Order, error) {
	return getMany(s, ctx, KindOrder, ids, decodeOrder)
}

// Review returns the review with id, or an error wrapping ErrNotFound.
func (s *Store) Review(ctx context.Context, id string) (Review, error) {
	return getOne(s, ctx, KindReview, id, decodeReview)
}

// Reviews returns reviews by id, nil where an id is missing.
func (s *Store) Reviews(ctx context.Context, ids []string) ([]*Review, error) {
	return getMany(s, ctx, KindReview, ids, decodeReview)
}

// Event returns the event with id, or an error wrapping ErrNotFound.
func (s *Store) Event(ctx context.Context, id string) (Event, error) {
	return getOne(s, ctx, KindEvent, id, decodeEvent)
}

// RatingStats returns the review rating statistics of products by id; a
// product without reviews gets the zero value.
func (s *Store) RatingStats(ctx context.Context, productIDs []string) ([]RatingStats, error) {
	s.reads.Add(1)
	out := make([]RatingStats, len(productIDs))
	err := s.db.View(func(txn *badger.Txn) error {
		for i, id := range productIDs {
			raw, err := getRaw(txn, productStatsKey(id))
			if err != nil {
				return err
			}
			if out[i], err = decodeRatingStats(raw); err != nil {
				return fmt.Errorf("rating statistics of product %q: %w", id, err)
			}
		}
		return nil
	})
	return out, err
}
