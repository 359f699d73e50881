package analytics

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// FunnelQuery is a funnel over behaviour events.
type FunnelQuery struct {
	// Steps are event types a session must reach in this order, such as
	// view, cart, purchase; other events in between are ignored.
	Steps []storage.EventType
	// Granularity buckets sessions by the time of their first event in
	// the range; empty gives one row for the whole range.
	Granularity Granularity
	Location    *time.Location
	WeekStart   time.Weekday
	From, To    time.Time
	// Region keeps events in the region (its set fields must match).
	Region storage.Region
	// SessionGap ends a session of events without a session id after this
	// much idle time; 0 uses the engine's default.
	SessionGap time.Duration
}

// FunnelStep is the number of sessions that reached one step.
type FunnelStep struct {
	Step     storage.EventType
	Sessions int64
	// FromStart is Sessions over the sessions that reached the first step,
	// FromPrevious over the previous step's; both are undefined (Den 0)
	// when the denominator is 0.
	FromStart, FromPrevious Value
}

// FunnelRow is the funnel of one time bucket.
type FunnelRow struct {
	// Time is the bucket start; zero without a granularity.
	Time  time.Time
	Steps []FunnelStep
}

// sessionState is the progress of one session through the steps.
type sessionState struct {
	bucket  int64
	reached int
	last    time.Time
}

// Funnel counts, per bucket, the sessions that reached each step in
// order. Events with a session id form sessions by that id; events
// without one form sessions per user, split where the gap between two
// events exceeds SessionGap.
func (e *Engine) Funnel(ctx context.Context, q FunnelQuery) ([]FunnelRow, error) {
	if len(q.Steps) == 0 || len(q.Steps) > 10 {
		return nil, argErr("steps", "invalid steps: give 1 to 10 event types, such as [VIEW, CART, PURCHASE]")
	}
	if q.Granularity != "" && !validGranularity(q.Granularity) {
		return nil, argErr("granularity", "invalid granularity %q: use one of %s", q.Granularity, joinNames(AllGranularities))
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return nil, argErr("to", "invalid range: from %s is not before to %s", q.From.Format(time.RFC3339), q.To.Format(time.RFC3339))
	}
	if q.SessionGap < 0 {
		return nil, argErr("sessionGapMinutes", "invalid session gap %s: must be positive", q.SessionGap)
	}
	if q.SessionGap == 0 {
		q.SessionGap = e.opts.SessionGap
	}
	if q.Location == nil {
		q.Location = time.UTC
	}
	bk := bucketer{g: q.Granularity, loc: q.Location, weekStart: q.WeekStart}
	counts := map[int64][]int64{}
	finish := func(s *sessionState) {
		if s.reached == 0 {
			return
		}
		c := counts[s.bucket]
		if c == nil {
			c = make([]int64, len(q.Steps))
			counts[s.bucket] = c
		}
		for i := 0; i < s.reached; i++ {
			c[i]++
		}
	}
	byID := map[string]*sessionState{}
	byUser := map[string]*sessionState{}
	err := e.store.EachEvent(ctx, storage.EventFilter{At: storage.TimeRange{From: q.From, To: q.To}}, func(ev *storage.Event) error {
		if !regionIn(q.Region, ev.Region) {
			return nil
		}
		var s *sessionState
		if ev.SessionID != "" {
			s = byID[ev.SessionID]
			if s == nil {
				s = &sessionState{bucket: bucketOrZero(bk, ev.At)}
				byID[ev.SessionID] = s
			}
		} else {
			s = byUser[ev.UserID]
			if s != nil && ev.At.Sub(s.last) > q.SessionGap {
				finish(s)
				s = nil
			}
			if s == nil {
				s = &sessionState{bucket: bucketOrZero(bk, ev.At)}
				byUser[ev.UserID] = s
			}
		}
		s.last = ev.At
		if s.reached < len(q.Steps) && ev.Type == q.Steps[s.reached] {
			s.reached++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan events for funnel: %w", err)
	}
	for _, s := range byID {
		finish(s)
	}
	for _, s := range byUser {
		finish(s)
	}
	return funnelRows(q, bk, counts), nil
}

func bucketOrZero(bk bucketer, t time.Time) int64 {
	if bk.g == "" {
		return 0
	}
	return bk.ordinal(t)
}

func regionIn(filter, r storage.Region) bool {
	return (filter.Country == "" || r.Country == filter.Country) && (filter.State == "" || r.State == filter.State) &&
		(filter.City == "" || r.City == filter.City)
}

func funnelRows(q FunnelQuery, bk bucketer, counts map[int64][]int64) []FunnelRow {
	buckets := make([]int64, 0, len(counts))
	for b := range counts {
		buckets = append(buckets, b)
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i] < buckets[j] })
	rows := make([]FunnelRow, 0, len(buckets))
	for _, b := range buckets {
		row := FunnelRow{}
		if q.Granularity != "" {
			row.Time = bk.start(b)
		}
		c := counts[b]
		for i, step := range q.Steps {
			fs := FunnelStep{Step: step, Sessions: c[i], FromStart: ratio(c[i], c[0], 4)}
			if i == 0 {
				fs.FromPrevious = ratio(c[0], c[0], 4)
			} else {
				fs.FromPrevious = ratio(c[i], c[i-1], 4)
			}
			row.Steps = append(row.Steps, fs)
		}
		rows = append(rows, row)
	}
	return rows
}
