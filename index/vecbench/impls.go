package vecbench

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"slices"
	"sync"

	coder "github.com/coder/hnsw"

	"github.com/shopsight/shopsight/index/hnsw"
)

type shopSightIndex struct{ ix *hnsw.Index }

func buildShopSight(ctx context.Context, cfg Config, threads int) (searchIndex, error) {
	opts := hnsw.DefaultOptions().
		WithM(cfg.M).
		WithEfConstruction(cfg.EfConstruction).
		WithMetric(cfg.Metric).
		WithSeed(cfg.Seed)
	ix, err := hnsw.New(len(cfg.Base[0]), opts)
	if err != nil {
		return nil, fmt.Errorf("vecbench: %w", err)
	}
	keys := make([]uint64, len(cfg.Base))
	for i := range keys {
		keys[i] = uint64(i)
	}
	if err := ix.AddBatch(ctx, keys, cfg.Base, threads); err != nil {
		return nil, fmt.Errorf("vecbench: build: %w", err)
	}
	return shopSightIndex{ix}, nil
}

func (s shopSightIndex) search(q []float32, k, ef int) ([]uint64, error) {
	res, err := s.ix.Search(q, k, ef, nil)
	if err != nil {
		return nil, err
	}
	keys := make([]uint64, len(res))
	for i, r := range res {
		keys[i] = r.Key
	}
	return keys, nil
}

// coderIndex wraps github.com/coder/hnsw v0.6.1, whose Add and Search
// panic on some inputs; every call goes through recover.
type coderIndex struct{ g *coder.Graph[uint64] }

func buildCoder(ctx context.Context, cfg Config) (searchIndex, int, error) {
	g := coder.NewGraph[uint64]()
	g.M = cfg.M
	g.Ml = 1 / math.Log(float64(cfg.M))
	g.EfSearch = cfg.EfConstruction
	g.Rng = rand.New(rand.NewSource(int64(cfg.Seed)))
	if cfg.Metric == hnsw.InnerProduct {
		g.Distance = func(a, b []float32) float32 { return -hnsw.Dot(a, b) }
	} else {
		g.Distance = coder.CosineDistance
	}
	failures := 0
	for i, v := range cfg.Base {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, failures, fmt.Errorf("vecbench: coder build stopped at vector %d: %w", i, err)
			}
		}
		// coder/hnsw keeps the caller's slice, so give it a copy that
		// counts towards its memory like ShopSight's internal copy does.
		if !coderAdd(g, uint64(i), slices.Clone(v)) {
			failures++
		}
	}
	return coderIndex{g}, failures, nil
}

func coderAdd(g *coder.Graph[uint64], key uint64, v []float32) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	g.Add(coder.MakeNode(key, v))
	return true
}

func (c coderIndex) search(q []float32, k, ef int) (keys []uint64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("vecbench: coder/hnsw search panicked: %v", r)
		}
	}()
	c.g.EfSearch = ef
	nodes := c.g.Search(q, k)
	keys = make([]uint64, len(nodes))
	for i, n := range nodes {
		keys[i] = n.Key
	}
	return keys, nil
}

// ExactNeighbors returns, for each query, the ids of its k nearest base
// vectors by exact search, nearest first with ties broken by id. It uses
// threads goroutines.
func ExactNeighbors(ctx context.Context, base, queries [][]float32, k int, metric hnsw.Metric, threads int) ([][]int32, error) {
	normBase := base
	if metric == hnsw.Cosine {
		normBase = normalizedCopy(base)
		queries = normalizedCopy(queries)
	}
	out := make([][]int32, len(queries))
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(1, threads) {
		wg.Go(func() {
			type scored struct {
				dist float32
				id   int32
			}
			for qi := range next {
				top := make([]scored, 0, k+1)
				for id, v := range normBase {
					d := -hnsw.Dot(queries[qi], v)
					if len(top) == k && d >= top[k-1].dist {
						continue
					}
					pos, _ := slices.BinarySearchFunc(top, d, func(s scored, d float32) int {
						if s.dist <= d {
							return -1
						}
						return 1
					})
					top = slices.Insert(top, pos, scored{d, int32(id)})
					if len(top) > k {
						top = top[:k]
					}
				}
				ids := make([]int32, len(top))
				for i, s := range top {
					ids[i] = s.id
				}
				out[qi] = ids
			}
		})
	}
	var err error
	for qi := range queries {
		if err = ctx.Err(); err != nil {
			err = fmt.Errorf("vecbench: exact search stopped at query %d: %w", qi, err)
			break
		}
		next <- qi
	}
	close(next)
	wg.Wait()
	return out, err
}

func normalizedCopy(vs [][]float32) [][]float32 {
	out := make([][]float32, len(vs))
	for i, v := range vs {
		var s float64
		for _, x := range v {
			s += float64(x) * float64(x)
		}
		c := make([]float32, len(v))
		if s > 0 {
			inv := 1 / math.Sqrt(s)
			for j, x := range v {
				c[j] = float32(float64(x) * inv)
			}
		}
		out[i] = c
	}
	return out
}
