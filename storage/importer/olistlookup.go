package importer

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Lookup files of the Olist layout. They are read into the tables of
// olistImport and write no records themselves. In strict mode the
// validation pass fills nothing, so every table is filled exactly once.

type olistCustomer struct {
	uniqueID string
	region   storage.Region
	line     int
}

// olistPerson is a customer_unique_id: one person, who gets a new
// customer_id with every order.
type olistPerson struct {
	firstCustomer  string // first customer_id of the person in the customers file
	firstPurchase  time.Time
	latestPurchase time.Time
	latestOrderID  string
	latestCustomer string // customer_id of the latest order
	hasOrders      bool
}

type olistItem struct {
	seq       int
	productID string
	sellerID  string
	price     storage.Money
	freight   storage.Money
}

type olistPayment struct {
	seq int
	storage.Payment
}

// olistPrice is the unit price of the item row with the latest
// shipping_limit_date seen for a product; rows with the same date keep the
// later one in file order.
type olistPrice struct {
	at    time.Time
	price storage.Money
}

type olistOrderRef struct {
	userID       string
	firstProduct string
}

type geoSum struct {
	lat, lon float64
	n        int
}

// loadGeolocation reads every geolocation file and stores the mean point of
// each zip prefix.
func (o *olistImport) loadGeolocation(ctx context.Context) error {
	sums := map[string]*geoSum{}
	var order []string
	required := []string{"geolocation_zip_code_prefix", "geolocation_lat", "geolocation_lng"}
	err := o.eachFile(ctx, olistGeolocation, "geolocation", "", required, func(_ context.Context, write bool, _ *FileStats) (func(row) error, func(context.Context) error) {
		return func(r row) error {
			zip, err := olistZip(r.get("geolocation_zip_code_prefix"))
			if err != nil {
				return invalidField("geolocation_zip_code_prefix", "%w", err)
			}
			if zip == "" {
				return missingField("geolocation_zip_code_prefix")
			}
			lat, err := strconv.ParseFloat(r.get("geolocation_lat"), 64)
			if err != nil || lat < -90 || lat > 90 {
				return invalidField("geolocation_lat", "%q: not a latitude in degrees", r.get("geolocation_lat"))
			}
			lon, err := strconv.ParseFloat(r.get("geolocation_lng"), 64)
			if err != nil || lon < -180 || lon > 180 {
				return invalidField("geolocation_lng", "%q: not a longitude in degrees", r.get("geolocation_lng"))
			}
			if !write {
				return nil
			}
			s, ok := sums[zip]
			if !ok {
				s = &geoSum{}
				sums[zip] = s
				order = append(order, zip)
			}
			s.lat += lat
			s.lon += lon
			s.n++
			return nil
		}, nil
	})
	for _, zip := range order {
		s := sums[zip]
		o.geo[zip] = storage.GeoPoint{Lat: s.lat / float64(s.n), Lon: s.lon / float64(s.n)}
	}
	return err
}

// loadTranslation reads the Portuguese → English category names.
func (o *olistImport) loadTranslation(ctx context.Context) error {
	required := []string{"product_category_name", "product_category_name_english"}
	return o.eachFile(ctx, olistTranslation, "categories", "", required, func(_ context.Context, write bool, _ *FileStats) (func(row) error, func(context.Context) error) {
		return func(r row) error {
			pt, en := r.get("product_category_name"), r.get("product_category_name_english")
			if pt == "" {
				return missingField("product_category_name")
			}
			if en == "" {
				return missingField("product_category_name_english")
			}
			if write {
				o.categories[pt] = en
			}
			return nil
		}, nil
	})
}

// loadCustomers reads customer_id → person and address. A person's user
// record is written by importUsers once the orders tell the purchase times.
func (o *olistImport) loadCustomers(ctx context.Context) error {
	required := []string{"customer_id", "customer_unique_id", "customer_zip_code_prefix", "customer_city", "customer_state"}
	return o.eachFile(ctx, olistCustomers, "customers", storage.KindUser, required, func(_ context.Context, write bool, _ *FileStats) (func(row) error, func(context.Context) error) {
		return func(r row) error {
			id, err := requiredField(r, "customer_id")
			if err != nil {
				return err
			}
			unique, err := requiredField(r, "customer_unique_id")
			if err != nil {
				return err
			}
			region, err := olistRegion(r, "customer")
			if err != nil {
				return err
			}
			u := storage.User{ID: unique, Region: region, Location: o.location(region.Zip)}
			if err := storage.ValidateUser(&u); err != nil {
				return err
			}
			if !write {
				return nil
			}
			o.customers[id] = olistCustomer{uniqueID: unique, region: region, line: r.line}
			if _, ok := o.people[unique]; !ok {
				o.people[unique] = &olistPerson{firstCustomer: id}
			}
			return nil
		}, nil
	})
}

