package main

import (
	"context"
	"log/slog"
	"net"

	"github.com/shopsight/shopsight/index/search"
	forecastsvc "github.com/shopsight/shopsight/ml/forecast/service"
	"github.com/shopsight/shopsight/ml/recommend/service"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/analytics"
)

func serveCommand() command {
	return command{
		name:    "serve",
		summary: "serve the GraphQL API over an existing store",
		run:     runServe,
	}
}

func runServe(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "serve", "serve --data DIR [--addr HOST:PORT] [flags]")
	var lf logFlags
	lf.register(fs)
	dataDir := fs.String("data", "", "data directory of the store (required)")
	addr := fs.String("addr", ":8080", "HTTP listen address, host:port")
	modelDir := fs.String("model", "", "Hugging Face BERT model directory for semantic search (default: none; searches with client vectors still work)")
	device := fs.String("device", "auto", "where the text model's matmuls run: cuda, cpu or auto (cuda needs a binary built with -tags cuda)")
	var af accessFlags
	af.register(fs, true)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := lf.newLogger(a.stderr)
	if err != nil {
		return err
	}
	if *dataDir == "" {
		fs.Usage()
		return errMissingData
	}
	store, err := storage.Open(storeOptions(*dataDir, logger).WithMustExist(true))
	if err != nil {
		return err
	}
	defer closeStore(store, logger)
	if err := ensureRollups(ctx, store, logger); err != nil {
		return err
	}
	access, err := serveAccess(ctx, &af, store, logger)
	if err != nil {
		return err
	}
	recommender, err := openRecommender(ctx, store, logger)
	if err != nil {
		return err
	}
	defer closeRecommender(recommender, logger)
	forecaster, err := openForecast(ctx, store, logger)
	if err != nil {
		return err
	}
	defer closeForecast(forecaster, logger)
	searchRT, err := newSearchRuntime(ctx, *modelDir, *device, logger)
	if err != nil {
		return err
	}
	defer searchRT.close()
	ready := newReadiness("starting")
	serveCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	searchRT.start(serveCtx, store, *dataDir, ready, func(err error) { cancel(err) })
	err = runServer(serveCtx, serverParams{addr: *addr, store: store, logger: logger, ready: ready,
		recommender: func() *service.Service { return recommender }, search: searchRT.service,
		forecast: func() *forecastsvc.Service { return forecaster }, access: access})
	if cause := context.Cause(serveCtx); err == nil && cause != nil && ctx.Err() == nil {
		return cause
	}
	return err
}

// serverParams are the dependencies runServer needs to serve one store.
type serverParams struct {
	addr    string
	store   *storage.Store
	logger  *slog.Logger
	ready   *readiness
	metrics *serverMetrics
	// recommender returns the recommendation service, or nil while it is
	// not open yet; nil itself means the server has none.
	recommender func() *service.Service
	// search returns the search service, or nil while it loads.
	search func() *search.Service
	// forecast returns the forecast service, or nil when there is none.
	forecast func() *forecastsvc.Service
	// started, when not nil, receives the bound address (tests listen on
	// port 0).
	started func(net.Addr)
	// access authenticates and limits requests; nil serves open, with the
	// default limits.
	access *accessControl
}

// runServer serves the API until ctx is cancelled.
func runServer(ctx context.Context, p serverParams) error {
	if p.metrics == nil {
		p.metrics = newServerMetrics(p.store)
	}
	api, err := newGraphQLHandler(p.store, p.logger, p.metrics, p.recommender, p.search, p.forecast)
	if err != nil {
		return err
	}
	if p.access == nil {
		if p.access, err = openAccess(p.logger); err != nil {
			return err
		}
	}
	export := analytics.NewExportHandler(analytics.New(p.store, analytics.DefaultOptions()))
	h := routes(api, p.ready, p.metrics, p.logger, p.access, adminRoutes(p.store, p.logger), export)
	return serveHTTP(ctx, p.addr, h, p.logger, p.started)
}

func closeStore(s *storage.Store, logger *slog.Logger) {
	if err := s.Close(); err != nil {
		logger.Error("closing store failed", "dir", s.Dir(), "err", err)
		return
	}
	logger.Info("store closed", "dir", s.Dir())
}
