package lstm

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/naive"
)

// minIntervalResiduals is the fewest validation residuals the simulated
// paths resample. With fewer, they resample the in-sample residuals of all
// windows, which are narrower because the network was fitted to them.
const minIntervalResiduals = 20

// forecastSeries forecasts series index of preps h steps ahead with the
// trained weights w, or returns the constant or fallback forecast when
// the series is constant or too short.
func forecastSeries(ctx context.Context, preps []*prepared, index int, w *weights, stats trainStats, h int, opts Options) (*forecast.Result, error) {
	p := preps[index]
	if p.constant {
		return constantResult(p.series, h), nil
	}
	if w == nil || tooShort(p, h, opts.Window) {
		return fallbackResult(ctx, p, h, opts.Window)
	}

	r := &forecast.Result{
		Model:  fmt.Sprintf("LSTM(hidden=%d,window=%d,diff=%v)", opts.Hidden, opts.Window, p.diff.Lags),
		Params: paramsOf(opts, stats),
	}
	residuals, err := fitInSample(r, p, w, opts.Window)
	if err != nil {
		return nil, err
	}
	r.Params["interval_residuals"] = float64(len(residuals))

	rng := rand.New(rand.NewPCG(opts.Seed, uint64(index)+1))
	paths, err := simulate(ctx, p, w, residuals, h, opts, rng)
	if err != nil {
		return nil, err
	}
	setPathIntervals(r, paths, p.series.Values)
	if p.series.Count {
		r.ClipCounts()
	}
	return r, nil
}

// tooShort reports whether p lacks minWindows training windows or is
// shorter than its differencing lags plus window plus horizon.
func tooShort(p *prepared, h, window int) bool {
	return p.short || len(p.series.Values)-p.offset < window+h
}

func paramsOf(opts Options, stats trainStats) map[string]float64 {
	return map[string]float64{
		"hidden":        float64(opts.Hidden),
		"window":        float64(opts.Window),
		"learning_rate": opts.LearningRate,
		"weight_decay":  opts.WeightDecay,
		"batch_size":    float64(opts.BatchSize),
		"seed":          float64(opts.Seed),
		"epochs":        float64(stats.epochs),
		"best_epoch":    float64(stats.bestEpoch),
		"train_loss":    stats.trainLoss,
		"val_loss":      stats.valLoss,
		"train_windows": float64(stats.trainWindow),
		"val_windows":   float64(stats.valWindow),
		"paths":         float64(opts.Paths),
	}
}

// fitInSample fills r.Fitted, r.Residuals and r.Sigma with the one-step
// predictions of every window and returns the scaled residuals the
// simulated paths resample.
//
// Differencing is linear with coefficient 1 on the newest value, so the
// one-step forecast of y_t given the true past is y_t minus the
// prediction error of the differenced value, Scale*(z_t - ẑ_t).
func fitInSample(r *forecast.Result, p *prepared, w *weights, window int) ([]float64, error) {
	y := p.series.Values
	n := p.windows(window)
	rows := make([][]float64, n)
	for k := range rows {
		rows[k] = p.input(k, window)
	}
	pred, err := predictAll(w, rows, window)
	if err != nil {
		return nil, err
	}
	scaled := make([]float64, n)
	r.Fitted = make([]float64, len(y))
	for t := range r.Fitted {
		r.Fitted[t] = math.NaN()
	}
	for k, v := range pred {
		scaled[k] = p.z[k+window] - v
		t := p.offset + window + k
		r.Fitted[t] = y[t] - p.scaler.Scale*scaled[k]
	}
	r.SetResiduals(y, 0)
	r.Params["sigma"] = r.Sigma

	_, val := splitWindows([]*prepared{p}, window)
	if len(val) >= minIntervalResiduals {
		return scaled[n-len(val):], nil
	}
	return scaled, nil
}

