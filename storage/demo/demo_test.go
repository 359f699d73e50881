package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/shopsight/shopsight/storage"
)

// defaultDataSet generates the default configuration once for all tests
// that inspect its content.
var defaultDataSet = sync.OnceValues(func() (*collectSink, Stats) {
	sink := &collectSink{}
	stats, err := Generate(context.Background(), DefaultConfig(), sink)
	if err != nil {
		panic("generate default demo data: " + err.Error())
	}
	return sink, stats
})

// digest hashes every record in write order.
func digest(t *testing.T, s *collectSink) string {
	t.Helper()
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, v := range []any{s.sellers, s.users, s.products, s.orders, s.reviews, s.events} {
		if err := enc.Encode(v); err != nil {
			t.Fatalf("encode records: %v", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func generateSmall(t *testing.T, seed uint64) (*collectSink, Stats) {
	t.Helper()
	sink := &collectSink{}
	stats, err := Generate(context.Background(), DefaultConfig().WithSeed(seed).WithScale(0.2).WithBatchSize(333), sink)
	if err != nil {
		t.Fatalf("Generate(seed %d): %v", seed, err)
	}
	return sink, stats
}

func TestGenerateSameSeedIdentical(t *testing.T) {
	a, statsA := generateSmall(t, 7)
	b, statsB := generateSmall(t, 7)
	if da, db := digest(t, a), digest(t, b); da != db {
		t.Errorf("digests differ for the same seed: %s vs %s", da, db)
	}
	if statsA.Orders != statsB.Orders || statsA.Events != statsB.Events {
		t.Errorf("stats differ for the same seed: %+v vs %+v", statsA, statsB)
	}
}

func TestGenerateDifferentSeedsDiffer(t *testing.T) {
	a, _ := generateSmall(t, 7)
	b, _ := generateSmall(t, 8)
	if digest(t, a) == digest(t, b) {
		t.Error("seeds 7 and 8 gave identical data")
	}
}

func TestGenerateCounts(t *testing.T) {
	s, stats := defaultDataSet()
	got := map[string]int{
		"sellers": len(s.sellers), "users": len(s.users), "products": len(s.products),
		"orders": len(s.orders), "reviews": len(s.reviews), "events": len(s.events),
	}
	want := map[string]int{
		"sellers": stats.Sellers, "users": stats.Users, "products": stats.Products,
		"orders": stats.Orders, "reviews": stats.Reviews, "events": stats.Events,
	}
	ranges := map[string][2]int{
		"sellers": {80, 80}, "users": {5000, 5000}, "products": {600, 600},
		"orders": {27000, 33000}, "reviews": {10000, 18000}, "events": {85000, 115000},
	}
	for _, kind := range []string{"sellers", "users", "products", "orders", "reviews", "events"} {
		if got[kind] != want[kind] {
			t.Errorf("%s: sink received %d, Stats reports %d", kind, got[kind], want[kind])
		}
		if r := ranges[kind]; got[kind] < r[0] || got[kind] > r[1] {
			t.Errorf("%s: %d records, want %d..%d", kind, got[kind], r[0], r[1])
		}
	}
}

func TestGenerateScaleMultiplies(t *testing.T) {
	_, small := generateSmall(t, 7)
	_, def := defaultDataSet()
	if small.Users != 1000 {
		t.Errorf("users at scale 0.2 = %d, want 1000", small.Users)
	}
	if ratio := float64(small.Orders) / float64(def.Orders); ratio < 0.17 || ratio > 0.23 {
		t.Errorf("orders at scale 0.2 / scale 1 = %.3f, want about 0.2", ratio)
	}
	if small.Products != def.Products || small.Sellers != def.Sellers {
		t.Errorf("catalog changed with scale: %d products, %d sellers", small.Products, small.Sellers)
	}
}

func TestIDsAndEmailsUnique(t *testing.T) {
	s, _ := defaultDataSet()
	checkUnique := func(kind string, ids []string) {
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			if seen[id] {
				t.Errorf("%s %q is duplicated", kind, id)
				return
			}
			seen[id] = true
		}
	}
	checkUnique("seller id", mapSlice(s.sellers, func(v storage.Seller) string { return v.ID }))
	checkUnique("user id", mapSlice(s.users, func(v storage.User) string { return v.ID }))
	checkUnique("user email", mapSlice(s.users, func(v storage.User) string { return v.Email }))
	checkUnique("seller name", mapSlice(s.sellers, func(v storage.Seller) string { return v.Name }))
	checkUnique("product id", mapSlice(s.products, func(v storage.Product) string { return v.ID }))
	checkUnique("order id", mapSlice(s.orders, func(v storage.Order) string { return v.ID }))
	checkUnique("review id", mapSlice(s.reviews, func(v storage.Review) string { return v.ID }))
	checkUnique("event id", mapSlice(s.events, func(v storage.Event) string { return v.ID }))
}

func mapSlice[T any](s []T, f func(T) string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

func TestRegionsPlausible(t *testing.T) {
	s, _ := defaultDataSet()
	zipFormat := map[string]*regexp.Regexp{
		"BR": regexp.MustCompile(`^\d{5}-\d{3}$`),
		"CN": regexp.MustCompile(`^\d{6}$`),
		"US": regexp.MustCompile(`^\d{5}$`),
	}
	centres := map[string]storage.GeoPoint{}
	for _, c := range cities {
		centres[c.Name] = storage.GeoPoint{Lat: c.Lat, Lon: c.Lon}
	}
	perCountry := map[string]int{}
	for _, u := range s.users {
		perCountry[u.Region.Country]++
		if re := zipFormat[u.Region.Country]; re == nil || !re.MatchString(u.Region.Zip) {
			t.Fatalf("user %s: zip %q does not fit country %q", u.ID, u.Region.Zip, u.Region.Country)
		}
		centre := centres[u.Region.City]
		if km := distanceKm(&centre, u.Location); km > 30 {
			t.Fatalf("user %s is %.1f km from the centre of %s", u.ID, km, u.Region.City)
		}
	}
	for _, c := range countries {
		share := float64(perCountry[c.Code]) / float64(len(s.users))
		if math.Abs(share-c.Share) > 0.04 {
			t.Errorf("country %s has %.3f of users, want about %.2f", c.Code, share, c.Share)
		}
	}
	if n := len(cities); n < 25 || n > 40 {
		t.Errorf("region table has %d cities, want 25..40", n)
	}
}

func TestCategoryTree(t *testing.T) {
	s, _ := defaultDataSet()
	tops, leaves := map[string]bool{}, map[string]bool{}
	for _, p := range s.products {
		if d := len(p.Category); d < 2 || d > 3 {
			t.Fatalf("product %s: category depth %d, want 2 or 3", p.ID, d)
		}
		tops[p.Category[0]] = true
		leaves[joinNonEmpty("/", p.Category...)] = true
		if p.Price <= 0 || p.Currency != currency {
			t.Fatalf("product %s: price %s %s", p.ID, p.Price, p.Currency)
		}
		if p.Attributes["brand"] == "" {
			t.Fatalf("product %s: no brand attribute", p.ID)
		}
	}
	if len(tops) != 8 {
		t.Errorf("%d top categories, want 8", len(tops))
	}
	if len(leaves) < 28 {
		t.Errorf("%d leaf categories in use, want at least 28", len(leaves))
	}
}

func containsHan(s string) bool {
	return slices.ContainsFunc([]rune(s), func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

func containsLatinLetter(s string) bool {
	return slices.ContainsFunc([]rune(s), func(r rune) bool { return r < 128 && unicode.IsLetter(r) })
}

func TestChineseText(t *testing.T) {
	s, _ := defaultDataSet()
	var zh, mixed int
	for _, p := range s.products {
		switch p.Language {
		case "zh":
			zh++
			if !containsHan(p.Title) || !containsHan(p.Description) {
				t.Fatalf("Chinese product %s has no Chinese text: %q", p.ID, p.Title)
			}
			if containsLatinLetter(p.Title) {
				mixed++
			}
		case "en":
			if containsHan(p.Title) {
				t.Fatalf("English product %s has Chinese title %q", p.ID, p.Title)
			}
		default:
			t.Fatalf("product %s: language %q, want en or zh", p.ID, p.Language)
		}
	}
	if share := float64(zh) / float64(len(s.products)); share < 0.28 || share > 0.39 {
		t.Errorf("Chinese product share %.3f, want about a third", share)
	}
	if mixed < 20 {
		t.Errorf("%d mixed-script Chinese titles, want at least 20", mixed)
	}

	var zhReviews int
	for _, r := range s.reviews {
		if r.Language == "zh" {
			zhReviews++
			if !containsHan(r.Text) {
				t.Fatalf("Chinese review %s has no Chinese text: %q", r.ID, r.Text)
			}
		}
	}
	if zhReviews < len(s.reviews)/5 {
		t.Errorf("%d Chinese reviews of %d, want at least a fifth", zhReviews, len(s.reviews))
	}

	var zhNames int
	for _, u := range s.users {
		if u.Region.Country == "CN" && containsHan(u.Name) {
			zhNames++
		}
	}
	if zhNames < 1000 {
		t.Errorf("%d Chinese users with Chinese names, want at least 1000", zhNames)
	}
}

func TestOrdersReferenceExistingRecords(t *testing.T) {
	s, _ := defaultDataSet()
	users := map[string]storage.User{}
	for _, u := range s.users {
		users[u.ID] = u
	}
	products := map[string]storage.Product{}
	for _, p := range s.products {
		products[p.ID] = p
	}
	sellers := map[string]bool{}
	for _, v := range s.sellers {
		sellers[v.ID] = true
	}
	for _, o := range s.orders {
		u, ok := users[o.UserID]
		if !ok {
			t.Fatalf("order %s: user %q not found", o.ID, o.UserID)
		}
		if !o.PurchasedAt.After(u.SignupAt) {
			t.Fatalf("order %s at %v precedes signup of %s at %v", o.ID, o.PurchasedAt, u.ID, u.SignupAt)
		}
		if o.ShipTo != u.Region {
			t.Fatalf("order %s ships to %+v, user lives in %+v", o.ID, o.ShipTo, u.Region)
		}
		if n := len(o.Items); n < 1 || n > 4 {
			t.Fatalf("order %s has %d items, want 1..4", o.ID, n)
		}
		for _, it := range o.Items {
			p, ok := products[it.ProductID]
			if !ok {
				t.Fatalf("order %s: product %q not found", o.ID, it.ProductID)
			}
			if !p.CreatedAt.Before(o.PurchasedAt) {
				t.Fatalf("order %s buys product %s before it was created", o.ID, p.ID)
			}
			if !sellers[it.SellerID] {
				t.Fatalf("order %s: seller %q not found", o.ID, it.SellerID)
			}
			if it.Quantity < 1 || it.Quantity > 3 {
				t.Fatalf("order %s: quantity %d", o.ID, it.Quantity)
			}
			if ratio := float64(it.UnitPrice) / float64(p.Price); ratio < 0.70 || ratio > 1.04 {
				t.Fatalf("order %s: unit price %s for list price %s", o.ID, it.UnitPrice, p.Price)
			}
		}
	}
}

func TestPaymentsSumToTotalPlusFreight(t *testing.T) {
	s, _ := defaultDataSet()
	types := map[string]int{}
	var installments int
	for _, o := range s.orders {
		want := o.Total()
		for _, it := range o.Items {
			want += it.Freight
		}
		var got storage.Money
		for _, p := range o.Payments {
			got += p.Value
			types[p.Type]++
			if p.Value <= 0 || p.Installments < 1 {
				t.Fatalf("order %s: payment %+v", o.ID, p)
			}
			if p.Installments > 1 {
				installments++
			}
		}
		if got != want {
			t.Fatalf("order %s: payments sum to %s, want total plus freight %s", o.ID, got, want)
		}
	}
	for _, kind := range []string{"credit_card", "boleto", "voucher", "debit_card", "alipay", "wechat_pay"} {
		if types[kind] == 0 {
			t.Errorf("no %s payments", kind)
		}
	}
	if installments == 0 {
		t.Error("no payments in installments")
	}
}

func TestOrderStatusesAndDelivery(t *testing.T) {
	s, stats := defaultDataSet()
	statuses := map[string]int{}
	var late, delivered int
	for _, o := range s.orders {
		statuses[o.Status]++
		if o.EstimatedDeliveryAt.Before(o.PurchasedAt) {
			t.Fatalf("order %s: estimated delivery %v before purchase", o.ID, o.EstimatedDeliveryAt)
		}
		switch o.Status {
		case storage.OrderDelivered:
			delivered++
			if !o.DeliveredAt.After(o.ApprovedAt) || !o.ApprovedAt.After(o.PurchasedAt) || !o.DeliveredAt.Before(stats.End) {
				t.Fatalf("order %s: purchased %v, approved %v, delivered %v", o.ID, o.PurchasedAt, o.ApprovedAt, o.DeliveredAt)
			}
			if o.DeliveredAt.After(o.EstimatedDeliveryAt) {
				late++
			}
		case storage.OrderCanceled:
		default:
			if o.PurchasedAt.Before(stats.End.AddDate(0, 0, -60)) {
				t.Fatalf("order %s from %v is still %s at the end of the range", o.ID, o.PurchasedAt, o.Status)
			}
		}
	}
	if share := float64(delivered) / float64(len(s.orders)); share < 0.9 {
		t.Errorf("delivered share %.3f, want above 0.9", share)
	}
	if statuses[storage.OrderShipped] == 0 || statuses[storage.OrderCanceled] == 0 {
		t.Errorf("statuses %v lack shipped or canceled orders", statuses)
	}
	if share := float64(late) / float64(delivered); share < 0.03 || share > 0.2 {
		t.Errorf("late delivery share %.3f, want 0.03..0.2", share)
	}
}

func TestReviewsReferenceDeliveredOrders(t *testing.T) {
	s, stats := defaultDataSet()
	orders := map[string]storage.Order{}
	var deliveredItems int
	for _, o := range s.orders {
		orders[o.ID] = o
		if o.Status == storage.OrderDelivered {
			deliveredItems += len(o.Items)
		}
	}
	ratings := make([]int, 6)
	for _, r := range s.reviews {
		o, ok := orders[r.OrderID]
		if !ok || o.Status != storage.OrderDelivered {
			t.Fatalf("review %s: order %q is missing or not delivered", r.ID, r.OrderID)
		}
		if r.UserID != o.UserID {
			t.Fatalf("review %s by %s, order by %s", r.ID, r.UserID, o.UserID)
		}
		if !slices.ContainsFunc(o.Items, func(it storage.OrderItem) bool { return it.ProductID == r.ProductID }) {
			t.Fatalf("review %s: product %s not in order %s", r.ID, r.ProductID, o.ID)
		}
		if !r.CreatedAt.After(o.DeliveredAt) || !r.CreatedAt.Before(stats.End) {
			t.Fatalf("review %s at %v, delivery at %v", r.ID, r.CreatedAt, o.DeliveredAt)
		}
		ratings[r.Rating]++
	}
	if share := float64(len(s.reviews)) / float64(deliveredItems); share < 0.3 || share > 0.37 {
		t.Errorf("reviews per delivered item %.3f, want about 0.35", share)
	}
	if ratings[5] <= ratings[4] || ratings[4] <= ratings[2] || ratings[1] <= ratings[2] {
		t.Errorf("rating counts %v, want a J shape (5 > 4 > 2 and 1 > 2)", ratings[1:])
	}
}

func TestReviewSentimentMatchesRating(t *testing.T) {
	s, _ := defaultDataSet()
	for _, r := range s.reviews {
		texts := reviewsEN
		if r.Language == "zh" {
			texts = reviewsZH
		}
		for rating, pool := range texts.Sentences {
			if rating+1 == int(r.Rating) {
				continue
			}
			for _, sentence := range pool {
				if !strings.Contains(sentence, "{noun}") && strings.Contains(r.Text, sentence) {
					t.Fatalf("review %s rated %d contains %q from rating %d", r.ID, r.Rating, sentence, rating+1)
				}
			}
		}
	}
}

// dailyOrders counts orders per UTC day, optionally only those with product.
func dailyOrders(orders []storage.Order, product string) map[time.Time]int {
	out := map[time.Time]int{}
	for _, o := range orders {
		if product != "" && !slices.ContainsFunc(o.Items, func(it storage.OrderItem) bool { return it.ProductID == product }) {
			continue
		}
		out[o.PurchasedAt.Truncate(24*time.Hour)]++
	}
	return out
}

func TestWeeklySeasonality(t *testing.T) {
	s, _ := defaultDataSet()
	var weekend int
	for _, o := range s.orders {
		if wd := o.PurchasedAt.Weekday(); wd == time.Saturday || wd == time.Sunday {
			weekend++
		}
	}
	if share := float64(weekend) / float64(len(s.orders)); share < 2.0/7+0.03 {
		t.Errorf("weekend order share %.3f, want above %.3f", share, 2.0/7+0.03)
	}
}

func TestYearlySeasonalityAndTrend(t *testing.T) {
	s, _ := defaultDataSet()
	revenue := map[time.Time]storage.Money{}
	for _, o := range s.orders {
		month := time.Date(o.PurchasedAt.Year(), o.PurchasedAt.Month(), 1, 0, 0, 0, 0, time.UTC)
		revenue[month] += o.Total()
	}
	for _, year := range []int{2024, 2025} {
		var sum storage.Money
		for m := time.January; m <= time.December; m++ {
			sum += revenue[time.Date(year, m, 1, 0, 0, 0, 0, time.UTC)]
		}
		avg := sum / 12
		if dec := revenue[time.Date(year, time.December, 1, 0, 0, 0, 0, time.UTC)]; dec <= avg*11/10 {
			t.Errorf("%d: December revenue %s, want above 1.1 × the monthly average %s", year, dec, avg)
		}
		if nov := revenue[time.Date(year, time.November, 1, 0, 0, 0, 0, time.UTC)]; nov <= avg {
			t.Errorf("%d: November revenue %s, want above the monthly average %s", year, nov, avg)
		}
	}
	var y2024, y2025 int
	for _, o := range s.orders {
		if o.PurchasedAt.Year() == 2024 {
			y2024++
		} else {
			y2025++
		}
	}
	if float64(y2025) < 1.15*float64(y2024) {
		t.Errorf("orders grew from %d in 2024 to %d in 2025, want at least 15%%", y2024, y2025)
	}
}

func TestSinglesDayPeak(t *testing.T) {
	s, _ := defaultDataSet()
	perDay := map[time.Time]int{}
	for _, o := range s.orders {
		if o.ShipTo.Country == "CN" {
			perDay[o.PurchasedAt.Truncate(24*time.Hour)]++
		}
	}
	peak := perDay[time.Date(2025, time.November, 11, 0, 0, 0, 0, time.UTC)]
	var october int
	for d := 1; d <= 31; d++ {
		october += perDay[time.Date(2025, time.October, d, 0, 0, 0, 0, time.UTC)]
	}
	if avg := float64(october) / 31; float64(peak) < 3*avg {
		t.Errorf("Chinese orders on 2025-11-11: %d, want at least 3 × the October daily average %.1f", peak, avg)
	}
}

func TestPromotionsDiscountPrices(t *testing.T) {
	s, stats := defaultDataSet()
	var blackFriday Promotion
	for _, p := range stats.Promotions {
		if p.Name == "Black Friday" && p.From.Year() == 2025 {
			blackFriday = p
		}
	}
	if blackFriday.Name == "" {
		t.Fatalf("no Black Friday 2025 in %+v", stats.Promotions)
	}
	if want := time.Date(2025, time.November, 28, 0, 0, 0, 0, time.UTC); !blackFriday.PeakDay.Equal(want) {
		t.Errorf("Black Friday 2025 peak %v, want %v", blackFriday.PeakDay, want)
	}
	prices := map[string]storage.Money{}
	for _, p := range s.products {
		prices[p.ID] = p.Price
	}
	var checked int
	for _, o := range s.orders {
		if o.ShipTo.Country != "US" || o.PurchasedAt.Before(blackFriday.From) || !o.PurchasedAt.Before(blackFriday.To) {
			continue
		}
		for _, it := range o.Items {
			checked++
			if ratio := float64(it.UnitPrice) / float64(prices[it.ProductID]); ratio > 0.78 {
				t.Fatalf("order %s in Black Friday week pays %.2f of the list price", o.ID, ratio)
			}
		}
	}
	if checked == 0 {
		t.Error("no US order items in Black Friday week 2025")
	}
}

func TestAnomaliesPresent(t *testing.T) {
	s, stats := defaultDataSet()
	if len(stats.Anomalies) != 2 {
		t.Fatalf("anomalies %+v, want a demand spike and a stock-out", stats.Anomalies)
	}
	for _, a := range stats.Anomalies {
		perDay := dailyOrders(s.orders, a.ProductID)
		var total int
		for _, n := range perDay {
			total += n
		}
		switch a.Kind {
		case AnomalyDemandSpike:
			spike := perDay[a.From]
			avg := float64(total-spike) / float64(stats.End.Sub(stats.Start).Hours()/24-1)
			if spike < a.ExtraOrders || float64(spike) < 10*avg {
				t.Errorf("spike of %s on %v: %d orders, daily average %.2f, ExtraOrders %d", a.ProductID, a.From, spike, avg, a.ExtraOrders)
			}
		case AnomalyStockOut:
			if days := a.To.Sub(a.From).Hours() / 24; days < 14 || days > 21 {
				t.Errorf("stock-out of %s lasts %.0f days, want 14..21", a.ProductID, days)
			}
			for day, n := range perDay {
				if !day.Before(a.From) && day.Before(a.To) {
					t.Errorf("stock-out of %s: %d orders on %v", a.ProductID, n, day)
				}
			}
			if perWeek := float64(total) / 104; perWeek < 3 {
				t.Errorf("stock-out product %s sells %.1f per week, too few to notice a gap", a.ProductID, perWeek)
			}
		default:
			t.Errorf("unknown anomaly kind %q", a.Kind)
		}
	}
}

func TestEventsFunnel(t *testing.T) {
	s, stats := defaultDataSet()
	users := map[string]storage.User{}
	for _, u := range s.users {
		users[u.ID] = u
	}
	products := map[string]bool{}
	for _, p := range s.products {
		products[p.ID] = true
	}
	type purchase struct {
		user, product string
		at            time.Time
	}
	bought := map[purchase]bool{}
	for _, o := range s.orders {
		for _, it := range o.Items {
			bought[purchase{o.UserID, it.ProductID, o.PurchasedAt}] = true
		}
	}

	types := map[storage.EventType]int{}
	sessionMax := map[string]storage.EventType{}
	lastAt, purchaseAt := map[string]time.Time{}, map[string]time.Time{}
	var zhQueries int
	for _, e := range s.events {
		types[e.Type]++
		u, ok := users[e.UserID]
		if !ok {
			t.Fatalf("event %s: user %q not found", e.ID, e.UserID)
		}
		if e.Region != u.Region || !e.At.After(u.SignupAt) || e.At.Before(stats.Start) || !e.At.Before(stats.End) {
			t.Fatalf("event %s: region %+v at %v for user %+v", e.ID, e.Region, e.At, u)
		}
		if e.Type == storage.EventSearch {
			if e.Query == "" || e.ProductID != "" {
				t.Fatalf("search event %s: query %q, product %q", e.ID, e.Query, e.ProductID)
			}
			if containsHan(e.Query) {
				zhQueries++
			}
		} else if !products[e.ProductID] {
			t.Fatalf("event %s: product %q not found", e.ID, e.ProductID)
		}
		if e.Type == storage.EventPurchase && !bought[purchase{e.UserID, e.ProductID, e.At}] {
			t.Fatalf("purchase event %s matches no order item", e.ID)
		}
		if e.Type != storage.EventSearch {
			sessionMax[e.SessionID] = max(sessionMax[e.SessionID], e.Type)
		}
		if e.At.After(lastAt[e.SessionID]) {
			lastAt[e.SessionID] = e.At
		}
		if e.Type == storage.EventPurchase {
			purchaseAt[e.SessionID] = e.At
		}
	}
	for session, at := range purchaseAt {
		if last := lastAt[session]; last.After(at) {
			t.Fatalf("session %s has an event at %v after its purchase at %v", session, last, at)
		}
	}
	if !(types[storage.EventView] > types[storage.EventCart] && types[storage.EventCart] > types[storage.EventPurchase]) {
		t.Errorf("event counts %v do not narrow from view to cart to purchase", types)
	}
	if types[storage.EventSearch] == 0 || zhQueries == 0 {
		t.Errorf("%d searches, %d in Chinese, want both above zero", types[storage.EventSearch], zhQueries)
	}
	var viewOnly int
	for _, top := range sessionMax {
		if top == storage.EventView {
			viewOnly++
		}
	}
	if share := float64(viewOnly) / float64(len(sessionMax)); share < 0.5 {
		t.Errorf("view-only session share %.3f, want above 0.5", share)
	}
}

// recordingSink records the stage and size of every call and can fail.
type recordingSink struct {
	calls  []string
	sizes  []int
	failAt string
}

func (s *recordingSink) record(stage string, n int) error {
	s.calls = append(s.calls, stage)
	s.sizes = append(s.sizes, n)
	if stage == s.failAt {
		return errors.New("disk full")
	}
	return nil
}

func (s *recordingSink) PutSellers(_ context.Context, v []storage.Seller) error {
	return s.record(StageSellers, len(v))
}
func (s *recordingSink) PutUsers(_ context.Context, v []storage.User) error {
	return s.record(StageUsers, len(v))
}
func (s *recordingSink) PutProducts(_ context.Context, v []storage.Product) error {
	return s.record(StageProducts, len(v))
}
func (s *recordingSink) PutOrders(_ context.Context, v []storage.Order) error {
	return s.record(StageOrders, len(v))
}
func (s *recordingSink) PutReviews(_ context.Context, v []storage.Review) error {
	return s.record(StageReviews, len(v))
}
func (s *recordingSink) PutEvents(_ context.Context, v []storage.Event) error {
	return s.record(StageEvents, len(v))
}

var stageOrder = []string{StageSellers, StageUsers, StageProducts, StageOrders, StageReviews, StageEvents}

func TestGenerateBatchesInStageOrder(t *testing.T) {
	sink := &recordingSink{}
	var progress []string
	var lastDone, lastTotal int
	cfg := DefaultConfig().WithScale(0.05).WithBatchSize(250).WithProgress(func(stage string, done, total int) {
		progress = append(progress, stage)
		lastDone, lastTotal = done, total
	})
	if _, err := Generate(context.Background(), cfg, sink); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	rank := func(stage string) int { return slices.Index(stageOrder, stage) }
	for i := 1; i < len(sink.calls); i++ {
		if rank(sink.calls[i]) < rank(sink.calls[i-1]) {
			t.Fatalf("call %d writes %s after %s", i, sink.calls[i], sink.calls[i-1])
		}
	}
	for i, n := range sink.sizes {
		if n < 1 || n > 250 {
			t.Fatalf("call %d (%s) passed %d records, want 1..250", i, sink.calls[i], n)
		}
	}
	if got := slices.Compact(slices.Clone(sink.calls)); !slices.Equal(got, stageOrder) {
		t.Errorf("stages written %v, want %v", got, stageOrder)
	}
	if got := slices.Compact(progress); !slices.Equal(got, stageOrder) {
		t.Errorf("progress stages %v, want %v", got, stageOrder)
	}
	if lastDone != lastTotal {
		t.Errorf("last progress %d of %d, want done == total", lastDone, lastTotal)
	}
}

func TestGenerateStopsOnSinkError(t *testing.T) {
	sink := &recordingSink{failAt: StageOrders}
	_, err := Generate(context.Background(), DefaultConfig().WithScale(0.05), sink)
	if err == nil || !strings.Contains(err.Error(), "orders") || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Generate error = %v, want the orders write failure", err)
	}
	if last := sink.calls[len(sink.calls)-1]; last != StageOrders {
		t.Errorf("last call %s, want generation to stop at orders", last)
	}
}

func TestGenerateCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Generate(ctx, DefaultConfig().WithScale(0.05), &recordingSink{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Generate error = %v, want context.Canceled", err)
	}
}

func TestGenerateRejectsInvalidConfig(t *testing.T) {
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"zero scale", DefaultConfig().WithScale(0), "invalid demo scale"},
		{"NaN scale", DefaultConfig().WithScale(math.NaN()), "invalid demo scale"},
		{"zero batch", DefaultConfig().WithBatchSize(0), "invalid demo batch size"},
		{"missing start", DefaultConfig().WithStart(time.Time{}), "missing demo time range"},
		{"short range", DefaultConfig().WithStart(day).WithEnd(day.AddDate(0, 0, 10)), "invalid demo time range"},
		{"end before start", DefaultConfig().WithStart(day).WithEnd(day.AddDate(0, 0, -40)), "invalid demo time range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(context.Background(), tt.cfg, &recordingSink{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Generate error = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := Generate(context.Background(), DefaultConfig(), nil); err == nil {
		t.Error("Generate with a nil sink returned no error")
	}
}

func TestGenerateCustomRange(t *testing.T) {
	start := time.Date(2023, 3, 15, 13, 0, 0, 0, time.UTC)
	end := time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)
	sink := &collectSink{}
	stats, err := Generate(context.Background(), DefaultConfig().WithScale(0.1).WithStart(start).WithEnd(end), sink)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if want := time.Date(2023, 3, 15, 0, 0, 0, 0, time.UTC); !stats.Start.Equal(want) {
		t.Errorf("Stats.Start = %v, want %v", stats.Start, want)
	}
	for _, o := range sink.orders {
		if o.PurchasedAt.Before(stats.Start) || !o.PurchasedAt.Before(end) {
			t.Fatalf("order %s at %v is outside the range", o.ID, o.PurchasedAt)
		}
	}
	for _, a := range stats.Anomalies {
		if a.From.Before(stats.Start) || a.To.After(end) {
			t.Errorf("anomaly %+v is outside the range", a)
		}
	}
	if len(sink.orders) == 0 || len(sink.events) == 0 {
		t.Errorf("%d orders and %d events in a 47-day range", len(sink.orders), len(sink.events))
	}
}

// discardSink drops every record.
type discardSink struct{}

func (discardSink) PutSellers(context.Context, []storage.Seller) error   { return nil }
func (discardSink) PutUsers(context.Context, []storage.User) error       { return nil }
func (discardSink) PutProducts(context.Context, []storage.Product) error { return nil }
func (discardSink) PutOrders(context.Context, []storage.Order) error     { return nil }
func (discardSink) PutReviews(context.Context, []storage.Review) error   { return nil }
func (discardSink) PutEvents(context.Context, []storage.Event) error     { return nil }

func BenchmarkGenerateDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(context.Background(), DefaultConfig(), discardSink{}); err != nil {
			b.Fatal(err)
		}
	}
}
