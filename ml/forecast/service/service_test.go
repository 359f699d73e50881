package service

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/shopsight/shopsight/ml/forecast/series"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

// openDemo returns a fresh in-memory store with the demo data at scale
// 0.05 and its stats.
func openDemo(t testing.TB) (*storage.Store, demo.Stats) {
	t.Helper()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := storage.Open(storage.DefaultOptions("").WithInMemory(true).WithLogger(discard))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	stats, err := demo.Generate(context.Background(), demo.DefaultConfig().WithScale(0.05), st)
	if err != nil {
		t.Fatalf("generate demo: %v", err)
	}
	return st, stats
}

func openService(t *testing.T, st *storage.Store) *Service {
	t.Helper()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := Open(context.Background(), st, DefaultOptions().WithLogger(discard))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

func TestForecastCacheInvalidation(t *testing.T) {
	st, stats := openDemo(t)
	svc := openService(t, st)
	ctx := context.Background()
	spike := stats.Anomalies[0]
	req := ForecastRequest{Key: series.Key{Metric: series.Units, Group: series.Product, ID: spike.ProductID, Granularity: series.Week},
		Model: ModelETS, Horizon: 4}

	first, err := svc.Forecast(ctx, req)
	if err != nil {
		t.Fatalf("forecast: %v", err)
	}
	if len(first.Points) != 4 || first.Cached {
		t.Fatalf("first forecast: %d points, cached %v; want 4 fresh points", len(first.Points), first.Cached)
	}
	second, err := svc.Forecast(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Cached || svc.Fits() != 1 {
		t.Fatalf("second forecast: cached %v after %d fits, want a cache hit after 1 fit", second.Cached, svc.Fits())
	}

	// An order of another product before the history's end leaves it.
	other := storage.Order{ID: "extra-other", UserID: "u-test", Status: storage.OrderDelivered,
		PurchasedAt: first.History[1].Start.Add(time.Hour),
		Items:       []storage.OrderItem{{ProductID: "nope", SellerID: "nope", Quantity: 1, UnitPrice: 100}}}
	if err := st.PutOrders(ctx, []storage.Order{other}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if svc.CachedForecasts() != 1 {
		t.Errorf("order of another product invalidated the forecast")
	}

	in := other
	in.ID = "extra-in-range"
	in.Items = []storage.OrderItem{{ProductID: spike.ProductID, SellerID: "nope", Quantity: 50, UnitPrice: 100}}
	if err := st.PutOrders(ctx, []storage.Order{in}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := svc.CachedForecasts(); n != 0 {
		t.Fatalf("%d cached forecasts after an order in range, want 0", n)
	}
	third, err := svc.Forecast(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if third.Cached || svc.Fits() != 2 {
		t.Errorf("third forecast: cached %v after %d fits, want a refit (2 fits)", third.Cached, svc.Fits())
	}
	if third.History[1].Value != first.History[1].Value+50 {
		t.Errorf("refit history bucket = %d, want %d + 50", third.History[1].Value, first.History[1].Value)
	}
}

func TestAnomaliesFindDemoSpike(t *testing.T) {
	st, stats := openDemo(t)
	svc := openService(t, st)
	ctx := context.Background()
	var spike demo.Anomaly
	for _, a := range stats.Anomalies {
		if a.Kind == demo.AnomalyDemandSpike {
			spike = a
		}
	}
	key := series.Key{Metric: series.Units, Group: series.Product, ID: spike.ProductID, Granularity: series.Day}
	for _, method := range []string{MethodRobust, MethodGESD, MethodInterval} {
		t.Run(method, func(t *testing.T) {
			found, err := svc.Anomalies(ctx, AnomalyRequest{Key: key, Method: method})
			if err != nil {
				t.Fatal(err)
			}
			if !hasUpAt(found, spike.From) {
				t.Errorf("%s did not flag the spike of %s on %s among %d anomalies", method, spike.ProductID, spike.From.Format(time.DateOnly), len(found))
			}
		})
	}

	// A watched series is re-scanned when one of its orders changes.
	w, err := svc.Watch(ctx, key, MethodRobust)
	if err != nil {
		t.Fatal(err)
	}
	day := w.End.AddDate(0, 0, -3).Add(12 * time.Hour)
	order := storage.Order{ID: "burst", UserID: "u-test", Status: storage.OrderDelivered, PurchasedAt: day,
		Items: []storage.OrderItem{{ProductID: spike.ProductID, SellerID: "nope", Quantity: 500, UnitPrice: 100}}}
	if err := st.PutOrders(ctx, []storage.Order{order}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	watched, err := svc.WatchedAnomalies(ctx)
	if err != nil || len(watched) != 1 {
		t.Fatalf("watched = %d series, err %v; want 1", len(watched), err)
	}
	if !hasUpAt(watched[0].Anomalies, time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)) {
		t.Errorf("watched series was not re-scanned after the new order on %s", day.Format(time.DateOnly))
	}
}

func hasUpAt(found []Anomaly, start time.Time) bool {
	for _, a := range found {
		if a.Start.Equal(start) && a.Direction == "UP" {
			return true
		}
	}
	return false
}

func TestForecastRequestErrors(t *testing.T) {
	st, _ := openDemo(t)
	svc := openService(t, st)
	key := series.Key{Metric: series.Units, Group: series.All, Granularity: series.Day}
	for _, tc := range []struct {
		name  string
		req   ForecastRequest
		field string
	}{
		{"horizon zero", ForecastRequest{Key: key, Horizon: 0}, "horizon"},
		{"horizon too long", ForecastRequest{Key: key, Horizon: MaxHorizon + 1}, "horizon"},
		{"unknown model", ForecastRequest{Key: key, Horizon: 7, Model: "prophet"}, "model"},
		{"bad zone", ForecastRequest{Key: series.Key{Metric: series.Units, Group: series.All, Granularity: series.Day, TimeZone: "Nowhere/City"}, Horizon: 7}, "timeZone"},
		{"unknown seller", ForecastRequest{Key: series.Key{Metric: series.Units, Group: series.Seller, ID: "nope", Granularity: series.Day}, Horizon: 7}, "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Forecast(context.Background(), tc.req)
			var ie *series.InputError
			if !errors.As(err, &ie) || ie.Field != tc.field {
				t.Errorf("err = %v, want an InputError on %q", err, tc.field)
			}
		})
	}
}

// BenchmarkForecastAutoDemo measures one AUTO forecast (fit and 3-origin
// backtest, no cache) of the demo's daily UNITS series per top-level
// category.
func BenchmarkForecastAutoDemo(b *testing.B) {
	st, _ := openDemo(b)
	svc, err := Open(context.Background(), st, DefaultOptions().WithReadOnly(true))
	if err != nil {
		b.Fatal(err)
	}
	all, err := svc.Builder().BuildAll(context.Background(), series.AllOptions{Metric: series.Units, Group: series.Category, Granularity: series.Day})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ser := all[i%len(all)]
		req := ForecastRequest{Key: ser.Key, Model: ModelAuto, Horizon: 28}
		if _, err := svc.fit(context.Background(), ser, req); err != nil {
			b.Fatal(err)
		}
	}
}

func TestImpactCategoryRegion(t *testing.T) {
	at := time.Date(2024, 5, 5, 12, 0, 0, 0, time.UTC)
	imp := impactOf(&storage.Order{ID: "o1", PurchasedAt: at, ShipTo: storage.Region{Country: "BR", State: "SP", City: "Campinas"},
		Items: []storage.OrderItem{{ProductID: "p1", SellerID: "s1", Quantity: 1, Category: []string{"casa", "cama"}}}})
	end := at.AddDate(0, 1, 0)
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"casa @ BR", true},
		{"casa > cama @ BR-SP", true},
		{"casa > cama @ BR-SP-Campinas", true},
		{"casa > mesa @ BR-SP", false},
		{"casa @ BR-RJ", false},
	} {
		key := series.Key{Metric: series.Units, Group: series.CategoryRegion, ID: tc.id, Granularity: series.Day}
		if got := imp.affects(key, false, time.Time{}, end); got != tc.want {
			t.Errorf("affects(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}
