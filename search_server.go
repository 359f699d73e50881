package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/shopsight/shopsight/index/search"
	"github.com/shopsight/shopsight/index/vectors"
	"github.com/shopsight/shopsight/ml/bert"
	"github.com/shopsight/shopsight/ml/embed"
	"github.com/shopsight/shopsight/storage"
)

// searchRuntime opens the search service in the background, hands it to
// the resolvers once it is loaded, runs its Follow loop and closes it.
type searchRuntime struct {
	logger  *slog.Logger
	batcher *embed.Batcher // nil without --model
	svc     atomic.Pointer[search.Service]
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// newSearchRuntime loads the text model from modelDir, when it is not
// empty, behind a batcher that groups concurrent query embeddings. device
// is the --device flag value: cuda, cpu or auto.
func newSearchRuntime(ctx context.Context, modelDir, device string, logger *slog.Logger) (*searchRuntime, error) {
	dev, err := bert.ParseDevice(device)
	if err != nil {
		return nil, fmt.Errorf("parse --device: %w", err)
	}
	rt := &searchRuntime{logger: logger}
	if modelDir == "" {
		logger.Info("no text model: semantic search needs client vectors", "hint", "start with --model DIR")
		return rt, nil
	}
	opts := embed.DefaultEncoderOptions().WithModelOptions(bert.DefaultOptions().WithDevice(dev).WithLogger(logger))
	enc, err := embed.Load(ctx, modelDir, opts)
	if err != nil {
		return nil, fmt.Errorf("load --model %s: %w", modelDir, err)
	}
	if rt.batcher, err = embed.NewBatcher(enc, embed.DefaultOptions()); err != nil {
		return nil, fmt.Errorf("start embedding batcher: %w", err)
	}
	logger.Info("text model loaded", "model", enc.ModelID(), "dimensions", enc.Dimensions())
	return rt, nil
}

// service returns the loaded search service, or nil while it loads.
func (rt *searchRuntime) service() *search.Service {
	if rt == nil {
		return nil
	}
	return rt.svc.Load()
}

// start loads the indexes under dataDir in the background, sets ready when
// they are loaded, and then follows the store's change log until close. A
// failed load is passed to fail.
func (rt *searchRuntime) start(ctx context.Context, store *storage.Store, dataDir string, ready *readiness, fail func(error)) {
	ready.setNotReady("building search index")
	ctx, rt.cancel = context.WithCancel(ctx)
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		var enc vectors.Embedder
		if rt.batcher != nil {
			enc = rt.batcher
		}
		svc, err := search.Open(ctx, store, dataDir, enc, search.DefaultOptions().WithLogger(rt.logger))
		if err != nil {
			if ctx.Err() == nil {
				fail(fmt.Errorf("open search index: %w", err))
			}
			return
		}
		rt.svc.Store(svc)
		ready.setReady()
		if err := svc.Follow(ctx); err != nil && !errors.Is(err, context.Canceled) {
			rt.logger.Error("search index follower stopped", "err", err)
		}
	}()
}

// close stops the loader or follower, then saves and closes the indexes
// and the batcher.
func (rt *searchRuntime) close() {
	if rt.cancel != nil {
		rt.cancel()
	}
	rt.wg.Wait()
	if svc := rt.svc.Swap(nil); svc != nil {
		if err := svc.Close(); err != nil {
			rt.logger.Error("closing search index failed", "err", err)
		} else {
			rt.logger.Info("search index closed", "store_seq", svc.Watermark())
		}
	}
	if rt.batcher != nil {
		if err := rt.batcher.Close(context.Background()); err != nil {
			rt.logger.Error("closing embedding batcher failed", "err", err)
		}
	}
}
