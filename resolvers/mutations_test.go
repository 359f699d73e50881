package resolvers

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/storage"
)

func TestProductMutations(t *testing.T) {
	s := newSeededServer(t)
	var created struct {
		CreateProduct struct {
			ID, Title, Price, Currency, CreatedAt string
			Attributes                            []struct{ Key, Value string }
		}
	}
	s.ok(`mutation($in: CreateProductInput!) { createProduct(input: $in) { id title price currency createdAt attributes { key value } } }`,
		map[string]any{"in": map[string]any{"id": "p-new", "title": "Kettle", "price": "109.9", "category": []string{"home", "kitchen"},
			"attributes": []map[string]string{{"key": "volume", "value": "1.7 l"}}}}, &created)
	p := created.CreateProduct
	if p.ID != "p-new" || p.Price != "109.90" || p.Currency != "BRL" || p.CreatedAt == "" || len(p.Attributes) != 1 {
		t.Errorf("created = %+v", p)
	}

	var updated struct {
		UpdateProduct struct{ Title, Price, Description string }
	}
	s.ok(`mutation { updateProduct(id: "p-new", input: {price: "99.00", description: "Steel"}) { title price description } }`, nil, &updated)
	if u := updated.UpdateProduct; u.Title != "Kettle" || u.Price != "99.00" || u.Description != "Steel" {
		t.Errorf("updated = %+v, want the title kept and price and description changed", u)
	}
	stored, err := s.store.Product(context.Background(), "p-new")
	if err != nil || stored.Price != 9900 {
		t.Errorf("stored product = %+v, %v; want price 9900 cents", stored, err)
	}

	var del struct{ DeleteProduct string }
	s.ok(`mutation { deleteProduct(id: "p-new") }`, nil, &del)
	if del.DeleteProduct != "p-new" {
		t.Errorf("deleteProduct = %q", del.DeleteProduct)
	}
	if _, err := s.store.Product(context.Background(), "p-new"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("product after delete: %v, want not found", err)
	}
}

func TestUserMutations(t *testing.T) {
	s := newSeededServer(t)
	var created struct {
		CreateUser struct {
			ID, Name, SignupAt string
			Region             struct{ Country, State string }
			Location           struct{ Lat float64 }
		}
	}
	s.ok(`mutation { createUser(input: {id: "u-new", name: "Ana", email: "ana@example.com", region: {country: "BR", state: "MG"},
		location: {lat: -19.9, lon: -43.9}, signupAt: "2020-01-02T03:04:05-03:00"}) { id name signupAt region { country state } location { lat } } }`, nil, &created)
	u := created.CreateUser
	if u.Name != "Ana" || u.Region.State != "MG" || u.Location.Lat != -19.9 || u.SignupAt != "2020-01-02T06:04:05Z" {
		t.Errorf("created = %+v, want signupAt converted to UTC", u)
	}
	var updated struct{ UpdateUser struct{ Name, Email string } }
	s.ok(`mutation { updateUser(id: "u-new", input: {name: "Ana Maria"}) { name email } }`, nil, &updated)
	if updated.UpdateUser.Name != "Ana Maria" || updated.UpdateUser.Email != "ana@example.com" {
		t.Errorf("updated = %+v", updated.UpdateUser)
	}
	var del struct{ DeleteUser string }
	s.ok(`mutation { deleteUser(id: "u-new") }`, nil, &del)
	var after struct{ User *struct{ ID string } }
	s.ok(`{ user(id: "u-new") { id } }`, nil, &after)
	if del.DeleteUser != "u-new" || after.User != nil {
		t.Errorf("deleteUser = %q, user after delete = %+v", del.DeleteUser, after.User)
	}
}

