package recommend

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

// ContentFunc returns up to n items similar to item by content, best first.
// The vector index provides one, and TextIndex.Similar is the text-only
// fallback. It returns no items and no error for an unknown item.
type ContentFunc func(ctx context.Context, item string, n int) ([]Candidate, error)

// Content recommends content neighbours of the items a user or session
// touched.
type Content struct {
	similar ContentFunc
	// perSeed is the number of neighbours fetched per touched item.
	perSeed int
	// maxSeeds caps the touched items used, newest first.
	maxSeeds int
}

// NewContent wraps a ContentFunc as a Scorer. It fetches perSeed neighbours
// for each of the last maxSeeds touched items.
func NewContent(similar ContentFunc, perSeed, maxSeeds int) (*Content, error) {
	if similar == nil {
		return nil, fmt.Errorf("new content model: content function is nil")
	}
	if perSeed < 1 || maxSeeds < 1 {
		return nil, fmt.Errorf("new content model: per-item neighbours %d and touched items %d must be >= 1", perSeed, maxSeeds)
	}
	return &Content{similar: similar, perSeed: perSeed, maxSeeds: maxSeeds}, nil
}

// Name returns "content".
func (m *Content) Name() string { return "content" }

// Candidates sums content similarities to the touched items: session items
// first, then history items by weight. Each reason names the closest
// touched item.
func (m *Content) Candidates(ctx context.Context, q *Query, n int) ([]Candidate, error) {
	touched := touchedItems(q, m.maxSeeds)
	type acc struct {
		score, best float64
		from        string
	}
	scores := make(map[string]*acc)
	for _, item := range touched {
		similar, err := m.similar(ctx, item, m.perSeed)
		if err != nil {
			return nil, fmt.Errorf("content neighbours of item %q: %w", item, err)
		}
		for _, c := range similar {
			if _, skip := q.Exclude[c.Item]; skip || c.Item == item {
				continue
			}
			a := scores[c.Item]
			if a == nil {
				a = &acc{best: math.Inf(-1)}
				scores[c.Item] = a
			}
			a.score += c.Score
			if c.Score > a.best {
				a.best, a.from = c.Score, item
			}
		}
	}
	out := make([]Candidate, 0, len(scores))
	for item, a := range scores {
		out = append(out, Candidate{Item: item, Score: a.score,
			Reasons: []Reason{{Kind: ReasonSimilarContent, Model: m.Name(), Item: a.from, Score: a.best}}})
	}
	sortCandidates(out)
	return out[:min(n, len(out))], nil
}

