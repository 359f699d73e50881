package resolvers

import (
	"context"
	"errors"
	"math"
	"sort"
	"time"

	"github.com/shopsight/shopsight/graph/errcode"
	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/analytics"
)

// The resolvers in this file adapt GraphQL arguments to package analytics.
// An analytics.ArgError becomes BAD_USER_INPUT naming its argument.

// analyticsEngine returns an engine over the store. An Engine holds no
// state besides its options, so one per call costs nothing.
func (r *Resolver) analyticsEngine() *analytics.Engine {
	return analytics.New(r.store, analytics.DefaultOptions().WithLogger(r.opts.Logger))
}

func analyticsError(err error) error {
	var ae *analytics.ArgError
	if errors.As(err, &ae) {
		return errcode.BadInput(ae.Param, "%s", ae.Message)
	}
	return err
}

func optInt(p *int32, def int) int {
	if p == nil {
		return def
	}
	return int(*p)
}

func optTime(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return *p
}

func (r *queryResolver) Metrics(ctx context.Context, measures []model.Measure, dimensions []model.Dimension, granularity *model.Granularity,
	timeZone *string, weekStart *model.Weekday, from, to *time.Time, filter *model.MetricsFilter, orderBy []*model.MetricsOrder,
	first *int32, compare *model.CompareMode, rolling *int32, topN *model.TopN) (*model.MetricsResult, error) {
	if err := requireAggregates(ctx); err != nil {
		return nil, err
	}
	q := analytics.Query{From: optTime(from), To: optTime(to), First: optInt(first, 0), Rolling: optInt(rolling, 0),
		Compare: compare != nil, WeekStart: time.Monday}
	for _, m := range measures {
		q.Measures = append(q.Measures, analytics.Measure(m))
	}
	for _, d := range dimensions {
		q.Dimensions = append(q.Dimensions, analytics.Dimension(d))
	}
	if granularity != nil {
		q.Granularity = analytics.Granularity(*granularity)
	}
	var err error
	if q.Location, err = analytics.ParseLocation("timeZone", deref(timeZone)); err != nil {
		return nil, analyticsError(err)
	}
	if weekStart != nil {
		if q.WeekStart, err = analytics.ParseWeekday("weekStart", string(*weekStart)); err != nil {
			return nil, analyticsError(err)
		}
	}
	if q.Filter, err = metricsFilter(filter); err != nil {
		return nil, err
	}
	for _, o := range orderBy {
		k := analytics.SortKey{Desc: o.Direction != nil && *o.Direction == model.SortDirectionDesc}
		if o.Measure != nil {
			k.Measure = analytics.Measure(*o.Measure)
		}
		if o.Dimension != nil {
			k.Dimension = analytics.Dimension(*o.Dimension)
		}
		q.OrderBy = append(q.OrderBy, k)
	}
	if topN != nil {
		q.TopN = int(topN.N)
		if topN.By != nil {
			q.TopNBy = analytics.Measure(*topN.By)
		}
	}
	res, err := r.analyticsEngine().Metrics(ctx, q)
	if err != nil {
		return nil, analyticsError(err)
	}
	out := &model.MetricsResult{Truncated: res.Truncated, Source: model.MetricsSource(res.Source), Rows: make([]*model.MetricsRow, len(res.Rows))}
	for i := range res.Rows {
		out.Rows[i] = metricsRow(&q, &res.Rows[i])
	}
	return out, nil
}

func metricsFilter(f *model.MetricsFilter) (analytics.Filter, error) {
	var out analytics.Filter
	if f == nil {
		return out, nil
	}
	region, err := regionFilter("filter.region", f.Region)
	if err != nil {
		return out, err
	}
	out = analytics.Filter{Country: region.Country, State: region.State, City: region.City, Category: f.Category,
		SellerID: deref(f.SellerID), ProductID: deref(f.ProductID), Status: deref(f.Status), PaymentType: deref(f.PaymentType)}
	if b := f.BoundingBox; b != nil {
		out.Box = &analytics.BoundingBox{MinLat: b.MinLat, MinLon: b.MinLon, MaxLat: b.MaxLat, MaxLon: b.MaxLon}
	}
	return out, nil
}

