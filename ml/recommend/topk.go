package recommend

import (
	"container/heap"
	"slices"
)

// scored is an item index with a score.
type scored struct {
	item  int32
	score float32
}

// better orders by score descending, then by index ascending, so that
// rankings are deterministic under ties.
func better(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.item < b.item
}

// minHeap keeps the worst of the kept items at the root.
type minHeap []scored

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// topK collects the k best items offered to it, skipping excluded ones.
type topK struct {
	k       int
	h       minHeap
	exclude map[int32]struct{}
}

func newTopK(k int, exclude map[int32]struct{}) *topK {
	return &topK{k: k, h: make(minHeap, 0, k+1), exclude: exclude}
}

func (t *topK) offer(item int32, score float32) {
	if t.k <= 0 {
		return
	}
	s := scored{item, score}
	if len(t.h) == t.k && !better(s, t.h[0]) {
		return
	}
	if _, skip := t.exclude[item]; skip {
		return
	}
	if len(t.h) < t.k {
		heap.Push(&t.h, s)
		return
	}
	t.h[0] = s
	heap.Fix(&t.h, 0)
}

// sorted returns the kept items, best first.
func (t *topK) sorted() []scored {
	out := slices.Clone([]scored(t.h))
	slices.SortFunc(out, func(a, b scored) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	return out
}

// topOfDense returns the k best entries of a dense score vector.
func topOfDense(scores []float32, k int, exclude map[int32]struct{}) []scored {
	t := newTopK(k, exclude)
	for i, s := range scores {
		t.offer(int32(i), s)
	}
	return t.sorted()
}
