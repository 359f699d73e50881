package service

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/shopsight/shopsight/ml/recommend"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

// recordSink keeps generated demo records in memory, so that each test
// copies them into a fresh store instead of generating them again.
type recordSink struct {
	sellers  []storage.Seller
	users    []storage.User
	products []storage.Product
	orders   []storage.Order
	reviews  []storage.Review
	events   []storage.Event
}

func (r *recordSink) PutSellers(_ context.Context, v []storage.Seller) error {
	r.sellers = append(r.sellers, v...)
	return nil
}

func (r *recordSink) PutUsers(_ context.Context, v []storage.User) error {
	r.users = append(r.users, v...)
	return nil
}

func (r *recordSink) PutProducts(_ context.Context, v []storage.Product) error {
	r.products = append(r.products, v...)
	return nil
}

func (r *recordSink) PutOrders(_ context.Context, v []storage.Order) error {
	r.orders = append(r.orders, v...)
	return nil
}

func (r *recordSink) PutReviews(_ context.Context, v []storage.Review) error {
	r.reviews = append(r.reviews, v...)
	return nil
}

func (r *recordSink) PutEvents(_ context.Context, v []storage.Event) error {
	r.events = append(r.events, v...)
	return nil
}

var demoRecords = sync.OnceValues(func() (*recordSink, error) {
	sink := &recordSink{}
	_, err := demo.Generate(context.Background(), demo.DefaultConfig().WithScale(0.1), sink)
	return sink, err
})

// newDemoStore returns an in-memory store holding the demo shop at scale
// 0.1: 600 products, about 500 users, 3,000 orders and 10,000 events.
func newDemoStore(tb testing.TB) *storage.Store {
	tb.Helper()
	records, err := demoRecords()
	if err != nil {
		tb.Fatalf("generate demo records: %v", err)
	}
	store := newEmptyStore(tb)
	ctx := context.Background()
	for _, put := range []func() error{
		func() error { return store.PutSellers(ctx, records.sellers) },
		func() error { return store.PutUsers(ctx, records.users) },
		func() error { return store.PutProducts(ctx, records.products) },
		func() error { return store.PutOrders(ctx, records.orders) },
		func() error { return store.PutEvents(ctx, records.events) },
	} {
		if err := put(); err != nil {
			tb.Fatalf("fill demo store: %v", err)
		}
	}
	return store
}

func newEmptyStore(tb testing.TB) *storage.Store {
	tb.Helper()
	store, err := storage.Open(storage.DefaultOptions("").WithInMemory(true).WithLogger(quietLogger()))
	if err != nil {
		tb.Fatalf("open in-memory store: %v", err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// testOptions returns small, fast model settings.
func testOptions() Options {
	return DefaultOptions().
		WithALS(recommend.DefaultALSOptions().WithFactors(16).WithIterations(4)).
		WithBPR(recommend.DefaultBPROptions().WithFactors(16).WithEpochs(5)).
		WithLogger(quietLogger())
}

// mustTrain trains a version or fails the test.
func mustTrain(tb testing.TB, store *storage.Store, opts Options) Version {
	tb.Helper()
	v, err := Train(context.Background(), store, opts, nil)
	if err != nil {
		tb.Fatalf("Train: %v", err)
	}
	return v
}

func mustOpen(tb testing.TB, store *storage.Store, opts Options) *Service {
	tb.Helper()
	svc, err := Open(context.Background(), store, opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { svc.Close() })
	return svc
}

// buyer returns a user with at least two purchased products and the set
// of products the user bought.
func buyer(tb testing.TB) (string, map[string]bool) {
	tb.Helper()
	records, _ := demoRecords()
	bought := make(map[string]map[string]bool)
	for _, o := range records.orders {
		if o.Status == storage.OrderCanceled {
			continue
		}
		if bought[o.UserID] == nil {
			bought[o.UserID] = make(map[string]bool)
		}
		for _, it := range o.Items {
			bought[o.UserID][it.ProductID] = true
		}
	}
	for _, o := range records.orders {
		if len(bought[o.UserID]) >= 2 {
			return o.UserID, bought[o.UserID]
		}
	}
	tb.Fatal("demo data has no user with two purchased products")
	return "", nil
}