// simulate runs the network recursively h steps ahead on 1+Paths rows at
// once. Row 0 feeds back its own predictions and is the point forecast.
// Every other row adds a residual drawn with replacement at each step, so
// the rows are sample paths. It returns the paths on the scale of the
// series, row 0 first.
func simulate(ctx context.Context, p *prepared, w *weights, residuals []float64, h int, opts Options, rng *rand.Rand) ([][]float64, error) {
	rowsN := 1 + opts.Paths
	pred, err := newPredictor(w, rowsN, opts.Window)
	if err != nil {
		return nil, err
	}
	hist := make([][]float64, rowsN)
	for i := range hist {
		hist[i] = append(make([]float64, 0, opts.Window+h), p.z[len(p.z)-opts.Window:]...)
	}
	rows := make([][]float64, rowsN)
	for step := range h {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("lstm: forecasting stopped at step %d: %w", step+1, err)
		}
		for i := range rows {
			rows[i] = hist[i][step : step+opts.Window]
		}
		next, err := pred.predict(rows)
		if err != nil {
			return nil, err
		}
		for i, v := range next {
			if i > 0 {
				v += residuals[rng.IntN(len(residuals))]
			}
			hist[i] = append(hist[i], v)
		}
	}
	paths := make([][]float64, rowsN)
	for i, hi := range hist {
		diffs := p.scaler.Invert(slices.Clone(hi[opts.Window:]))
		paths[i] = p.diff.Invert(diffs)
	}
	return paths, nil
}

// setPathIntervals sets r.Mean from path 0 and the 80 % and 95 % bounds
// from the empirical quantiles of the other paths. Bounds are widened where
// needed so that lower95 <= lower80 <= mean <= upper80 <= upper95, and
// each half-width is capped like forecast.CapStdDev caps a standard
// deviation (times the 95 % quantile), so an unstable path cannot produce
// bounds far beyond the data.
func setPathIntervals(r *forecast.Result, paths [][]float64, y []float64) {
	h := len(paths[0])
	limit := forecast.Z95 * forecast.CapStdDev([]float64{math.Inf(1)}, y)[0]
	r.Mean = slices.Clone(paths[0])
	r.Lower80, r.Upper80 = make([]float64, h), make([]float64, h)
	r.Lower95, r.Upper95 = make([]float64, h), make([]float64, h)
	values := make([]float64, len(paths)-1)
	for step := range h {
		for i, path := range paths[1:] {
			values[i] = path[step]
		}
		slices.Sort(values)
		m := r.Mean[step]
		lo80 := min(quantile(values, 0.1), m)
		hi80 := max(quantile(values, 0.9), m)
		lo95 := min(quantile(values, 0.025), lo80)
		hi95 := max(quantile(values, 0.975), hi80)
		r.Lower80[step] = max(lo80, m-limit)
		r.Upper80[step] = min(hi80, m+limit)
		r.Lower95[step] = max(lo95, m-limit)
		r.Upper95[step] = min(hi95, m+limit)
	}
}

// quantile returns the q-quantile of sorted values by linear
// interpolation between order statistics.
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	frac := pos - float64(lo)
	return sorted[lo]*(1-frac) + sorted[hi]*frac
}

// constantResult forecasts a constant series with its value and
// zero-width intervals.
func constantResult(s forecast.Series, h int) *forecast.Result {
	y := s.Values
	r := &forecast.Result{
		Model:  "LSTM(constant)",
		Params: map[string]float64{"constant": 1},
		Fitted: slices.Clone(y),
		Mean:   make([]float64, h),
	}
	for i := range r.Mean {
		r.Mean[i] = y[0]
	}
	r.SetResiduals(y, 0)
	r.SetIntervals(make([]float64, h))
	if s.Count {
		r.ClipCounts()
	}
	return r
}

// fallbackResult returns the seasonal naive forecast for a series too
// short to train on, marked with Params["fallback_snaive"] = 1 and the
// length that training would need.
func fallbackResult(ctx context.Context, p *prepared, h, window int) (*forecast.Result, error) {
	r, err := naive.Seasonal{}.Forecast(ctx, p.series, h)
	if err != nil {
		return nil, fmt.Errorf("lstm: seasonal naive fallback: %w", err)
	}
	r.Model = "LSTM fallback: " + r.Model
	r.Params["fallback_snaive"] = 1
	r.Params["min_length"] = float64(p.offset + window + max(h, minWindows))
	return r, nil
}