// loadItems groups the item rows by order and records each product's latest
// unit price, which importProducts stores as the product's price.
func (o *olistImport) loadItems(ctx context.Context) error {
	required := []string{"order_id", "order_item_id", "product_id", "seller_id", "price"}
	return o.eachFile(ctx, olistItems, "order items", "", required, func(_ context.Context, write bool, _ *FileStats) (func(row) error, func(context.Context) error) {
		return func(r row) error {
			orderID := r.get("order_id")
			err := o.parseItem(r, write)
			if err != nil && orderID != "" && write {
				if _, bad := o.badOrders[orderID]; !bad {
					o.badOrders[orderID] = fmt.Sprintf("its item row at line %d is invalid", r.line)
				}
			}
			return err
		}, nil
	})
}

func (o *olistImport) parseItem(r row, write bool) error {
	orderID, err := requiredField(r, "order_id")
	if err != nil {
		return err
	}
	seq, err := intField(r, "order_item_id", 0)
	if err != nil {
		return err
	}
	it := olistItem{seq: int(seq), productID: r.get("product_id"), sellerID: r.get("seller_id")}
	if it.productID == "" {
		return missingField("product_id")
	}
	if it.price, err = moneyField(r, "price", true); err != nil {
		return err
	}
	if it.freight, err = moneyField(r, "freight_value", false); err != nil {
		return err
	}
	limit, err := timeField(r, "shipping_limit_date", o.im.loc, false)
	if err != nil {
		return err
	}
	if !write {
		return nil
	}
	o.items[orderID] = append(o.items[orderID], it)
	if old, ok := o.prices[it.productID]; !ok || !limit.Before(old.at) {
		o.prices[it.productID] = olistPrice{at: limit, price: it.price}
	}
	return nil
}

// loadPayments groups the payment rows by order.
func (o *olistImport) loadPayments(ctx context.Context) error {
	required := []string{"order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value"}
	return o.eachFile(ctx, olistPayments, "payments", "", required, func(_ context.Context, write bool, _ *FileStats) (func(row) error, func(context.Context) error) {
		return func(r row) error {
			orderID := r.get("order_id")
			err := o.parsePayment(r, write)
			if err != nil && orderID != "" && write {
				if _, bad := o.badOrders[orderID]; !bad {
					o.badOrders[orderID] = fmt.Sprintf("its payment row at line %d is invalid", r.line)
				}
			}
			return err
		}, nil
	})
}

func (o *olistImport) parsePayment(r row, write bool) error {
	orderID, err := requiredField(r, "order_id")
	if err != nil {
		return err
	}
	seq, err := intField(r, "payment_sequential", 0)
	if err != nil {
		return err
	}
	inst, err := intField(r, "payment_installments", 0)
	if err != nil {
		return err
	}
	if inst < 0 || inst > 1<<31-1 {
		return invalidField("payment_installments", "%d: must be between 0 and %d", inst, 1<<31-1)
	}
	value, err := moneyField(r, "payment_value", true)
	if err != nil {
		return err
	}
	if write {
		p := olistPayment{seq: int(seq), Payment: storage.Payment{Type: r.get("payment_type"), Installments: int32(inst), Value: value}}
		o.payments[orderID] = append(o.payments[orderID], p)
	}
	return nil
}

// orderItems turns an order's item rows, one row per unit, into items:
// rows with the same product, seller and unit price become one item whose
// quantity is the number of rows and whose freight is their sum, in the
// order of the lowest order_item_id.
func orderItems(rows []olistItem) []storage.OrderItem {
	sorted := append([]olistItem(nil), rows...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].seq < sorted[j].seq })
	type key struct {
		product, seller string
		price           storage.Money
	}
	at := map[key]int{}
	var items []storage.OrderItem
	for _, r := range sorted {
		k := key{r.productID, r.sellerID, r.price}
		if i, ok := at[k]; ok {
			items[i].Quantity++
			items[i].Freight += r.freight
			continue
		}
		at[k] = len(items)
		items = append(items, storage.OrderItem{ProductID: r.productID, SellerID: r.sellerID, Quantity: 1, UnitPrice: r.price, Freight: r.freight})
	}
	return items
}

// orderPayments returns an order's payments by payment_sequential.
func orderPayments(rows []olistPayment) []storage.Payment {
	sorted := append([]olistPayment(nil), rows...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].seq < sorted[j].seq })
	out := make([]storage.Payment, len(sorted))
	for i, p := range sorted {
		out[i] = p.Payment
	}
	return out
}
