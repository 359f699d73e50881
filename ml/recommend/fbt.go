package recommend

import (
	"context"
	"fmt"
	"slices"
)

// AssociationMeasure scores a basket rule X → Y.
type AssociationMeasure int

// Association measures, with n(·) the number of baskets containing the items
// and N the number of baskets.
const (
	// Lift is n(X,Y)·N / (n(X)·n(Y)).
	Lift AssociationMeasure = iota
	// Confidence is n(X,Y) / n(X).
	Confidence
)

// FBTOptions sets the frequently-bought-together model.
type FBTOptions struct {
	Measure AssociationMeasure
	// MinSupport is the minimum number of baskets holding both items.
	MinSupport int
	// Neighbors is the number of associated items kept per item.
	Neighbors int
	// MaxBasket skips baskets with more distinct items, because bulk orders
	// pair everything with everything and the pair count is quadratic.
	MaxBasket int
}

// DefaultFBTOptions returns lift, support 2, 50 items per item, baskets up
// to 50 items.
func DefaultFBTOptions() FBTOptions {
	return FBTOptions{Measure: Lift, MinSupport: 2, Neighbors: 50, MaxBasket: 50}
}

// WithMeasure sets lift or confidence.
func (o FBTOptions) WithMeasure(m AssociationMeasure) FBTOptions { o.Measure = m; return o }

// WithMinSupport sets the minimum co-occurring baskets.
func (o FBTOptions) WithMinSupport(n int) FBTOptions { o.MinSupport = n; return o }

// WithNeighbors sets the items kept per item.
func (o FBTOptions) WithNeighbors(n int) FBTOptions { o.Neighbors = n; return o }

// WithMaxBasket sets the largest basket counted.
func (o FBTOptions) WithMaxBasket(n int) FBTOptions { o.MaxBasket = n; return o }

// FBT stores, per item, the items most often in the same basket. A basket
// is the set of items purchased under one order id or, for purchases
// without one, by one user on one UTC day.
type FBT struct {
	Items    *Index
	Ptr      []int
	Neighbor []int32
	Score    []float32
	Baskets  int
}

// Name returns "bought_together".
func (m *FBT) Name() string { return "bought_together" }

// TrainFBT counts item pairs in purchase baskets.
func TrainFBT(ctx context.Context, ds *Dataset, opts FBTOptions) (*FBT, error) {
	if opts.MinSupport < 1 || opts.Neighbors < 1 || opts.MaxBasket < 2 {
		return nil, fmt.Errorf("train FBT: invalid options (min support %d, neighbours %d, max basket %d): support and neighbours must be >= 1, max basket >= 2",
			opts.MinSupport, opts.Neighbors, opts.MaxBasket)
	}
	type basketKey struct {
		order int32
		user  int32
		day   int64
	}
	baskets := make(map[basketKey][]int32)
	var keys []basketKey
	for _, ev := range ds.Events {
		if ev.Type != EventPurchase {
			continue
		}
		key := basketKey{order: ev.Order, user: -1}
		if ev.Order < 0 {
			key = basketKey{order: -1, user: ev.User, day: floorDiv(ev.Time, 86400)}
		}
		if _, ok := baskets[key]; !ok {
			keys = append(keys, key)
		}
		baskets[key] = append(baskets[key], ev.Item)
	}
	nItems := ds.Items.Len()
	single := make([]int, nItems)
	pairs := make(map[uint64]int)
	m := &FBT{Items: ds.Items}
	for k, key := range keys {
		if k%4096 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("train FBT: %w", ctx.Err())
		}
		items := baskets[key]
		slices.Sort(items)
		items = slices.Compact(items)
		if len(items) > opts.MaxBasket {
			continue
		}
		m.Baskets++
		for a, i := range items {
			single[i]++
			for _, j := range items[a+1:] {
				pairs[uint64(i)<<32|uint64(j)]++
			}
		}
	}
	lists := make([][]scored, nItems)
	for key, n := range pairs {
		if n < opts.MinSupport {
			continue
		}
		i, j := int32(key>>32), int32(uint32(key))
		lists[i] = append(lists[i], scored{j, float32(associationScore(opts.Measure, n, single[i], single[j], m.Baskets))})
		lists[j] = append(lists[j], scored{i, float32(associationScore(opts.Measure, n, single[j], single[i], m.Baskets))})
	}
	for i, l := range lists {
		t := newTopK(opts.Neighbors, nil)
		for _, s := range l {
			t.offer(s.item, s.score)
		}
		lists[i] = t.sorted()
	}
	m.Ptr, m.Neighbor, m.Score = neighbourCSR(lists)
	return m, nil
}

// associationScore scores the rule X → Y.
func associationScore(measure AssociationMeasure, both, nx, ny, baskets int) float64 {
	if measure == Confidence {
		return float64(both) / float64(nx)
	}
	return float64(both) * float64(baskets) / (float64(nx) * float64(ny))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Together returns up to n items bought together with item, best first.
func (m *FBT) Together(item string, n int) []Candidate {
	i, ok := m.Items.Lookup(item)
	if !ok {
		return nil
	}
	lo, hi := m.Ptr[i], min(m.Ptr[i+1], m.Ptr[i]+n)
	out := make([]Candidate, 0, hi-lo)
	for k := lo; k < hi; k++ {
		out = append(out, Candidate{Item: m.Items.ID(m.Neighbor[k]), Score: float64(m.Score[k])})
	}
	return out
}

// Candidates proposes items bought together with the user's carted or
// purchased history items and with the session's items, each reason naming
// the anchor item with the strongest association.
func (m *FBT) Candidates(ctx context.Context, q *Query, n int) ([]Candidate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var seeds []seed
	for _, h := range q.History {
		if h.Event < EventCart {
			continue
		}
		if i, ok := m.Items.Lookup(h.Item); ok {
			seeds = append(seeds, seed{item: i, weight: 1, kind: ReasonBoughtTogether, label: h.Item})
		}
	}
	for _, s := range q.Session {
		if i, ok := m.Items.Lookup(s.Item); ok {
			seeds = append(seeds, seed{item: i, weight: 1, kind: ReasonBoughtTogether, label: s.Item})
		}
	}
	knn := &ItemKNN{ModelName: m.Name(), Items: m.Items, Ptr: m.Ptr, Neighbor: m.Neighbor, Sim: m.Score}
	return knn.spread(seeds, excludedIndexes(q, m.Items), n), nil
}
