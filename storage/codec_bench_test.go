package storage

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"testing"
	"time"
)

// benchOrder is a typical two-item order with payments and a location.
func benchOrder() Order {
	o := sampleOrder("e481f51cbdc54678b7cc49136f2d6af7", "7c396fd4830fd04220f754e42b4e5bff",
		time.Date(2017, 10, 2, 13, 56, 33, 0, time.UTC), "87285b34884572647811a353c7ac498a", "595fac2a385ac33a80bd5114aec74eb8")
	o.Items[0].Category = []string{"housewares"}
	o.Items[1].Category = []string{"perfumery"}
	o.Location = &GeoPoint{Lat: -23.57, Lon: -46.58}
	o.ApprovedAt = o.PurchasedAt.Add(time.Hour)
	o.DeliveredAt = o.PurchasedAt.AddDate(0, 0, 8)
	o.EstimatedDeliveryAt = o.PurchasedAt.AddDate(0, 0, 16)
	o.Payments = []Payment{{Type: "credit_card", Installments: 1, Value: 1837}, {Type: "voucher", Installments: 1, Value: 200}}
	return o
}

// BenchmarkCodec compares the store's binary codec with encoding/json and
// encoding/gob on an order: encode plus decode per op, and the encoded size
// as the bytes/record metric.
func BenchmarkCodec(b *testing.B) {
	o := benchOrder()
	b.Run("binary", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeOrder(encodeOrder(&o)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(encodeOrder(&o))), "bytes/record")
	})
	b.Run("json", func(b *testing.B) {
		size, _ := json.Marshal(o)
		for b.Loop() {
			raw, err := json.Marshal(o)
			if err != nil {
				b.Fatal(err)
			}
			var back Order
			if err := json.Unmarshal(raw, &back); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(size)), "bytes/record")
	})
	b.Run("gob", func(b *testing.B) {
		// A gob stream per record, as a key-value store needs: every value
		// carries its own type description.
		var size bytes.Buffer
		gob.NewEncoder(&size).Encode(o)
		for b.Loop() {
			var buf bytes.Buffer
			if err := gob.NewEncoder(&buf).Encode(o); err != nil {
				b.Fatal(err)
			}
			var back Order
			if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(size.Len()), "bytes/record")
	})
}
