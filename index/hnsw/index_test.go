package hnsw

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestDotMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 100, 384} {
		a := make([]float32, n)
		b := make([]float32, n)
		for i := range a {
			a[i] = rng.Float32() - 0.5
			b[i] = rng.Float32() - 0.5
		}
		got, want := Dot(a, b), dotNaive(a, b)
		if math.Abs(float64(got-want)) > 1e-5 {
			t.Errorf("Dot length %d = %v, naive loop gives %v", n, got, want)
		}
	}
}

func TestSearchRecallClustered(t *testing.T) {
	base, queries := testData(2000, 60, 48)
	ix := buildIndex(t, base, testOptions())
	for _, ef := range []int{32, 64} {
		if r := meanRecall(t, ix, queries, 10, ef, nil); r < 0.95 {
			t.Errorf("recall@10 at ef %d = %.3f, want >= 0.95", ef, r)
		}
	}
}

func TestSearchResultsSorted(t *testing.T) {
	base, queries := testData(1000, 20, 32)
	ix := buildIndex(t, base, testOptions())
	for i, q := range queries {
		got, err := ix.Search(q, 10, 0, nil)
		if err != nil {
			t.Fatalf("Search query %d: %v", i, err)
		}
		if len(got) != 10 {
			t.Fatalf("Search query %d returned %d results, want 10", i, len(got))
		}
		sorted := slices.IsSortedFunc(got, func(a, b Result) int {
			if a.Distance != b.Distance {
				if a.Distance < b.Distance {
					return -1
				}
				return 1
			}
			return int(a.Key) - int(b.Key)
		})
		if !sorted {
			t.Errorf("Search query %d results not sorted by distance then key: %v", i, got)
		}
		for _, r := range got {
			if diff := math.Abs(float64(r.Score - (1 - r.Distance))); diff > 1e-6 {
				t.Errorf("result %d: score %v is not 1 - distance %v", r.Key, r.Score, r.Distance)
			}
		}
	}
}

