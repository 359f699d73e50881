package fulltext

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestConcurrentSearchIndexRebuild runs searches, writes and a rebuild at
// the same time; run it with -race.
func TestConcurrentSearchIndexRebuild(t *testing.T) {
	store := newTestStore(t, 30)
	x, err := Create(filepath.Join(t.TempDir(), "search"), DefaultOptions().WithBatchSize(4))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	if err := x.IndexProducts(ctx, fixtureProducts()); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			queries := []string{"shoes", "手机", "", "壳"}
			for i := range 40 {
				r := Request{Query: queries[(i+g)%len(queries)], Facets: i%2 == 0, Highlight: i%3 == 0}
				if _, err := x.Search(ctx, r); err != nil {
					t.Errorf("Search: %v", err)
					return
				}
				if _, err := x.SearchReviews(ctx, ReviewRequest{Query: "质量"}); err != nil {
					t.Errorf("SearchReviews: %v", err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 40 {
			id := fmt.Sprintf("c%d", i)
			if err := x.IndexProducts(ctx, []ProductDoc{{ID: id, Title: "Concurrent gadget 并发"}}); err != nil {
				t.Errorf("IndexProducts: %v", err)
				return
			}
			if i%2 == 0 {
				if err := x.DeleteProducts(ctx, []string{id}); err != nil {
					t.Errorf("DeleteProducts: %v", err)
					return
				}
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := x.Rebuild(ctx, store, "v", nil); err != nil {
			t.Errorf("Rebuild: %v", err)
		}
	}()
	wg.Wait()

	// Every odd gadget survives, whether it was written before, during or
	// after the rebuild.
	res := runSearch(t, x, Request{Query: "gadget"})
	if res.Total != 20 {
		t.Errorf("gadgets after concurrent writes and rebuild = %d, want 20", res.Total)
	}
}
