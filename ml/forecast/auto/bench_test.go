package auto

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shopsight/shopsight/ml/forecast"
)

// dailySeries returns n days of positive sales-like data: a slow trend, a
// weekly pattern and Poisson-like noise from a fixed seed.
func dailySeries(n int) []float64 {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	weekly := []float64{1.3, 0.9, 0.8, 0.85, 0.95, 1.1, 1.2}
	y := make([]float64, n)
	for t := range y {
		mean := (40 + 0.01*float64(t)) * weekly[t%7]
		y[t] = math.Max(0, math.Round(mean+math.Sqrt(mean)*rng.NormFloat64()))
	}
	return y
}

// BenchmarkForecast measures one fit and 28-step forecast per operation, so
// sec/op is seconds per series, for each model and series length.
func BenchmarkForecast(b *testing.B) {
	for _, name := range Names() {
		for _, n := range []int{100, 1000, 2000} {
			b.Run(fmt.Sprintf("%s/n=%d", name, n), func(b *testing.B) {
				model, err := ByName(name)
				if err != nil {
					b.Fatal(err)
				}
				s := forecast.Series{Values: dailySeries(n), Season: 7, Count: true}
				for b.Loop() {
					if _, err := model.Forecast(context.Background(), s, 28); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
