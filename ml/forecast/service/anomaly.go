package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/anomaly"
	"github.com/shopsight/shopsight/ml/forecast/ets"
	"github.com/shopsight/shopsight/ml/forecast/series"
)

// Anomaly detection methods.
const (
	// MethodInterval flags points outside the one-step-ahead 95 %
	// interval of an ETS model fitted to the history.
	MethodInterval = "INTERVAL"
	// MethodRobust flags points whose remainder after a robust seasonal
	// decomposition is more than AnomalyThreshold MADs from the median.
	MethodRobust = "ROBUST"
	// MethodGESD applies the generalized ESD test to that remainder.
	MethodGESD = "GESD"
)

// AnomalyRequest asks for the anomalies of one series in a range.
type AnomalyRequest struct {
	series.Key
	From, To time.Time
	// Method is INTERVAL, ROBUST (the default) or GESD.
	Method string
}

// Anomaly is one flagged bucket.
type Anomaly struct {
	Start    time.Time `json:"start"`
	Value    float64   `json:"value"`
	Expected float64   `json:"expected"`
	// Score is the distance from Expected in the method's scale (residual
	// standard deviations, robust standard deviations or the GESD statistic).
	Score     float64 `json:"score"`
	Direction string  `json:"direction"`
}

func checkMethod(method string) (string, error) {
	if method == "" {
		return MethodRobust, nil
	}
	m := strings.ToUpper(method)
	if m != MethodInterval && m != MethodRobust && m != MethodGESD {
		return "", &series.InputError{Field: "method", Err: fmt.Errorf("invalid anomaly method %q: use INTERVAL, ROBUST or GESD", method)}
	}
	return m, nil
}

// Anomalies returns the anomalies of the series req selects, detected on
// the buckets of the requested range only.
func (s *Service) Anomalies(ctx context.Context, req AnomalyRequest) ([]Anomaly, error) {
	method, err := checkMethod(req.Method)
	if err != nil {
		return nil, err
	}
	ser, err := s.Series(ctx, series.Query{Key: req.Key, From: req.From, To: req.To})
	if err != nil {
		return nil, err
	}
	return s.detect(ctx, ser, method)
}

func (s *Service) detect(ctx context.Context, ser *series.Series, method string) ([]Anomaly, error) {
	y := ser.Float()
	var found []anomaly.Anomaly
	var err error
	switch method {
	case MethodInterval:
		in := forecast.Series{Values: y, Season: ser.Season, Count: true}
		found, err = anomaly.WithModel(ctx, ets.New(ets.DefaultOptions()), in, s.opts.IntervalZ)
	case MethodGESD:
		found, err = anomaly.Robust(y, anomaly.DefaultOptions().WithMethod(anomaly.GESD).WithSeason(ser.Season))
	default:
		found, err = anomaly.Robust(y, anomaly.DefaultOptions().WithSeason(ser.Season).WithThreshold(s.opts.AnomalyThreshold))
	}
	if err != nil {
		return nil, fmt.Errorf("detect anomalies with %s on series %s: %w", method, ser.Key, err)
	}
	out := make([]Anomaly, len(found))
	for i, a := range found {
		out[i] = Anomaly{Start: ser.Points[a.Index].Start, Value: a.Value, Expected: a.Expected, Score: a.Score, Direction: string(a.Direction)}
	}
	return out, nil
}

// watchMeta is the in-memory state of a watched series.
type watchMeta struct {
	Key    series.Key
	Method string
	// End is the instant after the last bucket at the latest detection.
	End time.Time
	// Dirty marks a series whose orders changed since that detection.
	Dirty bool
}

