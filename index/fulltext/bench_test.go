package fulltext

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/shopsight/shopsight/storage"
)

var benchWords = []string{"running", "shoes", "wireless", "mouse", "stainless", "steel", "kettle", "leather", "case",
	"手机壳", "蓝牙耳机", "保温杯", "透明", "防水", "cotton", "shirt", "lamp", "desk", "charger", "cable"}

// benchDocs returns n synthetic products mixing English and Chinese titles.
func benchDocs(n int) []ProductDoc {
	docs := make([]ProductDoc, n)
	for i := range docs {
		w := func(k int) string { return benchWords[(i*7+k*13)%len(benchWords)] }
		docs[i] = ProductDoc{
			ID:          fmt.Sprintf("b%06d", i),
			Title:       fmt.Sprintf("%s %s %s %d", w(0), w(1), w(2), i%100),
			Description: fmt.Sprintf("%s %s with %s and %s, model %d", w(3), w(4), w(5), w(6), i),
			Category:    []string{"c" + fmt.Sprint(i%5), "s" + fmt.Sprint(i%17)},
			Price:       storage.Money(100 + i*37%30000),
			AvgRating:   float64(i%5) + 0.5,
			Regions:     []string{"BR", fmt.Sprintf("BR-%02d", i%27)},
			Language:    "en",
		}
	}
	return docs
}

// BenchmarkIndexProducts compares one IndexProducts call per document (one
// Bleve batch each) with one call for all documents (batches of 500).
func BenchmarkIndexProducts(b *testing.B) {
	const n = 2000
	docs := benchDocs(n)
	ctx := context.Background()
	for _, mode := range []string{"batch", "single"} {
		b.Run(mode, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				x, err := Create(filepath.Join(b.TempDir(), "bench"), DefaultOptions())
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if mode == "batch" {
					err = x.IndexProducts(ctx, docs)
				} else {
					for i := range docs {
						if err = x.IndexProducts(ctx, docs[i:i+1]); err != nil {
							break
						}
					}
				}
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				x.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// BenchmarkSearch measures query latency on 20,000 synthetic products.
func BenchmarkSearch(b *testing.B) {
	x, err := Create(filepath.Join(b.TempDir(), "bench"), DefaultOptions().WithBatchSize(2000))
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	if err := x.IndexProducts(ctx, benchDocs(20000)); err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		req  Request
	}{
		{"english", Request{Query: "running shoes"}},
		{"chinese", Request{Query: "蓝牙耳机"}},
		{"chinese single character", Request{Query: "杯"}},
		{"english with facets and highlights", Request{Query: "stainless kettle", Facets: true, Highlight: true}},
		{"filter only", Request{Filter: Filter{Category: []string{"c1"}, Region: "BR-03"}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				if _, err := x.Search(ctx, c.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
