package main

import (
	"context"
	"log/slog"
	"net"

	"github.com/shopsight/shopsight/storage"
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
	store, err := storage.Open(storage.DefaultOptions(*dataDir).WithLogger(logger))
	if err != nil {
		return err
	}
	defer closeStore(store, logger)
	ready := newReadiness("starting")
	ready.setReady()
	return runServer(ctx, serverParams{addr: *addr, store: store, logger: logger, ready: ready})
}

// serverParams is what runServer needs to serve one store.
type serverParams struct {
	addr    string
	store   *storage.Store
	logger  *slog.Logger
	ready   *readiness
	metrics *serverMetrics
	// started, when not nil, receives the bound address (tests listen on
	// port 0).
	started func(net.Addr)
}

// runServer serves the API until ctx is cancelled.
func runServer(ctx context.Context, p serverParams) error {
	if p.metrics == nil {
		p.metrics = newServerMetrics(p.store)
	}
	api, err := newGraphQLHandler(p.store, p.logger, p.metrics)
	if err != nil {
		return err
	}
	return serveHTTP(ctx, p.addr, routes(api, p.ready, p.metrics, p.logger), p.logger, p.started)
}

func closeStore(s *storage.Store, logger *slog.Logger) {
	if err := s.Close(); err != nil {
		logger.Error("closing store failed", "dir", s.Dir(), "err", err)
		return
	}
	logger.Info("store closed", "dir", s.Dir())
}
