package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/ml/forecast/series"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/demo"
)

// newForecastDemoDir writes a demo shop at scale 0.05 into a new store
// directory and closes the store, so a command can open it.
func newForecastDemoDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	a, _, _ := newCapturingApp()
	logger, err := (&logFlags{format: "text", level: "error"}).newLogger(a.stderr)
	if err != nil {
		t.Fatal(err)
	}
	store, err := storage.Open(storeOptions(dir, logger))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(context.Background(), demo.DefaultConfig().WithScale(0.05), store); err != nil {
		store.Close()
		t.Fatalf("generate demo: %v", err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// forecastRow is the part of one --out JSON line that the tests check.
type forecastRow struct {
	Key     series.Key
	Model   string                   `json:"model"`
	Fitted  string                   `json:"fitted"`
	Points  []struct{ Mean float64 } `json:"points"`
	History []series.Point           `json:"history"`
}

func readForecastRows(t *testing.T, path string) []forecastRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open --out file: %v", err)
	}
	defer f.Close()
	var rows []forecastRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for line := 1; sc.Scan(); line++ {
		var row forecastRow
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("--out line %d is not a JSON forecast: %v", line, err)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

var forecastSummaryLine = regexp.MustCompile(`(?m)^(\d+) series \((\d+) failed\), \d+ history buckets in [\d.]+ s \([\d.]+ series/s, 2 workers\)$`)

// seriesCount returns the series and failed counts of the forecast
// command's summary line.
func seriesCount(t *testing.T, stdout string) (total, failed int) {
	t.Helper()
	m := forecastSummaryLine.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("output lacks the summary line:\n%s", stdout)
	}
	total, _ = strconv.Atoi(m[1])
	failed, _ = strconv.Atoi(m[2])
	return total, failed
}

func TestForecastCommand(t *testing.T) {
	dir := newForecastDemoDir(t)
	ctx := context.Background()
	// The subtests share the store, so its forecast cache keeps the
	// forecasts of the earlier ones.
	cached := 0
	for _, tc := range []struct {
		name    string
		args    []string
		header  string
		checkID func(id string) error
	}{
		{
			name:   "category and state",
			args:   []string{"--groupBy", "category,region"},
			header: "forecast UNITS by CATEGORY_REGION per WEEK, horizon 4, model snaive, time zone America/Sao_Paulo",
			checkID: func(id string) error {
				category, region, err := series.ParseCategoryRegion(id)
				if err != nil {
					return err
				}
				if region[1] == "" || region[2] != "" {
					return errors.New("region is not a state")
				}
				if want := series.CategoryRegionID(strings.Join(category, series.CategorySeparator), region[0]+"-"+region[1]); id != want {
					return fmt.Errorf("id is not in canonical form %q", want)
				}
				return nil
			},
		},
		{
			name:   "category and city",
			args:   []string{"--groupBy", "CATEGORY_REGION", "--region-level", "city"},
			header: "forecast UNITS by CATEGORY_REGION per WEEK",
			checkID: func(id string) error {
				_, region, err := series.ParseCategoryRegion(id)
				if err != nil {
					return err
				}
				if region[2] == "" {
					return errors.New("region is not a city")
				}
				return nil
			},
		},
		{
			name:   "country",
			args:   []string{"--groupBy", "region", "--region-level", "country"},
			header: "forecast UNITS by REGION per WEEK",
			checkID: func(id string) error {
				region, err := series.ParseRegion(id)
				if err != nil {
					return err
				}
				if region[1] != "" {
					return errors.New("region is not a country")
				}
				return nil
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "forecasts.jsonl")
			a, stdout, stderr := newCapturingApp()
			args := append([]string{"--data", dir, "--all", "--granularity", "week", "--horizon", "4", "--model", "snaive",
				"--time-zone", "America/Sao_Paulo", "--workers", "2", "--out", out, "--log-level", "error"}, tc.args...)
			if err := runForecast(ctx, a, args); err != nil {
				t.Fatalf("forecast %v: %v\nstderr:\n%s", tc.args, err, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.header) {
				t.Errorf("output lacks %q:\n%s", tc.header, stdout.String())
			}
			total, failed := seriesCount(t, stdout.String())
			if total == 0 || failed != 0 {
				t.Fatalf("%d series, %d failed; want some series and no failure:\n%s", total, failed, stdout.String())
			}
			cached += total
			if want := fmt.Sprintf("%d forecasts in the cache", cached); !strings.Contains(stdout.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, stdout.String())
			}
			if want := fmt.Sprintf("forecast: %d/%d series", total, total); !strings.Contains(stderr.String(), want) {
				t.Errorf("progress lacks %q:\n%s", want, stderr.String())
			}

			rows := readForecastRows(t, out)
			if len(rows) != total {
				t.Fatalf("--out has %d rows, want %d", len(rows), total)
			}
			var ids []string
			for _, row := range rows {
				ids = append(ids, row.Key.ID)
				if err := tc.checkID(row.Key.ID); err != nil {
					t.Errorf("id %q: %v", row.Key.ID, err)
				}
				if len(row.Points) != 4 || len(row.History) == 0 || row.Model != "snaive" {
					t.Errorf("row %q: %d points, %d history buckets, model %q; want 4, some and snaive",
						row.Key.ID, len(row.Points), len(row.History), row.Model)
				}
			}
			slices.Sort(ids)
			if len(slices.Compact(ids)) != total {
				t.Errorf("--out repeats series ids: %q", ids)
			}
		})
	}
}

