package importer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Olist's Kaggle data set ("Brazilian E-Commerce Public Dataset by Olist")
// comes as nine CSV files, told apart by their original names.
const (
	olistGeolocation = "olist_geolocation_dataset.csv"
	olistTranslation = "product_category_name_translation.csv"
	olistSellers     = "olist_sellers_dataset.csv"
	olistCustomers   = "olist_customers_dataset.csv"
	olistProducts    = "olist_products_dataset.csv"
	olistOrders      = "olist_orders_dataset.csv"
	olistItems       = "olist_order_items_dataset.csv"
	olistPayments    = "olist_order_payments_dataset.csv"
	olistReviews     = "olist_order_reviews_dataset.csv"
)

var olistFileNames = []string{olistGeolocation, olistTranslation, olistSellers, olistCustomers, olistProducts,
	olistOrders, olistItems, olistPayments, olistReviews}

// olistCountry is the ISO 3166-1 code of every Olist region.
const olistCountry = "BR"

// olistImport is the state of one Olist import: the lookup tables that
// join the files. They hold one small entry per zip prefix, category,
// customer, order or product, and the grouped item and payment rows, which
// for the full data set (112,650 items, 103,886 payments) stay well under
// 100 MB.
type olistImport struct {
	im    *importer
	files map[string][]string // file name → paths, in argument order

	geo         map[string]storage.GeoPoint // zip prefix → mean of its points
	categories  map[string]string           // Portuguese → English category name
	customers   map[string]olistCustomer    // customer_id → customer row
	people      map[string]*olistPerson     // customer_unique_id → purchases
	items       map[string][]olistItem      // order_id → item rows
	payments    map[string][]olistPayment   // order_id → payment rows
	badOrders   map[string]string           // order_id → why its items or payments are unusable
	prices      map[string]olistPrice       // product_id → latest unit price
	purchases   map[string]time.Time        // order_id → purchase time, from scanPurchases
	created     map[string]time.Time        // product_id → earliest purchase of an order containing it
	orderOwners map[string]olistOrderRef    // order_id → user and first product, for reviews
}

// importOlist imports the Olist files found at paths, in the order
// geolocation, translation, sellers, customers, products, orders, reviews.
func (im *importer) importOlist(ctx context.Context, paths []string) error {
	files, err := findOlistFiles(paths)
	if err != nil {
		return err
	}
	o := &olistImport{
		im: im, files: files,
		geo: map[string]storage.GeoPoint{}, categories: map[string]string{},
		customers: map[string]olistCustomer{}, people: map[string]*olistPerson{},
		items: map[string][]olistItem{}, payments: map[string][]olistPayment{},
		badOrders: map[string]string{}, prices: map[string]olistPrice{},
		purchases:   map[string]time.Time{},
		orderOwners: map[string]olistOrderRef{},
	}
	steps := []func(context.Context) error{
		o.loadGeolocation,
		o.loadTranslation,
		o.importSellers,
		o.loadCustomers,
		o.importUsers,
		o.loadItems,
		o.loadPayments,
		o.importProducts,
		o.importOrders,
		o.importReviews,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// findOlistFiles sorts the files at paths by their Olist name. A directory
// contributes the Olist files it contains; a file must have an Olist name.
func findOlistFiles(paths []string) (map[string][]string, error) {
	known := map[string]bool{}
	for _, n := range olistFileNames {
		known[n] = true
	}
	files := map[string][]string{}
	seen := map[string]bool{}
	add := func(path string) {
		abs, err := filepath.Abs(path)
		if err != nil {
			abs = path
		}
		if !seen[abs] {
			seen[abs] = true
			name := filepath.Base(path)
			files[name] = append(files[name], path)
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", p, err)
		}
		if !info.IsDir() {
			if !known[filepath.Base(p)] {
				return nil, fmt.Errorf("input %s is not an Olist file: the olist format reads files named %s", p, strings.Join(olistFileNames, ", "))
			}
			add(p)
			continue
		}
		found := false
		for _, n := range olistFileNames {
			candidate := filepath.Join(p, n)
			if _, err := os.Stat(candidate); err == nil {
				add(candidate)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("input directory %s contains no Olist files (%s)", p, strings.Join(olistFileNames, ", "))
		}
	}
	return files, nil
}

// olistZip pads a CEP prefix to 5 digits; some re-serialised samples wrote
// it as an integer and lost leading zeros.
func olistZip(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if len(v) > 5 || strings.Trim(v, "0123456789") != "" {
		return "", fmt.Errorf("%q is not a CEP prefix of up to 5 digits", v)
	}
	return strings.Repeat("0", 5-len(v)) + v, nil
}

// olistRegion builds a Brazilian region from the columns of a customer or
// seller row.
func olistRegion(r row, prefix string) (storage.Region, error) {
	zip, err := olistZip(r.get(prefix + "_zip_code_prefix"))
	if err != nil {
		return storage.Region{}, invalidField(prefix+"_zip_code_prefix", "%w", err)
	}
	return storage.Region{
		Country: olistCountry,
		State:   strings.ToUpper(r.get(prefix + "_state")),
		City:    r.get(prefix + "_city"),
		Zip:     zip,
	}, nil
}

// location returns the mean geolocation point of a zip prefix, or nil.
func (o *olistImport) location(zip string) *storage.GeoPoint {
	p, ok := o.geo[zip]
	if !ok {
		return nil
	}
	return &p
}

// eachFile runs one pass per file of name through runFile, which adds a
// validation pass in strict mode. label names the step in progress output.
func (o *olistImport) eachFile(ctx context.Context, name, label string, kind storage.Kind, required []string,
	pass func(ctx context.Context, write bool, stats *FileStats) (func(row) error, func(context.Context) error)) error {
	for _, path := range o.files[name] {
		stats := o.im.report.file(path, kind)
		err := o.im.runFile(ctx, stats, func(ctx context.Context, write bool) error {
			handle, finish := pass(ctx, write, stats)
			if err := o.im.scanCSV(ctx, path, label, stats, required, nil, handle); err != nil {
				return err
			}
			if finish != nil {
				return finish(ctx)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// olistTime parses an Olist timestamp, a São Paulo local time by default.
func (o *olistImport) olistTime(r row, name string, required bool) (time.Time, error) {
	return timeField(r, name, o.im.loc, required)
}
