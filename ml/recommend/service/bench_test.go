package service

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

// benchStore returns an in-memory store holding the demo shop at scale.
func benchStore(b *testing.B, scale float64) *storage.Store {
	b.Helper()
	store := newEmptyStore(b)
	if _, err := demo.Generate(context.Background(), demo.DefaultConfig().WithScale(scale), store); err != nil {
		b.Fatal(err)
	}
	return store
}

// BenchmarkTrain measures a full training with default options (ALS with
// 64 factors and 15 iterations) on demo stores of growing scale. It
// reports the interactions read and the heap in use after training.
func BenchmarkTrain(b *testing.B) {
	for _, scale := range []float64{0.25, 0.5, 1} {
		b.Run(fmt.Sprintf("scale=%g", scale), func(b *testing.B) {
			store := benchStore(b, scale)
			opts := DefaultOptions().WithLogger(quietLogger()).WithKeep(1)
			b.ReportAllocs()
			var v Version
			for b.Loop() {
				var err error
				if v, err = Train(context.Background(), store, opts, nil); err != nil {
					b.Fatal(err)
				}
			}
			size := 0
			for _, blob := range v.Blobs {
				size += blob.Size
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(v.Interactions), "interactions")
			b.ReportMetric(float64(v.Sessions), "session-events")
			b.ReportMetric(float64(size), "model-B")
			b.ReportMetric(float64(ms.HeapInuse), "heap-after-B")
		})
	}
}

// BenchmarkRecommend measures in-process Recommend latency on the demo shop
// at scale 1 after training, cycling over known users, unknown users with a
// session, and reports its 50th and 99th percentiles.
func BenchmarkRecommend(b *testing.B) {
	store := benchStore(b, 1)
	opts := DefaultOptions().WithLogger(quietLogger())
	if _, err := Train(context.Background(), store, opts, nil); err != nil {
		b.Fatal(err)
	}
	svc := mustOpen(b, store, opts)
	users := svc.snap.Load().models.histories.Users.IDs()
	products := svc.snap.Load().catalog.ids
	for _, tc := range []struct {
		name    string
		request func(i int) (string, RecContext)
	}{
		{"known-user", func(i int) (string, RecContext) { return users[i%len(users)], RecContext{} }},
		{"anonymous-session", func(i int) (string, RecContext) {
			return "", RecContext{Region: "SP", SessionProductIDs: []string{products[i%len(products)], products[(i*7)%len(products)]}}
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var latencies []time.Duration
			i := 0
			for b.Loop() {
				user, rc := tc.request(i)
				i++
				start := time.Now()
				if _, err := svc.Recommend(context.Background(), user, 10, rc); err != nil {
					b.Fatal(err)
				}
				latencies = append(latencies, time.Since(start))
			}
			slices.Sort(latencies)
			b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
		})
	}
}