// TestForecastCommandCategoryRegionHistory checks the compound series
// against single series built from the store: each (category, state)
// history matches Build of its id, and a category's states sum to the
// category's series.
func TestForecastCommandCategoryRegionHistory(t *testing.T) {
	dir := newForecastDemoDir(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "forecasts.jsonl")
	a, _, stderr := newCapturingApp()
	err := runForecast(ctx, a, []string{"--data", dir, "--all", "--groupBy", "category,region", "--granularity", "month",
		"--horizon", "2", "--model", "snaive", "--workers", "2", "--out", out, "--log-level", "error"})
	if err != nil {
		t.Fatalf("forecast: %v\nstderr:\n%s", err, stderr.String())
	}
	rows := readForecastRows(t, out)

	store, err := storage.Open(storage.DefaultOptions(dir).WithReadOnly(true).WithLogger(discardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	b := series.NewBuilder(store)
	byCategory := map[string]map[int64]int64{}
	for _, row := range rows {
		s, err := b.Build(ctx, series.Query{Key: row.Key})
		if err != nil {
			t.Errorf("build %s: %v", row.Key, err)
			continue
		}
		if !slices.Equal(pointValues(s.Points), pointValues(row.History)) {
			t.Errorf("history of %q = %v, Build = %v", row.Key.ID, pointValues(row.History), pointValues(s.Points))
		}
		category, _, _ := series.ParseCategoryRegion(row.Key.ID)
		name := strings.Join(category, series.CategorySeparator)
		if byCategory[name] == nil {
			byCategory[name] = map[int64]int64{}
		}
		for _, p := range row.History {
			byCategory[name][p.Start.Unix()] += p.Value
		}
	}
	if len(byCategory) == 0 {
		t.Fatal("no category in the output")
	}
	for name, sums := range byCategory {
		s, err := b.Build(ctx, series.Query{Key: series.Key{Metric: series.Units, Group: series.Category, ID: name, Granularity: series.Month}})
		if err != nil {
			t.Errorf("build category %q: %v", name, err)
			continue
		}
		for _, p := range s.Points {
			if got := sums[p.Start.Unix()]; got != p.Value {
				t.Errorf("category %q, month %s: states sum to %d units, category series has %d",
					name, p.Start.Format(time.DateOnly), got, p.Value)
			}
		}
	}
}

func pointValues(points []series.Point) []int64 {
	out := make([]int64, len(points))
	for i, p := range points {
		out[i] = p.Value
	}
	return out
}

// forecastTableModels returns the model names of the rows of the eval
// forecast table in out, joined by commas.
func forecastTableModels(out string) string {
	var models []string
	header := false
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) > 0 && fields[0] == "model":
			header = true
		case header && len(fields) == 9:
			models = append(models, fields[0])
		default:
			header = false
		}
	}
	return strings.Join(models, ",")
}

