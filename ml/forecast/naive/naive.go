// Package naive implements the naive and seasonal naive forecasting methods,
// the baselines every other model must beat.
package naive

import (
	"context"
	"fmt"
	"math"

	"github.com/shopsight/shopsight/ml/forecast"
)

// Seasonal forecasts each step with the value one season earlier. It falls
// back to the naive method (repeat the last value) when the season is <= 1 or
// the series is shorter than one season plus one observation, and to a flat
// forecast with zero-width intervals for a single observation.
type Seasonal struct{}

// Name returns "snaive".
func (Seasonal) Name() string { return "snaive" }

// Forecast fits the method to s and forecasts h steps ahead.
func (Seasonal) Forecast(ctx context.Context, s forecast.Series, h int) (*forecast.Result, error) {
	return fit(s, h, s.Season)
}

// Naive forecasts every step with the last observed value.
type Naive struct{}

// Name returns "naive".
func (Naive) Name() string { return "naive" }

// Forecast fits the method to s and forecasts h steps ahead.
func (Naive) Forecast(ctx context.Context, s forecast.Series, h int) (*forecast.Result, error) {
	return fit(s, h, 1)
}

func fit(s forecast.Series, h, lag int) (*forecast.Result, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := forecast.CheckHorizon(h); err != nil {
		return nil, err
	}
	y := s.Values
	n := len(y)
	if lag <= 1 || n <= lag {
		lag = 1
	}
	name := "SNaive"
	if lag == 1 {
		name = "Naive"
	}
	r := &forecast.Result{
		Model:  fmt.Sprintf("%s[%d]", name, lag),
		Params: map[string]float64{"lag": float64(lag)},
		Fitted: make([]float64, n),
		Mean:   make([]float64, h),
	}
	for t := range y {
		if t < lag {
			r.Fitted[t] = math.NaN()
			continue
		}
		r.Fitted[t] = y[t-lag]
	}
	r.SetResiduals(y, 0)
	r.Params["sigma"] = r.Sigma

	sd := make([]float64, h)
	for i := range h {
		if n == 1 {
			r.Mean[i] = y[0]
			continue
		}
		r.Mean[i] = y[n-lag+i%lag]
		// Each full season ahead adds one more independent error.
		k := float64(i/lag + 1)
		sd[i] = r.Sigma * math.Sqrt(k)
	}
	r.SetIntervals(forecast.CapStdDev(sd, y))
	if s.Count {
		r.ClipCounts()
	}
	return r, nil
}
