package rollup

import (
	"encoding/binary"
	"fmt"

	"github.com/shopsight/shopsight/storage"
)

// Sums holds the additive parts of every rollup measure. Averages and rates
// are ratios of two fields, computed by the reader from the exact sums.
type Sums struct {
	// Orders counts orders; in a category or seller cell, the orders with
	// at least one item of that category or seller.
	Orders int64
	// Units is the sum of item quantities.
	Units int64
	// Revenue is the sum of unit price times quantity, without freight.
	Revenue storage.Money
	// Freight is the sum of item freight.
	Freight storage.Money
	// Delivered counts orders with a known delivery time.
	Delivered int64
	// DeliverySeconds is the sum of the seconds from purchase to delivery
	// over the delivered orders.
	DeliverySeconds int64
	// WithEstimate counts delivered orders with a known estimated delivery
	// time, the denominator of the late delivery rate.
	WithEstimate int64
	// Late counts the orders of WithEstimate delivered after the estimate.
	Late int64
	// Reviews counts reviews and RatingSum adds their ratings.
	Reviews   int64
	RatingSum int64
}

// Add adds o to s.
func (s *Sums) Add(o Sums) {
	s.Orders += o.Orders
	s.Units += o.Units
	s.Revenue += o.Revenue
	s.Freight += o.Freight
	s.Delivered += o.Delivered
	s.DeliverySeconds += o.DeliverySeconds
	s.WithEstimate += o.WithEstimate
	s.Late += o.Late
	s.Reviews += o.Reviews
	s.RatingSum += o.RatingSum
}

// Negate returns -s.
func (s Sums) Negate() Sums {
	return Sums{Orders: -s.Orders, Units: -s.Units, Revenue: -s.Revenue, Freight: -s.Freight, Delivered: -s.Delivered,
		DeliverySeconds: -s.DeliverySeconds, WithEstimate: -s.WithEstimate, Late: -s.Late, Reviews: -s.Reviews, RatingSum: -s.RatingSum}
}

// IsZero reports whether every field is zero.
func (s Sums) IsZero() bool { return s == Sums{} }

func (s Sums) fields() [10]int64 {
	return [10]int64{s.Orders, s.Units, int64(s.Revenue), int64(s.Freight), s.Delivered, s.DeliverySeconds,
		s.WithEstimate, s.Late, s.Reviews, s.RatingSum}
}

func encodeSums(s Sums) []byte {
	var b []byte
	for _, v := range s.fields() {
		b = binary.AppendVarint(b, v)
	}
	return b
}

func decodeSums(b []byte) (Sums, error) {
	var f [10]int64
	for i := range f {
		v, n := binary.Varint(b)
		if n <= 0 {
			return Sums{}, fmt.Errorf("%w: rollup cell value is truncated at field %d", storage.ErrCorruptRecord, i)
		}
		f[i] = v
		b = b[n:]
	}
	if len(b) != 0 {
		return Sums{}, fmt.Errorf("%w: rollup cell value has %d trailing bytes", storage.ErrCorruptRecord, len(b))
	}
	return Sums{Orders: f[0], Units: f[1], Revenue: storage.Money(f[2]), Freight: storage.Money(f[3]), Delivered: f[4],
		DeliverySeconds: f[5], WithEstimate: f[6], Late: f[7], Reviews: f[8], RatingSum: f[9]}, nil
}

// OrderDelivery returns the order-level delivery parts of o: the delivery
// fields of Sums, each counted once per order.
func OrderDelivery(o *storage.Order) Sums {
	var s Sums
	if o.DeliveredAt.IsZero() || o.PurchasedAt.IsZero() {
		return s
	}
	s.Delivered = 1
	s.DeliverySeconds = int64(o.DeliveredAt.Sub(o.PurchasedAt).Seconds())
	if !o.EstimatedDeliveryAt.IsZero() {
		s.WithEstimate = 1
		if o.DeliveredAt.After(o.EstimatedDeliveryAt) {
			s.Late = 1
		}
	}
	return s
}

// ItemSums returns the sums of one group of an order's items: one order,
// the items' units, revenue and freight, and the order's delivery parts.
func ItemSums(o *storage.Order, items []storage.OrderItem) Sums {
	s := OrderDelivery(o)
	s.Orders = 1
	for _, it := range items {
		s.Units += int64(it.Quantity)
		s.Revenue += it.UnitPrice * storage.Money(it.Quantity)
		s.Freight += it.Freight
	}
	return s
}

// ReviewTarget returns where a review counts: the region of its order and
// the category and seller of the order's first item with the review's
// product. Any of them is empty when the order, or such an item, is
// missing. Rollups and scans both use it, so they agree.
func ReviewTarget(o *storage.Order, r *storage.Review) (region storage.Region, category []string, seller string) {
	if o == nil {
		return storage.Region{}, nil, ""
	}
	region = storage.Region{Country: o.ShipTo.Country, State: o.ShipTo.State, City: o.ShipTo.City}
	for _, it := range o.Items {
		if it.ProductID == r.ProductID && r.ProductID != "" {
			return region, it.Category, it.SellerID
		}
	}
	return region, nil, ""
}
