package resolvers

import (
	"context"
	"time"

	"github.com/shopsight/shopsight/graph"
	"github.com/shopsight/shopsight/resolvers/loaders"
	"github.com/shopsight/shopsight/storage"
)

// Resolver is the root of the resolvers; it implements graph.ResolverRoot.
// Each resolver type below is a thin adapter from GraphQL arguments to one
// storage call or one dataloader.
type Resolver struct {
	store *storage.Store
	opts  Options
	now   func() time.Time
}

var _ graph.ResolverRoot = (*Resolver)(nil)

func (r *Resolver) Query() graph.QueryResolver         { return &queryResolver{r} }
func (r *Resolver) Mutation() graph.MutationResolver   { return &mutationResolver{r} }
func (r *Resolver) User() graph.UserResolver           { return &userResolver{r} }
func (r *Resolver) Product() graph.ProductResolver     { return &productResolver{r} }
func (r *Resolver) Order() graph.OrderResolver         { return &orderResolver{r} }
func (r *Resolver) OrderItem() graph.OrderItemResolver { return &orderItemResolver{r} }
func (r *Resolver) Review() graph.ReviewResolver       { return &reviewResolver{r} }
func (r *Resolver) Event() graph.EventResolver         { return &eventResolver{r} }

type (
	queryResolver     struct{ *Resolver }
	mutationResolver  struct{ *Resolver }
	userResolver      struct{ *Resolver }
	productResolver   struct{ *Resolver }
	orderResolver     struct{ *Resolver }
	orderItemResolver struct{ *Resolver }
	reviewResolver    struct{ *Resolver }
	eventResolver     struct{ *Resolver }
)

// loaders returns the request's dataloaders. Outside the HTTP middleware
// (a test calling the executable schema directly) it returns fresh ones, so
// results stay correct and only the batching is lost.
func (r *Resolver) loaders(ctx context.Context) *loaders.Loaders {
	if l := loaders.For(ctx); l != nil {
		return l
	}
	return loaders.New(r.store, r.opts.LoaderWait)
}

// nullIfEmpty returns nil for "" so that nullable fields read null.
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nullIfZero returns nil for the zero time, which the store uses for
// unknown times.
func nullIfZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
