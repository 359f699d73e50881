package importer

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// FuzzCSVRow parses a header line and a data line as every entity. Bad input
// must return errors, never panic.
func FuzzCSVRow(f *testing.F) {
	f.Add("id,name,email,country,state,city,zip,lat,lon,signup_at", "u1,Ana,a@b.c,BR,SP,São Paulo,01310,-23.5,-46.6,2018-07-29")
	f.Add("id,purchased_at,payments,product_id,quantity,unit_price", `o1,2018-01-01,"[{""type"":""x"",""value"":1}]",p1,2,1.5`)
	f.Fuzz(func(t *testing.T, header, line string) {
		records, err := csv.NewReader(strings.NewReader(header + "\n" + line + "\n")).ReadAll()
		if err != nil || len(records) < 2 {
			return
		}
		h, err := parseCSVHeader(records[0], nil, nil)
		if err != nil {
			return
		}
		r, err := h.csvRow(records[1], 2, false)
		if err != nil {
			return
		}
		for _, kind := range storage.Kinds {
			parseRowAs(kind, r, time.UTC)
		}
	})
}

// FuzzJSONLRow parses one JSONL line as every entity.
func FuzzJSONLRow(f *testing.F) {
	f.Add([]byte(`{"id":"o1","purchased_at":"2018-07-29T16:54:51Z","items":[{"product_id":"p1","unit_price":"19.90"}]}`))
	f.Add([]byte(`{"user_id":"u1","type":"view","at":"2018-08-01"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, kind := range storage.Kinds {
			parseJSONLLine(kind, line, 1, time.UTC, false)
		}
	})
}

func parseRowAs(kind storage.Kind, r row, loc *time.Location) {
	switch kind {
	case storage.KindUser:
		parseUser(r, loc)
	case storage.KindSeller:
		parseSeller(r)
	case storage.KindProduct:
		parseProduct(r, loc)
	case storage.KindOrder:
		if o, err := parseOrderHead(r, loc); err == nil {
			if it, ok, err := parseOrderItem(r); err == nil && ok {
				o.Items = append(o.Items, it)
			}
			storage.ValidateOrder(&o)
		}
	case storage.KindReview:
		parseReview(r, loc)
	case storage.KindEvent:
		parseEvent(r, loc)
	}
}
