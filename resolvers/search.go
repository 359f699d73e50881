package resolvers

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/shopsight/shopsight/graph/errcode"
	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/index/fulltext"
	"github.com/shopsight/shopsight/index/search"
	"github.com/shopsight/shopsight/storage"
)

// errNoSearch is the cause logged when a search field runs on a server
// without a search service.
var errNoSearch = errors.New("the search service is not configured or still loading")

func (r *Resolver) searchService() (*search.Service, error) {
	if r.opts.Search != nil {
		if s := r.opts.Search(); s != nil {
			return s, nil
		}
	}
	return nil, &errcode.Error{Code: errcode.Internal, Message: errNoSearch.Error(), Err: errNoSearch}
}

func (r *queryResolver) Search(ctx context.Context, query *string, vector []float64, mode *model.SearchMode,
	filter *model.SearchFilter, fusion *model.Fusion, weights *model.FusionWeights, first *int32, after *string) (*model.SearchResult, error) {
	if err := requireSearch(ctx); err != nil {
		return nil, err
	}
	svc, err := r.searchService()
	if err != nil {
		return nil, err
	}
	req := search.Request{Query: deref(query), Highlight: true, Facets: selectsField(ctx, "facets")}
	if req.Mode, err = searchMode(mode); err != nil {
		return nil, err
	}
	if fusion != nil && *fusion == model.FusionWeighted {
		req.Fusion = search.Weighted
	}
	if weights != nil {
		req.Weights = &search.Weights{Keyword: weights.Keyword, Vector: weights.Vector}
	}
	if vector != nil {
		req.Vector = make([]float32, len(vector))
		for i, v := range vector {
			req.Vector[i] = float32(v)
		}
	}
	if req.Filter, err = searchFilter(filter); err != nil {
		return nil, err
	}
	size, from, err := r.offsetPage(first, after, 20)
	if err != nil {
		return nil, err
	}
	req.Size, req.From = max(size, 1), from
	if req.From > fulltext.MaxFrom {
		return nil, errcode.BadInput("after", "offset %d is beyond the %d hits a search pages through; narrow the query", req.From, fulltext.MaxFrom)
	}

	res, err := svc.Search(ctx, req)
	if err != nil {
		return nil, searchError(err)
	}
	res.Hits = res.Hits[:min(len(res.Hits), size)]
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	products, err := r.store.Products(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read products of search hits: %w", err)
	}
	out := &model.SearchResult{TotalCount: int32(res.Total), Edges: []*model.SearchEdge{}}
	for i, h := range res.Hits {
		if products[i] == nil {
			continue // deleted after the index answered
		}
		out.Edges = append(out.Edges, &model.SearchEdge{
			Node: products[i], Score: h.Score, KeywordRank: rankOrNull(h.KeywordRank), VectorRank: rankOrNull(h.VectorRank),
			Highlights: highlightList(h.Highlights), Cursor: encodeOffset(req.From + i),
		})
	}
	out.PageInfo = offsetPageInfo(req.From, len(res.Hits), res.Available, after != nil)
	if res.Facets != nil {
		out.Facets = searchFacets(res.Facets)
	}
	return out, nil
}

func (r *queryResolver) SimilarProducts(ctx context.Context, id string, first *int32) ([]*model.SimilarProduct, error) {
	if err := requireSearch(ctx); err != nil {
		return nil, err
	}
	svc, err := r.searchService()
	if err != nil {
		return nil, err
	}
	k := 10
	if first != nil {
		k = int(*first)
	}
	if k < 1 || k > r.opts.Limits.MaxPageSize {
		return nil, errcode.BadInput("first", "invalid first %d: must be between 1 and %d", k, r.opts.Limits.MaxPageSize)
	}
	hits, err := svc.Similar(ctx, id, k)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, errcode.NotFoundf("product %q not found", id)
		}
		return nil, searchError(err)
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	products, err := r.store.Products(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read similar products of %q: %w", id, err)
	}
	out := make([]*model.SimilarProduct, 0, len(hits))
	for i, h := range hits {
		if products[i] != nil {
			out = append(out, &model.SimilarProduct{Product: products[i], Score: h.Score})
		}
	}
	return out, nil
}

func (r *queryResolver) SearchReviews(ctx context.Context, query string, productID *string, minRating *int32,
	language *string, first *int32, after *string) (*model.ReviewSearchResult, error) {
	if err := requireSearch(ctx); err != nil {
		return nil, err
	}
	svc, err := r.searchService()
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(query) == "" {
		return nil, errcode.BadInput("query", "missing query: searchReviews needs query text; list a product's reviews with Product.reviews")
	}
	req := fulltext.ReviewRequest{Query: query, ProductID: deref(productID), Language: deref(language)}
	if minRating != nil {
		if *minRating < 1 || *minRating > 5 {
			return nil, errcode.BadInput("minRating", "invalid minRating %d: must be between 1 and 5", *minRating)
		}
		req.MinRating = *minRating
	}
	size, from, err := r.offsetPage(first, after, 20)
	if err != nil {
		return nil, err
	}
	req.Size, req.From = max(size, 1), from
	if req.From > fulltext.MaxFrom {
		return nil, errcode.BadInput("after", "offset %d is beyond the %d hits a search pages through; narrow the query", req.From, fulltext.MaxFrom)
	}
	res, err := svc.SearchReviews(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search reviews for %q: %w", query, err)
	}
	res.Hits = res.Hits[:min(len(res.Hits), size)]
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	reviews, err := r.store.Reviews(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read reviews of search hits: %w", err)
	}
	out := &model.ReviewSearchResult{TotalCount: int32(res.Total), Edges: []*model.ReviewSearchEdge{}}
	for i, h := range res.Hits {
		if reviews[i] != nil {
			out.Edges = append(out.Edges, &model.ReviewSearchEdge{Node: reviews[i], Score: h.Score,
				Highlights: highlightList(h.Highlights), Cursor: encodeOffset(req.From + i)})
		}
	}
	out.PageInfo = offsetPageInfo(req.From, len(res.Hits), int(min(res.Total, fulltext.MaxFrom)), after != nil)
	return out, nil
}

