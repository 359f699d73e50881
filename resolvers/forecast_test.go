package resolvers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	forecastsvc "github.com/shopsight/shopsight/ml/forecast/service"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

// newForecastServer serves a demo store at scale 0.05 with a forecast
// service and returns the demo's stats.
func newForecastServer(t *testing.T) (*testServer, demo.Stats) {
	t.Helper()
	store := openMemoryStore(t, storage.DefaultOptions(""))
	stats, err := demo.Generate(context.Background(), demo.DefaultConfig().WithScale(0.05), store)
	if err != nil {
		t.Fatalf("generate demo: %v", err)
	}
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := forecastsvc.Open(context.Background(), store, forecastsvc.DefaultOptions().WithLogger(discard))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return serveStore(t, store, func(o Options) Options {
		return o.WithForecast(func() *forecastsvc.Service { return svc })
	}), stats
}

func TestForecastQueries(t *testing.T) {
	s, stats := newForecastServer(t)
	var spike demo.Anomaly
	for _, a := range stats.Anomalies {
		if a.Kind == demo.AnomalyDemandSpike {
			spike = a
		}
	}

	var ts struct {
		TimeSeries struct {
			Points []struct {
				Start time.Time
				Value float64
			}
			Season int
		}
	}
	s.ok(`{ timeSeries(metric: UNITS, groupBy: ALL, granularity: MONTH) { points { start value } season } }`, nil, &ts)
	if n := len(ts.TimeSeries.Points); n != 24 || ts.TimeSeries.Season != 12 {
		t.Errorf("monthly demo series: %d points, season %d; want 24 and 12", n, ts.TimeSeries.Season)
	}

	var fc struct {
		Forecast struct {
			Points []struct {
				Start                                    time.Time
				Mean, Lower80, Upper80, Lower95, Upper95 float64
			}
			Model      string
			Parameters []struct{ Name string }
			Backtest   *struct{ Mae, Rmse, Smape float64 }
			Cached     bool
		}
	}
	query := `query($id: String) { forecast(metric: REVENUE, groupBy: REGION, id: $id, granularity: DAY, horizon: 8, model: ETS) {
		points { start mean lower80 upper80 lower95 upper95 } model parameters { name } backtest { mae rmse smape } cached } }`
	vars := map[string]any{"id": "CN"}
	s.ok(query, vars, &fc)
	f := fc.Forecast
	if len(f.Points) != 8 || f.Model == "" || len(f.Parameters) == 0 || f.Backtest == nil || f.Cached {
		t.Fatalf("forecast = %+v, want 8 fresh points, a model, parameters and a backtest", f)
	}
	for i, p := range f.Points {
		if !(p.Lower95 <= p.Lower80 && p.Lower80 <= p.Mean && p.Mean <= p.Upper80 && p.Upper80 <= p.Upper95) {
			t.Errorf("point %d intervals out of order: %+v", i, p)
		}
		if i > 0 && p.Start.Sub(f.Points[i-1].Start) != 24*time.Hour {
			t.Errorf("point %d starts %v, want a day after the previous (UTC)", i, p.Start)
		}
	}
	s.ok(query, vars, &fc)
	if !fc.Forecast.Cached {
		t.Errorf("second identical forecast was not served from the cache")
	}

	var an struct {
		Anomalies []struct {
			Start     time.Time
			Direction string
		}
	}
	s.ok(`query($id: String) { anomalies(metric: UNITS, groupBy: PRODUCT, id: $id, granularity: DAY) { start value expected score direction } }`,
		map[string]any{"id": spike.ProductID}, &an)
	found := false
	for _, a := range an.Anomalies {
		found = found || (a.Start.Equal(spike.From) && a.Direction == "UP")
	}
	if !found {
		t.Errorf("anomalies missed the demo spike of %s on %s: %+v", spike.ProductID, spike.From.Format(time.DateOnly), an.Anomalies)
	}
	var watched struct{ WatchedAnomalies []struct{ ID string } }
	s.ok(`{ watchedAnomalies { id method anomalies { start } } }`, nil, &watched)
	if len(watched.WatchedAnomalies) != 1 || watched.WatchedAnomalies[0].ID != spike.ProductID {
		t.Errorf("watched = %+v, want the queried product", watched.WatchedAnomalies)
	}
}

func TestForecastInputErrors(t *testing.T) {
	s, _ := newForecastServer(t)
	for _, tc := range []struct {
		name, query, field string
	}{
		{"unknown product", `{ forecast(metric: UNITS, groupBy: PRODUCT, id: "nope", granularity: DAY, horizon: 7) { model } }`, "id"},
		{"bad zone", `{ timeSeries(metric: UNITS, groupBy: ALL, granularity: DAY, timeZone: "Mars/Base") { season } }`, "timeZone"},
		{"horizon too long", `{ forecast(metric: UNITS, groupBy: ALL, granularity: DAY, horizon: 366) { model } }`, "horizon"},
		{"empty range", `{ timeSeries(metric: UNITS, groupBy: ALL, granularity: DAY, from: "2030-01-01T00:00:00Z") { season } }`, "from"},
		{"category region without region", `{ timeSeries(metric: UNITS, groupBy: CATEGORY_REGION, id: "toys", granularity: DAY) { season } }`, "id"},
		{"category region without orders", `{ forecast(metric: UNITS, groupBy: CATEGORY_REGION, id: "no such category @ BR-SP", granularity: DAY, horizon: 7) { model } }`, "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := s.with(t).fail(tc.query, nil)
			if e.code() != "BAD_USER_INPUT" || e.field() != tc.field {
				t.Errorf("error = %s %q (%s), want BAD_USER_INPUT on %q", e.code(), e.field(), e.Message, tc.field)
			}
		})
	}
}

func TestForecastShortHorizons(t *testing.T) {
	s, _ := newForecastServer(t)
	for _, model := range []string{"AUTO", "SEASONAL_NAIVE", "ETS", "ARIMA"} {
		for _, h := range []int{1, 2} {
			var out struct {
				Forecast struct {
					Points []struct{ Mean float64 }
				}
			}
			q := fmt.Sprintf(`{ forecast(metric: UNITS, groupBy: ALL, granularity: DAY, horizon: %d, model: %s) { points { mean } } }`, h, model)
			s.ok(q, nil, &out)
			if len(out.Forecast.Points) != h {
				t.Errorf("%s horizon %d: %d points, want %d", model, h, len(out.Forecast.Points), h)
			}
		}
	}
}
