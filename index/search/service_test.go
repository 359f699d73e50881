package search

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/shopsight/shopsight/index/fulltext"
	"github.com/shopsight/shopsight/index/vectors"
	"github.com/shopsight/shopsight/storage"
)

const testModel = "test-vectors"

var fixtureTime = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testOptions() Options {
	return DefaultOptions().WithLogger(quietLogger()).WithVectorModel(testModel).
		WithPollInterval(10 * time.Millisecond).WithSaveInterval(time.Hour)
}

func openTestStore(t *testing.T) *storage.Store {
	t.Helper()
	store, err := storage.Open(storage.DefaultOptions("").WithInMemory(true).WithLogger(quietLogger()))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// fixtureProducts are 4 English shoes, 2 Chinese phone cases and 30
// kitchen items.
func fixtureProducts() []storage.Product {
	ps := []storage.Product{
		{ID: "p-shoe1", Title: "Men's Running Shoes", Description: "Lightweight shoes for running on roads.", Category: []string{"clothing", "shoes"}, Price: 5999, Currency: "USD", Language: "en"},
		{ID: "p-shoe2", Title: "Trail run shoe", Description: "Grip for muddy trails.", Category: []string{"clothing", "shoes"}, Price: 1500, Currency: "USD", Language: "en"},
		{ID: "p-shoe3", Title: "Walking shoes", Description: "Soft soles for long walks.", Category: []string{"clothing", "shoes"}, Price: 3000, Currency: "USD", Language: "en"},
		{ID: "p-shoe4", Title: "Leather boots", Description: "Boots for winter.", Category: []string{"clothing", "boots"}, Price: 9000, Currency: "USD", Language: "en"},
		{ID: "p-case1", Title: "iPhone 15 手机壳 透明防摔", Description: "适用于苹果手机，硅胶材质，手感很好", Category: []string{"electronics", "phones", "cases"}, Price: 1999, Currency: "CNY", Language: "zh"},
		{ID: "p-case2", Title: "华为手机壳", Description: "皮革材质，支持支架功能。", Category: []string{"electronics", "phones", "cases"}, Price: 2999, Currency: "CNY", Language: "zh"},
	}
	for i := range 30 {
		ps = append(ps, storage.Product{ID: fmt.Sprintf("p-kitchen%02d", i), Title: fmt.Sprintf("Kitchen pot %d", i),
			Description: "A steel pot for cooking.", Category: []string{"home", "kitchen"}, Price: storage.Money(1000 + 100*i), Currency: "USD", Language: "en"})
	}
	for i := range ps {
		ps[i].CreatedAt = fixtureTime.Add(time.Duration(i) * time.Minute)
	}
	return ps
}

// fixtureVector puts each category in its own direction of a 4-dimensional
// space, with a small per-product offset.
func fixtureVector(p *storage.Product, i int) []float32 {
	v := []float32{0.01 * float32(i%7), 0.01 * float32(i%5), 0.01 * float32(i%3), 0.01}
	switch p.Category[0] {
	case "clothing":
		v[0] += 1
	case "electronics":
		v[1] += 1
	default:
		v[2] += 1
	}
	return v
}

// seedStore writes the fixture catalog, reviews, orders and product
// vectors of testModel.
func seedStore(t *testing.T, store *storage.Store) {
	t.Helper()
	ctx := context.Background()
	ps := fixtureProducts()
	if err := store.PutProducts(ctx, ps); err != nil {
		t.Fatalf("put products: %v", err)
	}
	reviews := []storage.Review{
		{ID: "r1", ProductID: "p-shoe1", UserID: "u1", Rating: 5, Text: "These shoes are great for running.", Language: "en", CreatedAt: fixtureTime},
		{ID: "r2", ProductID: "p-shoe1", UserID: "u2", Rating: 4, Text: "Comfortable.", Language: "en", CreatedAt: fixtureTime},
		{ID: "r3", ProductID: "p-case1", UserID: "u3", Rating: 2, Text: "手机壳质量一般。", Language: "zh", CreatedAt: fixtureTime},
	}
	if err := store.PutReviews(ctx, reviews); err != nil {
		t.Fatalf("put reviews: %v", err)
	}
	orders := []storage.Order{
		{ID: "o1", UserID: "u1", PurchasedAt: fixtureTime, ShipTo: storage.Region{Country: "BR", State: "SP"},
			Items: []storage.OrderItem{{ProductID: "p-shoe1", SellerID: "s1", Quantity: 1, UnitPrice: 5999}}},
		{ID: "o2", UserID: "u3", PurchasedAt: fixtureTime, ShipTo: storage.Region{Country: "CN", State: "GD"},
			Items: []storage.OrderItem{{ProductID: "p-case1", SellerID: "s1", Quantity: 1, UnitPrice: 1999}}},
	}
	if err := store.PutOrders(ctx, orders); err != nil {
		t.Fatalf("put orders: %v", err)
	}
	putVectors(t, store, ps)
}

func putVectors(t *testing.T, store *storage.Store, ps []storage.Product) {
	t.Helper()
	vs, err := vectors.New(store, nil, vectors.DefaultOptions().WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range ps {
		if err := vs.Put(context.Background(), testModel, storage.KindProduct, ps[i].ID, fixtureVector(&ps[i], i)); err != nil {
			t.Fatalf("put vector of %s: %v", ps[i].ID, err)
		}
	}
}

func openService(t *testing.T, store *storage.Store, dir string) *Service {
	t.Helper()
	s, err := Open(context.Background(), store, dir, nil, testOptions())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// crash drops the service without saving the vector index, as a killed
// process would; the Bleve index keeps the watermark it last recorded.
func (s *Service) crash() {
	s.closed.Store(true)
	s.text.Close()
}

// indexedIDs returns the sorted product ids in the Bleve index and in the
// vector index.
func indexedIDs(t *testing.T, s *Service) (text, vector []string) {
	t.Helper()
	res, err := s.text.Search(context.Background(), fulltext.Request{Size: fulltext.MaxSize})
	if err != nil {
		t.Fatalf("list indexed products: %v", err)
	}
	for _, h := range res.Hits {
		text = append(text, h.ID)
	}
	slices.Sort(text)
	g := s.graph.Load()
	s.attrs.mu.RLock()
	for id := range s.attrs.products {
		if g != nil && g.Contains(productKey(id)) {
			vector = append(vector, id)
		}
	}
	s.attrs.mu.RUnlock()
	slices.Sort(vector)
	return text, vector
}

func storeProductIDs(t *testing.T, store *storage.Store) []string {
	t.Helper()
	var ids []string
	err := store.EachProduct(context.Background(), storage.ProductFilter{}, func(p *storage.Product) error {
		ids = append(ids, p.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return ids
}

func hitIDs(hs []Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

func TestKeywordSearchEnglishAndChinese(t *testing.T) {
	store := openTestStore(t)
	seedStore(t, store)
	s := openService(t, store, t.TempDir())
	defer s.Close()
	ctx := context.Background()

	res, err := s.Search(ctx, Request{Query: "running shoes", Mode: Keyword, Size: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].ID != "p-shoe1" {
		t.Errorf("running shoes: hits %v, want p-shoe1 first", hitIDs(res.Hits))
	}
	res, err = s.Search(ctx, Request{Query: "手机壳", Mode: Keyword, Size: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(res.Hits); !slices.Contains(got, "p-case1") || !slices.Contains(got, "p-case2") {
		t.Errorf("手机壳: hits %v, want both phone cases", got)
	}
	res, err = s.Search(ctx, Request{Query: "shoes", Mode: Keyword, Filter: fulltext.Filter{Region: "BR-SP"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(res.Hits); !slices.Equal(got, []string{"p-shoe1"}) {
		t.Errorf("shoes in BR-SP: hits %v, want [p-shoe1]", got)
	}
}

func TestSemanticFilterBeforeCut(t *testing.T) {
	store := openTestStore(t)
	seedStore(t, store)
	s := openService(t, store, t.TempDir())
	defer s.Close()

	// The query points at the kitchen cluster; only 4 products pass the
	// clothing filter, and all 4 must come back although 30 kitchen items
	// are nearer.
	q := []float32{0, 0, 1, 0}
	res, err := s.Search(context.Background(), Request{Vector: q, Mode: Semantic, Size: 4,
		Filter: fulltext.Filter{Category: []string{"clothing"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 4 {
		t.Fatalf("got %d hits %v, want 4", len(res.Hits), hitIDs(res.Hits))
	}
	if res.Total != 4 {
		t.Errorf("total = %d, want 4", res.Total)
	}
	for _, h := range res.Hits {
		if !slices.Contains([]string{"p-shoe1", "p-shoe2", "p-shoe3", "p-shoe4"}, h.ID) {
			t.Errorf("hit %s is outside the clothing filter", h.ID)
		}
	}

	res, err = s.Search(context.Background(), Request{Vector: q, Mode: Semantic, Size: 2,
		Filter: fulltext.Filter{Category: []string{"clothing"}, MinRating: 4}})
	if err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(res.Hits); !slices.Equal(got, []string{"p-shoe1"}) {
		t.Errorf("rated clothing: hits %v, want [p-shoe1]", got)
	}
}

func TestHybridRanksFromBothSources(t *testing.T) {
	store := openTestStore(t)
	seedStore(t, store)
	s := openService(t, store, t.TempDir())
	defer s.Close()

	res, err := s.Search(context.Background(), Request{Query: "boots", Vector: []float32{1, 0, 0, 0}, Mode: Hybrid, Size: 5, Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 5 || res.Hits[0].ID != "p-shoe4" {
		t.Fatalf("hits %v, want 5 with p-shoe4 first", hitIDs(res.Hits))
	}
	if res.Hits[0].KeywordRank != 1 || res.Hits[0].VectorRank == 0 {
		t.Errorf("p-shoe4 ranks keyword %d vector %d, want 1 and > 0", res.Hits[0].KeywordRank, res.Hits[0].VectorRank)
	}
	if res.Facets == nil {
		t.Fatal("no facets")
	}
}

func TestCatchUpAfterCrash(t *testing.T) {
	store := openTestStore(t)
	seedStore(t, store)
	dir := t.TempDir()
	ctx := context.Background()
	s := openService(t, store, dir)

	followCtx, stop := context.WithCancel(ctx)
	followed := make(chan error, 1)
	go func() { followed <- s.Follow(followCtx) }()

	added := storage.Product{ID: "p-new1", Title: "Red kettle", Category: []string{"home", "kitchen"}, Price: 2500, CreatedAt: fixtureTime}
	if err := store.PutProducts(ctx, []storage.Product{added}); err != nil {
		t.Fatal(err)
	}
	putVectors(t, store, []storage.Product{added})
	if err := store.DeleteProduct(ctx, "p-kitchen03"); err != nil {
		t.Fatal(err)
	}
	last, _ := store.LastSeq(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for s.Watermark() < last && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	<-followed
	if s.Watermark() < last {
		t.Fatalf("Follow reached %d, want %d", s.Watermark(), last)
	}

	// Writes after the follower stopped, then a crash without a save.
	late := storage.Product{ID: "p-new2", Title: "Blue kettle", Category: []string{"home", "kitchen"}, Price: 2600, CreatedAt: fixtureTime}
	if err := store.PutProducts(ctx, []storage.Product{late}); err != nil {
		t.Fatal(err)
	}
	putVectors(t, store, []storage.Product{late})
	if err := store.DeleteProduct(ctx, "p-kitchen04"); err != nil {
		t.Fatal(err)
	}
	s.crash()

	s = openService(t, store, dir)
	defer s.Close()
	want := storeProductIDs(t, store)
	text, vector := indexedIDs(t, s)
	if !slices.Equal(text, want) {
		t.Errorf("full-text ids after restart:\n got %v\nwant %v", text, want)
	}
	if !slices.Equal(vector, want) {
		t.Errorf("vector ids after restart:\n got %v\nwant %v", vector, want)
	}
	res, err := s.Search(ctx, Request{Query: "blue kettle", Mode: Keyword, Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(res.Hits); !slices.Equal(got, []string{"p-new2"}) {
		t.Errorf("blue kettle: hits %v, want [p-new2]", got)
	}
}

func TestRebuildDamagedVectorFile(t *testing.T) {
	store := openTestStore(t)
	seedStore(t, store)
	dir := t.TempDir()
	if err := openService(t, store, dir).Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, VectorFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)/2] ^= 0xff
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}

	s := openService(t, store, dir)
	defer s.Close()
	_, vector := indexedIDs(t, s)
	if want := storeProductIDs(t, store); !slices.Equal(vector, want) {
		t.Errorf("vector ids after rebuild: got %d, want %d", len(vector), len(want))
	}
}

func TestRebuildDeletedFulltextDir(t *testing.T) {
	store := openTestStore(t)
	seedStore(t, store)
	dir := t.TempDir()
	if err := openService(t, store, dir).Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, FulltextDir)); err != nil {
		t.Fatal(err)
	}

	s := openService(t, store, dir)
	defer s.Close()
	text, _ := indexedIDs(t, s)
	if want := storeProductIDs(t, store); !slices.Equal(text, want) {
		t.Errorf("full-text ids after rebuild: got %d, want %d", len(text), len(want))
	}
}

func TestRebuildAfterTrimmedChangeLog(t *testing.T) {
	store := openTestStore(t)
	seedStore(t, store)
	dir := t.TempDir()
	ctx := context.Background()
	if err := openService(t, store, dir).Close(); err != nil {
		t.Fatal(err)
	}
	added := storage.Product{ID: "p-trim", Title: "Green teapot", Category: []string{"home", "kitchen"}, CreatedAt: fixtureTime}
	if err := store.PutProducts(ctx, []storage.Product{added}); err != nil {
		t.Fatal(err)
	}
	last, _ := store.LastSeq(ctx)
	if err := store.TrimChanges(ctx, last); err != nil {
		t.Fatal(err)
	}

	s := openService(t, store, dir)
	defer s.Close()
	text, _ := indexedIDs(t, s)
	if !slices.Contains(text, "p-trim") {
		t.Errorf("full-text index lacks p-trim after a trimmed change log: %v", text)
	}
	if s.Watermark() != last {
		t.Errorf("watermark = %d, want %d", s.Watermark(), last)
	}
}

func TestSearchInputErrors(t *testing.T) {
	store := openTestStore(t)
	seedStore(t, store)
	s := openService(t, store, t.TempDir())
	defer s.Close()
	tests := []struct {
		name  string
		req   Request
		field string
	}{
		{"keyword without query", Request{Mode: Keyword}, "query"},
		{"hybrid without query or vector", Request{Mode: Hybrid}, "query"},
		{"wrong dimension", Request{Mode: Semantic, Vector: []float32{1, 2}}, "vector"},
		{"text without model", Request{Mode: Semantic, Query: "shoes"}, "query"},
		{"zero vector", Request{Mode: Semantic, Vector: []float32{0, 0, 0, 0}}, "vector"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Search(context.Background(), tt.req)
			in, ok := err.(*InputError)
			if !ok {
				t.Fatalf("error %v (%T), want *InputError", err, err)
			}
			if in.Field != tt.field {
				t.Errorf("field = %q, want %q (%v)", in.Field, tt.field, err)
			}
		})
	}
}
