// Package analytics answers BI queries over the store: measures grouped by
// time, region, category, seller, product or payment type (Metrics), geo
// queries (OrdersNear, Heatmap), behaviour funnels (Funnel), retention
// cohorts (Cohorts) and CSV export of each of them (NewExportHandler).
//
// Metrics reads the rollups of package storage/rollup when they can answer
// a query exactly and scans the orders otherwise; both paths return the
// same rows. Money is summed in int64 cents and averages are divided once,
// at the end, from the exact sums.
package analytics

import (
	"fmt"
	"strings"
	"time"
)

// ArgError is an invalid query argument. Param names it as the GraphQL
// argument or URL parameter, such as "dimensions" or "filter.region".
type ArgError struct {
	Param   string
	Message string
}

func (e *ArgError) Error() string { return e.Message }

func argErr(param, format string, args ...any) *ArgError {
	return &ArgError{Param: param, Message: fmt.Sprintf(format, args...)}
}

// Measure is an aggregated value.
type Measure string

// Measures. Order measures count by purchase time, review measures by the
// review's creation time.
const (
	Orders           Measure = "ORDERS"
	Units            Measure = "UNITS"
	Revenue          Measure = "REVENUE" // item price × quantity, without freight
	Freight          Measure = "FREIGHT"
	Customers        Measure = "CUSTOMERS" // distinct users with an order
	AvgOrderValue    Measure = "AVG_ORDER_VALUE"
	AvgRating        Measure = "AVG_RATING"
	Reviews          Measure = "REVIEWS"
	DeliveryDays     Measure = "DELIVERY_DAYS"      // mean days from purchase to delivery, delivered orders only
	LateDeliveryRate Measure = "LATE_DELIVERY_RATE" // share of delivered orders delivered after the estimate
)

// AllMeasures lists every measure.
var AllMeasures = []Measure{Orders, Units, Revenue, Freight, Customers, AvgOrderValue, AvgRating, Reviews, DeliveryDays, LateDeliveryRate}

// Dimension is a grouping of rows.
type Dimension string

// Dimensions. CATEGORY is an item's full category path. An order counts in
// every category, seller, product and payment type group it has an item
// or payment in, so those groups may add up to more than the total.
const (
	Time        Dimension = "TIME"
	Country     Dimension = "COUNTRY"
	State       Dimension = "STATE"
	City        Dimension = "CITY"
	Category    Dimension = "CATEGORY"
	Seller      Dimension = "SELLER"
	Product     Dimension = "PRODUCT"
	PaymentType Dimension = "PAYMENT_TYPE"
)

// AllDimensions lists every dimension.
var AllDimensions = []Dimension{Time, Country, State, City, Category, Seller, Product, PaymentType}

// MaxDimensions is the largest number of dimensions in one query.
const MaxDimensions = 3

// Granularity is the size of a time bucket.
type Granularity string

// Granularities.
const (
	Hour    Granularity = "HOUR"
	Day     Granularity = "DAY"
	Week    Granularity = "WEEK"
	Month   Granularity = "MONTH"
	Quarter Granularity = "QUARTER"
	Year    Granularity = "YEAR"
)

// AllGranularities lists every granularity.
var AllGranularities = []Granularity{Hour, Day, Week, Month, Quarter, Year}

// BoundingBox selects locations with MinLat <= lat <= MaxLat and
// MinLon <= lon <= MaxLon. A box with MinLon > MaxLon crosses the
// antimeridian.
type BoundingBox struct {
	MinLat, MinLon, MaxLat, MaxLon float64
}

// Contains reports whether the point is in the box.
func (b BoundingBox) Contains(lat, lon float64) bool {
	if lat < b.MinLat || lat > b.MaxLat {
		return false
	}
	if b.MinLon <= b.MaxLon {
		return lon >= b.MinLon && lon <= b.MaxLon
	}
	return lon >= b.MinLon || lon <= b.MaxLon
}

