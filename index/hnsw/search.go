package hnsw

import (
	"cmp"
	"fmt"
	"slices"
)

// Result is one search hit.
type Result struct {
	Key uint64 `json:"key"`
	// Distance is 1 - cosine for Cosine and -dot for InnerProduct; smaller is closer.
	Distance float32 `json:"distance"`
	// Score is the similarity: the cosine for Cosine, the dot product for InnerProduct.
	Score float32 `json:"score"`
}

// Filter selects the keys a search may return. It must be safe to call
// from the searching goroutine while other goroutines use the index, and
// it must not call back into the index.
type Filter func(key uint64) bool

// Cost model for filtered search, in units of one distance computation.
const (
	// filterCallCost is the cost of one filter call plus the loop around
	// it in an exact scan, relative to a distance computation. An estimate.
	filterCallCost = 0.25
	// selectivitySample is the number of live nodes sampled to estimate
	// the fraction of keys a filter accepts.
	selectivitySample = 256
)

// Search returns the k nearest live keys to query, sorted by distance
// ascending with ties broken by key. ef is the candidate list size; 0
// uses Options.EfSearch, and values below k are raised to k. A non-nil
// filter restricts the results to keys it accepts. When the filter accepts
// few keys, Search scans the accepted keys exactly instead of walking the
// graph; it returns fewer than k results only when fewer than k live keys
// pass the filter. An empty index returns an empty slice.
func (ix *Index) Search(query []float32, k, ef int, filter Filter) ([]Result, error) {
	if k <= 0 {
		return nil, fmt.Errorf("%w: got k=%d", ErrInvalidK, k)
	}
	q, err := prepareVector(query, ix.dim, ix.opts.Metric)
	if err != nil {
		return nil, fmt.Errorf("hnsw: search: %w", err)
	}
	if ef <= 0 {
		ef = ix.opts.EfSearch
	}
	ef = max(ef, k)

	ix.mu.RLock()
	defer ix.mu.RUnlock()

	ix.keysMu.Lock()
	live := len(ix.g.keys)
	ix.keysMu.Unlock()
	if live == 0 {
		return []Result{}, nil
	}

	s := ix.searchers.Get().(*searcher)
	defer ix.searchers.Put(s)

	if live <= ef || (filter != nil && ix.preferExact(filter, live, ef)) {
		return ix.searchExact(s, q, k, filter), nil
	}
	results := ix.searchGraph(s, q, k, ef, filter)
	if len(results) < k {
		// The walk can end early when tombstones or a filter cut off part of
		// the graph; an exact scan then finds every remaining match.
		return ix.searchExact(s, q, k, filter), nil
	}
	return results, nil
}

