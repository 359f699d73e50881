package hnsw

import (
	"math/rand/v2"
	"testing"
)

var dotSink float32

func benchmarkDot(b *testing.B, dot func(a, b []float32) float32) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 384)
	y := make([]float32, 384)
	for i := range x {
		x[i], y[i] = rng.Float32(), rng.Float32()
	}
	b.SetBytes(2 * 4 * 384)
	for b.Loop() {
		dotSink = dot(x, y)
	}
}

// BenchmarkDot measures the unrolled kernel on 384-dimensional vectors;
// compare with BenchmarkDotNaive.
func BenchmarkDot(b *testing.B) { benchmarkDot(b, Dot) }

func BenchmarkDotNaive(b *testing.B) { benchmarkDot(b, dotNaive) }
