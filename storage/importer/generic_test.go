package importer

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/storage"
)

func TestGenericFileCounts(t *testing.T) {
	tests := []struct {
		file    string
		format  Format
		rows    int64
		written int64
		reasons map[string]int64
	}{
		{"users.csv", FormatCSV, 4, 2, map[string]int64{"invalid signup_at": 1, "invalid lat": 1}},
		{"products.csv", FormatCSV, 4, 1, map[string]int64{"invalid price": 1, "invalid attributes": 1, "invalid category": 1}},
		{"orders.csv", FormatCSV, 5, 2, map[string]int64{"invalid quantity": 1, "order split": 1}},
		{"reviews.csv", FormatCSV, 3, 1, map[string]int64{"invalid rating": 2}},
		{"bad_quote/reviews.csv", FormatCSV, 2, 1, map[string]int64{"malformed CSV": 1}},
		{"events.jsonl", FormatJSONL, 6, 2, map[string]int64{"invalid type": 1, "invalid at": 1, "unknown field": 1, "malformed JSON": 1}},
		{"orders.jsonl", FormatJSONL, 2, 1, map[string]int64{"invalid items": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			st := openStore(t, "")
			rep := importInto(t, st, quietOptions(tt.format), []string{filepath.Join("testdata", tt.file)})
			fs := rep.Files[0]
			if fs.Rows != tt.rows {
				t.Errorf("rows = %d, want %d", fs.Rows, tt.rows)
			}
			if fs.Written != tt.written {
				t.Errorf("written = %d, want %d", fs.Written, tt.written)
			}
			var skipped int64
			for class, n := range tt.reasons {
				skipped += n
				if fs.Reasons[class] != n {
					t.Errorf("reason %q = %d, want %d (all: %v)", class, fs.Reasons[class], n, fs.Reasons)
				}
			}
			if fs.Skipped != skipped {
				t.Errorf("skipped = %d, want %d (reasons %v)", fs.Skipped, skipped, fs.Reasons)
			}
		})
	}
}

