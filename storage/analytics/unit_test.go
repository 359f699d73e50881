package analytics

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/storage"
)

func TestHaversineCityPairs(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		wantKm                 float64
	}{
		// GeoNames city centre coordinates.
		{"sao paulo to rio de janeiro", -23.5475, -46.6361, -22.9035, -43.2096, 357},
		{"london to paris", 51.5074, -0.1278, 48.8566, 2.3522, 344},
		{"same point", 10, 20, 10, 20, 0},
	}
	for _, tc := range tests {
		got := HaversineKm(tc.lat1, tc.lon1, tc.lat2, tc.lon2)
		if math.Abs(got-tc.wantKm) > 0.01*tc.wantKm+1e-9 {
			t.Errorf("%s: %.1f km, want %.0f km within 1%%", tc.name, got, tc.wantKm)
		}
	}
}

func TestGeohashRoundTrip(t *testing.T) {
	if got := Geohash(42.6, -5.6, 5); got != "ezs42" {
		t.Errorf("Geohash(42.6, -5.6, 5) = %q, want ezs42", got)
	}
	lat, lon, err := GeohashCenter("ezs42")
	if err != nil || math.Abs(lat-42.6) > 0.05 || math.Abs(lon+5.6) > 0.05 {
		t.Errorf("GeohashCenter(ezs42) = %g, %g, %v; want about 42.6, -5.6", lat, lon, err)
	}
}

func TestBucketsFollowCalendar(t *testing.T) {
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		name      string
		b         bucketer
		at        time.Time
		wantStart time.Time
		wantLen   time.Duration
	}{
		// DST began at midnight on 2016-10-16 in São Paulo: that day starts at 01:00 -02.
		{"sao paulo dst day", bucketer{g: Day, loc: sp}, time.Date(2016, 10, 16, 12, 0, 0, 0, sp),
			time.Date(2016, 10, 16, 3, 0, 0, 0, time.UTC), 23 * time.Hour},
		{"new york fall back day", bucketer{g: Day, loc: ny}, time.Date(2024, 11, 3, 12, 0, 0, 0, ny),
			time.Date(2024, 11, 3, 4, 0, 0, 0, time.UTC), 25 * time.Hour},
		{"week from monday", bucketer{g: Week, loc: time.UTC, weekStart: time.Monday}, time.Date(2024, 5, 12, 9, 0, 0, 0, time.UTC),
			time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), 7 * 24 * time.Hour},
		{"week from sunday", bucketer{g: Week, loc: time.UTC, weekStart: time.Sunday}, time.Date(2024, 5, 12, 9, 0, 0, 0, time.UTC),
			time.Date(2024, 5, 12, 0, 0, 0, 0, time.UTC), 7 * 24 * time.Hour},
		{"quarter", bucketer{g: Quarter, loc: time.UTC}, time.Date(2024, 5, 12, 9, 0, 0, 0, time.UTC),
			time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), 91 * 24 * time.Hour},
		{"repeated hour", bucketer{g: Hour, loc: ny}, time.Date(2024, 11, 3, 6, 30, 0, 0, time.UTC),
			time.Date(2024, 11, 3, 6, 0, 0, 0, time.UTC), time.Hour},
	}
	for _, tc := range tests {
		ord := tc.b.ordinal(tc.at)
		if got := tc.b.start(ord); !got.Equal(tc.wantStart) {
			t.Errorf("%s: bucket start %s, want %s", tc.name, got, tc.wantStart)
		}
		if got := tc.b.start(ord + 1).Sub(tc.b.start(ord)); got != tc.wantLen {
			t.Errorf("%s: bucket length %s, want %s", tc.name, got, tc.wantLen)
		}
	}
}

