package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/shopsight/shopsight/index/search"
	forecastsvc "github.com/shopsight/shopsight/ml/forecast/service"
	"github.com/shopsight/shopsight/ml/recommend/service"
	"github.com/shopsight/shopsight/resolvers"
	"github.com/shopsight/shopsight/storage"
)

// newGraphQLHandler builds the GraphQL handler and logs one line per
// request with the operation name, duration and error code.
func newGraphQLHandler(store *storage.Store, logger *slog.Logger, metrics *serverMetrics, recommender func() *service.Service,
	searchService func() *search.Service, forecast func() *forecastsvc.Service) (http.Handler, error) {
	opts := resolvers.DefaultOptions().
		WithForecast(forecast).
		WithLogger(logger).
		WithRecommenderFunc(recommender).
		WithSearch(searchService).
		WithOnOperation(func(ctx context.Context, op resolvers.OperationStats) {
			metrics.observeOperation(op.Name, op.Duration, op.Code)
			level := slog.LevelInfo
			if op.Code == "INTERNAL" {
				level = slog.LevelError
			}
			logger.Log(ctx, level, "graphql request",
				"operation", op.Name, "type", op.Type, "duration_ms", float64(op.Duration.Microseconds())/1000,
				"code", op.Code, "errors", op.Errors, "status", op.Status)
		})
	return resolvers.NewHandler(store, opts)
}