func TestGenericCSVUserFields(t *testing.T) {
	st := openStore(t, "")
	importInto(t, st, quietOptions(FormatCSV), []string{"testdata/users.csv"})
	u, err := st.User(context.Background(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Ana\nSilva" {
		t.Errorf("name = %q, want the quoted line break as LF", u.Name)
	}
	if u.Region.City != "São Paulo" || u.Region.Zip != "01310" {
		t.Errorf("region = %+v", u.Region)
	}
	if want := time.Date(2018, 7, 29, 16, 54, 51, 0, time.UTC); !u.SignupAt.Equal(want) {
		t.Errorf("signup = %s, want %s", u.SignupAt, want)
	}
	u2, err := st.User(context.Background(), "u2")
	if err != nil {
		t.Fatal(err)
	}
	if u2.Location != nil || u2.Email != "" {
		t.Errorf("u2 = %+v, want empty optional fields", u2)
	}
}

func TestGenericOrdersMerged(t *testing.T) {
	for _, file := range []string{"orders.csv", "orders.jsonl"} {
		t.Run(file, func(t *testing.T) {
			st := openStore(t, "")
			// orders.csv has a local purchase time in São Paulo, orders.jsonl
			// the same instant in UTC.
			sp, err := time.LoadLocation(DefaultTimeZone)
			if err != nil {
				t.Fatal(err)
			}
			opts := quietOptions(FormatCSV).WithLocation(sp)
			if strings.HasSuffix(file, ".jsonl") {
				opts = quietOptions(FormatJSONL)
			}
			importInto(t, st, opts, []string{filepath.Join("testdata", file)})
			o, err := st.Order(context.Background(), "o1")
			if err != nil {
				t.Fatal(err)
			}
			want := []storage.OrderItem{
				{ProductID: "p1", SellerID: "s1", Quantity: 2, UnitPrice: 1990, Freight: 500},
				{ProductID: "p2", SellerID: "s1", Quantity: 1, UnitPrice: 490},
			}
			if len(o.Items) != len(want) {
				t.Fatalf("items = %+v, want %+v", o.Items, want)
			}
			for i := range want {
				got := o.Items[i]
				got.Category = nil
				if got.ProductID != want[i].ProductID || got.Quantity != want[i].Quantity || got.UnitPrice != want[i].UnitPrice || got.Freight != want[i].Freight {
					t.Errorf("item %d = %+v, want %+v", i, got, want[i])
				}
			}
			if len(o.Payments) != 1 || o.Payments[0].Value != 4970 || o.Payments[0].Installments != 2 {
				t.Errorf("payments = %+v, want one of 49.70 in 2 installments", o.Payments)
			}
			if want := time.Date(2018, 7, 29, 16, 54, 51, 0, time.UTC); !o.PurchasedAt.Equal(want) {
				t.Errorf("purchased = %s, want %s", o.PurchasedAt, want)
			}
		})
	}
}

func TestGenericProductFields(t *testing.T) {
	st := openStore(t, "")
	importInto(t, st, quietOptions(FormatCSV), []string{"testdata/products.csv"})
	p, err := st.Product(context.Background(), "p1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Category, "/") != "electronics/phones/cases" {
		t.Errorf("category = %q", p.Category)
	}
	if p.Price != 1990 {
		t.Errorf("price = %s, want 19.90", p.Price)
	}
	if p.Attributes["color"] != "red" || p.Attributes["weight_g"] != "30" {
		t.Errorf("attributes = %v", p.Attributes)
	}
	if p.Description != `Fits "X" phones` {
		t.Errorf("description = %q", p.Description)
	}
}

func TestGenericEventIDDerived(t *testing.T) {
	st := openStore(t, "")
	importInto(t, st, quietOptions(FormatJSONL), []string{"testdata/events.jsonl"})
	var ids []string
	err := st.EachEvent(context.Background(), storage.EventFilter{}, func(e *storage.Event) error {
		ids = append(ids, e.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 {
		t.Fatalf("event ids = %v, want 2", ids)
	}
	var derived string
	for _, id := range ids {
		if strings.HasPrefix(id, "ev-") {
			derived = id
		}
	}
	st2 := openStore(t, "")
	importInto(t, st2, quietOptions(FormatJSONL), []string{"testdata/events.jsonl"})
	if _, err := st2.Event(context.Background(), derived); err != nil || derived == "" {
		t.Errorf("derived id %q not found in a second store: %v", derived, err)
	}
}

func TestLatin1Encoding(t *testing.T) {
	st := openStore(t, "")
	importInto(t, st, quietOptions(FormatCSV).WithEncoding(EncodingLatin1), []string{"testdata/latin1/users.csv"})
	u, err := st.User(context.Background(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "José Conceição" || u.Region.City != "São Paulo" {
		t.Errorf("user = %+v, want Latin-1 text decoded", u)
	}

	st2 := openStore(t, "")
	_, err = Import(context.Background(), st2, quietOptions(FormatCSV).WithStrict(true), []string{"testdata/latin1/users.csv"})
	var ire *InvalidRowError
	if !errors.As(err, &ire) {
		t.Fatalf("import of Latin-1 as UTF-8: err = %v, want an invalid row", err)
	}
	if !strings.Contains(err.Error(), "--encoding latin1") {
		t.Errorf("error %q does not suggest --encoding latin1", err)
	}
}

func TestStrictWritesNothing(t *testing.T) {
	st := openStore(t, "")
	_, err := Import(context.Background(), st, quietOptions(FormatCSV).WithStrict(true), []string{"testdata/products.csv"})
	var ire *InvalidRowError
	if !errors.As(err, &ire) {
		t.Fatalf("err = %v, want *InvalidRowError", err)
	}
	if ire.Line != 3 || !strings.HasSuffix(ire.File, "products.csv") {
		t.Errorf("invalid row at %s:%d, want products.csv:3", ire.File, ire.Line)
	}
	counts, err := st.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[storage.KindProduct] != 0 {
		t.Errorf("strict import wrote %d products, want 0", counts[storage.KindProduct])
	}
}

func TestUnknownEntity(t *testing.T) {
	st := openStore(t, "")
	_, err := Import(context.Background(), st, quietOptions(FormatCSV), []string{"testdata/unknown.csv"})
	if err == nil || !strings.Contains(err.Error(), "--entity") {
		t.Errorf("err = %v, want an unknown entity error that suggests --entity", err)
	}
	if _, err := ParseEntity("customers"); err == nil {
		t.Error("ParseEntity(customers) = nil error, want unknown entity")
	}
}

func TestLocalToUTC(t *testing.T) {
	sp, err := time.LoadLocation(DefaultTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2018-07-29 13:54:51", time.Date(2018, 7, 29, 16, 54, 51, 0, time.UTC)},
		// São Paulo skipped 00:00-01:00 on 2017-10-15: 00:30 maps forward.
		{"2017-10-15 00:30:00", time.Date(2017, 10, 15, 3, 30, 0, 0, time.UTC)},
		{"2017-10-15 01:00:00", time.Date(2017, 10, 15, 3, 0, 0, 0, time.UTC)},
		// 23:30 on 2018-02-17 happened twice; the first is under UTC-2.
		{"2018-02-17 23:30:00", time.Date(2018, 2, 18, 1, 30, 0, 0, time.UTC)},
		{"2018-07-29", time.Date(2018, 7, 29, 3, 0, 0, 0, time.UTC)},
		{"2018-07-29T13:54:51Z", time.Date(2018, 7, 29, 13, 54, 51, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in, sp)
		if err != nil {
			t.Errorf("parseTime(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("parseTime(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if _, err := parseTime("29/07/2018", sp); err == nil {
		t.Error("parseTime(29/07/2018) = nil error, want invalid date")
	}
}

func TestCSVRowInvalidUTF8Message(t *testing.T) {
	h := csvHeader{names: []string{"id", "name"}, index: map[string]int{"id": 0, "name": 1}}
	_, err := h.csvRow([]string{"u1", "Jos\xe9"}, 2, false)
	want := `column "name": value is not valid UTF-8: if the file is Latin-1, pass --encoding latin1`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}
