package hnsw

import (
	"context"
	"testing"
)

// testData returns n base vectors and q queries around the same clusters.
func testData(n, q, dim int) (base, queries [][]float32) {
	cfg := ClusteredConfig{N: n, Dim: dim, Clusters: max(2, n/50), Noise: 0.08, Seed: 11, PointSeed: 12}
	base = GenerateClustered(cfg)
	cfg.N = q
	cfg.PointSeed = 13
	return base, GenerateClustered(cfg)
}

// testOptions keeps EfConstruction low so tests stay fast under -race.
func testOptions() Options {
	return DefaultOptions().WithEfConstruction(64).WithCompactRatio(0)
}

// buildIndex inserts base[i] under key i.
func buildIndex(t testing.TB, base [][]float32, opts Options) *Index {
	t.Helper()
	ix, err := New(len(base[0]), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	keys := make([]uint64, len(base))
	for i := range keys {
		keys[i] = uint64(i)
	}
	if err := ix.AddBatch(context.Background(), keys, base, 2); err != nil {
		t.Fatalf("AddBatch: %v", err)
	}
	return ix
}

// recallAt returns the fraction of exact results that approx contains.
func recallAt(exact, approx []Result) float64 {
	if len(exact) == 0 {
		return 1
	}
	want := make(map[uint64]bool, len(exact))
	for _, r := range exact {
		want[r.Key] = true
	}
	hits := 0
	for _, r := range approx {
		if want[r.Key] {
			hits++
		}
	}
	return float64(hits) / float64(len(exact))
}

// meanRecall searches every query and averages recall@k against SearchExact.
func meanRecall(t testing.TB, ix *Index, queries [][]float32, k, ef int, filter Filter) float64 {
	t.Helper()
	var sum float64
	for i, q := range queries {
		exact, err := ix.SearchExact(q, k, filter)
		if err != nil {
			t.Fatalf("SearchExact query %d: %v", i, err)
		}
		got, err := ix.Search(q, k, ef, filter)
		if err != nil {
			t.Fatalf("Search query %d: %v", i, err)
		}
		sum += recallAt(exact, got)
	}
	return sum / float64(len(queries))
}
