package recommend

// Index maps string ids to dense int32 indexes in order of first appearance.
// It is not safe for concurrent writes.
type Index struct {
	ids []string
	pos map[string]int32
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{pos: make(map[string]int32)}
}

// newIndexFrom rebuilds an index from its ids, as stored by IDs.
func newIndexFrom(ids []string) *Index {
	idx := &Index{ids: ids, pos: make(map[string]int32, len(ids))}
	for i, id := range ids {
		idx.pos[id] = int32(i)
	}
	return idx
}

// Add returns the index of id, adding it when it is new.
func (x *Index) Add(id string) int32 {
	if i, ok := x.pos[id]; ok {
		return i
	}
	i := int32(len(x.ids))
	x.ids = append(x.ids, id)
	x.pos[id] = i
	return i
}

// Lookup returns the index of id and whether it is present.
func (x *Index) Lookup(id string) (int32, bool) {
	i, ok := x.pos[id]
	return i, ok
}

// ID returns the string id at index i.
func (x *Index) ID(i int32) string { return x.ids[i] }

// Len returns the number of ids.
func (x *Index) Len() int { return len(x.ids) }

// IDs returns the ids in index order. The caller must not modify the slice.
func (x *Index) IDs() []string { return x.ids }
