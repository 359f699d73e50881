package analytics

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shopsight/shopsight/storage"
)

// exportProducts is the number of products of the export store, one
// order each, so that a PRODUCT export has more rows than flushEvery.
const exportProducts = 1000

// quotedCity needs RFC 4180 quoting: it contains a comma and a quote.
const quotedCity = `Foo, "Bar"`

// openExportStore returns a store with one order per product, spread over
// the cities 北京 and quotedCity, and a view and a cart event per user.
func openExportStore(t *testing.T) *storage.Store {
	t.Helper()
	ctx := context.Background()
	st := openEmpty(t)
	regions := []storage.Region{{Country: "CN", State: "BJ", City: "北京"}, {Country: "US", State: "NY", City: quotedCity}}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	orders := make([]storage.Order, exportProducts)
	var events []storage.Event
	for i := range orders {
		at := start.Add(time.Duration(i) * time.Hour)
		orders[i] = storage.Order{
			ID: fmt.Sprintf("o%04d", i), UserID: fmt.Sprintf("u%03d", i%100), Status: storage.OrderDelivered,
			PurchasedAt: at, ShipTo: regions[i%2], Location: &storage.GeoPoint{Lat: 39.9, Lon: 116.4},
			Items: []storage.OrderItem{{ProductID: fmt.Sprintf("p%04d", i), SellerID: "s1", Quantity: 1, UnitPrice: storage.Money(100 + i)}},
		}
		if i < 100 {
			events = append(events,
				storage.Event{ID: fmt.Sprintf("v%03d", i), UserID: orders[i].UserID, Type: storage.EventView, ProductID: "p0001", At: at, Region: regions[i%2]},
				storage.Event{ID: fmt.Sprintf("c%03d", i), UserID: orders[i].UserID, Type: storage.EventCart, ProductID: "p0001", At: at.Add(time.Minute), Region: regions[i%2]})
		}
	}
	if err := st.PutOrders(ctx, orders); err != nil {
		t.Fatalf("put orders: %v", err)
	}
	if err := st.PutEvents(ctx, events); err != nil {
		t.Fatalf("put events: %v", err)
	}
	return st
}

// serveExport serves the export handler under /export/ as the server does,
// with wrap around the handler.
func serveExport(t *testing.T, st *storage.Store, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/export/", wrap(NewExportHandler(New(st, DefaultOptions().WithLogger(quiet)))))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func noWrap(h http.Handler) http.Handler { return h }

func getCSV(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return res, string(body)
}

func TestExportMetricsCSVOverHTTP(t *testing.T) {
	srv := serveExport(t, openExportStore(t), noWrap)
	res, body := getCSV(t, srv.URL+"/export/metrics.csv?measures=ORDERS,REVENUE&dimensions=CITY&orderBy=CITY")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	if got := res.Header.Get("Content-Type"); got != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q, want text/csv; charset=utf-8", got)
	}
	if got := res.Header.Get("Content-Disposition"); !strings.Contains(got, `filename="metrics.csv"`) {
		t.Errorf("Content-Disposition %q, want the file name metrics.csv", got)
	}
	if !utf8.ValidString(body) {
		t.Errorf("body is not valid UTF-8: %q", body)
	}
	if !strings.Contains(body, "CN,BJ,北京,500,") {
		t.Errorf("body lacks the Beijing row written as raw UTF-8:\n%s", body)
	}
	if want := `US,NY,"Foo, ""Bar""",500,`; !strings.Contains(body, want) {
		t.Errorf("body lacks the RFC 4180 quoted city %s:\n%s", want, body)
	}

	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v\n%s", err, body)
	}
	want := [][]string{
		{"country", "state", "city", "orders", "revenue"},
		{"US", "NY", quotedCity, "500", revenueOf(1, 2)},
		{"CN", "BJ", "北京", "500", revenueOf(0, 2)},
	}
	if len(records) != len(want) {
		t.Fatalf("%d records, want %d: %q", len(records), len(want), records)
	}
	for i := range want {
		if strings.Join(records[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d = %q, want %q", i, records[i], want[i])
		}
	}
}

