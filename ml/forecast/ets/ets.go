package ets

import (
	"context"
	"fmt"
	"math"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/anomaly"
	"github.com/shopsight/shopsight/ml/forecast/naive"
)

// Options configures a Model.
type Options struct {
	// Specs restricts the candidate forms; nil means AllSpecs.
	Specs []Spec
	// MaxEvalsPerParam bounds the optimiser's likelihood evaluations per
	// estimated parameter.
	MaxEvalsPerParam int
	// CleanOutliers replaces gross outliers (anomaly.Clean) before fitting.
	// Residuals are still reported against the original values.
	CleanOutliers bool
}

// DefaultOptions returns options that try all 15 forms on an outlier-cleaned
// series.
func DefaultOptions() Options {
	return Options{MaxEvalsPerParam: 150, CleanOutliers: true}
}

// WithCleanOutliers returns a copy of o with outlier cleaning on or off.
func (o Options) WithCleanOutliers(enabled bool) Options {
	o.CleanOutliers = enabled
	return o
}

// WithSpecs returns a copy of o that only tries the given forms.
func (o Options) WithSpecs(specs ...Spec) Options {
	o.Specs = specs
	return o
}

// WithMaxEvalsPerParam returns a copy of o with the optimiser budget set.
func (o Options) WithMaxEvalsPerParam(n int) Options {
	o.MaxEvalsPerParam = n
	return o
}

// Model selects and fits an ETS form by AICc. It implements
// forecast.Forecaster.
type Model struct {
	opts Options
}

// New returns a Model with the given options.
func New(opts Options) *Model {
	if opts.MaxEvalsPerParam <= 0 {
		opts.MaxEvalsPerParam = DefaultOptions().MaxEvalsPerParam
	}
	return &Model{opts: opts}
}

// Name returns "ets".
func (*Model) Name() string { return "ets" }

// Forecast fits every admissible candidate form to s, keeps the one with the
// lowest AICc and forecasts h steps ahead. Multiplicative forms are skipped
// when any value is <= 0, seasonal forms when the series is shorter than
// three seasons, and every form needs more observations than parameters
// plus one. When no form can be fitted (for example a single observation),
// the result comes from the naive method. A constant series gets a flat
// forecast with zero-width intervals.
func (m *Model) Forecast(ctx context.Context, s forecast.Series, h int) (*forecast.Result, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := forecast.CheckHorizon(h); err != nil {
		return nil, err
	}
	if isConstant(s.Values) {
		return constantResult(s, h), nil
	}
	season := max(s.Season, 1)
	y := s.Values
	replaced := 0
	if m.opts.CleanOutliers {
		var outliers []anomaly.Anomaly
		y, outliers = anomaly.Clean(s.Values, season)
		replaced = len(outliers)
	}

	// Positivity is judged on the original values: a cleaned-away zero
	// still signals that the series can reach zero.
	positive := true
	for _, v := range s.Values {
		if v <= 0 {
			positive = false
		}
	}

	// Scale by the mean absolute value so the likelihood and the initial
	// states are of unit size. Dividing by a positive number keeps
	// multiplicative forms valid.
	var scale float64
	for _, v := range y {
		scale += math.Abs(v)
	}
	scale /= float64(len(y))
	if scale == 0 {
		scale = 1
	}
	z := make([]float64, len(y))
	for i, v := range y {
		z[i] = v / scale
	}

	var best *fitted
	for _, spec := range m.candidates(positive, season) {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("ets: fitting %s: %w", spec, err)
		}
		f, ok := fitSpec(z, season, spec, m.opts.MaxEvalsPerParam)
		if !ok {
			continue
		}
		if best == nil || f.aicc < best.aicc {
			best = f
		}
	}
	if best == nil {
		return naive.Naive{}.Forecast(ctx, s, h)
	}
	r := best.result(s, y, h, scale)
	r.Params["outliers_replaced"] = float64(replaced)
	return r, nil
}

func (m *Model) candidates(positive bool, season int) []Spec {
	specs := m.opts.Specs
	if specs == nil {
		specs = AllSpecs()
	}
	var out []Spec
	for _, spec := range specs {
		if !positive && (spec.Error == Multiplicative || spec.Season == Multiplicative) {
			continue
		}
		if season <= 1 && spec.hasSeason() {
			continue
		}
		out = append(out, spec)
	}
	return out
}

