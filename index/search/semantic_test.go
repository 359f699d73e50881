package search

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/shopsight/shopsight/index/vectors"
	"github.com/shopsight/shopsight/internal/shareddata"
	"github.com/shopsight/shopsight/ml/embed"
	"github.com/shopsight/shopsight/storage"
)

func TestSemanticWithGoldenModel(t *testing.T) {
	dir := filepath.Join(shareddata.Dir(t, "golden/bert"), "models", "bert-h384-l1")
	ctx := context.Background()
	enc, err := embed.Load(ctx, dir, embed.DefaultEncoderOptions())
	if err != nil {
		t.Fatal(err)
	}
	store := openTestStore(t)
	ps := fixtureProducts()[:8]
	if err := store.PutProducts(ctx, ps); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, store, t.TempDir(), enc, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.ModelID() != enc.ModelID() {
		t.Errorf("model id = %q, want the encoder's %q", s.ModelID(), enc.ModelID())
	}
	if _, vector := indexedIDs(t, s); len(vector) != len(ps) {
		t.Fatalf("%d products have vectors after Open, want %d", len(vector), len(ps))
	}

	// A product's own text embeds to its own vector, so it ranks first.
	query := vectors.ProductText(&ps[1])
	res, err := s.Search(ctx, Request{Query: query, Mode: Semantic, Size: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 3 || res.Hits[0].ID != ps[1].ID {
		t.Fatalf("hits %v, want 3 with %s first", hitIDs(res.Hits), ps[1].ID)
	}
	if res.Hits[0].Score < 0.999 {
		t.Errorf("self similarity = %v, want about 1", res.Hits[0].Score)
	}

	// A product written later gets embedded by the catch-up.
	added := storage.Product{ID: "p-added", Title: "Wool socks", Description: "Warm socks.", Category: []string{"clothing", "socks"}, CreatedAt: fixtureTime}
	if err := store.PutProducts(ctx, []storage.Product{added}); err != nil {
		t.Fatal(err)
	}
	if err := s.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	res, err = s.Search(ctx, Request{Query: vectors.ProductText(&added), Mode: Hybrid, Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].ID != "p-added" || res.Hits[0].VectorRank != 1 {
		t.Errorf("hybrid hits %+v, want p-added first with vector rank 1", res.Hits)
	}
}
