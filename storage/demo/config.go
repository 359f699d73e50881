package demo

import (
	"fmt"
	"math"
	"time"
)

// Sizes at scale 1. Scale multiplies users, orders and events. Sellers and
// products stay fixed so that the catalog reads the same at every scale.
const (
	defaultUsers    = 5000
	defaultOrders   = 30000
	defaultEvents   = 100000
	numSellers      = 80
	numProducts     = 600
	minRangeDays    = 28
	maxRangeDays    = 20 * 366
	defaultBatch    = 1000
	defaultSeed     = 20240101
	maxScale        = 1000
	minScaledUsers  = 50
	minScaledOrders = 100
)

// ProgressFunc receives progress after each batch. For the sellers, users and
// products stages, done and total count records. For the orders, reviews and
// events stages they count simulated days, because the number of records is
// known only at the end.
type ProgressFunc func(stage string, done, total int)

// Config holds the generator settings. Build one with DefaultConfig and the
// WithX setters.
type Config struct {
	// Seed selects the data set. The same seed and settings give identical
	// records.
	Seed uint64
	// Scale multiplies the number of users, orders and events.
	Scale float64
	// Start is the first simulated UTC day (inclusive) and End the day after
	// the last one (exclusive). Both are truncated to UTC midnight, End
	// rounded up. Orders whose delivery falls after End are left in transit.
	Start, End time.Time
	// BatchSize is the number of records per Sink call.
	BatchSize int
	// Progress, when set, receives progress after each batch.
	Progress ProgressFunc
}

// DefaultConfig returns the default settings: seed 20240101, scale 1 (about
// 5,000 users, 30,000 orders and 100,000 events), the range 2024-01-01 through
// 2025-12-31 and batches of 1000 records.
func DefaultConfig() Config {
	return Config{
		Seed:      defaultSeed,
		Scale:     1,
		Start:     time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		End:       time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		BatchSize: defaultBatch,
	}
}

// WithSeed returns c with the random seed set.
func (c Config) WithSeed(seed uint64) Config { c.Seed = seed; return c }

// WithScale returns c with the scale factor for users, orders and events set.
func (c Config) WithScale(scale float64) Config { c.Scale = scale; return c }

// WithStart returns c with the first simulated day set.
func (c Config) WithStart(t time.Time) Config { c.Start = t; return c }

// WithEnd returns c with the exclusive end of the simulated range set.
func (c Config) WithEnd(t time.Time) Config { c.End = t; return c }

// WithBatchSize returns c with the number of records per Sink call set.
func (c Config) WithBatchSize(n int) Config { c.BatchSize = n; return c }

// WithProgress returns c with the progress callback set.
func (c Config) WithProgress(f ProgressFunc) Config { c.Progress = f; return c }

// normalized validates c and returns it with Start and End on UTC midnights.
func (c Config) normalized() (Config, error) {
	if math.IsNaN(c.Scale) || c.Scale <= 0 || c.Scale > maxScale {
		return c, fmt.Errorf("invalid demo scale %v: use a factor above 0 and at most %d, such as 1", c.Scale, maxScale)
	}
	if c.BatchSize <= 0 {
		return c, fmt.Errorf("invalid demo batch size %d: use a positive number of records, such as %d", c.BatchSize, defaultBatch)
	}
	if c.Start.IsZero() || c.End.IsZero() {
		return c, fmt.Errorf("missing demo time range (start %v, end %v): set both, for example with DefaultConfig", c.Start, c.End)
	}
	c.Start = c.Start.UTC().Truncate(24 * time.Hour)
	end := c.End.UTC()
	if t := end.Truncate(24 * time.Hour); !t.Equal(end) {
		end = t.Add(24 * time.Hour)
	}
	c.End = end
	days := int(c.End.Sub(c.Start) / (24 * time.Hour))
	if days < minRangeDays || days > maxRangeDays {
		return c, fmt.Errorf("invalid demo time range %s to %s (%d days): use between %d and %d days so that the injected stock-out fits",
			c.Start.Format(time.DateOnly), c.End.Format(time.DateOnly), days, minRangeDays, maxRangeDays)
	}
	return c, nil
}

// days returns the number of simulated days of a normalized config.
func (c Config) days() int { return int(c.End.Sub(c.Start) / (24 * time.Hour)) }

func (c Config) scaled(n, floor int) int {
	return max(floor, int(math.Round(float64(n)*c.Scale)))
}
