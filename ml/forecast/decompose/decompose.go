// Package decompose splits a series into trend, seasonal and remainder parts
// by classical additive decomposition, with a robust variant that uses
// running medians, and measures the strength of seasonality.
package decompose

import (
	"fmt"
	"math"
	"slices"
)

// Parts is an additive decomposition: Values = Trend + Seasonal + Remainder.
type Parts struct {
	Trend, Seasonal, Remainder []float64
}

// Additive decomposes y with seasonal period season. The trend is a centred
// moving average of one season (2 x season when season is even); the ends
// repeat the nearest computed trend value. When robust is true, medians
// replace means: a first running median over one season gives a seasonal
// profile, then the trend is the running median over 2 x season + 1 values
// of the deseasonalised series. The seasonal part is the mean (or
// median) of the detrended values at each phase, centred to sum to zero.
// It returns an error when season < 2 or y is shorter than two seasons.
func Additive(y []float64, season int, robust bool) (Parts, error) {
	n := len(y)
	if season < 2 {
		return Parts{}, fmt.Errorf("decompose: season %d is invalid: need at least 2", season)
	}
	if n < 2*season {
		return Parts{}, fmt.Errorf("decompose: %d values are fewer than two seasons of %d", n, season)
	}
	var trend []float64
	if robust {
		trend = runningMedian(y, season|1)
	} else {
		trend = movingAverage(y, season)
	}

	profile := seasonalProfile(y, trend, season, robust)
	if robust {
		// A running median over one season of a seasonal series shifts by a
		// whole order statistic when one value is an outlier, so the trend
		// is re-estimated on the deseasonalised series over a wider window.
		deseasoned := make([]float64, n)
		for t, v := range y {
			deseasoned[t] = v - profile[t%season]
		}
		trend = runningMedian(deseasoned, 2*season+1)
		profile = seasonalProfile(y, trend, season, robust)
	}

	parts := Parts{Trend: trend, Seasonal: make([]float64, n), Remainder: make([]float64, n)}
	for t, v := range y {
		parts.Seasonal[t] = profile[t%season]
		parts.Remainder[t] = v - trend[t] - parts.Seasonal[t]
	}
	return parts, nil
}

// SeasonalStrength returns max(0, 1 - var(remainder) / var(seasonal +
// remainder)), the measure of Wang, Smith and Hyndman (2006). Values above
// about 0.64 suggest a seasonal difference. It returns 0 when the
// decomposition fails.
func SeasonalStrength(y []float64, season int) float64 {
	parts, err := Additive(y, season, false)
	if err != nil {
		return 0
	}
	sr := make([]float64, len(y))
	for i := range sr {
		sr[i] = parts.Seasonal[i] + parts.Remainder[i]
	}
	vsr := variance(sr)
	if vsr == 0 {
		return 0
	}
	return math.Max(0, 1-variance(parts.Remainder)/vsr)
}

// seasonalProfile returns the mean (or median) of y - trend at each phase,
// centred to sum to zero.
func seasonalProfile(y, trend []float64, season int, robust bool) []float64 {
	phases := make([][]float64, season)
	for t, v := range y {
		phases[t%season] = append(phases[t%season], v-trend[t])
	}
	profile := make([]float64, season)
	for p, xs := range phases {
		if robust {
			profile[p] = Median(xs)
		} else {
			profile[p] = mean(xs)
		}
	}
	center := mean(profile)
	for p := range profile {
		profile[p] -= center
	}
	return profile
}

// movingAverage returns the centred moving average of order season (a 2 x
// season average for even season), padding the ends with the nearest value.
func movingAverage(y []float64, season int) []float64 {
	n := len(y)
	out := make([]float64, n)
	half := season / 2
	first, last := -1, -1
	for t := half; t < n-half; t++ {
		var s float64
		if season%2 == 1 {
			for _, v := range y[t-half : t+half+1] {
				s += v
			}
			s /= float64(season)
		} else {
			for _, v := range y[t-half+1 : t+half] {
				s += v
			}
			s += 0.5 * (y[t-half] + y[t+half])
			s /= float64(season)
		}
		out[t] = s
		if first < 0 {
			first = t
		}
		last = t
	}
	fillEnds(out, first, last)
	return out
}

// runningMedian returns the centred running median of an odd window,
// shrunk to the largest odd width <= len(y) for short series.
func runningMedian(y []float64, window int) []float64 {
	n := len(y)
	if window > n {
		window = n - (1 - n%2)
	}
	out := make([]float64, n)
	half := window / 2
	first, last := -1, -1
	buf := make([]float64, window)
	for t := half; t < n-half; t++ {
		copy(buf, y[t-half:t+half+1])
		out[t] = Median(buf)
		if first < 0 {
			first = t
		}
		last = t
	}
	fillEnds(out, first, last)
	return out
}

func fillEnds(out []float64, first, last int) {
	for t := 0; t < first; t++ {
		out[t] = out[first]
	}
	for t := last + 1; t < len(out); t++ {
		out[t] = out[last]
	}
}

// Median returns the median of x, reordering x. It returns NaN for an empty
// slice.
func Median(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	slices.Sort(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func variance(x []float64) float64 {
	m := mean(x)
	var s float64
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return s / float64(len(x))
}
