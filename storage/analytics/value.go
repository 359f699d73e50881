package analytics

import (
	"math"
	"math/big"

	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/rollup"
)

// Value is an exact measure value Num/Den, rendered with Scale fraction
// digits. Den is 0 for an undefined value, such as an average over no
// orders.
type Value struct {
	Num, Den int64
	Scale    int
	// Money marks amounts in currency units; Num/Den is then in units, not
	// cents.
	Money bool
}

// Valid reports whether the value is defined.
func (v Value) Valid() bool { return v.Den != 0 }

// String returns the decimal text with Scale fraction digits, rounded half
// away from zero, or "" when the value is undefined.
func (v Value) String() string {
	if !v.Valid() {
		return ""
	}
	return big.NewRat(v.Num, v.Den).FloatString(v.Scale)
}

// Float64 returns the value as a float, or NaN when undefined.
func (v Value) Float64() float64 {
	if !v.Valid() {
		return math.NaN()
	}
	f, _ := big.NewRat(v.Num, v.Den).Float64()
	return f
}

// Cents returns a money value in cents, rounded half away from zero.
func (v Value) Cents() storage.Money {
	if !v.Valid() {
		return 0
	}
	r := new(big.Rat).Mul(big.NewRat(v.Num, v.Den), big.NewRat(100, 1))
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2)).Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return storage.Money(q.Int64())
}

func count(n int64) Value { return Value{Num: n, Den: 1} }

func money(cents storage.Money) Value {
	return Value{Num: int64(cents), Den: 100, Scale: 2, Money: true}
}

func ratio(num, den int64, scale int) Value {
	if den == 0 {
		return Value{}
	}
	return Value{Num: num, Den: den, Scale: scale}
}

// measureValue computes m from a group's exact sums.
func measureValue(m Measure, a *acc) Value {
	s := a.sums
	switch m {
	case Orders:
		return count(s.Orders)
	case Units:
		return count(s.Units)
	case Revenue:
		return money(s.Revenue)
	case Freight:
		return money(s.Freight)
	case Customers:
		return count(int64(len(a.users)))
	case AvgOrderValue:
		if s.Orders == 0 {
			return Value{}
		}
		return Value{Num: int64(s.Revenue), Den: s.Orders * 100, Scale: 2, Money: true}
	case AvgRating:
		return ratio(s.RatingSum, s.Reviews, 4)
	case Reviews:
		return count(s.Reviews)
	case DeliveryDays:
		return ratio(s.DeliverySeconds, s.Delivered*86400, 4)
	case LateDeliveryRate:
		return ratio(s.Late, s.WithEstimate, 4)
	}
	return Value{}
}

// acc accumulates one group.
type acc struct {
	sums  rollup.Sums
	users map[string]struct{} // nil unless CUSTOMERS is requested
}

func (a *acc) merge(b *acc) {
	a.sums.Add(b.sums)
	if b.users != nil {
		if a.users == nil {
			a.users = make(map[string]struct{}, len(b.users))
		}
		for u := range b.users {
			a.users[u] = struct{}{}
		}
	}
}