func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func TestForecastCommandErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
		is   error
	}{
		{"unknown groupBy", []string{"--data", dir, "--all", "--groupBy", "brand"}, `invalid --groupBy: invalid group "brand"`, nil},
		{"reversed compound", []string{"--data", dir, "--all", "--groupBy", "region,category"}, `invalid group "region,category"`, nil},
		{"missing groupBy", []string{"--data", dir, "--all"}, "missing --groupBy", nil},
		{"horizon 0", []string{"--data", dir, "--all", "--groupBy", "region", "--horizon", "0"}, "invalid --horizon 0: use 1 to 365 buckets", nil},
		{"horizon too long", []string{"--data", dir, "--all", "--groupBy", "region", "--horizon", "366"}, "invalid --horizon 366", nil},
		{"missing data", []string{"--all", "--groupBy", "region"}, "missing --data", errMissingData},
		{"missing all", []string{"--data", dir, "--groupBy", "region"}, "missing --all", nil},
		{"bad region level", []string{"--data", dir, "--all", "--groupBy", "category,region", "--region-level", "street"}, `invalid --region-level "street"`, nil},
		{"workers 0", []string{"--data", dir, "--all", "--groupBy", "region", "--workers", "0"}, "invalid --workers 0", nil},
		{"bad from", []string{"--data", dir, "--all", "--groupBy", "region", "--from", "2018/01/01"}, `invalid --from "2018/01/01"`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _, _ := newCapturingApp()
			err := runForecast(context.Background(), a, append(tc.args, "--log-level", "error"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error = %v, want it to wrap %v", err, tc.is)
			}
		})
	}
}

