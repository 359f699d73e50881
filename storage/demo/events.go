package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Event simulation. Events are a separate simulation driven by the same
// demand calendar as orders, so they share its seasonality. A tracked share
// of each day's orders gets a session that ends in purchase events matching
// the order exactly (same user, products and purchase time). Every other
// session is browsing that ends without a purchase. Untracked orders stand
// for purchases made through channels without click tracking.
const (
	// trackedOrderShare is the share of orders with a purchase session.
	trackedOrderShare = 0.15
	// browseSessionsPerOrder is the number of browsing sessions per expected
	// order of the day.
	browseSessionsPerOrder = 1.0
	// searchShare is the share of sessions that start with a search.
	searchShare = 0.4
	// cartAbandonShare is the share of browsing sessions that add a product
	// to the cart and leave.
	cartAbandonShare = 0.25
	// minEventGap and maxEventGap bound the time between events of a session.
	minEventGap = 15 * time.Second
	maxEventGap = 195 * time.Second
)

var (
	queryModifiersEN = []string{"", "", "", "best ", "cheap "}
	queryModifiersZH = []string{"", "", "", " 包邮", " 新款", " 正品"}
)

// eventSeq numbers sessions and events across days.
type eventSeq struct {
	sessions, events int
}

// eventsForDay returns the events of day d sorted by time, with IDs numbered
// from seq, which it advances.
func (w *world) eventsForDay(d int, orders []storage.Order, seq *eventSeq) []storage.Event {
	r := newRand(w.cfg.Seed, streamEvents, uint64(d))
	var out []storage.Event
	for i := range orders {
		if r.Float64() < trackedOrderShare {
			out = w.purchaseSession(r, d, &orders[i], seq, out)
		}
	}
	var expectedOrders float64
	for ci := range countries {
		expectedOrders += w.plan.rate[ci] * w.plan.demand[ci][d]
	}
	for range poisson(r, browseSessionsPerOrder*expectedOrders) {
		out = w.browseSession(r, d, seq, out)
	}

	slices.SortStableFunc(out, func(a, b storage.Event) int { return a.At.Compare(b.At) })
	for i := range out {
		seq.events++
		out[i].ID = fmt.Sprintf("e%09d", seq.events)
	}
	return out
}

// sessionBuilder appends the events of one session at increasing times that
// stay within the session's UTC day.
type sessionBuilder struct {
	r        *rand.Rand
	user     string
	session  string
	region   storage.Region
	at       time.Time
	dayStart time.Time
	out      []storage.Event
}

func (b *sessionBuilder) add(t storage.EventType, product, query string) {
	dayEnd := b.dayStart.Add(24*time.Hour - time.Second)
	at := b.at
	if at.Before(b.dayStart) {
		at = b.dayStart
	}
	if at.After(dayEnd) {
		at = dayEnd
	}
	b.out = append(b.out, storage.Event{UserID: b.user, SessionID: b.session, ProductID: product,
		Type: t, Query: query, At: at, Region: b.region})
	b.at = b.at.Add(minEventGap + time.Duration(b.r.Int64N(int64(maxEventGap-minEventGap))))
}

func (w *world) newSession(r *rand.Rand, d, user int, start time.Time, seq *eventSeq, out []storage.Event) *sessionBuilder {
	seq.sessions++
	return &sessionBuilder{r: r, user: userID(user), session: fmt.Sprintf("sess%08d", seq.sessions),
		region: w.users[user].Region, at: start, dayStart: w.plan.dayStart(d), out: out}
}

// purchaseSession appends a session that views, carts and buys the items of
// o. Its last events carry the order's purchase time.
func (w *world) purchaseSession(r *rand.Rand, d int, o *storage.Order, seq *eventSeq, out []storage.Event) []storage.Event {
	ui := userIndex(o.UserID)
	u := &w.users[ui]
	first := productIndex(o.Items[0].ProductID)
	// At most 2 events per item plus a search and an extra view precede the
	// purchase, each followed by a gap of at most maxEventGap.
	steps := 2*len(o.Items) + 2
	start := o.PurchasedAt.Add(-time.Duration(steps) * maxEventGap)
	b := w.newSession(r, d, ui, start, seq, out)
	if r.Float64() < searchShare {
		b.add(storage.EventSearch, "", w.query(r, u, first))
	}
	if r.Float64() < 0.5 {
		if other, ok := w.catalog[w.preferredLanguage(r, u)].sample(r, b.dayStart.Unix()); ok {
			b.add(storage.EventView, productID(other), "")
		}
	}
	for _, it := range o.Items {
		b.add(storage.EventView, it.ProductID, "")
		b.add(storage.EventCart, it.ProductID, "")
	}
	b.at = o.PurchasedAt
	for _, it := range o.Items {
		b.out = append(b.out, storage.Event{UserID: o.UserID, SessionID: b.session, ProductID: it.ProductID,
			Type: storage.EventPurchase, At: o.PurchasedAt, Region: u.Region})
	}
	return b.out
}

// browseSession appends a session of a user who views one to four products,
// possibly after a search, and sometimes adds one to the cart without buying.
// Most sessions only view.
func (w *world) browseSession(r *rand.Rand, d int, seq *eventSeq, out []storage.Event) []storage.Event {
	before := w.plan.dayStart(d).Unix()
	ui, ok := w.visitors[countryIndex(pickCountry(r))].sample(r, before)
	if !ok {
		return out
	}
	u := &w.users[ui]

	views := 1 + pickWeighted(r, []float64{0.45, 0.3, 0.15, 0.1})
	var products []int
	for range views {
		if p, ok := w.catalog[w.preferredLanguage(r, u)].sample(r, before); ok {
			products = append(products, p)
		}
	}
	if len(products) == 0 {
		return out
	}

	b := w.newSession(r, d, ui, w.purchaseTime(r, d, u), seq, out)
	if r.Float64() < searchShare {
		b.add(storage.EventSearch, "", w.query(r, u, products[0]))
		if r.Float64() < 0.1 {
			return b.out // a search without a click
		}
	}
	for _, p := range products {
		b.add(storage.EventView, productID(p), "")
	}
	if r.Float64() < cartAbandonShare {
		if p := pick(r, products); w.plan.inStock(p, d) {
			b.add(storage.EventCart, productID(p), "")
		}
	}
	return b.out
}

// query returns search text for the category of product, in Chinese for most
// Chinese users and in English otherwise.
func (w *world) query(r *rand.Rand, u *userProfile, product int) string {
	leaf := &leafCategories[w.products[product].Leaf]
	if u.Country == "CN" && r.Float64() < 0.85 {
		return pick(r, leaf.QueriesZH) + pick(r, queryModifiersZH)
	}
	return pick(r, queryModifiersEN) + pick(r, leaf.QueriesEN)
}
