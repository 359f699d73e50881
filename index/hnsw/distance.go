package hnsw

import (
	"errors"
	"fmt"
	"math"
)

// Input errors. Search and Add wrap them with the offending value, so test
// with errors.Is.
var (
	// ErrDimension reports a vector whose length differs from the index dimension.
	ErrDimension = errors.New("hnsw: vector dimension mismatch")
	// ErrInvalidValue reports a vector holding NaN or ±Inf.
	ErrInvalidValue = errors.New("hnsw: vector contains NaN or Inf")
	// ErrZeroVector reports an all-zero vector under cosine distance, which has no direction.
	ErrZeroVector = errors.New("hnsw: zero vector has no cosine distance")
	// ErrInvalidK reports a k <= 0 passed to Search.
	ErrInvalidK = errors.New("hnsw: k must be positive")
)

// Dot returns the inner product of a and b, which must have the same length.
// It runs eight independent accumulators over blocks of eight, which lets the
// compiler drop bounds checks and overlap the floating-point additions.
func Dot(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i <= n-8; i += 8 {
		aa := a[i : i+8 : i+8]
		bb := b[i : i+8 : i+8]
		s0 += aa[0] * bb[0]
		s1 += aa[1] * bb[1]
		s2 += aa[2] * bb[2]
		s3 += aa[3] * bb[3]
		s4 += aa[4] * bb[4]
		s5 += aa[5] * bb[5]
		s6 += aa[6] * bb[6]
		s7 += aa[7] * bb[7]
	}
	for ; i < n; i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3) + (s4 + s5) + (s6 + s7)
}

// dotNaive is the plain loop Dot is measured against in BenchmarkDot.
func dotNaive(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// distance converts a dot product into the metric's distance. Both metrics
// reduce to a dot product because cosine vectors are stored normalized.
func (m Metric) distance(dot float32) float32 {
	if m == Cosine {
		return 1 - dot
	}
	return -dot
}

// similarity converts a distance back to the metric's similarity score:
// the cosine for Cosine and the inner product for InnerProduct.
func (m Metric) similarity(dist float32) float32 {
	if m == Cosine {
		return 1 - dist
	}
	return -dist
}

// prepareVector checks v against the index dimension and metric and returns
// the vector to store or search with: a normalized copy for Cosine, a plain
// copy for InnerProduct. The caller's slice is never retained.
func prepareVector(v []float32, dim int, metric Metric) ([]float32, error) {
	if len(v) != dim {
		return nil, fmt.Errorf("%w: got %d values, the index has dimension %d", ErrDimension, len(v), dim)
	}
	var norm2 float64
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, fmt.Errorf("%w: value %v at position %d", ErrInvalidValue, x, i)
		}
		norm2 += float64(x) * float64(x)
	}
	out := make([]float32, dim)
	if metric != Cosine {
		copy(out, v)
		return out, nil
	}
	if norm2 == 0 {
		return nil, fmt.Errorf("%w: all %d values are 0; embed non-empty input or use InnerProduct", ErrZeroVector, dim)
	}
	inv := 1 / math.Sqrt(norm2)
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out, nil
}
