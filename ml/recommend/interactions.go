// Package recommend trains and serves ShopSight's recommendation models on
// plain interaction data: implicit ALS, BPR, item-item neighbours,
// popularity and trending, frequently bought together, session-based and
// content-based neighbours, and a hybrid ranker that blends them and explains
// every recommendation with reasons.
//
// All models read a Dataset built from Interaction values. User and item
// string ids are mapped to dense int32 indexes, and each (user, item) pair
// gets one weight: the sum of its event weights (view < cart < purchase),
// each decayed exponentially by its age.
package recommend

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// EventType is the kind of a behaviour event, ordered by the purchase intent
// it signals: EventView < EventCart < EventPurchase.
type EventType uint8

// Event types. The zero value is invalid so that a missing event is caught.
const (
	EventView EventType = iota + 1
	EventCart
	EventPurchase
)

// String returns the canonical name of the event type.
func (e EventType) String() string {
	switch e {
	case EventView:
		return "view"
	case EventCart:
		return "cart"
	case EventPurchase:
		return "purchase"
	}
	return fmt.Sprintf("EventType(%d)", uint8(e))
}

// ParseEventType parses an event name, case-insensitively. Besides the
// canonical names, it accepts "pv" and "click" as view, "buy" and "order" as
// purchase, and "fav", "favorite" and "add_to_cart" as cart. A favourite
// counts as a cart event because it signals similar purchase intent.
func ParseEventType(s string) (EventType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "view", "pv", "click", "page_view":
		return EventView, nil
	case "cart", "add_to_cart", "fav", "favorite", "favourite":
		return EventCart, nil
	case "purchase", "buy", "order":
		return EventPurchase, nil
	}
	return 0, fmt.Errorf("parse event type %q: unknown event; use view, cart or purchase", s)
}

// Interaction is one behaviour event of a user on an item.
type Interaction struct {
	User  string
	Item  string
	Time  time.Time
	Event EventType
	// Region is optional, for example a state code such as "SP".
	Region string
	// Order is an optional order or basket id. Frequently-bought-together
	// groups purchases by it. Without it, a user's purchases on the same UTC
	// day form one basket.
	Order string
}

// WeightOptions sets how events become interaction weights.
type WeightOptions struct {
	// View, Cart and Purchase are the event weights.
	View, Cart, Purchase float64
	// HalfLife is the age at which an event's weight halves. Zero disables
	// time decay.
	HalfLife time.Duration
	// Reference is the time against which ages are measured. The zero value
	// means the latest interaction in the data.
	Reference time.Time
}

// DefaultWeightOptions returns weights 1/3/5 for view/cart/purchase and no
// time decay.
func DefaultWeightOptions() WeightOptions {
	return WeightOptions{View: 1, Cart: 3, Purchase: 5}
}

// WithEventWeights sets the view, cart and purchase weights.
func (o WeightOptions) WithEventWeights(view, cart, purchase float64) WeightOptions {
	o.View, o.Cart, o.Purchase = view, cart, purchase
	return o
}

// WithHalfLife sets the decay half-life. Zero disables decay.
func (o WeightOptions) WithHalfLife(d time.Duration) WeightOptions {
	o.HalfLife = d
	return o
}

// WithReference sets the time against which event ages are measured.
func (o WeightOptions) WithReference(t time.Time) WeightOptions {
	o.Reference = t
	return o
}

func (o WeightOptions) validate() error {
	for _, w := range []struct {
		name  string
		value float64
	}{{"view", o.View}, {"cart", o.Cart}, {"purchase", o.Purchase}} {
		if w.value <= 0 || math.IsNaN(w.value) || math.IsInf(w.value, 0) {
			return fmt.Errorf("invalid %s weight %v: event weights must be positive and finite", w.name, w.value)
		}
	}
	if o.HalfLife < 0 {
		return fmt.Errorf("invalid half-life %v: use zero to disable decay or a positive duration", o.HalfLife)
	}
	return nil
}

