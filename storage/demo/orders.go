package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// world is the static state of one run: the people, the catalog and the
// demand plan. Orders of a day are a pure function of the world and the day,
// so the review and event passes rebuild them instead of holding them.
type world struct {
	cfg      Config
	sellers  []sellerProfile
	users    []userProfile
	products []productProfile
	plan     *plan
	// buyers[c] draws users of countries[c] who signed up before a time,
	// weighted by purchase propensity.
	buyers []*availableSampler
	// visitors[c] draws users of countries[c] who signed up before a time
	// for browsing sessions, including users who never buy.
	visitors []*availableSampler
	// catalog draws products created before a time, weighted by popularity:
	// index 0 for English listings, 1 for Chinese listings.
	catalog [2]*availableSampler
}

func newWorld(cfg Config, sellers []sellerProfile, users []userProfile, products []productProfile) *world {
	w := &world{cfg: cfg, sellers: sellers, users: users, products: products}
	w.buyers = make([]*availableSampler, len(countries))
	w.visitors = make([]*availableSampler, len(countries))
	for ci := range countries {
		w.buyers[ci] = &availableSampler{}
		w.visitors[ci] = &availableSampler{}
	}
	for i, u := range users {
		ci := countryIndex(u.Country)
		w.buyers[ci].add(i, u.SignupAt, u.Propensity)
		w.visitors[ci].add(i, u.SignupAt, 1+u.Propensity)
	}
	w.catalog = [2]*availableSampler{{}, {}}
	for i, p := range products {
		w.catalog[languageIndex(p.Language)].add(i, p.CreatedAt, p.Popularity)
	}
	w.plan = newPlan(cfg, products)
	return w
}

func countryIndex(code string) int {
	return slices.IndexFunc(countries, func(c country) bool { return c.Code == code })
}

func languageIndex(lang string) int {
	if lang == "zh" {
		return 1
	}
	return 0
}

// ordersForDay returns the orders placed on day d, sorted by purchase time,
// with IDs numbered from firstSeq.
func (w *world) ordersForDay(d, firstSeq int) []storage.Order {
	r := newRand(w.cfg.Seed, streamOrders, uint64(d))
	var orders []storage.Order
	for ci := range countries {
		n := poisson(r, w.plan.rate[ci]*w.plan.demand[ci][d])
		for range n {
			if o, ok := w.makeOrder(r, ci, d, -1); ok {
				orders = append(orders, o)
			}
		}
	}
	if d == w.plan.spikeDay {
		for range w.plan.spike.ExtraOrders {
			ci := countryIndex(pickCountry(r))
			if o, ok := w.makeOrder(r, ci, d, w.plan.spikeProduct); ok {
				orders = append(orders, o)
			}
		}
	}
	slices.SortStableFunc(orders, func(a, b storage.Order) int { return a.PurchasedAt.Compare(b.PurchasedAt) })
	for i := range orders {
		orders[i].ID = fmt.Sprintf("o%07d", firstSeq+i+1)
	}
	return orders
}

// purchaseTime returns a time on UTC day d whose local hour in the user's
// city follows hourFactor. A time that falls on a neighbouring UTC day is
// moved by a whole day, which keeps the local hour and the UTC day.
func (w *world) purchaseTime(r *rand.Rand, d int, u *userProfile) time.Time {
	local := int64(pickWeighted(r, hourFactor[:])*3600 + r.IntN(3600))
	at := local - int64(cities[u.City].UTCOffset)*3600
	at = ((at % secondsPerDay) + secondsPerDay) % secondsPerDay
	return w.plan.dayStart(d).Add(time.Duration(at) * time.Second)
}

