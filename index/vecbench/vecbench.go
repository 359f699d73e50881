// Package vecbench measures an approximate nearest-neighbour index on a
// set of base and query vectors: build time, heap memory, and recall@k and
// queries per second at several ef values. It runs ShopSight's own
// index/hnsw or github.com/coder/hnsw v0.6.1 on the same data, so that a
// CLI or a Go benchmark can report both.
package vecbench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/shopsight/shopsight/index/hnsw"
)

// Implementation names accepted in Config.Impl.
const (
	ImplShopSight = "shopsight"
	ImplCoder     = "coder"
)

// Config describes one benchmark run.
type Config struct {
	// Base holds the vectors to index; vector i gets key i.
	Base [][]float32
	// Queries holds the query vectors.
	Queries [][]float32
	// Truth optionally holds, per query, the ids (indexes into Base) of its
	// exact nearest neighbours, nearest first, as in a benchmark .ivecs
	// file. When nil, Run computes it by exact search.
	Truth [][]int32
	// Metric is hnsw.Cosine or hnsw.InnerProduct.
	Metric hnsw.Metric
	// M and EfConstruction are the graph parameters. For coder/hnsw,
	// which has no separate construction ef, EfConstruction is its
	// EfSearch during the build.
	M              int
	EfConstruction int
	// Efs lists the search ef values to measure.
	Efs []int
	// K is the number of neighbours per query; recall is recall@K.
	K int
	// Threads is the number of goroutines for the build and for the exact
	// search. coder/hnsw is not safe for concurrent inserts, so its build
	// always uses one. Queries always run on one goroutine.
	Threads int
	// Impl is ImplShopSight or ImplCoder.
	Impl string
	// Seed seeds level generation.
	Seed uint64
}

// Report holds the measurements of one run.
type Report struct {
	Impl           string `json:"impl"`
	Metric         string `json:"metric"`
	N              int    `json:"n"`
	Dim            int    `json:"dim"`
	Queries        int    `json:"queries"`
	K              int    `json:"k"`
	M              int    `json:"m"`
	EfConstruction int    `json:"ef_construction"`
	BuildThreads   int    `json:"build_threads"`
	// BuildSeconds is the wall-clock build time.
	BuildSeconds     float64 `json:"build_seconds"`
	InsertsPerSecond float64 `json:"inserts_per_second"`
	// MemoryBytes is the growth of the live Go heap over the build, after
	// garbage collection, including the index's own copy of the vectors.
	MemoryBytes    int64   `json:"memory_bytes"`
	BytesPerVector float64 `json:"bytes_per_vector"`
	// BuildFailures counts inserts that panicked (coder/hnsw only).
	BuildFailures int        `json:"build_failures"`
	Searches      []EfResult `json:"searches"`
}

// EfResult holds the search measurements at one ef.
type EfResult struct {
	Ef int `json:"ef"`
	// Recall is the mean over queries of |returned ∩ exact top K| / K.
	Recall           float64 `json:"recall"`
	QueriesPerSecond float64 `json:"queries_per_second"`
	// Failures counts searches that returned an error or panicked; they
	// count as recall 0.
	Failures int `json:"failures"`
}

// searchIndex is the part of an index a run measures.
type searchIndex interface {
	// search returns the keys of the k nearest neighbours at ef.
	search(q []float32, k, ef int) ([]uint64, error)
}

