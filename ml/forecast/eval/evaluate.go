package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/auto"
	"github.com/shopsight/shopsight/ml/forecast/metrics"
)

// Options configures Evaluate.
type Options struct {
	// Horizon is the number of values held out at the end of each series.
	Horizon int
	// Season is the seasonal period given to the models and used to scale
	// MASE and RMSSE (seasonal naive in-sample errors).
	Season int
	// Models are names accepted by auto.ByName.
	Models []string
	// Workers is the number of series evaluated at the same time.
	Workers int
	// Count marks every series as counts, so forecasts are clipped at 0.
	Count bool
}

// DefaultOptions returns horizon 28, season 7, the models snaive, ets,
// arima and auto, one worker per CPU, and no count clipping.
func DefaultOptions() Options {
	return Options{
		Horizon: 28,
		Season:  7,
		Models:  []string{"snaive", "ets", "arima", "auto"},
		Workers: runtime.NumCPU(),
	}
}

// WithHorizon returns a copy of o with the held-out horizon set.
func (o Options) WithHorizon(h int) Options { o.Horizon = h; return o }

// WithSeason returns a copy of o with the seasonal period set.
func (o Options) WithSeason(m int) Options { o.Season = m; return o }

// WithModels returns a copy of o that evaluates the named models.
func (o Options) WithModels(names ...string) Options { o.Models = names; return o }

// WithWorkers returns a copy of o with n parallel workers.
func (o Options) WithWorkers(n int) Options { o.Workers = n; return o }

// WithCount returns a copy of o that treats every series as counts.
func (o Options) WithCount(count bool) Options { o.Count = count; return o }

// Metric is an accuracy value that encodes NaN (undefined, for example MASE
// on a constant training series) as JSON null.
type Metric float64

// MarshalJSON encodes m as a number, or null when m is NaN or infinite.
func (m Metric) MarshalJSON() ([]byte, error) {
	f := float64(m)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// Row is the accuracy of one model on one series.
type Row struct {
	SeriesID string `json:"series_id"`
	Model    string `json:"model"`
	// Fitted is the form the model fitted, such as "ETS(A,N,A)".
	Fitted     string  `json:"fitted,omitempty"`
	SMAPE      Metric  `json:"smape"`
	MASE       Metric  `json:"mase"`
	RMSSE      Metric  `json:"rmsse"`
	Coverage80 Metric  `json:"coverage80"`
	Coverage95 Metric  `json:"coverage95"`
	Seconds    float64 `json:"seconds"`
	Error      string  `json:"error,omitempty"`
}

// Summary is a model's accuracy averaged over the series it forecast.
// Undefined values (NaN) are left out of each mean.
type Summary struct {
	Model            string  `json:"model"`
	Series           int     `json:"series"`
	Failed           int     `json:"failed"`
	SMAPE            Metric  `json:"smape"`
	MASE             Metric  `json:"mase"`
	RMSSE            Metric  `json:"rmsse"`
	Coverage80       Metric  `json:"coverage80"`
	Coverage95       Metric  `json:"coverage95"`
	SecondsPerSeries float64 `json:"seconds_per_series"`
}

// Report is the result of Evaluate.
type Report struct {
	Horizon   int       `json:"horizon"`
	Season    int       `json:"season"`
	Summaries []Summary `json:"summaries"`
	Rows      []Row     `json:"rows"`
}

// Summary returns the summary of the named model, or false when the report
// has none.
func (r *Report) Summary(model string) (Summary, bool) {
	for _, s := range r.Summaries {
		if s.Model == model {
			return s, true
		}
	}
	return Summary{}, false
}

// EvaluateFile reads a series_id,date,value CSV file and evaluates it with
// Evaluate.
func EvaluateFile(ctx context.Context, path string, opts Options) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval: opening series file: %w", err)
	}
	defer f.Close()
	series, err := ReadLong(f)
	if err != nil {
		return nil, fmt.Errorf("eval: reading %s: %w", path, err)
	}
	return Evaluate(ctx, series, opts)
}