func TestEvalForecastStore(t *testing.T) {
	dir := newForecastDemoDir(t)
	report := filepath.Join(t.TempDir(), "report.json")
	a, stdout, stderr := newCapturingApp()
	err := runTarget(context.Background(), a, "eval", evalTargets(), []string{"forecast", "--data", dir,
		"--groupBy", "category,region", "--granularity", "week", "--horizon", "4", "--models", "snaive,ets",
		"--workers", "2", "--out", report, "--log-level", "error"})
	if err != nil {
		t.Fatalf("eval forecast --data: %v\nstderr:\n%s", err, stderr.String())
	}
	out := stdout.String()
	m := regexp.MustCompile(`(?m)^(\d+) UNITS series by CATEGORY_REGION per WEEK from `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output lacks the series count line:\n%s", out)
	}
	count, _ := strconv.Atoi(m[1])
	if count == 0 {
		t.Fatalf("no series evaluated:\n%s", out)
	}
	for _, want := range []string{"horizon 4, season 52; means over series", "sMAPE"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got := forecastTableModels(out); got != "snaive,ets" {
		t.Errorf("table rows %s, want snaive,ets:\n%s", got, out)
	}

	var r struct {
		Rows []struct {
			SeriesID string `json:"series_id"`
			Model    string `json:"model"`
		} `json:"rows"`
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("read --out report: %v", err)
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("--out report is not JSON: %v", err)
	}
	if len(r.Rows) != 2*count {
		t.Errorf("report has %d rows, want %d (2 models x %d series)", len(r.Rows), 2*count, count)
	}
	for _, row := range r.Rows {
		if _, _, err := series.ParseCategoryRegion(row.SeriesID); err != nil {
			t.Errorf("report row %s: %v", row.Model, err)
		}
	}
}

// writeSeriesCSV writes two daily series of 42 values with a byte order
// mark and CRLF line endings: a weekly pattern and a linear trend.
func writeSeriesCSV(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("\xef\xbb\xbfseries_id,date,value\r\n")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 42 {
		day := start.AddDate(0, 0, i).Format(time.DateOnly)
		fmt.Fprintf(&b, "weekly,%s,%d\r\n", day, []int{5, 7, 6, 8, 12, 20, 3}[i%7])
		fmt.Fprintf(&b, "trend,%s,%d\r\n", day, 10+i)
	}
	path := filepath.Join(t.TempDir(), "series.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEvalForecastSeriesFile(t *testing.T) {
	path := writeSeriesCSV(t)
	report := filepath.Join(t.TempDir(), "report.json")
	a, stdout, stderr := newCapturingApp()
	err := runTarget(context.Background(), a, "eval", evalTargets(), []string{"forecast", "--series", path,
		"--horizon", "7", "--models", "snaive,ets", "--out", report, "--log-level", "error"})
	if err != nil {
		t.Fatalf("eval forecast --series: %v\nstderr:\n%s", err, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "horizon 7, season 7; means over series") {
		t.Errorf("output lacks the horizon and season:\n%s", out)
	}
	if got := forecastTableModels(out); got != "snaive,ets" {
		t.Errorf("table rows %s, want snaive,ets:\n%s", got, out)
	}
	for _, model := range []string{"snaive", "ets"} {
		row := regexp.MustCompile(`(?m)^` + model + `\s+(\d+)\s+(\d+)\s`).FindStringSubmatch(out)
		if row == nil || row[1] != "2" || row[2] != "0" {
			t.Errorf("%s row = %q, want 2 series and 0 failed:\n%s", model, row, out)
		}
	}

	var r struct {
		Rows []struct {
			SeriesID string   `json:"series_id"`
			Model    string   `json:"model"`
			SMAPE    *float64 `json:"smape"`
			Error    string   `json:"error"`
		} `json:"rows"`
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("read --out report: %v", err)
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("--out report is not JSON: %v", err)
	}
	var got []string
	for _, row := range r.Rows {
		got = append(got, row.SeriesID+"/"+row.Model)
		if row.Error != "" {
			t.Errorf("row %s/%s failed: %s", row.SeriesID, row.Model, row.Error)
		}
	}
	// The byte order mark would otherwise be part of the first series id.
	want := []string{"weekly/snaive", "weekly/ets", "trend/snaive", "trend/ets"}
	if !slices.Equal(got, want) {
		t.Errorf("report rows %q, want %q", got, want)
	}
	// Seasonal naive repeats the last week, which the weekly series repeats
	// exactly.
	if r.Rows[0].SMAPE == nil || *r.Rows[0].SMAPE != 0 {
		t.Errorf("weekly/snaive sMAPE = %v, want 0", r.Rows[0].SMAPE)
	}
}

func TestEvalForecastErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown groupBy", []string{"--data", dir, "--groupBy", "brand"}, `invalid --groupBy: invalid group "brand"`},
		{"missing groupBy", []string{"--data", dir}, "missing --groupBy"},
		{"horizon 0", []string{"--data", dir, "--groupBy", "region", "--horizon", "0"}, "invalid --horizon 0"},
		{"missing input", []string{"--groupBy", "region"}, "missing input: pass --series FILE or --data DIR"},
		{"both inputs", []string{"--series", "x.csv", "--data", dir}, "both --series and --data are set"},
		{"missing series file", []string{"--series", filepath.Join(dir, "none.csv")}, "opening series file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _, _ := newCapturingApp()
			err := runTarget(context.Background(), a, "eval", evalTargets(), append(append([]string{"forecast"}, tc.args...), "--log-level", "error"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
