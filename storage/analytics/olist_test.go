package analytics

import (
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/shopsight/shopsight/internal/shareddata"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/importer"
	"github.com/shopsight/shopsight/storage/rollup"
)

var quiet = slog.New(slog.DiscardHandler)

// olistStore is the sample-4000 Olist store, imported with the rollup hook
// once per test binary.
var olistStore struct {
	once  sync.Once
	store *storage.Store
	dir   string
	err   error
}

func olistInputs(t testing.TB) (sample string, paths []string) {
	dir := shareddata.Dir(t, "data/olist")
	sample = filepath.Join(dir, "sample-4000-orders")
	return sample, []string{sample, filepath.Join(dir, "full-catalog", "olist_sellers_dataset.csv"),
		filepath.Join(dir, "geolocation-one-point-per-zip")}
}

func openOlist(t testing.TB) (*storage.Store, string) {
	t.Helper()
	sample, paths := olistInputs(t)
	olistStore.once.Do(func() {
		dir, err := os.MkdirTemp("", "analytics-olist-")
		if err != nil {
			olistStore.err = err
			return
		}
		st, err := storage.Open(storage.DefaultOptions(dir).WithLogger(quiet).WithTxnHook(rollup.NewTxnHook))
		if err != nil {
			olistStore.err = err
			return
		}
		_, olistStore.err = importer.Import(context.Background(), st, importer.DefaultOptions(importer.FormatOlist).WithLogger(quiet), paths)
		olistStore.store, olistStore.dir = st, dir
	})
	if olistStore.err != nil {
		t.Fatalf("import Olist sample: %v", olistStore.err)
	}
	return olistStore.store, sample
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatalf("read header of %s: %v", path, err)
	}
	var rows []map[string]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		m := map[string]string{}
		for i, h := range header {
			m[h] = rec[i]
		}
		rows = append(rows, m)
	}
	return rows
}

type monthState struct{ month, state string }

type csvTotals struct {
	orders  int64
	revenue storage.Money
	freight storage.Money
}

// csvMonthlyByState computes orders, revenue and freight per purchase
// month and customer state straight from the CSV files. utc selects UTC
// months; otherwise months are local São Paulo months, as in the file.
func csvMonthlyByState(t *testing.T, sample string, utc bool) map[monthState]*csvTotals {
	t.Helper()
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	stateOf := map[string]string{}
	for _, c := range readCSV(t, filepath.Join(sample, "olist_customers_dataset.csv")) {
		stateOf[c["customer_id"]] = c["customer_state"]
	}
	type item struct{ price, freight storage.Money }
	items := map[string][]item{}
	for _, it := range readCSV(t, filepath.Join(sample, "olist_order_items_dataset.csv")) {
		price, err := storage.ParseMoney(it["price"])
		if err != nil {
			t.Fatal(err)
		}
		freight, err := storage.ParseMoney(it["freight_value"])
		if err != nil {
			t.Fatal(err)
		}
		items[it["order_id"]] = append(items[it["order_id"]], item{price, freight})
	}
	out := map[monthState]*csvTotals{}
	for _, o := range readCSV(t, filepath.Join(sample, "olist_orders_dataset.csv")) {
		ts := o["order_purchase_timestamp"]
		month := ts[:7]
		if utc {
			pt, err := time.ParseInLocation("2006-01-02 15:04:05", ts, loc)
			if err != nil {
				t.Fatal(err)
			}
			month = pt.UTC().Format("2006-01")
		}
		k := monthState{month, stateOf[o["customer_id"]]}
		tot := out[k]
		if tot == nil {
			tot = &csvTotals{}
			out[k] = tot
		}
		tot.orders++
		for _, it := range items[o["order_id"]] {
			tot.revenue += it.price
			tot.freight += it.freight
		}
	}
	return out
}

func TestMetricsMatchOlistCSV(t *testing.T) {
	store, sample := openOlist(t)
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	tests := []struct {
		name   string
		loc    *time.Location
		source Source
	}{
		{"utc months from rollups", time.UTC, SourceRollup},
		{"sao paulo months from scan", sp, SourceScan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := csvMonthlyByState(t, sample, tc.loc == time.UTC)
			res, err := New(store, DefaultOptions().WithLogger(quiet)).Metrics(context.Background(), Query{
				Measures: []Measure{Orders, Revenue, Freight}, Dimensions: []Dimension{Time, State},
				Granularity: Month, Location: tc.loc,
			})
			if err != nil {
				t.Fatalf("metrics: %v", err)
			}
			if res.Source != tc.source {
				t.Errorf("source = %s, want %s", res.Source, tc.source)
			}
			if len(res.Rows) != len(want) {
				t.Errorf("got %d month × state rows, the CSV files have %d", len(res.Rows), len(want))
			}
			for _, r := range res.Rows {
				k := monthState{r.Time.In(tc.loc).Format("2006-01"), r.State}
				w := want[k]
				if w == nil {
					t.Errorf("row %v is not in the CSV files", k)
					continue
				}
				if got := r.Values[0].Num; got != w.orders {
					t.Errorf("%v orders = %d, CSV %d", k, got, w.orders)
				}
				if got := r.Values[1].Cents(); got != w.revenue {
					t.Errorf("%v revenue = %s, CSV %s", k, got, w.revenue)
				}
				if got := r.Values[2].Cents(); got != w.freight {
					t.Errorf("%v freight = %s, CSV %s", k, got, w.freight)
				}
			}
		})
	}
}

