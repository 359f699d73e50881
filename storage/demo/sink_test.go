package demo

import (
	"context"

	"github.com/shopsight/shopsight/storage"
)

// collectSink keeps every record it receives.
type collectSink struct {
	sellers  []storage.Seller
	users    []storage.User
	products []storage.Product
	orders   []storage.Order
	reviews  []storage.Review
	events   []storage.Event
}

func (s *collectSink) PutSellers(_ context.Context, v []storage.Seller) error {
	s.sellers = append(s.sellers, v...)
	return nil
}

func (s *collectSink) PutUsers(_ context.Context, v []storage.User) error {
	s.users = append(s.users, v...)
	return nil
}

func (s *collectSink) PutProducts(_ context.Context, v []storage.Product) error {
	s.products = append(s.products, v...)
	return nil
}

func (s *collectSink) PutOrders(_ context.Context, v []storage.Order) error {
	s.orders = append(s.orders, v...)
	return nil
}

func (s *collectSink) PutReviews(_ context.Context, v []storage.Review) error {
	s.reviews = append(s.reviews, v...)
	return nil
}

func (s *collectSink) PutEvents(_ context.Context, v []storage.Event) error {
	s.events = append(s.events, v...)
	return nil
}
