package fulltext

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopsight/shopsight/storage"
)

func money(v storage.Money) *storage.Money { return &v }

func TestSearchText(t *testing.T) {
	x := newFixtureIndex(t)
	tests := []struct {
		name  string
		query string
		want  []string // sorted ids
	}{
		{"english stemming", "running shoes", []string{"p1", "p2"}},
		{"english stemming reverse", "run shoe", []string{"p1", "p2"}},
		{"chinese single character", "壳", []string{"p3"}},
		{"chinese single character in two docs", "材", []string{"p3", "p4"}},
		{"chinese word", "手机", []string{"p3"}},
		{"chinese substring across words", "机壳", []string{"p3"}},
		{"chinese word in description", "硅胶", []string{"p3"}},
		{"chinese multi-word phrase", "平板电脑保护套", []string{"p4"}},
		{"mixed latin lower case", "iphone", []string{"p3"}},
		{"mixed number", "15", []string{"p3"}},
		{"mixed query", "iPhone 手机壳", []string{"p3"}},
		{"portuguese", "cafeteiras", []string{"p5"}},
		{"category text", "tablets", []string{"p4"}},
		{"attribute value", "transparent", []string{"p3"}},
		{"no match", "refrigerator", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runSearch(t, x, Request{Query: tt.query})
			if got := sortedIDs(res.Hits); !equalIDs(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			}
			if res.Total != uint64(len(tt.want)) {
				t.Errorf("Search(%q).Total = %d, want %d", tt.query, res.Total, len(tt.want))
			}
		})
	}
}

func TestSearchRanksTitleMatchFirst(t *testing.T) {
	x := newFixtureIndex(t)
	res := runSearch(t, x, Request{Query: "running shoes"})
	if len(res.Hits) == 0 || res.Hits[0].ID != "p1" {
		t.Errorf("Search(running shoes) = %v, want p1 first (phrase in title and description)", hitIDs(res.Hits))
	}
}

func TestSearchFilters(t *testing.T) {
	x := newFixtureIndex(t)
	tests := []struct {
		name   string
		query  string
		filter Filter
		want   []string
	}{
		{"category root", "", Filter{Category: []string{"electronics"}}, []string{"p3", "p4", "p6"}},
		{"category prefix", "", Filter{Category: []string{"electronics", "phones"}}, []string{"p3"}},
		{"category full path", "", Filter{Category: []string{"electronics", "phones", "cases"}}, []string{"p3"}},
		{"category partial name", "", Filter{Category: []string{"electro"}}, []string{}},
		{"price inclusive bounds", "", Filter{MinPrice: money(2500), MaxPrice: money(3999)}, []string{"p4", "p6"}},
		{"price minimum only", "", Filter{MinPrice: money(5999)}, []string{"p1", "p5"}},
		{"price maximum only", "", Filter{MaxPrice: money(1500)}, []string{"p2"}},
		{"minimum rating", "", Filter{MinRating: 4}, []string{"p1", "p3"}},
		{"region country", "", Filter{Region: "BR"}, []string{"p1", "p5"}},
		{"region state", "", Filter{Region: "BR-SP"}, []string{"p1"}},
		{"language zh", "", Filter{Language: "zh"}, []string{"p3", "p4"}},
		{"language pt", "", Filter{Language: "pt"}, []string{"p5"}},
		{"text and filter", "shoes", Filter{MaxPrice: money(2000)}, []string{"p2"}},
		{"chinese and filter", "材", Filter{Category: []string{"electronics", "tablets"}}, []string{"p4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runSearch(t, x, Request{Query: tt.query, Filter: tt.filter})
			if got := sortedIDs(res.Hits); !equalIDs(got, tt.want) {
				t.Errorf("Search(%q, %+v) = %v, want %v", tt.query, tt.filter, got, tt.want)
			}
		})
	}
}

func TestSearchFilterKeepsScores(t *testing.T) {
	x := newFixtureIndex(t)
	plain := runSearch(t, x, Request{Query: "shoes"})
	filtered := runSearch(t, x, Request{Query: "shoes", Filter: Filter{Region: "BR-SP"}})
	if len(filtered.Hits) != 1 {
		t.Fatalf("filtered hits = %v, want [p1]", hitIDs(filtered.Hits))
	}
	for _, h := range plain.Hits {
		if h.ID == "p1" && h.Score != filtered.Hits[0].Score {
			t.Errorf("p1 score with filter = %v, without = %v; filters must not change scores", filtered.Hits[0].Score, h.Score)
		}
	}
}

func TestSearchInvalidRequest(t *testing.T) {
	x := newFixtureIndex(t)
	bad := []Request{
		{Size: -1},
		{Size: MaxSize + 1},
		{From: -1},
		{Filter: Filter{MinPrice: money(500), MaxPrice: money(100)}},
	}
	for _, r := range bad {
		if _, err := x.Search(context.Background(), r); err == nil {
			t.Errorf("Search(%+v) returned no error", r)
		}
	}
}