func metricsRow(q *analytics.Query, r *analytics.Row) *model.MetricsRow {
	row := &model.MetricsRow{Others: r.Others, Category: r.Category, Values: make([]*model.MetricValue, len(q.Measures))}
	has := map[analytics.Dimension]bool{}
	for _, d := range q.Dimensions {
		has[d] = true
	}
	if has[analytics.Time] {
		t := r.Time
		row.Time = &t
	}
	if has[analytics.Country] || has[analytics.State] || has[analytics.City] {
		row.Country = &r.Country
	}
	if has[analytics.State] || has[analytics.City] {
		row.State = &r.State
	}
	if has[analytics.City] {
		row.City = &r.City
	}
	if has[analytics.Seller] {
		row.SellerID = &r.SellerID
	}
	if has[analytics.Product] {
		row.ProductID = &r.ProductID
	}
	if has[analytics.PaymentType] {
		row.PaymentType = &r.PaymentType
	}
	for i, m := range q.Measures {
		v := r.Values[i]
		mv := &model.MetricValue{Measure: model.Measure(m)}
		if v.Valid() {
			s, f := v.String(), v.Float64()
			mv.Value, mv.Number = &s, &f
			if v.Money {
				c := v.Cents()
				mv.Amount = &c
			}
		}
		if r.Previous != nil {
			if p := r.Previous[i]; p.Valid() {
				s := p.String()
				mv.Previous = &s
			}
			if c := r.Change[i]; !math.IsNaN(c) {
				mv.Change = &c
			}
		}
		row.Values[i] = mv
	}
	return row
}

func (r *queryResolver) OrdersNear(ctx context.Context, lat, lon, radiusKm float64, from, to *time.Time, first *int32) ([]*model.NearOrder, error) {
	if err := requirePersonalRecords(ctx); err != nil {
		return nil, err
	}
	limit := optInt(first, 100)
	if seesPersonalData(ctx) {
		near, err := r.analyticsEngine().OrdersNear(ctx, lat, lon, radiusKm, optTime(from), optTime(to), limit)
		if err != nil {
			return nil, analyticsError(err)
		}
		out := make([]*model.NearOrder, len(near))
		for i := range near {
			out[i] = &model.NearOrder{Order: &near[i].Order, DistanceKm: near[i].DistanceKm}
		}
		return out, nil
	}
	return r.ordersNearMasked(ctx, lat, lon, radiusKm, from, to, limit)
}

// coarseMarginKm bounds how far CoarsenPoint moves a location: half of 0.1
// degree in latitude and in longitude is at most about 7.9 km.
const coarseMarginKm = 8

