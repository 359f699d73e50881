// Package auto chooses a forecasting model per series by rolling-origin
// backtest error, and maps model names to forecast.Forecaster values.
package auto

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/arima"
	"github.com/shopsight/shopsight/ml/forecast/ets"
	"github.com/shopsight/shopsight/ml/forecast/lstm"
	"github.com/shopsight/shopsight/ml/forecast/metrics"
	"github.com/shopsight/shopsight/ml/forecast/naive"
)

// Options configures a Model.
type Options struct {
	// Candidates are the models compared, in order of preference on ties.
	Candidates []forecast.Forecaster
	// Origins is the number of backtest origins.
	Origins int
	// Combine names candidates whose equal-weight mean forecast also
	// competes in the backtest; fewer than two names disable it.
	Combine []string
}

// DefaultOptions returns options comparing seasonal naive, ETS, ARIMA and
// the mean of ETS and ARIMA on 3 origins. The LSTM is left out because it
// trains a network per fit: WithLSTM adds it.
func DefaultOptions() Options {
	return Options{
		Candidates: []forecast.Forecaster{
			naive.Seasonal{},
			ets.New(ets.DefaultOptions()),
			arima.New(arima.DefaultOptions()),
		},
		Origins: 3,
		Combine: []string{"ets", "arima"},
	}
}

// WithCandidates returns a copy of o that compares the given models.
func (o Options) WithCandidates(models ...forecast.Forecaster) Options {
	o.Candidates = models
	return o
}

// WithLSTM returns a copy of o that also compares an LSTM with
// lstm.DefaultOptions when enabled is true, or drops every candidate named
// "lstm" when it is false.
func (o Options) WithLSTM(enabled bool) Options {
	candidates := make([]forecast.Forecaster, 0, len(o.Candidates)+1)
	for _, c := range o.Candidates {
		if c.Name() != "lstm" {
			candidates = append(candidates, c)
		}
	}
	if enabled {
		candidates = append(candidates, lstm.New(lstm.DefaultOptions()))
	}
	o.Candidates = candidates
	return o
}

// WithCombine returns a copy of o whose backtest also scores the mean
// forecast of the named candidates.
func (o Options) WithCombine(names ...string) Options {
	o.Combine = names
	return o
}

// WithOrigins returns a copy of o with n backtest origins.
func (o Options) WithOrigins(n int) Options {
	o.Origins = n
	return o
}

// Model picks, for each series, the candidate with the lowest mean MASE over
// rolling backtest origins and forecasts with it. It implements
// forecast.Forecaster.
type Model struct {
	opts Options
}

// New returns a Model with the given options. It falls back to
// DefaultOptions' candidates when opts has none.
func New(opts Options) *Model {
	if len(opts.Candidates) == 0 {
		opts.Candidates = DefaultOptions().Candidates
	}
	if opts.Origins < 1 {
		opts.Origins = 1
	}
	return &Model{opts: opts}
}

// Name returns "auto".
func (*Model) Name() string { return "auto" }

