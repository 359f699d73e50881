package series

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Query selects one series and, optionally, a time range. From and To are
// widened to whole buckets: the series starts at the bucket containing
// From and ends with the bucket containing the instant before To.
type Query struct {
	Key
	// From is the start of the range; zero starts at the first order of
	// the series.
	From time.Time
	// To is the exclusive end; zero ends with the bucket of the store's
	// newest order, so a series that stopped selling ends in zeros.
	To time.Time
}

// Builder builds series from a store's orders.
type Builder struct {
	store *storage.Store
}

// NewBuilder returns a Builder reading store.
func NewBuilder(store *storage.Store) *Builder { return &Builder{store: store} }

// bucket accumulates every metric of one bucket.
type bucket struct {
	units, cents, orders int64
	users                map[string]struct{}
}

func (b *bucket) value(m Metric) int64 {
	switch m {
	case Units:
		return b.units
	case Revenue:
		return b.cents
	case Orders:
		return b.orders
	}
	return int64(len(b.users))
}

// accumulator collects buckets per series id.
type accumulator struct {
	group Group
	gran  Granularity
	loc   *time.Location
	// regionLevel limits the region of REGION and CATEGORY_REGION ids to
	// one level (1 country, 2 state, 3 city); 0 keeps every level.
	regionLevel int
	// only, when not empty, is the single id to collect.
	only    string
	buckets map[string]map[int64]*bucket
}

func newAccumulator(group Group, gran Granularity, loc *time.Location) *accumulator {
	return &accumulator{group: group, gran: gran, loc: loc, buckets: map[string]map[int64]*bucket{}}
}

// itemIDs returns the series ids of group that item it of o belongs to.
func (a *accumulator) itemIDs(o *storage.Order, it *storage.OrderItem) []string {
	switch a.group {
	case Product:
		return []string{it.ProductID}
	case Seller:
		return []string{it.SellerID}
	case Category:
		return CategoryIDs(it.Category)
	case Region:
		return a.regionIDs(o)
	case CategoryRegion:
		regions := a.regionIDs(o)
		categories := CategoryIDs(it.Category)
		ids := make([]string, 0, len(regions)*len(categories))
		for _, c := range categories {
			for _, r := range regions {
				ids = append(ids, CategoryRegionID(c, r))
			}
		}
		return ids
	}
	return []string{""}
}

// regionIDs returns the region ids of o's delivery region at the
// accumulator's region level.
func (a *accumulator) regionIDs(o *storage.Order) []string {
	ids := RegionIDs(o.ShipTo.Country, o.ShipTo.State, o.ShipTo.City)
	if a.regionLevel > 0 {
		if len(ids) < a.regionLevel {
			return nil
		}
		return ids[a.regionLevel-1 : a.regionLevel]
	}
	return ids
}

// add counts o into every series it belongs to. Canceled orders are skipped.
func (a *accumulator) add(o *storage.Order) {
	if o.Status == storage.OrderCanceled {
		return
	}
	idx := a.gran.Index(o.PurchasedAt, a.loc)
	type share struct{ units, cents int64 }
	shares := map[string]*share{}
	for i := range o.Items {
		it := &o.Items[i]
		for _, id := range a.itemIDs(o, it) {
			if a.only != "" && id != a.only {
				continue
			}
			s := shares[id]
			if s == nil {
				s = &share{}
				shares[id] = s
			}
			s.units += int64(it.Quantity)
			s.cents += int64(it.UnitPrice) * int64(it.Quantity)
		}
	}
	for id, s := range shares {
		series := a.buckets[id]
		if series == nil {
			series = map[int64]*bucket{}
			a.buckets[id] = series
		}
		b := series[idx]
		if b == nil {
			b = &bucket{users: map[string]struct{}{}}
			series[idx] = b
		}
		b.units += s.units
		b.cents += s.cents
		b.orders++
		b.users[o.UserID] = struct{}{}
	}
}

// dense returns the series of id over buckets first..last, or nil when id
// has no bucket in that range.
func (a *accumulator) dense(id string, key Key, first, last int64) *Series {
	buckets := a.buckets[id]
	var any bool
	for i := range buckets {
		if i >= first && i <= last {
			any = true
			break
		}
	}
	if !any {
		return nil
	}
	s := &Series{Key: key, Season: key.Granularity.Season(), First: first, Points: make([]Point, 0, last-first+1)}
	for i := first; i <= last; i++ {
		p := Point{Start: key.Granularity.Start(i, a.loc)}
		if b := buckets[i]; b != nil {
			p.Value = b.value(key.Metric)
		}
		s.Points = append(s.Points, p)
	}
	return s
}

