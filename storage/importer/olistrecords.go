package importer

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Record files of the Olist layout: each becomes sellers, users, products,
// orders or reviews.

// importSellers writes one seller per row, located by its zip prefix.
func (o *olistImport) importSellers(ctx context.Context) error {
	required := []string{"seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"}
	return o.eachFile(ctx, olistSellers, "sellers", storage.KindSeller, required, func(ctx context.Context, write bool, stats *FileStats) (func(row) error, func(context.Context) error) {
		out := newBatch(o.im.opts.BatchSize, write, stats, o.im.store.PutSellers)
		return func(r row) error {
			id, err := requiredField(r, "seller_id")
			if err != nil {
				return err
			}
			region, err := olistRegion(r, "seller")
			if err != nil {
				return err
			}
			s := storage.Seller{ID: id, Region: region, Location: o.location(region.Zip)}
			if err := storage.ValidateSeller(&s); err != nil {
				return err
			}
			return out.add(ctx, s)
		}, out.flush
	})
}

// importUsers writes one user per customer_unique_id. Olist has no signup
// date, so SignupAt is the person's first purchase. The address is the one
// of the person's latest order (ties broken by the larger order id), or of
// the person's first customer row when the person has no order.
func (o *olistImport) importUsers(ctx context.Context) error {
	if err := o.scanPurchases(ctx); err != nil {
		return err
	}
	paths := o.files[olistCustomers]
	if len(paths) == 0 {
		return nil
	}
	stats := o.im.report.file(paths[0], storage.KindUser)
	ids := make([]string, 0, len(o.people))
	for id := range o.people {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := newBatch(o.im.opts.BatchSize, true, stats, o.im.store.PutUsers)
	for _, id := range ids {
		p := o.people[id]
		customer := o.customers[p.firstCustomer]
		if p.hasOrders {
			customer = o.customers[p.latestCustomer]
		}
		u := storage.User{ID: id, Region: customer.region, Location: o.location(customer.region.Zip), SignupAt: p.firstPurchase}
		if err := out.add(ctx, u); err != nil {
			return err
		}
	}
	return out.flush(ctx)
}

// scanPurchases reads the orders files once for each person's first and
// latest purchase and each order's purchase time. Invalid rows are ignored
// here: importOrders reports them.
func (o *olistImport) scanPurchases(ctx context.Context) error {
	for _, path := range o.files[olistOrders] {
		quiet := &FileStats{Path: path, Reasons: map[string]int64{}, quiet: true}
		err := o.im.scanCSV(ctx, path, "signup times", quiet, []string{"order_id", "customer_id", "order_purchase_timestamp"}, nil, func(r row) error {
			at, err := o.olistTime(r, "order_purchase_timestamp", true)
			if err != nil {
				return nil
			}
			orderID := r.get("order_id")
			o.purchases[orderID] = at
			c, ok := o.customers[r.get("customer_id")]
			if !ok {
				return nil
			}
			p := o.people[c.uniqueID]
			if !p.hasOrders || at.Before(p.firstPurchase) {
				p.firstPurchase = at
			}
			if !p.hasOrders || at.After(p.latestPurchase) || (at.Equal(p.latestPurchase) && orderID > p.latestOrderID) {
				p.latestPurchase, p.latestOrderID, p.latestCustomer = at, orderID, r.get("customer_id")
			}
			p.hasOrders = true
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// olistNumericAttributes maps Olist product columns to attribute names.
// The "lenght" spelling is Olist's own.
var olistNumericAttributes = []struct{ column, attribute string }{
	{"product_name_lenght", "name_length"},
	{"product_description_lenght", "description_length"},
	{"product_photos_qty", "photos_qty"},
	{"product_weight_g", "weight_g"},
	{"product_length_cm", "length_cm"},
	{"product_height_cm", "height_cm"},
	{"product_width_cm", "width_cm"},
}

// importProducts writes the products. Olist withholds product names, so the
// title is synthetic: the English category in title case, "item" and the
// first 8 characters of the id ("Health Beauty item 1e9e8ef0"). The price
// is the latest unit price in the item rows (loadItems), or 0 for a product
// that no loaded order contains. Olist has no creation date, so CreatedAt
// is the earliest purchase time of an imported order that contains the
// product, or the zero time for a product in no imported order.
func (o *olistImport) importProducts(ctx context.Context) error {
	o.created = o.productCreationTimes()
	required := []string{"product_id", "product_category_name"}
	return o.eachFile(ctx, olistProducts, "products", storage.KindProduct, required, func(ctx context.Context, write bool, stats *FileStats) (func(row) error, func(context.Context) error) {
		out := newBatch(o.im.opts.BatchSize, write, stats, o.im.store.PutProducts)
		return func(r row) error {
			p, err := o.product(r)
			if err != nil {
				return err
			}
			return out.add(ctx, p)
		}, out.flush
	})
}

// productCreationTimes returns the earliest purchase time of each product
// among the loaded item rows, leaving out orders that importOrders skips:
// those with an invalid item or payment row or purchase time.
func (o *olistImport) productCreationTimes() map[string]time.Time {
	created := map[string]time.Time{}
	for orderID, items := range o.items {
		if _, bad := o.badOrders[orderID]; bad {
			continue
		}
		at, ok := o.purchases[orderID]
		if !ok {
			continue
		}
		for _, it := range items {
			if old, seen := created[it.productID]; !seen || at.Before(old) {
				created[it.productID] = at
			}
		}
	}
	return created
}

func (o *olistImport) product(r row) (storage.Product, error) {
	id, err := requiredField(r, "product_id")
	if err != nil {
		return storage.Product{}, err
	}
	category := "uncategorized"
	if pt := r.get("product_category_name"); pt != "" {
		category = pt
		if en, ok := o.categories[pt]; ok {
			category = en
		}
	}
	p := storage.Product{
		ID:        id,
		Title:     fmt.Sprintf("%s item %.8s", titleCase(category), id),
		Category:  []string{category},
		Price:     o.prices[id].price,
		Currency:  "BRL",
		Language:  "en",
		CreatedAt: o.created[id],
	}
	for _, a := range olistNumericAttributes {
		v := r.get(a.column)
		if v == "" {
			continue
		}
		// Re-serialised samples may write 225 as "225.0"; FormatFloat gives
		// one spelling for both.
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return p, invalidField(a.column, "%q: not a number", v)
		}
		if p.Attributes == nil {
			p.Attributes = map[string]string{}
		}
		p.Attributes[a.attribute] = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return p, storage.ValidateProduct(&p)
}

// titleCase turns "health_beauty" into "Health Beauty".
func titleCase(s string) string {
	words := strings.Fields(strings.ReplaceAll(s, "_", " "))
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// importOrders writes one order per orders row, joined with its customer,
// item rows and payment rows.
func (o *olistImport) importOrders(ctx context.Context) error {
	required := []string{"order_id", "customer_id", "order_status", "order_purchase_timestamp"}
	return o.eachFile(ctx, olistOrders, "orders", storage.KindOrder, required, func(ctx context.Context, write bool, stats *FileStats) (func(row) error, func(context.Context) error) {
		out := newBatch(o.im.opts.BatchSize, write, stats, o.im.store.PutOrders)
		return func(r row) error {
			ord, err := o.order(r)
			if err != nil {
				return err
			}
			ref := olistOrderRef{userID: ord.UserID}
			if len(ord.Items) > 0 {
				ref.firstProduct = ord.Items[0].ProductID
			}
			o.orderOwners[ord.ID] = ref
			return out.add(ctx, ord)
		}, out.flush
	})
}

func (o *olistImport) order(r row) (storage.Order, error) {
	id, err := requiredField(r, "order_id")
	if err != nil {
		return storage.Order{}, err
	}
	customerID, err := requiredField(r, "customer_id")
	if err != nil {
		return storage.Order{}, err
	}
	c, ok := o.customers[customerID]
	if !ok {
		return storage.Order{}, &rowError{Class: "unknown customer_id", Err: fmt.Errorf("customer_id %q is not in any %s: add that file to the import", customerID, olistCustomers)}
	}
	if why, bad := o.badOrders[id]; bad {
		return storage.Order{}, &rowError{Class: "invalid items or payments", Err: fmt.Errorf("order %q is skipped because %s", id, why)}
	}
	ord := storage.Order{
		ID:       id,
		UserID:   c.uniqueID,
		Status:   strings.ToLower(r.get("order_status")),
		ShipTo:   c.region,
		Location: o.location(c.region.Zip),
		Items:    orderItems(o.items[id]),
		Payments: orderPayments(o.payments[id]),
	}
	if ord.PurchasedAt, err = o.olistTime(r, "order_purchase_timestamp", true); err != nil {
		return ord, err
	}
	if ord.ApprovedAt, err = o.olistTime(r, "order_approved_at", false); err != nil {
		return ord, err
	}
	if ord.DeliveredAt, err = o.olistTime(r, "order_delivered_customer_date", false); err != nil {
		return ord, err
	}
	if ord.EstimatedDeliveryAt, err = o.olistTime(r, "order_estimated_delivery_date", false); err != nil {
		return ord, err
	}
	return ord, storage.ValidateOrder(&ord)
}

// importReviews writes the reviews with their Portuguese text. Olist reuses
// a review_id for several orders, so the id is review_id + "-" + order_id,
// which is unique and the same in every run and every sample.
func (o *olistImport) importReviews(ctx context.Context) error {
	required := []string{"review_id", "order_id", "review_score", "review_creation_date"}
	return o.eachFile(ctx, olistReviews, "reviews", storage.KindReview, required, func(ctx context.Context, write bool, stats *FileStats) (func(row) error, func(context.Context) error) {
		out := newBatch(o.im.opts.BatchSize, write, stats, o.im.store.PutReviews)
		return func(r row) error {
			rv, err := o.review(r)
			if err != nil {
				return err
			}
			return out.add(ctx, rv)
		}, out.flush
	})
}

func (o *olistImport) review(r row) (storage.Review, error) {
	reviewID, err := requiredField(r, "review_id")
	if err != nil {
		return storage.Review{}, err
	}
	orderID, err := requiredField(r, "order_id")
	if err != nil {
		return storage.Review{}, err
	}
	ref, ok := o.orderOwners[orderID]
	if !ok {
		return storage.Review{}, &rowError{Class: "unknown order_id", Err: fmt.Errorf("order_id %q is not among the imported orders: add its %s or fix that order's row", orderID, olistOrders)}
	}
	// A review of an order without items (canceled or unavailable orders)
	// names no product; it is stored with an empty ProductID.
	score, err := intField(r, "review_score", 0)
	if err != nil {
		return storage.Review{}, err
	}
	if score < 1 || score > 5 {
		return storage.Review{}, invalidField("review_score", "%d: must be 1 to 5", score)
	}
	rv := storage.Review{
		ID:        reviewID + "-" + orderID,
		ProductID: ref.firstProduct,
		UserID:    ref.userID,
		OrderID:   orderID,
		Rating:    int32(score),
		Title:     r.raw("review_comment_title"),
		Text:      r.raw("review_comment_message"),
		Language:  "pt",
	}
	if rv.CreatedAt, err = o.olistTime(r, "review_creation_date", true); err != nil {
		return rv, err
	}
	return rv, storage.ValidateReview(&rv)
}
