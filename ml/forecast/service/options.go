package service

import (
	"log/slog"
	"time"

	"github.com/shopsight/shopsight/ml/forecast"
)

// Options configures a Service. Start from DefaultOptions.
type Options struct {
	// TimeZone is the IANA zone whose calendar defines buckets when a
	// request names none.
	TimeZone string
	// Logger receives follower errors and cache events.
	Logger *slog.Logger
	// PollInterval is how often the follower reads the store's change log.
	PollInterval time.Duration
	// BacktestOrigins is the number of rolling origins of the backtest.
	BacktestOrigins int
	// AnomalyThreshold is the robust score (MAD units) above which ROBUST
	// flags a point.
	AnomalyThreshold float64
	// IntervalZ is the normal quantile of the one-step interval INTERVAL
	// uses; forecast.Z95 flags points outside the 95 % interval.
	IntervalZ float64
	// MaxWatched bounds the number of watched series; Watch rejects more.
	MaxWatched int
	// ReadOnly disables the cache and the watched series, for stores
	// opened read-only: nothing is written to Badger.
	ReadOnly bool
}

// DefaultOptions returns zone UTC, a 1 s poll interval, 3 backtest origins,
// a MAD threshold of 3.5, the 95 % interval for INTERVAL and at most 1000
// watched series.
func DefaultOptions() Options {
	return Options{
		TimeZone:         "UTC",
		Logger:           slog.Default(),
		PollInterval:     time.Second,
		BacktestOrigins:  3,
		AnomalyThreshold: 3.5,
		IntervalZ:        forecast.Z95,
		MaxWatched:       1000,
	}
}

// WithTimeZone sets the default bucket time zone.
func (o Options) WithTimeZone(zone string) Options { o.TimeZone = zone; return o }

// WithLogger sets the logger.
func (o Options) WithLogger(l *slog.Logger) Options { o.Logger = l; return o }

// WithPollInterval sets how often the change log is read.
func (o Options) WithPollInterval(d time.Duration) Options { o.PollInterval = d; return o }

// WithBacktestOrigins sets the number of backtest origins; 0 skips the
// backtest.
func (o Options) WithBacktestOrigins(n int) Options { o.BacktestOrigins = n; return o }

// WithAnomalyThreshold sets the MAD threshold of ROBUST.
func (o Options) WithAnomalyThreshold(t float64) Options { o.AnomalyThreshold = t; return o }

// WithIntervalZ sets the interval quantile of INTERVAL.
func (o Options) WithIntervalZ(z float64) Options { o.IntervalZ = z; return o }

// WithMaxWatched sets the maximum number of watched series.
func (o Options) WithMaxWatched(n int) Options { o.MaxWatched = n; return o }

// WithReadOnly disables every write to the store.
func (o Options) WithReadOnly(v bool) Options { o.ReadOnly = v; return o }
