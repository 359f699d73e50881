// Package resolvers implements ShopSight's GraphQL API over package storage:
// thin resolvers for the schema in schema/*.graphqls, the HTTP handler that
// serves it (NewHandler), and per-request dataloaders (package loaders).
package resolvers

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopsight/shopsight/graph"
	"github.com/shopsight/shopsight/graph/errcode"
	"github.com/shopsight/shopsight/graph/limits"
	"github.com/shopsight/shopsight/index/search"
	forecastsvc "github.com/shopsight/shopsight/ml/forecast/service"
	"github.com/shopsight/shopsight/ml/recommend/service"
	"github.com/shopsight/shopsight/resolvers/loaders"
	"github.com/shopsight/shopsight/storage"
)

// Options configures the GraphQL handler. Start from DefaultOptions and
// change fields with the WithX methods.
type Options struct {
	// Logger receives INTERNAL error details and recovered panics.
	Logger *slog.Logger
	// Limits bounds query depth, complexity, aliases and page sizes.
	Limits limits.Options
	// LoaderWait is how long a dataloader collects keys before it reads a
	// batch from the store.
	LoaderWait time.Duration
	// Introspection enables the __schema and __type fields.
	Introspection bool
	// QueryCacheSize is the number of parsed and validated documents kept
	// in an LRU cache.
	QueryCacheSize int
	// OnOperation, when set, is called once per HTTP request after the
	// response is written, for logging and metrics.
	OnOperation func(ctx context.Context, stats OperationStats)
	// Search returns the search service, or nil while it is loading or when
	// the server has none; the search fields then fail.
	Search func() *search.Service
	// Recommender returns the service behind the recommendation fields, or
	// nil while none is open; those fields then fail with INTERNAL.
	Recommender func() *service.Service
	// Forecast returns the service behind the series, forecast and
	// anomaly fields, or nil when none is open; those fields then fail
	// with INTERNAL.
	Forecast func() *forecastsvc.Service
}

// OperationStats describes one served GraphQL request.
type OperationStats struct {
	// Name is the operation name, or "" for an anonymous operation.
	Name string
	// Type is "query" or "mutation", or "" when the request did not get as
	// far as selecting an operation (unparsable body or document).
	Type string
	// Duration runs from the start of the request to the end of the
	// response.
	Duration time.Duration
	// Code is extensions.code of the first error, or "" without errors.
	Code string
	// Errors is the number of errors in the response.
	Errors int
	// Status is the HTTP status code of the response.
	Status int
}

// DefaultOptions returns the default limits (see limits.DefaultOptions),
// introspection on, a 2 ms loader wait, a 1000-document query cache and
// slog.Default as logger.
func DefaultOptions() Options {
	return Options{
		Logger:         slog.Default(),
		Limits:         limits.DefaultOptions(),
		LoaderWait:     2 * time.Millisecond,
		Introspection:  true,
		QueryCacheSize: 1000,
	}
}

// WithLogger sets the logger.
func (o Options) WithLogger(l *slog.Logger) Options { o.Logger = l; return o }

// WithLimits sets the query limits.
func (o Options) WithLimits(l limits.Options) Options { o.Limits = l; return o }

// WithLoaderWait sets how long dataloaders collect keys before a read.
func (o Options) WithLoaderWait(d time.Duration) Options { o.LoaderWait = d; return o }

// WithIntrospection enables or disables schema introspection.
func (o Options) WithIntrospection(v bool) Options { o.Introspection = v; return o }

// WithQueryCacheSize sets the number of cached parsed documents.
func (o Options) WithQueryCacheSize(n int) Options { o.QueryCacheSize = n; return o }

// WithOnOperation sets the per-request hook.
func (o Options) WithOnOperation(f func(context.Context, OperationStats)) Options {
	o.OnOperation = f
	return o
}

// WithSearch sets the function that returns the search service.
func (o Options) WithSearch(f func() *search.Service) Options { o.Search = f; return o }

// WithRecommender serves the recommendation fields from s.
func (o Options) WithRecommender(s *service.Service) Options {
	o.Recommender = func() *service.Service { return s }
	return o
}

// WithRecommenderFunc serves the recommendation fields from the service
// that f returns at each request, for a service opened after the handler.
func (o Options) WithRecommenderFunc(f func() *service.Service) Options {
	o.Recommender = f
	return o
}

// WithForecast serves the series, forecast and anomaly fields from the
// service that f returns at each request.
func (o Options) WithForecast(f func() *forecastsvc.Service) Options { o.Forecast = f; return o }

// NewHandler returns an http.Handler serving the GraphQL API over store:
// POST with a JSON body, and GET with query, operationName and variables
// as URL parameters (queries only: GET rejects mutations with
// METHOD_NOT_ALLOWED). It applies the limits, the error presenter and
// recover function of package errcode, per-request dataloaders, and calls
// opts.OnOperation after each request.
//
// Every field checks the caller's role (see access.go), so wrap the handler
// in auth.Handler or auth.Open: without a role in the request context,
// every field fails with UNAUTHENTICATED.
func NewHandler(store *storage.Store, opts Options) (http.Handler, error) {
	if store == nil {
		return nil, fmt.Errorf("create GraphQL handler: store is nil")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.QueryCacheSize < 1 {
		return nil, fmt.Errorf("create GraphQL handler: query cache size %d must be at least 1", opts.QueryCacheSize)
	}
	if opts.LoaderWait < 0 {
		return nil, fmt.Errorf("create GraphQL handler: loader wait %s must not be negative", opts.LoaderWait)
	}
	limitsExt, err := limits.New(opts.Limits)
	if err != nil {
		return nil, fmt.Errorf("create GraphQL handler: %w", err)
	}

	resolver := &Resolver{store: store, opts: opts, now: time.Now}
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: resolver}))
	srv.AddTransport(getTransport{})
	srv.AddTransport(postTransport{})
	srv.AddTransport(rejectTransport{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](opts.QueryCacheSize))
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(limitsExt)
	srv.SetErrorPresenter(errcode.Presenter(opts.Logger))
	srv.SetRecoverFunc(errcode.Recover(opts.Logger))
	srv.AroundResponses(recordResponse)

	h := loaders.Middleware(store, opts.LoaderWait)(srv)
	return observe(h, opts.OnOperation), nil
}
