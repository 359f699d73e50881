package analytics

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/rollup"
)

var (
	orderMeasures  = []Measure{Orders, Units, Revenue, Freight, Customers, AvgOrderValue, DeliveryDays, LateDeliveryRate}
	reviewMeasures = []Measure{AvgRating, Reviews}
)

func (q *Query) wantsAny(ms []Measure) bool {
	for _, m := range ms {
		if q.wants(m) {
			return true
		}
	}
	return false
}

// regionDepth returns the deepest region level among the dimensions.
func (q *Query) regionDepth() int {
	switch {
	case q.has(City):
		return 3
	case q.has(State):
		return 2
	case q.has(Country):
		return 1
	}
	return 0
}

func (f Filter) regionDepth() int {
	switch {
	case f.City != "":
		return 3
	case f.State != "":
		return 2
	case f.Country != "":
		return 1
	}
	return 0
}

func (f Filter) region() storage.Region {
	return storage.Region{Country: f.Country, State: f.State, City: f.City}
}

// regionMatches reports whether r is inside the filter's region.
func (f Filter) regionMatches(r storage.Region) bool {
	return (f.Country == "" || r.Country == f.Country) && (f.State == "" || r.State == f.State) && (f.City == "" || r.City == f.City)
}

func categoryHasPrefix(path, prefix []string) bool {
	if len(path) < len(prefix) {
		return false
	}
	for i := range prefix {
		if path[i] != prefix[i] {
			return false
		}
	}
	return true
}

func isUTCMidnight(t time.Time) bool { return t.IsZero() || t.Unix()%86400 == 0 }

// rollupAnswers reports whether the rollup cells answer p exactly: UTC day
// buckets or coarser, range bounds on UTC midnights, additive measures,
// and only region and seller filters.
func rollupAnswers(p *plan) bool {
	q := p.q
	f := q.Filter
	switch {
	case q.wants(Customers), q.has(Product), q.has(PaymentType):
		return false
	case q.has(Time) && (q.Granularity == Hour || !isUTC(q.Location)):
		return false
	case !isUTCMidnight(p.dataFrom) || !isUTCMidnight(p.dataTo):
		return false
	case len(f.Category) > 0 || f.ProductID != "" || f.Status != "" || f.PaymentType != "" || f.Box != nil:
		return false
	}
	return true
}

func (e *Engine) rollupsCurrent(ctx context.Context) (bool, error) {
	ok, err := rollup.Current(ctx, e.store)
	if err != nil {
		return false, fmt.Errorf("check rollups: %w", err)
	}
	if !ok {
		e.opts.Logger.Warn("rollups are missing or stale, scanning orders; run the rollup rebuild to speed up analytics")
	}
	return ok, nil
}

// key builds the group key of a record's dimension values; region holds
// the record's full region.
func (p *plan) key(bucket int64, region storage.Region, category []string, seller, product, payment string) groupKey {
	k := groupKey{bucket: bucket}
	depth := p.q.regionDepth()
	if depth >= 1 {
		k.country = region.Country
	}
	if depth >= 2 {
		k.state = region.State
	}
	if depth >= 3 {
		k.city = region.City
	}
	if p.q.has(Category) {
		k.category = strings.Join(category, "\x00")
	}
	if p.q.has(Seller) {
		k.seller = seller
	}
	if p.q.has(Product) {
		k.product = product
	}
	if p.q.has(PaymentType) {
		k.payment = payment
	}
	return k
}

func dayRange(from, to time.Time) (int32, int32) {
	lo, hi := int32(math.MinInt32), int32(math.MaxInt32)
	if !from.IsZero() {
		lo = rollup.Day(from)
	}
	if !to.IsZero() {
		hi = rollup.Day(to)
	}
	return lo, hi
}

