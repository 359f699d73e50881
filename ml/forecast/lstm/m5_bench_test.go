package lstm_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopsight/shopsight/internal/shareddata"
	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/eval"
	"github.com/shopsight/shopsight/ml/forecast/lstm"
	"github.com/shopsight/shopsight/ml/forecast/metrics"
)

// loadM5Stores returns the 13 M5 state and store daily totals (1,913 days).
func loadM5Stores(b *testing.B) []eval.Series {
	b.Helper()
	dir := shareddata.Dir(b, "data/m5")
	f, err := os.Open(filepath.Join(dir, "m5_store_sales.csv"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	series, err := eval.ReadWide(f)
	if err != nil {
		b.Fatal(err)
	}
	return series
}

// BenchmarkM5StoresLSTM evaluates seasonal naive, ETS, ARIMA and the LSTM
// (one network per series) on the 13 M5 store and state series, holding
// out 28 days, and reports each model's mean MASE, RMSSE, coverage and
// seconds per series. Run with -benchtime=1x: one iteration takes minutes.
func BenchmarkM5StoresLSTM(b *testing.B) {
	series := loadM5Stores(b)
	opts := eval.DefaultOptions().WithCount(true).WithModels("snaive", "ets", "arima", "lstm")
	for b.Loop() {
		rep, err := eval.Evaluate(context.Background(), series, opts)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range rep.Summaries {
			b.ReportMetric(float64(s.MASE), s.Model+"-MASE")
			b.ReportMetric(float64(s.RMSSE), s.Model+"-RMSSE")
			b.ReportMetric(float64(s.Coverage80), s.Model+"-cov80")
			b.ReportMetric(float64(s.Coverage95), s.Model+"-cov95")
			b.ReportMetric(s.SecondsPerSeries, s.Model+"-s/series")
			b.ReportMetric(float64(s.Failed), s.Model+"-failed")
		}
	}
}

// BenchmarkM5StoresGlobalLSTM trains one network for at most 10 epochs on
// all 13 M5 store and state series, holding out 28 days. It reports the
// mean MASE, RMSSE and coverage of the forecasts and the seconds per series
// of training plus forecasting.
func BenchmarkM5StoresGlobalLSTM(b *testing.B) {
	const h, season = 28, 7
	series := loadM5Stores(b)
	var train []forecast.Series
	for _, s := range series {
		train = append(train, forecast.Series{Values: s.Values[:len(s.Values)-h], Season: season, Count: true})
	}
	for b.Loop() {
		start := time.Now()
		g, err := lstm.TrainGlobal(context.Background(), train, lstm.DefaultOptions().WithEpochs(10))
		if err != nil {
			b.Fatal(err)
		}
		var mase, rmsse, cov80, cov95 float64
		for i, s := range series {
			r, err := g.Forecast(context.Background(), i, h)
			if err != nil {
				b.Fatal(err)
			}
			fit, actual := train[i].Values, s.Values[len(s.Values)-h:]
			mase += metrics.MASE(fit, actual, r.Mean, season)
			rmsse += metrics.RMSSE(fit, actual, r.Mean, season)
			cov80 += metrics.Coverage(actual, r.Lower80, r.Upper80)
			cov95 += metrics.Coverage(actual, r.Lower95, r.Upper95)
		}
		n := float64(len(series))
		b.ReportMetric(mase/n, "MASE")
		b.ReportMetric(rmsse/n, "RMSSE")
		b.ReportMetric(cov80/n, "cov80")
		b.ReportMetric(cov95/n, "cov95")
		b.ReportMetric(time.Since(start).Seconds()/n, "s/series")
	}
}
