package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(DefaultOptions(t.TempDir()).WithLogger(quietLogger()))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openMem(t testing.TB) *Store {
	t.Helper()
	s, err := Open(DefaultOptions("").WithInMemory(true).WithLogger(quietLogger()))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func sampleProduct(id string, cat ...string) Product {
	return Product{ID: id, Title: "Title " + id, Category: cat, Price: 1990, Currency: "USD", Language: "en",
		Attributes: map[string]string{"color": "red", "size": "M"}, CreatedAt: t0}
}

func sampleOrder(id, user string, at time.Time, products ...string) Order {
	o := Order{ID: id, UserID: user, Status: OrderDelivered, PurchasedAt: at,
		ShipTo: Region{Country: "BR", State: "SP", City: "sao paulo", Zip: "01001"}}
	for _, p := range products {
		o.Items = append(o.Items, OrderItem{ProductID: p, SellerID: "s1", Quantity: 1, UnitPrice: 1000, Freight: 150})
	}
	return o
}

func TestOpenSchemaVersionMismatch(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(DefaultOptions(dir).WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(keySchema, []byte{0, 0, 0, 99})
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(DefaultOptions(dir).WithLogger(quietLogger()))
	if !errors.Is(err, ErrSchemaVersion) {
		t.Fatalf("Open error = %v, want ErrSchemaVersion", err)
	}
	if !strings.Contains(err.Error(), "version 99") || !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the found version and directory", err)
	}
}

func TestOpenLockedDirectory(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(DefaultOptions(dir).WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = Open(DefaultOptions(dir).WithLogger(quietLogger()))
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open error = %v, want ErrLocked", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, dir) {
		t.Errorf("error %q does not name the directory", msg)
	}
	if !strings.Contains(msg, fmt.Sprintf("process %d", os.Getpid())) {
		t.Errorf("error %q does not name the holding process", msg)
	}
	if strings.Contains(msg, "Cannot acquire") {
		t.Errorf("error %q leaks Badger's raw lock message", msg)
	}
}

func TestPutGetRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	u := User{ID: "u1", Name: "李雷", Email: "li@example.com", Region: Region{Country: "CN", State: "BJ", City: "北京"},
		Location: &GeoPoint{Lat: 39.9, Lon: 116.4}, SignupAt: t0}
	if err := s.PutUsers(ctx, []User{u}); err != nil {
		t.Fatal(err)
	}
	got, err := s.User(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != u.Name || got.Region != u.Region || *got.Location != *u.Location || !got.SignupAt.Equal(u.SignupAt) {
		t.Errorf("User = %+v, want %+v", got, u)
	}
	if _, err := s.User(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing user error = %v, want ErrNotFound", err)
	}
	users, err := s.Users(ctx, []string{"missing", "u1"})
	if err != nil {
		t.Fatal(err)
	}
	if users[0] != nil || users[1] == nil || users[1].ID != "u1" {
		t.Errorf("Users = %v, want [nil u1]", users)
	}
}

func TestValidationRejectsWholeBatch(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	bad := sampleProduct("p2")
	bad.Price = -5
	err := s.PutProducts(ctx, []Product{sampleProduct("p1"), bad})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "price" {
		t.Fatalf("error = %v, want a FieldError on price", err)
	}
	counts, _ := s.Counts(ctx)
	if counts[KindProduct] != 0 {
		t.Errorf("product count = %d after a rejected batch, want 0", counts[KindProduct])
	}
}

func TestValidationCases(t *testing.T) {
	cases := []struct {
		name  string
		err   error
		field string
	}{
		{"empty id", ValidateUser(&User{}), "id"},
		{"nul in id", ValidateUser(&User{ID: "a\x00b"}), "id"},
		{"bad email", ValidateUser(&User{ID: "u", Email: "nope"}), "email"},
		{"city without state", ValidateUser(&User{ID: "u", Region: Region{Country: "BR", City: "x"}}), "region.state"},
		{"latitude out of range", ValidateUser(&User{ID: "u", Location: &GeoPoint{Lat: 91}}), "location.lat"},
		{"currency length", ValidateProduct(&Product{ID: "p", Currency: "EURO"}), "currency"},
		{"empty category level", ValidateProduct(&Product{ID: "p", Category: []string{"a", ""}}), "category"},
		{"order without time", ValidateOrder(&Order{ID: "o"}), "purchasedAt"},
		{"zero quantity", ValidateOrder(&Order{ID: "o", PurchasedAt: t0, Items: []OrderItem{{ProductID: "p"}}}), "items[0].quantity"},
		{"rating 6", ValidateReview(&Review{ID: "r", ProductID: "p", Rating: 6, CreatedAt: t0}), "rating"},
		{"event type", ValidateEvent(&Event{ID: "e", At: t0}), "type"},
		{"invalid utf-8", ValidateProduct(&Product{ID: "p", Category: []string{"\xff"}}), "category"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var fe *FieldError
			if !errors.As(tc.err, &fe) {
				t.Fatalf("error = %v, want a FieldError", tc.err)
			}
			if fe.Field != tc.field {
				t.Errorf("field = %q, want %q (error %v)", fe.Field, tc.field, tc.err)
			}
		})
	}
}

