package auto

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shopsight/shopsight/ml/forecast"
)

func repeat(v float64, n int) []float64 {
	y := make([]float64, n)
	for i := range y {
		y[i] = v
	}
	return y
}

func intermittent(n int) []float64 {
	y := make([]float64, n)
	for i := range y {
		if i%11 == 3 || i%17 == 5 {
			y[i] = float64(1 + i%3)
		}
	}
	return y
}

func withOutlier(n int) []float64 {
	y := make([]float64, n)
	for i := range y {
		y[i] = 50 + 10*math.Sin(2*math.Pi*float64(i)/7) + 3*math.Sin(float64(i)*12.9898)
	}
	y[n/2] = 1e6
	return y
}

// TestEdgeCases runs every model on degenerate series and checks that the
// forecasts exist, are finite, have ordered bounds, and stay >= 0 for counts.
func TestEdgeCases(t *testing.T) {
	cases := []struct {
		name  string
		y     []float64
		count bool
		// wantMean, when not NaN, is the expected value of every forecast.
		wantMean float64
	}{
		{"constant", repeat(7, 60), false, 7},
		{"all zeros", repeat(0, 60), true, 0},
		{"intermittent", intermittent(120), true, math.NaN()},
		{"shorter than season", []float64{3, 5, 4, 6}, false, math.NaN()},
		{"single point", []float64{42}, false, 42},
		{"huge outlier", withOutlier(140), true, math.NaN()},
		{"two points", []float64{1, 2}, true, math.NaN()},
	}
	const h = 14
	for _, name := range Names() {
		model, err := ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			r, err := model.Forecast(context.Background(), forecast.Series{Values: c.y, Season: 7, Count: c.count}, h)
			if err != nil {
				t.Errorf("%s on %s: %v", name, c.name, err)
				continue
			}
			if len(r.Mean) != h || len(r.Lower95) != h || len(r.Upper95) != h {
				t.Errorf("%s on %s: %d forecasts, want %d", name, c.name, len(r.Mean), h)
				continue
			}
			if len(r.Fitted) != len(c.y) || len(r.Residuals) != len(c.y) {
				t.Errorf("%s on %s: %d fitted values for %d observations", name, c.name, len(r.Fitted), len(c.y))
			}
			for j := range h {
				vals := []float64{r.Lower95[j], r.Lower80[j], r.Mean[j], r.Upper80[j], r.Upper95[j]}
				for k, v := range vals {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Errorf("%s on %s: step %d value %d is %v", name, c.name, j, k, v)
					}
					if k > 0 && v < vals[k-1]-1e-9 {
						t.Errorf("%s on %s: step %d bounds out of order: %v", name, c.name, j, vals)
					}
					if c.count && v < 0 {
						t.Errorf("%s on %s: step %d negative value %v for a count series", name, c.name, j, v)
					}
				}
				if !math.IsNaN(c.wantMean) && math.Abs(r.Mean[j]-c.wantMean) > 1e-9 {
					t.Errorf("%s on %s: mean[%d] = %v, want %v", name, c.name, j, r.Mean[j], c.wantMean)
				}
			}
			// Outlier-robustness: forecasts stay near the bulk of the data.
			if c.name == "huge outlier" && r.Mean[0] > 1000 {
				t.Errorf("%s on %s: mean[0] = %v, want near 50", name, c.name, r.Mean[0])
			}
		}
	}
}

func TestEdgeCasesRejectBadInput(t *testing.T) {
	for _, name := range Names() {
		model, err := ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := model.Forecast(ctx, forecast.Series{Season: 7}, 5); !errors.Is(err, forecast.ErrEmptySeries) {
			t.Errorf("%s on empty series: error %v, want ErrEmptySeries", name, err)
		}
		if _, err := model.Forecast(ctx, forecast.Series{Values: []float64{1, math.NaN(), 3}, Season: 7}, 5); err == nil {
			t.Errorf("%s accepted NaN", name)
		}
		if _, err := model.Forecast(ctx, forecast.Series{Values: []float64{1, 2, 3}}, 0); err == nil {
			t.Errorf("%s accepted horizon 0", name)
		}
	}
}

