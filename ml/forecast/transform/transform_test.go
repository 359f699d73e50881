package transform

import (
	"math"
	"testing"
)

func TestBoxCoxRoundTrip(t *testing.T) {
	y := []float64{1, 2.5, 10, 100, 0.3}
	for _, lambda := range []float64{0, 0.5, 1} {
		z, err := BoxCox(y, lambda)
		if err != nil {
			t.Fatal(err)
		}
		back := InvBoxCox(z, lambda)
		for i := range y {
			if math.Abs(back[i]-y[i]) > 1e-9 {
				t.Errorf("lambda %v: value %d = %v after round trip, want %v", lambda, i, back[i], y[i])
			}
		}
	}
}

func TestBoxCoxRejectsNonPositive(t *testing.T) {
	if _, err := BoxCox([]float64{1, 0}, 0.5); err == nil {
		t.Error("BoxCox accepted a zero value")
	}
}

func TestGuerreroLambdaMultiplicative(t *testing.T) {
	// The spread grows in proportion to the level, so a log transform
	// (lambda near 0) stabilises it.
	var y []float64
	for t := range 200 {
		level := math.Exp(0.02 * float64(t))
		y = append(y, level*(10+3*math.Sin(2*math.Pi*float64(t)/7)))
	}
	lambda, err := GuerreroLambda(y, 7)
	if err != nil {
		t.Fatal(err)
	}
	if lambda > 0.2 {
		t.Errorf("lambda = %v, want near 0 for multiplicative seasonality", lambda)
	}
	if _, err := LogLikLambda(y); err != nil {
		t.Error(err)
	}
}

func TestDifferencerRoundTrip(t *testing.T) {
	y := []float64{3, 5, 4, 8, 9, 7, 12, 14, 13, 18, 20, 19}
	df := NewDifferencer(1, 1, 3)
	w, err := df.Apply(y)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(w), len(y)-4; got != want {
		t.Fatalf("len(differenced) = %d, want %d", got, want)
	}
	next := df.Invert([]float64{0, 0, 0})
	// Zero differences continue the series by the recursion below.
	ext := append([]float64(nil), y...)
	for range 3 {
		n := len(ext)
		// (1-B)(1-B^3) y_t = 0  =>  y_t = y_{t-1} + y_{t-3} - y_{t-4}
		ext = append(ext, ext[n-1]+ext[n-3]-ext[n-4])
	}
	for i, v := range next {
		if math.Abs(v-ext[len(y)+i]) > 1e-9 {
			t.Errorf("step %d = %v, want %v", i+1, v, ext[len(y)+i])
		}
	}
}

func TestDifferencerTooShort(t *testing.T) {
	if _, err := NewDifferencer(0, 1, 7).Apply([]float64{1, 2, 3}); err == nil {
		t.Error("Apply accepted 3 values for a lag-7 difference")
	}
}
