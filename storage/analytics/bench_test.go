package analytics

import (
	"context"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
	"github.com/shopsight/shopsight/storage/rollup"
)

// benchScale is the demo scale of the benchmarks: ANALYTICS_BENCH_SCALE,
// 1 when unset. Scale 10 takes minutes to generate.
func benchScale(b *testing.B) float64 {
	s := os.Getenv("ANALYTICS_BENCH_SCALE")
	if s == "" {
		return 1
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		b.Fatalf("invalid ANALYTICS_BENCH_SCALE %q: give a positive number such as 10", s)
	}
	return v
}

var benchStore struct {
	once  sync.Once
	store *storage.Store
}

func openBenchStore(b *testing.B) *storage.Store {
	benchStore.once.Do(func() {
		st, err := storage.Open(storage.DefaultOptions(b.TempDir()).WithLogger(quiet).WithTxnHook(rollup.NewTxnHook))
		if err != nil {
			b.Fatalf("open store: %v", err)
		}
		if _, err := demo.Generate(context.Background(), demo.DefaultConfig().WithScale(benchScale(b)), st); err != nil {
			b.Fatalf("generate: %v", err)
		}
		benchStore.store = st
	})
	return benchStore.store
}

// benchQuery runs q b.N times and reports the p50 and p99 latency.
func benchQuery(b *testing.B, e *Engine, q Query, want Source) {
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res, err := e.Metrics(context.Background(), q)
		if err != nil {
			b.Fatal(err)
		}
		if res.Source != want {
			b.Fatalf("source %s, want %s", res.Source, want)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

func BenchmarkMetrics(b *testing.B) {
	st := openBenchStore(b)
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	monthlyState := Query{Measures: []Measure{Orders, Revenue}, Dimensions: []Dimension{Time, State}, Granularity: Month, From: from, To: to}
	dailyCategory := Query{Measures: []Measure{Orders, Revenue}, Dimensions: []Dimension{Time, Category}, Granularity: Day, From: from, To: to}
	rollups := New(st, DefaultOptions().WithLogger(quiet))
	scans := New(st, DefaultOptions().WithLogger(quiet).WithUseRollups(false))
	b.Run("monthly-state/rollup", func(b *testing.B) { benchQuery(b, rollups, monthlyState, SourceRollup) })
	b.Run("monthly-state/scan", func(b *testing.B) { benchQuery(b, scans, monthlyState, SourceScan) })
	b.Run("daily-category/rollup", func(b *testing.B) { benchQuery(b, rollups, dailyCategory, SourceRollup) })
	b.Run("daily-category/scan", func(b *testing.B) { benchQuery(b, scans, dailyCategory, SourceScan) })
}

// BenchmarkImport writes the demo data set with and without the rollup
// hook and reports the time per order and the heap in use afterwards.
func BenchmarkImport(b *testing.B) {
	for _, hook := range []bool{false, true} {
		name := "plain"
		if hook {
			name = "hook"
		}
		b.Run(name, func(b *testing.B) {
			var orders int
			var total time.Duration
			for i := 0; i < b.N; i++ {
				opts := storage.DefaultOptions(b.TempDir()).WithLogger(quiet)
				if hook {
					opts = opts.WithTxnHook(rollup.NewTxnHook)
				}
				st, err := storage.Open(opts)
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				stats, err := demo.Generate(context.Background(), demo.DefaultConfig().WithScale(benchScale(b)), st)
				if err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
				orders += stats.Orders
				st.Close()
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(total.Microseconds())/float64(orders), "µs/order")
			b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
		})
	}
}