// equivalenceQueries are answered from the rollups when possible; each
// must give the same rows as a scan.
func equivalenceQueries(from, to time.Time) []Query {
	return []Query{
		{Measures: AllMeasures[:3], Dimensions: []Dimension{Time, State}, Granularity: Month},
		{Measures: []Measure{Orders, Revenue, AvgOrderValue, DeliveryDays, LateDeliveryRate}, Dimensions: []Dimension{Time, Category}, Granularity: Day, From: from, To: to},
		{Measures: []Measure{Orders, Units, Revenue}, Dimensions: []Dimension{Seller, Category}},
		{Measures: []Measure{AvgRating, Reviews}, Dimensions: []Dimension{State, Category}},
		{Measures: []Measure{Orders, AvgRating}, Dimensions: []Dimension{Time, City}, Granularity: Week, WeekStart: time.Monday, From: from, To: to},
		{Measures: []Measure{Revenue, Orders}, Dimensions: []Dimension{Time}, Granularity: Quarter, Compare: true, From: from, To: to},
		{Measures: []Measure{Revenue}, Dimensions: []Dimension{Time, Country}, Granularity: Day, Rolling: 7, From: from, To: to},
		{Measures: []Measure{Revenue, Orders}, Dimensions: []Dimension{Time, State}, Granularity: Month, TopN: 5, From: from, To: to},
		{Measures: []Measure{Orders, Revenue, Freight, DeliveryDays}, Compare: true, From: from, To: to},
	}
}

func checkRollupMatchesScan(t *testing.T, store *storage.Store, queries []Query, filters []Filter) {
	t.Helper()
	ctx := context.Background()
	withRollups := New(store, DefaultOptions().WithLogger(quiet))
	scanOnly := New(store, DefaultOptions().WithLogger(quiet).WithUseRollups(false))
	for i, q := range queries {
		for _, f := range filters {
			q := q
			q.Filter = f
			got, err := withRollups.Metrics(ctx, q)
			if err != nil {
				t.Fatalf("query %d with rollups: %v", i, err)
			}
			want, err := scanOnly.Metrics(ctx, q)
			if err != nil {
				t.Fatalf("query %d by scan: %v", i, err)
			}
			if got.Source != SourceRollup {
				t.Errorf("query %d (%v by %v, filter %+v): source = %s, want ROLLUP", i, q.Measures, q.Dimensions, f, got.Source)
			}
			if len(want.Rows) == 0 {
				t.Errorf("query %d (%v by %v, filter %+v): no rows", i, q.Measures, q.Dimensions, f)
			}
			nanToSentinel(got.Rows)
			nanToSentinel(want.Rows)
			if !reflect.DeepEqual(got.Rows, want.Rows) {
				t.Errorf("query %d (%v by %v, filter %+v): rollup rows differ from scan rows: %d vs %d rows",
					i, q.Measures, q.Dimensions, f, len(got.Rows), len(want.Rows))
				for j := 0; j < len(got.Rows) && j < len(want.Rows); j++ {
					if !reflect.DeepEqual(got.Rows[j], want.Rows[j]) {
						t.Logf("first difference at row %d:\nrollup %+v\nscan   %+v", j, got.Rows[j], want.Rows[j])
						break
					}
				}
			}
		}
	}
}

func TestRollupMatchesScanOlist(t *testing.T) {
	store, _ := openOlist(t)
	from := time.Date(2017, 6, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2018, 6, 1, 0, 0, 0, 0, time.UTC)
	checkRollupMatchesScan(t, store, equivalenceQueries(from, to), []Filter{{}, {Country: "BR", State: "SP"}})
}

// nanToSentinel replaces undefined changes, so that reflect.DeepEqual can
// compare rows.
func nanToSentinel(rows []Row) {
	for i := range rows {
		for j, c := range rows[i].Change {
			if math.IsNaN(c) {
				rows[i].Change[j] = -12345
			}
		}
	}
}