// Watched is a watched series and its latest anomalies.
type Watched struct {
	Key       series.Key `json:"key"`
	Method    string     `json:"method"`
	End       time.Time  `json:"end"`
	Anomalies []Anomaly  `json:"anomalies"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

type watchEntry = Watched

func watchKey(k series.Key, method string) string {
	return joinKey(watchPrefix, string(k.Metric), string(k.Group), k.ID, string(k.Granularity), k.TimeZone, method)
}

// Watch adds a series to the watched set and runs detection on its whole
// history; the follower re-runs it whenever the series' orders change.
// Watching a watched series again returns its stored result.
func (s *Service) Watch(ctx context.Context, key series.Key, method string) (*Watched, error) {
	if s.opts.ReadOnly {
		return nil, fmt.Errorf("watch series %s: the forecast service is read-only", key)
	}
	method, err := checkMethod(method)
	if err != nil {
		return nil, err
	}
	key = s.key(key)
	if err := key.Validate(); err != nil {
		return nil, err
	}
	wk := watchKey(key, method)
	s.mu.Lock()
	_, exists := s.watched[wk]
	full := len(s.watched) >= s.opts.MaxWatched
	s.mu.Unlock()
	if exists {
		return s.readWatched(wk)
	}
	if full {
		return nil, &series.InputError{Field: "id", Err: fmt.Errorf("cannot watch series %s: %d series are watched already, the maximum", key, s.opts.MaxWatched)}
	}
	return s.detectWatched(ctx, wk, watchMeta{Key: key, Method: method})
}

// detectWatched runs detection for one watched series and stores the result.
func (s *Service) detectWatched(ctx context.Context, wk string, w watchMeta) (*Watched, error) {
	ser, err := s.builder.Build(ctx, series.Query{Key: w.Key})
	if err != nil {
		return nil, err
	}
	found, err := s.detect(ctx, ser, w.Method)
	if err != nil {
		return nil, err
	}
	loc, _ := series.LoadZone(w.Key.TimeZone)
	e := Watched{Key: w.Key, Method: w.Method, End: ser.End(loc), Anomalies: found, UpdatedAt: time.Now().UTC()}
	raw, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode anomalies of %s: %w", w.Key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.store.DB().Update(func(txn *badger.Txn) error { return txn.Set([]byte(wk), raw) }); err != nil {
		return nil, fmt.Errorf("store anomalies of %s: %w", w.Key, err)
	}
	// A change applied while detection ran has set Dirty again; keep it.
	dirty := s.watched[wk].Dirty
	s.watched[wk] = watchMeta{Key: w.Key, Method: w.Method, End: e.End, Dirty: dirty}
	return &e, nil
}

func (s *Service) readWatched(wk string) (*Watched, error) {
	var e Watched
	err := s.store.DB().View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(wk))
		if err != nil {
			return err
		}
		return item.Value(func(raw []byte) error { return json.Unmarshal(raw, &e) })
	})
	if err != nil {
		return nil, fmt.Errorf("read watched series: %w", err)
	}
	return &e, nil
}

// refreshWatched re-runs detection on every dirty watched series.
func (s *Service) refreshWatched(ctx context.Context) error {
	s.mu.Lock()
	var dirty []string
	for wk, w := range s.watched {
		if w.Dirty {
			dirty = append(dirty, wk)
			w.Dirty = false
			s.watched[wk] = w
		}
	}
	s.mu.Unlock()
	slices.Sort(dirty)
	for _, wk := range dirty {
		s.mu.Lock()
		w := s.watched[wk]
		s.mu.Unlock()
		if _, err := s.detectWatched(ctx, wk, w); err != nil {
			s.log.Error("re-running anomaly detection on a watched series failed", "series", w.Key.String(), "method", w.Method, "err", err)
		}
	}
	return nil
}

// WatchedAnomalies returns every watched series with its latest anomalies,
// ordered by key.
func (s *Service) WatchedAnomalies(ctx context.Context) ([]Watched, error) {
	if s.opts.ReadOnly {
		return nil, nil
	}
	var out []Watched
	err := s.store.DB().View(func(txn *badger.Txn) error {
		return scanJSON(txn, watchPrefix, func(_ string, e *Watched) { out = append(out, *e) })
	})
	if err != nil {
		return nil, fmt.Errorf("read watched series: %w", err)
	}
	return out, nil
}
