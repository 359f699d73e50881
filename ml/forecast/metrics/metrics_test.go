package metrics

import (
	"math"
	"testing"
)

func TestMetrics(t *testing.T) {
	train := []float64{1, 2, 3, 4, 5, 6}
	actual := []float64{7, 8}
	forecast := []float64{6, 10}
	cases := []struct {
		name string
		got  float64
		want float64
	}{
		{"MAE", MAE(actual, forecast), 1.5},
		{"RMSE", RMSE(actual, forecast), math.Sqrt(2.5)},
		{"sMAPE", SMAPE(actual, forecast), 100 * (1.0/13 + 2.0/18)},
		// Naive in-sample errors are all 1; lag-2 errors are all 2.
		{"MASE lag 1", MASE(train, actual, forecast, 1), 1.5},
		{"MASE lag 2", MASE(train, actual, forecast, 2), 0.75},
		{"RMSSE lag 1", RMSSE(train, actual, forecast, 1), math.Sqrt(2.5)},
		{"coverage", Coverage(actual, []float64{6, 9}, []float64{8, 11}), 0.5},
	}
	for _, c := range cases {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestMetricsDegenerate(t *testing.T) {
	if v := MASE([]float64{3, 3, 3}, []float64{3}, []float64{4}, 1); !math.IsNaN(v) {
		t.Errorf("MASE with a constant training series = %v, want NaN", v)
	}
	if v := MAE(nil, nil); !math.IsNaN(v) {
		t.Errorf("MAE of empty input = %v, want NaN", v)
	}
	if v := SMAPE([]float64{0, 0}, []float64{0, 0}); v != 0 {
		t.Errorf("sMAPE of zero forecasts of zeros = %v, want 0", v)
	}
}