// revenueOf returns the revenue text of the orders i ≡ first (mod step),
// whose unit prices are 100 + i cents.
func revenueOf(first, step int) string {
	var cents storage.Money
	for i := first; i < exportProducts; i += step {
		cents += storage.Money(100 + i)
	}
	return cents.String()
}

func TestExportMarksOthersRow(t *testing.T) {
	srv := serveExport(t, openExportStore(t), noWrap)
	tests := []struct {
		query string
		want  string
	}{
		// Both states have 500 orders; the tie goes to the smaller key, CN.
		{"measures=ORDERS&dimensions=STATE&topN=1", "country,state,orders\nCN,BJ,500\nothers,others,500\n"},
		{"measures=ORDERS&dimensions=CITY&topN=1", "country,state,city,orders\nCN,BJ,北京,500\nothers,others,others,500\n"},
		{"measures=ORDERS&dimensions=TIME,PRODUCT&granularity=YEAR&topN=1&topNBy=REVENUE",
			"time,product,orders\n2024-01-01T00:00:00Z,p0999,1\n2024-01-01T00:00:00Z,others,999\n"},
	}
	for _, tc := range tests {
		res, body := getCSV(t, srv.URL+"/export/metrics.csv?"+tc.query)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", tc.query, res.StatusCode, body)
		}
		if body != tc.want {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.query, body, tc.want)
		}
	}
}

func TestExportFunnelAndCohortsCSV(t *testing.T) {
	srv := serveExport(t, openExportStore(t), noWrap)
	res, body := getCSV(t, srv.URL+"/export/funnel.csv?steps=VIEW,CART,PURCHASE&country=CN")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("funnel: status %d: %s", res.StatusCode, body)
	}
	want := "time,step,sessions,conversion_from_start,conversion_from_previous\n" +
		",view,50,1.0000,1.0000\n,cart,50,1.0000,1.0000\n,purchase,0,0.0000,0.0000\n"
	if body != want {
		t.Errorf("funnel CSV:\n%s\nwant:\n%s", body, want)
	}

	res, body = getCSV(t, srv.URL+"/export/cohorts.csv?by=FIRST_ORDER&periods=1")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("cohorts: status %d: %s", res.StatusCode, body)
	}
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if lines[0] != "cohort_month,users,month_0,month_1" {
		t.Errorf("cohorts header %q, want cohort_month,users,month_0,month_1", lines[0])
	}
	// Users u000 to u099 order every 100 hours from 2024-01-01, so every
	// one first orders in January and orders again in February.
	if len(lines) != 2 || lines[1] != "2024-01,100,1.0000,1.0000" {
		t.Errorf("cohort rows %q, want [2024-01,100,1.0000,1.0000]", lines[1:])
	}
}

// flushGate is a ResponseWriter that holds the handler in its first Flush
// until the client has read the first line, so a test can tell rows sent
// while the handler runs from rows sent when it returns.
type flushGate struct {
	http.ResponseWriter
	flushes    atomic.Int32
	clientRead chan struct{}
}

func (g *flushGate) Flush() {
	g.ResponseWriter.(http.Flusher).Flush()
	if g.flushes.Add(1) == 1 {
		select {
		case <-g.clientRead:
		case <-time.After(10 * time.Second):
		}
	}
}

