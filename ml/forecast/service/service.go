// Package service serves sales forecasts and anomalies over a store: it
// builds series with package series, fits the models of ml/forecast,
// caches fitted forecasts in Badger (key family 0x05), and follows the
// store's change log to invalidate cached forecasts and re-run anomaly
// detection on watched series when orders change.
//
// Backtest: the model is refitted at up to BacktestOrigins rolling origins;
// origin k trains on all but the last k*h values and is scored on the next
// h. MAE and RMSE pool every held-out point; sMAPE and MASE are means over
// the origins. Origins need a training part of at least max(8, 2*season)
// values, so a short series gets fewer origins or no backtest.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopsight/shopsight/ml/forecast"
	"github.com/shopsight/shopsight/ml/forecast/auto"
	"github.com/shopsight/shopsight/ml/forecast/series"
	"github.com/shopsight/shopsight/storage"
)

// MaxHorizon is the longest forecast horizon accepted, in buckets.
const MaxHorizon = 365

// Model names accepted in requests.
const (
	ModelAuto          = "auto"
	ModelSeasonalNaive = "snaive"
	ModelETS           = "ets"
	ModelARIMA         = "arima"
	ModelLSTM          = "lstm"
)

// Service forecasts and scans series of one store. Its methods are safe
// for concurrent use.
type Service struct {
	store   *storage.Store
	builder *series.Builder
	opts    Options
	log     *slog.Logger

	fits atomic.Int64

	// mu guards cache, watched and applied.
	mu sync.Mutex
	// cache maps the Badger key of each cached forecast to its range.
	cache map[string]cacheMeta
	// watched maps the Badger key of each watched series to its request.
	watched map[string]watchMeta
	// applied is the last change log sequence number the follower applied.
	applied uint64

	stop chan struct{}
	done chan struct{}
}

// Open returns a Service over store. Unless opts.ReadOnly is set, it loads
// the cache index from Badger. A store without a follower cursor gets an
// empty cache, because its entries may predate unapplied changes.
// NOTE: a cursor older than a trimmed change log is not detected.
func Open(ctx context.Context, store *storage.Store, opts Options) (*Service, error) {
	if store == nil {
		return nil, errors.New("open forecast service: store is nil")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.TimeZone == "" {
		opts.TimeZone = "UTC"
	}
	if _, err := series.LoadZone(opts.TimeZone); err != nil {
		return nil, fmt.Errorf("open forecast service: %w", err)
	}
	if opts.PollInterval <= 0 {
		return nil, fmt.Errorf("open forecast service: poll interval %s must be positive", opts.PollInterval)
	}
	s := &Service{
		store: store, builder: series.NewBuilder(store), opts: opts, log: opts.Logger,
		cache: map[string]cacheMeta{}, watched: map[string]watchMeta{},
	}
	if !opts.ReadOnly {
		if err := s.load(ctx); err != nil {
			return nil, fmt.Errorf("open forecast service: %w", err)
		}
	}
	return s, nil
}

// Fits returns the number of forecasts fitted so far (cache misses).
func (s *Service) Fits() int64 { return s.fits.Load() }

// Builder returns the series builder over the service's store.
func (s *Service) Builder() *series.Builder { return s.builder }

// key fills in the default time zone and canonical id.
func (s *Service) key(k series.Key) series.Key {
	if k.TimeZone == "" {
		k.TimeZone = s.opts.TimeZone
	}
	return k.Normalized()
}

// Series returns the series q selects; see series.Builder.Build.
func (s *Service) Series(ctx context.Context, q series.Query) (*series.Series, error) {
	q.Key = s.key(q.Key)
	return s.builder.Build(ctx, q)
}

// ForecastRequest is a request for a forecast of one series.
type ForecastRequest struct {
	series.Key
	// Model is "auto", "snaive", "ets", "arima" or "lstm".
	Model string
	// Horizon is the number of buckets forecast, 1 to MaxHorizon.
	Horizon int
	// From, when set, starts the history at its bucket.
	From time.Time
}

// ForecastPoint is the forecast of one future bucket.
type ForecastPoint struct {
	Start   time.Time `json:"start"`
	Mean    float64   `json:"mean"`
	Lower80 float64   `json:"lower80"`
	Upper80 float64   `json:"upper80"`
	Lower95 float64   `json:"lower95"`
	Upper95 float64   `json:"upper95"`
}

// Parameter is one fitted parameter.
type Parameter struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// Backtest is the rolling-origin accuracy of the requested model. MASE is
// NaN when the training windows are constant.
type Backtest struct {
	Origins int           `json:"origins"`
	MAE     float64       `json:"mae"`
	RMSE    float64       `json:"rmse"`
	SMAPE   float64       `json:"smape"`
	MASE    NullableFloat `json:"mase"`
}

// Forecast is a fitted forecast.
type Forecast struct {
	Key series.Key `json:"key"`
	// Model is the requested model name; Fitted the form chosen, such as
	// "ETS(A,N,A)".
	Model      string          `json:"model"`
	Fitted     string          `json:"fitted"`
	Season     int             `json:"season"`
	Parameters []Parameter     `json:"parameters"`
	Points     []ForecastPoint `json:"points"`
	History    []series.Point  `json:"history"`
	Backtest   *Backtest       `json:"backtest,omitempty"`
	FittedAt   time.Time       `json:"fittedAt"`
	// Cached reports that the forecast came from the cache.
	Cached bool `json:"-"`
}

// Models returns the model names requests accept.
func Models() []string {
	return []string{ModelAuto, ModelSeasonalNaive, ModelETS, ModelARIMA, ModelLSTM}
}

// model returns the forecaster for name. LSTM is served when package auto
// registers it.
func model(name string) (forecast.Forecaster, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if !slices.Contains(Models(), name) {
		return nil, &series.InputError{Field: "model", Err: fmt.Errorf("invalid model %q: use one of %s", name, strings.Join(Models(), ", "))}
	}
	m, err := auto.ByName(name)
	if err != nil {
		if name == ModelLSTM {
			return nil, &series.InputError{Field: "model", Err: fmt.Errorf("model LSTM is unavailable in this build: choose AUTO, SEASONAL_NAIVE, ETS or ARIMA: %w", err)}
		}
		return nil, fmt.Errorf("load model %q: %w", name, err)
	}
	return m, nil
}

func (s *Service) checkRequest(req *ForecastRequest) error {
	req.Key = s.key(req.Key)
	if req.Model == "" {
		req.Model = ModelAuto
	}
	req.Model = strings.ToLower(req.Model)
	if req.Horizon < 1 || req.Horizon > MaxHorizon {
		return &series.InputError{Field: "horizon", Err: fmt.Errorf("invalid horizon %d: use 1 to %d buckets", req.Horizon, MaxHorizon)}
	}
	if err := req.Key.Validate(); err != nil {
		return err
	}
	_, err := model(req.Model)
	return err
}

// Forecast returns the forecast that req describes, from the cache when a valid
// entry exists, else fitted and cached.
func (s *Service) Forecast(ctx context.Context, req ForecastRequest) (*Forecast, error) {
	if err := s.checkRequest(&req); err != nil {
		return nil, err
	}
	ck := cacheKey(req)
	if f, ok, err := s.cached(ck); err != nil {
		s.log.Warn("reading cached forecast failed; refitting", "key", req.Key.String(), "err", err)
	} else if ok {
		return f, nil
	}
	readSeq, err := s.store.LastSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("read change log position: %w", err)
	}
	ser, err := s.builder.Build(ctx, series.Query{Key: req.Key, From: req.From})
	if err != nil {
		return nil, err
	}
	f, err := s.fit(ctx, ser, req)
	if err != nil {
		return nil, err
	}
	s.putCache(ck, req, ser, f, readSeq)
	return f, nil
}

