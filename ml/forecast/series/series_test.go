package series

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/shopsight/shopsight/storage"
)

func openStore(t *testing.T) *storage.Store {
	t.Helper()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := storage.Open(storage.DefaultOptions("").WithInMemory(true).WithLogger(discard))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// order returns an order of qty units of product p1 at unitCents each.
func order(id, user string, at time.Time, qty int32, unitCents storage.Money) storage.Order {
	return storage.Order{
		ID: id, UserID: user, Status: storage.OrderDelivered, PurchasedAt: at,
		ShipTo: storage.Region{Country: "BR", State: "SP", City: "São Paulo"},
		Items: []storage.OrderItem{{ProductID: "p1", SellerID: "s1", Quantity: qty, UnitPrice: unitCents,
			Category: []string{"casa", "cama"}}},
	}
}

func putOrders(t *testing.T, st *storage.Store, orders ...storage.Order) {
	t.Helper()
	ctx := context.Background()
	if err := st.PutSellers(ctx, []storage.Seller{{ID: "s1", Name: "S"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutProducts(ctx, []storage.Product{{ID: "p1", Title: "P", Category: []string{"casa", "cama"}, Price: 100, Currency: "BRL"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutOrders(ctx, orders); err != nil {
		t.Fatalf("put orders: %v", err)
	}
}

func TestMidnightAcrossSaoPauloDST(t *testing.T) {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		date string
		want string
	}{
		// Clocks jumped from 00:00 to 01:00: the day starts at 01:00 -02.
		{"2017-10-15", "2017-10-15T01:00:00-02:00"},
		// Clocks went back from 00:00 to 23:00 on the 17th: midnight is once.
		{"2018-02-18", "2018-02-18T00:00:00-03:00"},
		{"2018-02-17", "2018-02-17T00:00:00-02:00"},
	} {
		d, _ := time.Parse(time.DateOnly, tc.date)
		got := midnight(d.Year(), d.Month(), d.Day(), loc)
		if got.Format(time.RFC3339) != tc.want {
			t.Errorf("midnight(%s) = %s, want %s", tc.date, got.Format(time.RFC3339), tc.want)
		}
	}
}

func TestDailyBucketsAcrossDST(t *testing.T) {
	st := openStore(t)
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	// One order at 12:00 local time, and one at 00:30 UTC (the previous
	// local evening), every day around both DST changes.
	var orders []storage.Order
	var days []time.Time
	for _, span := range [][2]string{{"2017-10-10", "2017-10-20"}, {"2018-02-14", "2018-02-22"}} {
		from, _ := time.ParseInLocation(time.DateOnly, span[0], loc)
		to, _ := time.ParseInLocation(time.DateOnly, span[1], loc)
		// Step by civil date at noon: AddDate on a local midnight can land
		// on the previous evening where that midnight does not exist.
		for d := from.Add(12 * time.Hour); d.Before(to); d = d.AddDate(0, 0, 1) {
			noon := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc)
			days = append(days, noon)
			orders = append(orders, order("o"+noon.Format("20060102"), "u1", noon.UTC(), 1, 100))
		}
	}
	putOrders(t, st, orders...)

	s, err := NewBuilder(st).Build(context.Background(), Query{Key: Key{Metric: Units, Group: Product, ID: "p1", Granularity: Day, TimeZone: "America/Sao_Paulo"}})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	first := time.Date(2017, 10, 10, 12, 0, 0, 0, loc)
	last := time.Date(2018, 2, 21, 12, 0, 0, 0, loc)
	wantDays := 0
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		wantDays++
	}
	if len(s.Points) != wantDays {
		t.Fatalf("got %d daily buckets, want %d (one per calendar day)", len(s.Points), wantDays)
	}
	seen := map[string]bool{}
	var total int64
	for i, p := range s.Points {
		local := p.Start.In(loc)
		day := local.Format(time.DateOnly)
		if seen[day] {
			t.Errorf("day %s has two buckets", day)
		}
		seen[day] = true
		if h, m, _ := local.Clock(); !(h == 0 && m == 0) && day != "2017-10-15" {
			t.Errorf("bucket %d starts at %s, want local midnight", i, local)
		}
		if i > 0 {
			prev := s.Points[i-1].Start.In(loc).Add(12 * time.Hour)
			if got := prev.AddDate(0, 0, 1).Format(time.DateOnly); got != day {
				t.Errorf("bucket %d is %s, want the day after %s", i, day, prev.Format(time.DateOnly))
			}
		}
		total += p.Value
	}
	if total != int64(len(days)) {
		t.Errorf("units sum to %d, want %d", total, len(days))
	}
	for _, d := range []string{"2017-10-14", "2017-10-15", "2017-10-16", "2018-02-17", "2018-02-18"} {
		i := dayIndex(s, loc, d)
		if i < 0 || s.Points[i].Value != 1 {
			t.Errorf("day %s: want one unit, got bucket %d", d, i)
		}
	}
	if i := dayIndex(s, loc, "2017-12-01"); i < 0 || s.Points[i].Value != 0 {
		t.Errorf("day without orders: want a zero bucket, got index %d", i)
	}
}

func dayIndex(s *Series, loc *time.Location, day string) int {
	for i, p := range s.Points {
		if p.Start.In(loc).Format(time.DateOnly) == day {
			return i
		}
	}
	return -1
}

func TestWeeklyAndMonthlyBuckets(t *testing.T) {
	st := openStore(t)
	utc := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	putOrders(t, st,
		order("a", "u1", utc("2024-01-01T10:00:00Z"), 2, 150), // Monday, ISO week 1
		order("b", "u2", utc("2024-01-07T23:59:00Z"), 1, 150), // Sunday, same week
		order("c", "u1", utc("2024-01-08T00:00:00Z"), 3, 150), // next Monday
		order("d", "u3", utc("2024-03-31T12:00:00Z"), 1, 150), // March; February empty
	)
	b := NewBuilder(st)
	ctx := context.Background()
	week, err := b.Build(ctx, Query{Key: Key{Metric: Units, Group: All, Granularity: Week}})
	if err != nil {
		t.Fatal(err)
	}
	if got := week.Points[0]; !got.Start.Equal(utc("2024-01-01T00:00:00Z")) || got.Value != 3 {
		t.Errorf("first week = %v %d, want 2024-01-01 with 3 units", got.Start, got.Value)
	}
	if got := week.Points[1]; !got.Start.Equal(utc("2024-01-08T00:00:00Z")) || got.Value != 3 {
		t.Errorf("second week = %v %d, want 2024-01-08 with 3 units", got.Start, got.Value)
	}
	if len(week.Points) != 13 {
		t.Errorf("got %d weeks, want 13 (2024-01-01 to the week of 2024-03-25, which holds 2024-03-31)", len(week.Points))
	}
	if week.Season != 52 {
		t.Errorf("weekly season = %d, want 52", week.Season)
	}

	month, err := b.Build(ctx, Query{Key: Key{Metric: Customers, Group: All, Granularity: Month}})
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{2, 0, 1} // u1 and u2 in January; February is a zero bucket
	if len(month.Points) != len(want) {
		t.Fatalf("got %d months, want %d", len(month.Points), len(want))
	}
	for i, w := range want {
		if month.Points[i].Value != w {
			t.Errorf("month %d: %d customers, want %d", i, month.Points[i].Value, w)
		}
	}
	if !month.Points[1].Start.Equal(utc("2024-02-01T00:00:00Z")) {
		t.Errorf("second month starts %v, want 2024-02-01", month.Points[1].Start)
	}
}

func TestRevenueExactAndCanceledExcluded(t *testing.T) {
	st := openStore(t)
	at, _ := time.Parse(time.RFC3339, "2024-05-05T12:00:00Z")
	canceled := order("x", "u9", at, 100, 999)
	canceled.Status = storage.OrderCanceled
	// 0.10 + 0.20 + 0.30 in cents sums exactly to 60, which float sums of
	// the decimals do not.
	putOrders(t, st, order("a", "u1", at, 1, 10), order("b", "u2", at, 1, 20), order("c", "u3", at, 3, 10), canceled)
	ctx := context.Background()
	for _, tc := range []struct {
		metric Metric
		want   int64
	}{{Revenue, 60}, {Units, 5}, {Orders, 3}, {Customers, 3}} {
		s, err := NewBuilder(st).Build(ctx, Query{Key: Key{Metric: tc.metric, Group: Region, ID: "BR-SP", Granularity: Day}})
		if err != nil {
			t.Fatalf("%s: %v", tc.metric, err)
		}
		if len(s.Points) != 1 || s.Points[0].Value != tc.want {
			t.Errorf("%s = %+v, want one bucket of %d", tc.metric, s.Points, tc.want)
		}
	}
	s, _ := NewBuilder(st).Build(ctx, Query{Key: Key{Metric: Revenue, Group: Category, ID: "casa", Granularity: Day}})
	if got := s.Float()[0]; got != 0.6 {
		t.Errorf("revenue as float = %v, want 0.6 currency units", got)
	}
}

func TestBuildErrors(t *testing.T) {
	st := openStore(t)
	at, _ := time.Parse(time.RFC3339, "2024-05-05T12:00:00Z")
	putOrders(t, st, order("a", "u1", at, 1, 10))
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		q     Query
		field string
	}{
		{"unknown product", Query{Key: Key{Metric: Units, Group: Product, ID: "nope", Granularity: Day}}, "id"},
		{"bad zone", Query{Key: Key{Metric: Units, Group: All, Granularity: Day, TimeZone: "Mars/Olympus"}}, "timeZone"},
		{"missing id", Query{Key: Key{Metric: Units, Group: Seller, Granularity: Day}}, "id"},
		{"bad region", Query{Key: Key{Metric: Units, Group: Region, ID: "BR--x", Granularity: Day}}, "id"},
		{"empty category", Query{Key: Key{Metric: Units, Group: Category, ID: "toys", Granularity: Day}}, "id"},
		{"empty range", Query{Key: Key{Metric: Units, Group: All, Granularity: Day}, From: at.AddDate(1, 0, 0)}, "from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewBuilder(st).Build(ctx, tc.q)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an InputError", err)
			}
			if ie.Field != tc.field {
				t.Errorf("field = %q, want %q (%v)", ie.Field, tc.field, err)
			}
		})
	}
}

