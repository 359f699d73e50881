package forecast

import (
	"errors"
	"math"
	"testing"
)

func TestSeriesValidate(t *testing.T) {
	cases := []struct {
		name    string
		values  []float64
		wantErr bool
	}{
		{"ok", []float64{1, 2}, false},
		{"empty", nil, true},
		{"nan", []float64{1, math.NaN()}, true},
		{"inf", []float64{math.Inf(1)}, true},
	}
	for _, c := range cases {
		err := Series{Values: c.values}.Validate()
		if (err != nil) != c.wantErr {
			t.Errorf("%s: error %v, want error %v", c.name, err, c.wantErr)
		}
	}
	if err := (Series{}).Validate(); !errors.Is(err, ErrEmptySeries) {
		t.Errorf("empty series error %v, want ErrEmptySeries", err)
	}
}

func TestResultIntervalsAndClipping(t *testing.T) {
	r := &Result{Mean: []float64{1, 10}}
	r.SetIntervals([]float64{1, 2})
	if got, want := r.Upper95[1], 10+2*Z95; math.Abs(got-want) > 1e-12 {
		t.Errorf("upper95[1] = %v, want %v", got, want)
	}
	if r.Lower80[0] >= 0 {
		t.Fatalf("lower80[0] = %v, want negative before clipping", r.Lower80[0])
	}
	r.ClipCounts()
	if r.Lower80[0] != 0 || r.Lower95[0] != 0 {
		t.Errorf("after ClipCounts lower bounds = %v, %v, want 0", r.Lower80[0], r.Lower95[0])
	}
	if r.Lower80[1] != 10-Z80*2 {
		t.Errorf("ClipCounts changed a positive bound to %v", r.Lower80[1])
	}
}

func TestCapStdDev(t *testing.T) {
	sd := CapStdDev([]float64{1, 1e9, math.NaN()}, []float64{0, 10})
	// Limit: 10 * (range 10 + mean |y| 5) = 150.
	want := []float64{1, 150, 150}
	for i, w := range want {
		if sd[i] != w {
			t.Errorf("sd[%d] = %v, want %v", i, sd[i], w)
		}
	}
}
