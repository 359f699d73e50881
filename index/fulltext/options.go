package fulltext

import "log/slog"

// Options configures an Index. Start from DefaultOptions and change fields
// with the With methods.
type Options struct {
	// BatchSize is the number of documents per Bleve batch when indexing.
	BatchSize int
	// FacetSize is the maximum number of terms returned per terms facet.
	FacetSize int
	// PriceRanges are the buckets of the price facet, in cents.
	PriceRanges []Range
	// RatingRanges are the buckets of the average-rating facet, in stars.
	RatingRanges []Range
	Logger       *slog.Logger
}

// Range is a facet bucket: Min is inclusive, Max exclusive, and a nil bound
// is open.
type Range struct {
	Name string
	Min  *float64
	Max  *float64
}

func bound(v float64) *float64 { return &v }

// DefaultOptions returns 500-document batches, 20 facet terms, price buckets
// in dollars or reais (under 10, 10 to 25, 25 to 50, 50 to 100, 100 to 250,
// 250 and over) and rating buckets (unrated, then one per star).
func DefaultOptions() Options {
	return Options{
		BatchSize: 500,
		FacetSize: 20,
		PriceRanges: []Range{
			{Name: "under 10", Max: bound(1000)},
			{Name: "10 to 25", Min: bound(1000), Max: bound(2500)},
			{Name: "25 to 50", Min: bound(2500), Max: bound(5000)},
			{Name: "50 to 100", Min: bound(5000), Max: bound(10000)},
			{Name: "100 to 250", Min: bound(10000), Max: bound(25000)},
			{Name: "250 and over", Min: bound(25000)},
		},
		RatingRanges: []Range{
			{Name: "unrated", Max: bound(1)},
			{Name: "1 to 2", Min: bound(1), Max: bound(2)},
			{Name: "2 to 3", Min: bound(2), Max: bound(3)},
			{Name: "3 to 4", Min: bound(3), Max: bound(4)},
			{Name: "4 and over", Min: bound(4)},
		},
		Logger: slog.Default(),
	}
}

// WithBatchSize sets the number of documents per Bleve batch.
func (o Options) WithBatchSize(n int) Options { o.BatchSize = n; return o }

// WithFacetSize sets the maximum number of terms per terms facet.
func (o Options) WithFacetSize(n int) Options { o.FacetSize = n; return o }

// WithPriceRanges sets the price facet buckets, in cents.
func (o Options) WithPriceRanges(r []Range) Options { o.PriceRanges = r; return o }

// WithRatingRanges sets the average-rating facet buckets.
func (o Options) WithRatingRanges(r []Range) Options { o.RatingRanges = r; return o }

// WithLogger sets the logger for rebuilds and recovery.
func (o Options) WithLogger(l *slog.Logger) Options { o.Logger = l; return o }