func (b BoundingBox) validate(param string) error {
	switch {
	case b.MinLat < -90 || b.MaxLat > 90 || b.MinLat > b.MaxLat:
		return argErr(param, "invalid %s: latitudes must satisfy -90 <= minLat <= maxLat <= 90, got %g and %g", param, b.MinLat, b.MaxLat)
	case b.MinLon < -180 || b.MinLon > 180 || b.MaxLon < -180 || b.MaxLon > 180:
		return argErr(param, "invalid %s: longitudes must be between -180 and 180, got %g and %g", param, b.MinLon, b.MaxLon)
	}
	return nil
}

// Filter restricts the orders (and reviews) a query counts. Empty fields
// match everything. Category matches the subtree under the path; SellerID,
// ProductID and Category also restrict the items counted in an order.
type Filter struct {
	Country, State, City string
	Category             []string
	SellerID             string
	ProductID            string
	Status               string
	PaymentType          string
	// Box keeps orders whose delivery location is inside it; orders without
	// a location are left out.
	Box *BoundingBox
}

func (f Filter) itemFilter() bool {
	return len(f.Category) > 0 || f.SellerID != "" || f.ProductID != ""
}

// SortKey orders rows by a measure or a dimension.
type SortKey struct {
	Measure   Measure   // set one of Measure and Dimension
	Dimension Dimension //
	Desc      bool
}

// Query is a metrics query. Build it with NewQuery or fill it and call
// Validate.
type Query struct {
	Measures   []Measure
	Dimensions []Dimension
	// Granularity is the time bucket size, used with the TIME dimension and
	// by Rolling. DAY when empty.
	Granularity Granularity
	// Location is the time zone of the buckets; UTC when nil. Buckets step
	// by calendar, so a DST day is one bucket of 23 or 25 hours.
	Location *time.Location
	// WeekStart is the first day of a WEEK bucket (Monday when unset via
	// NewQuery; the zero value is Sunday).
	WeekStart time.Weekday
	// From and To bound the purchase (or review) time, From inclusive and
	// To exclusive. Compare and Rolling need both.
	From, To time.Time
	Filter   Filter
	OrderBy  []SortKey
	// First limits the number of rows; 0 means MaxRows.
	First int
	// Compare adds each row's value in the previous period: the same
	// number of buckets just before From, or the span To−From before From
	// without the TIME dimension.
	Compare bool
	// Rolling, when above 1, replaces each bucket's values by the values
	// over the Rolling buckets ending with it. It needs the TIME dimension.
	Rolling int
	// TopN, when above 0, keeps the TopN groups of the non-time dimensions
	// with the largest TopNBy over the range, and sums the rest into one
	// row per bucket with Others set.
	TopN   int
	TopNBy Measure
}

// MaxRows is the largest number of rows Metrics returns.
const MaxRows = 100000

// RollingWindows lists the accepted values of Query.Rolling above 1.
var RollingWindows = []int{7, 28, 90}

func (q *Query) has(d Dimension) bool {
	for _, x := range q.Dimensions {
		if x == d {
			return true
		}
	}
	return false
}

func (q *Query) wants(m Measure) bool {
	for _, x := range q.Measures {
		if x == m {
			return true
		}
	}
	return false
}

// Validate checks q and fills defaults: UTC, DAY and TopNBy as the first
// measure.
func (q *Query) Validate() error {
	if len(q.Measures) == 0 {
		return argErr("measures", "missing measures: name at least one, such as REVENUE")
	}
	if err := checkMeasures(q.Measures); err != nil {
		return err
	}
	if len(q.Dimensions) > MaxDimensions {
		return argErr("dimensions", "too many dimensions: %d given, at most %d may be combined", len(q.Dimensions), MaxDimensions)
	}
	seen := map[Dimension]bool{}
	for _, d := range q.Dimensions {
		if !validDimension(d) {
			return argErr("dimensions", "invalid dimension %q: use one of %s", d, joinNames(AllDimensions))
		}
		if seen[d] {
			return argErr("dimensions", "dimension %s is given twice", d)
		}
		seen[d] = true
	}
	if q.Granularity == "" {
		q.Granularity = Day
	}
	if !validGranularity(q.Granularity) {
		return argErr("granularity", "invalid granularity %q: use one of %s", q.Granularity, joinNames(AllGranularities))
	}
	if q.Location == nil {
		q.Location = time.UTC
	}
	if q.WeekStart < time.Sunday || q.WeekStart > time.Saturday {
		return argErr("weekStart", "invalid weekStart %d: must be a weekday", q.WeekStart)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return argErr("to", "invalid range: from %s is not before to %s", q.From.Format(time.RFC3339), q.To.Format(time.RFC3339))
	}
	if err := q.validateFilter(); err != nil {
		return err
	}
	if err := q.validateWindows(); err != nil {
		return err
	}
	if err := q.validateOrder(); err != nil {
		return err
	}
	if q.First < 0 || q.First > MaxRows {
		return argErr("first", "invalid first %d: must be between 1 and %d", q.First, MaxRows)
	}
	return nil
}