// makeOrder builds one order of a user of countries[ci] on day d. A forced
// product (not -1) becomes the only item, which builds the demand spike.
// It returns false when no user or product is available yet.
func (w *world) makeOrder(r *rand.Rand, ci, d, forced int) (storage.Order, bool) {
	dayStart := w.plan.dayStart(d)
	ui, ok := w.buyers[ci].sample(r, dayStart.Unix())
	if !ok {
		return storage.Order{}, false
	}
	u := &w.users[ui]
	purchased := w.purchaseTime(r, d, u)

	productIDs := []int{forced}
	if forced < 0 {
		productIDs = w.pickItems(r, u, d)
		if len(productIDs) == 0 {
			return storage.Order{}, false
		}
	}

	o := storage.Order{
		UserID:      userID(ui),
		PurchasedAt: purchased,
		ShipTo:      u.Region,
		Location:    &storage.GeoPoint{Lat: u.Location.Lat, Lon: u.Location.Lon},
	}
	discount := w.plan.discount[ci][d]
	var maxKm float64
	crossBorder := false
	for _, pi := range productIDs {
		p := &w.products[pi]
		s := &w.sellers[p.Seller]
		km := distanceKm(&s.Location, &u.Location)
		maxKm = math.Max(maxKm, km)
		crossBorder = crossBorder || s.Country != u.Country
		qty := int32(1)
		if v := r.Float64(); v > 0.96 {
			qty = 3
		} else if v > 0.85 {
			qty = 2
		}
		// Sellers move prices by up to 3% around the list price.
		unit := p.Price * int64(9700+r.IntN(601)) / 10000
		unit = unit * int64(100-discount) / 100
		o.Items = append(o.Items, storage.OrderItem{
			ProductID: productID(pi),
			SellerID:  sellerID(p.Seller),
			Quantity:  qty,
			UnitPrice: storage.Money(unit),
			Freight:   freight(km, s.Country != u.Country, u.Country, unit, qty),
		})
	}

	amount := o.Total()
	for _, it := range o.Items {
		amount += it.Freight
	}
	o.Payments = payments(r, u.Country, int64(amount))
	w.deliver(r, &o, u, maxKm, crossBorder, discount > 0)
	return o, true
}

// pickItems returns 1 to 4 distinct in-stock products for user u on day d.
// Users mostly buy listings in their own language. After the first item an
// order often adds the companion of the previous one.
func (w *world) pickItems(r *rand.Rand, u *userProfile, d int) []int {
	n := 1
	switch v := r.Float64(); {
	case v > 0.96:
		n = 4
	case v > 0.88:
		n = 3
	case v > 0.70:
		n = 2
	}
	before := w.plan.dayStart(d).Unix()
	var items []int
	for len(items) < n {
		candidate := -1
		if k := len(items); k > 0 && r.Float64() < 0.5 {
			candidate = w.products[items[k-1]].Companion
		}
		if candidate < 0 || w.products[candidate].CreatedAt >= before {
			var ok bool
			if candidate, ok = w.catalog[w.preferredLanguage(r, u)].sample(r, before); !ok {
				return items
			}
		}
		if !w.plan.inStock(candidate, d) || slices.Contains(items, candidate) {
			if r.Float64() < 0.3 {
				return items // give up on this item, as a shopper would
			}
			continue
		}
		items = append(items, candidate)
	}
	return items
}

// preferredLanguage returns the catalog index a user shops in: Chinese users
// buy Chinese listings 80% of the time, others English listings 90%.
func (w *world) preferredLanguage(r *rand.Rand, u *userProfile) int {
	if u.Country == "CN" {
		if r.Float64() < 0.8 {
			return 1
		}
		return 0
	}
	if r.Float64() < 0.9 {
		return 0
	}
	return 1
}

// freight returns the shipping fee of one order item: a base fee plus a
// distance charge, a cross-border surcharge, and half the fee again for each
// extra unit. US domestic items of 35 USD or more ship free.
func freight(km float64, crossBorder bool, country string, unit int64, qty int32) storage.Money {
	if !crossBorder && country == "US" && unit >= 3500 {
		return 0
	}
	fee := 250 + int64(math.Min(900, km*0.1))
	if crossBorder {
		fee += 500
	}
	fee += fee * int64(qty-1) / 2
	return storage.Money(fee)
}

