package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	forecastsvc "github.com/shopsight/shopsight/ml/forecast/service"
	"github.com/shopsight/shopsight/ml/recommend/service"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

var errMissingData = errors.New("missing --data: pass the store's data directory")

func demoCommand() command {
	return command{
		name:    "demo",
		summary: "generate a seeded synthetic shop and serve it",
		run:     runDemo,
	}
}

// demoMarker records what a demo store was generated with, so a restart on
// the same --data directory skips generating it again.
type demoMarker struct {
	Seed     uint64    `json:"seed"`
	Scale    float64   `json:"scale"`
	Finished time.Time `json:"finished"`
}

const demoMarkerFile = "demo.json"

func runDemo(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "demo", "demo [--addr HOST:PORT] [--data DIR] [--seed N] [--scale X] [flags]")
	var lf logFlags
	lf.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "HTTP listen address, host:port; loopback by default because the demo serves without authentication (:8080 listens on all interfaces)")
	dataDir := fs.String("data", "", "data directory for the demo store (default: a new temporary directory, removed on exit)")
	seed := fs.Uint64("seed", 1, "random seed of the generator; the same seed gives the same data")
	scale := fs.Float64("scale", 1, "size multiplier for users, orders and events (1 = about 5,000 users and 30,000 orders)")
	modelDir := fs.String("model", "", "Hugging Face BERT model directory for semantic search (default: none; searches with client vectors still work)")
	device := fs.String("device", "auto", "where the text model's matmuls run: cuda, cpu or auto (cuda needs a binary built with -tags cuda)")
	var af accessFlags
	af.register(fs, false)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := lf.newLogger(a.stderr)
	if err != nil {
		return err
	}
	access, err := newAccessControl(nil, af.limits(), logger)
	if err != nil {
		return err
	}
	logger.Info("demo serves without authentication: every request gets the admin role")
	if *scale <= 0 || *scale > 100 {
		return fmt.Errorf("invalid --scale %v: use a value in (0, 100]", *scale)
	}
	dir := *dataDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "shopsight-demo-"); err != nil {
			return fmt.Errorf("create a temporary data directory: %w", err)
		}
		defer os.RemoveAll(dir)
	}
	store, err := storage.Open(storeOptions(dir, logger))
	if err != nil {
		return err
	}
	defer closeStore(store, logger)
	reuse, err := checkDemoDir(ctx, store, dir, *seed, *scale)
	if err != nil {
		return err
	}
	// The search index is built once the data is complete; close runs
	// after cancel and the recommender's close, before the store's.
	searchRT, err := newSearchRuntime(ctx, *modelDir, *device, logger)
	if err != nil {
		return err
	}
	defer searchRT.close()
	forecaster, err := openForecast(ctx, store, logger)
	if err != nil {
		return err
	}
	defer closeForecast(forecaster, logger)

	metrics := newServerMetrics(store)
	ready := newReadiness("generating demo data")
	genErr := make(chan error, 1)
	go func() {
		if reuse {
			logger.Info("demo data already generated", "dir", dir, "seed", *seed, "scale", *scale)
			genErr <- ensureRollups(ctx, store, logger)
			return
		}
		genErr <- generateDemo(ctx, store, dir, *seed, *scale, logger, metrics)
	}()
	// The recommendation service opens once the data is complete. The
	// deferred function waits for that before it closes the service, and
	// runs after cancel, so the store outlives both.
	var recommender atomic.Pointer[service.Service]
	prepared := make(chan struct{})
	defer func() {
		<-prepared
		if svc := recommender.Load(); svc != nil {
			closeRecommender(svc, logger)
		}
	}()
	serveCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		defer close(prepared)
		if err := <-genErr; err != nil {
			cancel(fmt.Errorf("demo generation failed: %w", err))
			return
		}
		svc, err := openDemoRecommender(serveCtx, store, logger)
		if err != nil {
			cancel(err)
			return
		}
		recommender.Store(svc)
		searchRT.start(serveCtx, store, dir, ready, func(err error) { cancel(err) })
	}()
	err = runServer(serveCtx, serverParams{addr: *addr, store: store, logger: logger, ready: ready, metrics: metrics,
		recommender: recommender.Load, search: searchRT.service,
		forecast: func() *forecastsvc.Service { return forecaster }, access: access})
	if cause := context.Cause(serveCtx); err == nil && cause != nil && ctx.Err() == nil {
		return cause
	}
	return err
}

// checkDemoDir reports whether dir already contains a complete demo of
// seed and scale, to be reused as it is. A demo of the same seed and scale
// whose generation stopped before the end is generated again: generation
// is deterministic, so it completes the same records. checkDemoDir returns
// an error when dir contains other records, so that two data sets never
// mix: a demo of another seed or scale, or records without a demo marker.
func checkDemoDir(ctx context.Context, store *storage.Store, dir string, seed uint64, scale float64) (bool, error) {
	markerPath := filepath.Join(dir, demoMarkerFile)
	b, err := os.ReadFile(markerPath)
	switch {
	case err == nil:
		var m demoMarker
		if err := json.Unmarshal(b, &m); err != nil {
			return false, fmt.Errorf("read demo marker %s: %w; pass another --data directory, or delete %s to regenerate", markerPath, err, dir)
		}
		if m.Seed != seed || m.Scale != scale {
			return false, fmt.Errorf("%s contains a demo of seed %d, scale %v: pass another --data directory, or delete %s to regenerate",
				dir, m.Seed, m.Scale, dir)
		}
		return !m.Finished.IsZero(), nil
	case !errors.Is(err, os.ErrNotExist):
		return false, fmt.Errorf("read demo marker %s: %w", markerPath, err)
	}
	counts, err := store.Counts(ctx)
	if err != nil {
		return false, fmt.Errorf("count the records in %s: %w", dir, err)
	}
	var records int64
	for _, n := range counts {
		records += n
	}
	if records > 0 {
		return false, fmt.Errorf("%s is not empty (%d records) and has no %s marker of a complete demo: pass another --data directory, or delete %s to regenerate",
			dir, records, demoMarkerFile, dir)
	}
	return false, nil
}

