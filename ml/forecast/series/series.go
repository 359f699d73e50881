// Package series builds regular time series of sales from the orders of a
// store: units, revenue, orders or distinct customers per day, ISO week or
// calendar month, for one product, category, region, seller or
// (category, region) pair, or for the whole shop.
//
// Buckets follow the calendar of an IANA time zone, so a day in
// America/Sao_Paulo is one bucket also when its midnight does not exist
// (the start of daylight saving time) or its last hour repeats. Bucket
// starts are computed from civil dates, never by adding a fixed 24 hours.
//
// Canceled orders (status "canceled") are left out of every metric: they
// are not sales. Revenue is the sum of unit price times quantity over the
// matching items, in exact minor units (cents), without freight.
//
// Series ids by group:
//
//	PRODUCT   the product id
//	SELLER    the seller id
//	CATEGORY  the category path joined with " > ", such as
//	          "electronics > phones"; the series covers the whole subtree
//	REGION    "BR" (country), "BR-SP" (country and state code) or
//	          "BR-SP-São Paulo" (country, state, city); the city is
//	          everything after the second "-", so it may contain "-"
//	CATEGORY_REGION
//	          "<category path> @ <region id>", such as
//	          "electronics > phones @ BR-SP": the items in the category
//	          subtree of the orders delivered to the region (any of the
//	          three levels); the region is the text after the last "@"
//	ALL       empty: every order of the shop
//
// ParseGroup also accepts "category,region" for CATEGORY_REGION, the form
// the command line uses.
package series

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	// The zone database is embedded so that zones resolve on hosts
	// without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Metric is the measure a series counts per bucket.
type Metric string

// Metrics.
const (
	// Units is the sum of item quantities.
	Units Metric = "UNITS"
	// Revenue is the sum of unit price times quantity in minor units.
	Revenue Metric = "REVENUE"
	// Orders is the number of orders with at least one matching item.
	Orders Metric = "ORDERS"
	// Customers is the number of distinct users with a matching order.
	Customers Metric = "CUSTOMERS"
)

// Group is the kind of record a series is restricted to.
type Group string

// Groups.
const (
	Product  Group = "PRODUCT"
	Category Group = "CATEGORY"
	Region   Group = "REGION"
	Seller   Group = "SELLER"
	// CategoryRegion is a category subtree within one delivery region.
	CategoryRegion Group = "CATEGORY_REGION"
	All            Group = "ALL"
)

// Metrics lists every metric; Groups and Granularities likewise.
var (
	Metrics       = []Metric{Units, Revenue, Orders, Customers}
	Groups        = []Group{Product, Category, Region, Seller, CategoryRegion, All}
	Granularities = []Granularity{Day, Week, Month}
)

// ErrNoData is returned when a series has no order in the requested range.
var ErrNoData = errors.New("no orders")

// InputError is an invalid request: an unknown id, time zone or range.
// Field names the request field at fault ("id", "timeZone", "from").
type InputError struct {
	Field string
	Err   error
}

func (e *InputError) Error() string { return e.Err.Error() }

func (e *InputError) Unwrap() error { return e.Err }

func inputErrorf(field, format string, args ...any) error {
	return &InputError{Field: field, Err: fmt.Errorf(format, args...)}
}

// Key identifies one series.
type Key struct {
	Metric      Metric
	Group       Group
	ID          string
	Granularity Granularity
	// TimeZone is the IANA name of the zone whose calendar defines buckets.
	TimeZone string
}

// String returns a readable form such as "UNITS/PRODUCT/p1/DAY/UTC".
func (k Key) String() string {
	return strings.Join([]string{string(k.Metric), string(k.Group), k.ID, string(k.Granularity), k.TimeZone}, "/")
}

// Normalized returns k with a category id rewritten to the canonical
// separators, so "a>b" and "a > b" name one series, as do "a>b@BR-SP" and
// "a > b @ BR-SP".
func (k Key) Normalized() Key {
	switch k.Group {
	case Category:
		k.ID = strings.Join(ParseCategory(k.ID), CategorySeparator)
	case CategoryRegion:
		if i := strings.LastIndex(k.ID, "@"); i >= 0 {
			k.ID = CategoryRegionID(strings.Join(ParseCategory(k.ID[:i]), CategorySeparator), strings.TrimSpace(k.ID[i+1:]))
		}
	}
	return k
}

// Validate checks the enum fields, the id's presence and the time zone.
func (k Key) Validate() error {
	if _, err := ParseMetric(string(k.Metric)); err != nil {
		return &InputError{Field: "metric", Err: err}
	}
	if _, err := ParseGroup(string(k.Group)); err != nil {
		return &InputError{Field: "groupBy", Err: err}
	}
	if _, err := ParseGranularity(string(k.Granularity)); err != nil {
		return &InputError{Field: "granularity", Err: err}
	}
	if _, err := LoadZone(k.TimeZone); err != nil {
		return err
	}
	switch {
	case k.Group == All && k.ID != "":
		return inputErrorf("id", "id %q is not allowed with groupBy ALL: leave it empty", k.ID)
	case k.Group != All && strings.TrimSpace(k.ID) == "":
		return inputErrorf("id", "missing id for groupBy %s: pass the %s", k.Group, idHint(k.Group))
	case k.Group == Region:
		if _, err := ParseRegion(k.ID); err != nil {
			return &InputError{Field: "id", Err: err}
		}
	case k.Group == CategoryRegion:
		if _, _, err := ParseCategoryRegion(k.ID); err != nil {
			return &InputError{Field: "id", Err: err}
		}
	}
	return nil
}