func (e *Engine) aggregateRollups(ctx context.Context, p *plan) (groups, error) {
	q := p.q
	f := q.Filter
	level := max(q.regionDepth(), f.regionDepth())
	fromDay, toDay := dayRange(p.dataFrom, p.dataTo)
	g := groups{}
	visit := func(c *rollup.Cell) error {
		if !f.regionMatches(c.Region) || f.SellerID != "" && c.Seller != f.SellerID {
			return nil
		}
		k := p.key(p.bucketOf(rollup.DayStart(c.Day)), c.Region, c.Category, c.Seller, "", "")
		a := g.get(k, false)
		a.sums.Add(c.Sums)
		return nil
	}
	if q.wantsAny(orderMeasures) {
		family := rollup.FamilyOrders
		byCategory, bySeller := q.has(Category), q.has(Seller) || f.SellerID != ""
		switch {
		case byCategory && bySeller:
			family = rollup.FamilyPair
		case byCategory:
			family = rollup.FamilyCategory
		case bySeller:
			family = rollup.FamilySeller
		}
		if err := rollup.EachCell(ctx, e.store, family, level, fromDay, toDay, visit); err != nil {
			return nil, fmt.Errorf("read order rollups: %w", err)
		}
	}
	if q.wantsAny(reviewMeasures) {
		if err := rollup.EachCell(ctx, e.store, rollup.FamilyReviews, level, fromDay, toDay, visit); err != nil {
			return nil, fmt.Errorf("read review rollups: %w", err)
		}
	}
	return g, nil
}

