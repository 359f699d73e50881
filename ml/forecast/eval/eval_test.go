package eval

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestReadLongBOMAndCRLF(t *testing.T) {
	input := "\ufeffseries_id,date,value\r\n" +
		"b,2024-01-02,5\r\n" +
		"a,2024-01-01,1\r\n" +
		"b,2024-01-01,4\r\n" +
		"a,2024-01-02,2\r\n"
	series, err := ReadLong(strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	want := []Series{{"b", []float64{4, 5}}, {"a", []float64{1, 2}}}
	if len(series) != len(want) {
		t.Fatalf("got %d series, want %d", len(series), len(want))
	}
	for i, w := range want {
		if series[i].ID != w.ID {
			t.Errorf("series %d id = %q, want %q", i, series[i].ID, w.ID)
		}
		for j, v := range w.Values {
			if series[i].Values[j] != v {
				t.Errorf("series %q value %d = %v, want %v", w.ID, j, series[i].Values[j], v)
			}
		}
	}
}

func TestReadLongErrors(t *testing.T) {
	cases := []struct {
		name, input, wantInError string
	}{
		{"bad header", "id,day,v\n", "header"},
		{"bad date", "series_id,date,value\na,01/02/2024,3\n", "line 2"},
		{"bad value", "series_id,date,value\na,2024-01-02,x\n", "not a number"},
		{"duplicate date", "series_id,date,value\na,2024-01-02,1\na,2024-01-02,2\n", "two values"},
	}
	for _, c := range cases {
		_, err := ReadLong(strings.NewReader(c.input))
		if err == nil || !strings.Contains(err.Error(), c.wantInError) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.wantInError)
		}
	}
}

func TestReadWideAndRows(t *testing.T) {
	wide, err := ReadWide(strings.NewReader("date,x,y\n2024-01-01,1,10\n2024-01-02,2,20\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(wide) != 2 || wide[1].ID != "y" || wide[1].Values[1] != 20 {
		t.Errorf("ReadWide = %+v, want x=[1 2], y=[10 20]", wide)
	}
	rows, err := ReadRows(strings.NewReader("id,d_1,d_2,d_3\nitem,0,3,1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].ID != "item" || len(rows[0].Values) != 3 || rows[0].Values[1] != 3 {
		t.Errorf("ReadRows = %+v, want item=[0 3 1]", rows)
	}
}

func syntheticSeries() []Series {
	var out []Series
	for k := range 4 {
		s := Series{ID: string(rune('a' + k))}
		for t := range 120 {
			v := 50 + float64(k)*10 + 8*math.Sin(2*math.Pi*float64(t)/7) + 2*math.Sin(float64(t*(k+3))*12.9898)
			s.Values = append(s.Values, math.Round(v))
		}
		out = append(out, s)
	}
	out = append(out, Series{ID: "short", Values: []float64{1, 2, 3}})
	return out
}

func TestEvaluateSynthetic(t *testing.T) {
	opts := DefaultOptions().WithHorizon(14).WithModels("snaive", "ets").WithWorkers(2).WithCount(true)
	rep, err := Evaluate(context.Background(), syntheticSeries(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rep.Rows), 5*2; got != want {
		t.Fatalf("%d rows, want %d", got, want)
	}
	for _, name := range []string{"snaive", "ets"} {
		s, ok := rep.Summary(name)
		if !ok {
			t.Fatalf("no summary for %s", name)
		}
		if s.Series != 4 || s.Failed != 1 {
			t.Errorf("%s: %d series and %d failed, want 4 and 1 (the 3-value series)", name, s.Series, s.Failed)
		}
		if !(s.MASE > 0) || !(s.Coverage95 >= 0 && s.Coverage95 <= 1) {
			t.Errorf("%s: MASE %v, coverage95 %v out of range", name, s.MASE, s.Coverage95)
		}
	}
	path := filepath.Join(t.TempDir(), "report.json")
	if err := rep.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var decoded Report
	if err := json.Unmarshal(data, &decoded); err != nil {
		t.Errorf("report JSON does not decode: %v", err)
	}
}

func TestEvaluateRejectsUnknownModel(t *testing.T) {
	_, err := Evaluate(context.Background(), syntheticSeries(), DefaultOptions().WithModels("prophet"))
	if err == nil || !strings.Contains(err.Error(), "prophet") {
		t.Errorf("error %v, want one naming the unknown model", err)
	}
}

func TestMetricJSONNaN(t *testing.T) {
	data, err := json.Marshal(struct{ M Metric }{Metric(math.NaN())})
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"M":null}` {
		t.Errorf("NaN metric encodes as %s, want null", data)
	}
}

func TestEvaluateFileLong(t *testing.T) {
	var b strings.Builder
	b.WriteString("series_id,date,value\r\n")
	for _, s := range syntheticSeries()[:2] {
		for i, v := range s.Values {
			date := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.DateOnly)
			b.WriteString(s.ID + "," + date + "," + strconv.FormatFloat(v, 'g', -1, 64) + "\r\n")
		}
	}
	path := filepath.Join(t.TempDir(), "series.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := EvaluateFile(context.Background(), path, DefaultOptions().WithHorizon(7).WithModels("snaive"))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := rep.Summary("snaive"); s.Series != 2 {
		t.Errorf("%d series evaluated, want 2", s.Series)
	}
}
