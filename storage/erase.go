package storage

import (
	"context"
	"fmt"
	"math"
)

// ErasedText replaces the title and text of an erased user's reviews,
// because free text may name its author or quote an address.
const ErasedText = "[removed]"

// ZipPrefixLen is the number of leading characters of a zip code that
// EraseUser keeps on orders: enough for a region, too few for an address.
const ZipPrefixLen = 2

// ZipPrefix returns the first ZipPrefixLen characters of zip.
func ZipPrefix(zip string) string {
	runes := []rune(zip)
	if len(runes) <= ZipPrefixLen {
		return zip
	}
	return string(runes[:ZipPrefixLen])
}

// CoarsenPoint returns p rounded to 0.1 degree (about 11 km of latitude),
// or nil for nil.
func CoarsenPoint(p *GeoPoint) *GeoPoint {
	if p == nil {
		return nil
	}
	return &GeoPoint{Lat: math.Round(p.Lat*10) / 10, Lon: math.Round(p.Lon*10) / 10}
}

// EraseResult counts the records of an erased user that EraseUser
// processed.
type EraseResult struct {
	// Orders whose zip and location were coarsened.
	Orders int
	// Reviews that lost their user id, title and text.
	Reviews int
	// Events deleted.
	Events int
}

// EraseUser removes the personal data of user id from the store:
//
//   - the user record (name, email, region, location) is deleted;
//   - the user's orders keep the user id, which is a pseudonym once the
//     user record is gone, so order counts and cohorts stay correct, but
//     their ShipTo.Zip is cut to ZipPrefix and their Location rounded by
//     CoarsenPoint;
//   - the user's reviews keep rating, product and time, but lose the user
//     id, and their title and text become ErasedText;
//   - the user's behaviour events, search texts included, are deleted.
//
// Every change goes through the change log and the write hooks, so the
// rollups, the search index and the forecast cache follow it. The records
// are written in batches and the user record is deleted last, so after a
// failure the user still exists and calling EraseUser again finishes the
// work. It returns an error wrapping ErrNotFound when the user does not
// exist.
func (s *Store) EraseUser(ctx context.Context, id string) (EraseResult, error) {
	var res EraseResult
	if _, err := s.User(ctx, id); err != nil {
		return res, fmt.Errorf("erase user %q: %w", id, err)
	}

	var orderIDs, reviewIDs, eventIDs []string
	if err := s.EachOrder(ctx, OrderFilter{UserID: id}, func(o *Order) error {
		orderIDs = append(orderIDs, o.ID)
		return nil
	}); err != nil {
		return res, fmt.Errorf("erase user %q: list orders: %w", id, err)
	}
	if err := s.EachReview(ctx, ReviewFilter{UserID: id}, func(r *Review) error {
		reviewIDs = append(reviewIDs, r.ID)
		return nil
	}); err != nil {
		return res, fmt.Errorf("erase user %q: list reviews: %w", id, err)
	}
	if err := s.EachEvent(ctx, EventFilter{UserID: id}, func(e *Event) error {
		eventIDs = append(eventIDs, e.ID)
		return nil
	}); err != nil {
		return res, fmt.Errorf("erase user %q: list events: %w", id, err)
	}

	err := s.writeBatches(ctx, len(orderIDs), func(st *txnState, i int) error {
		return coarsenOrder(st, orderIDs[i])
	})
	if err != nil {
		return res, fmt.Errorf("erase user %q: coarsen orders: %w", id, err)
	}
	err = s.writeBatches(ctx, len(reviewIDs), func(st *txnState, i int) error {
		return anonymizeReview(st, reviewIDs[i])
	})
	if err != nil {
		return res, fmt.Errorf("erase user %q: anonymize reviews: %w", id, err)
	}
	err = s.writeBatches(ctx, len(eventIDs), func(st *txnState, i int) error {
		old, err := eventOps.readOld(st, eventIDs[i])
		if err != nil || old == nil {
			return err
		}
		return eventOps.remove(st, old)
	})
	if err != nil {
		return res, fmt.Errorf("erase user %q: delete events: %w", id, err)
	}
	if err := s.DeleteUser(ctx, id); err != nil {
		return res, fmt.Errorf("erase user %q: %w", id, err)
	}
	return EraseResult{Orders: len(orderIDs), Reviews: len(reviewIDs), Events: len(eventIDs)}, nil
}

// coarsenOrder cuts the zip and rounds the location of order id. A
// coarsened order is written again unchanged, so a retry is harmless.
func coarsenOrder(st *txnState, id string) error {
	old, err := orderOps.readOld(st, id)
	if err != nil || old == nil {
		return err
	}
	o := *old
	o.ShipTo.Zip = ZipPrefix(o.ShipTo.Zip)
	o.Location = CoarsenPoint(o.Location)
	_, err = orderOps.write(st, old, &o)
	return err
}

// anonymizeReview clears the user id of review id and replaces its title
// and text. The product's rating statistics stay, because the rating is
// kept.
func anonymizeReview(st *txnState, id string) error {
	old, err := reviewOps.readOld(st, id)
	if err != nil || old == nil {
		return err
	}
	r := *old
	r.UserID = ""
	r.Title = ErasedText
	r.Text = ErasedText
	_, err = reviewOps.write(st, old, &r)
	return err
}
