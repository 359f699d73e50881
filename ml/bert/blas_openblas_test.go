//go:build openblas && cgo

package bert

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// TestOpenBLASSgemmMatchesGonum covers every transpose combination on
// products large enough to be split over goroutines.
func TestOpenBLASSgemmMatchesGonum(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	const m, n, k = 301, 130, 70
	for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			t.Run(fmt.Sprintf("%c%c", tA, tB), func(t *testing.T) {
				lda, ldb := k, n
				if tA == blas.Trans {
					lda = m
				}
				if tB == blas.Trans {
					ldb = k
				}
				a, b := random(m*k), random(k*n)
				want, got := random(m*n), make([]float32, m*n)
				copy(got, want)
				gonum.Implementation{}.Sgemm(tA, tB, m, n, k, 1.5, a, lda, b, ldb, 0.5, want, n)
				openBLAS{}.Sgemm(tA, tB, m, n, k, 1.5, a, lda, b, ldb, 0.5, got, n)
				for i := range want {
					if math.Abs(float64(got[i]-want[i])) > 1e-3 {
						t.Fatalf("element %d = %g, want %g", i, got[i], want[i])
					}
				}
			})
		}
	}
}
