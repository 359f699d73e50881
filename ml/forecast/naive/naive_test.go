package naive

import (
	"context"
	"math"
	"testing"

	"github.com/shopsight/shopsight/ml/forecast"
)

func TestSeasonalRepeatsLastSeason(t *testing.T) {
	y := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	r, err := Seasonal{}.Forecast(context.Background(), forecast.Series{Values: y, Season: 3}, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{8, 9, 10, 8, 9}
	for i, w := range want {
		if r.Mean[i] != w {
			t.Errorf("mean[%d] = %v, want %v", i, r.Mean[i], w)
		}
	}
	// Every residual is 3, so sigma is 3 and the second season's
	// intervals are sqrt(2) times wider.
	if math.Abs(r.Sigma-3) > 1e-12 {
		t.Errorf("sigma = %v, want 3", r.Sigma)
	}
	if got, want := r.Upper95[3]-r.Mean[3], forecast.Z95*3*math.Sqrt2; math.Abs(got-want) > 1e-9 {
		t.Errorf("95%% half-width at step 4 = %v, want %v", got, want)
	}
}

func TestSeasonalFallsBackToNaive(t *testing.T) {
	r, err := Seasonal{}.Forecast(context.Background(), forecast.Series{Values: []float64{4, 5}, Season: 7}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r.Model != "Naive[1]" {
		t.Errorf("model = %q, want Naive[1]", r.Model)
	}
	for i, v := range r.Mean {
		if v != 5 {
			t.Errorf("mean[%d] = %v, want 5", i, v)
		}
	}
}

func TestNaiveCountClipping(t *testing.T) {
	r, err := Naive{}.Forecast(context.Background(), forecast.Series{Values: []float64{0, 5, 0, 4, 0}, Count: true}, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Mean {
		if r.Lower95[i] < 0 || r.Lower80[i] < 0 || r.Mean[i] < 0 {
			t.Errorf("step %d has a negative value: mean %v lower80 %v lower95 %v", i, r.Mean[i], r.Lower80[i], r.Lower95[i])
		}
	}
}

func TestNaiveRejectsBadInput(t *testing.T) {
	cases := []struct {
		name string
		y    []float64
		h    int
	}{
		{"empty", nil, 3},
		{"nan", []float64{1, math.NaN()}, 3},
		{"zero horizon", []float64{1, 2}, 0},
	}
	for _, c := range cases {
		if _, err := (Naive{}).Forecast(context.Background(), forecast.Series{Values: c.y}, c.h); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}
