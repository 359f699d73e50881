// Package forecast defines the types shared by ShopSight's forecasting
// models. Series is the input, Forecaster is the interface every model
// implements, and Result is what a model returns: point forecasts, 80 % and
// 95 % prediction intervals, fitted parameters and in-sample one-step-ahead
// fitted values.
//
// Models live in sub-packages (naive, ets, arima, auto). A new model, for
// example an LSTM built with Gorgonia, only has to implement Forecaster:
// anomaly.WithModel and auto.Options.WithCandidates take any Forecaster, and
// a case in auto.ByName makes it available to the evaluation harness by name.
package forecast

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Standard normal quantiles for two-sided 80 % and 95 % prediction intervals.
const (
	Z80 = 1.2815515655446004
	Z95 = 1.959963984540054
)

// ErrEmptySeries is returned when a series has no observations.
var ErrEmptySeries = errors.New("forecast: series is empty")

// Series is one univariate time series at a regular frequency.
type Series struct {
	// Values are the observations in time order. They must be finite.
	Values []float64
	// Season is the number of observations per seasonal cycle (7 for daily
	// data with a weekly pattern). Values <= 1 mean no seasonality.
	Season int
	// Count marks a series of counts: forecasts and interval bounds are
	// clipped at 0.
	Count bool
}

// Validate returns an error when the series is empty or contains NaN or
// infinite values.
func (s Series) Validate() error {
	if len(s.Values) == 0 {
		return ErrEmptySeries
	}
	for i, v := range s.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("forecast: value %v at index %d is not finite: remove or impute it before forecasting", v, i)
		}
	}
	return nil
}

// Forecaster is a forecasting method. Forecast fits the method to s and
// forecasts h steps ahead. Implementations validate s, return an error for
// h < 1, and return a forecast for short or degenerate series instead of
// panicking (the edge-case tests of package auto check every built-in model).
type Forecaster interface {
	// Name is the short identifier of the method, such as "ets" or "arima".
	Name() string
	Forecast(ctx context.Context, s Series, h int) (*Result, error)
}

// Specializer is implemented by models that choose a form per series (ETS
// components, ARIMA orders). Specialize returns a Forecaster that fits only
// the form r was fitted with, so repeated fits such as backtests skip the
// search. It returns false when r did not come from such a choice.
type Specializer interface {
	Specialize(r *Result) (Forecaster, bool)
}

// Result is a fitted model and its forecasts. All slices of forecasts have
// length h; Fitted and Residuals have the length of the input series.
type Result struct {
	// Model names the fitted form, for example "ETS(A,Ad,A)" or
	// "ARIMA(1,1,1)(0,1,1)[7]".
	Model string `json:"model"`
	// Params holds the fitted parameters by name; every value encodes to JSON.
	Params map[string]float64 `json:"params"`
	// AICc is the corrected Akaike information criterion of the fit, or 0
	// when the method has no likelihood.
	AICc float64 `json:"aicc"`
	// Sigma is the standard deviation of the one-step-ahead residuals on the
	// scale of the input series.
	Sigma float64 `json:"sigma"`

	Mean    []float64 `json:"mean"`
	Lower80 []float64 `json:"lower80"`
	Upper80 []float64 `json:"upper80"`
	Lower95 []float64 `json:"lower95"`
	Upper95 []float64 `json:"upper95"`

	// Fitted holds the in-sample one-step-ahead forecasts. Entries are NaN
	// where the model has no forecast (the first observations that an ARIMA
	// or seasonal naive model conditions on), so encode with care.
	Fitted []float64 `json:"-"`
	// Residuals are Values minus Fitted, NaN where Fitted is NaN.
	Residuals []float64 `json:"-"`
}

// CheckHorizon returns an error for a horizon below 1.
func CheckHorizon(h int) error {
	if h < 1 {
		return fmt.Errorf("forecast: horizon %d is invalid: request at least 1 step", h)
	}
	return nil
}

// SetIntervals fills the 80 % and 95 % bounds of r from r.Mean and the
// forecast standard deviations sd (one per step), assuming normal errors.
func (r *Result) SetIntervals(sd []float64) {
	h := len(r.Mean)
	r.Lower80 = make([]float64, h)
	r.Upper80 = make([]float64, h)
	r.Lower95 = make([]float64, h)
	r.Upper95 = make([]float64, h)
	for i, m := range r.Mean {
		r.Lower80[i] = m - Z80*sd[i]
		r.Upper80[i] = m + Z80*sd[i]
		r.Lower95[i] = m - Z95*sd[i]
		r.Upper95[i] = m + Z95*sd[i]
	}
}

// ClipCounts sets every negative forecast and interval bound of r to 0. Models
// call it when the input series is a count series.
func (r *Result) ClipCounts() {
	for _, xs := range [][]float64{r.Mean, r.Lower80, r.Upper80, r.Lower95, r.Upper95} {
		for i, v := range xs {
			if v < 0 {
				xs[i] = 0
			}
		}
	}
}

// SetResiduals fills r.Residuals as y minus r.Fitted and sets r.Sigma to the
// root mean square of the finite residuals, ignoring the first skip of them
// (the observations a model uses only to start its recursion).
func (r *Result) SetResiduals(y []float64, skip int) {
	r.Residuals = make([]float64, len(y))
	var sum float64
	var n int
	for i, v := range y {
		r.Residuals[i] = v - r.Fitted[i]
		if i < skip || math.IsNaN(r.Residuals[i]) {
			continue
		}
		sum += r.Residuals[i] * r.Residuals[i]
		n++
	}
	if n > 0 {
		r.Sigma = math.Sqrt(sum / float64(n))
	}
}

// CapStdDev limits each forecast standard deviation so that a wide-open or
// unstable model cannot produce intervals far beyond the data: sd is capped
// at 10 times the range of y plus its mean absolute value. It returns sd.
func CapStdDev(sd, y []float64) []float64 {
	lo, hi := y[0], y[0]
	var absSum float64
	for _, v := range y {
		lo = math.Min(lo, v)
		hi = math.Max(hi, v)
		absSum += math.Abs(v)
	}
	limit := 10 * (hi - lo + absSum/float64(len(y)))
	for i, v := range sd {
		if math.IsNaN(v) || v > limit {
			sd[i] = limit
		}
	}
	return sd
}
