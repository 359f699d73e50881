package recommend

import (
	"context"
	"fmt"
	"math"
)

// SessionOptions sets the session-based model.
type SessionOptions struct {
	// LastEvents is the number of most recent session events used.
	LastEvents int
	// Decay is the weight ratio between an event and the one after it:
	// the newest event weighs 1, the one before it Decay, and so on.
	Decay float64
}

// DefaultSessionOptions returns the last 10 events with decay 0.7.
func DefaultSessionOptions() SessionOptions {
	return SessionOptions{LastEvents: 10, Decay: 0.7}
}

// WithLastEvents sets the number of recent events used.
func (o SessionOptions) WithLastEvents(n int) SessionOptions { o.LastEvents = n; return o }

// WithDecay sets the per-step recency decay in (0, 1].
func (o SessionOptions) WithDecay(d float64) SessionOptions { o.Decay = d; return o }

// Session recommends items related to the last events of the current
// session: the item-item neighbours of the recent items, each weighted by
// its recency and event weight. It needs no user id, so it serves anonymous
// visitors.
type Session struct {
	knn     *ItemKNN
	opts    SessionOptions
	weights WeightOptions
}

// NewSession builds a session model over item-item neighbours, usually
// co-view neighbours. Event weights come from weights.
func NewSession(knn *ItemKNN, weights WeightOptions, opts SessionOptions) (*Session, error) {
	if knn == nil {
		return nil, fmt.Errorf("new session model: item-kNN model is nil")
	}
	if opts.LastEvents < 1 || !(opts.Decay > 0 && opts.Decay <= 1) {
		return nil, fmt.Errorf("new session model: invalid options (last events %d, decay %v): last events must be >= 1 and decay in (0, 1]", opts.LastEvents, opts.Decay)
	}
	if err := weights.validate(); err != nil {
		return nil, fmt.Errorf("new session model: %w", err)
	}
	return &Session{knn: knn, opts: opts, weights: weights}, nil
}

// Name returns "session".
func (m *Session) Name() string { return "session" }

// Candidates spreads the last session events over their neighbours. Session
// items themselves are not excluded unless q.Exclude lists them.
func (m *Session) Candidates(ctx context.Context, q *Query, n int) ([]Candidate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	events := q.Session
	if len(events) > m.opts.LastEvents {
		events = events[len(events)-m.opts.LastEvents:]
	}
	seeds := make([]seed, 0, len(events))
	for k, ev := range events {
		i, ok := m.knn.Items.Lookup(ev.Item)
		if !ok {
			continue
		}
		age := len(events) - 1 - k
		w := math.Pow(m.opts.Decay, float64(age)) * m.weights.eventWeight(max(ev.Event, EventView))
		seeds = append(seeds, seed{item: i, weight: w, kind: ReasonSession, label: ev.Item})
	}
	out := m.knn.spread(seeds, excludedIndexes(q, m.knn.Items), n)
	for k := range out {
		for r := range out[k].Reasons {
			out[k].Reasons[r].Model = m.Name()
		}
	}
	return out, nil
}
