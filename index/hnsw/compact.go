package hnsw

// maxRepairVisits bounds how many tombstones one repair walks through when
// it looks for live replacement neighbours.
const maxRepairVisits = 64

// Compact repairs the neighbour lists that point at tombstones and removes
// the tombstones, renumbering the remaining nodes. It blocks every other
// call for its duration, which grows with the number of nodes.
func (ix *Index) Compact() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.compactLocked()
}

// compactIfNeeded compacts when tombstones exceed Options.CompactRatio of
// all stored nodes.
func (ix *Index) compactIfNeeded() {
	if ix.opts.CompactRatio == 0 || !ix.overRatio() {
		return
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.overRatio() {
		ix.compactLocked()
	}
}

func (ix *Index) overRatio() bool {
	ix.keysMu.Lock()
	defer ix.keysMu.Unlock()
	total := int(ix.g.count.Load())
	return total > 0 && float64(ix.g.tombstones) > ix.opts.CompactRatio*float64(total)
}

// compactLocked does the work of Compact. The caller holds mu for writing.
func (ix *Index) compactLocked() {
	old := ix.g
	if old.tombstones == 0 {
		return
	}
	n := old.count.Load()
	s := new(searcher)
	for id := range n {
		nd := old.node(id)
		if nd.deleted.Load() {
			continue
		}
		for level := 0; level <= int(nd.level); level++ {
			ix.repairLinks(s, id, level)
		}
	}

	// Renumber the live nodes densely into fresh pages.
	remap := make([]uint32, n)
	next := uint32(0)
	const removed = ^uint32(0)
	for id := range n {
		if old.node(id).deleted.Load() {
			remap[id] = removed
			continue
		}
		remap[id] = next
		next++
	}

	fresh := newGraph()
	m0 := 2 * ix.opts.M
	for range (int(next) + pageSize - 1) / pageSize {
		fresh.pages = append(fresh.pages, newPage(ix.dim, m0))
	}
	ids := make([]uint32, 0, m0)
	bestID, bestLevel := removed, -1
	for id := range n {
		to := remap[id]
		if to == removed {
			continue
		}
		src := old.node(id)
		dst := fresh.node(to)
		dst.key = src.key
		dst.level = src.level
		dst.upper = make([][]uint32, src.level)
		copy(fresh.vectorSlot(to, ix.dim), ix.vector(id))
		for level := 0; level <= int(src.level); level++ {
			ids = ids[:0]
			for _, x := range readLinks(ix.links(id, level), s.links) {
				if remap[x] != removed {
					ids = append(ids, remap[x])
				}
			}
			var list []uint32
			if level == 0 {
				list = fresh.links0Slot(to, m0)
			} else {
				list = make([]uint32, ix.opts.M+1)
				dst.upper[level-1] = list
			}
			writeLinks(list, ids)
		}
		fresh.keys[src.key] = to
		if int(src.level) > bestLevel {
			bestID, bestLevel = to, int(src.level)
		}
	}
	fresh.count.Store(next)

	if entry := old.entry.Load(); entry != emptyEntry {
		if epID, level := unpackEntry(entry); remap[epID] != removed {
			bestID, bestLevel = remap[epID], level
		}
	}
	if bestID != removed {
		fresh.entry.Store(packEntry(bestID, bestLevel))
	}
	ix.g = fresh
}

// repairLinks replaces the tombstones in id's list at level with live nodes
// reached through them, then reselects the list with the heuristic. It is
// the neighbour repair of hnswlib's markDelete/updatePoint path, done in
// one pass.
func (ix *Index) repairLinks(s *searcher, id uint32, level int) {
	g := ix.g
	list := ix.links(id, level)
	current := append([]uint32(nil), readLinks(list, s.links)...)
	hasTombstone := false
	for _, x := range current {
		if g.node(x).deleted.Load() {
			hasTombstone = true
			break
		}
	}
	if !hasTombstone {
		return
	}

	seen := map[uint32]bool{id: true}
	var live, queue []uint32
	for _, x := range current {
		if seen[x] {
			continue
		}
		seen[x] = true
		if g.node(x).deleted.Load() {
			queue = append(queue, x)
		} else {
			live = append(live, x)
		}
	}
	for visits := 0; len(queue) > 0 && visits < maxRepairVisits; visits++ {
		dead := queue[0]
		queue = queue[1:]
		if int(g.node(dead).level) < level {
			continue
		}
		for _, x := range readLinks(ix.links(dead, level), nil) {
			if seen[x] {
				continue
			}
			seen[x] = true
			if g.node(x).deleted.Load() {
				queue = append(queue, x)
			} else {
				live = append(live, x)
			}
		}
	}

	v := ix.vector(id)
	cands := make([]candidate, len(live))
	for i, x := range live {
		cands[i] = candidate{dist: ix.distance(v, x), id: x}
	}
	sortCandidates(cands)
	selected := ix.selectNeighbors(s, cands, ix.opts.maxNeighbors(level), nil)
	ids := make([]uint32, len(selected))
	for i, c := range selected {
		ids[i] = c.id
	}
	writeLinks(list, ids)
}

func (g *graph) vectorSlot(id uint32, dim int) []float32 {
	off := int(id&pageMask) * dim
	return g.pages[id>>pageBits].vectors[off : off+dim]
}

func (g *graph) links0Slot(id uint32, m0 int) []uint32 {
	off := int(id&pageMask) * (m0 + 1)
	return g.pages[id>>pageBits].links0[off : off+m0+1]
}
