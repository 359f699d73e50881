package resolvers

import (
	"time"

	"github.com/shopsight/shopsight/graph/errcode"
	"github.com/shopsight/shopsight/graph/model"
	"github.com/shopsight/shopsight/storage"
)

// The functions in this file turn filter inputs into storage filters and
// reject values the store would refuse with an untyped error, so that the
// client gets BAD_USER_INPUT naming the field. Field names are relative to
// the filter argument, such as "region.state" or "price.min".

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func timeRange(field string, r *model.TimeRange) (storage.TimeRange, error) {
	var out storage.TimeRange
	if r == nil {
		return out, nil
	}
	if r.From != nil {
		out.From = *r.From
	}
	if r.To != nil {
		out.To = *r.To
	}
	if !out.From.IsZero() && !out.To.IsZero() && !out.From.Before(out.To) {
		return out, errcode.BadInput(field, "invalid %s: from %s is not before to %s; swap them or widen the range",
			field, out.From.Format(time.RFC3339), out.To.Format(time.RFC3339))
	}
	return out, nil
}

func regionFilter(field string, r *model.RegionFilter) (storage.Region, error) {
	if r == nil {
		return storage.Region{}, nil
	}
	out := storage.Region{Country: deref(r.Country), State: deref(r.State), City: deref(r.City)}
	switch {
	case out.Country == "" && out.State != "":
		return out, errcode.BadInput(field+".country", "missing %s.country: a state filter needs the country code", field)
	case out.State == "" && out.City != "":
		return out, errcode.BadInput(field+".state", "missing %s.state: a city filter needs the state code", field)
	}
	return out, nil
}

func userFilter(f *model.UserFilter) (storage.UserFilter, error) {
	var out storage.UserFilter
	if f == nil {
		return out, nil
	}
	var err error
	if out.Region, err = regionFilter("region", f.Region); err != nil {
		return out, err
	}
	out.SignedUp, err = timeRange("signedUp", f.SignedUp)
	return out, err
}

func sellerFilter(f *model.SellerFilter) (storage.SellerFilter, error) {
	var out storage.SellerFilter
	if f == nil {
		return out, nil
	}
	var err error
	out.Region, err = regionFilter("region", f.Region)
	return out, err
}

func productFilter(f *model.ProductFilter) (storage.ProductFilter, error) {
	var out storage.ProductFilter
	if f == nil {
		return out, nil
	}
	out.Category = f.Category
	out.Language = deref(f.Language)
	if p := f.Price; p != nil {
		out.MinPrice, out.MaxPrice = p.Min, p.Max
		if p.Min != nil && p.Max != nil && *p.Min > *p.Max {
			return out, errcode.BadInput("price", "invalid price range: min %s is above max %s", *p.Min, *p.Max)
		}
	}
	if r := f.Rating; r != nil {
		for _, b := range []struct {
			name string
			v    *float64
		}{{"rating.min", r.Min}, {"rating.max", r.Max}} {
			if b.v != nil && (*b.v < 1 || *b.v > 5) {
				return out, errcode.BadInput(b.name, "invalid %s %g: ratings are from 1 to 5", b.name, *b.v)
			}
		}
		if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
			return out, errcode.BadInput("rating", "invalid rating range: min %g is above max %g", *r.Min, *r.Max)
		}
		out.MinRating, out.MaxRating = r.Min, r.Max
	}
	var err error
	out.Created, err = timeRange("created", f.Created)
	return out, err
}

func orderFilter(f *model.OrderFilter) (storage.OrderFilter, error) {
	var out storage.OrderFilter
	if f == nil {
		return out, nil
	}
	out.UserID = deref(f.UserID)
	out.ProductID = deref(f.ProductID)
	out.SellerID = deref(f.SellerID)
	out.Status = deref(f.Status)
	out.Category = f.Category
	var err error
	if out.Region, err = regionFilter("region", f.Region); err != nil {
		return out, err
	}
	out.Purchased, err = timeRange("purchased", f.Purchased)
	return out, err
}

func reviewFilter(f *model.ReviewFilter) (storage.ReviewFilter, error) {
	var out storage.ReviewFilter
	if f == nil {
		return out, nil
	}
	out.ProductID = deref(f.ProductID)
	out.UserID = deref(f.UserID)
	out.Language = deref(f.Language)
	if r := f.Rating; r != nil {
		for _, b := range []struct {
			name string
			v    *int32
			dst  *int32
		}{{"rating.min", r.Min, &out.MinRating}, {"rating.max", r.Max, &out.MaxRating}} {
			if b.v == nil {
				continue
			}
			if *b.v < 1 || *b.v > 5 {
				return out, errcode.BadInput(b.name, "invalid %s %d: ratings are from 1 to 5", b.name, *b.v)
			}
			*b.dst = *b.v
		}
		if out.MinRating != 0 && out.MaxRating != 0 && out.MinRating > out.MaxRating {
			return out, errcode.BadInput("rating", "invalid rating range: min %d is above max %d", out.MinRating, out.MaxRating)
		}
	}
	var err error
	out.Created, err = timeRange("created", f.Created)
	return out, err
}

func eventFilter(f *model.EventFilter) (storage.EventFilter, error) {
	var out storage.EventFilter
	if f == nil {
		return out, nil
	}
	out.UserID = deref(f.UserID)
	out.SessionID = deref(f.SessionID)
	out.ProductID = deref(f.ProductID)
	if f.Type != nil {
		out.Type = *f.Type
	}
	var err error
	out.At, err = timeRange("at", f.At)
	return out, err
}
