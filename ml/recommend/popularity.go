package recommend

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// PopularityOptions sets the popularity and trending model.
type PopularityOptions struct {
	// Window is the recent period whose rate trending compares.
	Window time.Duration
	// Baseline is the period before Window that gives the baseline rate.
	Baseline time.Duration
	// Prior is a pseudo-rate in events per day added to the baseline, so
	// that items with little history do not trend on one event.
	Prior float64
	// Trending ranks candidates by trend rather than by all-time
	// popularity.
	Trending bool
}

// DefaultPopularityOptions returns a 7-day window against the 28 days before
// it, prior 1 event per day, ranking by trend.
func DefaultPopularityOptions() PopularityOptions {
	return PopularityOptions{Window: 7 * 24 * time.Hour, Baseline: 28 * 24 * time.Hour, Prior: 1, Trending: true}
}

// WithWindow sets the recent window.
func (o PopularityOptions) WithWindow(d time.Duration) PopularityOptions { o.Window = d; return o }

// WithBaseline sets the baseline period.
func (o PopularityOptions) WithBaseline(d time.Duration) PopularityOptions { o.Baseline = d; return o }

// WithPrior sets the baseline pseudo-rate.
func (o PopularityOptions) WithPrior(p float64) PopularityOptions { o.Prior = p; return o }

// WithTrending selects ranking by trend (true) or by popularity (false).
func (o PopularityOptions) WithTrending(t bool) PopularityOptions { o.Trending = t; return o }

// Popularity ranks items by weighted event counts per region, and by trend:
// the recent rate against the baseline rate,
//
//	trend = (recent − baseline) / √(baseline + prior)
//
// with rates in weighted events per day. That is a Poisson z-score: a rise
// counts more on an item whose baseline is small but not zero.
type Popularity struct {
	ModelName string
	Items     *Index
	// Regions lists the regions with their own ranking. Index 0, "", is all
	// regions.
	Regions []string
	// Popular and Trend hold, per region, the items with a positive score,
	// best first.
	Popular, Trend [][]ScoredItem
	// WindowLabel is the window in reasons, for example "7d".
	WindowLabel string
	Trending    bool
}

// ScoredItem is an item index with a score.
type ScoredItem struct {
	Item  int32
	Score float32
}

// Name returns "trending" or "popularity".
func (m *Popularity) Name() string { return m.ModelName }

// TrainPopularity counts the event weights of ds per region and computes
// trends at ds.Reference. Time decay is not applied here, because the
// windows already express recency.
func TrainPopularity(ctx context.Context, ds *Dataset, opts PopularityOptions) (*Popularity, error) {
	if opts.Window <= 0 || opts.Baseline <= 0 {
		return nil, fmt.Errorf("train popularity: window %v and baseline %v must be positive", opts.Window, opts.Baseline)
	}
	if opts.Prior < 0 {
		return nil, fmt.Errorf("train popularity: invalid prior %v: must be >= 0", opts.Prior)
	}
	nItems, nRegions := ds.Items.Len(), ds.Regions.Len()
	all := make([][]float64, nRegions)
	recent := make([][]float64, nRegions)
	base := make([][]float64, nRegions)
	for r := range nRegions {
		all[r], recent[r], base[r] = make([]float64, nItems), make([]float64, nItems), make([]float64, nItems)
	}
	ref := ds.Reference.Unix()
	windowStart := ref - int64(opts.Window.Seconds())
	baseStart := windowStart - int64(opts.Baseline.Seconds())
	for k, ev := range ds.Events {
		if k%65536 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("train popularity: %w", ctx.Err())
		}
		w := ds.Weights.eventWeight(ev.Type)
		for _, r := range []int32{0, ev.Region} {
			all[r][ev.Item] += w
			switch {
			case ev.Time > ref:
			case ev.Time >= windowStart:
				recent[r][ev.Item] += w
			case ev.Time >= baseStart:
				base[r][ev.Item] += w
			}
			if ev.Region == 0 {
				break // region 0 is the all-regions row: count once
			}
		}
	}
	windowDays := opts.Window.Hours() / 24
	baseDays := opts.Baseline.Hours() / 24
	m := &Popularity{Items: ds.Items, Regions: slices.Clone(ds.Regions.IDs()), WindowLabel: formatWindow(opts.Window), Trending: opts.Trending,
		Popular: make([][]ScoredItem, nRegions), Trend: make([][]ScoredItem, nRegions)}
	m.ModelName = "popularity"
	if opts.Trending {
		m.ModelName = "trending"
	}
	for r := range nRegions {
		trend := make([]float64, nItems)
		for i := range nItems {
			rate, baseRate := recent[r][i]/windowDays, base[r][i]/baseDays
			if rate > 0 {
				trend[i] = (rate - baseRate) / math.Sqrt(baseRate+opts.Prior)
			}
		}
		m.Popular[r] = rankPositive(all[r])
		m.Trend[r] = rankPositive(trend)
	}
	return m, nil
}

func rankPositive(scores []float64) []ScoredItem {
	var out []ScoredItem
	for i, s := range scores {
		if s > 0 {
			out = append(out, ScoredItem{Item: int32(i), Score: float32(s)})
		}
	}
	slices.SortFunc(out, func(a, b ScoredItem) int {
		if better(scored{a.Item, a.Score}, scored{b.Item, b.Score}) {
			return -1
		}
		return 1
	})
	return out
}

// formatWindow renders whole days as "7d" and other durations as hours.
func formatWindow(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
	return strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
}

func (m *Popularity) regionIndex(region string) int {
	if region != "" {
		if r := slices.Index(m.Regions, region); r > 0 {
			return r
		}
	}
	return 0
}

// Candidates returns the region's trending items (or popular items, per the
// options), then fills from the region's popular items, then from all
// regions, then from the rest of the catalog with score 0. It returns fewer
// than n only when the catalog, less exclusions, is smaller than n.
func (m *Popularity) Candidates(ctx context.Context, q *Query, n int) ([]Candidate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	exclude := excludedIndexes(q, m.Items)
	r := m.regionIndex(q.Region)
	taken := make(map[int32]bool)
	var out []Candidate
	add := func(list []ScoredItem, reason Reason) {
		for _, s := range list {
			if len(out) >= n {
				return
			}
			if _, skip := exclude[s.Item]; skip || taken[s.Item] {
				continue
			}
			taken[s.Item] = true
			rs := reason
			rs.Score = float64(s.Score)
			out = append(out, Candidate{Item: m.Items.ID(s.Item), Score: float64(s.Score), Reasons: []Reason{rs}})
		}
	}

	if m.Trending {
		add(m.Trend[r], Reason{Kind: ReasonTrending, Model: m.ModelName, Region: m.Regions[r], Window: m.WindowLabel})
	}
	add(m.Popular[r], Reason{Kind: ReasonPopular, Model: m.ModelName, Region: m.Regions[r]})
	if r != 0 {
		add(m.Popular[0], Reason{Kind: ReasonPopular, Model: m.ModelName})
	}
	if len(out) < n {
		rest := make([]ScoredItem, 0, m.Items.Len())
		for i := range int32(m.Items.Len()) {
			rest = append(rest, ScoredItem{Item: i})
		}
		add(rest, Reason{Kind: ReasonPopular, Model: m.ModelName})
	}
	// Scores from the trend and popularity lists are not comparable, so the
	// list order is the ranking, and the scores are rescaled to follow it.
	for k := range out {
		out[k].Score = float64(len(out) - k)
	}
	return out, nil
}