func TestMetricsRejectsBadArguments(t *testing.T) {
	e := New(nil, DefaultOptions().WithLogger(quiet))
	tests := []struct {
		name      string
		q         Query
		wantParam string
	}{
		{"no measures", Query{}, "measures"},
		{"four dimensions", Query{Measures: []Measure{Orders}, Dimensions: []Dimension{Time, State, Category, Seller}}, "dimensions"},
		{"unknown granularity", Query{Measures: []Measure{Orders}, Granularity: "DECADE"}, "granularity"},
		{"rolling without time", Query{Measures: []Measure{Orders}, Rolling: 7, From: time.Unix(0, 0), To: time.Unix(86400, 0)}, "rolling"},
		{"rolling of 5", Query{Measures: []Measure{Orders}, Dimensions: []Dimension{Time}, Rolling: 5, From: time.Unix(0, 0), To: time.Unix(86400, 0)}, "rolling"},
		{"compare without range", Query{Measures: []Measure{Orders}, Compare: true}, "from"},
		{"state without country", Query{Measures: []Measure{Orders}, Filter: Filter{State: "SP"}}, "filter.region.country"},
	}
	for _, tc := range tests {
		_, err := e.Metrics(context.Background(), tc.q)
		ae, ok := err.(*ArgError)
		if !ok {
			t.Errorf("%s: error %v, want an ArgError", tc.name, err)
			continue
		}
		if ae.Param != tc.wantParam {
			t.Errorf("%s: param %q, want %q", tc.name, ae.Param, tc.wantParam)
		}
	}
}

func TestExportMetricsCSV(t *testing.T) {
	store, _ := openOlist(t)
	h := NewExportHandler(New(store, DefaultOptions().WithLogger(quiet)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet,
		"/export/metrics.csv?measures=ORDERS,REVENUE&dimensions=TIME,STATE&granularity=MONTH&timeZone=America/Sao_Paulo", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	lines := strings.Split(strings.TrimSpace(rec.Body.String()), "\n")
	if lines[0] != "time,country,state,orders,revenue" {
		t.Errorf("header = %q", lines[0])
	}
	if len(lines) < 50 {
		t.Errorf("%d lines, want one per month and state", len(lines))
	}

	bad := []struct{ query, param string }{
		{"measures=ORDERS&granularity=DECADE", "granularity"},
		{"measures=ORDERS&timeZone=Mars/Base", "timeZone"},
		{"measures=ORDERS&from=yesterday", "from"},
		{"measures=ORDERS&bbox=1,2,3", "bbox"},
	}
	for _, b := range bad {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/export/metrics.csv?"+b.query, nil))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "parameter "+b.param) {
			t.Errorf("%s: status %d body %q, want 400 naming %s", b.query, rec.Code, rec.Body, b.param)
		}
	}
}

func TestFunnelAndCohortsOnDemo(t *testing.T) {
	st := openDemo(t, 0.02, true)
	e := New(st, DefaultOptions().WithLogger(quiet))
	rows, err := e.Funnel(context.Background(), FunnelQuery{Steps: []storage.EventType{storage.EventView, storage.EventCart, storage.EventPurchase}})
	if err != nil {
		t.Fatalf("funnel: %v", err)
	}
	if len(rows) != 1 || rows[0].Steps[0].Sessions == 0 {
		t.Fatalf("funnel rows = %+v, want one row with sessions", rows)
	}
	for i := 1; i < len(rows[0].Steps); i++ {
		if rows[0].Steps[i].Sessions > rows[0].Steps[i-1].Sessions {
			t.Errorf("step %d has more sessions (%d) than step %d (%d)", i, rows[0].Steps[i].Sessions, i-1, rows[0].Steps[i-1].Sessions)
		}
	}
	cohorts, err := e.Cohorts(context.Background(), ByFirstOrder, time.Time{}, time.Time{}, 3)
	if err != nil {
		t.Fatalf("cohorts: %v", err)
	}
	for _, c := range cohorts {
		if c.Active[0] != c.Users {
			t.Errorf("cohort %s: %d users active in the first-order month, want all %d", c.Month.Format("2006-01"), c.Active[0], c.Users)
		}
	}
}