func TestSearchPaging(t *testing.T) {
	x := newFixtureIndex(t)
	all := runSearch(t, x, Request{Size: 6})
	page := runSearch(t, x, Request{Size: 2, From: 2})
	if page.Total != 6 {
		t.Errorf("Total = %d, want 6", page.Total)
	}
	if got, want := hitIDs(page.Hits), hitIDs(all.Hits)[2:4]; !equalIDs(got, want) {
		t.Errorf("page 2 = %v, want %v", got, want)
	}
}

func TestSearchFacets(t *testing.T) {
	x := newFixtureIndex(t)
	res := runSearch(t, x, Request{Facets: true})
	f := res.Facets
	if f == nil {
		t.Fatal("Facets is nil")
	}
	categories := map[string]int{}
	for _, c := range f.Categories {
		categories[c.Term] = c.Count
	}
	wantCategories := map[string]int{"electronics": 3, "clothing": 2, "clothing/shoes": 2, "home": 1,
		"electronics/phones": 1, "electronics/phones/cases": 1, "electronics/tablets": 1}
	for term, n := range wantCategories {
		if categories[term] != n {
			t.Errorf("category facet %q = %d, want %d", term, categories[term], n)
		}
	}
	if f.Categories[0].Term != "electronics" {
		t.Errorf("first category facet = %q, want electronics (most frequent)", f.Categories[0].Term)
	}

	regions := map[string]int{}
	for _, r := range f.Regions {
		regions[r.Term] = r.Count
	}
	for term, n := range map[string]int{"BR": 2, "BR-SP": 1, "BR-RJ": 1, "CN": 2, "CN-GD": 1} {
		if regions[term] != n {
			t.Errorf("region facet %q = %d, want %d", term, regions[term], n)
		}
	}

	wantPrices := []struct {
		name     string
		min, max float64 // -1 for open
		count    int
	}{
		{"under 10", -1, 1000, 0},
		{"10 to 25", 1000, 2500, 2},
		{"25 to 50", 2500, 5000, 2},
		{"50 to 100", 5000, 10000, 1},
		{"100 to 250", 10000, 25000, 1},
		{"250 and over", 25000, -1, 0},
	}
	if len(f.Prices) != len(wantPrices) {
		t.Fatalf("price facet has %d ranges, want %d", len(f.Prices), len(wantPrices))
	}
	for i, w := range wantPrices {
		got := f.Prices[i]
		if got.Name != w.name || got.Count != w.count {
			t.Errorf("price range %d = %s:%d, want %s:%d", i, got.Name, got.Count, w.name, w.count)
		}
		if (w.min < 0) != (got.Min == nil) || got.Min != nil && *got.Min != w.min {
			t.Errorf("price range %s min = %v, want %v", w.name, got.Min, w.min)
		}
		if (w.max < 0) != (got.Max == nil) || got.Max != nil && *got.Max != w.max {
			t.Errorf("price range %s max = %v, want %v", w.name, got.Max, w.max)
		}
	}

	wantRatings := map[string]int{"unrated": 2, "1 to 2": 1, "2 to 3": 0, "3 to 4": 1, "4 and over": 2}
	for _, r := range f.Ratings {
		if r.Count != wantRatings[r.Name] {
			t.Errorf("rating facet %q = %d, want %d", r.Name, r.Count, wantRatings[r.Name])
		}
	}

	filtered := runSearch(t, x, Request{Query: "材", Facets: true})
	if got := filtered.Facets.Categories[0]; got.Term != "electronics" || got.Count != 2 {
		t.Errorf("facet over query hits = %+v, want electronics:2", got)
	}
}