func TestSearchTiesBrokenByKey(t *testing.T) {
	ix, err := New(2, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []uint64{9, 3, 7, 1} {
		if err := ix.Add(key, []float32{1, 1}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ix.Search([]float32{1, 1}, 4, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []uint64
	for _, r := range got {
		keys = append(keys, r.Key)
	}
	if !slices.Equal(keys, []uint64{1, 3, 7, 9}) {
		t.Errorf("equal-distance keys = %v, want [1 3 7 9]", keys)
	}
}

func TestInnerProductMetric(t *testing.T) {
	opts := testOptions().WithMetric(InnerProduct)
	ix, err := New(2, opts)
	if err != nil {
		t.Fatal(err)
	}
	vectors := map[uint64][]float32{1: {1, 0}, 2: {3, 0}, 3: {0, 5}, 4: {0, 0}}
	for k, v := range vectors {
		if err := ix.Add(k, v); err != nil {
			t.Fatalf("Add %d: %v", k, err)
		}
	}
	got, err := ix.Search([]float32{1, 0.1}, 4, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantKeys := []uint64{2, 1, 3, 4} // dots 3, 1, 0.5, 0
	for i, r := range got {
		if r.Key != wantKeys[i] {
			t.Errorf("result %d key = %d, want %d", i, r.Key, wantKeys[i])
		}
		if r.Score != -r.Distance {
			t.Errorf("result %d score %v is not -distance %v", i, r.Score, r.Distance)
		}
	}
	if got[0].Score != 3 {
		t.Errorf("top score = %v, want dot product 3", got[0].Score)
	}
}

func TestAddExistingKeyReplacesVector(t *testing.T) {
	base, _ := testData(500, 1, 16)
	ix := buildIndex(t, base, testOptions())
	newVec := base[100]
	if err := ix.Add(7, newVec); err != nil {
		t.Fatalf("re-Add key 7: %v", err)
	}
	if ix.Len() != 500 {
		t.Errorf("Len after re-Add = %d, want 500", ix.Len())
	}
	if ix.Tombstones() != 1 {
		t.Errorf("Tombstones after re-Add = %d, want 1", ix.Tombstones())
	}
	got, err := ix.Search(newVec, 2, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys := []uint64{got[0].Key, got[1].Key}
	slices.Sort(keys)
	if !slices.Equal(keys, []uint64{7, 100}) {
		t.Errorf("nearest to the new vector = %v, want keys 7 and 100", keys)
	}
	stored, ok := ix.Vector(7)
	if !ok || Dot(stored, newVec) < 0.9999 {
		t.Errorf("Vector(7) does not match the replacement vector")
	}

	old, err := ix.Search(base[7], 500, 600, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range old {
		if r.Key == 7 {
			seen++
			if r.Distance < 1e-6 {
				t.Errorf("key 7 still matches its old vector at distance %v", r.Distance)
			}
		}
	}
	if seen != 1 {
		t.Errorf("key 7 appears %d times in a full search, want once", seen)
	}
}

func TestDeletedKeysNeverReturned(t *testing.T) {
	base, queries := testData(1200, 30, 24)
	for _, tc := range []struct {
		name  string
		ratio float64
	}{
		{"tombstones", 0},
		{"auto compaction", 0.1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix := buildIndex(t, base, testOptions().WithCompactRatio(tc.ratio))
			rng := rand.New(rand.NewPCG(3, 4))
			deleted := map[uint64]bool{}
			for len(deleted) < 360 {
				key := uint64(rng.IntN(len(base)))
				if deleted[key] {
					continue
				}
				if !ix.Delete(key) {
					t.Fatalf("Delete(%d) = false for a live key", key)
				}
				deleted[key] = true
			}
			if ix.Len() != 840 {
				t.Errorf("Len = %d, want 840", ix.Len())
			}
			if ix.Delete(uint64(len(base) + 5)) {
				t.Errorf("Delete of a missing key returned true")
			}
			for i, q := range queries {
				got, err := ix.Search(q, 10, 0, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 10 {
					t.Errorf("query %d returned %d results, want 10", i, len(got))
				}
				for _, r := range got {
					if deleted[r.Key] {
						t.Errorf("query %d returned deleted key %d", i, r.Key)
					}
				}
			}
			if r := meanRecall(t, ix, queries, 10, 64, nil); r < 0.9 {
				t.Errorf("recall@10 after deletes = %.3f, want >= 0.9", r)
			}

			ix.Compact()
			if ix.Tombstones() != 0 {
				t.Errorf("Tombstones after Compact = %d, want 0", ix.Tombstones())
			}
			for key := range deleted {
				if ix.Contains(key) {
					t.Errorf("Contains(%d) after delete and Compact", key)
				}
			}
			if r := meanRecall(t, ix, queries, 10, 64, nil); r < 0.9 {
				t.Errorf("recall@10 after Compact = %.3f, want >= 0.9", r)
			}
		})
	}
}

func TestDeleteAllThenAdd(t *testing.T) {
	base, _ := testData(300, 1, 16)
	ix := buildIndex(t, base, testOptions().WithCompactRatio(0.5))
	for i := range base {
		ix.Delete(uint64(i))
	}
	got, err := ix.Search(base[0], 5, 0, nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("Search on an emptied index = %v, %v; want no results and no error", got, err)
	}
	if err := ix.Add(42, base[3]); err != nil {
		t.Fatal(err)
	}
	got, err = ix.Search(base[3], 5, 0, nil)
	if err != nil || len(got) != 1 || got[0].Key != 42 {
		t.Errorf("Search after re-adding one key = %v, %v; want key 42", got, err)
	}
}

func TestFilteredSearchSelectivity(t *testing.T) {
	base, queries := testData(2000, 30, 24)
	ix := buildIndex(t, base, testOptions())
	for _, tc := range []struct {
		name    string
		percent uint64
	}{
		{"1 percent", 1},
		{"10 percent", 10},
		{"50 percent", 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			filter := func(key uint64) bool { return key*2654435761%100 < tc.percent }
			for i, q := range queries {
				got, err := ix.Search(q, 10, 32, filter)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 10 {
					t.Errorf("query %d returned %d results, want 10", i, len(got))
				}
				for _, r := range got {
					if !filter(r.Key) {
						t.Errorf("query %d returned key %d, which the filter rejects", i, r.Key)
					}
				}
			}
			if r := meanRecall(t, ix, queries, 10, 32, filter); r < 0.9 {
				t.Errorf("filtered recall@10 = %.3f, want >= 0.9", r)
			}
		})
	}
}

func TestFilterAcceptingFewerThanK(t *testing.T) {
	base, queries := testData(1000, 1, 16)
	ix := buildIndex(t, base, testOptions())
	got, err := ix.Search(queries[0], 10, 0, func(key uint64) bool { return key == 3 || key == 500 })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("filter accepting 2 keys returned %d results, want 2", len(got))
	}
}

func TestBadInput(t *testing.T) {
	ix, err := New(3, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		name string
		vec  []float32
		want error
	}{
		{"short", []float32{1, 2}, ErrDimension},
		{"long", []float32{1, 2, 3, 4}, ErrDimension},
		{"nil", nil, ErrDimension},
		{"NaN", []float32{1, nan, 3}, ErrInvalidValue},
		{"Inf", []float32{inf, 0, 0}, ErrInvalidValue},
		{"zero under cosine", []float32{0, 0, 0}, ErrZeroVector},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := ix.Add(1, tc.vec); !errors.Is(err, tc.want) {
				t.Errorf("Add error = %v, want %v", err, tc.want)
			}
			if _, err := ix.Search(tc.vec, 1, 0, nil); !errors.Is(err, tc.want) {
				t.Errorf("Search error = %v, want %v", err, tc.want)
			}
		})
	}
	if ix.Len() != 0 {
		t.Errorf("Len after rejected adds = %d, want 0", ix.Len())
	}

	got, err := ix.Search([]float32{1, 0, 0}, 3, 0, nil)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("Search on empty index = %v, %v; want an empty slice", got, err)
	}
	for _, k := range []int{0, -1} {
		if _, err := ix.Search([]float32{1, 0, 0}, k, 0, nil); !errors.Is(err, ErrInvalidK) {
			t.Errorf("Search with k=%d error = %v, want ErrInvalidK", k, err)
		}
	}

	ip, err := New(3, testOptions().WithMetric(InnerProduct))
	if err != nil {
		t.Fatal(err)
	}
	if err := ip.Add(1, []float32{0, 0, 0}); err != nil {
		t.Errorf("zero vector under InnerProduct: %v", err)
	}
}

func TestNewRejectsInvalidOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		dim  int
		opts Options
	}{
		{"zero dimension", 0, DefaultOptions()},
		{"M 1", 8, DefaultOptions().WithM(1)},
		{"EfConstruction 0", 8, DefaultOptions().WithEfConstruction(0)},
		{"EfSearch 0", 8, DefaultOptions().WithEfSearch(0)},
		{"unknown metric", 8, DefaultOptions().WithMetric(9)},
		{"ratio above 1", 8, DefaultOptions().WithCompactRatio(1.5)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.dim, tc.opts); err == nil {
				t.Errorf("New accepted dim %d and %+v", tc.dim, tc.opts)
			}
		})
	}
}