func TestCountsIdempotent(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	products := []Product{sampleProduct("p1", "a"), sampleProduct("p2", "a", "b")}
	for range 2 {
		if err := s.PutProducts(ctx, products); err != nil {
			t.Fatal(err)
		}
	}
	counts, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[KindProduct] != 2 {
		t.Errorf("product count = %d after writing two products twice, want 2", counts[KindProduct])
	}
	if err := s.DeleteProduct(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteProduct(ctx, "p1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete error = %v, want ErrNotFound", err)
	}
	counts, _ = s.Counts(ctx)
	if counts[KindProduct] != 1 {
		t.Errorf("product count = %d after a delete, want 1", counts[KindProduct])
	}
}

func TestChecksumSameForSameWrites(t *testing.T) {
	ctx := context.Background()
	a, b := openMem(t), openMem(t)
	write := func(s *Store) {
		if err := s.PutProducts(ctx, []Product{sampleProduct("p1", "x")}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutOrders(ctx, []Order{sampleOrder("o1", "u1", t0, "p1")}); err != nil {
			t.Fatal(err)
		}
	}
	write(a)
	write(b)
	write(b)
	ca, _ := a.Checksum(ctx)
	cb, _ := b.Checksum(ctx)
	if ca != cb {
		t.Errorf("checksums differ after the same writes (second store written twice): %s vs %s", ca, cb)
	}
}

func TestWriteModes(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	p := sampleProduct("p1")
	if err := s.WriteProducts(ctx, []Product{p}, UpdateOnly); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of a missing product error = %v, want ErrNotFound", err)
	}
	if err := s.WriteProducts(ctx, []Product{p}, InsertOnly); err != nil {
		t.Fatalf("first insert: %v", err)
	}
	if err := s.WriteProducts(ctx, []Product{p}, InsertOnly); !errors.Is(err, ErrExists) {
		t.Errorf("second insert error = %v, want ErrExists", err)
	}
	p.Title = "changed"
	if err := s.WriteProducts(ctx, []Product{p}, UpdateOnly); err != nil {
		t.Errorf("update of an existing product: %v", err)
	}
	got, _ := s.Product(ctx, "p1")
	if got.Title != "changed" {
		t.Errorf("title = %q after update, want changed", got.Title)
	}
}

func TestReviewWithoutProduct(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	r := Review{ID: "r1", UserID: "u1", OrderID: "o1", Rating: 3, CreatedAt: t0}
	if err := s.PutReviews(ctx, []Review{r}); err != nil {
		t.Fatalf("PutReviews: %v", err)
	}
	p, err := s.ListReviewsByUsers(ctx, []string{"u1", "u2"}, ReviewFilter{}, PageRequest{First: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(p[0].Items) != 1 || len(p[1].Items) != 0 {
		t.Errorf("reviews by user = %d and %d, want 1 and 0", len(p[0].Items), len(p[1].Items))
	}
	checkIndexesConsistent(t, s)
}
