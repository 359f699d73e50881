package search

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shopsight/shopsight/index/fulltext"
	"github.com/shopsight/shopsight/index/hnsw"
	"github.com/shopsight/shopsight/ml/embed"
	"github.com/shopsight/shopsight/storage"
)

// Mode selects the retrievers of a search.
type Mode int

// Search modes.
const (
	// Keyword ranks by Bleve's text relevance.
	Keyword Mode = iota
	// Semantic ranks by vector similarity to the query vector.
	Semantic
	// Hybrid fuses the keyword and vector rankings.
	Hybrid
)

// String returns the mode's name as the API spells it.
func (m Mode) String() string {
	switch m {
	case Keyword:
		return "KEYWORD"
	case Semantic:
		return "SEMANTIC"
	case Hybrid:
		return "HYBRID"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Fusion selects how Hybrid combines the two rankings.
type Fusion int

// Fusion methods.
const (
	// RRF is reciprocal rank fusion with Options.RRFK.
	RRF Fusion = iota
	// Weighted is the weighted sum of min-max normalized scores.
	Weighted
)

// MaxFused is the deepest position a semantic or hybrid search pages to.
const MaxFused = fulltext.MaxSize

// Request is a product search.
type Request struct {
	// Query is the search text. Keyword needs it; Hybrid needs it or
	// Vector; Semantic embeds it unless Vector is set.
	Query string
	// Vector is a query vector made by the client, of the index's
	// dimension. It takes precedence over embedding Query.
	Vector []float32
	Mode   Mode
	// Filter applies to both retrievers before they cut their lists.
	Filter fulltext.Filter
	Fusion Fusion
	// Weights overrides Options.Weights for Weighted fusion when not nil.
	Weights *Weights
	// Size is the page size (0 means fulltext.DefaultSize) and From the
	// number of hits to skip.
	Size int
	From int
	// Facets requests facet counts (see Result.Facets).
	Facets bool
	// Highlight requests <mark>-tagged fragments of keyword matches.
	Highlight bool
}

// Hit is one product of a search result.
type Hit struct {
	ID string
	// Score is Bleve's score in Keyword mode, the cosine similarity (or dot
	// product) in Semantic mode and the fused score in Hybrid mode.
	Score float64
	// KeywordRank and VectorRank are 1-based ranks in each retriever's
	// list; 0 means the product is not in that list.
	KeywordRank int
	VectorRank  int
	// Highlights maps "title" and "description" to fragments; only keyword
	// matches have them.
	Highlights map[string][]string
}

// Result is a page of a search.
type Result struct {
	Hits []Hit
	// Total counts the matches: Bleve's total in Keyword mode, the products
	// with a vector that pass the filter in Semantic mode, and in Hybrid
	// mode the products that match the text or are among the vector
	// candidates.
	Total int
	// Available is the number of hits that paging can reach: Total in
	// Keyword mode, at most MaxFused otherwise.
	Available int
	// Facets, when requested, count the same products as Total.
	Facets *fulltext.Facets
}

// InputError is an invalid search argument. Field names the argument, as
// the GraphQL API spells it.
type InputError struct {
	Field string
	Err   error
}

func (e *InputError) Error() string { return e.Err.Error() }

func (e *InputError) Unwrap() error { return e.Err }

func inputErr(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Err: fmt.Errorf(format, args...)}
}

// ErrNoVectors is returned (wrapped in an InputError on field "mode") for
// a semantic or hybrid search when no product vectors are indexed.
var ErrNoVectors = errors.New("no product vectors are indexed: start the server with --model DIR, or import product vectors and set their model id")

// Search runs a product search.
func (s *Service) Search(ctx context.Context, r Request) (*Result, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if r.Size < 0 || r.Size > fulltext.MaxSize {
		return nil, inputErr("first", "invalid page size %d: use 0 to %d", r.Size, fulltext.MaxSize)
	}
	if r.Size == 0 {
		r.Size = fulltext.DefaultSize
	}
	if r.From < 0 {
		return nil, inputErr("after", "invalid offset %d: must not be negative", r.From)
	}
	hasText := strings.TrimSpace(r.Query) != ""
	switch r.Mode {
	case Keyword:
		if !hasText {
			return nil, inputErr("query", "missing query: KEYWORD search needs query text")
		}
		return s.keyword(ctx, r)
	case Semantic, Hybrid:
		if !hasText && r.Vector == nil {
			return nil, inputErr("query", "missing query: %s search needs query text or a vector", r.Mode)
		}
		if r.From+r.Size > MaxFused {
			return nil, inputErr("after", "offset %d plus page size %d is beyond the %d ranked hits of %s search; narrow the query",
				r.From, r.Size, MaxFused, r.Mode)
		}
		vec, err := s.queryVector(ctx, r)
		if err != nil {
			return nil, err
		}
		if r.Mode == Semantic {
			return s.semantic(ctx, r, vec)
		}
		return s.hybrid(ctx, r, vec, hasText)
	}
	return nil, inputErr("mode", "invalid search mode %d: use KEYWORD, SEMANTIC or HYBRID", int(r.Mode))
}

// queryVector returns the client's vector after checking its dimension, or
// the embedding of the query text.
func (s *Service) queryVector(ctx context.Context, r Request) ([]float32, error) {
	g := s.graph.Load()
	if r.Vector != nil {
		if g == nil {
			return nil, &InputError{Field: "mode", Err: ErrNoVectors}
		}
		if len(r.Vector) != g.Dim() {
			return nil, inputErr("vector", "invalid vector: dimension %d, the product vectors of model %q have dimension %d",
				len(r.Vector), s.modelID, g.Dim())
		}
		return r.Vector, nil
	}
	if s.enc == nil {
		return nil, &InputError{Field: "query", Err: fmt.Errorf("%s search of query text: %w", r.Mode, embed.ErrNoTextModel)}
	}
	if g == nil {
		return nil, &InputError{Field: "mode", Err: ErrNoVectors}
	}
	vecs, err := s.enc.Embed(ctx, []string{r.Query})
	if err != nil {
		return nil, fmt.Errorf("search: embed query %q: %w", r.Query, err)
	}
	return vecs[0], nil
}

func (s *Service) keyword(ctx context.Context, r Request) (*Result, error) {
	res, err := s.text.Search(ctx, fulltext.Request{Query: r.Query, Filter: r.Filter, Size: r.Size, From: r.From,
		Facets: r.Facets, Highlight: r.Highlight})
	if err != nil {
		return nil, textError(err)
	}
	out := &Result{Total: int(res.Total), Available: int(res.Total), Facets: res.Facets, Hits: make([]Hit, len(res.Hits))}
	for i, h := range res.Hits {
		out.Hits[i] = Hit{ID: h.ID, Score: h.Score, KeywordRank: r.From + i + 1, Highlights: h.Highlights}
	}
	return out, nil
}

// textError turns a fulltext argument error into an InputError.
func textError(err error) error {
	if strings.Contains(err.Error(), "invalid price filter") {
		return &InputError{Field: "filter.price", Err: err}
	}
	return fmt.Errorf("search: %w", err)
}

func (s *Service) semantic(ctx context.Context, r Request, vec []float32) (*Result, error) {
	hits, matching, err := s.vectorSearch(vec, r.From+r.Size, r.Filter, "")
	if err != nil {
		return nil, err
	}
	out := &Result{Total: matching, Available: min(matching, MaxFused)}
	for i := r.From; i < len(hits) && i < r.From+r.Size; i++ {
		out.Hits = append(out.Hits, Hit{ID: hits[i].ID, Score: hits[i].Score, VectorRank: i + 1})
	}
	if r.Facets {
		res, err := s.text.Search(ctx, fulltext.Request{Filter: r.Filter, Size: 1, Facets: true})
		if err != nil {
			return nil, textError(err)
		}
		out.Facets = res.Facets
	}
	return out, nil
}

func (s *Service) hybrid(ctx context.Context, r Request, vec []float32, hasText bool) (*Result, error) {
	depth := max(r.From+r.Size, s.opts.CandidateDepth)
	var keyword []SourceHit
	highlights := map[string]map[string][]string{}
	if hasText {
		res, err := s.text.Search(ctx, fulltext.Request{Query: r.Query, Filter: r.Filter, Size: depth, Highlight: r.Highlight})
		if err != nil {
			return nil, textError(err)
		}
		for _, h := range res.Hits {
			keyword = append(keyword, SourceHit{ID: h.ID, Score: h.Score})
			if h.Highlights != nil {
				highlights[h.ID] = h.Highlights
			}
		}
	}
	vector, _, err := s.vectorSearch(vec, depth, r.Filter, "")
	if err != nil {
		return nil, err
	}

	var fused []FusedHit
	switch r.Fusion {
	case RRF:
		fused = FuseRRF(keyword, vector, s.opts.RRFK)
	case Weighted:
		w := s.opts.Weights
		if r.Weights != nil {
			if err := r.Weights.validate(); err != nil {
				return nil, &InputError{Field: "weights", Err: err}
			}
			w = *r.Weights
		}
		fused = FuseWeighted(keyword, vector, w)
	default:
		return nil, inputErr("fusion", "invalid fusion %d: use RRF or WEIGHTED", int(r.Fusion))
	}

	out := &Result{Total: len(fused), Available: min(len(fused), MaxFused)}
	for i := r.From; i < len(fused) && i < r.From+r.Size; i++ {
		f := fused[i]
		out.Hits = append(out.Hits, Hit{ID: f.ID, Score: f.Score, KeywordRank: f.KeywordRank, VectorRank: f.VectorRank,
			Highlights: highlights[f.ID]})
	}
	if r.Facets || hasText {
		// One facet query counts the text matches and the vector candidates
		// together, which is also the total.
		ids := make([]string, len(vector))
		for i, h := range vector {
			ids[i] = h.ID
		}
		query := r.Query
		if !hasText {
			query = ""
		}
		res, err := s.text.Search(ctx, fulltext.Request{Query: query, IDs: ids, Filter: r.Filter, Size: 1, Facets: r.Facets})
		if err != nil {
			return nil, textError(err)
		}
		out.Total = int(res.Total)
		out.Facets = res.Facets
	}
	return out, nil
}

// vectorSearch returns the k nearest products to vec that pass f and are
// not exclude, nearest first with ties by id, and the number of indexed
// products that pass f.
func (s *Service) vectorSearch(vec []float32, k int, f fulltext.Filter, exclude string) ([]SourceHit, int, error) {
	g := s.graph.Load()
	if g == nil {
		return nil, 0, &InputError{Field: "mode", Err: ErrNoVectors}
	}
	s.attrs.mu.RLock()
	defer s.attrs.mu.RUnlock()
	excludeKey := productKey(exclude)
	accept := func(key uint64) bool {
		if exclude != "" && key == excludeKey {
			return false
		}
		a := s.attrs.products[s.attrs.keys[key]]
		return a != nil && a.matches(&f)
	}
	matching := 0
	for id, a := range s.attrs.products {
		if a.matches(&f) && id != exclude && g.Contains(productKey(id)) {
			matching++
		}
	}
	if matching == 0 {
		return nil, 0, nil
	}
	res, err := g.Search(vec, min(k, matching), 0, accept)
	if err != nil {
		if errors.Is(err, hnsw.ErrDimension) || errors.Is(err, hnsw.ErrInvalidValue) || errors.Is(err, hnsw.ErrZeroVector) {
			return nil, 0, &InputError{Field: "vector", Err: fmt.Errorf("invalid vector: %w", err)}
		}
		return nil, 0, fmt.Errorf("search: vector search: %w", err)
	}
	out := make([]SourceHit, 0, len(res))
	for _, h := range res {
		if id, ok := s.attrs.keys[h.Key]; ok {
			out = append(out, SourceHit{ID: id, Score: float64(h.Score)})
		}
	}
	return out, matching, nil
}

// Similar returns up to k products like the product id, most similar first:
// its nearest vector neighbours when it has a vector, otherwise the
// products whose text best matches its title and category (Bleve's BM25
// scoring, a more-like-this over the title). It returns an error wrapping
// storage.ErrNotFound for an unknown id.
func (s *Service) Similar(ctx context.Context, id string, k int) ([]Hit, error) {
	if k < 1 || k > fulltext.MaxSize {
		return nil, inputErr("first", "invalid count %d: use 1 to %d", k, fulltext.MaxSize)
	}
	s.attrs.mu.RLock()
	_, exists := s.attrs.products[id]
	s.attrs.mu.RUnlock()
	if !exists {
		return nil, fmt.Errorf("product %q: %w", id, storage.ErrNotFound)
	}
	if g := s.graph.Load(); g != nil {
		if vec, ok := g.Vector(productKey(id)); ok {
			hits, _, err := s.vectorSearch(vec, k, fulltext.Filter{}, id)
			if err != nil {
				return nil, err
			}
			out := make([]Hit, len(hits))
			for i, h := range hits {
				out[i] = Hit{ID: h.ID, Score: h.Score, VectorRank: i + 1}
			}
			return out, nil
		}
	}
	p, err := s.store.Product(ctx, id)
	if err != nil {
		return nil, err
	}
	query := strings.TrimSpace(p.Title + " " + strings.Join(p.Category, " "))
	if query == "" {
		return []Hit{}, nil
	}
	res, err := s.text.Search(ctx, fulltext.Request{Query: query, Size: min(k+1, fulltext.MaxSize)})
	if err != nil {
		return nil, fmt.Errorf("search: products like %q: %w", id, err)
	}
	out := make([]Hit, 0, k)
	for _, h := range res.Hits {
		if h.ID != id && len(out) < k {
			out = append(out, Hit{ID: h.ID, Score: h.Score, KeywordRank: len(out) + 1})
		}
	}
	return out, nil
}

// SearchReviews runs a review search on the Bleve review index.
func (s *Service) SearchReviews(ctx context.Context, r fulltext.ReviewRequest) (*fulltext.ReviewResult, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	return s.text.SearchReviews(ctx, r)
}
