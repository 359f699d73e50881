package vecmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// expTolerance is the relative error allowed against math.Exp, a little
// under one float32 ulp at 1 (1.19e-7).
const expTolerance = 1e-7

// expInputs returns a dense grid over the range where Exp32 is accurate,
// with both ends, plus 0.
func expInputs() []float32 {
	var xs []float32
	for x := -87.0; x <= 88; x += 1.0 / 1024 {
		xs = append(xs, float32(x))
	}
	return append(xs, 0, -87.33, 88)
}

func relativeExpError(got float32, x float32) float64 {
	want := math.Exp(float64(x))
	return math.Abs(float64(got)-want) / want
}

func TestExp32(t *testing.T) {
	var worst float64
	var worstAt float32
	for _, x := range expInputs() {
		if e := relativeExpError(Exp32(x), x); e > worst {
			worst, worstAt = e, x
		}
	}
	if worst > expTolerance {
		t.Errorf("Exp32 max relative error %.3g at x = %g, want at most %g", worst, worstAt, expTolerance)
	}
	t.Logf("Exp32 max relative error %.3g at x = %g", worst, worstAt)
}

// TestExp32Vector checks the AVX2 kernel on the same grid, eight inputs at
// a time through expShiftSumVector with shift 0.
func TestExp32Vector(t *testing.T) {
	if vectorLen(8) == 0 {
		t.Skip("no vector kernels on this CPU")
	}
	xs := expInputs()
	xs = xs[:len(xs)&^7]
	got := append([]float32(nil), xs...)
	expShiftSumVector(got, 0)
	var worst float64
	var worstAt float32
	for i, x := range xs {
		if e := relativeExpError(got[i], x); e > worst {
			worst, worstAt = e, x
		}
	}
	if worst > expTolerance {
		t.Errorf("vector exp max relative error %.3g at x = %g, want at most %g", worst, worstAt, expTolerance)
	}
	t.Logf("vector exp max relative error %.3g at x = %g", worst, worstAt)
}

func TestExp32Underflow(t *testing.T) {
	for _, x := range []float32{-87.34, -100, -10000, -10000 - 3.5, float32(math.Inf(-1))} {
		if got := Exp32(x); got != 0 {
			t.Errorf("Exp32(%g) = %g, want 0", x, got)
		}
		if vectorLen(8) > 0 {
			row := []float32{x, x, x, x, x, x, x, x}
			if sum := expShiftSumVector(row, 0); sum != 0 || row[0] != 0 {
				t.Errorf("vector exp(%g) = %g (sum %g), want 0", x, row[0], sum)
			}
		}
	}
}

func TestErf32(t *testing.T) {
	var worst float64
	for x := -6.0; x <= 6; x += 1.0 / 4096 {
		got := float64(Erf32(float32(x)))
		worst = max(worst, math.Abs(got-math.Erf(float64(float32(x)))))
	}
	// GELU multiplies this error by z/2, which stays far below the 1e-4
	// tolerance of the hidden states; the tanh form differs by ~1e-3.
	if worst > 5e-7 {
		t.Errorf("Erf32 max abs error %.3g, want at most 5e-7", worst)
	}
	t.Logf("Erf32 max abs error %.3g", worst)
}

// randomRow returns n values drawn from N(0, scale²).
func randomRow(rng *rand.Rand, n int, scale float64) []float32 {
	row := make([]float32, n)
	for i := range row {
		row[i] = float32(scale * rng.NormFloat64())
	}
	return row
}

// TestSoftmaxMatchesFloat64 covers lengths with no vector part, only a
// vector part, and both.
func TestSoftmaxMatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 3, 7, 8, 9, 16, 31, 128, 130} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			row := randomRow(rng, n, 4)
			row[n/2] -= 10000 // a masked key
			want := make([]float64, n)
			maxValue := math.Inf(-1)
			for _, v := range row {
				maxValue = max(maxValue, float64(v))
			}
			var sum float64
			for i, v := range row {
				want[i] = math.Exp(float64(v) - maxValue)
				sum += want[i]
			}
			Softmax(row)
			for i := range row {
				if diff := math.Abs(float64(row[i]) - want[i]/sum); diff > 1e-6 {
					t.Fatalf("element %d = %g, want %g", i, row[i], want[i]/sum)
				}
			}
			if n > 1 && row[n/2] != 0 {
				t.Errorf("masked element = %g, want 0", row[n/2])
			}
		})
	}
}

// TestAddBiasGELUMatchesScalar compares every lane with GELU, the scalar
// code the vector kernel mirrors.
func TestAddBiasGELUMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{5, 8, 37, 1536} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			x, bias := randomRow(rng, n, 3), randomRow(rng, n, 0.5)
			x[0] = 10 // beyond the erf clamp
			want := make([]float32, n)
			for i := range x {
				want[i] = GELU(x[i] + bias[i])
			}
			AddBiasGELU(x, bias)
			for i := range x {
				if diff := math.Abs(float64(x[i] - want[i])); diff > 1e-6*max(1, math.Abs(float64(want[i]))) {
					t.Fatalf("element %d = %g, want %g", i, x[i], want[i])
				}
			}
		})
	}
}

func TestAddBias(t *testing.T) {
	for _, n := range []int{3, 8, 32, 45} {
		x, bias := make([]float32, n), make([]float32, n+4)
		for i := range x {
			x[i] = float32(i)
		}
		for i := range bias {
			bias[i] = float32(100 * i)
		}
		AddBias(x, bias)
		for i := range x {
			if want := float32(101 * i); x[i] != want {
				t.Fatalf("n=%d: element %d = %g, want %g", n, i, x[i], want)
			}
		}
	}
}

func BenchmarkSoftmax128(b *testing.B) {
	row := randomRow(rand.New(rand.NewPCG(5, 6)), 128, 3)
	buf := make([]float32, len(row))
	for b.Loop() {
		copy(buf, row)
		Softmax(buf)
	}
}

func BenchmarkAddBiasGELU1536(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	row, bias := randomRow(rng, 1536, 2), randomRow(rng, 1536, 0.1)
	buf := make([]float32, len(row))
	for b.Loop() {
		copy(buf, row)
		AddBiasGELU(buf, bias)
	}
}
