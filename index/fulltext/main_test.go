package fulltext

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/shopsight/shopsight/index/analysis/zh"
	"github.com/shopsight/shopsight/storage"
)

func TestMain(m *testing.M) {
	// The dictionary takes seconds to load, so every test shares one
	// segmenter, as a server process would.
	seg, err := zh.NewSegmenter()
	if err == nil {
		err = zh.Register(seg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

var fixtureTime = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// fixtureProducts cover English stemming, Chinese, mixed and Portuguese
// text, every price and rating bucket boundary that the tests check, and
// regions.
func fixtureProducts() []ProductDoc {
	return []ProductDoc{
		{ID: "p1", Title: "Men's Running Shoes", Description: "Lightweight shoes for running on roads.",
			Category: []string{"clothing", "shoes"}, Price: 5999, Currency: "USD", Language: "en",
			AvgRating: 4.5, ReviewCount: 2, Regions: []string{"BR", "BR-SP"}, CreatedAt: fixtureTime},
		{ID: "p2", Title: "Trail run shoe", Description: "Grip for muddy trails.",
			Category: []string{"clothing", "shoes"}, Price: 1500, Currency: "USD", Language: "en", CreatedAt: fixtureTime},
		{ID: "p3", Title: "iPhone 15 手机壳 透明防摔", Description: "适用于苹果手机，硅胶材质，手感很好😀",
			Category: []string{"electronics", "phones", "cases"}, Price: 1999, Currency: "CNY", Language: "zh",
			AvgRating: 4, ReviewCount: 1, Regions: []string{"CN", "CN-GD"}, Attributes: map[string]string{"color": "transparent"}},
		{ID: "p4", Title: "华为平板电脑保护套", Description: "皮革材质，支持支架功能。",
			Category: []string{"electronics", "tablets"}, Price: 3999, Currency: "CNY", Language: "zh",
			AvgRating: 3, ReviewCount: 3, Regions: []string{"CN"}},
		{ID: "p5", Title: "Cafeteira elétrica", Description: "Cafeteira para café coado, 110 volts.",
			Category: []string{"home", "kitchen"}, Price: 15000, Currency: "BRL", Language: "pt",
			Regions: []string{"BR", "BR-RJ"}},
		{ID: "p6", Title: "Wireless mouse", Description: "Quiet clicks and long battery life.",
			Category: []string{"electronics", "computers"}, Price: 2500, Currency: "USD", Language: "en",
			AvgRating: 1.5, ReviewCount: 2},
	}
}

func fixtureReviews() []ReviewDoc {
	return []ReviewDoc{
		{ID: "r1", ProductID: "p1", UserID: "u1", Rating: 5, Title: "Great", Text: "These shoes are great for running.", Language: "en", CreatedAt: fixtureTime},
		{ID: "r2", ProductID: "p3", UserID: "u2", Rating: 4, Title: "不错", Text: "手机壳质量很好，很耐用。", Language: "zh", CreatedAt: fixtureTime.Add(time.Hour)},
		{ID: "r3", ProductID: "p3", UserID: "u3", Rating: 2, Text: "有点贵，颜色也一般。", Language: "zh", CreatedAt: fixtureTime.Add(2 * time.Hour)},
		{ID: "r4", ProductID: "p1", UserID: "u4", Rating: 1, Text: "Too small for me.", Language: "en", CreatedAt: fixtureTime.Add(3 * time.Hour)},
	}
}

// newFixtureIndex creates an index in a temporary directory holding the
// fixture products and reviews.
func newFixtureIndex(t *testing.T) *Index {
	t.Helper()
	x, err := Create(filepath.Join(t.TempDir(), "search"), DefaultOptions())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	ctx := context.Background()
	if err := x.IndexProducts(ctx, fixtureProducts()); err != nil {
		t.Fatalf("IndexProducts: %v", err)
	}
	if err := x.IndexReviews(ctx, fixtureReviews()); err != nil {
		t.Fatalf("IndexReviews: %v", err)
	}
	return x
}

func hitIDs(hits []Hit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

func sortedIDs(hits []Hit) []string {
	ids := hitIDs(hits)
	sort.Strings(ids)
	return ids
}

func runSearch(t *testing.T, x *Index, r Request) *Result {
	t.Helper()
	if r.Size == 0 {
		r.Size = 100
	}
	res, err := x.Search(context.Background(), r)
	if err != nil {
		t.Fatalf("Search(%+v): %v", r, err)
	}
	return res
}

// newTestStore returns an in-memory store with the fixture products as
// store records, orders that give them regions, and reviews.
func newTestStore(t *testing.T, extraProducts int) *storage.Store {
	t.Helper()
	s, err := storage.Open(storage.DefaultOptions("").WithInMemory(true))
	if err != nil {
		t.Fatalf("open in-memory store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	var products []storage.Product
	for _, d := range fixtureProducts() {
		products = append(products, storage.Product{ID: d.ID, Title: d.Title, Description: d.Description,
			Category: d.Category, Price: d.Price, Currency: d.Currency, Language: d.Language, Attributes: d.Attributes,
			CreatedAt: fixtureTime})
	}
	for i := range extraProducts {
		products = append(products, storage.Product{ID: fmt.Sprintf("x%03d", i), Title: fmt.Sprintf("Extra widget %d", i),
			Category: []string{"misc"}, Price: 100, Language: "en", CreatedAt: fixtureTime})
	}
	if err := s.PutProducts(ctx, products); err != nil {
		t.Fatalf("PutProducts: %v", err)
	}
	orders := []storage.Order{
		{ID: "o1", UserID: "u1", PurchasedAt: fixtureTime, ShipTo: storage.Region{Country: "BR", State: "SP"},
			Items: []storage.OrderItem{{ProductID: "p1", SellerID: "s1", Quantity: 1, UnitPrice: 5999}}},
		{ID: "o2", UserID: "u2", PurchasedAt: fixtureTime, ShipTo: storage.Region{Country: "BR", State: "RJ"},
			Items: []storage.OrderItem{{ProductID: "p1", SellerID: "s1", Quantity: 1, UnitPrice: 5999},
				{ProductID: "p5", SellerID: "s1", Quantity: 2, UnitPrice: 15000}}},
	}
	if err := s.PutOrders(ctx, orders); err != nil {
		t.Fatalf("PutOrders: %v", err)
	}

	var reviews []storage.Review
	for _, r := range fixtureReviews() {
		reviews = append(reviews, storage.Review{ID: r.ID, ProductID: r.ProductID, UserID: r.UserID, Rating: r.Rating,
			Title: r.Title, Text: r.Text, Language: r.Language, CreatedAt: r.CreatedAt})
	}
	if err := s.PutReviews(ctx, reviews); err != nil {
		t.Fatalf("PutReviews: %v", err)
	}
	return s
}

func equalIDs(got, want []string) bool { return slices.Equal(got, want) }
