package anomaly_test

import (
	"context"
	"math"
	"testing"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/anomaly"
	"github.com/shopsight/shopsight/ml/forecast/ets"
)

// spiky returns a weekly series with a spike up at 100 and a drop at 150.
func spiky() []float64 {
	pattern := []float64{10, -3, -4, -2, 0, 3, 6}
	y := make([]float64, 210)
	for t := range y {
		y[t] = 100 + pattern[t%7] + 2*math.Sin(float64(t)*12.9898)
	}
	y[100] += 60
	y[150] -= 50
	return y
}

func checkSpikes(t *testing.T, name string, got []anomaly.Anomaly) {
	t.Helper()
	want := map[int]anomaly.Direction{100: anomaly.Up, 150: anomaly.Down}
	found := 0
	for _, a := range got {
		dir, ok := want[a.Index]
		if !ok {
			t.Errorf("%s: unexpected anomaly at %d (value %.1f, expected %.1f, score %.1f)", name, a.Index, a.Value, a.Expected, a.Score)
			continue
		}
		found++
		if a.Direction != dir {
			t.Errorf("%s: anomaly at %d has direction %s, want %s", name, a.Index, a.Direction, dir)
		}
	}
	if found != len(want) {
		t.Errorf("%s: found %d of the %d planted anomalies: %+v", name, found, len(want), got)
	}
}

func TestRobustMethods(t *testing.T) {
	y := spiky()
	for _, c := range []struct {
		name string
		opts anomaly.Options
	}{
		{"MAD", anomaly.DefaultOptions().WithSeason(7)},
		{"GESD", anomaly.DefaultOptions().WithSeason(7).WithMethod(anomaly.GESD)},
	} {
		got, err := anomaly.Robust(y, c.opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		checkSpikes(t, c.name, got)
	}
}

func TestFromModelInterval(t *testing.T) {
	y := spiky()
	got, err := anomaly.WithModel(context.Background(), ets.New(ets.DefaultOptions()), forecast.Series{Values: y, Season: 7}, 4)
	if err != nil {
		t.Fatal(err)
	}
	// The level update after a spike can flag the next point too, so only
	// check that both spikes are found with the right direction.
	dirs := map[int]anomaly.Direction{}
	for _, a := range got {
		dirs[a.Index] = a.Direction
	}
	if dirs[100] != anomaly.Up || dirs[150] != anomaly.Down {
		t.Errorf("anomalies = %+v, want UP at 100 and DOWN at 150", got)
	}
}

func TestRobustRejectsBadInput(t *testing.T) {
	if _, err := anomaly.Robust(nil, anomaly.DefaultOptions()); err == nil {
		t.Error("Robust accepted an empty series")
	}
	if _, err := anomaly.Robust([]float64{1, math.NaN()}, anomaly.DefaultOptions()); err == nil {
		t.Error("Robust accepted NaN")
	}
}

func TestRobustIntermittent(t *testing.T) {
	y := make([]float64, 100)
	for t := range y {
		if t%9 == 0 {
			y[t] = 1
		}
	}
	y[50] = 40
	got, err := anomaly.Robust(y, anomaly.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Index != 50 {
		t.Errorf("anomalies = %+v, want only index 50", got)
	}
}

func TestCleanReplacesGrossOutlier(t *testing.T) {
	y := spiky()
	y[120] = 1e6
	cleaned, replaced := anomaly.Clean(y, 7)
	if len(replaced) == 0 || cleaned[120] > 200 {
		t.Errorf("cleaned[120] = %v, replaced %+v; want the 1e6 value replaced", cleaned[120], replaced)
	}
	if y[120] != 1e6 {
		t.Error("Clean modified its input")
	}
}

func TestCleanKeepsIntermittent(t *testing.T) {
	y := make([]float64, 60)
	y[10], y[33] = 3, 5
	cleaned, replaced := anomaly.Clean(y, 7)
	if len(replaced) != 0 || cleaned[10] != 3 || cleaned[33] != 5 {
		t.Errorf("Clean changed an intermittent series: replaced %+v", replaced)
	}
}