// touchedItems returns up to limit distinct items: session items newest
// first, then history items by descending weight.
func touchedItems(q *Query, limit int) []string {
	var out []string
	seen := make(map[string]bool)
	add := func(item string) {
		if len(out) < limit && !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	for k := len(q.Session) - 1; k >= 0; k-- {
		add(q.Session[k].Item)
	}
	history := slices.Clone(q.History)
	slices.SortStableFunc(history, func(a, b HistoryItem) int {
		switch {
		case a.Weight > b.Weight:
			return -1
		case a.Weight < b.Weight:
			return 1
		}
		return 0
	})
	for _, h := range history {
		add(h.Item)
	}
	return out
}

// TextOptions sets the BM25 term weighting of a TextIndex.
type TextOptions struct {
	// K1 is the term-frequency saturation and B the length normalisation
	// of BM25.
	K1, B float64
	// MaxQueryTerms caps the terms of an item used to find its neighbours,
	// keeping the highest weighted.
	MaxQueryTerms int
}

// DefaultTextOptions returns k1 = 1.2, b = 0.75 and 32 query terms.
func DefaultTextOptions() TextOptions { return TextOptions{K1: 1.2, B: 0.75, MaxQueryTerms: 32} }

// TextIndex finds items with similar texts by the cosine of BM25-weighted
// term vectors: weight(t, d) = idf(t)·tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avg|d|)),
// with idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5)).
type TextIndex struct {
	Items *Index
	// Vectors holds each item's terms and L2-normalised weights, terms
	// sorted by descending weight.
	Terms   [][]int32
	Weights [][]float32
	// Postings maps a term to the items containing it and their weights.
	PostItem   [][]int32
	PostWeight [][]float32
	Options    TextOptions
}

// NewTextIndex indexes item texts. Tokens are lower-cased runs of letters
// and digits.
func NewTextIndex(texts map[string]string, opts TextOptions) (*TextIndex, error) {
	if opts.K1 < 0 || opts.B < 0 || opts.B > 1 || opts.MaxQueryTerms < 1 {
		return nil, fmt.Errorf("new text index: invalid options k1 %v, b %v, max query terms %d: need k1 >= 0, b in [0, 1], terms >= 1", opts.K1, opts.B, opts.MaxQueryTerms)
	}
	ids := make([]string, 0, len(texts))
	for id := range texts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	x := &TextIndex{Items: newIndexFrom(ids), Options: opts}
	vocab := NewIndex()
	counts := make([]map[int32]int, len(ids))
	var df []int
	totalLen := 0
	for d, id := range ids {
		counts[d] = make(map[int32]int)
		for _, tok := range tokenize(texts[id]) {
			t := vocab.Add(tok)
			if int(t) == len(df) {
				df = append(df, 0)
			}
			if counts[d][t] == 0 {
				df[t]++
			}
			counts[d][t]++
			totalLen++
		}
	}

	avgLen := float64(totalLen) / math.Max(1, float64(len(ids)))
	x.Terms, x.Weights = make([][]int32, len(ids)), make([][]float32, len(ids))
	x.PostItem, x.PostWeight = make([][]int32, vocab.Len()), make([][]float32, vocab.Len())
	nDocs := float64(len(ids))
	for d := range ids {
		docLen := 0
		for _, c := range counts[d] {
			docLen += c
		}
		type tw struct {
			term int32
			w    float64
		}
		var vec []tw
		norm := 0.0
		for t, c := range counts[d] {
			idf := math.Log(1 + (nDocs-float64(df[t])+0.5)/(float64(df[t])+0.5))
			tf := float64(c)
			w := idf * tf * (opts.K1 + 1) / (tf + opts.K1*(1-opts.B+opts.B*float64(docLen)/avgLen))
			vec = append(vec, tw{t, w})
			norm += w * w
		}
		slices.SortFunc(vec, func(a, b tw) int {
			if a.w != b.w {
				if a.w > b.w {
					return -1
				}
				return 1
			}
			return int(a.term - b.term)
		})

		norm = math.Sqrt(norm)
		for _, v := range vec {
			w := float32(v.w / norm)
			x.Terms[d] = append(x.Terms[d], v.term)
			x.Weights[d] = append(x.Weights[d], w)
			x.PostItem[v.term] = append(x.PostItem[v.term], int32(d))
			x.PostWeight[v.term] = append(x.PostWeight[v.term], w)
		}
	}
	return x, nil
}

// tokenize splits text into lower-cased runs of letters and digits.
func tokenize(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
}

// Similar returns up to n items whose texts are closest to item's by
// cosine, using the item's MaxQueryTerms heaviest terms. It implements
// ContentFunc.
func (x *TextIndex) Similar(ctx context.Context, item string, n int) ([]Candidate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, ok := x.Items.Lookup(item)
	if !ok || n <= 0 {
		return nil, nil
	}
	scores := make(map[int32]float32)
	terms := x.Terms[d][:min(len(x.Terms[d]), x.Options.MaxQueryTerms)]
	for k, t := range terms {
		qw := x.Weights[d][k]
		for p, other := range x.PostItem[t] {
			if other != d {
				scores[other] += qw * x.PostWeight[t][p]
			}
		}
	}
	top := newTopK(n, nil)
	for other, s := range scores {
		top.offer(other, s)
	}
	best := top.sorted()
	out := make([]Candidate, len(best))
	for k, s := range best {
		out[k] = Candidate{Item: x.Items.ID(s.item), Score: float64(s.score)}
	}
	return out, nil
}
