package lstm

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/metrics"
	"github.com/shopsight/shopsight/ml/forecast/naive"
)

// testOptions returns options with few epochs, so each fit takes seconds.
func testOptions() Options {
	return DefaultOptions().WithEpochs(12).WithPaths(100)
}

// sineTrend returns a noiseless series with a trend, a weekly sine and a
// 30-step sine, shifted by phase and scaled by amplitude.
func sineTrend(n int, phase, amplitude float64) []float64 {
	y := make([]float64, n)
	for i := range y {
		t := float64(i) + phase
		y[i] = amplitude * (10 + 0.05*t + 3*math.Sin(2*math.Pi*t/7) + 2*math.Sin(2*math.Pi*t/30))
	}
	return y
}

// checkResult fails the test when r has the wrong lengths, non-finite
// values, unordered bounds or, for counts, negative values.
func checkResult(t *testing.T, r *forecast.Result, n, h int, count bool) {
	t.Helper()
	if len(r.Mean) != h || len(r.Lower80) != h || len(r.Upper80) != h || len(r.Lower95) != h || len(r.Upper95) != h {
		t.Fatalf("forecast lengths %d/%d/%d/%d/%d, want %d", len(r.Mean), len(r.Lower80), len(r.Upper80), len(r.Lower95), len(r.Upper95), h)
	}
	if len(r.Fitted) != n || len(r.Residuals) != n {
		t.Errorf("%d fitted values and %d residuals for %d observations", len(r.Fitted), len(r.Residuals), n)
	}
	for i := range h {
		bounds := []float64{r.Lower95[i], r.Lower80[i], r.Mean[i], r.Upper80[i], r.Upper95[i]}
		for _, v := range bounds {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("step %d: non-finite value in %v", i+1, bounds)
			}
		}
		if !slices.IsSorted(bounds) {
			t.Errorf("step %d: bounds lower95, lower80, mean, upper80, upper95 = %v are not ordered", i+1, bounds)
		}
		if count && bounds[0] < 0 {
			t.Errorf("step %d: count forecast has negative lower95 %v", i+1, bounds[0])
		}
	}
}

func TestLearnsSineTrend(t *testing.T) {
	const n, h = 300, 14
	y := sineTrend(n, 0, 1)
	train, actual := y[:n-h], y[n-h:]
	s := forecast.Series{Values: train, Season: 7}
	r, err := New(testOptions()).Forecast(context.Background(), s, h)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, len(train), h, false)
	snaive, err := naive.Seasonal{}.Forecast(context.Background(), s, h)
	if err != nil {
		t.Fatal(err)
	}
	mase := metrics.MASE(train, actual, r.Mean, 7)
	if mase >= 1 {
		t.Errorf("MASE = %.4f, want < 1", mase)
	}
	lstmMAE, naiveMAE := metrics.MAE(actual, r.Mean), metrics.MAE(actual, snaive.Mean)
	if lstmMAE >= naiveMAE {
		t.Errorf("holdout MAE = %.4f, want below seasonal naive %.4f", lstmMAE, naiveMAE)
	}
	t.Logf("MASE %.4f, MAE %.4f vs seasonal naive %.4f, %v epochs", mase, lstmMAE, naiveMAE, r.Params["epochs"])
}

func TestSameSeedSameForecast(t *testing.T) {
	s := forecast.Series{Values: noisyCounts(200, 1), Season: 7, Count: true}
	opts := testOptions().WithEpochs(8).WithSeed(42)
	first, err := New(opts).Forecast(context.Background(), s, 14)
	if err != nil {
		t.Fatal(err)
	}
	second, err := New(opts).Forecast(context.Background(), s, 14)
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2][]float64{
		{first.Mean, second.Mean}, {first.Lower80, second.Lower80}, {first.Upper80, second.Upper80},
		{first.Lower95, second.Lower95}, {first.Upper95, second.Upper95},
	} {
		if !slices.Equal(pair[0], pair[1]) {
			t.Errorf("two fits with seed 42 differ: %v and %v", pair[0], pair[1])
		}
	}
	other, err := New(opts.WithSeed(7)).Forecast(context.Background(), s, 14)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(first.Mean, other.Mean) {
		t.Error("seeds 42 and 7 give the same forecast, so the seed has no effect")
	}
}

// noisyCounts returns low daily counts with a weekly pattern, many of them
// 0, from a fixed seed.
func noisyCounts(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 99))
	weekly := []float64{0.5, 1, 1.5, 1, 0.5, 3, 4}
	y := make([]float64, n)
	for i := range y {
		mean := weekly[i%7]
		y[i] = math.Max(0, math.Round(mean+math.Sqrt(mean)*rng.NormFloat64()))
	}
	return y
}

