// Package metrics computes point and interval accuracy measures for
// forecasts: MAE, RMSE, sMAPE, MASE, RMSSE and interval coverage.
//
// Every function takes the actual values and the forecasts for the same
// steps. It returns NaN when the inputs are empty or of different lengths,
// or when a scaled measure has a zero scale (for example a constant
// training series).
package metrics

import "math"

// MAE returns the mean absolute error.
func MAE(actual, forecast []float64) float64 {
	if !sameLength(actual, forecast) {
		return math.NaN()
	}
	var s float64
	for i, a := range actual {
		s += math.Abs(a - forecast[i])
	}
	return s / float64(len(actual))
}

// RMSE returns the root mean squared error.
func RMSE(actual, forecast []float64) float64 {
	if !sameLength(actual, forecast) {
		return math.NaN()
	}
	var s float64
	for i, a := range actual {
		d := a - forecast[i]
		s += d * d
	}
	return math.Sqrt(s / float64(len(actual)))
}

// SMAPE returns the symmetric mean absolute percentage error in percent,
// 200/h * sum |a - f| / (|a| + |f|), with 0 for steps where both are 0
// (the M4 competition definition, except for that convention).
func SMAPE(actual, forecast []float64) float64 {
	if !sameLength(actual, forecast) {
		return math.NaN()
	}
	var s float64
	for i, a := range actual {
		denom := math.Abs(a) + math.Abs(forecast[i])
		if denom == 0 {
			continue
		}
		s += math.Abs(a-forecast[i]) / denom
	}
	return 200 * s / float64(len(actual))
}

// MASE returns the mean absolute scaled error: MAE divided by the in-sample
// MAE of the seasonal naive method with lag season (1 for the naive method)
// on the training series.
func MASE(train, actual, forecast []float64, season int) float64 {
	scale := naiveScale(train, season, false)
	return MAE(actual, forecast) / scale
}

// RMSSE returns the root mean squared scaled error (the M5 competition
// measure): RMSE divided by the in-sample root mean squared error of the
// seasonal naive method with lag season on the training series.
func RMSSE(train, actual, forecast []float64, season int) float64 {
	scale := naiveScale(train, season, true)
	return RMSE(actual, forecast) / scale
}

// Coverage returns the fraction of actual values within [lower, upper].
func Coverage(actual, lower, upper []float64) float64 {
	if !sameLength(actual, lower) || !sameLength(actual, upper) {
		return math.NaN()
	}
	var inside int
	for i, a := range actual {
		if a >= lower[i] && a <= upper[i] {
			inside++
		}
	}
	return float64(inside) / float64(len(actual))
}

// naiveScale returns the mean absolute (or root mean squared) in-sample
// error of the seasonal naive method, falling back to lag 1 when the
// training series is not longer than one season, and NaN when it is 0.
func naiveScale(train []float64, season int, squared bool) float64 {
	lag := max(season, 1)
	if len(train) <= lag {
		lag = 1
	}
	if len(train) <= lag {
		return math.NaN()
	}
	var s float64
	for t := lag; t < len(train); t++ {
		d := train[t] - train[t-lag]
		if squared {
			s += d * d
		} else {
			s += math.Abs(d)
		}
	}
	s /= float64(len(train) - lag)
	if squared {
		s = math.Sqrt(s)
	}
	if s == 0 {
		return math.NaN()
	}
	return s
}

func sameLength(a, b []float64) bool {
	return len(a) > 0 && len(a) == len(b)
}
