package importer

import (
	"context"
	"log/slog"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopsight/shopsight/internal/shareddata"
	"github.com/shopsight/shopsight/storage"
)

// sample4000Inputs returns the inputs of the sample-4000 import: the sample,
// the full seller catalog (the sample has no sellers file) and one
// geolocation point per zip prefix.
func sample4000Inputs(t testing.TB) []string {
	dir := shareddata.Dir(t, "data/olist")
	return []string{
		filepath.Join(dir, "sample-4000-orders"),
		filepath.Join(dir, "full-catalog", olistSellers),
		filepath.Join(dir, "geolocation-one-point-per-zip"),
	}
}

func quietOptions(format Format) Options {
	return DefaultOptions(format).WithLogger(slog.New(slog.DiscardHandler))
}

// openStore opens a store in a new temporary directory, closed at cleanup.
func openStore(t testing.TB, dir string) *storage.Store {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	st, err := storage.Open(storage.DefaultOptions(dir).WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func importInto(t testing.TB, st *storage.Store, opts Options, paths []string) *Report {
	t.Helper()
	rep, err := Import(context.Background(), st, opts, paths)
	if err != nil {
		t.Fatalf("import %v: %v", paths, err)
	}
	return rep
}

// sample4000 is the sample-4000 store shared by the tests of this file, so
// the import runs once per test binary.
var sample4000 struct {
	once     sync.Once
	dir      string
	store    *storage.Store
	report   *Report
	checksum string
	err      error
}

func sample4000Store(t *testing.T) (*storage.Store, *Report, string) {
	t.Helper()
	inputs := sample4000Inputs(t)
	sample4000.once.Do(func() {
		dir, err := mkdirTemp()
		if err != nil {
			sample4000.err = err
			return
		}
		sample4000.dir = dir
		st, err := storage.Open(storage.DefaultOptions(dir).WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			sample4000.err = err
			return
		}
		sample4000.store = st
		sample4000.report, sample4000.err = Import(context.Background(), st, quietOptions(FormatOlist), inputs)
		if sample4000.err == nil {
			sample4000.checksum, sample4000.err = st.Checksum(context.Background())
		}
	})
	if sample4000.err != nil {
		t.Fatalf("import sample-4000: %v", sample4000.err)
	}
	return sample4000.store, sample4000.report, sample4000.checksum
}

func TestOlistSample4000Counts(t *testing.T) {
	st, rep, _ := sample4000Store(t)
	counts, err := st.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Every review is stored; 23 of the 3,986 belong to orders without items
	// and name no product.
	want := map[storage.Kind]int64{
		storage.KindOrder:   4000,
		storage.KindUser:    3998,
		storage.KindProduct: 3132,
		storage.KindSeller:  3095,
		storage.KindReview:  3986,
	}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s count = %d, want %d", k, counts[k], n)
		}
	}
	for _, fs := range rep.Files {
		if strings.HasSuffix(fs.Path, olistItems) && fs.Rows != 4519 {
			t.Errorf("items rows read = %d, want 4519", fs.Rows)
		}
		if strings.HasSuffix(fs.Path, olistReviews) && fs.Skipped != 0 {
			t.Errorf("reviews skipped = %d (%v), want 0", fs.Skipped, fs.Reasons)
		}
	}
}

func TestOlistOrderTimesInUTC(t *testing.T) {
	st, _, _ := sample4000Store(t)
	tests := []struct {
		order string
		want  time.Time // order_purchase_timestamp in UTC
	}{
		// 2018-07-29 13:54:51 in São Paulo standard time, UTC-3.
		{"bb953a084ab406da9e19dfdc06df0245", time.Date(2018, 7, 29, 16, 54, 51, 0, time.UTC)},
		// 2018-01-02 10:58:31 in São Paulo summer time, UTC-2.
		{"da19f73a444dea9507b737d32d8eef61", time.Date(2018, 1, 2, 12, 58, 31, 0, time.UTC)},
	}
	for _, tt := range tests {
		o, err := st.Order(context.Background(), tt.order)
		if err != nil {
			t.Fatalf("order %s: %v", tt.order, err)
		}
		if !o.PurchasedAt.Equal(tt.want) {
			t.Errorf("order %s PurchasedAt = %s, want %s", tt.order, o.PurchasedAt, tt.want)
		}
	}
}

