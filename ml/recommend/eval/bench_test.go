package eval

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopsight/shopsight/internal/shareddata"
	"github.com/shopsight/shopsight/ml/recommend"
)

// movieLensPrefix returns the first n rows of MovieLens-100K u.data, whose
// rows are in no particular user or time order.
func movieLensPrefix(b *testing.B, n int) *recommend.Dataset {
	b.Helper()
	dir := shareddata.Dir(b, "data/movielens-100k")
	data, err := ReadFile(filepath.Join(dir, "u.data"), FormatMovieLens)
	if err != nil {
		b.Fatal(err)
	}
	ds, err := recommend.NewDataset(data[:min(n, len(data))], recommend.DefaultWeightOptions())
	if err != nil {
		b.Fatal(err)
	}
	return ds
}

func BenchmarkTrainALS(b *testing.B) {
	for _, n := range []int{10_000, 50_000, 100_000} {
		b.Run(fmt.Sprintf("interactions=%d", n), func(b *testing.B) {
			ds := movieLensPrefix(b, n)
			b.ReportAllocs()
			var model *recommend.ALS
			for b.Loop() {
				var err error
				if model, err = recommend.TrainALS(context.Background(), ds, recommend.DefaultALSOptions()); err != nil {
					b.Fatal(err)
				}
			}
			data, _ := model.MarshalBinary()
			b.ReportMetric(float64(len(data)), "model-B")
		})
	}
}

func BenchmarkTrainBPR(b *testing.B) {
	for _, n := range []int{10_000, 50_000, 100_000} {
		b.Run(fmt.Sprintf("interactions=%d", n), func(b *testing.B) {
			ds := movieLensPrefix(b, n)
			b.ReportAllocs()
			var model *recommend.BPR
			for b.Loop() {
				var err error
				if model, err = recommend.TrainBPR(context.Background(), ds, recommend.DefaultBPROptions()); err != nil {
					b.Fatal(err)
				}
			}
			data, _ := model.MarshalBinary()
			b.ReportMetric(float64(len(data)), "model-B")
		})
	}
}

// BenchmarkEvaluate runs the full evaluation with default options on both
// data sets and reports every model's metrics, for example
// "als-nDCG@10". Run it with -benchtime=1x.
func BenchmarkEvaluate(b *testing.B) {
	cases := []struct {
		name, dir, file string
		format          Format
		split           Split
	}{
		{"movielens-100k/random:0.75", "data/movielens-100k", "u.data", FormatMovieLens, Split{Kind: SplitRandom, Fraction: 0.75, Seed: 42}},
		{"taobao-head/time:0.8", "data/taobao-userbehavior", "UserBehavior_head_before_2017-12-03.csv", FormatTaobao, Split{Kind: SplitTime, Fraction: 0.8}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			data, err := ReadFile(filepath.Join(shareddata.Dir(b, c.dir), c.file), c.format)
			if err != nil {
				b.Fatal(err)
			}
			var table *Table
			for b.Loop() {
				if table, err = EvaluateSplit(context.Background(), data, c.split, DefaultOptions()); err != nil {
					b.Fatal(err)
				}
			}
			var sb strings.Builder
			table.WriteText(&sb)
			b.Logf("%s:\n%s", c.name, sb.String())
			for _, r := range table.Rows {
				b.ReportMetric(r.NDCG, r.Model+"-nDCG@10")
				b.ReportMetric(r.HitRate, r.Model+"-HR@10")
			}
		})
	}
}