// searchError maps an invalid search argument to BAD_USER_INPUT on its
// field; other errors stay INTERNAL.
func searchError(err error) error {
	var in *search.InputError
	if errors.As(err, &in) {
		return errcode.BadInputWrap(in.Field, in)
	}
	return err
}

func searchMode(m *model.SearchMode) (search.Mode, error) {
	if m == nil {
		return search.Keyword, nil
	}
	switch *m {
	case model.SearchModeKeyword:
		return search.Keyword, nil
	case model.SearchModeSemantic:
		return search.Semantic, nil
	case model.SearchModeHybrid:
		return search.Hybrid, nil
	}
	return 0, errcode.BadInput("mode", "invalid mode %q: use KEYWORD, SEMANTIC or HYBRID", *m)
}

func searchFilter(f *model.SearchFilter) (fulltext.Filter, error) {
	var out fulltext.Filter
	if f == nil {
		return out, nil
	}
	out.Category = f.Category
	if f.Price != nil {
		out.MinPrice, out.MaxPrice = f.Price.Min, f.Price.Max
		if out.MinPrice != nil && out.MaxPrice != nil && *out.MinPrice > *out.MaxPrice {
			return out, errcode.BadInput("filter.price", "invalid filter.price: min %s is above max %s; swap them", *out.MinPrice, *out.MaxPrice)
		}
	}
	if f.MinRating != nil {
		if *f.MinRating < 0 || *f.MinRating > 5 {
			return out, errcode.BadInput("filter.minRating", "invalid filter.minRating %v: must be between 0 and 5", *f.MinRating)
		}
		out.MinRating = *f.MinRating
	}
	out.Region = deref(f.Region)
	out.Language = deref(f.Language)
	return out, nil
}

// offsetPage returns the page size (which may be 0) and the offset of first
// and an offset cursor from encodeOffset.
func (r *Resolver) offsetPage(first *int32, after *string, def int) (size, from int, err error) {
	size = def
	if first != nil {
		size = int(*first)
	}
	if size < 0 || size > r.opts.Limits.MaxPageSize {
		return 0, 0, errcode.BadInput("first", "invalid first %d: must be between 0 and %d", size, r.opts.Limits.MaxPageSize)
	}
	if after != nil {
		n, err := decodeOffset(*after)
		if err != nil {
			return 0, 0, errcode.BadInputWrap("after", err)
		}
		from = n + 1
	}
	return size, from, nil
}

// Offset cursors are "o:<position>" in URL-safe base64: the 0-based
// position of the edge in the ranking.
const offsetCursorPrefix = "o:"

func encodeOffset(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(offsetCursorPrefix + strconv.Itoa(n)))
}

func decodeOffset(c string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	s, ok := strings.CutPrefix(string(raw), offsetCursorPrefix)
	n, perr := strconv.Atoi(s)
	if err != nil || !ok || perr != nil || n < 0 {
		return 0, fmt.Errorf("invalid after cursor %q: pass the cursor of an edge of the same search", c)
	}
	return n, nil
}

func offsetPageInfo(from, n, available int, hasAfter bool) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: from+n < available, HasPreviousPage: hasAfter}
	if n > 0 {
		start, end := encodeOffset(from), encodeOffset(from+n-1)
		info.StartCursor, info.EndCursor = &start, &end
	}
	return info
}

func rankOrNull(rank int) *int32 {
	if rank == 0 {
		return nil
	}
	v := int32(rank)
	return &v
}

func highlightList(m map[string][]string) []*model.Highlight {
	out := make([]*model.Highlight, 0, len(m))
	for field, frags := range m {
		out = append(out, &model.Highlight{Field: field, Fragments: frags})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func searchFacets(f *fulltext.Facets) *model.SearchFacets {
	out := &model.SearchFacets{Category: termFacets(f.Categories), Region: termFacets(f.Regions)}
	for _, p := range f.Prices {
		out.Price = append(out.Price, &model.PriceFacet{Name: p.Name, From: centsOrNull(p.Min), To: centsOrNull(p.Max), Count: int32(p.Count)})
	}
	for _, p := range f.Ratings {
		out.Rating = append(out.Rating, &model.RatingFacet{Name: p.Name, From: p.Min, To: p.Max, Count: int32(p.Count)})
	}
	return out
}

func termFacets(terms []fulltext.TermCount) []*model.TermFacet {
	out := make([]*model.TermFacet, len(terms))
	for i, t := range terms {
		out[i] = &model.TermFacet{Value: t.Term, Count: int32(t.Count)}
	}
	return out
}

func centsOrNull(v *float64) *storage.Money {
	if v == nil {
		return nil
	}
	m := storage.Money(*v)
	return &m
}