// SearchExact returns the exact k nearest live keys by scanning every node.
// It validates its arguments like Search and serves as the ground truth
// for recall measurements.
func (ix *Index) SearchExact(query []float32, k int, filter Filter) ([]Result, error) {
	if k <= 0 {
		return nil, fmt.Errorf("%w: got k=%d", ErrInvalidK, k)
	}
	q, err := prepareVector(query, ix.dim, ix.opts.Metric)
	if err != nil {
		return nil, fmt.Errorf("hnsw: exact search: %w", err)
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s := ix.searchers.Get().(*searcher)
	defer ix.searchers.Put(s)
	return ix.searchExact(s, q, k, filter), nil
}

// preferExact estimates the fraction of live keys the filter accepts from
// an evenly spaced sample and reports whether an exact scan of the accepted
// keys is cheaper than a graph walk. The walk needs about ef/selectivity
// visited nodes of 2*M neighbours each before ef accepted results fill its
// list; the scan costs one filter call per live node plus one distance per
// accepted node.
func (ix *Index) preferExact(filter Filter, live, ef int) bool {
	g := ix.g
	n := int(g.count.Load())
	step := max(1, n/selectivitySample)
	sampled, accepted := 0, 0
	for id := 0; id < n; id += step {
		nd := g.node(uint32(id))
		if nd.deleted.Load() {
			continue
		}
		sampled++
		if filter(nd.key) {
			accepted++
		}
	}
	if sampled == 0 || accepted == 0 {
		return true
	}
	selectivity := float64(accepted) / float64(sampled)
	graphCost := float64(ef) * float64(2*ix.opts.M) / selectivity
	exactCost := float64(live) * (selectivity + filterCallCost)
	return exactCost <= graphCost
}

// searchGraph walks down from the entry point and returns up to k results.
func (ix *Index) searchGraph(s *searcher, q []float32, k, ef int, filter Filter) []Result {
	entryID, top := unpackEntry(ix.g.entry.Load())
	cur := candidate{dist: ix.distance(q, entryID), id: entryID}
	for lc := top; lc > 0; lc-- {
		cur = ix.greedyClosest(s, q, cur, lc)
	}
	ix.searchLayer(s, q, []candidate{cur}, ef, 0, filter)
	for len(s.results) > k {
		s.results.pop()
	}
	return ix.collect(s)
}

// greedyClosest moves from cur to a closer neighbour at level until none is closer.
func (ix *Index) greedyClosest(s *searcher, q []float32, cur candidate, level int) candidate {
	for changed := true; changed; {
		changed = false
		s.links = readLinks(ix.links(cur.id, level), s.links)
		for _, nb := range s.links {
			if d := ix.distance(q, nb); d < cur.dist {
				cur = candidate{dist: d, id: nb}
				changed = true
			}
		}
	}
	return cur
}

// searchLayer is the beam search of Malkov and Yashunin (Algorithm 2)
// with a result list of size ef. Tombstones and nodes the filter rejects
// are walked through but kept out of s.results, and the search stops only
// once s.results holds ef nodes, so a selective filter widens the walk
// until ef accepted nodes are found or the reachable graph is exhausted.
func (ix *Index) searchLayer(s *searcher, q []float32, entries []candidate, ef, level int, filter Filter) {
	g := ix.g
	s.visited.reset(g.capacity())
	s.candidates = s.candidates[:0]
	s.results = s.results[:0]

	accept := func(id uint32) bool {
		nd := g.node(id)
		return !nd.deleted.Load() && (filter == nil || filter(nd.key))
	}
	for _, e := range entries {
		if s.visited.visit(e.id) {
			continue
		}
		s.candidates.push(e)
		if accept(e.id) {
			s.results.push(e)
			if len(s.results) > ef {
				s.results.pop()
			}
		}
	}

	for len(s.candidates) > 0 {
		c := s.candidates.pop()
		if len(s.results) >= ef && c.dist > s.results[0].dist {
			break
		}
		s.links = readLinks(ix.links(c.id, level), s.links)
		for _, nb := range s.links {
			if s.visited.visit(nb) {
				continue
			}
			d := ix.distance(q, nb)
			if len(s.results) >= ef && d >= s.results[0].dist {
				continue
			}
			s.candidates.push(candidate{dist: d, id: nb})
			if accept(nb) {
				s.results.push(candidate{dist: d, id: nb})
				if len(s.results) > ef {
					s.results.pop()
				}
			}
		}
	}
}

// searchExact scans every live node the filter accepts.
func (ix *Index) searchExact(s *searcher, q []float32, k int, filter Filter) []Result {
	g := ix.g
	n := g.count.Load()
	s.results = s.results[:0]
	for id := range n {
		nd := g.node(id)
		if nd.deleted.Load() || (filter != nil && !filter(nd.key)) {
			continue
		}
		d := ix.distance(q, id)
		if len(s.results) < k {
			s.results.push(candidate{dist: d, id: id})
		} else if d < s.results[0].dist || (d == s.results[0].dist && nd.key < g.node(s.results[0].id).key) {
			s.results.pop()
			s.results.push(candidate{dist: d, id: id})
		}
	}
	return ix.collect(s)
}

// collect empties s.results into Results sorted by distance, then key.
func (ix *Index) collect(s *searcher) []Result {
	out := make([]Result, len(s.results))
	for i, c := range s.results {
		out[i] = Result{Key: ix.g.node(c.id).key, Distance: c.dist, Score: ix.opts.Metric.similarity(c.dist)}
	}
	s.results = s.results[:0]
	slices.SortFunc(out, func(a, b Result) int {
		if c := cmp.Compare(a.Distance, b.Distance); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}

func sortCandidates(c []candidate) {
	slices.SortFunc(c, func(a, b candidate) int {
		if x := cmp.Compare(a.dist, b.dist); x != 0 {
			return x
		}
		return cmp.Compare(a.id, b.id)
	})
}
