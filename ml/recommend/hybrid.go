package recommend

import (
	"context"
	"fmt"
	"slices"
)

// ExcludeMode selects which of a user's history items are never recommended.
type ExcludeMode int

// Exclusion modes.
const (
	// ExcludePurchased drops items the user bought, but viewed or carted
	// items may come back as reminders.
	ExcludePurchased ExcludeMode = iota
	// ExcludeInteracted drops every item in the user's history, as offline
	// evaluation does.
	ExcludeInteracted
	// ExcludeNothing keeps history items.
	ExcludeNothing
)

// HybridOptions sets the hybrid ranker.
type HybridOptions struct {
	// Depth is the number of candidates requested from each model. The
	// blend ranks within it.
	Depth   int
	Exclude ExcludeMode
	// Available reports whether an item may be shown. Nil means every item.
	// Use it for deleted, excluded or out-of-stock items.
	Available func(item string) bool
}

// DefaultHybridOptions returns depth 200, excluding purchased items.
func DefaultHybridOptions() HybridOptions {
	return HybridOptions{Depth: 200, Exclude: ExcludePurchased}
}

// WithDepth sets the candidates requested from each model.
func (o HybridOptions) WithDepth(n int) HybridOptions { o.Depth = n; return o }

// WithExclude sets which history items are excluded.
func (o HybridOptions) WithExclude(m ExcludeMode) HybridOptions { o.Exclude = m; return o }

// WithAvailable sets the availability predicate.
func (o HybridOptions) WithAvailable(f func(item string) bool) HybridOptions {
	o.Available = f
	return o
}

// Component is a model in the blend with its weight.
type Component struct {
	Scorer Scorer
	Weight float64
}

// Request is a recommendation request.
type Request struct {
	User   string
	Region string
	// K is the number of recommendations.
	K int
	// Session holds the current session's events, oldest first.
	Session []SessionEvent
	// Touched lists items an unknown user interacted with before having a
	// history, for example in an anonymous session.
	Touched []string
	// Allow is an optional category constraint: only items it accepts are
	// returned.
	Allow func(item string) bool
}

// Recommendation is one recommended item with its blended score and the
// reasons of every model that proposed it, strongest contribution first.
type Recommendation struct {
	Item    string   `json:"item"`
	Score   float64  `json:"score"`
	Reasons []Reason `json:"reasons"`
}

// Hybrid blends several models into one ranking.
type Hybrid struct {
	histories  *Histories
	components []Component
	fallback   *Popularity
	opts       HybridOptions
}

// NewHybrid builds a hybrid ranker. fallback fills the list when the models
// propose fewer than K items, so a non-empty catalog always yields a
// non-empty list unless the predicates reject every item.
func NewHybrid(histories *Histories, fallback *Popularity, opts HybridOptions, components ...Component) (*Hybrid, error) {
	if histories == nil || fallback == nil {
		return nil, fmt.Errorf("new hybrid: histories and the popularity fallback are required")
	}
	if opts.Depth < 1 {
		return nil, fmt.Errorf("new hybrid: invalid depth %d: must be >= 1", opts.Depth)
	}
	for _, c := range components {
		if c.Scorer == nil || c.Weight < 0 {
			return nil, fmt.Errorf("new hybrid: every component needs a model and a weight >= 0")
		}
	}
	return &Hybrid{histories: histories, components: slices.Clone(components), fallback: fallback, opts: opts}, nil
}

// Name returns "hybrid".
func (h *Hybrid) Name() string { return "hybrid" }

