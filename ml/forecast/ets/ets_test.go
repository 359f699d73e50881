package ets

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/shopsight/shopsight/ml/forecast"
)

// weekly returns a positive daily series with trend, a weekly pattern and
// deterministic pseudo-noise.
func weekly(n int, slope float64, multiplicative bool) []float64 {
	pattern := []float64{1.3, 0.9, 0.8, 0.85, 0.95, 1.1, 1.1}
	y := make([]float64, n)
	for t := range y {
		level := 100 + slope*float64(t)
		noise := 3 * math.Sin(float64(t)*12.9898)
		if multiplicative {
			y[t] = level*pattern[t%7] + noise
		} else {
			y[t] = level + 30*(pattern[t%7]-1) + noise
		}
	}
	return y
}

func TestETSSelectsSeasonalForm(t *testing.T) {
	r, err := New(DefaultOptions()).Forecast(context.Background(), forecast.Series{Values: weekly(210, 0.2, false), Season: 7}, 14)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(r.Model, ",A)") && !strings.HasSuffix(r.Model, ",M)") {
		t.Errorf("model = %s, want a seasonal form", r.Model)
	}
	// The next value follows the same pattern, so the forecast should be
	// within a few noise units of the noiseless continuation.
	for j := range 14 {
		tt := 210 + j
		want := 100 + 0.2*float64(tt) + 30*([]float64{1.3, 0.9, 0.8, 0.85, 0.95, 1.1, 1.1}[tt%7]-1)
		if math.Abs(r.Mean[j]-want) > 10 {
			t.Errorf("mean[%d] = %.2f, want about %.2f", j, r.Mean[j], want)
		}
		if !(r.Lower95[j] <= r.Lower80[j] && r.Lower80[j] <= r.Mean[j] && r.Mean[j] <= r.Upper80[j] && r.Upper80[j] <= r.Upper95[j]) {
			t.Errorf("step %d: bounds out of order: %v %v %v %v %v", j, r.Lower95[j], r.Lower80[j], r.Mean[j], r.Upper80[j], r.Upper95[j])
		}
	}
	if r.Params["alpha"] <= 0 || r.Params["alpha"] >= 1 {
		t.Errorf("alpha = %v, want in (0, 1)", r.Params["alpha"])
	}
}

func TestETSEachSpecFits(t *testing.T) {
	y := weekly(140, 0.3, true)
	for _, spec := range AllSpecs() {
		r, err := New(DefaultOptions().WithSpecs(spec)).Forecast(context.Background(), forecast.Series{Values: y, Season: 7}, 10)
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		if r.Model != spec.String() {
			t.Errorf("%s: fitted %s instead", spec, r.Model)
		}
		for j, v := range r.Mean {
			if math.IsNaN(v) || v < 50 || v > 250 {
				t.Errorf("%s: mean[%d] = %v, want within the data's range", spec, j, v)
			}
		}
	}
}

func TestETSSkipsMultiplicativeWithZeros(t *testing.T) {
	y := weekly(140, 0, true)
	y[20] = 0
	r, err := New(DefaultOptions()).Forecast(context.Background(), forecast.Series{Values: y, Season: 7}, 7)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.Model, "M") {
		t.Errorf("model = %s, want no multiplicative component for a series with a zero", r.Model)
	}
}

func TestParseSpecRoundTrip(t *testing.T) {
	for _, spec := range AllSpecs() {
		got, err := ParseSpec(spec.String())
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		if got != spec {
			t.Errorf("ParseSpec(%q) = %v, want %v", spec.String(), got, spec)
		}
	}
	for _, bad := range []string{"ETS(A,A,M)", "ETS(A,X,N)", "ARIMA(1,0,0)", "ETS(A,N)"} {
		if _, err := ParseSpec(bad); err == nil {
			t.Errorf("ParseSpec(%q) accepted an invalid form", bad)
		}
	}
}

func TestETSOutlierCleaning(t *testing.T) {
	y := weekly(140, 0, false)
	y[70] = 1e6
	s := forecast.Series{Values: y, Season: 7}
	r, err := New(DefaultOptions()).Forecast(context.Background(), s, 7)
	if err != nil {
		t.Fatal(err)
	}
	if r.Params["outliers_replaced"] < 1 || r.Mean[0] > 200 {
		t.Errorf("with cleaning: %v outliers replaced, mean[0] = %v; want the outlier replaced and a forecast near 100", r.Params["outliers_replaced"], r.Mean[0])
	}
	if r.Residuals[70] < 1e5 {
		t.Errorf("residual at the outlier = %v, want it reported against the original value", r.Residuals[70])
	}
}

func TestETSSigmaInSeriesUnits(t *testing.T) {
	// The same series in units 1000 times larger has a 1000 times larger
	// additive-error sigma.
	small := weekly(140, 0, false)
	large := make([]float64, len(small))
	for i, v := range small {
		large[i] = 1000 * v
	}
	opts := DefaultOptions().WithSpecs(Spec{Additive, None, Additive})
	rs, err := New(opts).Forecast(context.Background(), forecast.Series{Values: small, Season: 7}, 1)
	if err != nil {
		t.Fatal(err)
	}
	rl, err := New(opts).Forecast(context.Background(), forecast.Series{Values: large, Season: 7}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ratio := rl.Params["sigma"] / rs.Params["sigma"]; math.Abs(ratio-1000) > 1 {
		t.Errorf("sigma ratio = %v, want 1000", ratio)
	}
	if math.Abs(rs.Params["sigma"]-rs.Sigma) > 0.1*rs.Sigma {
		t.Errorf("params sigma %v far from residual sigma %v", rs.Params["sigma"], rs.Sigma)
	}
}
