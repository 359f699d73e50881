package storage

import (
	"context"
	"errors"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// errStop ends an Each scan early without an error.
var errStop = errors.New("stop")

// each streams every record a scan selects to fn, in one read transaction,
// without building pages. fn returning an error stops the scan with it.
func each[T any](s *Store, ctx context.Context, sc *scan[T], fn func(*T) error) error {
	s.reads.Add(1)
	if err := sc.times.validate(); err != nil {
		return err
	}
	var fnErr error
	err := s.db.View(func(txn *badger.Txn) error {
		return sc.iterate(ctx, txn, nil, func(_ time.Time, _ string, v *T) bool {
			fnErr = fn(v)
			return fnErr == nil
		})
	})
	if err != nil {
		return err
	}
	if errors.Is(fnErr, errStop) {
		return nil
	}
	return fnErr
}

// EachOrder calls fn for every order matching f in purchase-time order.
func (s *Store) EachOrder(ctx context.Context, f OrderFilter, fn func(*Order) error) error {
	sc, err := s.orderScan(f, PageRequest{})
	if err != nil {
		return err
	}
	return each(s, ctx, sc, fn)
}

// EachProduct calls fn for every product matching f.
func (s *Store) EachProduct(ctx context.Context, f ProductFilter, fn func(*Product) error) error {
	return each(s, ctx, s.productScan(f, PageRequest{}), fn)
}

// EachUser calls fn for every user matching f.
func (s *Store) EachUser(ctx context.Context, f UserFilter, fn func(*User) error) error {
	prefix, err := regionQueryPrefix("ur", f.Region)
	if err != nil {
		return err
	}
	if prefix == nil {
		prefix = timeIndexPrefix(KindUser)
	}
	return each(s, ctx, &scan[User]{prefix: prefix, times: f.SignedUp, load: loader(KindUser, decodeUser)}, fn)
}

// EachSeller calls fn for every seller.
func (s *Store) EachSeller(ctx context.Context, fn func(*Seller) error) error {
	return each(s, ctx, &scan[Seller]{prefix: timeIndexPrefix(KindSeller), load: loader(KindSeller, decodeSeller)}, fn)
}

// EachReview calls fn for every review matching f.
func (s *Store) EachReview(ctx context.Context, f ReviewFilter, fn func(*Review) error) error {
	return each(s, ctx, s.reviewScan(f, PageRequest{}), fn)
}

// EachEvent calls fn for every event matching f, in time order.
func (s *Store) EachEvent(ctx context.Context, f EventFilter, fn func(*Event) error) error {
	return each(s, ctx, s.eventScan(f, PageRequest{}), fn)
}
