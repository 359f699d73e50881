// Package loaders batches the store reads of nested GraphQL fields with
// dataloaders, so that a page of N parents costs one store read per nested
// field instead of N. A Loaders value lives for one request: Middleware
// creates it and puts it in the request context, and For gets it back.
package loaders

import (
	"context"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/shopsight/shopsight/storage"
)

// Loaders holds the dataloaders of one request. Point loaders return nil
// for a missing id.
type Loaders struct {
	User        *dataloadgen.Loader[string, *storage.User]
	Product     *dataloadgen.Loader[string, *storage.Product]
	Seller      *dataloadgen.Loader[string, *storage.Seller]
	Order       *dataloadgen.Loader[string, *storage.Order]
	RatingStats *dataloadgen.Loader[string, storage.RatingStats]
	// OrdersByUser loads one page of a user's orders per key.
	OrdersByUser *dataloadgen.Loader[OrdersKey, storage.Page[storage.Order]]
	// ReviewsByProduct loads one page of a product's reviews per key.
	ReviewsByProduct *dataloadgen.Loader[ReviewsKey, storage.Page[storage.Review]]
	// ReviewsByUser loads one page of a user's reviews per key.
	ReviewsByUser *dataloadgen.Loader[ReviewsKey, storage.Page[storage.Review]]
}

// New returns loaders over store that wait up to wait for more keys before
// they read a batch.
func New(store *storage.Store, wait time.Duration) *Loaders {
	opt := dataloadgen.WithWait(wait)
	return &Loaders{
		User:             dataloadgen.NewLoader(pointFetch(store.Users), opt),
		Product:          dataloadgen.NewLoader(pointFetch(store.Products), opt),
		Seller:           dataloadgen.NewLoader(pointFetch(store.Sellers), opt),
		Order:            dataloadgen.NewLoader(pointFetch(store.Orders), opt),
		RatingStats:      dataloadgen.NewLoader(pointFetch(store.RatingStats), opt),
		OrdersByUser:     dataloadgen.NewLoader(ordersByUserFetch(store), opt),
		ReviewsByProduct: dataloadgen.NewLoader(reviewsByProductFetch(store), opt),
		ReviewsByUser:    dataloadgen.NewLoader(reviewsByUserFetch(store), opt),
	}
}

type contextKey struct{}

// Middleware returns HTTP middleware that gives every request its own
// Loaders, so cached records never outlive a request.
func Middleware(store *storage.Store, wait time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := context.WithValue(r.Context(), contextKey{}, New(store, wait))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// For returns the request's loaders, or nil when ctx did not pass through
// Middleware.
func For(ctx context.Context) *Loaders {
	l, _ := ctx.Value(contextKey{}).(*Loaders)
	return l
}

// pointFetch adapts a batch read that returns one value per id, in order.
func pointFetch[V any](read func(context.Context, []string) ([]V, error)) func(context.Context, []string) ([]V, []error) {
	return func(ctx context.Context, ids []string) ([]V, []error) {
		values, err := read(ctx, ids)
		if err != nil {
			return nil, repeat(err, len(ids))
		}
		return values, nil
	}
}

// repeat returns err once per key, so every waiting resolver gets it.
func repeat(err error, n int) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

// groupIndexes returns, per distinct group value, the positions of the keys
// in that group, in first-seen order of the groups.
func groupIndexes[K any, G comparable](keys []K, group func(K) G) ([]G, map[G][]int) {
	var order []G
	idx := map[G][]int{}
	for i, k := range keys {
		g := group(k)
		if _, ok := idx[g]; !ok {
			order = append(order, g)
		}
		idx[g] = append(idx[g], i)
	}
	return order, idx
}
