// Package hnsw is an in-memory approximate nearest-neighbour index over
// float32 vectors, following Malkov and Yashunin, "Efficient and robust
// approximate nearest neighbor search using Hierarchical Navigable Small
// World graphs" (IEEE TPAMI 2020): levels drawn with mL = 1/ln(M), M
// neighbours per node on upper layers and 2*M on layer 0, and the
// heuristic neighbour selection (their Algorithm 4) with pruned
// connections kept to fill each list.
//
// Keys are caller-chosen uint64 ids. Deleting a key leaves a tombstone that
// searches walk through but never return; Compact repairs the neighbour
// lists around tombstones and drops them. All methods are safe for
// concurrent use.
package hnsw

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
)

// Index is an HNSW graph. Create one with New or Load.
type Index struct {
	opts Options
	dim  int

	// mu is held for reading by searches, inserts and deletes, and for
	// writing by page growth, Compact and ReadFrom, which replace g's
	// pages or g itself.
	mu sync.RWMutex
	// keysMu guards g.keys, g.tombstones, id allocation and rng.
	keysMu sync.Mutex
	// topMu serializes inserts whose level may raise the entry point.
	topMu sync.Mutex
	g     *graph
	rng   *rand.Rand

	searchers sync.Pool
}

// New returns an empty index for vectors of dimension dim.
func New(dim int, opts Options) (*Index, error) {
	if dim < 1 || dim > 1<<16 {
		return nil, fmt.Errorf("hnsw: invalid dimension %d: use a value in [1, 65536]", dim)
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	ix := &Index{opts: opts, dim: dim, g: newGraph()}
	ix.rng = rand.New(rand.NewPCG(opts.Seed, 0x5eed))
	ix.searchers.New = func() any { return new(searcher) }
	return ix, nil
}

// Dim returns the vector dimension.
func (ix *Index) Dim() int { return ix.dim }

// Options returns the options the index was built with, with the current
// metadata.
func (ix *Index) Options() Options {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.opts
}

// Metadata returns the caller-supplied string stored with the index.
func (ix *Index) Metadata() string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.opts.Metadata
}

// SetMetadata replaces the caller-supplied string that the next Save or
// WriteTo stores, such as the state of the data the index reflects.
func (ix *Index) SetMetadata(metadata string) error {
	if len(metadata) > maxMetadataLen {
		return fmt.Errorf("hnsw: metadata is %d bytes: the limit is %d", len(metadata), maxMetadataLen)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.opts.Metadata = metadata
	return nil
}

// Len returns the number of live keys.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.keysMu.Lock()
	defer ix.keysMu.Unlock()
	return len(ix.g.keys)
}

// Tombstones returns the number of deleted or replaced nodes still in the graph.
func (ix *Index) Tombstones() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.keysMu.Lock()
	defer ix.keysMu.Unlock()
	return ix.g.tombstones
}

// Contains reports whether key is live in the index.
func (ix *Index) Contains(key uint64) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.keysMu.Lock()
	defer ix.keysMu.Unlock()
	_, ok := ix.g.keys[key]
	return ok
}

// Vector returns a copy of the stored vector for key, normalized under
// Cosine, and whether key is live.
func (ix *Index) Vector(key uint64) ([]float32, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.keysMu.Lock()
	id, ok := ix.g.keys[key]
	ix.keysMu.Unlock()
	if !ok {
		return nil, false
	}
	return append([]float32(nil), ix.vector(id)...), true
}

func (ix *Index) vector(id uint32) []float32 {
	p := ix.g.pages[id>>pageBits]
	off := int(id&pageMask) * ix.dim
	return p.vectors[off : off+ix.dim : off+ix.dim]
}

func (ix *Index) links(id uint32, level int) []uint32 {
	if level == 0 {
		p := ix.g.pages[id>>pageBits]
		width := 2*ix.opts.M + 1
		off := int(id&pageMask) * width
		return p.links0[off : off+width : off+width]
	}
	return ix.g.node(id).upper[level-1]
}

func (ix *Index) distance(q []float32, id uint32) float32 {
	return ix.opts.Metric.distance(Dot(q, ix.vector(id)))
}

