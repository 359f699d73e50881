package analytics

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/rollup"
)

// openEmpty returns an empty in-memory store without the rollup hook.
func openEmpty(t *testing.T) *storage.Store {
	t.Helper()
	st, err := storage.Open(storage.DefaultOptions("").WithInMemory(true).WithLogger(quiet))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// funnelSessions returns the sessions per step of the one row of rows.
func funnelSessions(t *testing.T, rows []FunnelRow) []int64 {
	t.Helper()
	if len(rows) != 1 {
		t.Fatalf("funnel returned %d rows, want 1: %+v", len(rows), rows)
	}
	out := make([]int64, len(rows[0].Steps))
	for i, s := range rows[0].Steps {
		out[i] = s.Sessions
	}
	return out
}

func TestFunnelSessionGapWithoutSessionID(t *testing.T) {
	ctx := context.Background()
	st := openEmpty(t)
	t0 := time.Date(2024, 6, 3, 10, 0, 0, 0, time.UTC)
	// User a: cart 29 minutes after the view, purchase 31 minutes after
	// the cart. User b: the same events with a session id, hours apart.
	events := []storage.Event{
		{ID: "a1", UserID: "a", Type: storage.EventView, ProductID: "p1", At: t0},
		{ID: "a2", UserID: "a", Type: storage.EventCart, ProductID: "p1", At: t0.Add(29 * time.Minute)},
		{ID: "a3", UserID: "a", Type: storage.EventPurchase, ProductID: "p1", At: t0.Add(60 * time.Minute)},
		{ID: "b1", UserID: "b", SessionID: "sb", Type: storage.EventView, ProductID: "p1", At: t0},
		{ID: "b2", UserID: "b", SessionID: "sb", Type: storage.EventCart, ProductID: "p1", At: t0.Add(2 * time.Hour)},
		{ID: "b3", UserID: "b", SessionID: "sb", Type: storage.EventPurchase, ProductID: "p1", At: t0.Add(5 * time.Hour)},
	}
	if err := st.PutEvents(ctx, events); err != nil {
		t.Fatalf("put events: %v", err)
	}
	steps := []storage.EventType{storage.EventView, storage.EventCart, storage.EventPurchase}
	e := New(st, DefaultOptions().WithLogger(quiet))

	tests := []struct {
		name string
		gap  time.Duration
		want []int64
	}{
		// The 31-minute gap ends user a's session after the cart. The
		// purchase starts a new session that never reaches the first step.
		{"default 30 minutes", 0, []int64{2, 2, 1}},
		{"32 minutes", 32 * time.Minute, []int64{2, 2, 2}},
		// At 29 minutes the gap is not exceeded: a gap equal to the limit
		// keeps the session.
		{"29 minutes", 29 * time.Minute, []int64{2, 2, 1}},
		{"28 minutes", 28 * time.Minute, []int64{2, 1, 1}},
	}
	for _, tc := range tests {
		rows, err := e.Funnel(ctx, FunnelQuery{Steps: steps, SessionGap: tc.gap})
		if err != nil {
			t.Fatalf("%s: funnel: %v", tc.name, err)
		}
		got := funnelSessions(t, rows)
		for i := range tc.want {
			if got[i] != tc.want[i] {
				t.Errorf("%s: step %s has %d sessions, want %d (all: %v, want %v)", tc.name, steps[i], got[i], tc.want[i], got, tc.want)
			}
		}
	}
}

func TestFunnelSessionGapStartsNewBucket(t *testing.T) {
	ctx := context.Background()
	st := openEmpty(t)
	// Two sessions of one user without a session id, split by a gap across
	// midnight: each is counted in the day of its first event.
	t0 := time.Date(2024, 6, 3, 23, 40, 0, 0, time.UTC)
	events := []storage.Event{
		{ID: "v1", UserID: "u", Type: storage.EventView, ProductID: "p1", At: t0},
		{ID: "v2", UserID: "u", Type: storage.EventView, ProductID: "p2", At: t0.Add(31 * time.Minute)},
		{ID: "c2", UserID: "u", Type: storage.EventCart, ProductID: "p2", At: t0.Add(40 * time.Minute)},
	}
	if err := st.PutEvents(ctx, events); err != nil {
		t.Fatalf("put events: %v", err)
	}

	e := New(st, DefaultOptions().WithLogger(quiet))
	rows, err := e.Funnel(ctx, FunnelQuery{Steps: []storage.EventType{storage.EventView, storage.EventCart}, Granularity: Day})
	if err != nil {
		t.Fatalf("funnel: %v", err)
	}
	if len(rows) != 2 {
		t.Fatalf("funnel returned %d rows, want one per day: %+v", len(rows), rows)
	}

	wantDays := []time.Time{time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC), time.Date(2024, 6, 4, 0, 0, 0, 0, time.UTC)}
	wantCarts := []int64{0, 1}
	for i, row := range rows {
		if !row.Time.Equal(wantDays[i]) {
			t.Errorf("row %d: time %s, want %s", i, row.Time, wantDays[i])
		}
		if row.Steps[0].Sessions != 1 {
			t.Errorf("row %d: %d view sessions, want 1", i, row.Steps[0].Sessions)
		}
		if row.Steps[1].Sessions != wantCarts[i] {
			t.Errorf("row %d: %d cart sessions, want %d", i, row.Steps[1].Sessions, wantCarts[i])
		}
	}
}

