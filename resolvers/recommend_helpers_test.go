package resolvers

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/shopsight/shopsight/ml/recommend/service"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

// demoRecords keeps the records of a generated demo shop in memory, so
// that each test copies them into a fresh store instead of generating them
// again.
type demoRecords struct {
	sellers  []storage.Seller
	users    []storage.User
	products []storage.Product
	orders   []storage.Order
	reviews  []storage.Review
	events   []storage.Event
}

func (r *demoRecords) PutSellers(_ context.Context, v []storage.Seller) error {
	r.sellers = append(r.sellers, v...)
	return nil
}

func (r *demoRecords) PutUsers(_ context.Context, v []storage.User) error {
	r.users = append(r.users, v...)
	return nil
}

func (r *demoRecords) PutProducts(_ context.Context, v []storage.Product) error {
	r.products = append(r.products, v...)
	return nil
}

func (r *demoRecords) PutOrders(_ context.Context, v []storage.Order) error {
	r.orders = append(r.orders, v...)
	return nil
}

func (r *demoRecords) PutReviews(_ context.Context, v []storage.Review) error {
	r.reviews = append(r.reviews, v...)
	return nil
}

func (r *demoRecords) PutEvents(_ context.Context, v []storage.Event) error {
	r.events = append(r.events, v...)
	return nil
}

// smallDemo is the demo shop at scale 0.05: about 250 users, 600
// products, 1,500 orders and 5,000 events.
var smallDemo = sync.OnceValues(func() (*demoRecords, error) {
	records := &demoRecords{}
	_, err := demo.Generate(context.Background(), demo.DefaultConfig().WithScale(0.05), records)
	return records, err
})

// newDemoStore returns an in-memory store holding the demo shop at scale
// 0.05. Without orders it holds the catalog and users only.
func newDemoStore(tb testing.TB, withOrders bool) (*storage.Store, *demoRecords) {
	tb.Helper()
	records, err := smallDemo()
	if err != nil {
		tb.Fatalf("generate demo records: %v", err)
	}
	store, err := storage.Open(storage.DefaultOptions("").WithInMemory(true).WithLogger(discardLogger()))
	if err != nil {
		tb.Fatalf("open in-memory store: %v", err)
	}
	tb.Cleanup(func() { store.Close() })
	ctx := context.Background()
	puts := []func() error{
		func() error { return store.PutSellers(ctx, records.sellers) },
		func() error { return store.PutUsers(ctx, records.users) },
		func() error { return store.PutProducts(ctx, records.products) },
	}
	if withOrders {
		puts = append(puts,
			func() error { return store.PutOrders(ctx, records.orders) },
			func() error { return store.PutReviews(ctx, records.reviews) },
			func() error { return store.PutEvents(ctx, records.events) })
	}
	for _, put := range puts {
		if err := put(); err != nil {
			tb.Fatalf("fill demo store: %v", err)
		}
	}
	return store, records
}

// openRecommender opens a recommendation service over store, closed when
// the test ends. With train set it trains one version first.
func openRecommender(tb testing.TB, store *storage.Store, train bool) *service.Service {
	tb.Helper()
	svc, err := service.Open(context.Background(), store, service.DefaultOptions().WithLogger(discardLogger()))
	if err != nil {
		tb.Fatalf("open recommendation service: %v", err)
	}
	tb.Cleanup(func() { svc.Close() })
	if train {
		if err := svc.StartTraining(context.Background()); err != nil {
			tb.Fatalf("start training: %v", err)
		}
		svc.Wait()
		if st := svc.Status(); st.LastError != "" || st.LastVersion == "" {
			tb.Fatalf("training status %+v, want a version without error", st)
		}
	}
	return svc
}

func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// withRecommender returns a test server option that serves svc.
func withRecommender(svc *service.Service) func(Options) Options {
	return func(o Options) Options { return o.WithRecommender(svc) }
}

// topBuyer returns the user with the most purchased products.
func topBuyer(records *demoRecords) string {
	bought := make(map[string]map[string]bool)
	best := ""
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
		if best == "" || len(bought[o.UserID]) > len(bought[best]) {
			best = o.UserID
		}
	}
	return best
}

// basketProduct returns the product that shares orders with the most
// other products, so it has products bought together with it.
func basketProduct(records *demoRecords) string {
	partners := make(map[string]map[string]bool)
	best := ""
	for _, o := range records.orders {
		for _, a := range o.Items {
			for _, b := range o.Items {
				if a.ProductID == b.ProductID {
					continue
				}
				if partners[a.ProductID] == nil {
					partners[a.ProductID] = make(map[string]bool)
				}
				partners[a.ProductID][b.ProductID] = true
				if best == "" || len(partners[a.ProductID]) > len(partners[best]) {
					best = a.ProductID
				}
			}
		}
	}
	return best
}
