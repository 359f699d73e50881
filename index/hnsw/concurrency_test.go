package hnsw

import (
	"sync"
	"testing"
)

// TestConcurrentWritersAndReaders is meant for -race: it mixes parallel
// inserts, re-adds, deletes, searches and automatic compaction.
func TestConcurrentWritersAndReaders(t *testing.T) {
	base, queries := testData(800, 20, 16)
	ix, err := New(16, testOptions().WithCompactRatio(0.15))
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	const writers = 4
	for w := range writers {
		wg.Go(func() {
			for i := w; i < len(base); i += writers {
				if err := ix.Add(uint64(i), base[i]); err != nil {
					t.Errorf("Add %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := 0; i < len(base); i += 3 {
			ix.Delete(uint64(i))
			if i%9 == 0 {
				if err := ix.Add(uint64(i), base[(i+1)%len(base)]); err != nil {
					t.Errorf("re-Add %d: %v", i, err)
					return
				}
			}
		}
	})
	for r := range 2 {
		wg.Go(func() {
			for round := range 30 {
				q := queries[(r+round)%len(queries)]
				got, err := ix.Search(q, 5, 0, nil)
				if err != nil {
					t.Errorf("Search: %v", err)
					return
				}
				for i := 1; i < len(got); i++ {
					if got[i].Distance < got[i-1].Distance {
						t.Errorf("results out of order: %v", got)
					}
				}
				_, _ = ix.Search(q, 5, 0, func(key uint64) bool { return key%2 == 0 })
				ix.Contains(uint64(round))
				ix.Len()
			}
		})
	}
	wg.Wait()
	ix.Compact()

	for i, q := range queries {
		got, err := ix.Search(q, 10, 64, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range got {
			if !ix.Contains(r.Key) {
				t.Errorf("query %d returned key %d, which is not live", i, r.Key)
			}
		}
	}
	if r := meanRecall(t, ix, queries, 10, 64, nil); r < 0.9 {
		t.Errorf("recall@10 after concurrent writes = %.3f, want >= 0.9", r)
	}
}