func TestExportStreamsRows(t *testing.T) {
	var returned atomic.Bool
	gate := &flushGate{clientRead: make(chan struct{})}
	srv := serveExport(t, openExportStore(t), func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gate.ResponseWriter = w
			h.ServeHTTP(gate, r)
			returned.Store(true)
		})
	})

	res, err := http.Get(srv.URL + "/export/metrics.csv?measures=REVENUE&dimensions=PRODUCT")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer res.Body.Close()
	r := bufio.NewReader(res.Body)
	first, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read first line: %v", err)
	}
	if returned.Load() {
		t.Error("the first line arrived only after the handler returned: the export is not streamed")
	}
	close(gate.clientRead)
	if first != "product,revenue\n" {
		t.Errorf("first line %q, want the header product,revenue", first)
	}
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read the rest: %v", err)
	}
	if n := strings.Count(string(rest), "\n"); n != exportProducts {
		t.Errorf("%d data rows, want %d", n, exportProducts)
	}
	// Header and 1000 rows are 1001 rows: a flush after rows 256, 512 and
	// 768.
	if got := gate.flushes.Load(); got != 3 {
		t.Errorf("%d flushes, want 3 for %d rows at one flush per %d", got, exportProducts+1, flushEvery)
	}
}

func TestExportRejectsBadParameters(t *testing.T) {
	srv := serveExport(t, openExportStore(t), noWrap)
	tests := []struct {
		path, param string
	}{
		{"metrics.csv?dimensions=TIME", "measures"},
		{"metrics.csv?measures=ORDERS&dimensions=TIME,STATE,CATEGORY,SELLER", "dimensions"},
		{"metrics.csv?measures=ORDERS&dimensions=COLOR", "dimensions"},
		{"metrics.csv?measures=ORDERS&timeZone=Mars/Olympus", "timeZone"},
		{"metrics.csv?measures=ORDERS&weekStart=FUNDAY", "weekStart"},
		{"metrics.csv?measures=ORDERS&from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z", "to"},
		{"metrics.csv?measures=ORDERS&to=tomorrow", "to"},
		{"metrics.csv?measures=ORDERS&dimensions=TIME&rolling=5&from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z", "rolling"},
		{"metrics.csv?measures=ORDERS&compare=NEXT_YEAR", "compare"},
		{"metrics.csv?measures=ORDERS&dimensions=STATE&topN=-1", "topN"},
		{"metrics.csv?measures=ORDERS&first=ten", "first"},
		{"metrics.csv?measures=ORDERS&orderBy=-UNITS", "orderBy"},
		{"metrics.csv?measures=ORDERS&state=SP", "country"},
		{"metrics.csv?measures=ORDERS&country=BR&city=Santos", "state"},
		{"metrics.csv?measures=ORDERS&dimensions=STATE&topN=3&topNBy=PROFIT", "topNBy"},
		{"metrics.csv?measures=ORDERS&bbox=1,2,3,x", "bbox"},
		{"metrics.csv?measures=ORDERS&bbox=10,0,5,1", "bbox"},
		{"funnel.csv", "steps"},
		{"funnel.csv?steps=VIEW,BUY", "steps"},
		{"funnel.csv?steps=VIEW&sessionGapMinutes=-5", "sessionGapMinutes"},
		{"funnel.csv?steps=VIEW&granularity=FORTNIGHT", "granularity"},
		{"cohorts.csv?by=WEEKLY", "by"},
		{"cohorts.csv?periods=99", "periods"},
		{"cohorts.csv?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z", "to"},
	}
	for _, tc := range tests {
		res, body := getCSV(t, srv.URL+"/export/"+tc.path)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400: %s", tc.path, res.StatusCode, body)
			continue
		}
		if !strings.HasPrefix(body, "invalid parameter "+tc.param+": ") {
			t.Errorf("%s: body %q, want it to start with %q", tc.path, body, "invalid parameter "+tc.param+": ")
		}
		if strings.Contains(body, "filter.") {
			t.Errorf("%s: body %q names a GraphQL argument, want the URL parameter", tc.path, body)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("%s: Content-Type %q, want text/plain", tc.path, ct)
		}
	}

	res, body := getCSV(t, srv.URL+"/export/orders.csv")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown export: status %d, want 404: %s", res.StatusCode, body)
	}
	post, err := http.Post(srv.URL+"/export/metrics.csv?measures=ORDERS", "text/plain", nil)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusMethodNotAllowed || post.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status %d Allow %q, want 405 and GET, HEAD", post.StatusCode, post.Header.Get("Allow"))
	}
}
