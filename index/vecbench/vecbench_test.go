package vecbench

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/shopsight/shopsight/index/hnsw"
	"github.com/shopsight/shopsight/index/vecio"
)

var (
	benchN       = flag.Int("vecbench.n", 100_000, "number of base vectors in BenchmarkVectors")
	benchQueries = flag.Int("vecbench.queries", 1000, "number of queries in BenchmarkVectors")
	benchImpl    = flag.String("vecbench.impl", "", "run only this implementation (shopsight or coder); empty runs both")
	benchDump    = flag.String("vecbench.dump", "", "directory to write base.fvecs, query.fvecs and truth.ivecs to, for running other libraries on the same data")
)

func smallConfig(impl string) Config {
	cfg := hnsw.ClusteredConfig{N: 600, Dim: 16, Clusters: 12, Noise: 0.1, Seed: 1, PointSeed: 2}
	base := hnsw.GenerateClustered(cfg)
	cfg.N, cfg.PointSeed = 30, 3
	return Config{
		Base: base, Queries: hnsw.GenerateClustered(cfg), Metric: hnsw.Cosine,
		M: 8, EfConstruction: 64, Efs: []int{16, 64}, K: 10, Threads: 2, Impl: impl, Seed: 1,
	}
}

func TestRunShopSight(t *testing.T) {
	rep, err := Run(context.Background(), smallConfig(ImplShopSight))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if rep.N != 600 || rep.Dim != 16 || rep.Queries != 30 || rep.BuildThreads != 2 {
		t.Errorf("report shape = %+v", rep)
	}
	if rep.BuildSeconds <= 0 || rep.InsertsPerSecond <= 0 || rep.MemoryBytes <= 0 {
		t.Errorf("build measurements not positive: %+v", rep)
	}
	if len(rep.Searches) != 2 {
		t.Fatalf("got %d ef results, want 2", len(rep.Searches))
	}
	if got := rep.Searches[1]; got.Ef != 64 || got.Recall < 0.95 || got.QueriesPerSecond <= 0 || got.Failures != 0 {
		t.Errorf("ef 64 result = %+v, want recall >= 0.95 and no failures", got)
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Errorf("report does not marshal to JSON: %v", err)
	}
}

func TestRunCoder(t *testing.T) {
	rep, err := Run(context.Background(), smallConfig(ImplCoder))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if rep.BuildThreads != 1 || len(rep.Searches) != 2 {
		t.Errorf("coder report = %+v, want one build thread and 2 ef results", rep)
	}
}

func TestRunWithGivenTruth(t *testing.T) {
	cfg := smallConfig(ImplShopSight)
	truth, err := ExactNeighbors(context.Background(), cfg.Base, cfg.Queries, cfg.K, cfg.Metric, 2)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := hnsw.New(16, hnsw.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range cfg.Base {
		if err := ix.Add(uint64(i), v); err != nil {
			t.Fatal(err)
		}
	}
	for qi, q := range cfg.Queries {
		exact, err := ix.SearchExact(q, cfg.K, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range exact {
			if int32(r.Key) != truth[qi][i] {
				t.Errorf("query %d rank %d: ExactNeighbors id %d, SearchExact key %d", qi, i, truth[qi][i], r.Key)
			}
		}
	}
	cfg.Truth = truth
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Errorf("Run with truth: %v", err)
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
	}{
		{"no base", func(c *Config) { c.Base = nil }},
		{"no queries", func(c *Config) { c.Queries = nil }},
		{"k 0", func(c *Config) { c.K = 0 }},
		{"no ef", func(c *Config) { c.Efs = nil }},
		{"unknown impl", func(c *Config) { c.Impl = "faiss" }},
		{"query dimension", func(c *Config) { c.Queries = [][]float32{{1, 2}} }},
		{"short truth", func(c *Config) { c.Truth = make([][]int32, len(c.Queries)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := smallConfig(ImplShopSight)
			tc.change(&cfg)
			if _, err := Run(context.Background(), cfg); err == nil {
				t.Errorf("Run accepted %s", tc.name)
			}
		})
	}
}

// BenchmarkVectors builds -vecbench.n clustered 384-dimensional vectors
// (hnsw.DefaultClustered, seed 42) with M 16 and EfConstruction 200 and
// reports build rate, memory, recall@10 and single-thread queries/s at
// ef 16, 32, 64 and 128, for ShopSight's index and for coder/hnsw v0.6.1.
// The full size takes minutes; run it once:
//
//	go test ./index/vecbench/ -run '^$' -bench Vectors -benchtime 1x -timeout 60m
func BenchmarkVectors(b *testing.B) {
	if testing.Short() {
		b.Skip("builds 100,000 vectors; skipped with -short")
	}
	data := hnsw.DefaultClustered(*benchN, 42)
	base := hnsw.GenerateClustered(data)
	data.N, data.PointSeed = *benchQueries, 4242
	queries := hnsw.GenerateClustered(data)
	truth, err := ExactNeighbors(context.Background(), base, queries, 10, hnsw.Cosine, runtime.GOMAXPROCS(0))
	if err != nil {
		b.Fatal(err)
	}
	if dir := *benchDump; dir != "" {
		for _, err := range []error{
			vecio.WriteFvecsFile(filepath.Join(dir, "base.fvecs"), base),
			vecio.WriteFvecsFile(filepath.Join(dir, "query.fvecs"), queries),
			vecio.WriteIvecsFile(filepath.Join(dir, "truth.ivecs"), truth),
		} {
			if err != nil {
				b.Fatal(err)
			}
		}
	}

	for _, impl := range []string{ImplShopSight, ImplCoder} {
		if *benchImpl != "" && *benchImpl != impl {
			continue
		}
		b.Run(impl, func(b *testing.B) {
			cfg := Config{
				Base: base, Queries: queries, Truth: truth, Metric: hnsw.Cosine,
				M: 16, EfConstruction: 200, Efs: []int{16, 32, 64, 128}, K: 10,
				Threads: runtime.GOMAXPROCS(0), Impl: impl, Seed: 1,
			}
			for b.Loop() {
				rep, err := Run(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				report(b, rep)
			}
		})
	}
}

func report(b *testing.B, rep Report) {
	b.ReportMetric(rep.InsertsPerSecond, "inserts/s")
	b.ReportMetric(rep.BytesPerVector, "B/vector")
	for _, s := range rep.Searches {
		b.ReportMetric(s.Recall, fmt.Sprintf("recall@10_ef%d", s.Ef))
		b.ReportMetric(s.QueriesPerSecond, fmt.Sprintf("qps_ef%d", s.Ef))
	}
	js, _ := json.Marshal(rep)
	b.Logf("%s", js)
}