func TestIntervalsOrderedCountsClipped(t *testing.T) {
	cases := []struct {
		name  string
		y     []float64
		count bool
	}{
		{"low counts", noisyCounts(250, 3), true},
		{"sine trend", sineTrend(250, 3, 2), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := New(testOptions().WithEpochs(8)).Forecast(context.Background(), forecast.Series{Values: c.y, Season: 7, Count: c.count}, 28)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r, len(c.y), 28, c.count)
			if c.count && slices.Min(r.Mean) < 0 {
				t.Errorf("count forecast has negative mean %v", slices.Min(r.Mean))
			}
			last := len(r.Mean) - 1
			if r.Upper95[last]-r.Lower95[last] <= 0 {
				t.Errorf("95 %% interval at step 28 has width %v, want > 0", r.Upper95[last]-r.Lower95[last])
			}
		})
	}
}

func TestGlobalModelThreeSeries(t *testing.T) {
	const n, h = 260, 14
	full := [][]float64{sineTrend(n, 0, 1), sineTrend(n, 2, 3), sineTrend(n, 5, 0.5)}
	var series []forecast.Series
	for _, y := range full {
		series = append(series, forecast.Series{Values: y[:n-h], Season: 7})
	}
	g, err := TrainGlobal(context.Background(), series, testOptions().WithEpochs(12))
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 3 {
		t.Fatalf("Len() = %d, want 3", g.Len())
	}
	for i, y := range full {
		r, err := g.Forecast(context.Background(), i, h)
		if err != nil {
			t.Fatalf("series %d: %v", i, err)
		}
		checkResult(t, r, n-h, h, false)
		if got, want := r.Params["train_windows"]+r.Params["val_windows"], float64(3*(n-h-7-28)); got != want {
			t.Errorf("series %d: %v training plus validation windows, want %v from all 3 series", i, got, want)
		}
		mase := metrics.MASE(y[:n-h], y[n-h:], r.Mean, 7)
		if mase >= 1 {
			t.Errorf("series %d: MASE = %.4f, want < 1", i, mase)
		}
	}
	if _, err := g.Forecast(context.Background(), 3, h); err == nil {
		t.Error("Forecast accepted series index 3 of 3")
	}
}

func TestEdgeCases(t *testing.T) {
	const h = 14
	constant := make([]float64, 80)
	for i := range constant {
		constant[i] = 7
	}
	cases := []struct {
		name         string
		y            []float64
		count        bool
		wantMean     float64 // NaN when any value will do
		wantFallback bool
	}{
		{"constant", constant, false, 7, false},
		{"all zeros", make([]float64, 80), true, 0, false},
		{"shorter than window plus horizon", sineTrend(40, 0, 1), false, math.NaN(), true},
		{"single point", []float64{5}, true, 5, false},
		{"two points", []float64{1, 2}, true, math.NaN(), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := New(testOptions()).Forecast(context.Background(), forecast.Series{Values: c.y, Season: 7, Count: c.count}, h)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r, len(c.y), h, c.count)
			if !math.IsNaN(c.wantMean) {
				for i, v := range r.Mean {
					if v != c.wantMean {
						t.Errorf("step %d: mean %v, want %v", i+1, v, c.wantMean)
					}
				}
			}
			if got := r.Params["fallback_snaive"] == 1; got != c.wantFallback {
				t.Errorf("fallback_snaive = %v, want %v (model %s)", got, c.wantFallback, r.Model)
			}
		})
	}
}

func TestInvalidInput(t *testing.T) {
	good := sineTrend(100, 0, 1)
	withNaN := slices.Clone(good)
	withNaN[50] = math.NaN()
	cases := []struct {
		name string
		opts Options
		y    []float64
		h    int
	}{
		{"NaN value", testOptions(), withNaN, 7},
		{"empty series", testOptions(), nil, 7},
		{"zero horizon", testOptions(), good, 0},
		{"zero hidden size", testOptions().WithHidden(0), good, 7},
		{"negative learning rate", testOptions().WithLearningRate(-1), good, 7},
		{"too few paths", testOptions().WithPaths(2), good, 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := New(c.opts).Forecast(context.Background(), forecast.Series{Values: c.y, Season: 7}, c.h); err == nil {
				t.Error("Forecast returned no error")
			}
		})
	}
	if _, err := TrainGlobal(context.Background(), []forecast.Series{{Values: good, Season: 7}, {Values: withNaN, Season: 7}}, testOptions()); err == nil {
		t.Error("TrainGlobal accepted a series with NaN")
	}
	if _, err := TrainGlobal(context.Background(), nil, testOptions()); err == nil {
		t.Error("TrainGlobal accepted no series")
	}
}

func TestCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(testOptions()).Forecast(ctx, forecast.Series{Values: sineTrend(200, 0, 1), Season: 7}, 7)
	if err == nil {
		t.Fatal("Forecast with a canceled context returned no error")
	}
}