// Recommend blends the models' candidates by rank: a candidate at 0-based
// rank r in a model's filtered list scores weight·(1 − r/Depth), and the
// scores of all models add up. An unknown user is served from the region's
// trending items and the neighbours of the Touched and Session items.
func (h *Hybrid) Recommend(ctx context.Context, req Request) ([]Recommendation, error) {
	if req.K <= 0 {
		return nil, fmt.Errorf("recommend for user %q: invalid K %d: must be positive", req.User, req.K)
	}
	q := h.query(req)
	keep := func(item string) bool {
		return (h.opts.Available == nil || h.opts.Available(item)) && (req.Allow == nil || req.Allow(item))
	}
	type blended struct {
		score   float64
		reasons []weightedReason
	}
	scores := make(map[string]*blended)
	var order []string
	for _, comp := range h.components {
		if comp.Weight == 0 {
			continue
		}
		cands, err := comp.Scorer.Candidates(ctx, q, h.opts.Depth)
		if err != nil {
			return nil, fmt.Errorf("recommend for user %q: model %s: %w", req.User, comp.Scorer.Name(), err)
		}
		rank := 0
		for _, c := range cands {
			if !keep(c.Item) {
				continue
			}
			contrib := comp.Weight * (1 - float64(rank)/float64(h.opts.Depth))
			rank++
			b := scores[c.Item]
			if b == nil {
				b = &blended{}
				scores[c.Item] = b
				order = append(order, c.Item)
			}
			b.score += contrib
			for _, r := range c.Reasons {
				b.reasons = append(b.reasons, weightedReason{r, contrib})
			}
		}
	}
	out := make([]Recommendation, 0, len(order))
	for _, item := range order {
		b := scores[item]
		out = append(out, Recommendation{Item: item, Score: b.score, Reasons: sortReasons(b.reasons)})
	}
	slices.SortFunc(out, func(a, b Recommendation) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return compareStrings(a.Item, b.Item)
	})
	out = out[:min(len(out), req.K)]
	if len(out) < req.K {
		var err error
		if out, err = h.fill(ctx, q, req.K, out, keep); err != nil {
			return nil, fmt.Errorf("recommend for user %q: %w", req.User, err)
		}
	}
	return out, nil
}

// query builds the models' view of req: the user's history (or the touched
// items of an unknown user) and the exclusion set.
func (h *Hybrid) query(req Request) *Query {
	q := &Query{User: req.User, Region: req.Region, Session: req.Session, Exclude: make(map[string]struct{})}
	history, known := h.histories.Of(req.User)
	if !known {
		q.User = "" // factor models have nothing for this user
		for _, item := range req.Touched {
			history = append(history, HistoryItem{Item: item, Weight: 1, Event: EventView})
		}
	}
	q.History = history
	for _, hi := range history {
		if h.opts.Exclude == ExcludeInteracted || (h.opts.Exclude == ExcludePurchased && hi.Event == EventPurchase) {
			q.Exclude[hi.Item] = struct{}{}
		}
	}
	return q
}

// fill appends popular items until the list has k items or the catalog is
// exhausted.
func (h *Hybrid) fill(ctx context.Context, q *Query, k int, out []Recommendation, keep func(string) bool) ([]Recommendation, error) {
	exclude := make(map[string]struct{}, len(q.Exclude)+len(out))
	for item := range q.Exclude {
		exclude[item] = struct{}{}
	}
	for _, r := range out {
		exclude[r.Item] = struct{}{}
	}
	fq := *q
	fq.Exclude = exclude
	want := 4 * k
	for {
		cands, err := h.fallback.Candidates(ctx, &fq, want)
		if err != nil {
			return nil, fmt.Errorf("popularity fallback: %w", err)
		}
		for _, c := range cands {
			if len(out) == k {
				return out, nil
			}
			if _, dup := exclude[c.Item]; dup || !keep(c.Item) {
				continue
			}
			exclude[c.Item] = struct{}{}
			out = append(out, Recommendation{Item: c.Item, Score: 0, Reasons: c.Reasons})
		}
		if len(cands) < want {
			return out, nil // catalog exhausted
		}
		want *= 4
	}
}

type weightedReason struct {
	reason  Reason
	contrib float64
}

func sortReasons(rs []weightedReason) []Reason {
	slices.SortStableFunc(rs, func(a, b weightedReason) int {
		switch {
		case a.contrib > b.contrib:
			return -1
		case a.contrib < b.contrib:
			return 1
		}
		return 0
	})
	out := make([]Reason, len(rs))
	for k, r := range rs {
		out[k] = r.reason
	}
	return out
}
