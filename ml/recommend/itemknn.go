package recommend

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// Similarity is the normalisation of item-item co-occurrence.
type Similarity int

// Similarities.
const (
	// Cosine divides the weighted co-occurrence Σ_u w_ui·w_uj by
	// ‖w_i‖·‖w_j‖.
	Cosine Similarity = iota
	// Jaccard divides the number of common users by the size of the union
	// of the two items' user sets, ignoring weights.
	Jaccard
)

// ItemKNNOptions sets the training of an item-item neighbour model.
type ItemKNNOptions struct {
	// Neighbors is the number of neighbours kept per item.
	Neighbors  int
	Similarity Similarity
	// MinEvent keeps only events of at least this type: EventView builds
	// co-view neighbours, EventPurchase co-purchase neighbours.
	MinEvent EventType
	// Shrink is added to the denominator, damping similarities supported by
	// few users.
	Shrink float64
	// Name identifies the model in reasons and evaluation tables.
	Name    string
	Workers int
}

// DefaultItemKNNOptions returns cosine co-view neighbours, 100 per item,
// shrink 0.
func DefaultItemKNNOptions() ItemKNNOptions {
	return ItemKNNOptions{Neighbors: 100, Similarity: Cosine, MinEvent: EventView, Name: "itemknn"}
}

// WithNeighbors sets the neighbours kept per item.
func (o ItemKNNOptions) WithNeighbors(n int) ItemKNNOptions { o.Neighbors = n; return o }

// WithSimilarity sets the normalisation.
func (o ItemKNNOptions) WithSimilarity(s Similarity) ItemKNNOptions { o.Similarity = s; return o }

// WithMinEvent sets the weakest event type counted.
func (o ItemKNNOptions) WithMinEvent(e EventType) ItemKNNOptions { o.MinEvent = e; return o }

// WithShrink sets the shrinkage term.
func (o ItemKNNOptions) WithShrink(s float64) ItemKNNOptions { o.Shrink = s; return o }

// WithName sets the model name.
func (o ItemKNNOptions) WithName(name string) ItemKNNOptions { o.Name = name; return o }

// WithWorkers sets the number of goroutines.
func (o ItemKNNOptions) WithWorkers(n int) ItemKNNOptions { o.Workers = n; return o }

// ItemKNN stores the top neighbours of every item by co-occurrence in user
// histories, in CSR form.
type ItemKNN struct {
	ModelName string
	Items     *Index
	Ptr       []int // Items.Len()+1 offsets into Neighbor and Sim
	Neighbor  []int32
	Sim       []float32
}

// Name returns the configured model name.
func (m *ItemKNN) Name() string { return m.ModelName }

// TrainItemKNN computes, for every item, its top neighbours. Co-occurrence
// weights are the decayed event weights of ds, so recent co-occurrences
// count more. The cost is Σ_u |items(u)|², spread over workers.
func TrainItemKNN(ctx context.Context, ds *Dataset, opts ItemKNNOptions) (*ItemKNN, error) {
	if opts.Neighbors <= 0 {
		return nil, fmt.Errorf("train item-kNN: invalid neighbours %d: must be positive", opts.Neighbors)
	}
	if opts.Shrink < 0 {
		return nil, fmt.Errorf("train item-kNN: invalid shrink %v: must be >= 0", opts.Shrink)
	}
	if opts.Name == "" {
		opts.Name = "itemknn"
	}
	userItems := ds.MatrixFor(max(opts.MinEvent, EventView))
	itemUsers := userItems.Transpose()
	nItems := userItems.Cols
	norm := itemNorms(itemUsers, opts.Similarity)
	workers := numWorkers(opts.Workers)
	acc := make([][]float64, workers)
	touched := make([][]int32, workers)
	for w := range acc {
		acc[w] = make([]float64, nItems)
	}
	lists := make([][]scored, nItems)
	err := parallelRows(ctx, nItems, workers, func(worker, i int) {
		a := acc[worker]
		t := touched[worker][:0]
		users, wi := itemUsers.Row(i)
		for k, u := range users {
			items, wu := userItems.Row(int(u))
			for l, j := range items {
				if int(j) == i {
					continue
				}
				if a[j] == 0 {
					t = append(t, j)
				}
				if opts.Similarity == Jaccard {
					a[j]++
				} else {
					a[j] += float64(wi[k]) * float64(wu[l])
				}
			}
		}
		top := newTopK(opts.Neighbors, nil)
		for _, j := range t {
			var sim float64
			if opts.Similarity == Jaccard {
				sim = a[j] / (norm[i] + norm[j] - a[j] + opts.Shrink)
			} else {
				sim = a[j] / (math.Sqrt(norm[i]*norm[j]) + opts.Shrink)
			}
			top.offer(j, float32(sim))
			a[j] = 0
		}
		touched[worker] = t
		lists[i] = top.sorted()
	})
	if err != nil {
		return nil, fmt.Errorf("train item-kNN: %w", err)
	}
	m := &ItemKNN{ModelName: opts.Name, Items: ds.Items}
	m.Ptr, m.Neighbor, m.Sim = neighbourCSR(lists)
	return m, nil
}