// firstBucket returns the smallest bucket ordinal of id.
func (a *accumulator) firstBucket(id string) int64 {
	return slices.Min(slices.Collect(maps.Keys(a.buckets[id])))
}

// Build returns the series q selects. It returns an *InputError for an
// invalid key, an unknown product or seller, or a series without orders in
// the range (wrapping ErrNoData).
func (b *Builder) Build(ctx context.Context, q Query) (*Series, error) {
	q.Key = q.Key.Normalized()
	if err := q.Validate(); err != nil {
		return nil, err
	}
	loc, _ := LoadZone(q.TimeZone)
	filter, err := b.orderFilter(ctx, q.Key)
	if err != nil {
		return nil, err
	}
	rng, err := bucketRange(q, loc)
	if err != nil {
		return nil, err
	}
	filter.Purchased = rng
	last, err := b.lastBucket(ctx, q, loc)
	if err != nil {
		return nil, err
	}

	acc := newAccumulator(q.Group, q.Granularity, loc)
	acc.only = q.ID
	err = b.store.EachOrder(ctx, filter, func(o *storage.Order) error {
		acc.add(o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read orders of series %s: %w", q.Key, err)
	}
	if len(acc.buckets[q.ID]) == 0 {
		return nil, noData(q)
	}
	first := acc.firstBucket(q.ID)
	if !q.From.IsZero() {
		first = q.Granularity.Index(q.From, loc)
	}
	s := acc.dense(q.ID, q.Key, first, max(last, first))
	if s == nil {
		return nil, noData(q)
	}
	return s, nil
}

func noData(q Query) error {
	if q.From.IsZero() && q.To.IsZero() {
		what := string(q.Group) + " " + q.ID
		if q.Group == All {
			what = "the store"
		}
		return &InputError{Field: "id", Err: fmt.Errorf("%w for %s: check the id, or import orders first", ErrNoData, what)}
	}
	return &InputError{Field: "from", Err: fmt.Errorf("%w for %s %q between %s and %s: widen the range",
		ErrNoData, q.Group, q.ID, formatBound(q.From), formatBound(q.To))}
}

func formatBound(t time.Time) string {
	if t.IsZero() {
		return "(open)"
	}
	return t.UTC().Format(time.RFC3339)
}

// orderFilter returns the store filter selecting the orders of key's group
// and id, and checks that a product or seller id exists.
func (b *Builder) orderFilter(ctx context.Context, key Key) (storage.OrderFilter, error) {
	var f storage.OrderFilter
	switch key.Group {
	case Product:
		if _, err := b.store.Product(ctx, key.ID); err != nil {
			return f, unknownID(key, "product", err)
		}
		f.ProductID = key.ID
	case Seller:
		if _, err := b.store.Seller(ctx, key.ID); err != nil {
			return f, unknownID(key, "seller", err)
		}
		f.SellerID = key.ID
	case Category:
		f.Category = ParseCategory(key.ID)
	case Region:
		parts, _ := ParseRegion(key.ID)
		f.Region = storage.Region{Country: parts[0], State: parts[1], City: parts[2]}
	case CategoryRegion:
		category, parts, _ := ParseCategoryRegion(key.ID)
		f.Category = category
		f.Region = storage.Region{Country: parts[0], State: parts[1], City: parts[2]}
	}
	return f, nil
}

func unknownID(key Key, kind string, err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return &InputError{Field: "id", Err: fmt.Errorf("unknown %s id %q: check the id: %w", kind, key.ID, err)}
	}
	return fmt.Errorf("read %s %q: %w", kind, key.ID, err)
}

// bucketRange returns q's range widened to whole buckets.
func bucketRange(q Query, loc *time.Location) (storage.TimeRange, error) {
	var r storage.TimeRange
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return r, inputErrorf("from", "invalid range: from %s is not before to %s; swap them",
			q.From.UTC().Format(time.RFC3339), q.To.UTC().Format(time.RFC3339))
	}
	if !q.From.IsZero() {
		r.From = q.Granularity.Start(q.Granularity.Index(q.From, loc), loc)
	}
	if !q.To.IsZero() {
		r.To = q.Granularity.Start(q.Granularity.Index(q.To.Add(-time.Nanosecond), loc)+1, loc)
	}
	return r, nil
}

