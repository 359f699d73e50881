package searcheval

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shopsight/shopsight/index/fulltext"
)

// KeywordBackend evaluates the Bleve full-text index of package fulltext.
// The zh analyzers must be registered (zh.Register) before Build.
type KeywordBackend struct {
	Options fulltext.Options
}

// Mode returns Keyword.
func (KeywordBackend) Mode() Mode { return Keyword }

// Build indexes the products as English-declared product documents.
func (b KeywordBackend) Build(ctx context.Context, dir string, products []Product) (Searcher, error) {
	x, err := fulltext.Create(filepath.Join(dir, "fulltext"), b.Options)
	if err != nil {
		return nil, err
	}
	docs := make([]fulltext.ProductDoc, len(products))
	for i, p := range products {
		docs[i] = fulltext.ProductDoc{ID: p.ID, Title: p.Title, Description: p.Description, Category: p.Category, Language: "en"}
	}
	if err := x.IndexProducts(ctx, docs); err != nil {
		x.Close()
		return nil, err
	}
	return keywordSearcher{x}, nil
}

type keywordSearcher struct{ x *fulltext.Index }

func (s keywordSearcher) Search(ctx context.Context, query string, k int) ([]string, error) {
	res, err := s.x.Search(ctx, fulltext.Request{Query: query, Size: k})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}

func (s keywordSearcher) Close() error { return s.x.Close() }

func makeTempDir(parent string) (string, error) {
	dir, err := os.MkdirTemp(parent, "searcheval-")
	if err != nil {
		return "", fmt.Errorf("create temporary index directory: %w", err)
	}
	return dir, nil
}

func removeAll(dir string) { os.RemoveAll(dir) }