// eventWeight returns the base weight of an event type.
func (o WeightOptions) eventWeight(e EventType) float64 {
	switch e {
	case EventCart:
		return o.Cart
	case EventPurchase:
		return o.Purchase
	}
	return o.View
}

// decay returns the time-decay factor of an event at unix time t, measured
// against ref. Events after ref are not boosted.
func (o WeightOptions) decay(t, ref int64) float64 {
	if o.HalfLife <= 0 || t >= ref {
		return 1
	}
	age := float64(ref-t) / o.HalfLife.Seconds()
	return math.Exp2(-age)
}

// Event is an Interaction with its ids replaced by dense indexes.
type Event struct {
	User, Item int32
	// Region is an index into Dataset.Regions, where 0 is the empty region.
	Region int32
	Time   int64 // unix seconds
	Type   EventType
	// Order is an index into Dataset.Orders, or -1 without an order id.
	Order int32
}

// Dataset is the indexed form of an interaction log that every model trains
// on.
type Dataset struct {
	Users, Items, Regions, Orders *Index
	// Events are sorted by time.
	Events []Event
	// Matrix is the user × item weight matrix over all events.
	Matrix *Matrix
	// Reference is the time against which decay was computed.
	Reference time.Time
	Weights   WeightOptions
}

// NewDataset indexes interactions and builds the weighted user × item matrix.
// It returns an error naming the first invalid interaction.
func NewDataset(interactions []Interaction, opts WeightOptions) (*Dataset, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("new dataset: %w", err)
	}
	ds := &Dataset{
		Users:   NewIndex(),
		Items:   NewIndex(),
		Regions: NewIndex(),
		Orders:  NewIndex(),
		Events:  make([]Event, 0, len(interactions)),
		Weights: opts,
	}
	ds.Regions.Add("") // index 0: no region
	var latest int64 = math.MinInt64
	for i, in := range interactions {
		if in.User == "" || in.Item == "" {
			return nil, fmt.Errorf("new dataset: interaction %d has an empty user or item id (user %q, item %q)", i, in.User, in.Item)
		}
		if in.Event < EventView || in.Event > EventPurchase {
			return nil, fmt.Errorf("new dataset: interaction %d (user %q, item %q) has invalid event type %d", i, in.User, in.Item, in.Event)
		}
		ev := Event{
			User:   ds.Users.Add(in.User),
			Item:   ds.Items.Add(in.Item),
			Region: ds.Regions.Add(in.Region),
			Time:   in.Time.Unix(),
			Type:   in.Event,
			Order:  -1,
		}
		if in.Order != "" {
			ev.Order = ds.Orders.Add(in.Order)
		}
		latest = max(latest, ev.Time)
		ds.Events = append(ds.Events, ev)
	}
	slices.SortStableFunc(ds.Events, func(a, b Event) int { return compareInt64(a.Time, b.Time) })
	ds.Reference = opts.Reference
	if ds.Reference.IsZero() && len(ds.Events) > 0 {
		ds.Reference = time.Unix(latest, 0).UTC()
	}
	ds.Matrix = ds.MatrixFor(EventView)
	return ds, nil
}

// MatrixFor builds the user × item weight matrix from the events whose type
// is at least minEvent, for example EventPurchase for a co-purchase model.
func (ds *Dataset) MatrixFor(minEvent EventType) *Matrix {
	ref := ds.Reference.Unix()
	entries := make([]entry, 0, len(ds.Events))
	for _, ev := range ds.Events {
		if ev.Type < minEvent {
			continue
		}
		w := ds.Weights.eventWeight(ev.Type) * ds.Weights.decay(ev.Time, ref)
		entries = append(entries, entry{row: ev.User, col: ev.Item, value: float32(w), event: ev.Type, time: ev.Time})
	}
	return newMatrix(ds.Users.Len(), ds.Items.Len(), entries)
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
