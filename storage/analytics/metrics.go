package analytics

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"
)

// Source is where Metrics read its data.
type Source string

// Sources.
const (
	SourceRollup Source = "ROLLUP"
	SourceScan   Source = "SCAN"
)

// Row is one result row: the values of the requested dimensions and one
// value per requested measure, in request order. Fields of dimensions that
// were not requested are empty; a CITY row also carries its state and
// country, and a STATE row its country.
type Row struct {
	// Time is the start of the bucket; zero without the TIME dimension.
	Time        time.Time
	Country     string
	State       string
	City        string
	Category    []string
	SellerID    string
	ProductID   string
	PaymentType string
	// Others marks the row that sums the groups outside the top N.
	Others bool
	Values []Value
	// Previous holds the values of the previous period, and Change the
	// relative change (Values−Previous)/Previous, NaN where undefined; both
	// are nil without Compare.
	Previous []Value
	Change   []float64
}

// Result is the answer of Metrics.
type Result struct {
	Rows []Row
	// Truncated reports that First cut the rows.
	Truncated bool
	Source    Source
}

// groupKey identifies one group: a bucket and the values of the requested
// dimensions.
type groupKey struct {
	bucket                   int64
	country, state, city     string
	category                 string // path joined with 0x00
	seller, product, payment string
	others                   bool
}

type groups map[groupKey]*acc

func (g groups) get(k groupKey, withUsers bool) *acc {
	a := g[k]
	if a == nil {
		a = &acc{}
		if withUsers {
			a.users = map[string]struct{}{}
		}
		g[k] = a
	}
	return a
}

// plan holds the bucketing of one query.
type plan struct {
	q        *Query
	bk       bucketer
	dataFrom time.Time // first instant aggregated, earlier than From for Compare and Rolling
	dataTo   time.Time
	// first and last bound the buckets that become rows; open when unset.
	first, last       int64
	hasFirst, hasLast bool
	// shift is the number of buckets between a bucket and its previous
	// period.
	shift int64
}

func newPlan(q *Query) *plan {
	p := &plan{q: q, bk: bucketer{g: q.Granularity, loc: q.Location, weekStart: q.WeekStart}, dataFrom: q.From, dataTo: q.To}
	if !q.has(Time) {
		p.first, p.last, p.hasFirst, p.hasLast, p.shift = 0, 0, true, true, 1
		if q.Compare {
			p.dataFrom = q.From.Add(-q.To.Sub(q.From))
		}
		return p
	}
	if !q.From.IsZero() {
		p.first, p.hasFirst = p.bk.ordinal(q.From), true
	}
	if !q.To.IsZero() {
		p.last, p.hasLast = p.bk.ordinal(q.To.Add(-time.Nanosecond)), true
	}
	extra := int64(0)
	if q.Compare {
		p.shift = p.last - p.first + 1
		extra += p.shift
	}
	if q.Rolling > 1 {
		extra += int64(q.Rolling - 1)
	}
	if extra > 0 {
		p.dataFrom = p.bk.start(p.first - extra)
	}
	return p
}

// bucketOf returns the bucket of an instant in [dataFrom, dataTo).
func (p *plan) bucketOf(t time.Time) int64 {
	if !p.q.has(Time) {
		if !p.q.From.IsZero() && t.Before(p.q.From) {
			return -1
		}
		return 0
	}
	return p.bk.ordinal(t)
}

func (p *plan) inRange(b int64) bool {
	return (!p.hasFirst || b >= p.first) && (!p.hasLast || b <= p.last)
}

// Metrics runs q and returns its rows.
func (e *Engine) Metrics(ctx context.Context, q Query) (*Result, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	p := newPlan(&q)
	g, source, err := e.aggregate(ctx, p)
	if err != nil {
		return nil, err
	}
	if q.TopN > 0 {
		g = p.keepTop(g)
	}
	rows := p.rows(g)
	sortRows(&q, rows)
	res := &Result{Rows: rows, Source: source}
	limit := q.First
	if limit == 0 {
		limit = MaxRows
	}
	if len(res.Rows) > limit {
		res.Rows, res.Truncated = res.Rows[:limit], true
	}
	return res, nil
}

// aggregate fills the groups from the rollups when they answer p exactly,
// and from a scan otherwise.
func (e *Engine) aggregate(ctx context.Context, p *plan) (groups, Source, error) {
	if e.opts.UseRollups && rollupAnswers(p) {
		ok, err := e.rollupsCurrent(ctx)
		if err != nil {
			return nil, "", err
		}
		if ok {
			g, err := e.aggregateRollups(ctx, p)
			return g, SourceRollup, err
		}
	}
	g, err := e.aggregateScan(ctx, p)
	return g, SourceScan, err
}

// keepTop merges every group outside the top N into an "others" group per
// bucket. Groups are ranked by TopNBy over the buckets of the range.
func (p *plan) keepTop(g groups) groups {
	totals := map[groupKey]*acc{}
	for k, a := range g {
		if !p.inRange(k.bucket) {
			continue
		}
		nk := k
		nk.bucket = 0
		t := totals[nk]
		if t == nil {
			t = &acc{}
			totals[nk] = t
		}
		t.merge(a)
	}
	type ranked struct {
		key   groupKey
		value float64
	}
	list := make([]ranked, 0, len(totals))
	for k, a := range totals {
		v := measureValue(p.q.TopNBy, a).Float64()
		if math.IsNaN(v) {
			v = math.Inf(-1)
		}
		list = append(list, ranked{k, v})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].value != list[j].value {
			return list[i].value > list[j].value
		}
		return keyLess(list[i].key, list[j].key)
	})
	top := map[groupKey]bool{}
	for i := 0; i < len(list) && i < p.q.TopN; i++ {
		top[list[i].key] = true
	}
	out := groups{}
	for k, a := range g {
		nk := k
		nk.bucket = 0
		if !top[nk] {
			k = groupKey{bucket: k.bucket, others: true}
		}
		out.get(k, a.users != nil).merge(a)
	}
	return out
}