// result builds the forecast.Result of f, fitted to y (s.Values after
// outlier cleaning), on the original scale.
func (f *fitted) result(s forecast.Series, y []float64, h int, scale float64) *forecast.Result {
	r := &forecast.Result{
		Model: f.spec.String(),
		Params: map[string]float64{
			"alpha": f.alpha,
			"l0":    f.l0 * scale,
		},
		AICc:   f.aicc,
		Fitted: make([]float64, len(y)),
		Mean:   make([]float64, h),
	}
	if f.spec.hasTrend() {
		r.Params["beta"] = f.beta
		r.Params["b0"] = f.b0 * scale
	}
	if f.spec.hasSeason() {
		r.Params["gamma"] = f.gamma
	}
	if f.spec.Trend == Damped {
		r.Params["phi"] = f.phi
	}
	for t, v := range f.oneStep {
		r.Fitted[t] = v * scale
	}
	// Sigma describes the values the model saw; residuals show the
	// original values, outliers included.
	r.SetResiduals(y, 0)
	for t, v := range s.Values {
		r.Residuals[t] = v - r.Fitted[t]
	}

	// Point forecasts: run the state equations forward with zero errors.
	n := len(y)
	cumPhi := 0.0
	phiPow := 1.0
	for j := range h {
		phiPow *= f.phi
		cumPhi += phiPow
		yhat := f.level + cumPhi*f.trend
		switch f.spec.Season {
		case Additive:
			yhat += f.seasons[(n+j)%f.m]
		case Multiplicative:
			yhat *= f.seasons[(n+j)%f.m]
		}
		r.Mean[j] = yhat * scale
	}

	sd := f.forecastStdDev(r.Mean, scale)
	sigma := math.Sqrt(f.sigma2)
	// sigma is the innovation standard deviation: in the series' units for
	// additive error, relative to the forecast for multiplicative error.
	r.Params["sigma"] = sigma
	if f.spec.Error == Additive {
		r.Params["sigma"] = sigma * scale
	}
	r.SetIntervals(forecast.CapStdDev(sd, y))
	if s.Count {
		r.ClipCounts()
	}
	return r
}

// forecastStdDev returns the standard deviation of each forecast in mean.
//
// For the linear (additive error) ETS forms the variance is
// v_j = sigma^2 * (1 + sum_{i<j} c_i^2), c_i = alpha + beta*phi_i +
// gamma*[i mod m == 0], where phi_i = phi + ... + phi^i.
// NOTE: for multiplicative error the same factor scales the relative error
// (sd = |mean| * sigma * sqrt(...)), an approximation that leaves out the
// higher-order terms of the exact variance.
func (f *fitted) forecastStdDev(mean []float64, scale float64) []float64 {
	sd := make([]float64, len(mean))
	sum := 1.0
	cumPhi, phiPow := 0.0, 1.0
	sigma := math.Sqrt(f.sigma2)
	for j := range mean {
		sd[j] = sigma * math.Sqrt(sum)
		if f.spec.Error == Multiplicative {
			sd[j] *= math.Abs(mean[j])
		} else {
			sd[j] *= scale
		}
		phiPow *= f.phi
		cumPhi += phiPow
		c := f.alpha + f.beta*cumPhi
		if f.spec.hasSeason() && (j+1)%f.m == 0 {
			c += f.gamma
		}
		sum += c * c
	}
	return sd
}

func isConstant(y []float64) bool {
	for _, v := range y {
		if v != y[0] {
			return false
		}
	}
	return true
}

// constantResult returns ETS(A,N,N) with alpha 0 for a constant series: the
// forecast repeats the value and the intervals have zero width.
func constantResult(s forecast.Series, h int) *forecast.Result {
	y := s.Values
	r := &forecast.Result{
		Model:  Spec{Additive, None, None}.String(),
		Params: map[string]float64{"alpha": 0, "l0": y[0], "sigma": 0},
		Fitted: make([]float64, len(y)),
		Mean:   make([]float64, h),
	}
	for t := range r.Fitted {
		r.Fitted[t] = y[0]
	}
	for j := range r.Mean {
		r.Mean[j] = y[0]
	}
	r.SetResiduals(y, 0)
	r.SetIntervals(make([]float64, h))
	if s.Count {
		r.ClipCounts()
	}
	return r
}

// Specialize returns a Model that fits only the form of r, or false when r
// is not an ETS result (for example the naive fallback).
func (m *Model) Specialize(r *forecast.Result) (forecast.Forecaster, bool) {
	spec, err := ParseSpec(r.Model)
	if err != nil {
		return nil, false
	}
	return New(m.opts.WithSpecs(spec)), true
}
