package loaders

import (
	"context"
	"strings"

	"github.com/shopsight/shopsight/storage"
)

// categorySeparator joins category paths in keys; the store rejects NUL in
// category names, so joined paths split back unambiguously.
const categorySeparator = "\x00"

// OrderFilterKey is a comparable form of storage.OrderFilter without the
// user, for dataloader keys.
type OrderFilterKey struct {
	ProductID string
	SellerID  string
	Status    string
	Region    storage.Region
	Category  string
	Purchased storage.TimeRange
}

// NewOrderFilterKey returns the key form of f; f.UserID is dropped.
func NewOrderFilterKey(f storage.OrderFilter) OrderFilterKey {
	return OrderFilterKey{
		ProductID: f.ProductID, SellerID: f.SellerID, Status: f.Status, Region: f.Region,
		Category: strings.Join(f.Category, categorySeparator), Purchased: f.Purchased,
	}
}

// Filter returns the storage filter the key stands for.
func (k OrderFilterKey) Filter() storage.OrderFilter {
	f := storage.OrderFilter{ProductID: k.ProductID, SellerID: k.SellerID, Status: k.Status, Region: k.Region, Purchased: k.Purchased}
	if k.Category != "" {
		f.Category = strings.Split(k.Category, categorySeparator)
	}
	return f
}

// OrdersKey selects one page of one user's orders.
type OrdersKey struct {
	UserID string
	Filter OrderFilterKey
	Page   storage.PageRequest
}

// ReviewsKey selects one page of the reviews of one product or one user:
// ID is the product id for ReviewsByProduct and the user id for
// ReviewsByUser, and the matching field of Filter is ignored.
type ReviewsKey struct {
	ID     string
	Filter storage.ReviewFilter
	Page   storage.PageRequest
}

type listingGroup[F comparable] struct {
	filter F
	page   storage.PageRequest
}

// ordersByUserFetch reads the keys with one ListOrdersByUsers call per
// distinct filter and page request; a page of users that all ask for the
// same nested page costs one read.
func ordersByUserFetch(store *storage.Store) func(context.Context, []OrdersKey) ([]storage.Page[storage.Order], []error) {
	return func(ctx context.Context, keys []OrdersKey) ([]storage.Page[storage.Order], []error) {
		out := make([]storage.Page[storage.Order], len(keys))
		errs := make([]error, len(keys))
		groups, idx := groupIndexes(keys, func(k OrdersKey) listingGroup[OrderFilterKey] {
			return listingGroup[OrderFilterKey]{k.Filter, k.Page}
		})
		for _, g := range groups {
			positions := idx[g]
			userIDs := make([]string, len(positions))
			for i, p := range positions {
				userIDs[i] = keys[p].UserID
			}
			pages, err := store.ListOrdersByUsers(ctx, userIDs, g.filter.Filter(), g.page)
			for i, p := range positions {
				if err != nil {
					errs[p] = err
					continue
				}
				out[p] = pages[i]
			}
		}
		return out, errs
	}
}

// reviewsByProductFetch reads the keys with one ListReviewsByProducts call
// per distinct filter and page request.
func reviewsByProductFetch(store *storage.Store) func(context.Context, []ReviewsKey) ([]storage.Page[storage.Review], []error) {
	return reviewsFetch(store.ListReviewsByProducts, func(f *storage.ReviewFilter) { f.ProductID = "" })
}

// reviewsByUserFetch reads the keys with one ListReviewsByUsers call per
// distinct filter and page request.
func reviewsByUserFetch(store *storage.Store) func(context.Context, []ReviewsKey) ([]storage.Page[storage.Review], []error) {
	return reviewsFetch(store.ListReviewsByUsers, func(f *storage.ReviewFilter) { f.UserID = "" })
}

// reviewsFetch groups the keys by filter and page request and reads each
// group with one call of list, which returns one page per parent id.
// clearParent removes the parent's id field from a key's filter, because
// list sets it from the ids.
func reviewsFetch(
	list func(context.Context, []string, storage.ReviewFilter, storage.PageRequest) ([]storage.Page[storage.Review], error),
	clearParent func(*storage.ReviewFilter),
) func(context.Context, []ReviewsKey) ([]storage.Page[storage.Review], []error) {
	return func(ctx context.Context, keys []ReviewsKey) ([]storage.Page[storage.Review], []error) {
		out := make([]storage.Page[storage.Review], len(keys))
		errs := make([]error, len(keys))
		groups, idx := groupIndexes(keys, func(k ReviewsKey) listingGroup[storage.ReviewFilter] {
			f := k.Filter
			clearParent(&f)
			return listingGroup[storage.ReviewFilter]{f, k.Page}
		})
		for _, g := range groups {
			positions := idx[g]
			parentIDs := make([]string, len(positions))
			for i, p := range positions {
				parentIDs[i] = keys[p].ID
			}
			pages, err := list(ctx, parentIDs, g.filter, g.page)
			for i, p := range positions {
				if err != nil {
					errs[p] = err
					continue
				}
				out[p] = pages[i]
			}
		}
		return out, errs
	}
}
