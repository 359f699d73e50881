package resolvers

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/index/search"
	"github.com/shopsight/shopsight/index/vectors"
	"github.com/shopsight/shopsight/storage"
)

const searchTestModel = "gql-test-vectors"

// newSearchServer serves a store of five products (English shoes and
// Chinese phone cases) with 3-dimensional product vectors and a search
// service without a text model.
func newSearchServer(t *testing.T) *testServer {
	t.Helper()
	ctx := context.Background()
	store := openMemoryStore(t, storage.DefaultOptions(""))
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	products := []storage.Product{
		{ID: "shoe1", Title: "Men's Running Shoes", Description: "Lightweight shoes for running.", Category: []string{"clothing", "shoes"}, Price: 5999, Currency: "USD", Language: "en", CreatedAt: at},
		{ID: "shoe2", Title: "Trail run shoe", Description: "Grip for muddy trails.", Category: []string{"clothing", "shoes"}, Price: 1500, Currency: "USD", Language: "en", CreatedAt: at},
		{ID: "boot1", Title: "Leather boots", Description: "Boots for winter.", Category: []string{"clothing", "boots"}, Price: 12000, Currency: "USD", Language: "en", CreatedAt: at},
		{ID: "case1", Title: "iPhone 15 手机壳 透明防摔", Description: "适用于苹果手机", Category: []string{"electronics", "phones"}, Price: 1999, Currency: "CNY", Language: "zh", CreatedAt: at},
		{ID: "case2", Title: "华为手机壳", Description: "皮革材质", Category: []string{"electronics", "phones"}, Price: 2999, Currency: "CNY", Language: "zh", CreatedAt: at},
	}
	if err := store.PutProducts(ctx, products); err != nil {
		t.Fatal(err)
	}
	reviews := []storage.Review{
		{ID: "r1", ProductID: "shoe1", UserID: "u1", Rating: 5, Text: "Great shoes for running.", Language: "en", CreatedAt: at},
		{ID: "r2", ProductID: "case1", UserID: "u2", Rating: 2, Text: "手机壳质量一般。", Language: "zh", CreatedAt: at},
	}
	if err := store.PutReviews(ctx, reviews); err != nil {
		t.Fatal(err)
	}
	vs, err := vectors.New(store, nil, vectors.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	vecs := map[string][]float32{"shoe1": {1, 0.1, 0}, "shoe2": {1, 0.2, 0}, "boot1": {0.8, 0.5, 0}, "case1": {0, 1, 0.1}, "case2": {0, 1, 0.2}}
	for id, v := range vecs {
		if err := vs.Put(ctx, searchTestModel, storage.KindProduct, id, v); err != nil {
			t.Fatal(err)
		}
	}
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := search.Open(ctx, store, t.TempDir(), nil, search.DefaultOptions().WithLogger(discard).WithVectorModel(searchTestModel))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return serveStore(t, store, func(o Options) Options { return o.WithSearch(func() *search.Service { return svc }) })
}

type searchData struct {
	Search struct {
		TotalCount int
		Edges      []struct {
			Node        struct{ ID string }
			Score       float64
			KeywordRank *int
			VectorRank  *int
			Highlights  []struct {
				Field     string
				Fragments []string
			}
			Cursor string
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
		Facets *struct {
			Category []struct {
				Value string
				Count int
			}
			Price []struct {
				Name  string
				From  *string
				To    *string
				Count int
			}
		}
	}
}

func (d searchData) ids() []string {
	var out []string
	for _, e := range d.Search.Edges {
		out = append(out, e.Node.ID)
	}
	return out
}

const searchQuery = `query($q: String, $v: [Float!], $mode: SearchMode, $filter: SearchFilter, $first: Int, $after: String) {
  search(query: $q, vector: $v, mode: $mode, filter: $filter, first: $first, after: $after) {
    totalCount
    edges { node { id } score keywordRank vectorRank highlights { field fragments } cursor }
    pageInfo { hasNextPage endCursor }
    facets { category { value count } price { name from to count } }
  }
}`

func TestGraphQLSearchKeyword(t *testing.T) {
	s := newSearchServer(t)
	var d searchData
	s.ok(searchQuery, map[string]any{"q": "running shoes", "first": 1}, &d)
	if got := d.ids(); len(got) != 1 || got[0] != "shoe1" {
		t.Fatalf("running shoes: ids %v, want [shoe1]", got)
	}
	e := d.Search.Edges[0]
	if e.KeywordRank == nil || *e.KeywordRank != 1 || e.VectorRank != nil {
		t.Errorf("ranks keyword %v vector %v, want 1 and null", e.KeywordRank, e.VectorRank)
	}
	if len(e.Highlights) == 0 || !strings.Contains(e.Highlights[0].Fragments[0], "<mark>") {
		t.Errorf("highlights %+v, want marked fragments", e.Highlights)
	}
	if d.Search.TotalCount != 2 || !d.Search.PageInfo.HasNextPage {
		t.Errorf("totalCount %d hasNextPage %v, want 2 and true", d.Search.TotalCount, d.Search.PageInfo.HasNextPage)
	}
	var next searchData
	s.ok(searchQuery, map[string]any{"q": "running shoes", "first": 1, "after": *d.Search.PageInfo.EndCursor}, &next)
	if got := next.ids(); len(got) != 1 || got[0] != "shoe2" {
		t.Errorf("second page ids %v, want [shoe2]", got)
	}

	var zh searchData
	s.ok(searchQuery, map[string]any{"q": "手机壳"}, &zh)
	if zh.Search.TotalCount != 2 {
		t.Errorf("手机壳: totalCount %d ids %v, want the 2 cases", zh.Search.TotalCount, zh.ids())
	}
}

func TestGraphQLSearchFacets(t *testing.T) {
	s := newSearchServer(t)
	var d searchData
	s.ok(searchQuery, map[string]any{"q": "shoes boots 手机壳"}, &d)
	if d.Search.Facets == nil {
		t.Fatal("facets is null")
	}
	counts := map[string]int{}
	for _, c := range d.Search.Facets.Category {
		counts[c.Value] = c.Count
	}
	if counts["clothing"] != 3 || counts["clothing/shoes"] != 2 || counts["electronics"] != 2 {
		t.Errorf("category facet %v, want clothing 3, clothing/shoes 2, electronics 2", counts)
	}
	prices := map[string]int{}
	for _, p := range d.Search.Facets.Price {
		prices[p.Name] = p.Count
	}
	// 15.00 and 19.99 are in "10 to 25", 29.99 in "25 to 50", 59.99 in "50 to 100", 120.00 in "100 to 250".
	want := map[string]int{"under 10": 0, "10 to 25": 2, "25 to 50": 1, "50 to 100": 1, "100 to 250": 1, "250 and over": 0}
	for name, n := range want {
		if prices[name] != n {
			t.Errorf("price facet %q = %d, want %d", name, prices[name], n)
		}
	}
	if p := d.Search.Facets.Price[1]; p.From == nil || *p.From != "10.00" || p.To == nil || *p.To != "25.00" {
		t.Errorf("price bucket bounds %v %v, want 10.00 and 25.00", p.From, p.To)
	}
}

func TestGraphQLSearchHybridClientVector(t *testing.T) {
	s := newSearchServer(t)
	var d searchData
	s.ok(searchQuery, map[string]any{"q": "boots", "v": []float64{1, 0, 0}, "mode": "HYBRID", "first": 3}, &d)
	if got := d.ids(); len(got) != 3 || got[0] != "boot1" {
		t.Fatalf("ids %v, want 3 with boot1 first", got)
	}
	top := d.Search.Edges[0]
	if top.KeywordRank == nil || top.VectorRank == nil {
		t.Errorf("boot1 ranks keyword %v vector %v, want both set", top.KeywordRank, top.VectorRank)
	}
	var sem searchData
	s.ok(searchQuery, map[string]any{"v": []float64{0, 1, 0}, "mode": "SEMANTIC", "first": 2, "filter": map[string]any{"language": "zh"}}, &sem)
	if got := sem.ids(); len(got) != 2 || !(got[0] == "case1" || got[0] == "case2") {
		t.Errorf("semantic zh ids %v, want the two cases", got)
	}
}

func TestGraphQLSearchErrors(t *testing.T) {
	s := newSearchServer(t)
	tests := []struct {
		name    string
		vars    map[string]any
		field   string
		message string
	}{
		{"empty keyword query", map[string]any{"q": " "}, "query", "missing query"},
		{"hybrid without query or vector", map[string]any{"mode": "HYBRID"}, "query", "missing query"},
		{"wrong dimension", map[string]any{"v": []float64{1, 2}, "mode": "SEMANTIC"}, "vector", "dimension 2"},
		{"text without model", map[string]any{"q": "shoes", "mode": "SEMANTIC"}, "query", "no text model configured"},
		{"bad cursor", map[string]any{"q": "shoes", "after": "nope"}, "after", "invalid after cursor"},
		{"cursor past the paging limit", map[string]any{"q": "shoes", "after": encodeOffset(10000)}, "after", "beyond the 10000 hits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := s.with(t).fail(searchQuery, tt.vars)
			if e.code() != "BAD_USER_INPUT" || e.field() != tt.field {
				t.Errorf("code %q field %q, want BAD_USER_INPUT on %q (%s)", e.code(), e.field(), tt.field, e.Message)
			}
			if !strings.Contains(e.Message, tt.message) {
				t.Errorf("message %q does not contain %q", e.Message, tt.message)
			}
		})
	}
}

func TestGraphQLSimilarAndReviews(t *testing.T) {
	s := newSearchServer(t)
	var sim struct {
		SimilarProducts []struct {
			Product struct{ ID string }
			Score   float64
		}
	}
	s.ok(`{ similarProducts(id: "shoe1", first: 2) { product { id } score } }`, nil, &sim)
	if len(sim.SimilarProducts) != 2 || sim.SimilarProducts[0].Product.ID != "shoe2" {
		t.Errorf("similar to shoe1: %+v, want shoe2 first of 2", sim.SimilarProducts)
	}
	e := s.fail(`{ similarProducts(id: "nope") { score } }`, nil)
	if e.code() != "NOT_FOUND" {
		t.Errorf("unknown id: code %q, want NOT_FOUND", e.code())
	}

	var rev struct {
		SearchReviews struct {
			TotalCount int
			Edges      []struct{ Node struct{ ID string } }
		}
	}
	s.ok(`{ searchReviews(query: "手机壳") { totalCount edges { node { id } } } }`, nil, &rev)
	if rev.SearchReviews.TotalCount != 1 || rev.SearchReviews.Edges[0].Node.ID != "r2" {
		t.Errorf("review search: %+v, want r2", rev.SearchReviews)
	}
}
