package fulltext

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/shopsight/shopsight/storage"
)

// Paging limits of Search and SearchReviews.
const (
	DefaultSize = 10
	MaxSize     = 1000
	MaxFrom     = 10000
)

// phraseBoost multiplies the score of documents that contain the query as a
// phrase, on top of the per-word match.
const phraseBoost = 2.0

// Request is a product search.
type Request struct {
	// Query is free text in any language; empty matches every product.
	Query  string
	Filter Filter
	// Size is the page size (0 means DefaultSize, at most MaxSize) and From
	// the number of hits to skip.
	Size int
	From int
	// Facets requests category, region, price and rating counts over all
	// matching products.
	Facets bool
	// Highlight requests <mark>-tagged fragments of titles and descriptions.
	Highlight bool
	// IDs, when not empty, makes the products with these ids match too, so
	// that facets can count the hits of another retriever, such as a vector
	// search. With IDs set, an empty Query matches no product by text, so
	// only the listed products (that pass Filter) match. The listed products
	// get a constant score, so rank such requests by other means.
	IDs []string
}

// Filter restricts a product search. Zero fields match everything.
type Filter struct {
	// Category is a category path prefix, such as ["electronics", "phones"].
	Category []string
	// MinPrice and MaxPrice are inclusive bounds in cents.
	MinPrice *storage.Money
	MaxPrice *storage.Money
	// MinRating is the inclusive lower bound of the average rating; products
	// without reviews have rating 0.
	MinRating float64
	// Region is a key from RegionKeys, such as "BR" or "BR-SP".
	Region string
	// Language is the detected language of the product, such as "en" or "zh".
	Language string
}

// Hit is one matching document.
type Hit struct {
	ID    string
	Score float64
	// Highlights maps a field ("title", "description", "text") to fragments
	// of its value with the matched words wrapped in <mark></mark> and the
	// rest HTML-escaped.
	Highlights map[string][]string
}

// Result is a page of product hits.
type Result struct {
	Hits  []Hit
	Total uint64 // matching products, not only this page
	Took  time.Duration
	// Facets is nil unless the request asked for facets.
	Facets *Facets
}

// Facets are counts over all matching products.
type Facets struct {
	// Categories counts every level of the category path ("electronics" and
	// "electronics/phones"), most frequent first.
	Categories []TermCount
	Regions    []TermCount
	// Prices are in cents, in Options.PriceRanges order.
	Prices []RangeCount
	// Ratings are in Options.RatingRanges order.
	Ratings []RangeCount
}

// TermCount is a terms facet entry.
type TermCount struct {
	Term  string
	Count int
}

// RangeCount is a numeric range facet entry: Min is inclusive, Max
// exclusive, and a nil bound is open.
type RangeCount struct {
	Name  string
	Min   *float64
	Max   *float64
	Count int
}

// weightedField is a text field to search and its boost.
type weightedField struct {
	base  string
	boost float64
}

var productTextFields = []weightedField{{fieldTitle, 3}, {fieldDescription, 1}}

var reviewTextFields = []weightedField{{fieldTitle, 2}, {fieldText, 1}}

// Search runs a product search.
func (x *Index) Search(ctx context.Context, r Request) (*Result, error) {
	if err := checkPage(r.Size, r.From); err != nil {
		return nil, err
	}
	if r.Filter.MinPrice != nil && r.Filter.MaxPrice != nil && *r.Filter.MinPrice > *r.Filter.MaxPrice {
		return nil, fmt.Errorf("invalid price filter: minimum %s is above maximum %s", *r.Filter.MinPrice, *r.Filter.MaxPrice)
	}
	q := productQuery(r.Query)
	if len(r.IDs) > 0 {
		ids := query.NewDocIDQuery(r.IDs)
		if strings.TrimSpace(r.Query) == "" {
			q = ids
		} else {
			q = query.NewDisjunctionQuery([]query.Query{q, ids})
		}
	}
	filters := productFilters(r.Filter)
	req := bleve.NewSearchRequestOptions(withFilters(q, filters), pageSize(r.Size), r.From, false)
	if r.Highlight {
		req.Highlight = bleve.NewHighlightWithStyle("html")
		req.Highlight.Fields = languageFieldNames(productTextFields)
	}
	if r.Facets {
		x.addFacets(req)
	}

	res, err := x.searchProducts(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search products for %q: %w", r.Query, err)
	}
	out := &Result{Total: res.Total, Took: res.Took, Hits: convertHits(res.Hits)}
	if r.Facets {
		out.Facets = x.convertFacets(res.Facets)
	}
	return out, nil
}

func (x *Index) searchProducts(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return nil, ErrClosed
	}
	return x.set.products.SearchInContext(ctx, req)
}

func checkPage(size, from int) error {
	if size < 0 || size > MaxSize {
		return fmt.Errorf("invalid page size %d: use 0 for the default of %d, or up to %d", size, DefaultSize, MaxSize)
	}
	if from < 0 || from > MaxFrom {
		return fmt.Errorf("invalid offset %d: must be between 0 and %d", from, MaxFrom)
	}
	return nil
}

func pageSize(size int) int {
	if size == 0 {
		return DefaultSize
	}
	return size
}