// itemNorms returns ‖w_i‖² per item for cosine, or |users(i)| for Jaccard.
func itemNorms(itemUsers *Matrix, sim Similarity) []float64 {
	norm := make([]float64, itemUsers.Rows)
	for i := range itemUsers.Rows {
		_, vals := itemUsers.Row(i)
		for _, v := range vals {
			if sim == Jaccard {
				norm[i]++
			} else {
				norm[i] += float64(v) * float64(v)
			}
		}
	}
	return norm
}

// neighbourCSR packs per-item lists, each sorted best first, into CSR form.
func neighbourCSR(lists [][]scored) (ptr []int, ids []int32, scores []float32) {
	ptr = make([]int, len(lists)+1)
	for i, l := range lists {
		for _, s := range l {
			ids = append(ids, s.item)
			scores = append(scores, s.score)
		}
		ptr[i+1] = len(ids)
	}
	return ptr, ids, scores
}

func (m *ItemKNN) neighbors(i int32) ([]int32, []float32) {
	lo, hi := m.Ptr[i], m.Ptr[i+1]
	return m.Neighbor[lo:hi], m.Sim[lo:hi]
}

// Similar returns up to n neighbours of item, best first, or nil when the
// item is unknown. Its signature matches ContentFunc's, less the context.
func (m *ItemKNN) Similar(item string, n int) []Candidate {
	i, ok := m.Items.Lookup(item)
	if !ok {
		return nil
	}
	ids, sims := m.neighbors(i)
	out := make([]Candidate, 0, min(n, len(ids)))
	for k := range ids[:min(n, len(ids))] {
		out = append(out, Candidate{Item: m.Items.ID(ids[k]), Score: float64(sims[k])})
	}
	return out
}

// seed is an item that neighbours are taken from, with its weight in the
// query and the reason kind it produces.
type seed struct {
	item   int32
	weight float64
	kind   ReasonKind
	label  string
}

// Candidates scores items by Σ_h w_h·sim(h, i) over the user's history. Each
// candidate's reason names the history item that contributed most.
func (m *ItemKNN) Candidates(ctx context.Context, q *Query, n int) ([]Candidate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	seeds := make([]seed, 0, len(q.History))
	for _, h := range q.History {
		if i, ok := m.Items.Lookup(h.Item); ok {
			seeds = append(seeds, seed{item: i, weight: h.Weight, kind: similarKind(h.Event), label: h.Item})
		}
	}
	return m.spread(seeds, excludedIndexes(q, m.Items), n), nil
}

// spread accumulates the neighbours of seeds and returns the best n, each
// with the strongest contributing seed as its reason.
func (m *ItemKNN) spread(seeds []seed, exclude map[int32]struct{}, n int) []Candidate {
	if len(seeds) == 0 || n <= 0 {
		return nil
	}
	type acc struct {
		score, best float64
		from        int
	}
	scores := make(map[int32]*acc)
	for si, s := range seeds {
		ids, sims := m.neighbors(s.item)
		for k, j := range ids {
			c := s.weight * float64(sims[k])
			a := scores[j]
			if a == nil {
				a = &acc{from: si, best: math.Inf(-1)}
				scores[j] = a
			}
			a.score += c
			if c > a.best {
				a.best, a.from = c, si
			}
		}
	}
	top := newTopK(n, exclude)
	for j, a := range scores {
		top.offer(j, float32(a.score))
	}
	best := top.sorted()
	out := make([]Candidate, len(best))
	for k, s := range best {
		a := scores[s.item]
		from := seeds[a.from]
		out[k] = Candidate{
			Item:    m.Items.ID(s.item),
			Score:   a.score,
			Reasons: []Reason{{Kind: from.kind, Model: m.ModelName, Item: from.label, Score: a.best}},
		}
	}
	return out
}

// similarKind returns the reason kind for a neighbour of an item the user
// touched with event e.
func similarKind(e EventType) ReasonKind {
	switch e {
	case EventPurchase:
		return ReasonSimilarToPurchased
	case EventCart:
		return ReasonSimilarToCarted
	}
	return ReasonSimilarToViewed
}

// sortCandidates orders candidates by score descending, then item id.
func sortCandidates(c []Candidate) {
	slices.SortFunc(c, func(a, b Candidate) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return compareStrings(a.Item, b.Item)
	})
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
