package transform

import "fmt"

// Differencer applies regular and seasonal differences and inverts them. The
// zero value applies none.
type Differencer struct {
	// Lags lists the differences in the order they were applied, for example
	// [7, 1] for one seasonal difference at lag 7 then one regular difference.
	Lags []int
	// levels[i] is the series before the i-th difference; Invert needs its
	// last Lags[i] values.
	levels [][]float64
}

// NewDifferencer returns a Differencer that applies D seasonal differences at
// lag season, then d regular differences.
func NewDifferencer(d, seasonalD, season int) *Differencer {
	var lags []int
	for range seasonalD {
		lags = append(lags, season)
	}
	for range d {
		lags = append(lags, 1)
	}
	return &Differencer{Lags: lags}
}

// Apply differences y and remembers the values Invert needs. The result is
// shorter than y by the sum of the lags. It returns an error when y is too
// short.
func (df *Differencer) Apply(y []float64) ([]float64, error) {
	df.levels = df.levels[:0]
	cur := y
	for _, lag := range df.Lags {
		if len(cur) <= lag {
			return nil, fmt.Errorf("transform: cannot difference %d values at lag %d: need more than %d values", len(cur), lag, lag)
		}
		df.levels = append(df.levels, cur)
		cur = Diff(cur, lag)
	}
	return cur, nil
}

// Invert integrates forecasts w of the differenced series back to the scale
// of the series passed to Apply and returns the integrated forecasts.
func (df *Differencer) Invert(w []float64) []float64 {
	out := append([]float64(nil), w...)
	for i := len(df.Lags) - 1; i >= 0; i-- {
		lag := df.Lags[i]
		base := df.levels[i]
		ext := append(append([]float64(nil), base[len(base)-lag:]...), make([]float64, len(out))...)
		for t := range out {
			ext[lag+t] = ext[t] + out[t]
		}
		out = ext[lag:]
	}
	return out
}

// Diff returns y[t] - y[t-lag] for t >= lag.
func Diff(y []float64, lag int) []float64 {
	if len(y) <= lag {
		return nil
	}
	out := make([]float64, len(y)-lag)
	for t := range out {
		out[t] = y[t+lag] - y[t]
	}
	return out
}

// Scaler maps values to (v - Center) / Scale and back, so optimisers work on
// values near unit size whatever the units of the series.
type Scaler struct {
	Center, Scale float64
}

// NewScaler returns a Scaler that centres y on its mean and divides by its
// mean absolute deviation from the mean, or by 1 when y is constant.
func NewScaler(y []float64) Scaler {
	mean, _ := meanStd(y)
	var mad float64
	for _, v := range y {
		mad += abs(v - mean)
	}
	mad /= float64(len(y))
	if mad == 0 {
		mad = 1
	}
	return Scaler{Center: mean, Scale: mad}
}

// Apply returns the scaled copy of y.
func (s Scaler) Apply(y []float64) []float64 {
	out := make([]float64, len(y))
	for i, v := range y {
		out[i] = (v - s.Center) / s.Scale
	}
	return out
}

// Invert maps scaled values back in place and returns them.
func (s Scaler) Invert(z []float64) []float64 {
	for i, v := range z {
		z[i] = v*s.Scale + s.Center
	}
	return z
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
