package analytics

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// CohortBy selects what puts a user in a cohort.
type CohortBy string

// Cohort kinds.
const (
	BySignup     CohortBy = "SIGNUP"
	ByFirstOrder CohortBy = "FIRST_ORDER"
)

// MaxCohortPeriods is the largest number of later months in a cohort row.
const MaxCohortPeriods = 36

// Cohort is the users who signed up (or first ordered) in one UTC month,
// and how many of them ordered in each later month.
type Cohort struct {
	Month time.Time
	Users int64
	// Active[k] counts the users with an order in month k after the cohort
	// month (k = 0 is the cohort month itself), and Retention[k] is
	// Active[k] over Users.
	Active    []int64
	Retention []Value
}

// Cohorts groups users by the UTC month of their signup or first order in
// [from, to) and returns, for k = 0 … periods, the share of each cohort
// that ordered in month k.
func (e *Engine) Cohorts(ctx context.Context, by CohortBy, from, to time.Time, periods int) ([]Cohort, error) {
	switch {
	case by != BySignup && by != ByFirstOrder:
		return nil, argErr("by", "invalid cohort kind %q: use SIGNUP or FIRST_ORDER", by)
	case periods < 0 || periods > MaxCohortPeriods:
		return nil, argErr("periods", "invalid periods %d: must be 0 to %d months", periods, MaxCohortPeriods)
	case !from.IsZero() && !to.IsZero() && !from.Before(to):
		return nil, argErr("to", "invalid range: from %s is not before to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	bk := bucketer{g: Month, loc: time.UTC}
	inRange := storage.TimeRange{From: from, To: to}
	orderMonths := map[string]map[int64]bool{}
	firstOrder := map[string]time.Time{}
	err := e.store.EachOrder(ctx, storage.OrderFilter{}, func(o *storage.Order) error {
		m := bk.ordinal(o.PurchasedAt)
		set := orderMonths[o.UserID]
		if set == nil {
			set = map[int64]bool{}
			orderMonths[o.UserID] = set
			firstOrder[o.UserID] = o.PurchasedAt // orders arrive in purchase-time order
		}
		set[m] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan orders for cohorts: %w", err)
	}
	cohortOf := map[string]int64{}
	if by == BySignup {
		err = e.store.EachUser(ctx, storage.UserFilter{SignedUp: inRange}, func(u *storage.User) error {
			if !u.SignupAt.IsZero() {
				cohortOf[u.ID] = bk.ordinal(u.SignupAt)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("scan users for cohorts: %w", err)
		}
	} else {
		// Like signups, first orders are kept by their own time, so a
		// range that ends mid-month leaves out the later first orders.
		for u, at := range firstOrder {
			if inRange.Contains(at) {
				cohortOf[u] = bk.ordinal(at)
			}
		}
	}
	byMonth := map[int64]*Cohort{}
	for u, m := range cohortOf {
		c := byMonth[m]
		if c == nil {
			c = &Cohort{Month: bk.start(m), Active: make([]int64, periods+1)}
			byMonth[m] = c
		}
		c.Users++
		for k := 0; k <= periods; k++ {
			if orderMonths[u][m+int64(k)] {
				c.Active[k]++
			}
		}
	}
	out := make([]Cohort, 0, len(byMonth))
	for _, c := range byMonth {
		c.Retention = make([]Value, periods+1)
		for k := range c.Active {
			c.Retention[k] = ratio(c.Active[k], c.Users, 4)
		}
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month.Before(out[j].Month) })
	return out, nil
}