// Run builds the configured index over cfg.Base and measures it.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.validate(); err != nil {
		return Report{}, err
	}
	threads := max(1, cfg.Threads)
	rep := Report{
		Impl: cfg.Impl, Metric: cfg.Metric.String(), N: len(cfg.Base), Dim: len(cfg.Base[0]),
		Queries: len(cfg.Queries), K: cfg.K, M: cfg.M, EfConstruction: cfg.EfConstruction,
	}

	truth := cfg.Truth
	if truth == nil {
		var err error
		if truth, err = ExactNeighbors(ctx, cfg.Base, cfg.Queries, cfg.K, cfg.Metric, threads); err != nil {
			return rep, err
		}
	}

	heapBefore := liveHeap()
	start := time.Now()
	var (
		index    searchIndex
		failures int
		err      error
	)
	switch cfg.Impl {
	case ImplShopSight:
		rep.BuildThreads = threads
		index, err = buildShopSight(ctx, cfg, threads)
	case ImplCoder:
		rep.BuildThreads = 1
		index, failures, err = buildCoder(ctx, cfg)
	}
	if err != nil {
		return rep, err
	}
	rep.BuildSeconds = time.Since(start).Seconds()
	rep.InsertsPerSecond = float64(len(cfg.Base)) / rep.BuildSeconds
	rep.BuildFailures = failures
	rep.MemoryBytes = int64(liveHeap()) - int64(heapBefore)
	rep.BytesPerVector = float64(rep.MemoryBytes) / float64(len(cfg.Base))

	for _, ef := range cfg.Efs {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("vecbench: stopped before ef %d: %w", ef, err)
		}
		rep.Searches = append(rep.Searches, measureSearch(index, cfg.Queries, truth, cfg.K, ef))
	}
	runtime.KeepAlive(index)
	return rep, nil
}

func (cfg Config) validate() error {
	switch {
	case len(cfg.Base) == 0:
		return errors.New("vecbench: no base vectors")
	case len(cfg.Queries) == 0:
		return errors.New("vecbench: no query vectors")
	case cfg.K <= 0:
		return fmt.Errorf("vecbench: invalid k %d: use a positive value such as 10", cfg.K)
	case len(cfg.Efs) == 0:
		return errors.New("vecbench: no ef values to measure")
	case cfg.Impl != ImplShopSight && cfg.Impl != ImplCoder:
		return fmt.Errorf("vecbench: unknown implementation %q: use %q or %q", cfg.Impl, ImplShopSight, ImplCoder)
	case cfg.Metric != hnsw.Cosine && cfg.Metric != hnsw.InnerProduct:
		return fmt.Errorf("vecbench: invalid metric %v: use cosine or inner_product", cfg.Metric)
	case cfg.Truth != nil && len(cfg.Truth) != len(cfg.Queries):
		return fmt.Errorf("vecbench: %d ground-truth rows for %d queries", len(cfg.Truth), len(cfg.Queries))
	}
	dim := len(cfg.Base[0])
	for i, q := range cfg.Queries {
		if len(q) != dim {
			return fmt.Errorf("vecbench: query %d has dimension %d, base vectors have %d", i, len(q), dim)
		}
	}
	for i, row := range cfg.Truth {
		if len(row) < cfg.K {
			return fmt.Errorf("vecbench: ground-truth row %d has %d ids, k is %d", i, len(row), cfg.K)
		}
	}
	return nil
}

func measureSearch(index searchIndex, queries [][]float32, truth [][]int32, k, ef int) EfResult {
	res := EfResult{Ef: ef}
	got := make([][]uint64, len(queries))
	start := time.Now()
	for i, q := range queries {
		keys, err := index.search(q, k, ef)
		if err != nil {
			res.Failures++
			continue
		}
		got[i] = keys
	}
	res.QueriesPerSecond = float64(len(queries)) / time.Since(start).Seconds()

	var sum float64
	for i, keys := range got {
		sum += recall(truth[i][:k], keys)
	}
	res.Recall = sum / float64(len(queries))
	return res
}

func recall(truth []int32, keys []uint64) float64 {
	want := make(map[uint64]bool, len(truth))
	for _, id := range truth {
		want[uint64(id)] = true
	}
	hits := 0
	for _, key := range keys {
		if want[key] {
			hits++
			delete(want, key)
		}
	}
	return float64(hits) / float64(len(truth))
}

// liveHeap returns the heap bytes in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