// ordersNearMasked answers ordersNear below admin from rounded locations
// only: the radius cut, the order and the distances all use the rounded
// point, so no sequence of queries reveals more than 0.1 degree. Candidates
// come from the exact search with the radius widened by the rounding
// margin, which contains every order whose rounded point is in range.
func (r *queryResolver) ordersNearMasked(ctx context.Context, lat, lon, radiusKm float64, from, to *time.Time, limit int) ([]*model.NearOrder, error) {
	if limit < 1 || limit > analytics.MaxNear {
		return nil, errcode.BadInput("first", "invalid first %d: must be between 1 and %d", limit, analytics.MaxNear)
	}
	near, err := r.analyticsEngine().OrdersNear(ctx, lat, lon, radiusKm+coarseMarginKm, optTime(from), optTime(to), analytics.MaxNear)
	if err != nil {
		return nil, analyticsError(err)
	}
	// NOTE: with more than MaxNear candidates in the widened radius, which
	// candidates are kept still depends on exact distances.
	out := make([]*model.NearOrder, 0, len(near))
	for i := range near {
		p := storage.CoarsenPoint(near[i].Order.Location)
		if p == nil {
			continue
		}
		d := math.Round(analytics.HaversineKm(lat, lon, p.Lat, p.Lon)*10) / 10
		if d > radiusKm {
			continue
		}
		out = append(out, &model.NearOrder{Order: &near[i].Order, DistanceKm: d})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].DistanceKm != out[j].DistanceKm {
			return out[i].DistanceKm < out[j].DistanceKm
		}
		return out[i].Order.ID < out[j].Order.ID
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (r *queryResolver) GeoHeatmap(ctx context.Context, precision *int32, by *model.HeatmapLevel, from, to *time.Time) ([]*model.HeatCell, error) {
	if err := requireAggregates(ctx); err != nil {
		return nil, err
	}
	level := analytics.ByGeohash
	if by != nil {
		level = analytics.HeatmapLevel(*by)
	}
	// A cell finer than precision 5 (about 4.9 km) may hold a single
	// address, which would undo the rounding of locations below admin.
	if level == analytics.ByGeohash && optInt(precision, 5) > maxMaskedGeohashPrecision {
		if err := requireAdmin(ctx); err != nil {
			return nil, err
		}
	}
	cells, err := r.analyticsEngine().Heatmap(ctx, level, optInt(precision, 5), optTime(from), optTime(to))
	if err != nil {
		return nil, analyticsError(err)
	}
	out := make([]*model.HeatCell, len(cells))
	for i, c := range cells {
		out[i] = &model.HeatCell{Key: c.Key, Lat: c.Lat, Lon: c.Lon, Orders: int32(min(c.Orders, math.MaxInt32)), Revenue: c.Revenue}
	}
	return out, nil
}

func (r *queryResolver) Funnel(ctx context.Context, steps []storage.EventType, granularity *model.Granularity, timeZone *string,
	from, to *time.Time, region *model.RegionFilter, sessionGapMinutes *int32) ([]*model.FunnelRow, error) {
	if err := requireAggregates(ctx); err != nil {
		return nil, err
	}
	q := analytics.FunnelQuery{Steps: steps, From: optTime(from), To: optTime(to), WeekStart: time.Monday,
		SessionGap: time.Duration(optInt(sessionGapMinutes, 30)) * time.Minute}
	if sessionGapMinutes != nil && *sessionGapMinutes <= 0 {
		return nil, errcode.BadInput("sessionGapMinutes", "invalid sessionGapMinutes %d: must be at least 1", *sessionGapMinutes)
	}
	if granularity != nil {
		q.Granularity = analytics.Granularity(*granularity)
	}
	var err error
	if q.Location, err = analytics.ParseLocation("timeZone", deref(timeZone)); err != nil {
		return nil, analyticsError(err)
	}
	if q.Region, err = regionFilter("region", region); err != nil {
		return nil, err
	}
	rows, err := r.analyticsEngine().Funnel(ctx, q)
	if err != nil {
		return nil, analyticsError(err)
	}
	out := make([]*model.FunnelRow, len(rows))
	for i, row := range rows {
		fr := &model.FunnelRow{}
		if !row.Time.IsZero() {
			t := row.Time
			fr.Time = &t
		}
		for _, s := range row.Steps {
			fr.Steps = append(fr.Steps, &model.FunnelStep{Step: s.Step, Sessions: int32(min(s.Sessions, math.MaxInt32)),
				ConversionFromStart: optFloat(s.FromStart), ConversionFromPrevious: optFloat(s.FromPrevious)})
		}
		out[i] = fr
	}
	return out, nil
}

func optFloat(v analytics.Value) *float64 {
	if !v.Valid() {
		return nil
	}
	f := v.Float64()
	return &f
}

func (r *queryResolver) Cohorts(ctx context.Context, by model.CohortBy, from, to *time.Time, periods *int32) ([]*model.Cohort, error) {
	if err := requireAggregates(ctx); err != nil {
		return nil, err
	}
	cohorts, err := r.analyticsEngine().Cohorts(ctx, analytics.CohortBy(by), optTime(from), optTime(to), optInt(periods, 6))
	if err != nil {
		return nil, analyticsError(err)
	}
	out := make([]*model.Cohort, len(cohorts))
	for i, c := range cohorts {
		mc := &model.Cohort{Month: c.Month, Users: int32(min(c.Users, math.MaxInt32))}
		for k := range c.Active {
			mc.Active = append(mc.Active, int32(min(c.Active[k], math.MaxInt32)))
			mc.Retention = append(mc.Retention, optFloat(c.Retention[k]))
		}
		out[i] = mc
	}
	return out, nil
}
