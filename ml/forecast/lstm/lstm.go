// Package lstm forecasts with a small LSTM network built and trained with
// Gorgonia.
//
// Each series is differenced (by default once at its seasonal lag) and
// scaled with package transform. The network reads a window of the
// transformed values, runs one LSTM layer over it and predicts the next
// value with a dense head. It is trained with Adam and decoupled weight
// decay (AdamW) on shuffled mini-batches of windows, and stops early when
// the loss on the most recent 10 % of each series' windows stops falling.
// The seed fixes the weight initialisation, the shuffling and the
// simulated paths, so the same seed and data give the same forecast.
//
// Multi-step forecasts are recursive: each one-step prediction is fed back
// as the newest input, so one trained network serves every horizon.
// Prediction intervals come from simulated paths. Each path repeats the
// recursion and adds, at every step, a one-step residual of the validation
// windows drawn with replacement. The 80 % and 95 % bounds are empirical
// quantiles of the paths after the scaling and differencing are inverted.
// The point forecast is the path without added residuals.
//
// New returns a forecast.Forecaster that trains on the one series it
// forecasts. TrainGlobal trains one network on several related series, each
// with its own differencing and scaling, and forecasts each of them.
//
// Constant series get a flat forecast with zero-width intervals. Series
// with too few values to train on get the seasonal naive forecast with
// Params["fallback_snaive"] = 1.
package lstm

import (
	"context"
	"fmt"

	"github.com/shopsight/shopsight/ml/forecast"
)

// Model trains an LSTM on the series it is asked to forecast. It
// implements forecast.Forecaster.
type Model struct {
	opts Options
}

// New returns a Model with the given options. Invalid options make
// Forecast return an error.
func New(opts Options) *Model {
	return &Model{opts: opts}
}

// Name returns "lstm".
func (*Model) Name() string { return "lstm" }

// Forecast trains a network on s and forecasts h steps ahead. It falls back
// to seasonal naive when s is shorter than its differencing lags plus the
// window plus max(h, 20) values.
func (m *Model) Forecast(ctx context.Context, s forecast.Series, h int) (*forecast.Result, error) {
	if err := m.opts.validate(); err != nil {
		return nil, err
	}
	if err := forecast.CheckHorizon(h); err != nil {
		return nil, err
	}
	p, err := prepare(s, m.opts)
	if err != nil {
		return nil, err
	}
	preps := []*prepared{p}
	if p.constant || tooShort(p, h, m.opts.Window) {
		return forecastSeries(ctx, preps, 0, nil, trainStats{}, h, m.opts)
	}
	w, stats, err := train(ctx, preps, m.opts)
	if err != nil {
		return nil, err
	}
	return forecastSeries(ctx, preps, 0, w, stats, h, m.opts)
}

// Global is one network trained on several related series.
type Global struct {
	opts  Options
	preps []*prepared
	// w is nil when no series was long enough to train on.
	w     *weights
	stats trainStats
}

// TrainGlobal trains one network on the windows of all series. Each series
// keeps its own differencing and scaling, so series of different sizes
// share the network. Series too short to train on are left out of training
// and get the seasonal naive forecast.
func TrainGlobal(ctx context.Context, series []forecast.Series, opts Options) (*Global, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("lstm: no series to train on: pass at least one")
	}
	g := &Global{opts: opts}
	trainable := false
	for i, s := range series {
		p, err := prepare(s, opts)
		if err != nil {
			return nil, fmt.Errorf("lstm: series %d: %w", i, err)
		}
		g.preps = append(g.preps, p)
		trainable = trainable || p.windows(opts.Window) >= minWindows
	}
	if !trainable {
		return g, nil
	}
	w, stats, err := train(ctx, g.preps, opts)
	if err != nil {
		return nil, err
	}
	g.w, g.stats = w, stats
	return g, nil
}

// Len returns the number of series g was trained with.
func (g *Global) Len() int { return len(g.preps) }

// Forecast forecasts series i (in the order passed to TrainGlobal) h steps
// ahead.
func (g *Global) Forecast(ctx context.Context, i, h int) (*forecast.Result, error) {
	if i < 0 || i >= len(g.preps) {
		return nil, fmt.Errorf("lstm: series index %d is out of range: the model has %d series", i, len(g.preps))
	}
	if err := forecast.CheckHorizon(h); err != nil {
		return nil, err
	}
	return forecastSeries(ctx, g.preps, i, g.w, g.stats, h, g.opts)
}
