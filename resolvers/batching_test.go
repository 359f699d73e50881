package resolvers

import (
	"fmt"
	"testing"
)

// readsFor returns the store read calls one query costs.
func readsFor(t *testing.T, s *testServer, query string) int64 {
	t.Helper()
	before := s.store.ReadCalls()
	var data map[string]any
	s.ok(query, nil, &data)
	return s.store.ReadCalls() - before
}

func TestNestedFieldsAreBatched(t *testing.T) {
	s := newSeededServer(t)
	tests := []struct {
		name string
		// query has one %d for the page size of the outer listing.
		query string
		// want is the number of store reads for any page size: one per
		// level of nesting.
		want int64
	}{
		{"users orders items product", `{ users(first: %d) { edges { node { id
			orders(first: 5) { edges { node { id user { name } items { product { title } seller { name } } } } } } } } }`, 5},
		{"products reviews and ratings", `{ products(first: %d) { edges { node { averageRating reviewCount
			reviews(first: 5) { edges { node { user { name } product { title } order { id } } } } } } } }`, 6},
		{"users reviews product", `{ users(first: %d) { edges { node { id
			reviews(first: 5) { edges { node { rating product { title } } } } } } } }`, 3},
		{"orders user", `{ orders(first: %d) { edges { node { user { name } } } } }`, 2},
		{"events user product", `{ events(first: %d) { edges { node { user { name } product { title } } } } }`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			small := readsFor(t, s.with(t), fmt.Sprintf(tt.query, 2))
			large := readsFor(t, s.with(t), fmt.Sprintf(tt.query, 20))
			if small != tt.want || large != tt.want {
				t.Errorf("store reads = %d for 2 parents and %d for 20, want %d for both (N+1 pattern)", small, large, tt.want)
			}
		})
	}
}
