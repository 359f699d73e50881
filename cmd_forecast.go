package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shopsight/shopsight/ml/forecast/series"
	forecastsvc "github.com/shopsight/shopsight/ml/forecast/service"
	"github.com/shopsight/shopsight/storage"
)

func forecastCommand() command {
	return command{
		name:    "forecast",
		summary: "forecast every series of a grouping and fill the forecast cache",
		run:     runForecast,
	}
}

// openForecast opens the forecast service over store and starts its change
// log follower.
func openForecast(ctx context.Context, store *storage.Store, logger *slog.Logger) (*forecastsvc.Service, error) {
	svc, err := forecastsvc.Open(ctx, store, forecastsvc.DefaultOptions().WithLogger(logger))
	if err != nil {
		return nil, err
	}
	svc.Start(ctx)
	return svc, nil
}

func closeForecast(svc *forecastsvc.Service, logger *slog.Logger) {
	if err := svc.Close(); err != nil {
		logger.Error("closing the forecast service failed", "err", err)
	}
}

// seriesFlags are the flags that select the series of one grouping.
type seriesFlags struct {
	group, metric, granularity, zone string
	regionLevel                      string
	from, to                         string
}

func (f *seriesFlags) register(fs interface {
	StringVar(p *string, name, value, usage string)
}) {
	fs.StringVar(&f.group, "groupBy", "", "grouping: region, category, product, seller, all, or category,region for every "+
		"(category, region) pair with orders, with series ids such as \"electronics > phones @ BR-SP\" (required)")
	fs.StringVar(&f.metric, "metric", "units", "measure per bucket: units, revenue, orders or customers")
	fs.StringVar(&f.granularity, "granularity", "day", "bucket length: day, week (ISO) or month")
	fs.StringVar(&f.zone, "time-zone", "UTC", "IANA time zone whose calendar defines buckets, such as America/Sao_Paulo")
	fs.StringVar(&f.regionLevel, "region-level", "state", "with --groupBy region or category,region: country, state or city")
	fs.StringVar(&f.from, "from", "", "first day of the history, YYYY-MM-DD in --time-zone (default: each series' first order)")
	fs.StringVar(&f.to, "to", "", "day after the last day of the history, YYYY-MM-DD in --time-zone (default: after the store's newest order)")
}

func (f *seriesFlags) options() (series.AllOptions, error) {
	var o series.AllOptions
	var err error
	if f.group == "" {
		return o, errors.New("missing --groupBy: pass region, category, product, seller, category,region or all")
	}
	if o.Group, err = series.ParseGroup(f.group); err != nil {
		return o, fmt.Errorf("invalid --groupBy: %w", err)
	}
	if o.Metric, err = series.ParseMetric(f.metric); err != nil {
		return o, fmt.Errorf("invalid --metric: %w", err)
	}
	if o.Granularity, err = series.ParseGranularity(f.granularity); err != nil {
		return o, fmt.Errorf("invalid --granularity: %w", err)
	}
	if _, err := series.LoadZone(f.zone); err != nil {
		return o, fmt.Errorf("invalid --time-zone: %w", err)
	}
	o.TimeZone = f.zone
	loc, _ := series.LoadZone(f.zone)
	for _, b := range []struct {
		name, value string
		dst         *time.Time
	}{{"from", f.from, &o.From}, {"to", f.to, &o.To}} {
		if b.value == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, b.value, loc)
		if err != nil {
			return o, fmt.Errorf("invalid --%s %q: use YYYY-MM-DD: %w", b.name, b.value, err)
		}
		*b.dst = t
	}
	levels := map[string]int{"country": 1, "state": 2, "city": 3}
	level, ok := levels[strings.ToLower(f.regionLevel)]
	if !ok {
		return o, fmt.Errorf("invalid --region-level %q: use country, state or city", f.regionLevel)
	}
	if o.Group == series.Region || o.Group == series.CategoryRegion {
		o.RegionLevel = level
	}
	return o, nil
}

