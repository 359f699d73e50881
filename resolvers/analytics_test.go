package resolvers

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/graph/auth"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
	"github.com/shopsight/shopsight/storage/rollup"
)

// analyticsFixture is a GraphQL server with admin access over a demo store
// kept up to date by the rollup hook, and the store's records for direct
// checks.
type analyticsFixture struct {
	srv     *testServer
	orders  []storage.Order
	reviews []storage.Review
	users   []storage.User
}

func newAnalyticsFixture(t *testing.T) *analyticsFixture {
	t.Helper()
	ctx := context.Background()
	store := openMemoryStore(t, storage.DefaultOptions("").WithTxnHook(rollup.NewTxnHook))
	if _, err := demo.Generate(ctx, demo.DefaultConfig().WithScale(0.05), store); err != nil {
		t.Fatalf("generate demo data: %v", err)
	}
	f := &analyticsFixture{}
	err := store.EachOrder(ctx, storage.OrderFilter{}, func(o *storage.Order) error { f.orders = append(f.orders, *o); return nil })
	if err == nil {
		err = store.EachReview(ctx, storage.ReviewFilter{}, func(r *storage.Review) error { f.reviews = append(f.reviews, *r); return nil })
	}
	if err == nil {
		err = store.EachUser(ctx, storage.UserFilter{}, func(u *storage.User) error { f.users = append(f.users, *u); return nil })
	}
	if err != nil {
		t.Fatalf("read demo records: %v", err)
	}
	if len(f.orders) == 0 || len(f.reviews) == 0 {
		t.Fatalf("demo data has %d orders and %d reviews; the tests need both", len(f.orders), len(f.reviews))
	}

	// Every request gets role admin, as with serve --insecure-no-auth,
	// because ordersNear returns exact locations only to admin.
	h, err := NewHandler(store, DefaultOptions().WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	hs := httptest.NewServer(auth.Open(h))
	t.Cleanup(hs.Close)
	f.srv = &testServer{t: t, store: store, url: hs.URL, rec: &statsRecorder{}}
	return f
}

// metricValueJSON is one MetricValue of a response.
type metricValueJSON struct {
	Measure  string   `json:"measure"`
	Value    *string  `json:"value"`
	Amount   *string  `json:"amount"`
	Number   *float64 `json:"number"`
	Previous *string  `json:"previous"`
	Change   *float64 `json:"change"`
}

// metricsRowJSON is one MetricsRow of a response.
type metricsRowJSON struct {
	Time     *time.Time        `json:"time"`
	Country  *string           `json:"country"`
	State    *string           `json:"state"`
	City     *string           `json:"city"`
	Category []string          `json:"category"`
	SellerID *string           `json:"sellerId"`
	Others   bool              `json:"others"`
	Values   []metricValueJSON `json:"values"`
}

type metricsResultJSON struct {
	Rows      []metricsRowJSON `json:"rows"`
	Truncated bool             `json:"truncated"`
	Source    string           `json:"source"`
}

const metricsQuery = `query($measures: [Measure!]!, $dimensions: [Dimension!], $granularity: Granularity, $timeZone: String,
  $weekStart: Weekday, $from: DateTime, $to: DateTime, $filter: MetricsFilter, $compare: CompareMode, $rolling: Int, $topN: TopN) {
  metrics(measures: $measures, dimensions: $dimensions, granularity: $granularity, timeZone: $timeZone, weekStart: $weekStart,
    from: $from, to: $to, filter: $filter, compare: $compare, rolling: $rolling, topN: $topN) {
    rows { time country state city category sellerId others values { measure value amount number previous change } }
    truncated source
  }
}`

// metrics runs the metrics field with vars and fails the test on errors.
func (f *analyticsFixture) metrics(t *testing.T, vars map[string]any) metricsResultJSON {
	t.Helper()
	var out struct {
		Metrics metricsResultJSON `json:"metrics"`
	}
	f.srv.with(t).ok(metricsQuery, vars, &out)
	return out.Metrics
}

// cents parses a Decimal amount and fails the test when it is null.
func cents(t *testing.T, s *string) storage.Money {
	t.Helper()
	if s == nil {
		t.Fatal("amount is null, want a Decimal")
	}
	m, err := storage.ParseMoney(*s)
	if err != nil {
		t.Fatalf("parse Decimal %q: %v", *s, err)
	}
	return m
}

// count parses an integer measure value.
func count(t *testing.T, v metricValueJSON) int64 {
	t.Helper()
	if v.Value == nil {
		t.Fatalf("%s value is null, want a count", v.Measure)
	}
	var n int64
	if _, err := fmt.Sscan(*v.Value, &n); err != nil {
		t.Fatalf("parse %s value %q: %v", v.Measure, *v.Value, err)
	}
	return n
}

// totals returns the ORDERS (first value) and REVENUE (second value)
// summed over rows.
func totals(t *testing.T, rows []metricsRowJSON) (int64, storage.Money) {
	t.Helper()
	var orders int64
	var revenue storage.Money
	for _, r := range rows {
		orders += count(t, r.Values[0])
		revenue += cents(t, r.Values[1].Amount)
		if *r.Values[1].Value != *r.Values[1].Amount {
			t.Errorf("REVENUE value %q differs from amount %q", *r.Values[1].Value, *r.Values[1].Amount)
		}
	}
	return orders, revenue
}

// ordersIn returns the number and the revenue of f's orders purchased in
// [from, to). Zero bounds are open.
func (f *analyticsFixture) ordersIn(from, to time.Time) (int64, storage.Money) {
	rng := storage.TimeRange{From: from, To: to}
	var n int64
	var revenue storage.Money
	for i := range f.orders {
		if rng.Contains(f.orders[i].PurchasedAt) {
			n++
			revenue += f.orders[i].Total()
		}
	}
	return n, revenue
}

func rfc(t time.Time) string { return t.Format(time.RFC3339) }

func TestAnalyticsGraphQL(t *testing.T) {
	f := newAnalyticsFixture(t)
	t.Run("dimensions", f.testDimensions)
	t.Run("granularities", f.testGranularities)
	t.Run("time zone", f.testTimeZone)
	t.Run("week start", f.testWeekStart)
	t.Run("compare", f.testCompare)
	t.Run("rolling", f.testRolling)
	t.Run("top n", f.testTopN)
	t.Run("reviews", f.testReviews)
	t.Run("delivery", f.testDelivery)
	t.Run("orders near", f.testOrdersNear)
	t.Run("heat map", f.testHeatmap)
	t.Run("funnel", f.testFunnel)
	t.Run("cohorts", f.testCohorts)
	t.Run("bad input", f.testBadInput)
}

func (f *analyticsFixture) testDimensions(t *testing.T) {
	wantOrders, wantRevenue := f.ordersIn(time.Time{}, time.Time{})
	tests := []struct {
		dims []string
		// additive reports whether ORDERS adds up to the order count. It
		// does not with CATEGORY or SELLER, because an order counts in
		// every category or seller group it has items in.
		additive bool
	}{
		{[]string{"STATE"}, true},
		{[]string{"TIME", "STATE"}, true},
		{[]string{"TIME", "COUNTRY", "CATEGORY"}, false},
		{[]string{"CITY", "CATEGORY", "SELLER"}, false},
	}
	for _, tc := range tests {
		res := f.metrics(t, map[string]any{"measures": []string{"ORDERS", "REVENUE"}, "dimensions": tc.dims, "granularity": "MONTH"})
		if res.Source != "ROLLUP" {
			t.Errorf("%v: source %s, want ROLLUP", tc.dims, res.Source)
		}
		orders, revenue := totals(t, res.Rows)
		if revenue != wantRevenue {
			t.Errorf("%v: REVENUE sums to %s over %d rows, want %s summed over the orders", tc.dims, revenue, len(res.Rows), wantRevenue)
		}
		if tc.additive && orders != wantOrders {
			t.Errorf("%v: ORDERS sums to %d, want %d", tc.dims, orders, wantOrders)
		}
		if !tc.additive && orders < wantOrders {
			t.Errorf("%v: ORDERS sums to %d, want at least the %d orders", tc.dims, orders, wantOrders)
		}
		has := strings.Join(tc.dims, ",")
		for _, r := range res.Rows {
			if strings.Contains(has, "TIME") != (r.Time != nil) {
				t.Errorf("%v: row %+v has time %v, want it set exactly with TIME", tc.dims, r, r.Time)
				break
			}
			if strings.Contains(has, "SELLER") != (r.SellerID != nil) {
				t.Errorf("%v: row %+v has sellerId %v, want it set exactly with SELLER", tc.dims, r, r.SellerID)
				break
			}
			if strings.Contains(has, "CITY") && (r.Country == nil || r.State == nil || r.City == nil) {
				t.Errorf("%v: city row %+v lacks its country or state", tc.dims, r)
				break
			}
		}
	}

	e := f.srv.with(t).fail(metricsQuery, map[string]any{"measures": []string{"ORDERS"}, "dimensions": []string{"TIME", "STATE", "CATEGORY", "SELLER"}})
	if e.code() != "BAD_USER_INPUT" {
		t.Errorf("4 dimensions: code %s (%s), want BAD_USER_INPUT", e.code(), e.Message)
	}
	if e.field() != "dimensions" {
		t.Errorf("4 dimensions: field %q (%s), want dimensions", e.field(), e.Message)
	}
}

// bucketStart returns the start of the bucket of at, computed directly
// from the calendar.
func bucketStart(at time.Time, granularity string, loc *time.Location, weekStart time.Weekday) time.Time {
	l := at.In(loc)
	y, m, d := l.Date()
	switch granularity {
	case "HOUR":
		return l.Truncate(time.Hour)
	case "WEEK":
		back := (int(l.Weekday()) - int(weekStart) + 7) % 7
		return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
	case "MONTH":
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	case "QUARTER":
		return time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, loc)
	case "YEAR":
		return time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// checkBuckets compares the ORDERS and REVENUE of rows with f's orders
// grouped by bucketStart.
func (f *analyticsFixture) checkBuckets(t *testing.T, name string, rows []metricsRowJSON, granularity string, loc *time.Location, weekStart time.Weekday) {
	t.Helper()
	type sums struct {
		orders  int64
		revenue storage.Money
	}
	want := map[int64]sums{}
	for i := range f.orders {
		o := &f.orders[i]
		k := bucketStart(o.PurchasedAt, granularity, loc, weekStart).Unix()
		s := want[k]
		s.orders++
		s.revenue += o.Total()
		want[k] = s
	}
	if len(rows) != len(want) {
		t.Errorf("%s: %d rows, want %d buckets with orders", name, len(rows), len(want))
	}
	for _, r := range rows {
		if r.Time == nil {
			t.Fatalf("%s: row without time", name)
		}
		w, ok := want[r.Time.Unix()]
		if !ok {
			t.Errorf("%s: row at %s is not the start of a bucket with orders", name, r.Time.In(loc))
			continue
		}
		if got := count(t, r.Values[0]); got != w.orders {
			t.Errorf("%s: bucket %s has %d orders, want %d", name, r.Time.In(loc), got, w.orders)
		}
		if got := cents(t, r.Values[1].Amount); got != w.revenue {
			t.Errorf("%s: bucket %s has revenue %s, want %s", name, r.Time.In(loc), got, w.revenue)
		}
	}
}

func (f *analyticsFixture) testGranularities(t *testing.T) {
	for _, g := range []string{"HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"} {
		res := f.metrics(t, map[string]any{"measures": []string{"ORDERS", "REVENUE"}, "dimensions": []string{"TIME"}, "granularity": g})
		wantSource := "ROLLUP"
		if g == "HOUR" {
			wantSource = "SCAN"
		}
		if res.Source != wantSource {
			t.Errorf("%s: source %s, want %s", g, res.Source, wantSource)
		}
		f.checkBuckets(t, g, res.Rows, g, time.UTC, time.Monday)
	}
}

func (f *analyticsFixture) testTimeZone(t *testing.T) {
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	vars := map[string]any{"measures": []string{"ORDERS", "REVENUE"}, "dimensions": []string{"TIME"}, "granularity": "DAY"}
	utc := f.metrics(t, vars)
	vars["timeZone"] = "America/Sao_Paulo"
	local := f.metrics(t, vars)
	if local.Source != "SCAN" {
		t.Errorf("São Paulo days: source %s, want SCAN: rollup cells are UTC days", local.Source)
	}
	f.checkBuckets(t, "UTC days", utc.Rows, "DAY", time.UTC, time.Monday)
	f.checkBuckets(t, "São Paulo days", local.Rows, "DAY", sp, time.Monday)
	for _, r := range local.Rows {
		if r.Time.UTC().Hour() != 3 {
			t.Errorf("São Paulo day starts at %s, want 03:00 UTC (UTC−3 without DST since 2019)", r.Time.UTC())
			break
		}
	}
	// The demo spreads purchases over the local day, so some orders fall
	// between 00:00 and 03:00 UTC and the two sets of days differ.
	differ := len(utc.Rows) != len(local.Rows)
	for i := 0; !differ && i < len(utc.Rows); i++ {
		differ = *utc.Rows[i].Values[0].Value != *local.Rows[i].Values[0].Value
	}
	if !differ {
		t.Error("UTC and São Paulo days have the same counts; the time zone had no effect")
	}
}

func (f *analyticsFixture) testWeekStart(t *testing.T) {
	for _, ws := range []struct {
		name string
		day  time.Weekday
	}{{"MONDAY", time.Monday}, {"SUNDAY", time.Sunday}, {"WEDNESDAY", time.Wednesday}} {
		res := f.metrics(t, map[string]any{"measures": []string{"ORDERS", "REVENUE"}, "dimensions": []string{"TIME"}, "granularity": "WEEK", "weekStart": ws.name})
		for _, r := range res.Rows {
			if r.Time.Weekday() != ws.day || r.Time.Hour() != 0 {
				t.Errorf("weekStart %s: bucket starts %s, want a %s midnight", ws.name, r.Time, ws.day)
				break
			}
		}
		f.checkBuckets(t, "weeks from "+ws.name, res.Rows, "WEEK", time.UTC, ws.day)
	}
}

// byTime indexes rows by their bucket start.
func byTime(rows []metricsRowJSON) map[int64]metricsRowJSON {
	out := map[int64]metricsRowJSON{}
	for _, r := range rows {
		out[r.Time.Unix()] = r
	}
	return out
}

func (f *analyticsFixture) testCompare(t *testing.T) {
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	vars := map[string]any{"measures": []string{"ORDERS", "REVENUE"}, "dimensions": []string{"TIME"}, "granularity": "MONTH",
		"from": rfc(from), "to": rfc(to), "compare": "PREVIOUS_PERIOD"}
	res := f.metrics(t, vars)
	plain := byTime(f.metrics(t, map[string]any{"measures": []string{"ORDERS", "REVENUE"}, "dimensions": []string{"TIME"},
		"granularity": "MONTH", "from": rfc(from.AddDate(0, -6, 0)), "to": rfc(to)}).Rows)
	if len(res.Rows) != 6 {
		t.Fatalf("%d rows, want the 6 months of the range", len(res.Rows))
	}
	for _, r := range res.Rows {
		if r.Time.Before(from) || !r.Time.Before(to) {
			t.Errorf("row at %s is outside the range", r.Time)
		}
		prev, ok := plain[r.Time.AddDate(0, -6, 0).Unix()]
		if !ok {
			t.Fatalf("no orders 6 months before %s; the test needs them", r.Time)
		}
		for i := range r.Values {
			if r.Values[i].Previous == nil || *r.Values[i].Previous != *prev.Values[i].Value {
				t.Errorf("%s %s: previous %q, want %s from 6 months earlier", r.Time.Format("2006-01"), r.Values[i].Measure,
					deref(r.Values[i].Previous), *prev.Values[i].Value)
				continue
			}
			cur, p := *r.Values[i].Number, *prev.Values[i].Number
			if r.Values[i].Change == nil || math.Abs(*r.Values[i].Change-(cur-p)/p) > 1e-9 {
				t.Errorf("%s %s: change %v, want (%g − %g) / %g", r.Time.Format("2006-01"), r.Values[i].Measure, r.Values[i].Change, cur, p, p)
			}
		}
	}
}

func (f *analyticsFixture) testRolling(t *testing.T) {
	from := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	res := f.metrics(t, map[string]any{"measures": []string{"ORDERS", "REVENUE"}, "dimensions": []string{"TIME"}, "granularity": "DAY",
		"from": rfc(from), "to": rfc(to), "rolling": 7})
	daily := byTime(f.metrics(t, map[string]any{"measures": []string{"ORDERS", "REVENUE"}, "dimensions": []string{"TIME"},
		"granularity": "DAY", "from": rfc(from.AddDate(0, 0, -6)), "to": rfc(to)}).Rows)
	got := byTime(res.Rows)
	for day := from; day.Before(to); day = day.AddDate(0, 0, 1) {
		var orders int64
		var revenue storage.Money
		for k := 0; k < 7; k++ {
			if r, ok := daily[day.AddDate(0, 0, -k).Unix()]; ok {
				orders += count(t, r.Values[0])
				revenue += cents(t, r.Values[1].Amount)
			}
		}
		r, ok := got[day.Unix()]
		if !ok {
			if orders != 0 {
				t.Errorf("%s: no row, want %d orders over the 7 days ending that day", day.Format("2006-01-02"), orders)
			}
			continue
		}
		if n := count(t, r.Values[0]); n != orders {
			t.Errorf("%s: %d orders, want %d over the 7 days ending that day", day.Format("2006-01-02"), n, orders)
		}
		if m := cents(t, r.Values[1].Amount); m != revenue {
			t.Errorf("%s: revenue %s, want %s over the 7 days ending that day", day.Format("2006-01-02"), m, revenue)
		}
	}
	if len(res.Rows) == 0 || len(res.Rows) > 31 {
		t.Errorf("%d rows, want 1 to 31 for March", len(res.Rows))
	}
}

func (f *analyticsFixture) testTopN(t *testing.T) {
	all := f.metrics(t, map[string]any{"measures": []string{"REVENUE", "ORDERS"}, "dimensions": []string{"STATE"}})
	if len(all.Rows) <= 3 {
		t.Fatalf("%d states; the test needs more than 3", len(all.Rows))
	}
	revenues := make([]storage.Money, len(all.Rows))
	var total storage.Money
	for i, r := range all.Rows {
		revenues[i] = cents(t, r.Values[0].Amount)
		total += revenues[i]
	}
	sort.Slice(revenues, func(i, j int) bool { return revenues[i] > revenues[j] })

	top := f.metrics(t, map[string]any{"measures": []string{"REVENUE", "ORDERS"}, "dimensions": []string{"STATE"},
		"topN": map[string]any{"n": 3, "by": "REVENUE"}})
	if len(top.Rows) != 4 {
		t.Fatalf("%d rows, want 3 states and an others row", len(top.Rows))
	}
	var sum, named storage.Money
	var others *metricsRowJSON
	for i, r := range top.Rows {
		m := cents(t, r.Values[0].Amount)
		sum += m
		if r.Others {
			others = &top.Rows[i]
			continue
		}
		named += m
		if m < revenues[2] {
			t.Errorf("state %v with revenue %s is in the top 3, whose smallest revenue is %s", deref(r.State), m, revenues[2])
		}
	}
	if others == nil {
		t.Fatal("no row has others set")
	}
	if sum != total {
		t.Errorf("top 3 and others sum to %s, want the total %s", sum, total)
	}
	if want := revenues[0] + revenues[1] + revenues[2]; named != want {
		t.Errorf("top 3 revenue %s, want %s", named, want)
	}
}

func (f *analyticsFixture) testReviews(t *testing.T) {
	var ratingSum int64
	for _, r := range f.reviews {
		ratingSum += int64(r.Rating)
	}
	res := f.metrics(t, map[string]any{"measures": []string{"REVIEWS", "AVG_RATING"}})
	if len(res.Rows) != 1 {
		t.Fatalf("%d rows, want 1", len(res.Rows))
	}
	v := res.Rows[0].Values
	if got := count(t, v[0]); got != int64(len(f.reviews)) {
		t.Errorf("REVIEWS %d, want %d", got, len(f.reviews))
	}
	want := big.NewRat(ratingSum, int64(len(f.reviews))).FloatString(4)
	if v[1].Value == nil || *v[1].Value != want {
		t.Errorf("AVG_RATING %v, want %s", v[1].Value, want)
	}
	if v[1].Amount != nil {
		t.Errorf("AVG_RATING has amount %q, want null for a measure that is not money", *v[1].Amount)
	}

	byState := f.metrics(t, map[string]any{"measures": []string{"REVIEWS"}, "dimensions": []string{"STATE"}})
	var n int64
	for _, r := range byState.Rows {
		n += count(t, r.Values[0])
	}
	if n != int64(len(f.reviews)) {
		t.Errorf("REVIEWS by state sum to %d, want %d", n, len(f.reviews))
	}
}

func (f *analyticsFixture) testDelivery(t *testing.T) {
	world := map[string]any{"boundingBox": map[string]any{"minLat": -90, "minLon": -180, "maxLat": 90, "maxLon": 180}}
	tests := []struct {
		name   string
		filter map[string]any
		source string
		keep   func(o *storage.Order) bool
	}{
		{"all orders", nil, "ROLLUP", func(*storage.Order) bool { return true }},
		// A bounding box needs a scan, which must compute the same sums.
		{"whole world box", world, "SCAN", func(o *storage.Order) bool { return o.Location != nil }},
	}
	for _, tc := range tests {
		var delivered, seconds, withEstimate, late int64
		for i := range f.orders {
			o := &f.orders[i]
			if o.DeliveredAt.IsZero() || !tc.keep(o) {
				continue
			}
			delivered++
			seconds += int64(o.DeliveredAt.Sub(o.PurchasedAt) / time.Second)
			if !o.EstimatedDeliveryAt.IsZero() {
				withEstimate++
				if o.DeliveredAt.After(o.EstimatedDeliveryAt) {
					late++
				}
			}
		}
		if delivered == 0 || late == 0 {
			t.Fatalf("%s: %d delivered and %d late orders; the test needs both", tc.name, delivered, late)
		}
		vars := map[string]any{"measures": []string{"DELIVERY_DAYS", "LATE_DELIVERY_RATE"}}
		if tc.filter != nil {
			vars["filter"] = tc.filter
		}
		res := f.metrics(t, vars)
		if len(res.Rows) != 1 {
			t.Fatalf("%s: %d rows, want 1", tc.name, len(res.Rows))
		}
		if res.Source != tc.source {
			t.Errorf("%s: source %s, want %s", tc.name, res.Source, tc.source)
		}
		v := res.Rows[0].Values
		wantDays := big.NewRat(seconds, delivered*86400).FloatString(4)
		wantRate := big.NewRat(late, withEstimate).FloatString(4)
		if v[0].Value == nil || *v[0].Value != wantDays {
			t.Errorf("%s: DELIVERY_DAYS %v, want %s", tc.name, v[0].Value, wantDays)
		}
		if v[1].Value == nil || *v[1].Value != wantRate {
			t.Errorf("%s: LATE_DELIVERY_RATE %v, want %s", tc.name, v[1].Value, wantRate)
		}
	}
}

func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	a := math.Pow(math.Sin(rad(lat2-lat1)/2), 2) + math.Cos(rad(lat1))*math.Cos(rad(lat2))*math.Pow(math.Sin(rad(lon2-lon1)/2), 2)
	return 2 * 6371.0088 * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
}

func (f *analyticsFixture) testOrdersNear(t *testing.T) {
	const lat, lon, radius = -23.5505, -46.6333, 50.0
	type near struct {
		id string
		km float64
	}
	var want []near
	for i := range f.orders {
		o := &f.orders[i]
		if o.Location == nil {
			continue
		}
		if d := haversine(lat, lon, o.Location.Lat, o.Location.Lon); d <= radius {
			want = append(want, near{o.ID, d})
		}
	}
	if len(want) == 0 {
		t.Fatalf("no order within %g km of São Paulo", radius)
	}
	// Nearest first, ties (orders of one user share a location) by id.
	sort.Slice(want, func(i, j int) bool {
		if want[i].km != want[j].km {
			return want[i].km < want[j].km
		}
		return want[i].id < want[j].id
	})
	// The page size limit of the GraphQL API is 100.
	const first = 100
	if len(want) > first {
		want = want[:first]
	}

	var out struct {
		OrdersNear []struct {
			Order struct {
				ID string `json:"id"`
			} `json:"order"`
			DistanceKm float64 `json:"distanceKm"`
		} `json:"ordersNear"`
	}
	f.srv.with(t).ok(`query($lat: Float!, $lon: Float!, $r: Float!, $first: Int) {
	  ordersNear(lat: $lat, lon: $lon, radiusKm: $r, first: $first) { order { id } distanceKm } }`,
		map[string]any{"lat": lat, "lon": lon, "r": radius, "first": first}, &out)
	if len(out.OrdersNear) != len(want) {
		t.Fatalf("%d orders near, want %d", len(out.OrdersNear), len(want))
	}
	for i, n := range out.OrdersNear {
		if n.Order.ID != want[i].id {
			t.Errorf("order %d is %s at %.6f km, want %s at %.6f km", i, n.Order.ID, n.DistanceKm, want[i].id, want[i].km)
			continue
		}
		if math.Abs(n.DistanceKm-want[i].km) > 1e-6 {
			t.Errorf("order %s at %.6f km, want %.6f", n.Order.ID, n.DistanceKm, want[i].km)
		}
	}
}

func (f *analyticsFixture) testHeatmap(t *testing.T) {
	var out struct {
		GeoHeatmap []struct {
			Key     string `json:"key"`
			Orders  int64  `json:"orders"`
			Revenue string `json:"revenue"`
		} `json:"geoHeatmap"`
	}
	f.srv.with(t).ok(`{ geoHeatmap(precision: 4) { key orders revenue } }`, nil, &out)
	var orders, located int64
	var revenue, wantRevenue storage.Money
	for _, c := range out.GeoHeatmap {
		orders += c.Orders
		revenue += cents(t, &c.Revenue)
		if len(c.Key) != 4 {
			t.Errorf("cell %q: want a 4-character geohash", c.Key)
		}
	}
	for i := range f.orders {
		if f.orders[i].Location != nil {
			located++
			wantRevenue += f.orders[i].Total()
		}
	}
	if located == 0 {
		t.Fatal("no demo order has a location")
	}
	if orders != located {
		t.Errorf("cells count %d orders, want the %d orders with a location", orders, located)
	}
	if revenue != wantRevenue {
		t.Errorf("cells hold revenue %s, want %s", revenue, wantRevenue)
	}
}

type funnelResult struct {
	Funnel []struct {
		Time  *time.Time `json:"time"`
		Steps []struct {
			Step     string `json:"step"`
			Sessions int64  `json:"sessions"`
		} `json:"steps"`
	} `json:"funnel"`
}

const funnelQuery = `query($region: RegionFilter, $granularity: Granularity) {
  funnel(steps: [VIEW, CART, PURCHASE], region: $region, granularity: $granularity) { time steps { step sessions } } }`

func (f *analyticsFixture) testFunnel(t *testing.T) {
	var views int64
	for _, region := range []map[string]any{nil, {"country": "BR", "state": "SP"}} {
		var out funnelResult
		f.srv.with(t).ok(funnelQuery, map[string]any{"region": region}, &out)
		if len(out.Funnel) != 1 {
			t.Fatalf("region %v: %d rows, want 1 without granularity", region, len(out.Funnel))
		}
		steps := out.Funnel[0].Steps
		if len(steps) != 3 || steps[0].Sessions == 0 {
			t.Fatalf("region %v: steps %+v, want VIEW, CART and PURCHASE with sessions", region, steps)
		}
		for i := 1; i < len(steps); i++ {
			if steps[i].Sessions > steps[i-1].Sessions {
				t.Errorf("region %v: %s has %d sessions, more than %s with %d", region, steps[i].Step, steps[i].Sessions,
					steps[i-1].Step, steps[i-1].Sessions)
			}
		}
		if region == nil {
			views = steps[0].Sessions
		} else if steps[0].Sessions >= views {
			t.Errorf("region %v: %d view sessions, want fewer than the %d of all regions", region, steps[0].Sessions, views)
		}
	}

	var monthly funnelResult
	f.srv.with(t).ok(funnelQuery, map[string]any{"granularity": "MONTH"}, &monthly)
	var sum int64
	for _, row := range monthly.Funnel {
		if row.Time == nil || row.Time.Day() != 1 {
			t.Errorf("monthly row time %v, want the first of a month", row.Time)
		}
		sum += row.Steps[0].Sessions
	}
	if sum != views {
		t.Errorf("monthly view sessions sum to %d, want %d", sum, views)
	}
}

func (f *analyticsFixture) testCohorts(t *testing.T) {
	var out struct {
		Cohorts []struct {
			Month     time.Time  `json:"month"`
			Users     int64      `json:"users"`
			Active    []int64    `json:"active"`
			Retention []*float64 `json:"retention"`
		} `json:"cohorts"`
	}
	buyers := map[string]bool{}
	for i := range f.orders {
		buyers[f.orders[i].UserID] = true
	}
	signups := 0
	for _, u := range f.users {
		if !u.SignupAt.IsZero() {
			signups++
		}
	}
	for _, tc := range []struct {
		by        string
		wantUsers int
	}{{"FIRST_ORDER", len(buyers)}, {"SIGNUP", signups}} {
		f.srv.with(t).ok(`query($by: CohortBy!) { cohorts(by: $by, periods: 3) { month users active retention } }`,
			map[string]any{"by": tc.by}, &out)
		var users int64
		for _, c := range out.Cohorts {
			users += c.Users
			if len(c.Active) != 4 || len(c.Retention) != 4 {
				t.Fatalf("%s %s: %d active and %d retention values, want 4", tc.by, c.Month.Format("2006-01"), len(c.Active), len(c.Retention))
			}
			if c.Month.Day() != 1 || c.Month.Hour() != 0 {
				t.Errorf("%s: cohort month %s, want a UTC month start", tc.by, c.Month)
			}
			for k := range c.Active {
				want := float64(c.Active[k]) / float64(c.Users)
				if c.Retention[k] == nil || math.Abs(*c.Retention[k]-want) > 5e-5 {
					t.Errorf("%s %s month %d: retention %v, want %d/%d", tc.by, c.Month.Format("2006-01"), k, c.Retention[k], c.Active[k], c.Users)
				}
			}
			if tc.by == "FIRST_ORDER" && c.Active[0] != c.Users {
				t.Errorf("%s: %d of %d users active in their first-order month, want all", c.Month.Format("2006-01"), c.Active[0], c.Users)
			}
		}
		if users != int64(tc.wantUsers) {
			t.Errorf("%s: cohorts hold %d users, want %d", tc.by, users, tc.wantUsers)
		}
	}
}

func (f *analyticsFixture) testBadInput(t *testing.T) {
	s := f.srv.with(t)
	tests := []struct {
		name, query, field string
	}{
		{"unknown zone", `{ metrics(measures: [ORDERS], timeZone: "Mars/Olympus") { source } }`, "timeZone"},
		{"from after to", `{ metrics(measures: [ORDERS], from: "2025-02-01T00:00:00Z", to: "2025-01-01T00:00:00Z") { source } }`, "to"},
		{"rolling without time", `{ metrics(measures: [ORDERS], rolling: 7, from: "2025-01-01T00:00:00Z", to: "2025-02-01T00:00:00Z") { source } }`, "rolling"},
		{"radius 0", `{ ordersNear(lat: -23.5, lon: -46.6, radiusKm: 0) { distanceKm } }`, "radiusKm"},
		{"negative radius", `{ ordersNear(lat: -23.5, lon: -46.6, radiusKm: -5) { distanceKm } }`, "radiusKm"},
		{"precision 0", `{ geoHeatmap(precision: 0) { key } }`, "precision"},
		{"precision 13", `{ geoHeatmap(precision: 13) { key } }`, "precision"},
		{"empty steps", `{ funnel(steps: []) { time } }`, "steps"},
		{"session gap 0", `{ funnel(steps: [VIEW], sessionGapMinutes: 0) { time } }`, "sessionGapMinutes"},
		{"funnel from after to", `{ funnel(steps: [VIEW], from: "2025-02-01T00:00:00Z", to: "2025-01-01T00:00:00Z") { time } }`, "to"},
		{"cohort periods", `{ cohorts(periods: 99) { users } }`, "periods"},
	}
	for _, tc := range tests {
		e := s.fail(tc.query, nil)
		if e.code() != "BAD_USER_INPUT" {
			t.Errorf("%s: code %s (%s), want BAD_USER_INPUT", tc.name, e.code(), e.Message)
		}
		if e.field() != tc.field {
			t.Errorf("%s: field %q (%s), want %s", tc.name, e.field(), e.Message, tc.field)
		}
		if !strings.Contains(e.Message, tc.field) {
			t.Errorf("%s: message %q does not name %s", tc.name, e.Message, tc.field)
		}
	}
}
