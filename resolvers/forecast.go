package resolvers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/shopsight/shopsight/graph/errcode"
	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/ml/forecast/series"
	forecastsvc "github.com/shopsight/shopsight/ml/forecast/service"
)

// forecastModels maps ForecastModel values to service model names.
var forecastModels = map[model.ForecastModel]string{
	model.ForecastModelAuto:          forecastsvc.ModelAuto,
	model.ForecastModelSeasonalNaive: forecastsvc.ModelSeasonalNaive,
	model.ForecastModelEts:           forecastsvc.ModelETS,
	model.ForecastModelArima:         forecastsvc.ModelARIMA,
	model.ForecastModelLstm:          forecastsvc.ModelLSTM,
}

func (r *Resolver) forecaster() (*forecastsvc.Service, error) {
	if r.opts.Forecast != nil {
		if svc := r.opts.Forecast(); svc != nil {
			return svc, nil
		}
	}
	return nil, &errcode.Error{Code: errcode.Internal, Message: "forecast service unavailable",
		Err: errors.New("the forecast service is not open: the server was started without one")}
}

// forecastError maps service errors: invalid input to BAD_USER_INPUT on
// its field, everything else to INTERNAL.
func forecastError(err error, action string) error {
	var ie *series.InputError
	if errors.As(err, &ie) {
		return errcode.BadInputWrap(ie.Field, err)
	}
	return &errcode.Error{Code: errcode.Internal, Message: "internal error", Err: fmt.Errorf("%s: %w", action, err)}
}

func seriesKey(metric model.SeriesMetric, groupBy model.SeriesGroup, id *string, granularity model.ForecastGranularity, timeZone *string) series.Key {
	k := series.Key{Metric: series.Metric(metric), Group: series.Group(groupBy), Granularity: series.Granularity(granularity)}
	if id != nil {
		k.ID = *id
	}
	if timeZone != nil {
		k.TimeZone = *timeZone
	}
	return k
}

func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func seriesPoints(m series.Metric, points []series.Point) []*model.SeriesPoint {
	out := make([]*model.SeriesPoint, len(points))
	for i, p := range points {
		out[i] = &model.SeriesPoint{Start: p.Start, Value: series.ValueFloat(m, p.Value)}
	}
	return out
}

func (r *queryResolver) TimeSeries(ctx context.Context, metric model.SeriesMetric, groupBy model.SeriesGroup, id *string,
	granularity model.ForecastGranularity, from *time.Time, to *time.Time, timeZone *string) (*model.TimeSeries, error) {
	if err := requireAggregates(ctx); err != nil {
		return nil, err
	}
	svc, err := r.forecaster()
	if err != nil {
		return nil, err
	}
	q := series.Query{Key: seriesKey(metric, groupBy, id, granularity, timeZone), From: timeOrZero(from), To: timeOrZero(to)}
	s, err := svc.Series(ctx, q)
	if err != nil {
		return nil, forecastError(err, "build series")
	}
	return &model.TimeSeries{Points: seriesPoints(s.Key.Metric, s.Points), Season: int32(s.Season), TimeZone: s.Key.TimeZone}, nil
}

func (r *queryResolver) Forecast(ctx context.Context, metric model.SeriesMetric, groupBy model.SeriesGroup, id *string,
	granularity model.ForecastGranularity, horizon int32, fm *model.ForecastModel, timeZone *string, from *time.Time) (*model.Forecast, error) {
	if err := requirePredictions(ctx); err != nil {
		return nil, err
	}
	svc, err := r.forecaster()
	if err != nil {
		return nil, err
	}
	requested := model.ForecastModelAuto
	if fm != nil {
		requested = *fm
	}
	req := forecastsvc.ForecastRequest{Key: seriesKey(metric, groupBy, id, granularity, timeZone),
		Model: forecastModels[requested], Horizon: int(horizon), From: timeOrZero(from)}
	f, err := svc.Forecast(ctx, req)
	if err != nil {
		return nil, forecastError(err, "forecast")
	}
	out := &model.Forecast{Model: f.Fitted, RequestedModel: requested, History: seriesPoints(f.Key.Metric, f.History),
		Cached: f.Cached, FittedAt: f.FittedAt}
	for _, p := range f.Points {
		out.Points = append(out.Points, &model.ForecastPoint{Start: p.Start, Mean: p.Mean,
			Lower80: p.Lower80, Upper80: p.Upper80, Lower95: p.Lower95, Upper95: p.Upper95})
	}
	for _, p := range f.Parameters {
		out.Parameters = append(out.Parameters, &model.ForecastParameter{Name: p.Name, Value: p.Value})
	}
	if bt := f.Backtest; bt != nil {
		out.Backtest = &model.ForecastBacktest{Origins: int32(bt.Origins), Mae: bt.MAE, Rmse: bt.RMSE, Smape: bt.SMAPE}
		if mase := float64(bt.MASE); !math.IsNaN(mase) && !math.IsInf(mase, 0) {
			out.Backtest.Mase = &mase
		}
	}
	return out, nil
}

func (r *queryResolver) Anomalies(ctx context.Context, metric model.SeriesMetric, groupBy model.SeriesGroup, id *string,
	granularity model.ForecastGranularity, from *time.Time, to *time.Time, method *model.AnomalyMethod, timeZone *string) ([]*model.SeriesAnomaly, error) {
	if err := requirePredictions(ctx); err != nil {
		return nil, err
	}
	svc, err := r.forecaster()
	if err != nil {
		return nil, err
	}
	m := model.AnomalyMethodRobust
	if method != nil {
		m = *method
	}
	key := seriesKey(metric, groupBy, id, granularity, timeZone)
	found, err := svc.Anomalies(ctx, forecastsvc.AnomalyRequest{Key: key, From: timeOrZero(from), To: timeOrZero(to), Method: string(m)})
	if err != nil {
		return nil, forecastError(err, "detect anomalies")
	}
	if _, err := svc.Watch(ctx, key, string(m)); err != nil {
		r.opts.Logger.Warn("watching a series for anomalies failed", "series", key.String(), "err", err)
	}
	return anomalyModels(found), nil
}

func anomalyModels(found []forecastsvc.Anomaly) []*model.SeriesAnomaly {
	out := make([]*model.SeriesAnomaly, len(found))
	for i, a := range found {
		out[i] = &model.SeriesAnomaly{Start: a.Start, Value: a.Value, Expected: a.Expected, Score: a.Score,
			Direction: model.AnomalyDirection(strings.ToUpper(a.Direction))}
	}
	return out
}

func (r *queryResolver) WatchedAnomalies(ctx context.Context) ([]*model.WatchedSeries, error) {
	if err := requirePredictions(ctx); err != nil {
		return nil, err
	}
	svc, err := r.forecaster()
	if err != nil {
		return nil, err
	}
	watched, err := svc.WatchedAnomalies(ctx)
	if err != nil {
		return nil, forecastError(err, "read watched series")
	}
	out := make([]*model.WatchedSeries, len(watched))
	for i, w := range watched {
		out[i] = &model.WatchedSeries{Metric: model.SeriesMetric(w.Key.Metric), GroupBy: model.SeriesGroup(w.Key.Group),
			ID: nullIfEmpty(w.Key.ID), Granularity: model.ForecastGranularity(w.Key.Granularity), TimeZone: w.Key.TimeZone,
			Method: model.AnomalyMethod(w.Method), UpdatedAt: w.UpdatedAt, Anomalies: anomalyModels(w.Anomalies)}
	}
	return out, nil
}
