package fulltext

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestRebuildFromStore(t *testing.T) {
	store := newTestStore(t, 0)
	dir := filepath.Join(t.TempDir(), "search")
	x, err := Create(dir, DefaultOptions().WithBatchSize(2))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	var calls, lastDone, lastTotal int
	err = x.Rebuild(ctx, store, "seq-42", func(done, total int) { calls, lastDone, lastTotal = calls+1, done, total })
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if lastDone != 10 || lastTotal != 10 || calls < 5 {
		t.Errorf("progress: %d calls, last (%d, %d), want at least 5 calls ending at (10, 10)", calls, lastDone, lastTotal)
	}

	res := runSearch(t, x, Request{Query: "running shoes", Facets: true})
	if got := sortedIDs(res.Hits); !equalIDs(got, []string{"p1", "p2"}) {
		t.Errorf("Search after rebuild = %v, want [p1 p2]", got)
	}
	if got := sortedIDs(runSearch(t, x, Request{Filter: Filter{Region: "BR-RJ"}}).Hits); !equalIDs(got, []string{"p1", "p5"}) {
		t.Errorf("region BR-RJ after rebuild = %v, want [p1 p5] (from orders)", got)
	}
	// p1 has reviews rated 5 and 1, p3 has 4 and 2: both average 3.
	if got := sortedIDs(runSearch(t, x, Request{Filter: Filter{MinRating: 3}}).Hits); !equalIDs(got, []string{"p1", "p3"}) {
		t.Errorf("minimum rating 3 after rebuild = %v, want [p1 p3] (from rating statistics)", got)
	}
	if _, err := os.Stat(dir + tmpSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("build directory left behind: %v", err)
	}

	meta, err := x.Meta()
	if err != nil {
		t.Fatal(err)
	}
	if meta.Products != 6 || meta.Reviews != 4 || meta.StoreVersion != "seq-42" || meta.MappingVersion != MappingVersion {
		t.Errorf("Meta = %+v, want 6 products, 4 reviews, store version seq-42", meta)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	y, err := Open(dir, DefaultOptions())
	if err != nil {
		t.Fatalf("Open after rebuild: %v", err)
	}
	defer y.Close()
	if meta, _ := y.Meta(); meta.StoreVersion != "seq-42" || meta.Products != 6 {
		t.Errorf("Meta after reopen = %+v, want store version seq-42 and 6 products", meta)
	}
}

func TestRebuildCancelledKeepsOldIndex(t *testing.T) {
	store := newTestStore(t, 40)
	dir := filepath.Join(t.TempDir(), "search")
	x, err := Create(dir, DefaultOptions().WithBatchSize(5))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.IndexProducts(context.Background(), []ProductDoc{{ID: "old", Title: "Vintage lamp"}}); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = x.Rebuild(ctx, store, "v2", func(done, total int) {
		if done >= 10 {
			cancel() // the process dies mid-rebuild
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Rebuild with cancelled context: err = %v, want context.Canceled", err)
	}
	if got := hitIDs(runSearch(t, x, Request{Query: "lamp"}).Hits); !equalIDs(got, []string{"old"}) {
		t.Errorf("old index after cancelled rebuild: Search(lamp) = %v, want [old]", got)
	}
	if res := runSearch(t, x, Request{Query: "widget"}); res.Total != 0 {
		t.Errorf("cancelled rebuild leaked %d documents into the serving index", res.Total)
	}
	if _, err := os.Stat(dir + tmpSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("build directory left behind after cancel: %v", err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	y, err := Open(dir, DefaultOptions())
	if err != nil {
		t.Fatalf("Open after cancelled rebuild: %v", err)
	}
	defer y.Close()
	if got := hitIDs(runSearch(t, y, Request{Query: "lamp"}).Hits); !equalIDs(got, []string{"old"}) {
		t.Errorf("reopened after cancelled rebuild: Search(lamp) = %v, want [old]", got)
	}
}

func TestRebuildReplaysConcurrentWrites(t *testing.T) {
	store := newTestStore(t, 20)
	x, err := Create(filepath.Join(t.TempDir(), "search"), DefaultOptions().WithBatchSize(5))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	if err := x.IndexProducts(ctx, []ProductDoc{{ID: "p2", Title: "stale"}}); err != nil {
		t.Fatal(err)
	}
	wrote := false
	err = x.Rebuild(ctx, store, "v3", func(done, total int) {
		if wrote {
			return
		}
		wrote = true
		// Writes that land while the new index is being built.
		if err := x.IndexProducts(ctx, []ProductDoc{{ID: "late", Title: "Late arrival kettle"}}); err != nil {
			t.Error(err)
		}
		if err := x.DeleteProducts(ctx, []string{"p2"}); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if got := hitIDs(runSearch(t, x, Request{Query: "kettle"}).Hits); !equalIDs(got, []string{"late"}) {
		t.Errorf("write made during rebuild: Search(kettle) = %v, want [late]", got)
	}
	if res := runSearch(t, x, Request{Query: "trail"}); res.Total != 0 {
		t.Errorf("delete made during rebuild was lost: Search(trail) = %v", hitIDs(res.Hits))
	}
}

func TestOpenNeedsRebuild(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string)
	}{
		{"missing directory", func(t *testing.T, dir string) { os.RemoveAll(dir) }},
		{"missing metadata", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, metaFile)) }},
		{"garbage metadata", func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, metaFile), "{not json") }},
		{"other mapping version", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, metaFile), fmt.Sprintf(`{"mapping_version": %d}`, MappingVersion+1))
		}},
		{"missing product index", func(t *testing.T, dir string) { os.RemoveAll(filepath.Join(dir, productsDir)) }},
		{"garbage bleve metadata", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, reviewsDir, "index_meta.json"), "\x00\x01garbage")
		}},
		{"garbage bolt file", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, productsDir, "store", "root.bolt"), "garbage that is not a bolt database")
		}},
		{"truncated segments", func(t *testing.T, dir string) {
			matches, _ := filepath.Glob(filepath.Join(dir, productsDir, "store", "*.zap"))
			if len(matches) == 0 {
				t.Fatal("no segment files to damage")
			}
			for _, m := range matches {
				writeFile(t, m, "short")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "search")
			x, err := Create(dir, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if err := x.IndexProducts(context.Background(), fixtureProducts()); err != nil {
				t.Fatal(err)
			}
			if err := x.Close(); err != nil {
				t.Fatal(err)
			}
			tt.damage(t, dir)
			y, err := Open(dir, DefaultOptions())
			if !errors.Is(err, ErrNeedsRebuild) {
				if y != nil {
					y.Close()
				}
				t.Fatalf("Open on damaged index: err = %v, want ErrNeedsRebuild", err)
			}
			z, err := Create(dir, DefaultOptions())
			if err != nil {
				t.Fatalf("Create over damaged index: %v", err)
			}
			z.Close()
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRecoversInterruptedSwap(t *testing.T) {
	tests := []struct {
		name     string
		leftover string // where the complete index is left by the crash
	}{
		{"new directory complete", tmpSuffix},
		{"old directory moved aside", oldSuffix},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "search")
			x, err := Create(dir, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if err := x.IndexProducts(context.Background(), fixtureProducts()); err != nil {
				t.Fatal(err)
			}
			if err := x.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(dir, dir+tt.leftover); err != nil {
				t.Fatal(err)
			}
			y, err := Open(dir, DefaultOptions())
			if err != nil {
				t.Fatalf("Open after interrupted swap: %v", err)
			}
			defer y.Close()
			if res := runSearch(t, y, Request{}); res.Total != 6 {
				t.Errorf("recovered index has %d products, want 6", res.Total)
			}
			if _, err := os.Stat(dir + tt.leftover); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("leftover %s still present: %v", tt.leftover, err)
			}
		})
	}
}

func TestUnfinishedBuildIsDiscarded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "search")
	x, err := Create(dir, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	x.Close()
	// A build directory without metadata is what a crash mid-build leaves.
	if err := os.MkdirAll(filepath.Join(dir+tmpSuffix, productsDir), 0o755); err != nil {
		t.Fatal(err)
	}
	y, err := Open(dir, DefaultOptions())
	if err != nil {
		t.Fatalf("Open with unfinished build beside it: %v", err)
	}
	y.Close()
	if _, err := os.Stat(dir + tmpSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unfinished build directory not removed: %v", err)
	}
}

func TestClosedIndex(t *testing.T) {
	x := newFixtureIndex(t)
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Search(context.Background(), Request{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Search after Close: err = %v, want ErrClosed", err)
	}
	if err := x.IndexProducts(context.Background(), fixtureProducts()); !errors.Is(err, ErrClosed) {
		t.Errorf("IndexProducts after Close: err = %v, want ErrClosed", err)
	}
	if err := x.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