// Evaluate holds out the last opts.Horizon values of each series, fits each
// model on the rest, and scores the forecasts against the held-out values.
// Series run in parallel on opts.Workers goroutines. A model that fails on a
// series gets a row with Error set and counts as Failed in its summary. A
// series with no more values than the horizon fails for every model.
func Evaluate(ctx context.Context, series []Series, opts Options) (*Report, error) {
	if err := forecast.CheckHorizon(opts.Horizon); err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	if len(opts.Models) == 0 {
		return nil, fmt.Errorf("eval: no models to evaluate: name at least one of %v", auto.Names())
	}
	models := make([]forecast.Forecaster, len(opts.Models))
	for i, name := range opts.Models {
		m, err := auto.ByName(name)
		if err != nil {
			return nil, fmt.Errorf("eval: %w", err)
		}
		models[i] = m
	}
	workers := max(opts.Workers, 1)

	rows := make([]Row, len(series)*len(models))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				for j, m := range models {
					rows[i*len(models)+j] = evaluateOne(ctx, series[i], opts.Models[j], m, opts)
				}
			}
		})
	}
	for i := range series {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("eval: evaluation stopped: %w", err)
	}

	report := &Report{Horizon: opts.Horizon, Season: opts.Season, Rows: rows}
	for _, name := range opts.Models {
		report.Summaries = append(report.Summaries, summarise(name, rows))
	}
	return report, nil
}

func evaluateOne(ctx context.Context, s Series, name string, m forecast.Forecaster, opts Options) Row {
	row := Row{SeriesID: s.ID, Model: name}
	n := len(s.Values) - opts.Horizon
	if n < 1 {
		row.Error = fmt.Sprintf("series has %d values, need more than the horizon %d", len(s.Values), opts.Horizon)
		return row
	}
	train, actual := s.Values[:n], s.Values[n:]
	start := time.Now()
	r, err := m.Forecast(ctx, forecast.Series{Values: train, Season: opts.Season, Count: opts.Count}, opts.Horizon)
	row.Seconds = time.Since(start).Seconds()
	if err != nil {
		row.Error = err.Error()
		return row
	}
	row.Fitted = r.Model
	row.SMAPE = Metric(metrics.SMAPE(actual, r.Mean))
	row.MASE = Metric(metrics.MASE(train, actual, r.Mean, opts.Season))
	row.RMSSE = Metric(metrics.RMSSE(train, actual, r.Mean, opts.Season))
	row.Coverage80 = Metric(metrics.Coverage(actual, r.Lower80, r.Upper80))
	row.Coverage95 = Metric(metrics.Coverage(actual, r.Lower95, r.Upper95))
	return row
}

func summarise(model string, rows []Row) Summary {
	s := Summary{Model: model}
	var sums [5]float64
	var counts [5]int
	var seconds float64
	for _, r := range rows {
		if r.Model != model {
			continue
		}
		if r.Error != "" {
			s.Failed++
			continue
		}
		s.Series++
		seconds += r.Seconds
		for k, v := range []Metric{r.SMAPE, r.MASE, r.RMSSE, r.Coverage80, r.Coverage95} {
			f := float64(v)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				continue
			}
			sums[k] += f
			counts[k]++
		}
	}
	means := make([]Metric, 5)
	for k := range means {
		means[k] = Metric(math.NaN())
		if counts[k] > 0 {
			means[k] = Metric(sums[k] / float64(counts[k]))
		}
	}
	s.SMAPE, s.MASE, s.RMSSE, s.Coverage80, s.Coverage95 = means[0], means[1], means[2], means[3], means[4]
	if s.Series > 0 {
		s.SecondsPerSeries = seconds / float64(s.Series)
	}
	return s
}

// WriteJSON writes r as indented JSON to path.
func (r *Report) WriteJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("eval: encoding report: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("eval: writing report: %w", err)
	}
	return nil
}
