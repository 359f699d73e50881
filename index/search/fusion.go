package search

import (
	"cmp"
	"slices"
)

// SourceHit is one hit of a single retriever (keyword or vector), in the
// retriever's rank order.
type SourceHit struct {
	ID    string
	Score float64
}

// FusedHit is a hit after fusion.
type FusedHit struct {
	ID    string
	Score float64
	// KeywordRank and VectorRank are 1-based ranks in each source; 0 means
	// the hit is not in that source's list.
	KeywordRank int
	VectorRank  int
}

// FuseRRF combines two ranked lists by reciprocal rank fusion (Cormack,
// Clarke and Büttcher, SIGIR 2009): a hit scores Σ 1/(k + rank) over the
// lists it appears in, with 1-based ranks. Hits are ordered by score
// descending, then by id ascending, so equal scores have a stable order.
// A duplicate id within one list keeps its first rank.
func FuseRRF(keyword, vector []SourceHit, k float64) []FusedHit {
	fused := merge(keyword, vector)
	for i := range fused {
		h := &fused[i]
		if h.KeywordRank > 0 {
			h.Score += 1 / (k + float64(h.KeywordRank))
		}
		if h.VectorRank > 0 {
			h.Score += 1 / (k + float64(h.VectorRank))
		}
	}
	sortFused(fused)
	return fused
}

// FuseWeighted combines two scored lists by weighted normalized scores:
// each list's scores are min-max normalized to [0, 1] (all 1 when a list's
// scores are equal), and a hit scores w.Keyword·keyword + w.Vector·vector,
// a missing source counting 0. Ordering and duplicates are as in FuseRRF.
func FuseWeighted(keyword, vector []SourceHit, w Weights) []FusedHit {
	kn := minMax(keyword)
	vn := minMax(vector)
	fused := merge(keyword, vector)
	for i := range fused {
		h := &fused[i]
		if h.KeywordRank > 0 {
			h.Score += w.Keyword * kn[h.KeywordRank-1]
		}
		if h.VectorRank > 0 {
			h.Score += w.Vector * vn[h.VectorRank-1]
		}
	}
	sortFused(fused)
	return fused
}

// merge returns one entry per distinct id with its rank in each list.
func merge(keyword, vector []SourceHit) []FusedHit {
	index := make(map[string]int, len(keyword)+len(vector))
	out := make([]FusedHit, 0, len(keyword)+len(vector))
	entry := func(id string) *FusedHit {
		i, ok := index[id]
		if !ok {
			i = len(out)
			index[id] = i
			out = append(out, FusedHit{ID: id})
		}
		return &out[i]
	}
	for r, h := range keyword {
		if e := entry(h.ID); e.KeywordRank == 0 {
			e.KeywordRank = r + 1
		}
	}
	for r, h := range vector {
		if e := entry(h.ID); e.VectorRank == 0 {
			e.VectorRank = r + 1
		}
	}
	return out
}

// minMax returns the min-max normalized scores of hits, in hit order.
func minMax(hits []SourceHit) []float64 {
	out := make([]float64, len(hits))
	if len(hits) == 0 {
		return out
	}
	lo, hi := hits[0].Score, hits[0].Score
	for _, h := range hits[1:] {
		lo, hi = min(lo, h.Score), max(hi, h.Score)
	}
	for i, h := range hits {
		if hi > lo {
			out[i] = (h.Score - lo) / (hi - lo)
		} else {
			out[i] = 1
		}
	}
	return out
}

func sortFused(hits []FusedHit) {
	slices.SortFunc(hits, func(a, b FusedHit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
