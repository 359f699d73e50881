package analytics

import (
	"log/slog"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Options configures an Engine. Start from DefaultOptions and change fields
// with the WithX methods.
type Options struct {
	Logger *slog.Logger
	// UseRollups lets Metrics read the rollups when they answer a query
	// exactly and are current. Off, every query scans the orders.
	UseRollups bool
	// SessionGap is the idle time that ends a session of events without a
	// session id.
	SessionGap time.Duration
}

// DefaultOptions returns rollups on, a 30-minute session gap and
// slog.Default as logger.
func DefaultOptions() Options {
	return Options{Logger: slog.Default(), UseRollups: true, SessionGap: 30 * time.Minute}
}

// WithLogger sets the logger.
func (o Options) WithLogger(l *slog.Logger) Options { o.Logger = l; return o }

// WithUseRollups sets whether Metrics may read the rollups.
func (o Options) WithUseRollups(v bool) Options { o.UseRollups = v; return o }

// WithSessionGap sets the default session gap of funnels.
func (o Options) WithSessionGap(d time.Duration) Options { o.SessionGap = d; return o }

// Engine runs analytics queries over a store. It is safe for concurrent
// use.
type Engine struct {
	store *storage.Store
	opts  Options
}

// New returns an engine over store.
func New(store *storage.Store, opts Options) *Engine {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.SessionGap <= 0 {
		opts.SessionGap = 30 * time.Minute
	}
	return &Engine{store: store, opts: opts}
}