func TestOlistOrderItemsGrouped(t *testing.T) {
	st, _, _ := sample4000Store(t)
	// Order 92a9ef7f… has three item rows of product 9f1c3e71….
	o, err := st.Order(context.Background(), "92a9ef7f0a0d392c9ad0d5f44e86b4ba")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range o.Items {
		if it.ProductID == "9f1c3e71d56894398a42b050b07f1baa" {
			found = true
			if it.Quantity != 3 {
				t.Errorf("quantity = %d, want 3", it.Quantity)
			}
		}
	}
	if !found {
		t.Errorf("order items %+v lack product 9f1c3e71…", o.Items)
	}
	if o.UserID == "" || o.ShipTo.Country != "BR" {
		t.Errorf("order user %q ship-to %+v: want a user and country BR", o.UserID, o.ShipTo)
	}
}

func TestOlistProductFields(t *testing.T) {
	st, _, _ := sample4000Store(t)
	// The sample wrote the item price 54.90 as "54.9".
	p, err := st.Product(context.Background(), "3c28d10ea65fbafd9792027334cf4544")
	if err != nil {
		t.Fatal(err)
	}
	if p.Price != 5490 {
		t.Errorf("price = %s, want 54.90", p.Price)
	}
	if p.Currency != "BRL" {
		t.Errorf("currency = %q, want BRL", p.Currency)
	}
	if len(p.Category) != 1 || p.Category[0] == "" {
		t.Errorf("category = %q, want one English name", p.Category)
	}
	if !strings.HasSuffix(p.Title, " item 3c28d10e") {
		t.Errorf("title = %q, want \"<Category> item 3c28d10e\"", p.Title)
	}
	if p.Attributes["weight_g"] == "" {
		t.Errorf("attributes %v lack weight_g", p.Attributes)
	}
}

func TestOlistReviewText(t *testing.T) {
	st, _, _ := sample4000Store(t)
	r, err := st.Review(context.Background(), "7b00d98bac04a404375e12b9ff15b749-cb1d3422684cab64f603f1b70a68e2ef")
	if err != nil {
		t.Fatal(err)
	}
	if r.Title != "Não vale muito apena " {
		t.Errorf("title = %q, want the Portuguese text as written", r.Title)
	}
	if !strings.Contains(r.Text, "só um pouco platinado") {
		t.Errorf("text = %q, want the Portuguese comment", r.Text)
	}
	if r.Language != "pt" || r.Rating != 3 {
		t.Errorf("language %q rating %d, want pt and 3", r.Language, r.Rating)
	}
}

func TestOlistReimportIdempotent(t *testing.T) {
	st, _, want := sample4000Store(t)
	importInto(t, st, quietOptions(FormatOlist), sample4000Inputs(t))
	got, err := st.Checksum(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("checksum after second import = %s, want %s", got, want)
	}
}

