package demo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

const secondsPerDay = 24 * 60 * 60

// Promotion is a discount period. During it every product is sold at
// DiscountPercent off to users in Countries, and their order rate is
// multiplied by DemandFactor (by PeakFactor instead on PeakDay).
type Promotion struct {
	Name            string
	Countries       []string // ISO country codes, or empty for every market
	From, To        time.Time
	DiscountPercent int
	DemandFactor    float64
	PeakDay         time.Time // zero when the promotion has no peak day
	PeakFactor      float64
}

// AnomalyKind names an injected anomaly.
type AnomalyKind string

// Injected anomaly kinds.
const (
	// AnomalyDemandSpike is a day with many extra single-product orders.
	AnomalyDemandSpike AnomalyKind = "demand_spike"
	// AnomalyStockOut is a period in which a popular product gets no orders.
	AnomalyStockOut AnomalyKind = "stock_out"
)

// Anomaly is a deliberate irregularity in the order history, for testing
// anomaly detection and forecasting.
type Anomaly struct {
	Kind      AnomalyKind
	ProductID string
	// From is the first affected UTC day and To the day after the last one.
	From, To time.Time
	// ExtraOrders is the number of orders a demand spike adds. It is zero for
	// a stock-out.
	ExtraOrders int
}

// weekdayFactor gives weekends the highest demand, indexed by time.Weekday.
var weekdayFactor = [7]float64{1.30, 0.95, 0.90, 0.90, 0.95, 1.05, 1.25}

// monthFactor is the yearly seasonality, indexed by month - 1.
var monthFactor = [12]float64{0.85, 0.85, 0.95, 0.95, 1.00, 1.00, 0.95, 0.95, 0.95, 1.00, 1.20, 1.35}

// hourFactor is the share of purchases by local hour.
var hourFactor = [24]float64{0.4, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.3, 1.5, 1.6,
	1.6, 1.5, 1.4, 1.4, 1.4, 1.4, 1.5, 1.7, 1.9, 1.9, 1.4, 0.9}

// yearlyGrowth is the growth of demand per year of the range (30%).
const yearlyGrowth = 0.3

// plan is the demand calendar and the injected anomalies of one run.
type plan struct {
	start      time.Time
	days       int
	promotions []Promotion
	// demand[c][d] is the relative order rate of countries[c] on day d.
	demand [][]float64
	// discount[c][d] is the promotion discount in percent.
	discount [][]int
	// rate[c] converts demand to expected orders per day.
	rate []float64

	spike, stockOut Anomaly
	spikeProduct    int
	spikeDay        int
	stockOutProduct int
	stockOutFrom    int // first day index
	stockOutTo      int // day index after the last one
}

// newPlan builds the calendar and places the anomalies. Anomalies use
// products that exist before the range starts, so the affected product has a
// history to compare against.
func newPlan(cfg Config, products []productProfile) *plan {
	p := &plan{start: cfg.Start, days: cfg.days(), promotions: promotionsIn(cfg.Start, cfg.End)}
	p.demand = make([][]float64, len(countries))
	p.discount = make([][]int, len(countries))
	p.rate = make([]float64, len(countries))
	targetOrders := float64(cfg.scaled(defaultOrders, minScaledOrders))
	for ci, c := range countries {
		p.demand[ci] = make([]float64, p.days)
		p.discount[ci] = make([]int, p.days)
		var sum float64
		for d := range p.days {
			p.demand[ci][d], p.discount[ci][d] = p.dayDemand(c.Code, d)
			sum += p.demand[ci][d]
		}
		p.rate[ci] = c.Share * targetOrders / sum
	}
	p.placeAnomalies(newRand(cfg.Seed, streamPlan, 0), cfg, products)
	return p
}

func (p *plan) dayStart(d int) time.Time { return p.start.AddDate(0, 0, d) }

// dayDemand returns the relative demand and the discount for country on day d.
func (p *plan) dayDemand(country string, d int) (float64, int) {
	day := p.dayStart(d)
	years := float64(d) / 365.25
	demand := math.Exp(math.Log1p(yearlyGrowth) * years)
	demand *= weekdayFactor[day.Weekday()] * monthFactor[day.Month()-1]
	if country != "CN" && day.Month() == time.December {
		switch dom := day.Day(); {
		case dom >= 10 && dom <= 23:
			demand *= 1.25 // Christmas shopping
		case dom == 24 || dom == 25:
			demand *= 0.6
		}
	}
	discount := 0
	for _, promo := range p.promotions {
		if day.Before(promo.From) || !day.Before(promo.To) {
			continue
		}
		if len(promo.Countries) > 0 && !slices.Contains(promo.Countries, country) {
			continue
		}
		if day.Equal(promo.PeakDay) {
			demand *= promo.PeakFactor
		} else {
			demand *= promo.DemandFactor
		}
		discount = max(discount, promo.DiscountPercent)
	}
	return demand, discount
}

