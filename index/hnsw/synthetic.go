package hnsw

import (
	"math"
	"math/rand/v2"
)

// ClusteredConfig describes a synthetic data set for tests and benchmarks.
type ClusteredConfig struct {
	// N is the number of vectors.
	N int
	// Dim is the vector dimension.
	Dim int
	// Clusters is the number of cluster centres.
	Clusters int
	// Noise is the standard deviation of the Gaussian noise added to each
	// coordinate of a unit-length centre before normalizing again.
	Noise float64
	// Seed fixes the centres. The same Seed with another PointSeed draws
	// new points, such as queries, around the same centres.
	Seed uint64
	// PointSeed fixes which centre each point picks and its noise.
	PointSeed uint64
}

// DefaultClustered returns the benchmark data set shape: 384 dimensions,
// one centre per 100 vectors (at least 10), and noise 0.03 per coordinate,
// so a point lies about 0.6 from its centre in Euclidean distance before
// normalization.
func DefaultClustered(n int, seed uint64) ClusteredConfig {
	return ClusteredConfig{N: n, Dim: 384, Clusters: max(10, n/100), Noise: 0.03, Seed: seed, PointSeed: seed + 1}
}

// GenerateClustered returns cfg.N unit-length vectors drawn k-means style:
// Gaussian centres normalized to unit length, then for each point a
// uniformly chosen centre plus Gaussian noise, normalized again. The
// output depends only on cfg.
func GenerateClustered(cfg ClusteredConfig) [][]float32 {
	centreRNG := rand.New(rand.NewPCG(cfg.Seed, 1))
	centres := make([][]float64, max(1, cfg.Clusters))
	for i := range centres {
		c := make([]float64, cfg.Dim)
		for j := range c {
			c[j] = centreRNG.NormFloat64()
		}
		normalize64(c)
		centres[i] = c
	}

	pointRNG := rand.New(rand.NewPCG(cfg.PointSeed, 2))
	flat := make([]float32, cfg.N*cfg.Dim)
	out := make([][]float32, cfg.N)
	p := make([]float64, cfg.Dim)
	for i := range out {
		c := centres[pointRNG.IntN(len(centres))]
		for j := range p {
			p[j] = c[j] + cfg.Noise*pointRNG.NormFloat64()
		}
		normalize64(p)
		v := flat[i*cfg.Dim : (i+1)*cfg.Dim : (i+1)*cfg.Dim]
		for j, x := range p {
			v[j] = float32(x)
		}
		out[i] = v
	}
	return out
}

func normalize64(v []float64) {
	var s float64
	for _, x := range v {
		s += x * x
	}
	if s == 0 {
		v[0] = 1
		return
	}
	inv := 1 / math.Sqrt(s)
	for i := range v {
		v[i] *= inv
	}
}