func TestReviewMutations(t *testing.T) {
	s := newSeededServer(t)
	var created struct {
		CreateReview struct {
			ID      string
			Rating  int
			Product struct {
				ReviewCount   int
				AverageRating float64
			}
		}
	}
	// p10 has no reviews yet.
	s.ok(`mutation { createReview(input: {id: "r-new", productId: "p10", userId: "u01", rating: 4, title: "Good"}) {
		id rating product { reviewCount averageRating } } }`, nil, &created)
	if c := created.CreateReview; c.Rating != 4 || c.Product.ReviewCount != 1 || c.Product.AverageRating != 4 {
		t.Errorf("created = %+v, want the product's statistics updated", c)
	}
	var updated struct {
		UpdateReview struct {
			Rating  int
			Title   string
			Product struct{ AverageRating float64 }
		}
	}
	s.ok(`mutation { updateReview(id: "r-new", input: {rating: 2}) { rating title product { averageRating } } }`, nil, &updated)
	if u := updated.UpdateReview; u.Rating != 2 || u.Title != "Good" || u.Product.AverageRating != 2 {
		t.Errorf("updated = %+v", u)
	}
	var del struct{ DeleteReview string }
	s.ok(`mutation { deleteReview(id: "r-new") }`, nil, &del)
	var after struct{ Product struct{ ReviewCount int } }
	s.ok(`{ product(id: "p10") { reviewCount } }`, nil, &after)
	if del.DeleteReview != "r-new" || after.Product.ReviewCount != 0 {
		t.Errorf("deleteReview = %q, reviewCount after = %d", del.DeleteReview, after.Product.ReviewCount)
	}
}

func TestMutationErrors(t *testing.T) {
	s := newSeededServer(t)
	tests := []struct {
		name    string
		query   string
		code    string
		field   string
		message string
	}{
		{"negative price", `mutation { createProduct(input: {id: "p-x", title: "T", price: "-1.00"}) { id } }`, "BAD_USER_INPUT", "price", "negative"},
		{"bad decimal", `mutation { createProduct(input: {id: "p-x", title: "T", price: "12,50"}) { id } }`, "BAD_USER_INPUT", "price", "invalid money amount"},
		{"bad currency", `mutation { createProduct(input: {id: "p-x", title: "T", price: "1", currency: "EURO"}) { id } }`, "BAD_USER_INPUT", "currency", "ISO 4217"},
		{"empty title", `mutation { createProduct(input: {id: "p-x", title: " ", price: "1"}) { id } }`, "BAD_USER_INPUT", "title", "missing title"},
		{"empty id", `mutation { createProduct(input: {id: "", title: "T", price: "1"}) { id } }`, "BAD_USER_INPUT", "id", "missing id"},
		{"duplicate attribute", `mutation { createProduct(input: {id: "p-x", title: "T", price: "1", attributes: [{key: "a", value: "1"}, {key: "a", value: "2"}]}) { id } }`,
			"BAD_USER_INPUT", "attributes[1].key", "duplicate"},
		{"existing product", `mutation { createProduct(input: {id: "p01", title: "T", price: "1"}) { id } }`, "BAD_USER_INPUT", "id", "already exists"},
		{"update missing product", `mutation { updateProduct(id: "nope", input: {title: "T"}) { id } }`, "NOT_FOUND", "", `product "nope" not found`},
		{"delete missing product", `mutation { deleteProduct(id: "nope") }`, "NOT_FOUND", "", `product "nope" not found`},
		{"bad email", `mutation { createUser(input: {id: "u-x", name: "N", email: "nobody"}) { id } }`, "BAD_USER_INPUT", "email", "not an e-mail"},
		{"state without country", `mutation { createUser(input: {id: "u-x", name: "N", region: {state: "SP"}}) { id } }`, "BAD_USER_INPUT", "region.country", "missing"},
		{"latitude out of range", `mutation { createUser(input: {id: "u-x", name: "N", location: {lat: 91, lon: 0}}) { id } }`, "BAD_USER_INPUT", "location.lat", "-90..90"},
		{"existing user", `mutation { createUser(input: {id: "u01", name: "N"}) { id } }`, "BAD_USER_INPUT", "id", "already exists"},
		{"update missing user", `mutation { updateUser(id: "nope", input: {name: "N"}) { id } }`, "NOT_FOUND", "", `user "nope" not found`},
		{"delete missing user", `mutation { deleteUser(id: "nope") }`, "NOT_FOUND", "", "not found"},
		{"rating too high", `mutation { createReview(input: {id: "r-x", productId: "p01", userId: "u01", rating: 6}) { id } }`, "BAD_USER_INPUT", "rating", "1 to 5"},
		{"unknown product", `mutation { createReview(input: {id: "r-x", productId: "nope", userId: "u01", rating: 5}) { id } }`, "BAD_USER_INPUT", "productId", `product "nope" not found`},
		{"unknown user", `mutation { createReview(input: {id: "r-x", productId: "p01", userId: "nope", rating: 5}) { id } }`, "BAD_USER_INPUT", "userId", "not found"},
		{"unknown order", `mutation { createReview(input: {id: "r-x", productId: "p01", userId: "u01", orderId: "nope", rating: 5}) { id } }`, "BAD_USER_INPUT", "orderId", "not found"},
		{"existing review", `mutation { createReview(input: {id: "r01-1", productId: "p01", userId: "u01", rating: 5}) { id } }`, "BAD_USER_INPUT", "id", "already exists"},
		{"update rating out of range", `mutation { updateReview(id: "r01-1", input: {rating: 0}) { id } }`, "BAD_USER_INPUT", "rating", "1 to 5"},
		{"update missing review", `mutation { updateReview(id: "nope", input: {rating: 3}) { id } }`, "NOT_FOUND", "", "not found"},
		{"delete missing review", `mutation { deleteReview(id: "nope") }`, "NOT_FOUND", "", "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := s.with(t).fail(tt.query, nil)
			if e.code() != tt.code || e.field() != tt.field {
				t.Errorf("code, field = %q, %q; want %q, %q (message %q)", e.code(), e.field(), tt.code, tt.field, e.Message)
			}
			if !strings.Contains(e.Message, tt.message) {
				t.Errorf("message = %q, want it to contain %q", e.Message, tt.message)
			}
		})
	}
}