// Add inserts vec under key. Adding an existing key replaces its vector:
// the old node becomes a tombstone and a new node is linked in, so a
// concurrent search finds either the old vector, the new one, or neither.
func (ix *Index) Add(key uint64, vec []float32) error {
	v, err := prepareVector(vec, ix.dim, ix.opts.Metric)
	if err != nil {
		return fmt.Errorf("hnsw: add key %d: %w", key, err)
	}

	var id uint32
	var level int
	for {
		ix.mu.RLock()
		var ok bool
		id, level, ok = ix.allocate(key, v)
		if ok {
			break
		}
		ix.mu.RUnlock()
		ix.grow()
	}
	s := ix.searchers.Get().(*searcher)
	ix.link(s, id, level)
	ix.searchers.Put(s)
	ix.mu.RUnlock()

	ix.compactIfNeeded()
	return nil
}

// AddBatch inserts vectors[i] under keys[i] from workers goroutines and
// returns the first error. Inserts already made stay in the index.
func (ix *Index) AddBatch(ctx context.Context, keys []uint64, vectors [][]float32, workers int) error {
	if len(keys) != len(vectors) {
		return fmt.Errorf("hnsw: add batch: %d keys but %d vectors", len(keys), len(vectors))
	}
	workers = max(1, min(workers, len(keys)))
	var (
		next     int
		nextMu   sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	claim := func() (int, bool) {
		nextMu.Lock()
		defer nextMu.Unlock()
		if firstErr != nil || next >= len(keys) {
			return 0, false
		}
		if err := ctx.Err(); err != nil {
			firstErr = fmt.Errorf("hnsw: add batch stopped after %d of %d vectors: %w", next, len(keys), err)
			return 0, false
		}
		next++
		return next - 1, true
	}
	for range workers {
		wg.Go(func() {
			for {
				i, ok := claim()
				if !ok {
					return
				}
				if err := ix.Add(keys[i], vectors[i]); err != nil {
					nextMu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("hnsw: add batch item %d: %w", i, err)
					}
					nextMu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// allocate reserves a node id for key, stores v and a random level, and
// tombstones the key's previous node. It returns ok false when the pages
// are full. The caller holds mu for reading.
func (ix *Index) allocate(key uint64, v []float32) (id uint32, level int, ok bool) {
	ix.keysMu.Lock()
	defer ix.keysMu.Unlock()
	g := ix.g
	n := g.count.Load()
	if int(n) >= g.capacity() {
		return 0, 0, false
	}
	id = n
	level = ix.randomLevel()

	nd := g.node(id)
	nd.key = key
	nd.level = int32(level)
	nd.upper = make([][]uint32, level)
	for l := range nd.upper {
		nd.upper[l] = make([]uint32, ix.opts.M+1)
	}
	copy(ix.vector(id), v)

	if old, exists := g.keys[key]; exists {
		g.node(old).deleted.Store(true)
		g.tombstones++
	}
	g.keys[key] = id
	g.count.Store(n + 1)
	return id, level, true
}

// randomLevel draws floor(-ln(U) * mL) with U uniform in (0, 1].
// The caller holds keysMu.
func (ix *Index) randomLevel() int {
	u := 1 - ix.rng.Float64()
	level := int(-math.Log(u) * ix.opts.levelMultiplier())
	return min(level, maxLevel)
}

func (ix *Index) grow() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if int(ix.g.count.Load()) < ix.g.capacity() {
		return
	}
	if ix.g.capacity()+pageSize > math.MaxUint32 {
		// TODO: ids are uint32, so an index holds at most 2^32 - pageSize nodes.
		panic("hnsw: index is full at 2^32 nodes")
	}
	ix.g.pages = append(ix.g.pages, newPage(ix.dim, 2*ix.opts.M))
}

// link connects the freshly allocated node id into every level up to its
// own, then raises the entry point if the node is the new top.
// The caller holds mu for reading.
func (ix *Index) link(s *searcher, id uint32, level int) {
	g := ix.g
	_, top := unpackEntry(g.entry.Load())
	if g.entry.Load() == emptyEntry || level > top {
		ix.topMu.Lock()
		defer ix.topMu.Unlock()
	}
	entry := g.entry.Load()
	if entry == emptyEntry {
		g.entry.Store(packEntry(id, level))
		return
	}
	epID, top := unpackEntry(entry)

	q := ix.vector(id)
	cur := candidate{dist: ix.distance(q, epID), id: epID}
	for lc := top; lc > level; lc-- {
		cur = ix.greedyClosest(s, q, cur, lc)
	}

	entries := []candidate{cur}
	for lc := min(top, level); lc >= 0; lc-- {
		ix.searchLayer(s, q, entries, ix.opts.EfConstruction, lc, nil)
		found := drainSorted(s, id)
		if len(found) == 0 {
			continue
		}
		s.selected = ix.selectNeighbors(s, found, ix.opts.M, s.selected[:0])
		ids := make([]uint32, len(s.selected))
		for i, c := range s.selected {
			ids[i] = c.id
		}

		nd := g.node(id)
		nd.mu.Lock()
		writeLinks(ix.links(id, lc), ids)
		nd.mu.Unlock()
		for _, nb := range ids {
			ix.addReverseLink(s, nb, id, lc)
		}
		entries = append(entries[:0], found...)
	}

	if level > top {
		g.entry.Store(packEntry(id, level))
	}
}

// drainSorted empties s.results into s.sorted in ascending distance,
// leaving out exclude, and returns it.
func drainSorted(s *searcher, exclude uint32) []candidate {
	s.sorted = s.sorted[:0]
	for len(s.results) > 0 {
		c := s.results.pop()
		if c.id != exclude {
			s.sorted = append(s.sorted, c)
		}
	}
	for i, j := 0, len(s.sorted)-1; i < j; i, j = i+1, j-1 {
		s.sorted[i], s.sorted[j] = s.sorted[j], s.sorted[i]
	}
	return s.sorted
}

// selectNeighbors is the heuristic of Malkov and Yashunin (Algorithm 4)
// with keepPrunedConnections: walking candidates from closest to farthest,
// it keeps a candidate only if it is closer to the base element than to
// every candidate already kept, then fills the remaining slots with the
// closest discarded candidates. cands must be sorted ascending.
func (ix *Index) selectNeighbors(s *searcher, cands []candidate, m int, out []candidate) []candidate {
	if len(cands) <= m {
		return append(out, cands...)
	}
	pruned := s.pruned[:0]
	for _, c := range cands {
		if len(out) >= m {
			break
		}
		keep := true
		cv := ix.vector(c.id)
		for _, r := range out {
			if ix.distance(cv, r.id) < c.dist {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, c)
		} else {
			pruned = append(pruned, c)
		}
	}
	for _, c := range pruned {
		if len(out) >= m {
			break
		}
		out = append(out, c)
	}
	s.pruned = pruned
	return out
}

// addReverseLink adds newID to target's list at level, shrinking the list
// with the heuristic when it is full. Tombstones in the list are dropped
// first.
func (ix *Index) addReverseLink(s *searcher, target, newID uint32, level int) {
	nd := ix.g.node(target)
	nd.mu.Lock()
	defer nd.mu.Unlock()

	list := ix.links(target, level)
	current := readLinks(list, s.links)
	s.links = current
	for _, x := range current {
		if x == newID {
			return
		}
	}
	maxM := ix.opts.maxNeighbors(level)
	if len(current) < maxM {
		writeLinks(list, append(current, newID))
		return
	}

	tv := ix.vector(target)
	cands := make([]candidate, 0, len(current)+1)
	for _, x := range append(current, newID) {
		if x != newID && ix.g.node(x).deleted.Load() {
			continue
		}
		cands = append(cands, candidate{dist: ix.distance(tv, x), id: x})
	}
	sortCandidates(cands)
	selected := ix.selectNeighbors(s, cands, maxM, make([]candidate, 0, maxM))
	ids := make([]uint32, len(selected))
	for i, c := range selected {
		ids[i] = c.id
	}
	writeLinks(list, ids)
}

// Delete removes key and reports whether it was live. Its node stays in
// the graph as a tombstone until the next compaction.
func (ix *Index) Delete(key uint64) bool {
	ix.mu.RLock()
	ix.keysMu.Lock()
	id, ok := ix.g.keys[key]
	if ok {
		delete(ix.g.keys, key)
		ix.g.node(id).deleted.Store(true)
		ix.g.tombstones++
	}
	ix.keysMu.Unlock()
	ix.mu.RUnlock()

	if ok {
		ix.compactIfNeeded()
	}
	return ok
}