func TestBuildAllRegions(t *testing.T) {
	st := openStore(t)
	at, _ := time.Parse(time.RFC3339, "2024-05-05T12:00:00Z")
	rj := order("b", "u2", at.AddDate(0, 0, 2), 2, 10)
	rj.ShipTo = storage.Region{Country: "BR", State: "RJ", City: "Rio de Janeiro"}
	putOrders(t, st, order("a", "u1", at, 1, 10), rj)
	all, err := NewBuilder(st).BuildAll(context.Background(), AllOptions{Metric: Units, Group: Region, Granularity: Day, RegionLevel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Key.ID != "BR-RJ" || all[1].Key.ID != "BR-SP" {
		t.Fatalf("got %d series, want BR-RJ and BR-SP", len(all))
	}
	// Both end with the store's newest order; BR-SP has zeros after its sale.
	if got := len(all[1].Points); got != 3 {
		t.Errorf("BR-SP has %d buckets, want 3", got)
	}
}

func TestCategoryRegionSeries(t *testing.T) {
	st := openStore(t)
	at, _ := time.Parse(time.RFC3339, "2024-05-05T12:00:00Z")
	mixed := order("c", "u3", at.AddDate(0, 0, 1), 3, 10)
	mixed.Items = append(mixed.Items, storage.OrderItem{ProductID: "p1", SellerID: "s1", Quantity: 4, UnitPrice: 10,
		Category: []string{"casa", "mesa"}})
	rj := order("b", "u2", at.AddDate(0, 0, 2), 2, 10)
	rj.ShipTo = storage.Region{Country: "BR", State: "RJ", City: "Rio de Janeiro"}
	putOrders(t, st, order("a", "u1", at, 1, 10), mixed, rj)
	ctx := context.Background()
	b := NewBuilder(st)

	all, err := b.BuildAll(ctx, AllOptions{Metric: Units, Group: CategoryRegion, Granularity: Day, RegionLevel: 2})
	if err != nil {
		t.Fatalf("build all: %v", err)
	}
	got := map[string][]int64{}
	var ids []string
	for _, s := range all {
		ids = append(ids, s.Key.ID)
		for _, p := range s.Points {
			got[s.Key.ID] = append(got[s.Key.ID], p.Value)
		}
	}
	wantIDs := []string{"casa > cama @ BR-RJ", "casa > cama @ BR-SP", "casa > mesa @ BR-SP", "casa @ BR-RJ", "casa @ BR-SP"}
	if !slices.Equal(ids, wantIDs) {
		t.Fatalf("ids = %q, want %q", ids, wantIDs)
	}
	for id, want := range map[string][]int64{
		"casa @ BR-SP":        {1, 7, 0},
		"casa > mesa @ BR-SP": {4, 0},
		"casa @ BR-RJ":        {2},
	} {
		if !slices.Equal(got[id], want) {
			t.Errorf("units of %q = %v, want %v", id, got[id], want)
		}
	}

	for _, tc := range []struct {
		key  Key
		want []int64
	}{
		{Key{Metric: Units, Group: CategoryRegion, ID: "casa>mesa@BR-SP", Granularity: Day}, []int64{4, 0}},
		{Key{Metric: Units, Group: CategoryRegion, ID: "casa @ BR", Granularity: Day}, []int64{1, 7, 2}},
		{Key{Metric: Orders, Group: CategoryRegion, ID: "casa @ BR-SP-São Paulo", Granularity: Day}, []int64{1, 1, 0}},
	} {
		s, err := b.Build(ctx, Query{Key: tc.key})
		if err != nil {
			t.Errorf("build %s: %v", tc.key, err)
			continue
		}
		var values []int64
		for _, p := range s.Points {
			values = append(values, p.Value)
		}
		if !slices.Equal(values, tc.want) {
			t.Errorf("%s = %v, want %v", tc.key, values, tc.want)
		}
	}
}

func TestCategoryRegionInvalidIDs(t *testing.T) {
	st := openStore(t)
	at, _ := time.Parse(time.RFC3339, "2024-05-05T12:00:00Z")
	putOrders(t, st, order("a", "u1", at, 1, 10))
	for _, id := range []string{"casa", "casa @ ", "@ BR-SP", "casa > > cama @ BR-SP", "casa @ BR--x", "toys @ BR-SP"} {
		t.Run(id, func(t *testing.T) {
			_, err := NewBuilder(st).Build(context.Background(), Query{Key: Key{Metric: Units, Group: CategoryRegion, ID: id, Granularity: Day}})
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != "id" {
				t.Errorf("err = %v, want an InputError on id", err)
			}
		})
	}
}

func TestParseGroupCategoryRegion(t *testing.T) {
	for _, s := range []string{"category,region", "Category, Region", "CATEGORY_REGION"} {
		if g, err := ParseGroup(s); err != nil || g != CategoryRegion {
			t.Errorf("ParseGroup(%q) = %q, %v; want CATEGORY_REGION", s, g, err)
		}
	}
	if _, err := ParseGroup("region,category"); err == nil {
		t.Error("ParseGroup(region,category) succeeded, want an error")
	}
}

func TestIncompleteLastBucketDropped(t *testing.T) {
	st := openStore(t)
	utc := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	putOrders(t, st,
		order("a", "u1", utc("2024-01-03T10:00:00Z"), 5, 100), // week of 2024-01-01
		order("b", "u1", utc("2024-01-10T10:00:00Z"), 5, 100), // week of 2024-01-08
		order("c", "u1", utc("2024-02-14T10:00:00Z"), 1, 100), // Wednesday: its week and February are incomplete
	)
	b := NewBuilder(st)
	ctx := context.Background()
	week, err := b.Build(ctx, Query{Key: Key{Metric: Units, Group: All, Granularity: Week}})
	if err != nil {
		t.Fatal(err)
	}
	if last := week.Points[len(week.Points)-1].Start; !last.Equal(utc("2024-02-05T00:00:00Z")) {
		t.Errorf("last week starts %v, want 2024-02-05 (the week of 2024-02-12 is incomplete)", last)
	}
	month, err := b.Build(ctx, Query{Key: Key{Metric: Units, Group: All, Granularity: Month}})
	if err != nil {
		t.Fatal(err)
	}
	if len(month.Points) != 1 || month.Points[0].Value != 10 {
		t.Errorf("months = %+v, want only January with 10 units", month.Points)
	}
	day, err := b.Build(ctx, Query{Key: Key{Metric: Units, Group: All, Granularity: Day}})
	if err != nil {
		t.Fatal(err)
	}
	if last := day.Points[len(day.Points)-1]; !last.Start.Equal(utc("2024-02-14T00:00:00Z")) || last.Value != 1 {
		t.Errorf("last day = %v %d, want 2024-02-14 with 1 unit", last.Start, last.Value)
	}
	explicit, err := b.Build(ctx, Query{Key: Key{Metric: Units, Group: All, Granularity: Month}, To: utc("2024-03-01T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	if len(explicit.Points) != 2 {
		t.Errorf("months up to an explicit end = %d, want 2 (the caller's range is kept)", len(explicit.Points))
	}
}
