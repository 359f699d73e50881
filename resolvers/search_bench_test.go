package resolvers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/graph/auth"
	"github.com/shopsight/shopsight/index/search"
	"github.com/shopsight/shopsight/ml/bert"
	"github.com/shopsight/shopsight/ml/embed"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

// newBenchSearchServer serves the demo catalog (600 products; users,
// orders and events at scale 0.05) with a search service over a random
// MiniLM-L6-shaped model whose vocabulary is the words of the catalog.
func newBenchSearchServer(b *testing.B) (string, []string) {
	b.Helper()
	ctx := context.Background()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := storage.Open(storage.DefaultOptions("").WithInMemory(true).WithLogger(discard))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	if _, err := demo.Generate(ctx, demo.DefaultConfig().WithScale(0.05), store); err != nil {
		b.Fatal(err)
	}
	var titles []string
	if err := store.EachProduct(ctx, storage.ProductFilter{}, func(p *storage.Product) error {
		titles = append(titles, p.Title)
		return nil
	}); err != nil {
		b.Fatal(err)
	}

	dir := b.TempDir()
	cfg := bert.MiniLML6Config()
	if err := bert.WriteRandom(dir, cfg, 1); err != nil {
		b.Fatal(err)
	}
	vocab := []string{"[PAD]"}
	for i := 1; i < 100; i++ {
		vocab = append(vocab, fmt.Sprintf("[unused%d]", i))
	}
	vocab = append(vocab, "[UNK]", "[CLS]", "[SEP]", "[MASK]")
	seen := map[string]bool{}
	for _, t := range titles {
		for _, w := range strings.Fields(strings.ToLower(t)) {
			if !seen[w] && len(vocab) < cfg.VocabSize {
				seen[w] = true
				vocab = append(vocab, w)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "vocab.txt"), []byte(strings.Join(vocab, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	enc, err := embed.Load(ctx, dir, embed.DefaultEncoderOptions().WithMaxLength(64))
	if err != nil {
		b.Fatal(err)
	}
	svc, err := search.Open(ctx, store, b.TempDir(), enc, search.DefaultOptions().WithLogger(discard))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Close() })

	rng := rand.New(rand.NewPCG(1, 2))
	queries := make([]string, 200)
	for i := range queries {
		words := strings.Fields(titles[rng.IntN(len(titles))])
		queries[i] = strings.Join(words[:min(2, len(words))], " ")
	}
	h, err := NewHandler(store, DefaultOptions().WithLogger(discard).WithSearch(func() *search.Service { return svc }))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(auth.Open(h))
	b.Cleanup(srv.Close)
	return srv.URL, queries
}

// postBench sends one GraphQL request and returns the number of errors.
func postBench(b *testing.B, url, query string, vars map[string]any) int {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	res, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Errors []json.RawMessage }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		b.Fatal(err)
	}
	return len(out.Errors)
}

// BenchmarkGraphQLSearchLatency reports p50 and p99 latency of a 20-hit
// search with facets per mode over HTTP.
func BenchmarkGraphQLSearchLatency(b *testing.B) {
	url, queries := newBenchSearchServer(b)
	const q = `query($q: String, $mode: SearchMode) {
  search(query: $q, mode: $mode, first: 20) { totalCount edges { node { id title } score keywordRank vectorRank } facets { category { value count } } }
}`
	for _, mode := range []string{"KEYWORD", "SEMANTIC", "HYBRID"} {
		b.Run(mode, func(b *testing.B) {
			var lat []time.Duration
			i := 0
			for b.Loop() {
				start := time.Now()
				n := postBench(b, url, q, map[string]any{"q": queries[i%len(queries)], "mode": mode})
				lat = append(lat, time.Since(start))
				if n > 0 {
					b.Fatalf("%s %q: %d errors", mode, queries[i%len(queries)], n)
				}
				i++
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99_ms")
		})
	}
}