// payments splits amount into payments typical for country: credit cards
// (with installments in Brazil), boleto, debit cards, Alipay and WeChat Pay in
// China, and vouchers that cover part of an order. The values sum to amount.
func payments(r *rand.Rand, country string, amount int64) []storage.Payment {
	var out []storage.Payment
	rest := amount
	if r.Float64() < 0.06 && amount > 500 {
		voucher := min(amount-100, 500+r.Int64N(2500))
		out = append(out, storage.Payment{Type: "voucher", Installments: 1, Value: storage.Money(voucher)})
		rest -= voucher
	}
	var kind string
	v := r.Float64()
	switch country {
	case "BR":
		kind = pickByThreshold(v, []float64{0.74, 0.93, 0.98}, []string{"credit_card", "boleto", "debit_card", "voucher"})
	case "CN":
		kind = pickByThreshold(v, []float64{0.52, 0.90, 0.97}, []string{"alipay", "wechat_pay", "credit_card", "debit_card"})
	default:
		kind = pickByThreshold(v, []float64{0.74, 0.98}, []string{"credit_card", "debit_card", "voucher"})
	}
	installments := int32(1)
	if kind == "credit_card" && country == "BR" && r.Float64() < 0.55 {
		// Brazilian cards split purchases into monthly parts of at least 20 USD.
		if most := min(10, rest/2000); most > 1 {
			installments = int32(2 + r.Int64N(most-1))
		}
	}
	return append(out, storage.Payment{Type: kind, Installments: installments, Value: storage.Money(rest)})
}

func pickByThreshold(v float64, thresholds []float64, kinds []string) string {
	for i, t := range thresholds {
		if v < t {
			return kinds[i]
		}
	}
	return kinds[len(kinds)-1]
}

// baseTransitDays is the domestic delivery time before distance, by country.
var baseTransitDays = map[string]float64{"BR": 4, "CN": 1.5, "US": 2.5}

// deliver sets the approval, estimated and actual delivery times and the
// status of o. Transit time grows with distance, cross-border parcels take
// two to three weeks, promotions slow logistics down, and about 7% of
// delivered orders arrive after the estimate (measured at the default seed). Orders not delivered by the end of the
// range keep an in-progress status, and about 1.2% are canceled.
func (w *world) deliver(r *rand.Rand, o *storage.Order, u *userProfile, km float64, crossBorder, promo bool) {
	end := w.cfg.End
	approval := time.Duration(120+r.IntN(3600)) * time.Second
	if o.Payments[len(o.Payments)-1].Type == "boleto" {
		approval = time.Duration(24+r.IntN(48)) * time.Hour // bank clearing
	}
	approved := o.PurchasedAt.Add(approval)

	transit := baseTransitDays[u.Country] + km/600
	if crossBorder {
		transit = 12 + km/2000
	}
	estimateDays := int(math.Ceil(transit*1.5 + 2))
	purchaseDay := o.PurchasedAt.Truncate(24 * time.Hour)
	o.EstimatedDeliveryAt = purchaseDay.AddDate(0, 0, estimateDays)

	// Transit varies log-normally, capped at 2.2 times the typical time.
	actual := transit * math.Min(2.2, math.Exp(0.35*r.NormFloat64()))
	if promo {
		actual *= 1.2
	}
	delivered := approved.Add(time.Duration(actual * 24 * float64(time.Hour))).Truncate(time.Second)

	canceled := r.Float64() < 0.012
	switch {
	case canceled:
		o.Status = storage.OrderCanceled
		if approved.Before(end) && r.Float64() < 0.5 {
			o.ApprovedAt = approved
		}
	case delivered.Before(end):
		o.Status = storage.OrderDelivered
		o.ApprovedAt = approved
		o.DeliveredAt = delivered
	case !approved.Before(end):
		o.Status = storage.OrderCreated
	case approved.Add(24 * time.Hour).After(end):
		o.Status = storage.OrderApproved
		o.ApprovedAt = approved
	case approved.Add(48 * time.Hour).After(end):
		o.Status = storage.OrderInvoiced
		o.ApprovedAt = approved
	default:
		o.Status = storage.OrderShipped
		o.ApprovedAt = approved
	}
}
