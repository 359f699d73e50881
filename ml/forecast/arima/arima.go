package arima

import (
	"context"
	"fmt"
	"math"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/anomaly"
	"github.com/shopsight/shopsight/ml/forecast/naive"
	"github.com/shopsight/shopsight/ml/forecast/transform"
)

// Options configures a Model.
type Options struct {
	// BoxCox applies a Box-Cox transform with lambda from Guerrero's method
	// when every value is positive. Forecasts are transformed back, so the
	// point forecast is then the forecast median.
	BoxCox bool
	// Order, when set, skips the search and fits this order (its Season is
	// replaced by the series' season).
	Order *Order
	// MaxEvalsPerParam bounds the optimiser's CSS evaluations per
	// coefficient.
	MaxEvalsPerParam int
	// CleanOutliers replaces gross outliers (anomaly.Clean) before fitting.
	// Residuals are still reported against the original values.
	CleanOutliers bool
}

// DefaultOptions returns options for an automatic search without Box-Cox on
// an outlier-cleaned series.
func DefaultOptions() Options {
	return Options{MaxEvalsPerParam: 100, CleanOutliers: true}
}

// WithCleanOutliers returns a copy of o with outlier cleaning on or off.
func (o Options) WithCleanOutliers(enabled bool) Options {
	o.CleanOutliers = enabled
	return o
}

// WithBoxCox returns a copy of o with the Box-Cox transform enabled or not.
func (o Options) WithBoxCox(enabled bool) Options {
	o.BoxCox = enabled
	return o
}

// WithOrder returns a copy of o that fits order instead of searching.
func (o Options) WithOrder(order Order) Options {
	o.Order = &order
	return o
}

// WithMaxEvalsPerParam returns a copy of o with the optimiser budget set.
func (o Options) WithMaxEvalsPerParam(n int) Options {
	o.MaxEvalsPerParam = n
	return o
}

// Model is an automatically ordered seasonal ARIMA model. It implements
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

// Name returns "arima", or "arima-boxcox" when the Box-Cox transform is on.
func (m *Model) Name() string {
	if m.opts.BoxCox {
		return "arima-boxcox"
	}
	return "arima"
}

// Forecast selects the order, fits it by CSS and forecasts h steps ahead
// with intervals from the psi-weights of the integrated model. A constant
// series gets a flat forecast with zero-width intervals. A series too short
// for any order (fewer than about 4 values) gets the naive method.
func (m *Model) Forecast(ctx context.Context, s forecast.Series, h int) (*forecast.Result, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := forecast.CheckHorizon(h); err != nil {
		return nil, err
	}
	if constant(s.Values) {
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

	lambda := math.NaN()
	work := y
	if m.opts.BoxCox {
		if l, err := transform.GuerreroLambda(y, season); err == nil {
			lambda = l
			work, _ = transform.BoxCox(y, lambda)
		}
	}
	scaler := transform.NewScaler(work)
	scaler.Center = 0 // keep the level: a mean or drift is a model term
	z := scaler.Apply(work)

	fit, diff, err := m.fit(ctx, z, season)
	if err != nil {
		return nil, err
	}
	if fit == nil {
		return naive.Naive{}.Forecast(ctx, s, h)
	}
	r := fit.result(z, diff, h)

	// Back to the input scale: undo scaling, then Box-Cox.
	for _, xs := range [][]float64{r.Mean, r.Lower80, r.Upper80, r.Lower95, r.Upper95, r.Fitted} {
		scaler.Invert(xs)
		if !math.IsNaN(lambda) {
			transform.InvBoxCox(xs, lambda)
		}
	}
	if !math.IsNaN(lambda) {
		r.Params["lambda"] = lambda
	}
	// sigma2 is on the (Box-Cox transformed) input scale.
	r.Params["sigma2"] = fit.sigma2 * scaler.Scale * scaler.Scale
	if fit.order.Constant {
		r.Params["constant"] = fit.mean * scaler.Scale
	}
	// Sigma describes the values the model saw; residuals show the
	// original values, outliers included.
	r.SetResiduals(y, 0)
	for t, v := range s.Values {
		r.Residuals[t] = v - r.Fitted[t]
	}
	r.Params["outliers_replaced"] = float64(replaced)
	if s.Count {
		r.ClipCounts()
	}
	return r, nil
}

// fit estimates the fixed order of the options, or searches for one, on the
// scaled series z. A nil estimate means no order could be fitted.
func (m *Model) fit(ctx context.Context, z []float64, season int) (*estimate, *transform.Differencer, error) {
	if m.opts.Order == nil {
		return m.search(ctx, z, season)
	}
	order := *m.opts.Order
	order.Season = season
	diff := transform.NewDifferencer(order.D, order.SeasonalD, season)
	w, err := diff.Apply(z)
	if err != nil {
		return nil, nil, fmt.Errorf("arima: %s on %d values: %w", order, len(z), err)
	}
	fit, _ := fitCSS(w, order, m.opts.MaxEvalsPerParam)
	return fit, diff, nil
}

// search picks D and d, differences z and runs the stepwise search. When the
// differenced series is too short it retries with fewer differences.
func (m *Model) search(ctx context.Context, z []float64, season int) (*estimate, *transform.Differencer, error) {
	seasonalD := NSDiffs(z, season)
	afterSeasonal := z
	if seasonalD > 0 {
		afterSeasonal = transform.Diff(z, season)
	}
	d := NDiffs(afterSeasonal, 2)
	for {
		diff := transform.NewDifferencer(d, seasonalD, season)
		w, err := diff.Apply(z)
		if err == nil && len(w) >= 3 {
			fit, err := stepwise(ctx, w, d, seasonalD, season, m.opts.MaxEvalsPerParam)
			if err != nil {
				return nil, nil, err
			}
			if fit != nil {
				return fit, diff, nil
			}
		}
		switch {
		case seasonalD > 0:
			seasonalD = 0
		case d > 0:
			d--
		default:
			return nil, nil, nil
		}
	}
}

// Specialize returns a Model that fits only the order of r, or false when r
// is not an ARIMA result (for example the naive fallback).
func (m *Model) Specialize(r *forecast.Result) (forecast.Forecaster, bool) {
	order, err := ParseOrder(r.Model)
	if err != nil {
		return nil, false
	}
	return New(m.opts.WithOrder(order)), true
}
