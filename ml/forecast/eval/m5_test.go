package eval

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/shopsight/shopsight/internal/shareddata"
)

// loadM5Stores returns the 13 M5 state and store daily totals (1,913 days).
func loadM5Stores(tb testing.TB) []Series {
	tb.Helper()
	dir := shareddata.Dir(tb, "data/m5")
	f, err := os.Open(filepath.Join(dir, "m5_store_sales.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	series, err := ReadWide(f)
	if err != nil {
		tb.Fatal(err)
	}
	return series
}

// loadM5Items returns the 823 FOODS_3 item series of store TX_3 with the
// training days d_1..d_1913 followed by the validation days d_1914..d_1941,
// so holding out 28 values scores the M5 validation window.
func loadM5Items(tb testing.TB) []Series {
	tb.Helper()
	dir := shareddata.Dir(tb, "data/m5/afcs2025-foods3-tx3")
	read := func(name string) []Series {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			tb.Fatal(err)
		}
		defer f.Close()
		series, err := ReadRows(f)
		if err != nil {
			tb.Fatal(err)
		}
		return series
	}
	train := read("sales_train_validation_afcs2025.csv")
	test := read("sales_test_validation_afcs2025.csv")
	if len(train) != len(test) {
		tb.Fatalf("%d training rows but %d test rows", len(train), len(test))
	}
	for i := range train {
		if train[i].ID != test[i].ID {
			tb.Fatalf("row %d: training id %q, test id %q", i, train[i].ID, test[i].ID)
		}
		train[i].Values = append(train[i].Values, test[i].Values...)
	}
	return train
}

// everyNth returns series 0, n, 2n, ... as a fixed, deterministic subset.
func everyNth(series []Series, n int) []Series {
	var out []Series
	for i := 0; i < len(series); i += n {
		out = append(out, series[i])
	}
	return out
}

// Pinned mean MASE of AUTO, measured with DefaultOptions (season 7,
// horizon 28, counts). The test fails when AUTO gets worse than the pinned
// value plus masePinSlack, or stops beating seasonal naive.
const (
	pinnedStoresAutoMASE = 0.7465 // 13 state and store totals
	pinnedItemsAutoMASE  = 1.4209 // every 20th of the 823 FOODS_3 TX_3 items
	masePinSlack         = 0.02
)

func TestM5AutoBeatsSeasonalNaive(t *testing.T) {
	cases := []struct {
		name   string
		series []Series
		pinned float64
	}{
		{"stores", loadM5Stores(t), pinnedStoresAutoMASE},
		{"items subset", everyNth(loadM5Items(t), 20), pinnedItemsAutoMASE},
	}
	opts := DefaultOptions().WithCount(true).WithModels("snaive", "auto")
	for _, c := range cases {
		rep, err := Evaluate(context.Background(), c.series, opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		autoSummary, _ := rep.Summary("auto")
		naiveSummary, _ := rep.Summary("snaive")
		t.Logf("%s: %d series, auto MASE %.4f RMSSE %.4f sMAPE %.2f coverage80 %.3f coverage95 %.3f; snaive MASE %.4f",
			c.name, autoSummary.Series, autoSummary.MASE, autoSummary.RMSSE, autoSummary.SMAPE,
			autoSummary.Coverage80, autoSummary.Coverage95, naiveSummary.MASE)
		if autoSummary.Failed+naiveSummary.Failed > 0 {
			t.Errorf("%s: %d auto and %d snaive failures", c.name, autoSummary.Failed, naiveSummary.Failed)
		}
		if autoSummary.MASE >= naiveSummary.MASE {
			t.Errorf("%s: auto MASE %.4f does not beat seasonal naive %.4f", c.name, autoSummary.MASE, naiveSummary.MASE)
		}
		if float64(autoSummary.MASE) > c.pinned+masePinSlack {
			t.Errorf("%s: auto MASE %.4f is worse than the pinned %.4f + %.2f", c.name, autoSummary.MASE, c.pinned, masePinSlack)
		}
	}
}

// benchmarkM5 evaluates every model on series once per iteration and
// reports each model's mean MASE, RMSSE, sMAPE, coverage and seconds per
// series. Run with -benchtime=1x: one iteration on the 823 items takes
// minutes.
func benchmarkM5(b *testing.B, series []Series) {
	opts := DefaultOptions().WithCount(true).WithModels("snaive", "ets", "arima", "auto")
	for b.Loop() {
		rep, err := Evaluate(context.Background(), series, opts)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range rep.Summaries {
			b.ReportMetric(float64(s.MASE), s.Model+"-MASE")
			b.ReportMetric(float64(s.RMSSE), s.Model+"-RMSSE")
			b.ReportMetric(float64(s.SMAPE), s.Model+"-sMAPE")
			b.ReportMetric(float64(s.Coverage80), s.Model+"-cov80")
			b.ReportMetric(float64(s.Coverage95), s.Model+"-cov95")
			b.ReportMetric(s.SecondsPerSeries, s.Model+"-s/series")
			b.ReportMetric(float64(s.Failed), s.Model+"-failed")
		}
	}
}

func BenchmarkM5Stores(b *testing.B) { benchmarkM5(b, loadM5Stores(b)) }

func BenchmarkM5Items(b *testing.B) { benchmarkM5(b, loadM5Items(b)) }