// firstReviewedOrder returns a review whose order exists and contains the
// reviewed product, with that order.
func firstReviewedOrder(t *testing.T, st *storage.Store) (storage.Review, storage.Order) {
	t.Helper()
	ctx := context.Background()
	var found *storage.Review
	var order storage.Order
	err := st.EachReview(ctx, storage.ReviewFilter{}, func(r *storage.Review) error {
		if found != nil || r.OrderID == "" {
			return nil
		}
		o, err := st.Order(ctx, r.OrderID)
		if err != nil {
			return nil
		}
		for _, it := range o.Items {
			if it.ProductID == r.ProductID && len(it.Category) > 0 {
				rc := *r
				found, order = &rc, o
				return nil
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan reviews: %v", err)
	}
	if found == nil {
		t.Fatal("the demo data has no review of a product in its order")
	}
	return *found, order
}

func TestReviewMovesWithOrderRegion(t *testing.T) {
	ctx := context.Background()
	st := openDemo(t, 0.02, true)
	review, order := firstReviewedOrder(t, st)

	day := review.CreatedAt.UTC().Truncate(24 * time.Hour)
	q := Query{Measures: []Measure{Reviews, AvgRating}, Dimensions: []Dimension{Country, State}, From: day, To: day.AddDate(0, 0, 1)}
	rollups := New(st, DefaultOptions().WithLogger(quiet))
	scans := New(st, DefaultOptions().WithLogger(quiet).WithUseRollups(false))
	reviewsIn := func(e *Engine, country, state string, want Source) int64 {
		t.Helper()
		res, err := e.Metrics(ctx, q)
		if err != nil {
			t.Fatalf("metrics: %v", err)
		}
		if res.Source != want {
			t.Fatalf("metrics source %s, want %s", res.Source, want)
		}
		for _, r := range res.Rows {
			if r.Country == country && r.State == state {
				return r.Values[0].Num
			}
		}
		return 0
	}
	oldBefore := reviewsIn(rollups, order.ShipTo.Country, order.ShipTo.State, SourceRollup)
	if oldBefore == 0 {
		t.Fatalf("no review counted in %s/%s on %s before the update", order.ShipTo.Country, order.ShipTo.State, day.Format("2006-01-02"))
	}

	moved := order
	moved.ShipTo = storage.Region{Country: "ZZ", State: "QQ", City: "Nowhere"}
	if err := st.PutOrders(ctx, []storage.Order{moved}); err != nil {
		t.Fatalf("update order region: %v", err)
	}
	var sameDay int64 // reviews of the moved order created on the review's day
	err := st.EachReview(ctx, storage.ReviewFilter{Created: storage.TimeRange{From: day, To: day.AddDate(0, 0, 1)}}, func(r *storage.Review) error {
		if r.OrderID == order.ID {
			sameDay++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan reviews: %v", err)
	}

	if got := reviewsIn(rollups, "ZZ", "QQ", SourceRollup); got != sameDay {
		t.Errorf("rollup: %d reviews in the new region ZZ/QQ, want %d", got, sameDay)
	}
	if got, want := reviewsIn(rollups, order.ShipTo.Country, order.ShipTo.State, SourceRollup), oldBefore-sameDay; got != want {
		t.Errorf("rollup: %d reviews left in the old region %s/%s, want %d", got, order.ShipTo.Country, order.ShipTo.State, want)
	}
	if got := reviewsIn(scans, "ZZ", "QQ", SourceScan); got != sameDay {
		t.Errorf("scan: %d reviews in the new region ZZ/QQ, want %d", got, sameDay)
	}

	// Every region, category and seller cell of the reviews must equal a
	// scan after the move.
	all := []Query{
		{Measures: []Measure{Reviews, AvgRating}, Dimensions: []Dimension{City}},
		{Measures: []Measure{Reviews, AvgRating}, Dimensions: []Dimension{Time, Category, Seller}, Granularity: Month},
	}
	checkRollupMatchesScan(t, st, all, []Filter{{}, {Country: "ZZ"}})
}

// locatedOrders returns the orders of st with a delivery location.
func locatedOrders(t *testing.T, st *storage.Store) []storage.Order {
	t.Helper()
	var out []storage.Order
	err := st.EachOrder(context.Background(), storage.OrderFilter{}, func(o *storage.Order) error {
		if o.Location != nil {
			out = append(out, *o)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan orders: %v", err)
	}
	if len(out) == 0 {
		t.Fatal("the demo data has no order with a location")
	}
	return out
}

func TestBoundingBoxFilterMatchesDirect(t *testing.T) {
	ctx := context.Background()
	st := openDemo(t, 0.05, true)
	orders := locatedOrders(t, st)
	e := New(st, DefaultOptions().WithLogger(quiet))

	tests := []struct {
		name   string
		box    BoundingBox
		inside func(lat, lon float64) bool
	}{
		{"sao paulo state", BoundingBox{MinLat: -25.5, MinLon: -53.2, MaxLat: -19.7, MaxLon: -44.1},
			func(lat, lon float64) bool { return lat >= -25.5 && lat <= -19.7 && lon >= -53.2 && lon <= -44.1 }},
		// MinLon > MaxLon crosses the antimeridian: it keeps every longitude
		// except the band (-50, -40), which holds São Paulo and Rio.
		{"across the antimeridian", BoundingBox{MinLat: -90, MinLon: -40, MaxLat: 90, MaxLon: -50},
			func(_, lon float64) bool { return lon >= -40 || lon <= -50 }},
	}
	for _, tc := range tests {
		var wantOrders int64
		var wantRevenue storage.Money
		for i := range orders {
			if tc.inside(orders[i].Location.Lat, orders[i].Location.Lon) {
				wantOrders++
				wantRevenue += orders[i].Total()
			}
		}
		if wantOrders == 0 || wantOrders == int64(len(orders)) {
			t.Fatalf("%s: %d of %d orders inside; pick a box that splits the data", tc.name, wantOrders, len(orders))
		}
		box := tc.box
		res, err := e.Metrics(ctx, Query{Measures: []Measure{Orders, Revenue}, Filter: Filter{Box: &box}})
		if err != nil {
			t.Fatalf("%s: metrics: %v", tc.name, err)
		}
		if len(res.Rows) != 1 {
			t.Fatalf("%s: %d rows, want 1", tc.name, len(res.Rows))
		}
		if res.Source != SourceScan {
			t.Errorf("%s: source %s, want SCAN: the rollups cannot filter by location", tc.name, res.Source)
		}
		if got := res.Rows[0].Values[0].Num; got != wantOrders {
			t.Errorf("%s: %d orders, want %d", tc.name, got, wantOrders)
		}
		if got := res.Rows[0].Values[1].Cents(); got != wantRevenue {
			t.Errorf("%s: revenue %s, want %s", tc.name, got, wantRevenue)
		}
	}
}

// haversineKm is an independent great-circle distance for checking
// OrdersNear, on the same mean Earth radius.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	toRad := func(d float64) float64 { return d * math.Pi / 180 }
	sinLat := math.Sin(toRad(lat2-lat1) / 2)
	sinLon := math.Sin(toRad(lon2-lon1) / 2)
	h := sinLat*sinLat + math.Cos(toRad(lat1))*math.Cos(toRad(lat2))*sinLon*sinLon
	return 2 * 6371.0088 * math.Atan2(math.Sqrt(h), math.Sqrt(1-h))
}

func TestOrdersNearMatchesHaversine(t *testing.T) {
	ctx := context.Background()
	st := openDemo(t, 0.05, true)
	orders := locatedOrders(t, st)
	e := New(st, DefaultOptions().WithLogger(quiet))
	const lat, lon, radius = -23.5505, -46.6333, 50.0
	from := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

	for _, rng := range []storage.TimeRange{{}, {From: from, To: to}} {
		want := map[string]float64{}
		for i := range orders {
			o := &orders[i]
			if d := haversineKm(lat, lon, o.Location.Lat, o.Location.Lon); d <= radius && rng.Contains(o.PurchasedAt) {
				want[o.ID] = d
			}
		}
		if len(want) == 0 || len(want) > MaxNear {
			t.Fatalf("range %v: %d orders within %g km; the test needs 1 to %d", rng, len(want), radius, MaxNear)
		}
		near, err := e.OrdersNear(ctx, lat, lon, radius, rng.From, rng.To, MaxNear)
		if err != nil {
			t.Fatalf("range %v: orders near: %v", rng, err)
		}
		if len(near) != len(want) {
			t.Errorf("range %v: %d orders near, want %d", rng, len(near), len(want))
		}
		for i, n := range near {
			d, ok := want[n.Order.ID]
			if !ok {
				t.Errorf("range %v: order %s at %.3f km is not within %g km", rng, n.Order.ID, n.DistanceKm, radius)
				continue
			}
			if math.Abs(d-n.DistanceKm) > 1e-6 {
				t.Errorf("range %v: order %s at %.6f km, want %.6f", rng, n.Order.ID, n.DistanceKm, d)
			}
			if i > 0 && near[i-1].DistanceKm > n.DistanceKm {
				t.Errorf("range %v: order %d at %.3f km follows one at %.3f km: not nearest first", rng, i, n.DistanceKm, near[i-1].DistanceKm)
			}
		}
	}

	limited, err := e.OrdersNear(ctx, lat, lon, radius, time.Time{}, time.Time{}, 3)
	if err != nil {
		t.Fatalf("orders near, first 3: %v", err)
	}
	if len(limited) != 3 {
		t.Errorf("first 3 returned %d orders", len(limited))
	}
}

func TestHeatmapMatchesStore(t *testing.T) {
	ctx := context.Background()
	st := openDemo(t, 0.05, true)
	orders := locatedOrders(t, st)
	e := New(st, DefaultOptions().WithLogger(quiet))

	cells, err := e.Heatmap(ctx, ByGeohash, 4, time.Time{}, time.Time{})
	if err != nil {
		t.Fatalf("heat map: %v", err)
	}
	var total int64
	var revenue storage.Money
	byKey := map[string]HeatCell{}
	for _, c := range cells {
		total += c.Orders
		revenue += c.Revenue
		byKey[c.Key] = c
		if len(c.Key) != 4 {
			t.Errorf("cell %q: key of %d characters, want 4", c.Key, len(c.Key))
		}
	}
	var wantRevenue storage.Money
	for i := range orders {
		wantRevenue += orders[i].Total()
	}
	if total != int64(len(orders)) {
		t.Errorf("cells count %d orders, want the %d orders with a location", total, len(orders))
	}
	if revenue != wantRevenue {
		t.Errorf("cells hold revenue %s, want %s", revenue, wantRevenue)
	}
	if !sort.SliceIsSorted(cells, func(i, j int) bool { return cells[i].Key < cells[j].Key }) {
		t.Error("cells are not ordered by key")
	}
	// A precision-4 cell spans 360/2^10 degrees of longitude and 180/2^10
	// of latitude, so each order lies within half of that of its centre.
	const halfLon, halfLat = 360.0 / 1024 / 2, 180.0 / 1024 / 2
	for i := range orders {
		o := &orders[i]
		c, ok := byKey[Geohash(o.Location.Lat, o.Location.Lon, 4)]
		if !ok {
			t.Errorf("order %s: no cell for its location", o.ID)
			continue
		}
		if math.Abs(c.Lat-o.Location.Lat) > halfLat+1e-9 || math.Abs(c.Lon-o.Location.Lon) > halfLon+1e-9 {
			t.Errorf("order %s at %g,%g is outside cell %s centred at %g,%g", o.ID, o.Location.Lat, o.Location.Lon, c.Key, c.Lat, c.Lon)
		}
	}

	states, err := e.Heatmap(ctx, ByState, 0, time.Time{}, time.Time{})
	if err != nil {
		t.Fatalf("heat map by state: %v", err)
	}
	wantByState := map[string]int64{}
	for i := range orders {
		wantByState[orders[i].ShipTo.Country+"/"+orders[i].ShipTo.State]++
	}
	if len(states) != len(wantByState) {
		t.Errorf("%d state cells, want %d", len(states), len(wantByState))
	}
	for _, c := range states {
		if c.Orders != wantByState[c.Key] {
			t.Errorf("state %s: %d orders, want %d", c.Key, c.Orders, wantByState[c.Key])
		}
	}
}

func TestCohortsKeepFirstOrdersInRange(t *testing.T) {
	ctx := context.Background()
	st := openEmpty(t)
	order := func(id, user string, at time.Time) storage.Order {
		return storage.Order{ID: id, UserID: user, PurchasedAt: at,
			Items: []storage.OrderItem{{ProductID: "p1", Quantity: 1, UnitPrice: 100}}}
	}
	orders := []storage.Order{
		order("o1", "early", time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC)),
		order("o2", "late", time.Date(2024, 3, 20, 12, 0, 0, 0, time.UTC)),
		order("o3", "before", time.Date(2024, 2, 27, 12, 0, 0, 0, time.UTC)),
		order("o4", "before", time.Date(2024, 3, 6, 12, 0, 0, 0, time.UTC)),
	}
	if err := st.PutOrders(ctx, orders); err != nil {
		t.Fatalf("put orders: %v", err)
	}
	e := New(st, DefaultOptions().WithLogger(quiet))

	tests := []struct {
		name     string
		from, to time.Time
		want     map[string]int64 // users per cohort month
	}{
		{"open range", time.Time{}, time.Time{}, map[string]int64{"2024-02": 1, "2024-03": 2}},
		// Only "early" first ordered in [Mar 1, Mar 15), because "late"
		// did so after the range and "before" in February.
		{"mid-month end", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), map[string]int64{"2024-03": 1}},
		// A range starting mid-month keeps the first orders after its start.
		{"mid-month start", time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC), time.Time{}, map[string]int64{"2024-03": 1}},
	}
	for _, tc := range tests {
		cohorts, err := e.Cohorts(ctx, ByFirstOrder, tc.from, tc.to, 1)
		if err != nil {
			t.Fatalf("%s: cohorts: %v", tc.name, err)
		}
		got := map[string]int64{}
		for _, c := range cohorts {
			got[c.Month.Format("2006-01")] = c.Users
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: users per cohort %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestReviewMovesWhenOrderArrives(t *testing.T) {
	ctx := context.Background()
	opts := storage.DefaultOptions("").WithInMemory(true).WithLogger(quiet).WithTxnHook(rollup.NewTxnHook)
	st, err := storage.Open(opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	at := time.Date(2024, 5, 2, 15, 0, 0, 0, time.UTC)
	// Imports may write a review before its order: the rollups first count
	// it without a region and move it once the order arrives.
	review := storage.Review{ID: "r1", ProductID: "p1", UserID: "u1", OrderID: "o1", Rating: 4, CreatedAt: at.Add(48 * time.Hour)}
	if err := st.PutReviews(ctx, []storage.Review{review}); err != nil {
		t.Fatalf("put review: %v", err)
	}
	order := storage.Order{ID: "o1", UserID: "u1", PurchasedAt: at, ShipTo: storage.Region{Country: "BR", State: "SP", City: "Santos"},
		Items: []storage.OrderItem{{ProductID: "p1", SellerID: "s1", Quantity: 2, UnitPrice: 1990, Category: []string{"home", "kitchen"}}}}
	if err := st.PutOrders(ctx, []storage.Order{order}); err != nil {
		t.Fatalf("put order: %v", err)
	}
	queries := []Query{
		{Measures: []Measure{Reviews, AvgRating}, Dimensions: []Dimension{State, Category, Seller}},
		{Measures: []Measure{Reviews, Orders}, Dimensions: []Dimension{Time, City}, Granularity: Month},
	}
	checkRollupMatchesScan(t, st, queries, []Filter{{}, {Country: "BR", State: "SP"}})

	res, err := New(st, DefaultOptions().WithLogger(quiet)).Metrics(ctx, queries[0])
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	if len(res.Rows) != 1 || res.Rows[0].State != "SP" || res.Rows[0].SellerID != "s1" || res.Rows[0].Values[0].Num != 1 {
		t.Errorf("rows %+v, want the one review in SP under seller s1", res.Rows)
	}
}

func TestProductRecategorizationMovesRollups(t *testing.T) {
	ctx := context.Background()
	st := openDemo(t, 0.02, true)
	review, order := firstReviewedOrder(t, st)
	var product *storage.Product
	err := st.EachProduct(ctx, storage.ProductFilter{}, func(p *storage.Product) error {
		if p.ID == review.ProductID {
			pc := *p
			product = &pc
		}
		return nil
	})
	if err != nil || product == nil {
		t.Fatalf("find product %s of order %s: %v", review.ProductID, order.ID, err)
	}
	product.Category = []string{"recategorized", "by test"}
	if err := st.PutProducts(ctx, []storage.Product{*product}); err != nil {
		t.Fatalf("recategorize product: %v", err)
	}
	queries := []Query{
		{Measures: []Measure{Reviews, AvgRating}, Dimensions: []Dimension{Category}},
		{Measures: []Measure{Orders, Units, Revenue}, Dimensions: []Dimension{Time, Category}, Granularity: Month},
		{Measures: []Measure{Orders, Revenue, Reviews}, Dimensions: []Dimension{State, Category, Seller}},
	}
	checkRollupMatchesScan(t, st, queries, []Filter{{}})

	res, err := New(st, DefaultOptions().WithLogger(quiet)).Metrics(ctx, queries[0])
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	found := false
	for _, r := range res.Rows {
		found = found || strings.Join(r.Category, "/") == "recategorized/by test" && r.Values[0].Num > 0
	}
	if !found {
		t.Error("no reviews counted under the new category")
	}
}