// lastBucket returns the ordinal of the last bucket of q: the bucket before
// q.To, or the last complete bucket of the store's orders. A week or month
// whose last day comes after the newest order's day is incomplete. Its
// total would look like a sudden drop that models fit as real demand, so
// the series ends one bucket earlier, unless that bucket is the only one.
func (b *Builder) lastBucket(ctx context.Context, q Query, loc *time.Location) (int64, error) {
	if !q.To.IsZero() {
		return q.Granularity.Index(q.To.Add(-time.Nanosecond), loc), nil
	}
	newest, err := b.NewestOrder(ctx)
	if err != nil {
		return 0, err
	}
	last := q.Granularity.Index(newest, loc)
	if q.Granularity == Day {
		return last, nil
	}
	lastDay := Day.Index(q.Granularity.Start(last+1, loc), loc) - 1
	if Day.Index(newest, loc) < lastDay && (q.From.IsZero() || q.Granularity.Index(q.From, loc) < last) {
		last--
	}
	return last, nil
}

// NewestOrder returns the purchase time of the store's newest order, of any
// status, or an *InputError wrapping ErrNoData when the store has none.
func (b *Builder) NewestOrder(ctx context.Context) (time.Time, error) {
	page, err := b.store.ListOrders(ctx, storage.OrderFilter{}, storage.PageRequest{First: 1, Desc: true})
	if err != nil {
		return time.Time{}, fmt.Errorf("read the newest order: %w", err)
	}
	if len(page.Items) == 0 {
		return time.Time{}, &InputError{Field: "id", Err: fmt.Errorf("%w in the store: import orders first", ErrNoData)}
	}
	return page.Items[0].PurchasedAt, nil
}

// AllOptions selects the series BuildAll returns.
type AllOptions struct {
	Metric      Metric
	Group       Group
	Granularity Granularity
	TimeZone    string
	// RegionLevel restricts the region of REGION and CATEGORY_REGION
	// series to countries (1), states (2) or cities (3); 0 returns every
	// level.
	RegionLevel int
	// From and To bound the orders read, as in Query.
	From, To time.Time
}

// BuildAll returns every series of one group in a single scan of the
// orders, sorted by id. For CATEGORY_REGION that is every (category,
// region) pair with an order in the range. Each series starts at its own first order and ends
// with the bucket of the store's newest order (or the bucket before To).
func (b *Builder) BuildAll(ctx context.Context, opts AllOptions) ([]*Series, error) {
	key := Key{Metric: opts.Metric, Group: opts.Group, Granularity: opts.Granularity, TimeZone: opts.TimeZone}
	if opts.Group == All {
		s, err := b.Build(ctx, Query{Key: key, From: opts.From, To: opts.To})
		if err != nil {
			return nil, err
		}
		return []*Series{s}, nil
	}
	// A placeholder id lets Validate check the other fields.
	switch key.Group {
	case Region:
		key.ID = "BR"
	case CategoryRegion:
		key.ID = CategoryRegionID("x", "BR")
	default:
		key.ID = "x"
	}
	if err := key.Validate(); err != nil {
		return nil, err
	}
	if opts.RegionLevel < 0 || opts.RegionLevel > 3 {
		return nil, inputErrorf("regionLevel", "invalid region level %d: use 1 (country), 2 (state), 3 (city) or 0 (all)", opts.RegionLevel)
	}
	loc, _ := LoadZone(opts.TimeZone)
	q := Query{Key: key, From: opts.From, To: opts.To}
	rng, err := bucketRange(q, loc)
	if err != nil {
		return nil, err
	}
	last, err := b.lastBucket(ctx, q, loc)
	if err != nil {
		return nil, err
	}
	acc := newAccumulator(opts.Group, opts.Granularity, loc)
	acc.regionLevel = opts.RegionLevel
	err = b.store.EachOrder(ctx, storage.OrderFilter{Purchased: rng}, func(o *storage.Order) error {
		acc.add(o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read orders for every %s series: %w", opts.Group, err)
	}
	ids := slices.Sorted(maps.Keys(acc.buckets))
	out := make([]*Series, 0, len(ids))
	for _, id := range ids {
		if id == "" {
			continue
		}
		k := key
		k.ID = id
		first := acc.firstBucket(id)
		if !opts.From.IsZero() {
			first = opts.Granularity.Index(opts.From, loc)
		}
		if s := acc.dense(id, k, first, max(last, first)); s != nil {
			out = append(out, s)
		}
	}
	return out, nil
}