func runForecast(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "forecast", "forecast --data DIR --all --groupBy G [--metric M] [--granularity day] [--horizon 28] [--model auto] [--workers N] [--time-zone Z] [--out FILE]\n\n"+
		"--groupBy category,region forecasts each (category, region) pair; its series ids are\n"+
		"\"<category path> @ <region id>\", such as \"electronics > phones @ BR-SP\", at --region-level.")
	var lf logFlags
	lf.register(fs)
	var sf seriesFlags
	sf.register(fs)
	dataDir := fs.String("data", "", "data directory of the store (required)")
	all := fs.Bool("all", false, "forecast every series of --groupBy (required: the only mode)")
	horizon := fs.Int("horizon", 28, fmt.Sprintf("buckets to forecast, 1 to %d", forecastsvc.MaxHorizon))
	modelName := fs.String("model", "auto", "model: auto, snaive, ets, arima or lstm")
	workers := fs.Int("workers", runtime.NumCPU(), "series fitted in parallel")
	out := fs.String("out", "", "write one JSON forecast per line to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := lf.newLogger(a.stderr)
	if err != nil {
		return err
	}
	if *dataDir == "" {
		fs.Usage()
		return errMissingData
	}
	if !*all {
		return errors.New("missing --all: forecast forecasts every series of --groupBy; use the GraphQL forecast field for one series")
	}
	if *workers < 1 {
		return fmt.Errorf("invalid --workers %d: use at least 1", *workers)
	}
	if *horizon < 1 || *horizon > forecastsvc.MaxHorizon {
		return fmt.Errorf("invalid --horizon %d: use 1 to %d buckets", *horizon, forecastsvc.MaxHorizon)
	}
	opts, err := sf.options()
	if err != nil {
		return err
	}
	store, err := storage.Open(storeOptions(*dataDir, logger).WithMustExist(true))
	if err != nil {
		return err
	}
	defer closeStore(store, logger)
	svc, err := forecastsvc.Open(ctx, store, forecastsvc.DefaultOptions().WithLogger(logger))
	if err != nil {
		return err
	}
	defer closeForecast(svc, logger)

	var enc *json.Encoder
	if *out != "" {
		file, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("create --out file: %w", err)
		}
		defer file.Close()
		w := bufio.NewWriter(file)
		defer w.Flush()
		enc = json.NewEncoder(w)
	}
	var writeErr error
	var mu sync.Mutex
	start := time.Now()
	lastReport := start
	req := forecastsvc.BatchRequest{AllOptions: opts, Model: *modelName, Horizon: *horizon, Workers: *workers,
		Progress: func(done, total int) {
			if now := time.Now(); now.Sub(lastReport) >= time.Second || done == total {
				lastReport = now
				rate := float64(done) / now.Sub(start).Seconds()
				fmt.Fprintf(a.stderr, "\rforecast: %d/%d series, %.1f series/s", done, total, rate)
				if done == total {
					fmt.Fprintln(a.stderr)
				}
			}
		},
		Result: func(key series.Key, f *forecastsvc.Forecast, err error) {
			if err != nil {
				logger.Warn("forecasting a series failed", "series", key.String(), "err", err)
				return
			}
			if enc != nil {
				mu.Lock()
				if e := enc.Encode(f); e != nil && writeErr == nil {
					writeErr = fmt.Errorf("write --out file: %w", e)
				}
				mu.Unlock()
			}
		}}
	summary, err := svc.ForecastAll(ctx, req)
	if err != nil {
		return err
	}
	if writeErr != nil {
		return writeErr
	}
	fmt.Fprintf(a.stdout, "forecast %s by %s per %s, horizon %d, model %s, time zone %s\n",
		opts.Metric, opts.Group, opts.Granularity, *horizon, *modelName, opts.TimeZone)
	fmt.Fprintf(a.stdout, "%d series (%d failed), %d history buckets in %.2f s (%.1f series/s, %d workers)\n",
		summary.Series, summary.Failed, summary.Points, summary.Elapsed.Seconds(),
		float64(summary.Series)/summary.Elapsed.Seconds(), *workers)
	forms := make([]string, 0, len(summary.Fitted))
	for form := range summary.Fitted {
		forms = append(forms, form)
	}
	sort.Slice(forms, func(i, j int) bool { return summary.Fitted[forms[i]] > summary.Fitted[forms[j]] })
	for i, form := range forms {
		if i == 10 {
			fmt.Fprintf(a.stdout, "  ... %d more forms\n", len(forms)-10)
			break
		}
		fmt.Fprintf(a.stdout, "  %5d  %s\n", summary.Fitted[form], form)
	}
	fmt.Fprintf(a.stdout, "%d forecasts in the cache\n", svc.CachedForecasts())
	return nil
}