// Forecast fits every candidate to the whole series and backtests each on
// the last Origins windows of h steps, where origin k trains on all but the
// last k*h values. It returns the whole-series forecast of the candidate
// with the lowest mean MASE. When Combine names at least two candidates that fitted,
// the equal-weight mean of their forecasts competes too ("Mean(...)"). The
// backtest MASE of each candidate is in the result's Params as
// "backtest_mase_<name>", and that of the mean as
// "backtest_mase_combination".
//
// Candidates that implement forecast.Specializer are backtested with the
// form they chose on the whole series, which is several times faster than
// repeating the search at each origin.
// NOTE: that form was chosen with the backtest windows in view, which
// favours ETS and ARIMA slightly over seasonal naive in the comparison.
//
// When the series is too short for one backtest window with a training part
// of at least two seasons (and 8 values), the first candidate that fits
// wins. With the default options that is seasonal naive, which itself falls
// back to naive.
func (m *Model) Forecast(ctx context.Context, s forecast.Series, h int) (*forecast.Result, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := forecast.CheckHorizon(h); err != nil {
		return nil, err
	}
	results := make([]*forecast.Result, len(m.opts.Candidates))
	backtested := make([]forecast.Forecaster, len(m.opts.Candidates))
	var lastErr error
	for i, c := range m.opts.Candidates {
		r, err := c.Forecast(ctx, s, h)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("auto: fitting %s: %w", c.Name(), err)
			}
			lastErr = err
			continue
		}
		results[i] = r
		backtested[i] = c
		if sp, ok := c.(forecast.Specializer); ok {
			if fixed, ok := sp.Specialize(r); ok {
				backtested[i] = fixed
			}
		}
	}
	members := m.members(results)
	scores, combinedScore, err := m.backtest(ctx, s, h, backtested, members)
	if err != nil {
		return nil, err
	}
	best := -1
	for i, r := range results {
		if r != nil && (best < 0 || scores[i] < scores[best]) {
			best = i
		}
	}
	if best < 0 {
		return nil, fmt.Errorf("auto: every candidate failed on a series of %d values: %w", len(s.Values), lastErr)
	}
	r := results[best]
	if combinedScore < scores[best] {
		r = combine(s, pick(results, members))
	}
	for i, c := range m.opts.Candidates {
		if results[i] != nil && !math.IsInf(scores[i], 1) {
			r.Params["backtest_mase_"+c.Name()] = scores[i]
		}
	}
	if !math.IsInf(combinedScore, 1) {
		r.Params["backtest_mase_combination"] = combinedScore
	}
	return r, nil
}

// members returns the indexes of the candidates named in Combine that
// fitted, or nil when fewer than two did.
func (m *Model) members(results []*forecast.Result) []int {
	var out []int
	for i, c := range m.opts.Candidates {
		if results[i] != nil && slices.Contains(m.opts.Combine, c.Name()) {
			out = append(out, i)
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

func pick(results []*forecast.Result, indexes []int) []*forecast.Result {
	out := make([]*forecast.Result, len(indexes))
	for k, i := range indexes {
		out[k] = results[i]
	}
	return out
}

// backtest returns each model's mean MASE over the origins, +Inf for a nil
// model or one that failed at some origin, and all zeros (a tie) when no
// origin fits. It also returns the mean MASE of the mean forecast of the
// members, +Inf when there are none or no origin fits.
func (m *Model) backtest(ctx context.Context, s forecast.Series, h int, models []forecast.Forecaster, members []int) ([]float64, float64, error) {
	n := len(s.Values)
	minTrain := max(8, 2*s.Season)
	origins := min(m.opts.Origins, (n-minTrain)/h)
	scores := make([]float64, len(models))
	for i, c := range models {
		if c == nil {
			scores[i] = math.Inf(1)
		}
	}
	combined := math.Inf(1)
	if origins < 1 {
		return scores, combined, nil
	}
	if len(members) > 0 {
		combined = 0
	}
	means := make([][]float64, len(models))
	for k := origins; k >= 1; k-- {
		cut := n - k*h
		train := forecast.Series{Values: s.Values[:cut], Season: s.Season, Count: s.Count}
		actual := s.Values[cut : cut+h]
		for i, c := range models {
			means[i] = nil
			if c == nil {
				continue
			}
			r, err := c.Forecast(ctx, train, h)
			if err != nil {
				if ctx.Err() != nil {
					return nil, 0, fmt.Errorf("auto: backtest of %s: %w", c.Name(), err)
				}
				scores[i] = math.Inf(1)
				continue
			}
			means[i] = r.Mean
			scores[i] += backtestError(train.Values, actual, r.Mean, s.Season) / float64(origins)
		}
		if len(members) > 0 {
			mean := make([]float64, h)
			for _, i := range members {
				if means[i] == nil {
					mean = nil
					break
				}
				for j, v := range means[i] {
					mean[j] += v / float64(len(members))
				}
			}
			if mean == nil {
				combined = math.Inf(1)
			} else {
				combined += backtestError(train.Values, actual, mean, s.Season) / float64(origins)
			}
		}
	}
	return scores, combined, nil
}

// backtestError returns the MASE of forecast, or its MAE when the training
// window is constant and MASE is undefined.
func backtestError(train, actual, forecast []float64, season int) float64 {
	e := metrics.MASE(train, actual, forecast, season)
	if math.IsNaN(e) {
		e = metrics.MAE(actual, forecast)
	}
	return e
}
