package search

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"

	"github.com/shopsight/shopsight/index/fulltext"
	"github.com/shopsight/shopsight/index/hnsw"
	"github.com/shopsight/shopsight/index/searcheval"
	"github.com/shopsight/shopsight/index/vectors"
	"github.com/shopsight/shopsight/storage"
)

// EvalBackend implements searcheval.Backend for the semantic and hybrid
// modes: it indexes the evaluation products in a Bleve index and an HNSW
// index of their embeddings, as the Service does for a store, and ranks
// with the same fusion.
type EvalBackend struct {
	// EvalMode is searcheval.Semantic or searcheval.Hybrid.
	EvalMode searcheval.Mode
	Encoder  vectors.Embedder
	// Fusion is the hybrid fusion method.
	Fusion  Fusion
	Options Options
}

// Mode returns b.EvalMode.
func (b EvalBackend) Mode() searcheval.Mode { return b.EvalMode }

// Build indexes the products, declared English as in
// searcheval.KeywordBackend, and embeds them in batches of 64.
func (b EvalBackend) Build(ctx context.Context, dir string, products []searcheval.Product) (searcheval.Searcher, error) {
	if b.EvalMode != searcheval.Semantic && b.EvalMode != searcheval.Hybrid {
		return nil, fmt.Errorf("search: evaluation mode %q: use SEMANTIC or HYBRID", b.EvalMode)
	}
	if b.Encoder == nil {
		return nil, fmt.Errorf("search: %s evaluation needs a text model", b.EvalMode)
	}
	if err := registerAnalyzers(); err != nil {
		return nil, err
	}
	x, err := fulltext.Create(filepath.Join(dir, FulltextDir), b.Options.Fulltext)
	if err != nil {
		return nil, err
	}
	docs := make([]fulltext.ProductDoc, len(products))
	texts := make([]string, len(products))
	keys := make([]uint64, len(products))
	for i, p := range products {
		docs[i] = fulltext.ProductDoc{ID: p.ID, Title: p.Title, Description: p.Description, Category: p.Category, Language: "en"}
		texts[i] = vectors.ProductText(&storage.Product{Title: p.Title, Description: p.Description, Category: p.Category})
		keys[i] = uint64(i)
	}
	if err := x.IndexProducts(ctx, docs); err != nil {
		x.Close()
		return nil, err
	}
	g, err := hnsw.New(b.Encoder.Dimensions(), b.Options.HNSW)
	if err != nil {
		x.Close()
		return nil, err
	}
	const batch = 64
	for start := 0; start < len(texts); start += batch {
		end := min(start+batch, len(texts))
		vecs, err := b.Encoder.Embed(ctx, texts[start:end])
		if err == nil {
			err = g.AddBatch(ctx, keys[start:end], vecs, runtime.GOMAXPROCS(0))
		}
		if err != nil {
			x.Close()
			return nil, fmt.Errorf("search: embed evaluation products %d to %d: %w", start, end, err)
		}
	}
	return &evalSearcher{b: b, text: x, graph: g, products: products}, nil
}

type evalSearcher struct {
	b        EvalBackend
	text     *fulltext.Index
	graph    *hnsw.Index
	products []searcheval.Product
}

func (s *evalSearcher) Search(ctx context.Context, query string, k int) ([]string, error) {
	vecs, err := s.b.Encoder.Embed(ctx, []string{query})
	if err != nil {
		return nil, err
	}
	depth := max(k, s.b.Options.CandidateDepth)
	res, err := s.graph.Search(vecs[0], depth, 0, nil)
	if err != nil {
		return nil, err
	}
	vector := make([]SourceHit, len(res))
	for i, h := range res {
		vector[i] = SourceHit{ID: s.products[h.Key].ID, Score: float64(h.Score)}
	}
	fused := make([]FusedHit, len(vector))
	for i, h := range vector {
		fused[i] = FusedHit{ID: h.ID, Score: h.Score, VectorRank: i + 1}
	}
	if s.b.EvalMode == searcheval.Hybrid {
		kr, err := s.text.Search(ctx, fulltext.Request{Query: query, Size: depth})
		if err != nil {
			return nil, err
		}
		keyword := make([]SourceHit, len(kr.Hits))
		for i, h := range kr.Hits {
			keyword[i] = SourceHit{ID: h.ID, Score: h.Score}
		}
		if s.b.Fusion == Weighted {
			fused = FuseWeighted(keyword, vector, s.b.Options.Weights)
		} else {
			fused = FuseRRF(keyword, vector, s.b.Options.RRFK)
		}
	}
	ids := make([]string, 0, k)
	for _, h := range fused {
		if len(ids) == k {
			break
		}
		ids = append(ids, h.ID)
	}
	return ids, nil
}

func (s *evalSearcher) Close() error { return s.text.Close() }
