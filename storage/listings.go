package storage

import (
	"context"

	badger "github.com/dgraph-io/badger/v4"
)

// UserFilter selects users. Zero fields match everything.
type UserFilter struct {
	Region   Region
	SignedUp TimeRange
}

// ListUsers returns a page of users ordered by signup time.
func (s *Store) ListUsers(ctx context.Context, f UserFilter, page PageRequest) (Page[User], error) {
	prefix, err := regionQueryPrefix("ur", f.Region)
	if err != nil {
		return Page[User]{}, err
	}
	sc := &scan[User]{prefix: prefix, times: f.SignedUp, page: page, load: loader(KindUser, decodeUser)}
	if prefix == nil {
		sc.prefix = timeIndexPrefix(KindUser)
		if f.SignedUp == (TimeRange{}) {
			sc.total = countTotal(KindUser)
		}
	}
	return runScan(s, ctx, sc)
}

// SellerFilter selects sellers.
type SellerFilter struct {
	Region Region
}

// ListSellers returns a page of sellers ordered by id.
func (s *Store) ListSellers(ctx context.Context, f SellerFilter, page PageRequest) (Page[Seller], error) {
	if _, err := regionQueryPrefix("or", f.Region); err != nil {
		return Page[Seller]{}, err
	}
	sc := &scan[Seller]{prefix: timeIndexPrefix(KindSeller), page: page, load: loader(KindSeller, decodeSeller)}
	if f.Region != (Region{}) {
		sc.keep = func(_ *badger.Txn, v *Seller) (bool, error) { return regionMatches(f.Region, v.Region), nil }
	} else {
		sc.total = countTotal(KindSeller)
	}
	return runScan(s, ctx, sc)
}

// ProductFilter selects products. Nil pointers and empty fields match
// everything; MinPrice and MaxPrice are inclusive.
type ProductFilter struct {
	Category  []string
	MinPrice  *Money
	MaxPrice  *Money
	MinRating *float64
	MaxRating *float64
	Language  string
	Created   TimeRange
}

func (f ProductFilter) keepFunc() func(*badger.Txn, *Product) (bool, error) {
	if f.MinPrice == nil && f.MaxPrice == nil && f.MinRating == nil && f.MaxRating == nil && f.Language == "" {
		return nil
	}
	return func(txn *badger.Txn, p *Product) (bool, error) {
		if f.MinPrice != nil && p.Price < *f.MinPrice || f.MaxPrice != nil && p.Price > *f.MaxPrice {
			return false, nil
		}
		if f.Language != "" && p.Language != f.Language {
			return false, nil
		}
		if f.MinRating == nil && f.MaxRating == nil {
			return true, nil
		}
		raw, err := getRaw(txn, productStatsKey(p.ID))
		if err != nil {
			return false, err
		}
		st, err := decodeRatingStats(raw)
		if err != nil {
			return false, err
		}
		if st.Count == 0 {
			return false, nil
		}
		avg := st.Average()
		return (f.MinRating == nil || avg >= *f.MinRating) && (f.MaxRating == nil || avg <= *f.MaxRating), nil
	}
}

func (s *Store) productScan(f ProductFilter, page PageRequest) *scan[Product] {
	sc := &scan[Product]{prefix: categoryQueryPrefix("pc", f.Category), times: f.Created, page: page,
		load: loader(KindProduct, decodeProduct), keep: f.keepFunc()}
	if sc.prefix == nil {
		sc.prefix = timeIndexPrefix(KindProduct)
		if sc.keep == nil && f.Created == (TimeRange{}) {
			sc.total = countTotal(KindProduct)
		}
	}
	return sc
}

// ListProducts returns a page of products ordered by creation time.
func (s *Store) ListProducts(ctx context.Context, f ProductFilter, page PageRequest) (Page[Product], error) {
	return runScan(s, ctx, s.productScan(f, page))
}

// OrderFilter selects orders. Empty fields match everything; Region and
// Category match their whole subtree.
type OrderFilter struct {
	UserID    string
	ProductID string
	SellerID  string
	Region    Region
	Category  []string
	Status    string
	Purchased TimeRange
}

// orderScan picks the most selective index for f and checks the remaining
// conditions on each record.
func (s *Store) orderScan(f OrderFilter, page PageRequest) (*scan[Order], error) {
	regionPrefix, err := regionQueryPrefix("or", f.Region)
	if err != nil {
		return nil, err
	}
	sc := &scan[Order]{times: f.Purchased, page: page, load: loader(KindOrder, decodeOrder)}
	usedUser, usedProduct, usedSeller, usedCategory, usedRegion := false, false, false, false, false
	switch {
	case f.UserID != "":
		sc.prefix, usedUser = indexPrefix("ou/", f.UserID), true
	case f.ProductID != "":
		sc.prefix, usedProduct = indexPrefix("op/", f.ProductID), true
	case f.SellerID != "":
		sc.prefix, usedSeller = indexPrefix("os/", f.SellerID), true
	case len(f.Category) > 0:
		sc.prefix, usedCategory = categoryQueryPrefix("oc", f.Category), true
	case regionPrefix != nil:
		sc.prefix, usedRegion = regionPrefix, true
	default:
		sc.prefix = timeIndexPrefix(KindOrder)
	}
	needCheck := (!usedUser && f.UserID != "") || (!usedProduct && f.ProductID != "") || (!usedSeller && f.SellerID != "") ||
		(!usedCategory && len(f.Category) > 0) || (!usedRegion && regionPrefix != nil) || f.Status != ""
	if needCheck {
		sc.keep = func(_ *badger.Txn, o *Order) (bool, error) {
			return orderMatches(f, o), nil
		}
	} else if sc.prefix != nil && f.Purchased == (TimeRange{}) && !usedUser && !usedProduct && !usedSeller && !usedCategory && !usedRegion {
		sc.total = countTotal(KindOrder)
	}
	return sc, nil
}

