package optim

import (
	"math"
	"testing"
)

func TestNelderMeadRosenbrock(t *testing.T) {
	f := func(x []float64) float64 {
		return 100*math.Pow(x[1]-x[0]*x[0], 2) + math.Pow(1-x[0], 2)
	}
	x, v := NelderMead(f, []float64{-1.2, 1}, Bounds{}, Settings{MaxEvals: 5000, Tol: 1e-14, Step: 0.1})
	if math.Abs(x[0]-1) > 1e-3 || math.Abs(x[1]-1) > 1e-3 {
		t.Errorf("minimum = %v (value %g), want [1 1]", x, v)
	}
}

func TestNelderMeadRespectsBounds(t *testing.T) {
	f := func(x []float64) float64 { return (x[0] - 3) * (x[0] - 3) }
	x, _ := NelderMead(f, []float64{0.5}, Bounds{Lower: []float64{0}, Upper: []float64{1}}, DefaultSettings(1))
	if x[0] != 1 {
		t.Errorf("minimum = %v, want the upper bound 1", x[0])
	}
}
