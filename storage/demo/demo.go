// Package demo generates a seeded synthetic shop for `shopsight demo`:
// sellers, users, a bilingual (English and Chinese) catalog, two years of
// orders with seasonality, promotions and injected anomalies, reviews and
// behaviour events.
//
// The same Config gives the same records byte for byte on one platform: all
// randomness comes from PCG streams derived from Config.Seed, and no output
// depends on map iteration order or the clock. Every ID is deterministic, so
// a store that was killed during generation can be regenerated over itself.
// All prices are USD cents (a single currency keeps revenue sums meaningful).
//
// Generation streams. Only users, sellers and products are held in memory.
// Orders, reviews and events are built one simulated day at a time, and the
// orders of a day are rebuilt from their random stream for the review and
// event passes instead of being kept.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Sink receives generated records in batches. *storage.Store implements it. Generate calls the methods in the order sellers, users, products,
// orders, reviews, events, and never modifies a slice after passing it, so a
// Sink may keep it.
type Sink interface {
	PutSellers(ctx context.Context, s []storage.Seller) error
	PutUsers(ctx context.Context, u []storage.User) error
	PutProducts(ctx context.Context, p []storage.Product) error
	PutOrders(ctx context.Context, o []storage.Order) error
	PutReviews(ctx context.Context, r []storage.Review) error
	PutEvents(ctx context.Context, e []storage.Event) error
}

// Stats summarises a generated data set.
type Stats struct {
	Seed       uint64
	Start, End time.Time // the normalized simulated range, End exclusive
	Sellers    int
	Users      int
	Products   int
	Orders     int
	OrderItems int
	Reviews    int
	Sessions   int
	Events     int
	// Promotions are the discount periods, in calendar order.
	Promotions []Promotion
	// Anomalies are the injected irregularities: one demand spike and one
	// stock-out.
	Anomalies []Anomaly
}

// Stage names passed to Config.Progress.
const (
	StageSellers  = "sellers"
	StageUsers    = "users"
	StageProducts = "products"
	StageOrders   = "orders"
	StageReviews  = "reviews"
	StageEvents   = "events"
)

// Generate builds the data set described by cfg and writes it to sink in
// batches of cfg.BatchSize. It stops at the first Sink error or when ctx is
// done. The returned Stats are complete only when the error is nil.
func Generate(ctx context.Context, cfg Config, sink Sink) (Stats, error) {
	if sink == nil {
		return Stats{}, errors.New("generate demo data: sink is nil; pass a store or another Sink")
	}
	cfg, err := cfg.normalized()
	if err != nil {
		return Stats{}, err
	}
	regions := newRegionTable()
	sellers, sellerProfiles := makeSellers(cfg, regions)
	users, userProfiles := makeUsers(cfg, regions)
	products, productProfiles := makeProducts(cfg, sellerProfiles)
	w := newWorld(cfg, sellerProfiles, userProfiles, productProfiles)

	stats := Stats{
		Seed: cfg.Seed, Start: cfg.Start, End: cfg.End,
		Sellers: len(sellers), Users: len(users), Products: len(products),
		Promotions: w.plan.promotions,
		Anomalies:  []Anomaly{w.plan.spike, w.plan.stockOut},
	}
	if err := putAll(ctx, cfg, StageSellers, sellers, sink.PutSellers); err != nil {
		return stats, err
	}
	if err := putAll(ctx, cfg, StageUsers, users, sink.PutUsers); err != nil {
		return stats, err
	}
	if err := putAll(ctx, cfg, StageProducts, products, sink.PutProducts); err != nil {
		return stats, err
	}
	if err := w.writeOrders(ctx, sink, &stats); err != nil {
		return stats, err
	}
	if err := w.writeReviews(ctx, sink, &stats); err != nil {
		return stats, err
	}
	if err := w.writeEvents(ctx, sink, &stats); err != nil {
		return stats, err
	}
	return stats, nil
}