// textQuery matches text in every language sub-field of fields: a word
// match (any word) plus a boosted phrase match. For Chinese, words come from
// the query analyzer and the phrase from single characters, so a phrase
// finds every substring.
func textQuery(text string, fields []weightedField) query.Query {
	var parts []query.Query
	for _, f := range fields {
		for _, l := range languages {
			field := f.base + "_" + l.suffix
			m := query.NewMatchQuery(text)
			m.SetField(field)
			m.Analyzer = l.queryAnalyzer
			m.SetBoost(f.boost)
			p := query.NewMatchPhraseQuery(text)
			p.SetField(field)
			p.Analyzer = l.charAnalyzer
			p.SetBoost(f.boost * phraseBoost)
			parts = append(parts, m, p)
		}
	}
	return query.NewDisjunctionQuery(parts)
}

func productQuery(text string) query.Query {
	if strings.TrimSpace(text) == "" {
		return query.NewMatchAllQuery()
	}
	q := textQuery(text, productTextFields)
	for _, f := range []weightedField{{fieldCategoryText, 2}, {fieldAttributes, 1}} {
		m := query.NewMatchQuery(text)
		m.SetField(f.base)
		m.SetBoost(f.boost)
		q.(*query.DisjunctionQuery).AddQuery(m)
	}
	return q
}

func productFilters(f Filter) []query.Query {
	var out []query.Query
	if len(f.Category) > 0 {
		out = append(out, termFilter(fieldCategoryPath, CategoryPath(f.Category)))
	}
	if f.MinPrice != nil || f.MaxPrice != nil {
		var lo, hi *float64
		if f.MinPrice != nil {
			lo = bound(float64(*f.MinPrice))
		}
		if f.MaxPrice != nil {
			hi = bound(float64(*f.MaxPrice))
		}
		out = append(out, rangeFilter(fieldPrice, lo, hi))
	}
	if f.MinRating > 0 {
		out = append(out, rangeFilter(fieldRating, bound(f.MinRating), nil))
	}
	if f.Region != "" {
		out = append(out, termFilter(fieldRegion, f.Region))
	}
	if f.Language != "" {
		out = append(out, termFilter(fieldLanguage, f.Language))
	}
	return out
}

// termFilter and rangeFilter have boost 0, so a filter changes which
// documents match but not their scores.
func termFilter(field, term string) query.Query {
	q := query.NewTermQuery(term)
	q.SetField(field)
	q.SetBoost(0)
	return q
}

func rangeFilter(field string, lo, hi *float64) query.Query {
	inclusive := true
	q := query.NewNumericRangeInclusiveQuery(lo, hi, &inclusive, &inclusive)
	q.SetField(field)
	q.SetBoost(0)
	return q
}

func withFilters(q query.Query, filters []query.Query) query.Query {
	if len(filters) == 0 {
		return q
	}
	return query.NewConjunctionQuery(append([]query.Query{q}, filters...))
}

func languageFieldNames(fields []weightedField) []string {
	var names []string
	for _, f := range fields {
		for _, l := range languages {
			names = append(names, f.base+"_"+l.suffix)
		}
	}
	return names
}

func (x *Index) addFacets(req *bleve.SearchRequest) {
	req.AddFacet("category", bleve.NewFacetRequest(fieldCategoryPath, x.opts.FacetSize))
	req.AddFacet("region", bleve.NewFacetRequest(fieldRegion, x.opts.FacetSize))
	price := bleve.NewFacetRequest(fieldPrice, len(x.opts.PriceRanges))
	for _, r := range x.opts.PriceRanges {
		price.AddNumericRange(r.Name, r.Min, r.Max)
	}
	req.AddFacet("price", price)
	rating := bleve.NewFacetRequest(fieldRating, len(x.opts.RatingRanges))
	for _, r := range x.opts.RatingRanges {
		rating.AddNumericRange(r.Name, r.Min, r.Max)
	}
	req.AddFacet("rating", rating)
}

func (x *Index) convertFacets(res search.FacetResults) *Facets {
	return &Facets{
		Categories: termCounts(res["category"]),
		Regions:    termCounts(res["region"]),
		Prices:     rangeCounts(res["price"], x.opts.PriceRanges),
		Ratings:    rangeCounts(res["rating"], x.opts.RatingRanges),
	}
}

func termCounts(fr *search.FacetResult) []TermCount {
	if fr == nil || fr.Terms == nil {
		return nil
	}
	terms := fr.Terms.Terms()
	out := make([]TermCount, len(terms))
	for i, t := range terms {
		out[i] = TermCount{Term: t.Term, Count: t.Count}
	}
	return out
}

// rangeCounts returns a count for every configured range, in configuration
// order, including empty ones.
func rangeCounts(fr *search.FacetResult, ranges []Range) []RangeCount {
	counts := map[string]int{}
	if fr != nil {
		for _, nr := range fr.NumericRanges {
			counts[nr.Name] = nr.Count
		}
	}
	out := make([]RangeCount, len(ranges))
	for i, r := range ranges {
		out[i] = RangeCount{Name: r.Name, Min: r.Min, Max: r.Max, Count: counts[r.Name]}
	}
	return out
}

func convertHits(hits search.DocumentMatchCollection) []Hit {
	out := make([]Hit, len(hits))
	for i, h := range hits {
		out[i] = Hit{ID: h.ID, Score: h.Score, Highlights: collectHighlights(h.Fragments)}
	}
	return out
}