func (e *Engine) aggregateScan(ctx context.Context, p *plan) (groups, error) {
	g := groups{}
	if p.q.wantsAny(orderMeasures) {
		if err := e.scanOrders(ctx, p, g); err != nil {
			return nil, err
		}
	}
	if p.q.wantsAny(reviewMeasures) {
		if err := e.scanReviews(ctx, p, g); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// paymentTypes returns the distinct payment types of o, or [""] when it
// has none.
func paymentTypes(o *storage.Order) []string {
	var out []string
	for _, p := range o.Payments {
		dup := false
		for _, t := range out {
			dup = dup || t == p.Type
		}
		if !dup {
			out = append(out, p.Type)
		}
	}
	if len(out) == 0 {
		return []string{""}
	}
	return out
}

// orderPasses applies the order-level filters that the store's order
// filter does not.
func (f Filter) orderPasses(o *storage.Order) bool {
	if f.Box != nil && (o.Location == nil || !f.Box.Contains(o.Location.Lat, o.Location.Lon)) {
		return false
	}
	if f.Status != "" && o.Status != f.Status {
		return false
	}
	if f.PaymentType != "" {
		found := false
		for _, p := range o.Payments {
			found = found || p.Type == f.PaymentType
		}
		if !found {
			return false
		}
	}
	return f.regionMatches(o.ShipTo)
}

func (f Filter) itemPasses(it *storage.OrderItem) bool {
	return (f.SellerID == "" || it.SellerID == f.SellerID) && (f.ProductID == "" || it.ProductID == f.ProductID) &&
		categoryHasPrefix(it.Category, f.Category)
}

// itemGroup is the items of one order with the same item dimension values.
type itemGroup struct {
	category        []string
	seller, product string
	items           []storage.OrderItem
}

// splitItems groups the items by the requested item dimensions. Without
// any it returns one group with all items, even when there are none, so
// that an order without items still counts as an order.
func (p *plan) splitItems(items []storage.OrderItem) []itemGroup {
	byCat, bySeller, byProduct := p.q.has(Category), p.q.has(Seller), p.q.has(Product)
	if !byCat && !bySeller && !byProduct {
		return []itemGroup{{items: items}}
	}
	var out []itemGroup
	index := map[string]int{}
	for _, it := range items {
		var g itemGroup
		var k strings.Builder
		if byCat {
			g.category = it.Category
			k.WriteString(strings.Join(it.Category, "\x00"))
		}
		k.WriteByte(1)
		if bySeller {
			g.seller = it.SellerID
			k.WriteString(it.SellerID)
		}
		k.WriteByte(1)
		if byProduct {
			g.product = it.ProductID
			k.WriteString(it.ProductID)
		}
		i, ok := index[k.String()]
		if !ok {
			i = len(out)
			index[k.String()] = i
			out = append(out, g)
		}
		out[i].items = append(out[i].items, it)
	}
	return out
}

func (e *Engine) scanOrders(ctx context.Context, p *plan, g groups) error {
	f := p.q.Filter
	withUsers := p.q.wants(Customers)
	sf := storage.OrderFilter{Region: f.region(), Category: f.Category, SellerID: f.SellerID, ProductID: f.ProductID,
		Status: f.Status, Purchased: storage.TimeRange{From: p.dataFrom, To: p.dataTo}}
	err := e.store.EachOrder(ctx, sf, func(o *storage.Order) error {
		if !f.orderPasses(o) {
			return nil
		}
		items := o.Items
		if f.itemFilter() {
			items = nil
			for i := range o.Items {
				if f.itemPasses(&o.Items[i]) {
					items = append(items, o.Items[i])
				}
			}
			if len(items) == 0 {
				return nil
			}
		}
		bucket := p.bucketOf(o.PurchasedAt)
		payments := []string{""}
		if p.q.has(PaymentType) {
			payments = paymentTypes(o)
		}
		for _, ig := range p.splitItems(items) {
			s := rollup.ItemSums(o, ig.items)
			for _, pt := range payments {
				a := g.get(p.key(bucket, o.ShipTo, ig.category, ig.seller, ig.product, pt), withUsers)
				a.sums.Add(s)
				if withUsers {
					a.users[o.UserID] = struct{}{}
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan orders: %w", err)
	}
	return nil
}

// reviewBatch is the number of reviews whose orders are read in one call.
const reviewBatch = 500

func (e *Engine) scanReviews(ctx context.Context, p *plan, g groups) error {
	f := p.q.Filter
	var batch []storage.Review
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ids := make([]string, 0, len(batch))
		for _, r := range batch {
			if r.OrderID != "" {
				ids = append(ids, r.OrderID)
			}
		}
		orders, err := e.store.Orders(ctx, ids)
		if err != nil {
			return fmt.Errorf("read the orders of reviews: %w", err)
		}
		byID := make(map[string]*storage.Order, len(orders))
		for _, o := range orders {
			if o != nil {
				byID[o.ID] = o
			}
		}
		for i := range batch {
			p.addReview(g, &batch[i], byID[batch[i].OrderID], f)
		}
		batch = batch[:0]
		return nil
	}
	err := e.store.EachReview(ctx, storage.ReviewFilter{ProductID: f.ProductID, Created: storage.TimeRange{From: p.dataFrom, To: p.dataTo}},
		func(r *storage.Review) error {
			batch = append(batch, *r)
			if len(batch) < reviewBatch {
				return nil
			}
			return flush()
		})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("scan reviews: %w", err)
	}
	return nil
}

// addReview counts r where rollup.ReviewTarget attributes it, after the
// filters; o is its order or nil.
func (p *plan) addReview(g groups, r *storage.Review, o *storage.Order, f Filter) {
	region, category, seller := rollup.ReviewTarget(o, r)
	if !f.regionMatches(region) || !categoryHasPrefix(category, f.Category) ||
		f.SellerID != "" && seller != f.SellerID || f.ProductID != "" && r.ProductID != f.ProductID {
		return
	}
	if f.Status != "" || f.PaymentType != "" || f.Box != nil {
		if o == nil || !f.orderPasses(o) {
			return
		}
	}
	payments := []string{""}
	if p.q.has(PaymentType) && o != nil {
		payments = paymentTypes(o)
	}
	bucket := p.bucketOf(r.CreatedAt)
	for _, pt := range payments {
		a := g.get(p.key(bucket, region, category, seller, r.ProductID, pt), p.q.wants(Customers))
		a.sums.Reviews++
		a.sums.RatingSum += int64(r.Rating)
	}
}
