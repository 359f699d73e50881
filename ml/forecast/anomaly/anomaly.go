// Package anomaly flags unusual points of a series, either against a
// forecasting model's one-step-ahead prediction intervals or with a robust
// seasonal decomposition and median absolute deviation (or the generalized
// ESD test) that needs no model.
package anomaly

import (
	"context"
	"fmt"
	"math"

	"github.com/shopsight/shopsight/ml/forecast"
)

// Direction is the side of its expected value an anomaly lies on.
type Direction string

// Directions of an anomaly.
const (
	Up   Direction = "UP"
	Down Direction = "DOWN"
)

// Anomaly is one flagged point.
type Anomaly struct {
	Index    int     `json:"index"`
	Value    float64 `json:"value"`
	Expected float64 `json:"expected"`
	// Score is the distance from Expected in units of the method's scale
	// (residual standard deviations, or robust standard deviations
	// 1.4826*MAD); larger is more unusual.
	Score     float64   `json:"score"`
	Direction Direction `json:"direction"`
}

func newAnomaly(i int, value, expected, score float64) Anomaly {
	dir := Up
	if value < expected {
		dir = Down
	}
	return Anomaly{Index: i, Value: value, Expected: expected, Score: score, Direction: dir}
}

// FromResult flags the points of y outside the one-step-ahead prediction
// interval r.Fitted[t] +/- z*r.Sigma of a model fitted to y, such as
// forecast.Z95 for the 95 % interval. Points without a fitted value are
// skipped. It returns an error when r does not match y or z is not positive.
func FromResult(y []float64, r *forecast.Result, z float64) ([]Anomaly, error) {
	if len(r.Fitted) != len(y) {
		return nil, fmt.Errorf("anomaly: result has %d fitted values for %d observations: pass the series the model was fitted to", len(r.Fitted), len(y))
	}
	if !(z > 0) {
		return nil, fmt.Errorf("anomaly: interval width %v is invalid: use a positive normal quantile such as forecast.Z95", z)
	}
	if r.Sigma == 0 {
		return nil, nil
	}
	var out []Anomaly
	for t, v := range y {
		f := r.Fitted[t]
		if math.IsNaN(f) {
			continue
		}
		score := math.Abs(v-f) / r.Sigma
		if score > z {
			out = append(out, newAnomaly(t, v, f, score))
		}
	}
	return out, nil
}

// WithModel fits model to s and flags the points outside its one-step-ahead
// interval of width z, as FromResult does.
func WithModel(ctx context.Context, model forecast.Forecaster, s forecast.Series, z float64) ([]Anomaly, error) {
	r, err := model.Forecast(ctx, s, 1)
	if err != nil {
		return nil, fmt.Errorf("anomaly: fitting %s: %w", model.Name(), err)
	}
	return FromResult(s.Values, r, z)
}