func orderMatches(f OrderFilter, o *Order) bool {
	if f.UserID != "" && o.UserID != f.UserID || f.Status != "" && o.Status != f.Status {
		return false
	}
	if !regionMatches(f.Region, o.ShipTo) {
		return false
	}
	if f.ProductID == "" && f.SellerID == "" && len(f.Category) == 0 {
		return true
	}
	product, seller, category := f.ProductID == "", f.SellerID == "", len(f.Category) == 0
	for _, it := range o.Items {
		product = product || it.ProductID == f.ProductID
		seller = seller || it.SellerID == f.SellerID
		category = category || categoryHasPrefix(it.Category, f.Category)
	}
	return product && seller && category
}

// ListOrders returns a page of orders ordered by purchase time.
func (s *Store) ListOrders(ctx context.Context, f OrderFilter, page PageRequest) (Page[Order], error) {
	sc, err := s.orderScan(f, page)
	if err != nil {
		return Page[Order]{}, err
	}
	return runScan(s, ctx, sc)
}

// ListOrdersByUsers returns one page of orders per user id, read in one
// transaction, for batched nested fields.
func (s *Store) ListOrdersByUsers(ctx context.Context, userIDs []string, f OrderFilter, page PageRequest) ([]Page[Order], error) {
	scans := make([]*scan[Order], len(userIDs))
	for i, id := range userIDs {
		g := f
		g.UserID = id
		sc, err := s.orderScan(g, page)
		if err != nil {
			return nil, err
		}
		scans[i] = sc
	}
	return runScans(s, ctx, scans)
}

// ReviewFilter selects reviews; MinRating and MaxRating are inclusive and
// ignored when zero.
type ReviewFilter struct {
	ProductID string
	UserID    string
	MinRating int32
	MaxRating int32
	Language  string
	Created   TimeRange
}

func (s *Store) reviewScan(f ReviewFilter, page PageRequest) *scan[Review] {
	sc := &scan[Review]{times: f.Created, page: page, load: loader(KindReview, decodeReview)}
	switch {
	case f.ProductID != "":
		sc.prefix = indexPrefix("rp/", f.ProductID)
	case f.UserID != "":
		sc.prefix = indexPrefix("ru/", f.UserID)
	default:
		sc.prefix = timeIndexPrefix(KindReview)
	}
	if f.UserID != "" && f.ProductID != "" || f.MinRating != 0 || f.MaxRating != 0 || f.Language != "" {
		sc.keep = func(_ *badger.Txn, r *Review) (bool, error) {
			return (f.UserID == "" || r.UserID == f.UserID) &&
				(f.MinRating == 0 || r.Rating >= f.MinRating) &&
				(f.MaxRating == 0 || r.Rating <= f.MaxRating) &&
				(f.Language == "" || r.Language == f.Language), nil
		}
	} else if f.ProductID == "" && f.UserID == "" && f.Created == (TimeRange{}) {
		sc.total = countTotal(KindReview)
	}
	return sc
}

// ListReviews returns a page of reviews ordered by time.
func (s *Store) ListReviews(ctx context.Context, f ReviewFilter, page PageRequest) (Page[Review], error) {
	return runScan(s, ctx, s.reviewScan(f, page))
}

// ListReviewsByProducts returns one page of reviews per product id, read in
// one transaction, for batched nested fields.
func (s *Store) ListReviewsByProducts(ctx context.Context, productIDs []string, f ReviewFilter, page PageRequest) ([]Page[Review], error) {
	scans := make([]*scan[Review], len(productIDs))
	for i, id := range productIDs {
		g := f
		g.ProductID = id
		scans[i] = s.reviewScan(g, page)
	}
	return runScans(s, ctx, scans)
}

// ListReviewsByUsers returns one page of reviews per user id, read in one
// transaction, for batched nested fields.
func (s *Store) ListReviewsByUsers(ctx context.Context, userIDs []string, f ReviewFilter, page PageRequest) ([]Page[Review], error) {
	scans := make([]*scan[Review], len(userIDs))
	for i, id := range userIDs {
		g := f
		g.UserID = id
		g.ProductID = ""
		scans[i] = s.reviewScan(g, page)
	}
	return runScans(s, ctx, scans)
}

// EventFilter selects behaviour events.
type EventFilter struct {
	UserID    string
	SessionID string
	ProductID string
	Type      EventType
	At        TimeRange
}

func (s *Store) eventScan(f EventFilter, page PageRequest) *scan[Event] {
	sc := &scan[Event]{times: f.At, page: page, load: loader(KindEvent, decodeEvent)}
	if f.UserID != "" {
		sc.prefix = indexPrefix("eu/", f.UserID)
	} else {
		sc.prefix = timeIndexPrefix(KindEvent)
	}
	if f.SessionID != "" || f.ProductID != "" || f.Type != 0 {
		sc.keep = func(_ *badger.Txn, e *Event) (bool, error) {
			return (f.SessionID == "" || e.SessionID == f.SessionID) &&
				(f.ProductID == "" || e.ProductID == f.ProductID) &&
				(f.Type == 0 || e.Type == f.Type), nil
		}
	} else if f.UserID == "" && f.At == (TimeRange{}) {
		sc.total = countTotal(KindEvent)
	}
	return sc
}

// ListEvents returns a page of events ordered by time.
func (s *Store) ListEvents(ctx context.Context, f EventFilter, page PageRequest) (Page[Event], error) {
	return runScan(s, ctx, s.eventScan(f, page))
}
