package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/rollup"
)

// storeOptions returns the store options every command opens a data
// directory with: the logger and the rollup hook, so that each write keeps
// the analytics rollups current in its own transaction.
func storeOptions(dir string, logger *slog.Logger) storage.Options {
	return storage.DefaultOptions(dir).WithLogger(logger).WithTxnHook(rollup.NewTxnHook)
}

// ensureRollups rebuilds the analytics rollups when their counts disagree
// with the store, as after an import by an older binary. Analytics queries
// stay correct meanwhile, because they scan orders while rollups are stale.
func ensureRollups(ctx context.Context, store *storage.Store, logger *slog.Logger) error {
	current, err := rollup.Current(ctx, store)
	if err != nil {
		return err
	}
	if current {
		return nil
	}
	started := time.Now()
	logger.Warn("analytics rollups are stale; rebuilding them from the orders", "dir", store.Dir())
	if err := rollup.Rebuild(ctx, store); err != nil {
		return err
	}
	logger.Info("analytics rollups rebuilt", "seconds", time.Since(started).Seconds())
	return nil
}