// promotionsIn returns the yearly promotions that overlap [start, end),
// clipped to it: Brazil's consumer week around 15 March, China's 618 festival
// and Singles' Day (11 November), a summer sale and Black Friday week through
// Cyber Monday.
func promotionsIn(start, end time.Time) []Promotion {
	var out []Promotion
	for y := start.Year(); y <= end.Year(); y++ {
		date := func(m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
		blackFriday := thanksgiving(y).AddDate(0, 0, 1)
		yearly := []Promotion{
			{Name: "Consumer Week", Countries: []string{"BR"}, From: date(time.March, 11), To: date(time.March, 18),
				DiscountPercent: 10, DemandFactor: 1.4},
			{Name: "618 Festival", Countries: []string{"CN"}, From: date(time.June, 12), To: date(time.June, 19),
				DiscountPercent: 15, DemandFactor: 1.6, PeakDay: date(time.June, 18), PeakFactor: 2.5},
			{Name: "Summer Sale", From: date(time.July, 8), To: date(time.July, 15),
				DiscountPercent: 12, DemandFactor: 1.4},
			{Name: "Singles' Day", Countries: []string{"CN"}, From: date(time.November, 5), To: date(time.November, 12),
				DiscountPercent: 20, DemandFactor: 1.6, PeakDay: date(time.November, 11), PeakFactor: 4},
			{Name: "Black Friday", Countries: []string{"BR", "US"}, From: blackFriday.AddDate(0, 0, -4), To: blackFriday.AddDate(0, 0, 4),
				DiscountPercent: 25, DemandFactor: 1.7, PeakDay: blackFriday, PeakFactor: 3},
		}
		for _, promo := range yearly {
			if !promo.To.After(start) || !promo.From.Before(end) {
				continue
			}
			if promo.From.Before(start) {
				promo.From = start
			}
			if promo.To.After(end) {
				promo.To = end
			}
			if !promo.PeakDay.IsZero() && (promo.PeakDay.Before(start) || !promo.PeakDay.Before(end)) {
				promo.PeakDay, promo.PeakFactor = time.Time{}, 0
			}
			out = append(out, promo)
		}
	}
	return out
}

// thanksgiving returns the fourth Thursday of November of year y.
func thanksgiving(y int) time.Time {
	first := time.Date(y, time.November, 1, 0, 0, 0, 0, time.UTC)
	offset := (int(time.Thursday) - int(first.Weekday()) + 7) % 7
	return first.AddDate(0, 0, offset+21)
}

// inPromotion reports whether day d falls in any promotion of any market.
func (p *plan) inPromotion(d int) bool {
	day := p.dayStart(d)
	for _, promo := range p.promotions {
		if !day.Before(promo.From) && day.Before(promo.To) {
			return true
		}
	}
	return false
}

// placeAnomalies ranks the products that exist before the range by
// popularity. It picks one of the top 5 for a 14-21 day stock-out and one of
// rank 20-59 for a one-day demand spike on an ordinary day (no promotion, not
// November or December) in the middle of the range.
func (p *plan) placeAnomalies(r *rand.Rand, cfg Config, products []productProfile) {
	var established []int
	for i, prod := range products {
		if prod.CreatedAt < cfg.Start.Unix() {
			established = append(established, i)
		}
	}
	slices.SortStableFunc(established, func(a, b int) int {
		return cmp.Compare(products[b].Popularity, products[a].Popularity)
	})
	p.stockOutProduct = established[r.IntN(min(5, len(established)))]
	spikeRank := min(20+r.IntN(40), len(established)-1)
	p.spikeProduct = established[spikeRank]
	if p.spikeProduct == p.stockOutProduct {
		p.spikeProduct = established[(spikeRank+1)%len(established)]
	}

	length := min(14+r.IntN(8), p.days/2)
	p.stockOutFrom = int(float64(p.days)*0.15) + r.IntN(max(1, int(float64(p.days)*0.6)-length))
	p.stockOutTo = p.stockOutFrom + length

	p.spikeDay = p.days / 2
	for range 200 {
		d := int(float64(p.days)*0.3) + r.IntN(max(1, int(float64(p.days)*0.3)))
		m := p.dayStart(d).Month()
		if !p.inPromotion(d) && m != time.November && m != time.December {
			p.spikeDay = d
			break
		}
	}
	extra := max(10, int(math.Round(40*cfg.Scale)))
	p.spike = Anomaly{Kind: AnomalyDemandSpike, ProductID: productID(p.spikeProduct),
		From: p.dayStart(p.spikeDay), To: p.dayStart(p.spikeDay + 1), ExtraOrders: extra}
	p.stockOut = Anomaly{Kind: AnomalyStockOut, ProductID: productID(p.stockOutProduct),
		From: p.dayStart(p.stockOutFrom), To: p.dayStart(p.stockOutTo)}
}

// inStock reports whether product can be ordered on day d.
func (p *plan) inStock(product, d int) bool {
	return product != p.stockOutProduct || d < p.stockOutFrom || d >= p.stockOutTo
}