func idHint(g Group) string {
	switch g {
	case Product:
		return "product id"
	case Seller:
		return "seller id"
	case Category:
		return `category path joined with " > ", such as "electronics > phones"`
	case Region:
		return `region as "BR", "BR-SP" or "BR-SP-São Paulo"`
	case CategoryRegion:
		return `category path and region joined with " @ ", such as "electronics > phones @ BR-SP"`
	}
	return "id"
}

// LoadZone returns the location named zone, UTC for "".
func LoadZone(zone string) (*time.Location, error) {
	if zone == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, inputErrorf("timeZone", "invalid time zone %q: use an IANA name such as \"UTC\" or \"America/Sao_Paulo\": %w", zone, err)
	}
	return loc, nil
}

// ParseMetric parses a metric name in any case.
func ParseMetric(s string) (Metric, error) {
	for _, m := range Metrics {
		if strings.EqualFold(s, string(m)) {
			return m, nil
		}
	}
	return "", fmt.Errorf("invalid metric %q: use units, revenue, orders or customers", s)
}

// ParseGroup parses a group name in any case. "category,region" (spaces
// allowed after the comma) is CATEGORY_REGION.
func ParseGroup(s string) (Group, error) {
	name := strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), ",", "_")
	for _, g := range Groups {
		if strings.EqualFold(name, string(g)) {
			return g, nil
		}
	}
	return "", fmt.Errorf("invalid group %q: use product, category, region, seller, category,region or all", s)
}

// ParseGranularity parses a granularity name in any case.
func ParseGranularity(s string) (Granularity, error) {
	for _, g := range Granularities {
		if strings.EqualFold(s, string(g)) {
			return g, nil
		}
	}
	return "", fmt.Errorf("invalid granularity %q: use day, week or month", s)
}

// Point is one bucket of a series.
type Point struct {
	// Start is the first instant of the bucket.
	Start time.Time
	// Value is exact: a count, or cents for Revenue.
	Value int64
}

// Series is a dense series: one point per bucket from the first to the
// last, zeros where nothing was sold.
type Series struct {
	Key    Key
	Season int
	// First is the ordinal of the first bucket (see Granularity.Index).
	First  int64
	Points []Point
}

// Float returns the values as float64 for the models. Revenue is converted
// from cents to currency units.
func (s *Series) Float() []float64 {
	out := make([]float64, len(s.Points))
	for i, p := range s.Points {
		out[i] = ValueFloat(s.Key.Metric, p.Value)
	}
	return out
}

// ValueFloat converts an exact value of metric m to a float in the unit the
// API reports: currency units for Revenue, the count otherwise.
func ValueFloat(m Metric, v int64) float64 {
	if m == Revenue {
		return float64(v) / 100
	}
	return float64(v)
}

// End returns the instant after the last bucket.
func (s *Series) End(loc *time.Location) time.Time {
	return s.Key.Granularity.Start(s.First+int64(len(s.Points)), loc)
}

// ParseRegion splits a region id into country, state and city. See the
// package documentation for the format.
func ParseRegion(id string) ([3]string, error) {
	var out [3]string
	parts := strings.SplitN(id, "-", 3)
	for i, p := range parts {
		if strings.TrimSpace(p) == "" {
			return out, fmt.Errorf("invalid region id %q: part %d is empty; use \"BR\", \"BR-SP\" or \"BR-SP-São Paulo\"", id, i+1)
		}
		out[i] = p
	}
	return out, nil
}

// RegionIDs returns the ids of the country, state and city of a delivery
// region, leaving out levels whose fields are empty.
func RegionIDs(country, state, city string) []string {
	if country == "" {
		return nil
	}
	ids := []string{country}
	if state == "" {
		return ids
	}
	ids = append(ids, country+"-"+state)
	if city == "" {
		return ids
	}
	return append(ids, country+"-"+state+"-"+city)
}

// CategorySeparator joins the names of a category path into a series id.
const CategorySeparator = " > "

// ParseCategory splits a category id into its path.
func ParseCategory(id string) []string {
	parts := strings.Split(id, ">")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

// CategoryRegionSeparator joins a category id and a region id into a
// CATEGORY_REGION series id.
const CategoryRegionSeparator = " @ "

// CategoryRegionID returns the CATEGORY_REGION series id of a category id
// and a region id.
func CategoryRegionID(category, region string) string {
	return category + CategoryRegionSeparator + region
}

// ParseCategoryRegion splits a CATEGORY_REGION id at its last "@" into the
// category path and the region's country, state and city.
func ParseCategoryRegion(id string) ([]string, [3]string, error) {
	i := strings.LastIndex(id, "@")
	if i < 0 {
		return nil, [3]string{}, fmt.Errorf("invalid category and region id %q: missing \"@\"; use \"<category path> @ <region>\", such as \"electronics > phones @ BR-SP\"", id)
	}
	category := ParseCategory(id[:i])
	if slices.Contains(category, "") {
		return nil, [3]string{}, fmt.Errorf("invalid category and region id %q: the category path before \"@\" has an empty name; use such as \"electronics > phones @ BR-SP\"", id)
	}
	region, err := ParseRegion(strings.TrimSpace(id[i+1:]))
	if err != nil {
		return nil, [3]string{}, fmt.Errorf("invalid category and region id %q: %w", id, err)
	}
	return category, region, nil
}

// CategoryIDs returns the ids of every ancestor of path, root first, and of
// path itself.
func CategoryIDs(path []string) []string {
	ids := make([]string, len(path))
	for i := range path {
		ids[i] = strings.Join(path[:i+1], CategorySeparator)
	}
	return ids
}