func keyLess(a, b groupKey) bool {
	as := []string{a.country, a.state, a.city, a.category, a.seller, a.product, a.payment}
	bs := []string{b.country, b.state, b.city, b.category, b.seller, b.product, b.payment}
	for i := range as {
		if as[i] != bs[i] {
			return as[i] < bs[i]
		}
	}
	return false
}

// window returns the group of k, over the Rolling buckets ending at
// k.bucket when Rolling is set. The result is nil when no data fell in it.
func (p *plan) window(g groups, k groupKey) *acc {
	n := int64(1)
	if p.q.Rolling > 1 {
		n = int64(p.q.Rolling)
	}
	if n == 1 {
		return g[k]
	}
	var out *acc
	for b := k.bucket - n + 1; b <= k.bucket; b++ {
		wk := k
		wk.bucket = b
		if a := g[wk]; a != nil {
			if out == nil {
				out = &acc{}
			}
			out.merge(a)
		}
	}
	return out
}

// rows turns the groups into rows for the buckets of the range, applying
// Rolling and Compare.
func (p *plan) rows(g groups) []Row {
	span := int64(0)
	if p.q.Rolling > 1 {
		span = int64(p.q.Rolling - 1)
	}
	shift := int64(0)
	if p.q.Compare {
		shift = p.shift
	}
	bases := []int64{0}
	if p.q.Compare {
		bases = append(bases, shift)
	}
	candidates := map[groupKey]bool{}
	for k := range g {
		for _, base := range bases {
			for j := int64(0); j <= span; j++ {
				nk := k
				nk.bucket = k.bucket + base + j
				if p.inRange(nk.bucket) {
					candidates[nk] = true
				}
			}
		}
	}
	rows := make([]Row, 0, len(candidates))
	empty := &acc{users: map[string]struct{}{}}
	for k := range candidates {
		cur := p.window(g, k)
		var prev *acc
		if p.q.Compare {
			pk := k
			pk.bucket -= shift
			prev = p.window(g, pk)
		}
		if cur == nil && prev == nil {
			continue
		}
		if cur == nil {
			cur = empty
		}
		row := p.rowOf(k)
		row.Values = make([]Value, len(p.q.Measures))
		for i, m := range p.q.Measures {
			row.Values[i] = measureValue(m, cur)
		}
		if p.q.Compare {
			if prev == nil {
				prev = empty
			}
			row.Previous = make([]Value, len(p.q.Measures))
			row.Change = make([]float64, len(p.q.Measures))
			for i, m := range p.q.Measures {
				row.Previous[i] = measureValue(m, prev)
				row.Change[i] = relativeChange(row.Values[i], row.Previous[i])
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func relativeChange(cur, prev Value) float64 {
	c, pv := cur.Float64(), prev.Float64()
	if math.IsNaN(c) || math.IsNaN(pv) || pv == 0 {
		return math.NaN()
	}
	return (c - pv) / pv
}

func (p *plan) rowOf(k groupKey) Row {
	r := Row{Country: k.country, State: k.state, City: k.city, SellerID: k.seller, ProductID: k.product,
		PaymentType: k.payment, Others: k.others}
	if p.q.has(Category) && !k.others {
		r.Category = strings.Split(k.category, "\x00")
		if k.category == "" {
			r.Category = []string{}
		}
	}
	if p.q.has(Time) {
		r.Time = p.bk.start(k.bucket)
	}
	return r
}

// sortRows orders rows by q.OrderBy, then by time and dimension values,
// with the others row after the named groups.
func sortRows(q *Query, rows []Row) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		for _, k := range q.OrderBy {
			if c := compareBy(q, k, a, b); c != 0 {
				return c < 0
			}
		}
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Others != b.Others {
			return b.Others
		}
		return dimText(a) < dimText(b)
	})
}

func dimText(r *Row) string {
	return strings.Join([]string{r.Country, r.State, r.City, strings.Join(r.Category, "\x00"), r.SellerID, r.ProductID, r.PaymentType}, "\x01")
}

func compareBy(q *Query, k SortKey, a, b *Row) int {
	c := 0
	if k.Measure != "" {
		for i, m := range q.Measures {
			if m == k.Measure {
				c = compareFloat(a.Values[i].Float64(), b.Values[i].Float64())
			}
		}
	} else {
		c = strings.Compare(dimValue(k.Dimension, a), dimValue(k.Dimension, b))
		if k.Dimension == Time {
			c = a.Time.Compare(b.Time)
		}
	}
	if k.Desc {
		c = -c
	}
	return c
}

// compareFloat orders NaN (undefined values) before every number.
func compareFloat(x, y float64) int {
	switch {
	case math.IsNaN(x) && math.IsNaN(y):
		return 0
	case math.IsNaN(x):
		return -1
	case math.IsNaN(y):
		return 1
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func dimValue(d Dimension, r *Row) string {
	switch d {
	case Country:
		return r.Country
	case State:
		return r.State
	case City:
		return r.City
	case Category:
		return strings.Join(r.Category, " > ")
	case Seller:
		return r.SellerID
	case Product:
		return r.ProductID
	case PaymentType:
		return r.PaymentType
	}
	return ""
}
