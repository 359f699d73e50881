package arima

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/shopsight/shopsight/ml/forecast"
)

// ar1 returns y_t = c + phi*y_{t-1} + e_t with deterministic pseudo-noise.
func ar1(n int, phi float64) []float64 {
	y := make([]float64, n)
	prev := 0.0
	for t := range y {
		noise := math.Sin(float64(t)*12.9898) * 43758.5453
		noise -= math.Floor(noise)
		prev = phi*prev + (noise - 0.5)
		y[t] = 10 + prev
	}
	return y
}

func TestARIMAFitsAR1(t *testing.T) {
	y := ar1(400, 0.7)
	r, err := New(DefaultOptions().WithOrder(Order{P: 1, Constant: true})).Forecast(context.Background(), forecast.Series{Values: y}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Params["ar1"]; math.Abs(got-0.7) > 0.1 {
		t.Errorf("ar1 = %v, want about 0.7", got)
	}
	if got := r.Params["constant"]; math.Abs(got-10) > 0.2 {
		t.Errorf("constant = %v, want about 10", got)
	}
	// One step ahead: c + phi*(y_n - c).
	c := r.Params["constant"]
	want := c + r.Params["ar1"]*(y[len(y)-1]-c)
	if math.Abs(r.Mean[0]-want) > 1e-6 {
		t.Errorf("mean[0] = %v, want %v", r.Mean[0], want)
	}
}

func TestARIMAAutoOnTrend(t *testing.T) {
	y := make([]float64, 200)
	for i := range y {
		y[i] = 5 + 0.5*float64(i) + ar1(200, 0.3)[i]
	}
	r, err := New(DefaultOptions()).Forecast(context.Background(), forecast.Series{Values: y}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Model, "ARIMA(") {
		t.Errorf("model = %q, want an ARIMA", r.Model)
	}
	// The trend continues at about 0.5 per step.
	if got := r.Mean[9] - r.Mean[0]; math.Abs(got-4.5) > 1.5 {
		t.Errorf("forecast rises %v over 9 steps, want about 4.5 (model %s)", got, r.Model)
	}
	for j := 1; j < 10; j++ {
		if r.Upper95[j]-r.Lower95[j] < r.Upper95[j-1]-r.Lower95[j-1]-1e-9 {
			t.Errorf("95%% interval narrows at step %d for an integrated model %s", j+1, r.Model)
		}
	}
}

func TestARIMASeasonal(t *testing.T) {
	pattern := []float64{20, -5, -8, -6, -2, 4, 9}
	y := make([]float64, 280)
	noise := ar1(280, 0)
	for i := range y {
		y[i] = 100 + pattern[i%7] + 2*(noise[i]-10)
	}
	r, err := New(DefaultOptions()).Forecast(context.Background(), forecast.Series{Values: y, Season: 7}, 14)
	if err != nil {
		t.Fatal(err)
	}
	for j := range 14 {
		want := 100 + pattern[(280+j)%7]
		if math.Abs(r.Mean[j]-want) > 3 {
			t.Errorf("mean[%d] = %.2f, want about %.2f (model %s)", j, r.Mean[j], want, r.Model)
		}
	}
}

func TestKPSSDetectsRandomWalk(t *testing.T) {
	walk := make([]float64, 300)
	noise := ar1(300, 0)
	for i := 1; i < len(walk); i++ {
		walk[i] = walk[i-1] + noise[i] - 10
	}
	if d := NDiffs(walk, 2); d != 1 {
		t.Errorf("NDiffs(random walk) = %d, want 1", d)
	}
	if d := NDiffs(ar1(300, 0.2), 2); d != 0 {
		t.Errorf("NDiffs(stationary AR(1)) = %d, want 0", d)
	}
}

func TestPartransStationary(t *testing.T) {
	// Two large partial autocorrelations still give a stationary AR(2):
	// |phi2| < 1, phi1 + phi2 < 1, phi2 - phi1 < 1.
	phi := partrans([]float64{3, -3})
	if !(math.Abs(phi[1]) < 1 && phi[0]+phi[1] < 1 && phi[1]-phi[0] < 1) {
		t.Errorf("partrans gave a non-stationary AR(2): %v", phi)
	}
}

func TestParseOrderRoundTrip(t *testing.T) {
	orders := []Order{
		{P: 1, D: 1, Q: 1},
		{P: 2, Q: 1, Constant: true},
		{P: 1, D: 0, Q: 2, SeasonalP: 1, SeasonalD: 1, SeasonalQ: 1, Season: 7, Constant: true},
		{Q: 1, SeasonalQ: 2, Season: 12},
	}
	for _, o := range orders {
		got, err := ParseOrder(o.String())
		if err != nil {
			t.Errorf("%s: %v", o, err)
			continue
		}
		if got != o {
			t.Errorf("ParseOrder(%q) = %+v, want %+v", o.String(), got, o)
		}
	}
	if _, err := ParseOrder("ETS(A,N,N)"); err == nil {
		t.Error("ParseOrder accepted an ETS form")
	}
}

func TestARIMABoxCox(t *testing.T) {
	// Exponential growth with multiplicative noise: after a log-like
	// transform this is a random walk with drift.
	y := make([]float64, 150)
	noise := ar1(150, 0)
	for i := range y {
		y[i] = math.Exp(0.02*float64(i) + 0.05*(noise[i]-10))
	}
	r, err := New(DefaultOptions().WithBoxCox(true)).Forecast(context.Background(), forecast.Series{Values: y}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Params["lambda"]; !ok {
		t.Errorf("params %v lack lambda", r.Params)
	}
	for j, v := range r.Lower95 {
		if v <= 0 {
			t.Errorf("lower95[%d] = %v, want positive after the inverse Box-Cox", j, v)
		}
	}
	if r.Mean[9] < y[len(y)-1] {
		t.Errorf("mean[9] = %v, want above the last value %v for a growing series", r.Mean[9], y[len(y)-1])
	}
}