func (q *Query) validateFilter() error {
	f := q.Filter
	switch {
	case f.Country == "" && f.State != "":
		return argErr("filter.region.country", "missing filter.region.country: a state filter needs the country code")
	case f.State == "" && f.City != "":
		return argErr("filter.region.state", "missing filter.region.state: a city filter needs the state code")
	}
	if f.Box != nil {
		return f.Box.validate("filter.boundingBox")
	}
	return nil
}

func (q *Query) validateWindows() error {
	if (q.Compare || q.Rolling > 1) && (q.From.IsZero() || q.To.IsZero()) {
		return argErr("from", "missing from or to: compare and rolling need both ends of the range")
	}
	if q.Rolling != 0 && q.Rolling != 1 {
		ok := false
		for _, w := range RollingWindows {
			ok = ok || q.Rolling == w
		}
		if !ok {
			return argErr("rolling", "invalid rolling window %d: use 7, 28 or 90 buckets", q.Rolling)
		}
		if !q.has(Time) {
			return argErr("rolling", "invalid rolling window: it needs the TIME dimension")
		}
	}
	if q.TopN < 0 || q.TopN > 1000 {
		return argErr("topN", "invalid topN %d: must be between 1 and 1000", q.TopN)
	}
	if q.TopN > 0 {
		if q.TopNBy == "" {
			q.TopNBy = q.Measures[0]
		}
		if err := checkMeasures([]Measure{q.TopNBy}); err != nil {
			return &ArgError{Param: "topN.by", Message: err.Error()}
		}
		nonTime := 0
		for _, d := range q.Dimensions {
			if d != Time {
				nonTime++
			}
		}
		if nonTime == 0 {
			return argErr("topN", "invalid topN: it ranks the non-time dimensions, and the query has none")
		}
	}
	return nil
}

func (q *Query) validateOrder() error {
	for i, k := range q.OrderBy {
		param := fmt.Sprintf("orderBy[%d]", i)
		switch {
		case (k.Measure == "") == (k.Dimension == ""):
			return argErr(param, "invalid %s: set exactly one of measure and dimension", param)
		case k.Measure != "" && !q.wants(k.Measure):
			return argErr(param, "invalid %s: measure %s is not among the requested measures", param, k.Measure)
		case k.Dimension != "" && !q.has(k.Dimension):
			return argErr(param, "invalid %s: dimension %s is not among the requested dimensions", param, k.Dimension)
		}
	}
	return nil
}

func checkMeasures(ms []Measure) error {
	seen := map[Measure]bool{}
	for _, m := range ms {
		ok := false
		for _, x := range AllMeasures {
			ok = ok || x == m
		}
		if !ok {
			return argErr("measures", "invalid measure %q: use one of %s", m, joinNames(AllMeasures))
		}
		if seen[m] {
			return argErr("measures", "measure %s is given twice", m)
		}
		seen[m] = true
	}
	return nil
}

func validDimension(d Dimension) bool {
	for _, x := range AllDimensions {
		if x == d {
			return true
		}
	}
	return false
}

func validGranularity(g Granularity) bool {
	for _, x := range AllGranularities {
		if x == g {
			return true
		}
	}
	return false
}

func joinNames[T ~string](names []T) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	return strings.Join(s, ", ")
}