// generateDemo fills the store with the demo of seed and scale and writes
// the demo marker.
func generateDemo(ctx context.Context, store *storage.Store, dir string, seed uint64, scale float64, logger *slog.Logger, metrics *serverMetrics) error {
	markerPath := filepath.Join(dir, demoMarkerFile)
	// The marker is written before the first record, with a zero Finished
	// time, so that a restart after an interruption recognizes the partial
	// demo as its own.
	b, _ := json.Marshal(demoMarker{Seed: seed, Scale: scale})
	if err := os.WriteFile(markerPath, b, 0o644); err != nil {
		return fmt.Errorf("write demo marker %s: %w", markerPath, err)
	}
	started := time.Now()
	logger.Info("generating demo data", "dir", dir, "seed", seed, "scale", scale)
	progress := newProgressThrottle(demoProgressInterval, time.Now)
	cfg := demo.DefaultConfig().WithSeed(seed).WithScale(scale).WithProgress(func(stage string, done, total int) {
		if progress.allow(stage, done >= total) {
			logger.Info("demo progress", "stage", stage, "done", done, "total", total)
		}
	})
	stats, err := demo.Generate(ctx, cfg, countingSink{store: store, metrics: metrics})
	if err != nil {
		return err
	}
	logger.Info("demo data generated", "seconds", time.Since(started).Seconds(), "users", stats.Users,
		"sellers", stats.Sellers, "products", stats.Products, "orders", stats.Orders, "reviews", stats.Reviews,
		"events", stats.Events)
	for _, an := range stats.Anomalies {
		logger.Info("demo anomaly injected", "kind", an.Kind, "product", an.ProductID,
			"from", an.From.Format(time.DateOnly), "to", an.To.Format(time.DateOnly), "extra_orders", an.ExtraOrders)
	}
	b, _ = json.Marshal(demoMarker{Seed: seed, Scale: scale, Finished: time.Now().UTC()})
	if err := os.WriteFile(markerPath, b, 0o644); err != nil {
		logger.Warn("cannot write demo marker; the next start regenerates", "path", markerPath, "err", err)
	}
	return nil
}

// demoProgressInterval is the shortest time between two progress lines of
// one demo stage.
const demoProgressInterval = 2 * time.Second

// progressThrottle lets through at most one progress line per interval for
// each stage, and always a stage's last line.
type progressThrottle struct {
	interval time.Duration
	now      func() time.Time
	mu       sync.Mutex
	last     map[string]time.Time
}

func newProgressThrottle(interval time.Duration, now func() time.Time) *progressThrottle {
	return &progressThrottle{interval: interval, now: now, last: map[string]time.Time{}}
}

// allow reports whether a progress line of stage should be logged now.
func (p *progressThrottle) allow(stage string, final bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if last, seen := p.last[stage]; seen && !final && now.Sub(last) < p.interval {
		return false
	}
	p.last[stage] = now
	return true
}

// openDemoRecommender opens the recommendation service over the generated
// store and starts one training in the background, so that trained models
// serve shortly after the demo starts. Until then popularity serves.
func openDemoRecommender(ctx context.Context, store *storage.Store, logger *slog.Logger) (*service.Service, error) {
	svc, err := openRecommender(ctx, store, logger)
	if err != nil {
		return nil, err
	}
	if err := startTraining(ctx, svc, logger); err != nil {
		closeRecommender(svc, logger)
		return nil, fmt.Errorf("start the demo's recommendation training: %w", err)
	}
	return svc, nil
}

// countingSink writes generated records to the store and counts them in
// the import metric.
type countingSink struct {
	store   *storage.Store
	metrics *serverMetrics
}

func (c countingSink) count(kind storage.Kind, n int) {
	c.metrics.imported.WithLabelValues(string(kind)).Add(float64(n))
}

func (c countingSink) PutSellers(ctx context.Context, v []storage.Seller) error {
	if err := c.store.PutSellers(ctx, v); err != nil {
		return err
	}
	c.count(storage.KindSeller, len(v))
	return nil
}

func (c countingSink) PutUsers(ctx context.Context, v []storage.User) error {
	if err := c.store.PutUsers(ctx, v); err != nil {
		return err
	}
	c.count(storage.KindUser, len(v))
	return nil
}

func (c countingSink) PutProducts(ctx context.Context, v []storage.Product) error {
	if err := c.store.PutProducts(ctx, v); err != nil {
		return err
	}
	c.count(storage.KindProduct, len(v))
	return nil
}

func (c countingSink) PutOrders(ctx context.Context, v []storage.Order) error {
	if err := c.store.PutOrders(ctx, v); err != nil {
		return err
	}
	c.count(storage.KindOrder, len(v))
	return nil
}

func (c countingSink) PutReviews(ctx context.Context, v []storage.Review) error {
	if err := c.store.PutReviews(ctx, v); err != nil {
		return err
	}
	c.count(storage.KindReview, len(v))
	return nil
}

func (c countingSink) PutEvents(ctx context.Context, v []storage.Event) error {
	if err := c.store.PutEvents(ctx, v); err != nil {
		return err
	}
	c.count(storage.KindEvent, len(v))
	return nil
}
