package service

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/ml/forecast/series"
	"github.com/shopsight/shopsight/storage"
)

// changeBatch is the number of change log entries read per step.
const changeBatch = 1000

// Start runs the change log follower until ctx is done or Close is
// called: every PollInterval it applies new order changes (see Sync).
// It does nothing for a read-only service.
func (s *Service) Start(ctx context.Context) {
	if s.opts.ReadOnly || s.stop != nil {
		return
	}
	s.stop = make(chan struct{})
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		s.log.Info("forecast change follower started", "poll", s.opts.PollInterval.String(), "seq", s.appliedSeq())
		ticker := time.NewTicker(s.opts.PollInterval)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				s.log.Info("forecast change follower stopped", "seq", s.appliedSeq())
				return
			case <-s.stop:
				s.log.Info("forecast change follower stopped", "seq", s.appliedSeq())
				return
			case <-ticker.C:
				if err := s.Sync(ctx); err != nil && ctx.Err() == nil {
					s.log.Error("applying store changes to the forecast cache failed; retrying at the next poll", "err", err)
				}
			}
		}
	}()
}

// Close stops the follower started by Start and waits for it.
func (s *Service) Close() error {
	if s.stop != nil {
		close(s.stop)
		<-s.done
		s.stop = nil
	}
	return nil
}

func (s *Service) appliedSeq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applied
}

// orderImpact is what one changed order may affect.
type orderImpact struct {
	at time.Time
	// unknown marks a deleted order, whose series are not known any more.
	unknown bool
	ids     map[series.Group]map[string]bool
}

func impactOf(o *storage.Order) orderImpact {
	if o == nil {
		return orderImpact{unknown: true}
	}
	imp := orderImpact{at: o.PurchasedAt, ids: map[series.Group]map[string]bool{
		series.Product: {}, series.Seller: {}, series.Category: {}, series.Region: {}, series.CategoryRegion: {},
		series.All: {"": true},
	}}
	regions := series.RegionIDs(o.ShipTo.Country, o.ShipTo.State, o.ShipTo.City)
	for _, id := range regions {
		imp.ids[series.Region][id] = true
	}
	for _, it := range o.Items {
		imp.ids[series.Product][it.ProductID] = true
		imp.ids[series.Seller][it.SellerID] = true
		for _, id := range series.CategoryIDs(it.Category) {
			imp.ids[series.Category][id] = true
			for _, region := range regions {
				imp.ids[series.CategoryRegion][series.CategoryRegionID(id, region)] = true
			}
		}
	}
	return imp
}

// affects reports whether the change may alter a series with the given
// key and bucket range. An order at or after end lengthens every series
// that ends with the store's newest order, so it affects all of them.
// NOTE: only the order's current state is known, so an update that moves
// an order out of a series (another product, an earlier time) is missed
// unless the new state also touches the series.
func (imp orderImpact) affects(key series.Key, fromSet bool, first, end time.Time) bool {
	if imp.unknown || !imp.at.Before(end) {
		return true
	}
	if !imp.ids[key.Group][key.ID] {
		return false
	}
	return !fromSet || !imp.at.Before(first)
}

// Sync applies every order change of the store's change log after the
// follower's cursor: it deletes the cached forecasts the changed orders
// may alter, marks the watched series they touch, and re-runs anomaly
// detection on those. Start calls it every PollInterval; tests call it
// directly.
func (s *Service) Sync(ctx context.Context) error {
	if s.opts.ReadOnly {
		return nil
	}
	for {
		after := s.appliedSeq()
		changes, err := s.store.Changes(ctx, after, changeBatch)
		if err != nil {
			return fmt.Errorf("read change log after %d: %w", after, err)
		}
		if len(changes) == 0 {
			break
		}
		var ids []string
		for _, c := range changes {
			if c.Kind == storage.KindOrder {
				ids = append(ids, c.ID)
			}
		}
		orders, err := s.store.Orders(ctx, ids)
		if err != nil {
			return fmt.Errorf("read %d changed orders: %w", len(ids), err)
		}
		impacts := make([]orderImpact, len(orders))
		for i, o := range orders {
			impacts[i] = impactOf(o)
		}
		if err := s.apply(impacts, changes[len(changes)-1].Seq); err != nil {
			return err
		}
	}
	return s.refreshWatched(ctx)
}

// apply deletes the affected cache entries, marks affected watched series
// dirty and advances the cursor to seq, in one Badger transaction.
func (s *Service) apply(impacts []orderImpact, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var stale []string
	for key, m := range s.cache {
		for _, imp := range impacts {
			if imp.affects(m.Key, m.FromSet, m.First, m.End) {
				stale = append(stale, key)
				break
			}
		}
	}
	for key, w := range s.watched {
		for _, imp := range impacts {
			if imp.affects(w.Key, false, time.Time{}, w.End) {
				w.Dirty = true
				s.watched[key] = w
				break
			}
		}
	}
	err := s.store.DB().Update(func(txn *badger.Txn) error {
		for _, key := range stale {
			if err := txn.Delete([]byte(key)); err != nil {
				return err
			}
		}
		return txn.Set(cursorKey, binary.BigEndian.AppendUint64(nil, seq))
	})
	if err != nil {
		return fmt.Errorf("invalidate %d cached forecasts at change %d: %w", len(stale), seq, err)
	}
	for _, key := range stale {
		delete(s.cache, key)
	}
	s.applied = seq
	if len(stale) > 0 {
		s.log.Debug("cached forecasts invalidated", "count", len(stale), "seq", seq)
	}
	return nil
}