func TestSearchHighlights(t *testing.T) {
	x := newFixtureIndex(t)
	long := strings.Repeat("这是一段很长的中文描述，用来测试片段的切分。", 20) + "防水😀表带" + strings.Repeat("😀🎉中文", 100)
	err := x.IndexProducts(context.Background(), []ProductDoc{{ID: "long", Title: "智能手表", Description: long, Language: "zh"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		id    string
		field string
		want  string // substring of some fragment
	}{
		{"手机", "p3", "title", "<mark>手机</mark>壳"},
		{"硅胶", "p3", "description", "<mark>硅胶</mark>材质"},
		{"running", "p1", "title", "<mark>Running</mark>"},
		{"表带", "long", "description", "😀<mark>表带</mark>"},
		{"防水", "long", "description", "<mark>防水</mark>😀"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := runSearch(t, x, Request{Query: tt.query, Highlight: true})
			var frags []string
			for _, h := range res.Hits {
				if h.ID == tt.id {
					frags = h.Highlights[tt.field]
				}
			}
			if len(frags) == 0 {
				t.Fatalf("no %s highlights for %s in %+v", tt.field, tt.id, res.Hits)
			}
			found := false
			for _, f := range frags {
				if !utf8.ValidString(f) || strings.ContainsRune(f, utf8.RuneError) {
					t.Errorf("fragment is not clean UTF-8: %q", f)
				}
				found = found || strings.Contains(f, tt.want)
			}
			if !found {
				t.Errorf("fragments %q do not contain %q", frags, tt.want)
			}
		})
	}
}

func TestCleanFragment(t *testing.T) {
	emoji := "😀"
	tests := []struct{ in, want string }{
		{"中文<mark>手机</mark>", "中文<mark>手机</mark>"},
		{"中文"[1:] + "<mark>好</mark>", "文<mark>好</mark>"},
		{"<mark>好</mark>中文"[:len("<mark>好</mark>中文")-1], "<mark>好</mark>中"},
		{emoji[2:] + "ok" + emoji[:3], "ok"},
		{"<mark>手</mark><mark>机</mark>壳", "<mark>手机</mark>壳"},
		{"a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		if got := cleanFragment(tt.in); got != tt.want {
			t.Errorf("cleanFragment(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDeleteProducts(t *testing.T) {
	x := newFixtureIndex(t)
	ctx := context.Background()
	if err := x.DeleteProducts(ctx, []string{"p3", "missing"}); err != nil {
		t.Fatalf("DeleteProducts: %v", err)
	}
	if res := runSearch(t, x, Request{Query: "手机"}); len(res.Hits) != 0 {
		t.Errorf("Search(手机) after delete = %v, want none", hitIDs(res.Hits))
	}
	if res := runSearch(t, x, Request{}); res.Total != 5 {
		t.Errorf("Total after delete = %d, want 5", res.Total)
	}
	if err := x.DeleteReviews(ctx, []string{"r2"}); err != nil {
		t.Fatalf("DeleteReviews: %v", err)
	}
	res, err := x.SearchReviews(ctx, ReviewRequest{Query: "质量"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 {
		t.Errorf("SearchReviews(质量) after delete: total %d, want 0", res.Total)
	}
}

func TestIndexProductsInvalid(t *testing.T) {
	x := newFixtureIndex(t)
	err := x.IndexProducts(context.Background(), []ProductDoc{{ID: "ok", Title: "fine"}, {Title: "no id"}})
	if err == nil || !strings.Contains(err.Error(), "empty id") {
		t.Fatalf("IndexProducts with empty id: err = %v, want empty id error", err)
	}
	if res := runSearch(t, x, Request{Query: "fine"}); res.Total != 0 {
		t.Errorf("a document of the rejected call was indexed: %v", hitIDs(res.Hits))
	}
}

func TestSearchReviews(t *testing.T) {
	x := newFixtureIndex(t)
	tests := []struct {
		name    string
		req     ReviewRequest
		want    []string
		ordered bool
	}{
		{"english text", ReviewRequest{Query: "run"}, []string{"r1"}, false},
		{"chinese word", ReviewRequest{Query: "质量"}, []string{"r2"}, false},
		{"chinese single character", ReviewRequest{Query: "贵"}, []string{"r3"}, false},
		{"title", ReviewRequest{Query: "不错"}, []string{"r2"}, false},
		{"product newest first", ReviewRequest{ProductID: "p3"}, []string{"r3", "r2"}, true},
		{"minimum rating", ReviewRequest{MinRating: 4}, []string{"r2", "r1"}, true},
		{"language", ReviewRequest{Language: "en"}, []string{"r4", "r1"}, true},
		{"text and product", ReviewRequest{Query: "很", ProductID: "p1"}, []string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.SearchReviews(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if got == nil {
				got = []string{}
			}
			if !tt.ordered {
				got = sortedIDs(hitsOf(res.Hits))
			}
			if !equalIDs(got, tt.want) {
				t.Errorf("SearchReviews(%+v) = %v, want %v", tt.req, got, tt.want)
			}
		})
	}

	res, err := x.SearchReviews(context.Background(), ReviewRequest{Query: "质量"})
	if err != nil {
		t.Fatal(err)
	}
	h := res.Hits[0]
	if h.ProductID != "p3" {
		t.Errorf("review hit product = %q, want p3", h.ProductID)
	}
	if frags := h.Highlights["text"]; len(frags) != 1 || !strings.Contains(frags[0], "<mark>质量</mark>") {
		t.Errorf("review highlights = %q, want <mark>质量</mark> in text", h.Highlights)
	}
	if _, err := x.SearchReviews(context.Background(), ReviewRequest{MinRating: 6}); err == nil {
		t.Error("SearchReviews with MinRating 6 returned no error")
	}
}

func hitsOf(hits []ReviewHit) []Hit {
	out := make([]Hit, len(hits))
	for i, h := range hits {
		out[i] = h.Hit
	}
	return out
}

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ text, declared, want string }{
		{"Running shoes", "", "en"},
		{"手机壳", "en", "zh"},
		{"iPhone 15 手机壳", "", "zh"},
		{"Apple iPhone 15 Pro Max case 壳", "zh", "en"},
		{"Cafeteira elétrica", "pt-BR", "pt"},
		{"", "zh", "en"},
		{"12345", "", "en"},
	}
	for _, tt := range tests {
		if got := DetectLanguage(tt.text, tt.declared); got != tt.want {
			t.Errorf("DetectLanguage(%q, %q) = %q, want %q", tt.text, tt.declared, got, tt.want)
		}
	}
}
