package hnsw

import (
	"sync"
	"sync/atomic"
)

// Nodes live in fixed-size pages so that growing the index never moves a
// vector or a neighbour list that a concurrent reader may hold.
const (
	pageBits = 10
	pageSize = 1 << pageBits
	pageMask = pageSize - 1
)

// node is the per-node metadata. Everything except deleted and the
// neighbour lists is written once, before the node's id is published
// through count or through a neighbour list.
type node struct {
	// mu serializes writers of this node's neighbour lists. Readers load
	// the lists with atomic operations and never take it.
	mu      sync.Mutex
	key     uint64
	level   int32
	deleted atomic.Bool
	// upper holds the neighbour lists for levels 1..level; upper[l-1] is
	// laid out like a level-0 list: count, then up to M ids.
	upper [][]uint32
}

// page stores pageSize nodes: their vectors back to back, their level-0
// neighbour lists (count, then up to 2*M ids) back to back, and metadata.
type page struct {
	vectors []float32
	links0  []uint32
	nodes   [pageSize]node
}

func newPage(dim, m0 int) *page {
	return &page{
		vectors: make([]float32, pageSize*dim),
		links0:  make([]uint32, pageSize*(m0+1)),
	}
}

// graph is the whole mutable state of an Index apart from its locks, so
// that Compact and ReadFrom can build a replacement and swap it in.
type graph struct {
	pages []*page
	// count is the number of allocated node ids, live or tombstoned.
	count atomic.Uint32
	// keys maps each live key to its node id. Guarded by Index.keysMu.
	keys map[uint64]uint32
	// tombstones counts deleted or replaced nodes. Guarded by Index.keysMu.
	tombstones int
	// entry packs the entry point as level<<32 | id; emptyEntry when the
	// graph has no node.
	entry atomic.Uint64
}

const emptyEntry = ^uint64(0)

func newGraph() *graph {
	g := &graph{keys: make(map[uint64]uint32)}
	g.entry.Store(emptyEntry)
	return g
}

func packEntry(id uint32, level int) uint64 { return uint64(level)<<32 | uint64(id) }

func unpackEntry(e uint64) (id uint32, level int) { return uint32(e), int(e >> 32) }

func (g *graph) node(id uint32) *node { return &g.pages[id>>pageBits].nodes[id&pageMask] }

func (g *graph) capacity() int { return len(g.pages) * pageSize }

// readLinks copies a neighbour list into buf. A concurrent writer may
// replace entries while it runs; every id it can observe is a published node.
func readLinks(list []uint32, buf []uint32) []uint32 {
	n := int(atomic.LoadUint32(&list[0]))
	if n > len(list)-1 {
		n = len(list) - 1
	}
	buf = buf[:0]
	for i := 1; i <= n; i++ {
		buf = append(buf, atomic.LoadUint32(&list[i]))
	}
	return buf
}

// writeLinks replaces a neighbour list. The caller holds the owner's node.mu.
func writeLinks(list []uint32, ids []uint32) {
	if uint32(len(ids)) < atomic.LoadUint32(&list[0]) {
		atomic.StoreUint32(&list[0], uint32(len(ids)))
	}
	for i, id := range ids {
		atomic.StoreUint32(&list[i+1], id)
	}
	atomic.StoreUint32(&list[0], uint32(len(ids)))
}

// candidate is a node id with its distance to the current query.
type candidate struct {
	dist float32
	id   uint32
}

// minHeap pops the closest candidate first.
type minHeap []candidate

func (h *minHeap) push(c candidate) {
	*h = append(*h, c)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p].dist <= s[i].dist {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *minHeap) pop() candidate {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(s) {
			break
		}
		c := l
		if r := l + 1; r < len(s) && s[r].dist < s[l].dist {
			c = r
		}
		if s[i].dist <= s[c].dist {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
	return top
}

// maxHeap keeps the farthest candidate on top, so it bounds a result set.
type maxHeap []candidate

func (h *maxHeap) push(c candidate) {
	*h = append(*h, c)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p].dist >= s[i].dist {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *maxHeap) pop() candidate {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(s) {
			break
		}
		c := l
		if r := l + 1; r < len(s) && s[r].dist > s[l].dist {
			c = r
		}
		if s[i].dist >= s[c].dist {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
	return top
}

// visitedSet marks node ids with a generation number, so clearing it
// between searches costs nothing until the generation wraps.
type visitedSet struct {
	marks []uint16
	gen   uint16
}

func (v *visitedSet) reset(capacity int) {
	if len(v.marks) < capacity {
		v.marks = make([]uint16, capacity)
		v.gen = 0
	}
	v.gen++
	if v.gen == 0 {
		clear(v.marks)
		v.gen = 1
	}
}

// visit marks id and reports whether it was already marked.
func (v *visitedSet) visit(id uint32) bool {
	if v.marks[id] == v.gen {
		return true
	}
	v.marks[id] = v.gen
	return false
}

// searcher holds the scratch space of one search or insert.
type searcher struct {
	visited    visitedSet
	candidates minHeap
	results    maxHeap
	links      []uint32
	sorted     []candidate
	selected   []candidate
	pruned     []candidate
}