func TestOlistSample8135(t *testing.T) {
	dir := shareddata.Dir(t, "data/olist")
	st := openStore(t, "")
	rep := importInto(t, st, quietOptions(FormatOlist), []string{
		filepath.Join(dir, "sample-8135-orders-casestudy"),
		filepath.Join(dir, "full-catalog", olistTranslation), // BOM and CR LF
	})
	counts, err := st.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// 8,225 review rows, all with distinct (review_id, order_id); the 778 of
	// orders without items are stored without a product.
	if counts[storage.KindReview] != 8225 {
		t.Errorf("reviews = %d, want 8225", counts[storage.KindReview])
	}
	if counts[storage.KindOrder] != 8135 {
		t.Errorf("orders = %d, want 8135", counts[storage.KindOrder])
	}
	for _, fs := range rep.Files {
		if strings.HasSuffix(fs.Path, olistReviews) && fs.Rows != 8225 {
			t.Errorf("review rows read = %d, want 8225 (quoted line breaks must not split rows)", fs.Rows)
		}
		if strings.HasSuffix(fs.Path, "full-catalog/"+olistTranslation) && fs.Rows != 71 {
			t.Errorf("translation rows = %d, want 71", fs.Rows)
		}
	}
	// The BOM must not hide the first column: beleza_saude translates.
	var sawHealth bool
	err = st.EachProduct(context.Background(), storage.ProductFilter{}, func(p *storage.Product) error {
		if len(p.Category) == 1 && p.Category[0] == "health_beauty" {
			sawHealth = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sawHealth {
		t.Error("no product in category health_beauty: the translation file was not applied")
	}
	// Zip 35182 has 8 raw points in this sample; the user gets their mean.
	u, err := st.User(context.Background(), "57b2a98a409812fe9618067b6b8ebe4f")
	if err != nil {
		t.Fatal(err)
	}
	if u.Location == nil || math.Abs(u.Location.Lat-(-19.5787152864651)) > 1e-9 || math.Abs(u.Location.Lon-(-42.64550792968808)) > 1e-9 {
		t.Errorf("location = %+v, want the mean (-19.5787152864651, -42.64550792968808)", u.Location)
	}
	if u.Region != (storage.Region{Country: "BR", State: "MG", City: "timoteo", Zip: "35182"}) {
		t.Errorf("region = %+v", u.Region)
	}
	var withLineBreak bool
	err = st.EachReview(context.Background(), storage.ReviewFilter{}, func(r *storage.Review) error {
		if strings.Contains(r.Text, "\n") {
			withLineBreak = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !withLineBreak {
		t.Error("no review text keeps its line break")
	}
}

func TestOlistZipPadding(t *testing.T) {
	dir := shareddata.Dir(t, "data/olist")
	st := openStore(t, "")
	sample := filepath.Join(dir, "sample-10000-delivered-orders")
	importInto(t, st, quietOptions(FormatOlist), []string{
		filepath.Join(sample, olistCustomers),
		filepath.Join(sample, olistOrders),
		filepath.Join(dir, "geolocation-one-point-per-zip"),
	})
	// The sample wrote zip prefix 09790 as 9790.
	u, err := st.User(context.Background(), "290c77bc529b7ac935b93aa66c333dc3")
	if err != nil {
		t.Fatal(err)
	}
	if u.Region.Zip != "09790" {
		t.Errorf("zip = %q, want 09790", u.Region.Zip)
	}
	if u.Location == nil || math.Abs(u.Location.Lat-(-23.72685273154166)) > 1e-9 {
		t.Errorf("location = %+v, want lat -23.72685273154166 from the geolocation file", u.Location)
	}
	if u.SignupAt.IsZero() {
		t.Error("SignupAt is zero, want the first purchase time")
	}
}

func TestOlistProductCreatedAtFirstOrder(t *testing.T) {
	st, _, _ := sample4000Store(t)
	ctx := context.Background()
	first := map[string]time.Time{}
	err := st.EachOrder(ctx, storage.OrderFilter{}, func(o *storage.Order) error {
		for _, it := range o.Items {
			if at, seen := first[it.ProductID]; !seen || o.PurchasedAt.Before(at) {
				first[it.ProductID] = o.PurchasedAt
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	products, withOrders := 0, 0
	err = st.EachProduct(ctx, storage.ProductFilter{}, func(p *storage.Product) error {
		products++
		want, ok := first[p.ID]
		if ok {
			withOrders++
		}
		if !p.CreatedAt.Equal(want) {
			t.Errorf("product %s CreatedAt = %s, want %s (earliest order, or zero time without one)", p.ID, p.CreatedAt, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if withOrders == 0 {
		t.Errorf("none of %d products is in an imported order", products)
	}
}
