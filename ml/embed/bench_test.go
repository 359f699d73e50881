package embed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/shopsight/shopsight/ml/bert"
)

// benchCallers is the number of concurrent callers, and the batch size of
// the direct Encode they are compared with.
const benchCallers = 32

// newBenchEncoder writes a random MiniLM-L6-shaped checkpoint and a
// synthetic vocabulary to a temporary directory and loads it. Every word of
// the vocabulary after the special tokens is "w<id>", so a text of n such
// words has n+2 tokens.
func newBenchEncoder(b *testing.B) *Encoder {
	b.Helper()
	dir := b.TempDir()
	cfg := bert.MiniLML6Config()
	if err := bert.WriteRandom(dir, cfg, 1); err != nil {
		b.Fatal(err)
	}
	vocab := make([]string, cfg.VocabSize)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%d", i)
	}
	for i := 1; i < 100; i++ {
		vocab[i] = fmt.Sprintf("[unused%d]", i)
	}
	vocab[0], vocab[100], vocab[101], vocab[102], vocab[103] = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
	if err := os.WriteFile(filepath.Join(dir, "vocab.txt"), []byte(strings.Join(vocab, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	enc, err := Load(context.Background(), dir, DefaultEncoderOptions())
	if err != nil {
		b.Fatal(err)
	}
	return enc
}

// benchTexts returns n texts of 14 to 30 vocabulary words, 16 to 32 tokens.
func benchTexts(n int) []string {
	rng := rand.New(rand.NewPCG(7, 11))
	texts := make([]string, n)
	for i := range texts {
		words := make([]string, 14+rng.IntN(17))
		for j := range words {
			words[j] = fmt.Sprintf("w%d", 1000+rng.IntN(29000))
		}
		texts[i] = strings.Join(words, " ")
	}
	return texts
}

func BenchmarkEncoderDirect32(b *testing.B) {
	enc := newBenchEncoder(b)
	texts := benchTexts(benchCallers)
	ctx := context.Background()
	b.Logf("BLAS %s", bert.BLASBackend())
	b.ResetTimer()
	for b.Loop() {
		if _, err := enc.Embed(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchCallers)/b.Elapsed().Seconds(), "texts/s")
}

func BenchmarkBatcher32Callers(b *testing.B) {
	enc := newBenchEncoder(b)
	batcher, err := NewBatcher(enc, DefaultOptions().WithMaxBatch(benchCallers))
	if err != nil {
		b.Fatal(err)
	}
	defer batcher.Close(context.Background())
	texts := benchTexts(benchCallers)
	ctx := context.Background()
	b.Logf("BLAS %s", bert.BLASBackend())
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		for i := range benchCallers {
			wg.Go(func() {
				if _, err := batcher.Embed(ctx, texts[i:i+1]); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
	b.ReportMetric(float64(b.N*benchCallers)/b.Elapsed().Seconds(), "texts/s")
	b.ReportMetric(float64(b.N*benchCallers)/float64(histogramCount(b, batcher.metrics.batchSize)), "texts/batch")
}
