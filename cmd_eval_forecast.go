package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/shopsight/shopsight/ml/forecast/auto"
	"github.com/shopsight/shopsight/ml/forecast/eval"
	"github.com/shopsight/shopsight/ml/forecast/series"
	"github.com/shopsight/shopsight/storage"
)

func runEvalForecast(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "eval forecast",
		"eval forecast (--series SERIES.csv | --data DIR --groupBy G [--granularity day] [--metric units] [--time-zone Z]) --horizon H [--season S] [--models LIST] [--out FILE] [--workers N]\n\n"+
			"--groupBy category,region evaluates each (category, region) pair; its series ids are\n"+
			"\"<category path> @ <region id>\", such as \"electronics > phones @ BR-SP\", at --region-level.")
	var lf logFlags
	lf.register(fs)
	var sf seriesFlags
	sf.register(fs)
	seriesFile := fs.String("series", "", "CSV file of series_id,date,value rows to evaluate")
	dataDir := fs.String("data", "", "store directory whose series of --groupBy to evaluate, instead of --series")
	horizon := fs.Int("horizon", 28, "values held out at the end of each series and forecast")
	season := fs.Int("season", 0, "seasonal period (default 7 for --series; with --data, the granularity's: 7, 52 or 12)")
	models := fs.String("models", "snaive,ets,arima,auto", "models to compare, comma-separated: "+strings.Join(auto.Names(), ", "))
	out := fs.String("out", "", "write the full report (per series and per model) as JSON to this file")
	workers := fs.Int("workers", runtime.NumCPU(), "series evaluated in parallel")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := lf.newLogger(a.stderr)
	if err != nil {
		return err
	}
	if *workers < 1 {
		return fmt.Errorf("invalid --workers %d: use at least 1", *workers)
	}
	if *horizon < 1 {
		return fmt.Errorf("invalid --horizon %d: hold out at least 1 value", *horizon)
	}
	opts := eval.DefaultOptions().WithHorizon(*horizon).WithWorkers(*workers).WithModels(splitList(*models)...)
	var report *eval.Report
	switch {
	case *seriesFile != "" && *dataDir != "":
		return errors.New("both --series and --data are set: evaluate either a series file or a store")
	case *seriesFile != "":
		if *season > 0 {
			opts = opts.WithSeason(*season)
		}
		report, err = eval.EvaluateFile(ctx, *seriesFile, opts)
	case *dataDir != "":
		allOpts, err := sf.options()
		if err != nil {
			return err
		}
		store, err := storage.Open(storage.DefaultOptions(*dataDir).WithReadOnly(true).WithLogger(logger).WithMustExist(true))
		if err != nil {
			return err
		}
		defer closeStore(store, logger)
		all, err := series.NewBuilder(store).BuildAll(ctx, allOpts)
		if err != nil {
			return err
		}
		opts = opts.WithSeason(allOpts.Granularity.Season()).WithCount(true)
		if *season > 0 {
			opts = opts.WithSeason(*season)
		}
		in := make([]eval.Series, len(all))
		for i, s := range all {
			in[i] = eval.Series{ID: s.Key.ID, Values: s.Float()}
		}
		fmt.Fprintf(a.stdout, "%d %s series by %s per %s from %s\n", len(in), allOpts.Metric, allOpts.Group, allOpts.Granularity, *dataDir)
		report, err = eval.Evaluate(ctx, in, opts)
		if err != nil {
			return err
		}
	default:
		return errors.New("missing input: pass --series FILE or --data DIR")
	}
	if err != nil {
		return err
	}
	printForecastReport(a.stdout, report)
	if *out != "" {
		return report.WriteJSON(*out)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func printForecastReport(w io.Writer, r *eval.Report) {
	fmt.Fprintf(w, "horizon %d, season %d; means over series\n", r.Horizon, r.Season)
	fmt.Fprintf(w, "%-14s %7s %6s %8s %8s %8s %7s %7s %10s\n", "model", "series", "failed", "sMAPE", "MASE", "RMSSE", "cov80", "cov95", "s/series")
	for _, s := range r.Summaries {
		fmt.Fprintf(w, "%-14s %7d %6d %8.2f %8.3f %8.3f %7.3f %7.3f %10.4f\n", s.Model, s.Series, s.Failed,
			float64(s.SMAPE), float64(s.MASE), float64(s.RMSSE), float64(s.Coverage80), float64(s.Coverage95), s.SecondsPerSeries)
	}
}