// batcher collects records and passes them to put in batches.
type batcher[T any] struct {
	ctx      context.Context
	cfg      Config
	stage    string
	put      func(context.Context, []T) error
	buf      []T
	done     int // progress units completed, reported on flush
	total    int
	progress bool
}

func newBatcher[T any](ctx context.Context, cfg Config, stage string, total int, put func(context.Context, []T) error) *batcher[T] {
	return &batcher[T]{ctx: ctx, cfg: cfg, stage: stage, put: put, total: total,
		buf: make([]T, 0, cfg.BatchSize), progress: cfg.Progress != nil}
}

// addDay adds the records of one simulated day, checking ctx once per day so
// that cancellation is noticed even with large batches.
func (b *batcher[T]) addDay(items []T) error {
	if err := b.ctx.Err(); err != nil {
		return fmt.Errorf("generate demo %s: %w", b.stage, err)
	}
	for _, it := range items {
		b.buf = append(b.buf, it)
		if len(b.buf) == b.cfg.BatchSize {
			if err := b.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes the buffered records. A fresh buffer follows, because the
// sink may keep the slice it received.
func (b *batcher[T]) flush() error {
	if err := b.ctx.Err(); err != nil {
		return fmt.Errorf("generate demo %s: %w", b.stage, err)
	}
	if len(b.buf) > 0 {
		if err := b.put(b.ctx, b.buf); err != nil {
			return fmt.Errorf("write demo %s batch of %d records: %w", b.stage, len(b.buf), err)
		}
		b.buf = make([]T, 0, b.cfg.BatchSize)
	}
	if b.progress {
		b.cfg.Progress(b.stage, b.done, b.total)
	}
	return nil
}

// putAll writes records in batches, counting records as progress.
func putAll[T any](ctx context.Context, cfg Config, stage string, records []T, put func(context.Context, []T) error) error {
	b := newBatcher(ctx, cfg, stage, len(records), put)
	for start := 0; start < len(records); start += cfg.BatchSize {
		end := min(start+cfg.BatchSize, len(records))
		b.buf = append(b.buf, records[start:end]...)
		b.done = end
		if err := b.flush(); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) writeOrders(ctx context.Context, sink Sink, stats *Stats) error {
	b := newBatcher(ctx, w.cfg, StageOrders, w.plan.days, sink.PutOrders)
	seq := 0
	for d := range w.plan.days {
		orders := w.ordersForDay(d, seq)
		seq += len(orders)
		for i := range orders {
			stats.OrderItems += len(orders[i].Items)
		}
		b.done = d
		if err := b.addDay(orders); err != nil {
			return err
		}
	}
	stats.Orders = seq
	b.done = w.plan.days
	return b.flush()
}

func (w *world) writeReviews(ctx context.Context, sink Sink, stats *Stats) error {
	b := newBatcher(ctx, w.cfg, StageReviews, w.plan.days, sink.PutReviews)
	orderSeq := 0
	for d := range w.plan.days {
		orders := w.ordersForDay(d, orderSeq)
		orderSeq += len(orders)
		reviews := w.reviewsForDay(d, orders, stats.Reviews)
		stats.Reviews += len(reviews)
		b.done = d
		if err := b.addDay(reviews); err != nil {
			return err
		}
	}
	b.done = w.plan.days
	return b.flush()
}

func (w *world) writeEvents(ctx context.Context, sink Sink, stats *Stats) error {
	b := newBatcher(ctx, w.cfg, StageEvents, w.plan.days, sink.PutEvents)
	orderSeq := 0
	var seq eventSeq
	for d := range w.plan.days {
		orders := w.ordersForDay(d, orderSeq)
		orderSeq += len(orders)
		events := w.eventsForDay(d, orders, &seq)
		b.done = d
		if err := b.addDay(events); err != nil {
			return err
		}
	}
	stats.Sessions, stats.Events = seq.sessions, seq.events
	b.done = w.plan.days
	return b.flush()
}