// fit fits req.Model to ser and backtests it.
func (s *Service) fit(ctx context.Context, ser *series.Series, req ForecastRequest) (*Forecast, error) {
	m, err := model(req.Model)
	if err != nil {
		return nil, err
	}
	loc, _ := series.LoadZone(req.TimeZone)
	// Every metric is non-negative, so forecasts are clipped at 0.
	in := forecast.Series{Values: ser.Float(), Season: ser.Season, Count: true}
	s.fits.Add(1)
	r, err := m.Forecast(ctx, in, req.Horizon)
	if err != nil {
		return nil, fmt.Errorf("fit %s to series %s: %w", req.Model, req.Key, err)
	}
	f := &Forecast{
		Key: req.Key, Model: req.Model, Fitted: r.Model, Season: ser.Season,
		History: ser.Points, FittedAt: time.Now().UTC(),
	}
	for _, name := range slices.Sorted(maps.Keys(r.Params)) {
		f.Parameters = append(f.Parameters, Parameter{Name: name, Value: r.Params[name]})
	}
	if _, ok := r.Params["sigma"]; !ok {
		f.Parameters = append(f.Parameters, Parameter{Name: "sigma", Value: r.Sigma})
	}
	if r.AICc != 0 && !math.IsNaN(r.AICc) && !math.IsInf(r.AICc, 0) {
		f.Parameters = append(f.Parameters, Parameter{Name: "aicc", Value: r.AICc})
	}
	next := ser.First + int64(len(ser.Points))
	for i := range r.Mean {
		f.Points = append(f.Points, ForecastPoint{
			Start: ser.Key.Granularity.Start(next+int64(i), loc),
			Mean:  r.Mean[i], Lower80: r.Lower80[i], Upper80: r.Upper80[i], Lower95: r.Lower95[i], Upper95: r.Upper95[i],
		})
	}
	backtested := m
	if sp, ok := m.(forecast.Specializer); ok {
		if fixed, ok := sp.Specialize(r); ok {
			backtested = fixed
		}
	}
	// A model that fits the whole series can still fail on the shorter
	// training sets of the backtest. The forecast is kept and the backtest
	// is left out.
	bt, err := backtest(ctx, backtested, in, req.Horizon, s.opts.BacktestOrigins)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s.log.Warn("backtest failed; returning the forecast without one", "model", req.Model, "series", req.Key.String(), "err", err)
		bt = nil
	}
	f.Backtest = bt
	return f, nil
}