// newRacingServer returns a seeded test server whose store calls race once,
// inside the transaction of the first record write that matches. race runs
// its own transaction, which commits between the mutation's reads and the
// commit of the mutation's write, as a concurrent request's would. The
// mutation's transaction then conflicts, and the store retries it on top of
// race's write.
func newRacingServer(t *testing.T, matches func(storage.RecordWrite) bool, race func(ctx context.Context, store *storage.Store) error) *testServer {
	t.Helper()
	var store *storage.Store
	var fired atomic.Bool
	hook := func(_ *badger.Txn, w storage.RecordWrite) error {
		if !matches(w) || !fired.CompareAndSwap(false, true) {
			return nil
		}
		return race(context.Background(), store)
	}
	store = openMemoryStore(t, storage.DefaultOptions("").WithWriteHook(hook))
	seed(t, store)
	return serveStore(t, store)
}

func TestCreateRacingCreateIsBadInput(t *testing.T) {
	insertOfRace := func(w storage.RecordWrite) bool { return w.ID == "u-race" && w.Old == nil }
	s := newRacingServer(t, insertOfRace, func(ctx context.Context, store *storage.Store) error {
		return store.PutUsers(ctx, []storage.User{{ID: "u-race", Name: "First", SignupAt: base}})
	})

	e := s.fail(`mutation { createUser(input: {id: "u-race", name: "Second"}) { name } }`, nil)
	if e.code() != "BAD_USER_INPUT" || e.field() != "id" {
		t.Errorf("code, field = %q, %q; want BAD_USER_INPUT, id (message %q)", e.code(), e.field(), e.Message)
	}
	stored, err := s.store.User(context.Background(), "u-race")
	if err != nil {
		t.Fatalf("read u-race: %v", err)
	}
	if stored.Name != "First" {
		t.Errorf("stored name = %q, want the first create's %q kept", stored.Name, "First")
	}
}

func TestUpdateRacingDeleteIsNotFound(t *testing.T) {
	updateOfRace := func(w storage.RecordWrite) bool { return w.ID == "p-race" && w.Old != nil && w.New != nil }
	s := newRacingServer(t, updateOfRace, func(ctx context.Context, store *storage.Store) error {
		return store.DeleteProduct(ctx, "p-race")
	})
	ctx := context.Background()
	created := storage.Product{ID: "p-race", Title: "Original", Price: 100, Currency: "BRL", CreatedAt: base}
	if err := s.store.PutProducts(ctx, []storage.Product{created}); err != nil {
		t.Fatalf("put p-race: %v", err)
	}

	e := s.fail(`mutation { updateProduct(id: "p-race", input: {title: "Updated"}) { title } }`, nil)
	if e.code() != "NOT_FOUND" {
		t.Errorf("code = %q, want NOT_FOUND (message %q)", e.code(), e.Message)
	}
	if p, err := s.store.Product(ctx, "p-race"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("p-race after the update = %+v, %v; want not found (the update wrote it back)", p, err)
	}
}
