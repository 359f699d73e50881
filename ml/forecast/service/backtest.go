package service

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/metrics"
)

// NullableFloat is a float that encodes NaN and infinities as JSON null
// and decodes null as NaN.
type NullableFloat float64

// MarshalJSON encodes f, or null when f is not finite.
func (f NullableFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

// UnmarshalJSON decodes a number, or null as NaN.
func (f *NullableFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = NullableFloat(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("decode float: %w", err)
	}
	*f = NullableFloat(v)
	return nil
}

// backtest scores m at up to origins rolling origins of h steps (see the
// package documentation). It returns nil when the series is too short for
// one origin or origins is 0.
func backtest(ctx context.Context, m forecast.Forecaster, s forecast.Series, h, origins int) (*Backtest, error) {
	n := len(s.Values)
	minTrain := max(8, 2*s.Season)
	origins = min(origins, (n-minTrain)/h)
	if origins < 1 {
		return nil, nil
	}
	var absSum, sqSum, smapeSum, maseSum float64
	var points, maseCount int
	for k := origins; k >= 1; k-- {
		cut := n - k*h
		train := forecast.Series{Values: s.Values[:cut], Season: s.Season, Count: s.Count}
		actual := s.Values[cut : cut+h]
		r, err := m.Forecast(ctx, train, h)
		if err != nil {
			return nil, fmt.Errorf("origin %d of %d: %w", origins-k+1, origins, err)
		}
		for i, a := range actual {
			e := a - r.Mean[i]
			absSum += math.Abs(e)
			sqSum += e * e
			points++
		}
		smapeSum += metrics.SMAPE(actual, r.Mean)
		if v := metrics.MASE(train.Values, actual, r.Mean, s.Season); !math.IsNaN(v) && !math.IsInf(v, 0) {
			maseSum += v
			maseCount++
		}
	}
	bt := &Backtest{
		Origins: origins,
		MAE:     absSum / float64(points),
		RMSE:    math.Sqrt(sqSum / float64(points)),
		SMAPE:   smapeSum / float64(origins),
		MASE:    NullableFloat(math.NaN()),
	}
	if maseCount > 0 {
		bt.MASE = NullableFloat(maseSum / float64(maseCount))
	}
	return bt, nil
}
