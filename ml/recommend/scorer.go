package recommend

import (
	"context"
	"time"
)

// ReasonKind names the signal behind a recommendation.
type ReasonKind string

// Reason kinds. A caller can render each one, for example "bought together
// with X" for ReasonBoughtTogether.
const (
	ReasonCollaborative      ReasonKind = "collaborative"        // users with similar histories chose it (ALS, BPR)
	ReasonSimilarToViewed    ReasonKind = "similar_to_viewed"    // co-occurs with an item the user viewed
	ReasonSimilarToCarted    ReasonKind = "similar_to_carted"    // co-occurs with an item the user added to the cart
	ReasonSimilarToPurchased ReasonKind = "similar_to_purchased" // co-occurs with an item the user bought
	ReasonBoughtTogether     ReasonKind = "bought_together"      // often in the same basket as Item
	ReasonSession            ReasonKind = "session"              // related to Item, seen recently in the session
	ReasonSimilarContent     ReasonKind = "similar_content"      // its description is close to Item's
	ReasonTrending           ReasonKind = "trending"             // its recent rate in Region over Window is above its baseline
	ReasonPopular            ReasonKind = "popular"              // among the most interacted items in Region
)

// Reason explains one model's contribution to a recommendation.
type Reason struct {
	Kind  ReasonKind `json:"kind"`
	Model string     `json:"model"`
	// Item is the history, session or basket item behind the reason, when
	// there is one.
	Item   string `json:"item,omitempty"`
	Region string `json:"region,omitempty"`
	Window string `json:"window,omitempty"`
	// Score is the model's raw score behind this reason.
	Score float64 `json:"score"`
}

// Candidate is an item proposed by one model, with the model's raw score.
type Candidate struct {
	Item    string
	Score   float64
	Reasons []Reason
}

// HistoryItem is one item of a user's history, with its decayed weight and
// strongest event.
type HistoryItem struct {
	Item   string
	Weight float64
	Event  EventType
}

// SessionEvent is one event of the current session, oldest first.
type SessionEvent struct {
	Item  string
	Event EventType
	Time  time.Time
}

// Query is the part of a recommendation request that models read.
type Query struct {
	// User is empty or unknown for an anonymous or new user.
	User    string
	Region  string
	History []HistoryItem
	Session []SessionEvent
	// Exclude lists items no model may return.
	Exclude map[string]struct{}
}

// Scorer is a model that proposes scored candidates for a query. A model
// returns no candidates, and no error, when it has nothing for the query,
// for example a factor model for an unknown user.
type Scorer interface {
	// Name identifies the model in reasons and evaluation tables.
	Name() string
	// Candidates returns up to n candidates, best first, none of them in
	// q.Exclude.
	Candidates(ctx context.Context, q *Query, n int) ([]Candidate, error)
}

// excludedIndexes maps q.Exclude to the indexes of items present in idx.
func excludedIndexes(q *Query, idx *Index) map[int32]struct{} {
	out := make(map[int32]struct{}, len(q.Exclude))
	for id := range q.Exclude {
		if i, ok := idx.Lookup(id); ok {
			out[i] = struct{}{}
		}
	}
	return out
}
