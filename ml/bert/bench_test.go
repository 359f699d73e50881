package bert

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkMiniLML6 runs a MiniLM-L6-shaped model with random weights on
// batches of 32 full-length sequences. Metrics: sentences/s, the GFLOP/s of
// the dense-layer and attention matmuls, and the share of forward time spent
// outside matmuls (exact with -cpu 1; with more goroutines the attention
// matmul time is summed over them, so the share is an estimate).
func BenchmarkMiniLML6(b *testing.B) {
	model, err := NewRandom(MiniLML6Config(), 1, DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("BLAS backend: %s", BLASBackend())
	for _, seqLen := range []int{16, 64, 128} {
		b.Run(fmt.Sprintf("len=%d", seqLen), func(b *testing.B) {
			benchmarkEmbed(b, model, 32, seqLen)
		})
	}
}

// BenchmarkMiniLML6Scaling shows how the cost grows with the batch size at
// length 64, and with the sequence length at batch 32 beyond the lengths of
// BenchmarkMiniLML6. ns/op should grow linearly with the batch size.
func BenchmarkMiniLML6Scaling(b *testing.B) {
	model, err := NewRandom(MiniLML6Config(), 1, DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	for _, batchSize := range []int{8, 16, 32, 64} {
		b.Run(fmt.Sprintf("batch=%d/len=64", batchSize), func(b *testing.B) {
			benchmarkEmbed(b, model, batchSize, 64)
		})
	}
	for _, seqLen := range []int{32, 256} {
		b.Run(fmt.Sprintf("batch=32/len=%d", seqLen), func(b *testing.B) {
			benchmarkEmbed(b, model, 32, seqLen)
		})
	}
}

// benchmarkEmbed times Embed on a batch of batchSize random sequences of
// length seqLen and reports the metrics of BenchmarkMiniLML6.
func benchmarkEmbed(b *testing.B, model *Model, batchSize, seqLen int) {
	batch := randomBatch(batchSize, seqLen, model.Config().VocabSize)
	ctx := context.Background()
	if _, err := model.Embed(ctx, batch); err != nil { // warm up
		b.Fatal(err)
	}
	before := model.snapshotStats()
	b.ResetTimer()
	for b.Loop() {
		if _, err := model.Embed(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportStats(b, before, model.snapshotStats(), len(batch.IDs))
}

type statsSnapshot struct {
	forward, linear, attention, attentionMatmul time.Duration
	linearFlops, attentionFlops                 int64
}

func (m *Model) snapshotStats() statsSnapshot {
	return statsSnapshot{
		forward:         time.Duration(m.stats.forwardNanos.Load()),
		linear:          time.Duration(m.stats.linearNanos.Load()),
		attention:       time.Duration(m.stats.attentionNanos.Load()),
		attentionMatmul: time.Duration(m.stats.attentionMatmulNanos.Load()),
		linearFlops:     m.stats.linearFlops.Load(),
		attentionFlops:  m.stats.attentionFlops.Load(),
	}
}

func reportStats(b *testing.B, before, after statsSnapshot, batchSize int) {
	forward := after.forward - before.forward
	linear := after.linear - before.linear
	attentionMatmul := after.attentionMatmul - before.attentionMatmul
	attention := after.attention - before.attention
	b.ReportMetric(float64(b.N*batchSize)/b.Elapsed().Seconds(), "sentences/s")
	b.ReportMetric(float64(after.linearFlops-before.linearFlops)/linear.Seconds()/1e9, "dense-GFLOP/s")
	b.ReportMetric(float64(after.attentionFlops-before.attentionFlops)/attentionMatmul.Seconds()/1e9, "attn-GFLOP/s")
	b.ReportMetric(100*linear.Seconds()/forward.Seconds(), "%dense-matmul")
	b.ReportMetric(100*(attention-attentionMatmul).Seconds()/forward.Seconds(), "%attn-other")
	b.ReportMetric(100*(forward-linear-attention).Seconds()/forward.Seconds(), "%other")
}

// randomBatch returns B unpadded sequences of length T with random ids.
func randomBatch(B, T, vocab int) Batch {
	rng := rand.New(rand.NewPCG(7, 7))
	batch := Batch{IDs: make([][]int32, B)}
	for b := range batch.IDs {
		ids := make([]int32, T)
		for t := range ids {
			ids[t] = int32(rng.IntN(vocab))
		}
		ids[0], ids[T-1] = 101, 102
		batch.IDs[b] = ids
	}
	return batch
}

// BenchmarkSgemmFFN times one matmul of the FFN intermediate shape, batch 32
// at length 64: [2048×384]·[384×1536], with the weight passed transposed as
// linear does. Its GFLOP/s is the ceiling the dense layers can reach.
func BenchmarkSgemmFFN(b *testing.B) {
	const rows, in, out = 32 * 64, 384, 1536
	rng := rand.New(rand.NewPCG(1, 1))
	weight, bias, src := make([]float32, out*in), make([]float32, out), make([]float32, rows*in)
	for i := range weight {
		weight[i] = float32(rng.NormFloat64())
	}
	for i := range src {
		src[i] = float32(rng.NormFloat64())
	}
	l := newLinear(weight, bias, out, in)
	dst := make([]float32, rows*out)
	m := &Model{}
	for b.Loop() {
		if err := m.linear(l, src, rows, dst); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*2*rows*in*out/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
