package fulltext

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// ReviewRequest is a review search.
type ReviewRequest struct {
	// Query is free text in any language; empty matches every review, and
	// the hits are then ordered newest first.
	Query     string
	ProductID string
	// MinRating is the inclusive lower bound of the rating; 0 means none.
	MinRating int32
	// Language is the detected language of the review, such as "en" or "zh".
	Language string
	// Size and From page the hits as in Request.
	Size int
	From int
}

// ReviewHit is one matching review.
type ReviewHit struct {
	Hit
	ProductID string
}

// ReviewResult is a page of review hits.
type ReviewResult struct {
	Hits  []ReviewHit
	Total uint64
	Took  time.Duration
}

// SearchReviews runs a review search. Hits carry highlights of the review
// title and text when Query is not empty.
func (x *Index) SearchReviews(ctx context.Context, r ReviewRequest) (*ReviewResult, error) {
	if err := checkPage(r.Size, r.From); err != nil {
		return nil, err
	}
	if r.MinRating < 0 || r.MinRating > 5 {
		return nil, fmt.Errorf("invalid minimum rating %d: must be between 0 and 5", r.MinRating)
	}
	var q query.Query = query.NewMatchAllQuery()
	hasText := strings.TrimSpace(r.Query) != ""
	if hasText {
		q = textQuery(r.Query, reviewTextFields)
	}
	var filters []query.Query
	if r.ProductID != "" {
		filters = append(filters, termFilter(fieldProductID, r.ProductID))
	}
	if r.MinRating > 0 {
		filters = append(filters, rangeFilter(fieldRating, bound(float64(r.MinRating)), nil))
	}
	if r.Language != "" {
		filters = append(filters, termFilter(fieldLanguage, r.Language))
	}
	req := bleve.NewSearchRequestOptions(withFilters(q, filters), pageSize(r.Size), r.From, false)
	req.Fields = []string{fieldProductID}
	if hasText {
		req.Highlight = bleve.NewHighlightWithStyle("html")
		req.Highlight.Fields = languageFieldNames(reviewTextFields)
	} else {
		req.SortBy([]string{"-" + fieldCreatedAt, "_id"})
	}

	res, err := x.searchReviews(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search reviews for %q: %w", r.Query, err)
	}
	out := &ReviewResult{Total: res.Total, Took: res.Took, Hits: make([]ReviewHit, len(res.Hits))}
	for i, h := range res.Hits {
		productID, _ := h.Fields[fieldProductID].(string)
		out.Hits[i] = ReviewHit{
			Hit:       Hit{ID: h.ID, Score: h.Score, Highlights: collectHighlights(h.Fragments)},
			ProductID: productID,
		}
	}
	return out, nil
}

func (x *Index) searchReviews(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return nil, ErrClosed
	}
	return x.set.reviews.SearchInContext(ctx, req)
}
