package decompose

import (
	"math"
	"testing"
)

func seasonalSeries(n int, noise float64) []float64 {
	pattern := []float64{5, -2, -1, 0, 3, -4, -1}
	y := make([]float64, n)
	for t := range y {
		// A deterministic pseudo-noise keeps the test reproducible.
		y[t] = 100 + 0.1*float64(t) + pattern[t%7] + noise*math.Sin(float64(t)*12.9898)
	}
	return y
}

func TestAdditiveRecoversPattern(t *testing.T) {
	for _, robust := range []bool{false, true} {
		parts, err := Additive(seasonalSeries(140, 0), 7, robust)
		if err != nil {
			t.Fatal(err)
		}
		// The pattern sums to 0, so the centred profile equals it.
		want := []float64{5, -2, -1, 0, 3, -4, -1}
		for p, w := range want {
			if math.Abs(parts.Seasonal[70+p]-w) > 0.2 {
				t.Errorf("robust=%v: seasonal[%d] = %v, want %v", robust, p, parts.Seasonal[70+p], w)
			}
		}
	}
}

func TestSeasonalStrength(t *testing.T) {
	if s := SeasonalStrength(seasonalSeries(140, 0.1), 7); s < 0.9 {
		t.Errorf("strength of a clear weekly pattern = %v, want > 0.9", s)
	}
	flat := make([]float64, 140)
	for i := range flat {
		flat[i] = math.Sin(float64(i) * 12.9898)
	}
	if s := SeasonalStrength(flat, 7); s > 0.5 {
		t.Errorf("strength of noise = %v, want < 0.5", s)
	}
}

func TestAdditiveRejectsShortSeries(t *testing.T) {
	if _, err := Additive([]float64{1, 2, 3}, 7, false); err == nil {
		t.Error("Additive accepted 3 values with season 7")
	}
}

func TestAdditiveRobustTwoSeasons(t *testing.T) {
	// Exactly two seasons: the wider trend window must shrink, not panic.
	parts, err := Additive(seasonalSeries(14, 0), 7, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts.Trend) != 14 {
		t.Errorf("len(trend) = %d, want 14", len(parts.Trend))
	}
}