func TestAutoPrefersSeasonalModel(t *testing.T) {
	y := make([]float64, 140)
	for i := range y {
		y[i] = 100 + 0.5*float64(i) + 20*math.Sin(2*math.Pi*float64(i)/7) + 2*math.Sin(float64(i)*12.9898)
	}
	r, err := New(DefaultOptions()).Forecast(context.Background(), forecast.Series{Values: y, Season: 7}, 14)
	if err != nil {
		t.Fatal(err)
	}
	// Seasonal naive cannot follow the trend, so a fitted model should win.
	if r.Params["backtest_mase_snaive"] <= math.Min(r.Params["backtest_mase_ets"], r.Params["backtest_mase_arima"]) {
		t.Errorf("seasonal naive backtest MASE %v is not worse than ETS %v / ARIMA %v", r.Params["backtest_mase_snaive"], r.Params["backtest_mase_ets"], r.Params["backtest_mase_arima"])
	}
	if _, ok := r.Params["backtest_mase_ets"]; !ok {
		t.Errorf("params %v lack backtest_mase_ets", r.Params)
	}
}

func TestCombineAveragesMembers(t *testing.T) {
	s := forecast.Series{Values: []float64{1, 2, 3}, Count: true}
	a := &forecast.Result{Model: "A", Params: map[string]float64{"x": 1}, Fitted: []float64{1, 2, 3}, Mean: []float64{4, -4}}
	a.SetIntervals([]float64{1, 1})
	b := &forecast.Result{Model: "B", Params: map[string]float64{"x": 2}, Fitted: []float64{math.NaN(), 2, 2}, Mean: []float64{6, -2}}
	b.SetIntervals([]float64{3, 3})
	r := combine(s, []*forecast.Result{a, b})
	if r.Model != "Mean(A, B)" {
		t.Errorf("model = %q, want Mean(A, B)", r.Model)
	}
	if r.Mean[0] != 5 {
		t.Errorf("mean[0] = %v, want 5", r.Mean[0])
	}
	if r.Mean[1] != 0 || r.Lower95[1] != 0 {
		t.Errorf("step 2 = %v (lower95 %v), want clipped to 0 for counts", r.Mean[1], r.Lower95[1])
	}
	if got, want := r.Upper95[0], 5+2*forecast.Z95; math.Abs(got-want) > 1e-12 {
		t.Errorf("upper95[0] = %v, want %v", got, want)
	}
	if !math.IsNaN(r.Fitted[0]) || r.Fitted[2] != 2.5 {
		t.Errorf("fitted = %v, want [NaN 2 2.5]", r.Fitted)
	}
	if r.Params["A.x"] != 1 || r.Params["B.x"] != 2 {
		t.Errorf("params = %v, want A.x=1 and B.x=2", r.Params)
	}
}

// TestShortSeriesNeverFail fits every model to short random series of every
// length from 1 to 40, including negative values and long runs of zeros.
func TestShortSeriesNeverFail(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, name := range Names() {
		model, err := ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 40; n++ {
			y := make([]float64, n)
			for i := range y {
				switch rng.IntN(3) {
				case 0:
					y[i] = 0
				case 1:
					y[i] = rng.NormFloat64() * 5
				default:
					y[i] = 100 + rng.NormFloat64()*10
				}
			}
			r, err := model.Forecast(context.Background(), forecast.Series{Values: y, Season: 7}, 10)
			if err != nil {
				t.Errorf("%s on %d values: %v", name, n, err)
				continue
			}
			for j, v := range r.Upper95 {
				if math.IsNaN(v) || math.IsInf(v, 0) || math.IsNaN(r.Mean[j]) {
					t.Errorf("%s on %d values: step %d mean %v upper95 %v", name, n, j, r.Mean[j], v)
				}
			}
		}
	}
}
