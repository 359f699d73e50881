package service

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/shopsight/shopsight/ml/forecast/series"
)

// BatchRequest is a request to forecast every series of one group.
type BatchRequest struct {
	series.AllOptions
	Model   string
	Horizon int
	// Workers is the number of series fitted at the same time.
	Workers int
	// Progress, when set, is called after each series with the number
	// done and the total.
	Progress func(done, total int)
	// Result, when set, receives each forecast (or the error on its
	// series) from the worker goroutines, one call at a time.
	Result func(key series.Key, f *Forecast, err error)
}

// BatchSummary describes a finished batch.
type BatchSummary struct {
	Series int
	Failed int
	// Points is the number of history buckets over all series.
	Points  int
	Elapsed time.Duration
	// Fitted counts the chosen forms, such as "ETS(A,N,A)", by name.
	Fitted map[string]int
}

// ForecastAll builds every series of the request's group in one scan of the
// orders and forecasts them on Workers goroutines, writing each forecast to
// the cache. A failure on one series is counted and passed to Result; it
// does not stop the batch.
func (s *Service) ForecastAll(ctx context.Context, req BatchRequest) (*BatchSummary, error) {
	start := time.Now()
	if req.TimeZone == "" {
		req.TimeZone = s.opts.TimeZone
	}
	probe := ForecastRequest{Key: series.Key{Metric: req.Metric, Group: series.All, Granularity: req.Granularity, TimeZone: req.TimeZone},
		Model: req.Model, Horizon: req.Horizon}
	if err := s.checkRequest(&probe); err != nil {
		return nil, err
	}
	req.Model = probe.Model
	readSeq, err := s.store.LastSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("read change log position: %w", err)
	}
	all, err := s.builder.BuildAll(ctx, req.AllOptions)
	if err != nil {
		return nil, err
	}
	summary := &BatchSummary{Series: len(all), Fitted: map[string]int{}}
	jobs := make(chan *series.Series)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for range max(req.Workers, 1) {
		wg.Go(func() {
			for ser := range jobs {
				fr := ForecastRequest{Key: ser.Key, Model: req.Model, Horizon: req.Horizon, From: req.From}
				f, err := s.fit(ctx, ser, fr)
				if err == nil {
					s.putCache(cacheKey(fr), fr, ser, f, readSeq)
				}
				mu.Lock()
				done++
				summary.Points += len(ser.Points)
				if err != nil {
					summary.Failed++
				} else {
					summary.Fitted[f.Fitted]++
				}
				if req.Result != nil {
					req.Result(ser.Key, f, err)
				}
				if req.Progress != nil {
					req.Progress(done, len(all))
				}
				mu.Unlock()
			}
		})
	}
	for _, ser := range all {
		if ctx.Err() != nil {
			break
		}
		jobs <- ser
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("forecast batch stopped after %d of %d series: %w", done, len(all), err)
	}
	summary.Elapsed = time.Since(start)
	return summary, nil
}
