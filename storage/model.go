package storage

import (
	"fmt"
	"strings"
	"time"
)

// Money is an amount in minor currency units (cents for BRL and USD). Sums
// of Money are exact; the GraphQL layer renders it as a decimal string.
type Money int64

// String formats m as a decimal with two fraction digits, for example "109.90".
func (m Money) String() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign = "-"
		v = -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// ParseMoney parses a decimal amount such as "109.9", "109.90", "-3" or
// "1e2" is rejected. At most two fraction digits are accepted, so the value
// is exact in cents.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("invalid money amount %q: empty; write a decimal such as 19.90", s)
	}
	neg := false
	body := s
	if body[0] == '-' || body[0] == '+' {
		neg = body[0] == '-'
		body = body[1:]
	}
	whole, frac, hasDot := strings.Cut(body, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("invalid money amount %q: no digits; write a decimal such as 19.90", s)
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("invalid money amount %q: more than two fraction digits; round to cents", s)
	}
	var cents int64
	for _, r := range whole {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("invalid money amount %q: %q is not a digit; write a decimal such as 19.90", s, r)
		}
		cents = cents*10 + int64(r-'0')
		if cents > 1<<53 {
			return 0, fmt.Errorf("invalid money amount %q: too large", s)
		}
	}
	cents *= 100
	for i, r := range frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("invalid money amount %q: %q is not a digit; write a decimal such as 19.90", s, r)
		}
		if i == 0 {
			cents += int64(r-'0') * 10
		} else {
			cents += int64(r - '0')
		}
	}
	if neg {
		cents = -cents
	}
	return Money(cents), nil
}

// Region is a place in the country/state/city hierarchy. Country is an ISO
// 3166-1 alpha-2 code, State a subdivision code (such as "SP"), City a name.
type Region struct {
	Country string
	State   string
	City    string
	Zip     string
}

// GeoPoint is a WGS84 coordinate in decimal degrees.
type GeoPoint struct {
	Lat float64
	Lon float64
}

// User is a customer account.
type User struct {
	ID       string
	Name     string
	Email    string
	Region   Region
	Location *GeoPoint // nil when unknown
	SignupAt time.Time
}

// Product is a catalog item.
type Product struct {
	ID          string
	Title       string
	Description string
	// Category is the path from the root of the category tree, such as
	// ["electronics", "phones", "cases"].
	Category   []string
	Price      Money
	Currency   string
	Attributes map[string]string
	// Language is the BCP 47 tag of Title and Description ("en", "zh", "pt").
	Language  string
	CreatedAt time.Time
}

// Seller is a merchant that fulfils order items.
type Seller struct {
	ID       string
	Name     string
	Region   Region
	Location *GeoPoint
}

// Order statuses used by the importers and the demo generator. Other values
// are stored as given.
const (
	OrderCreated   = "created"
	OrderApproved  = "approved"
	OrderInvoiced  = "invoiced"
	OrderShipped   = "shipped"
	OrderDelivered = "delivered"
	OrderCanceled  = "canceled"
)

// Order is a purchase by one user, delivered to one address.
type Order struct {
	ID          string
	UserID      string
	Status      string
	PurchasedAt time.Time
	// ApprovedAt, DeliveredAt and EstimatedDeliveryAt are zero when unknown.
	ApprovedAt          time.Time
	DeliveredAt         time.Time
	EstimatedDeliveryAt time.Time
	ShipTo              Region
	Location            *GeoPoint
	Items               []OrderItem
	Payments            []Payment
}

// OrderItem is one line of an order.
type OrderItem struct {
	ProductID string
	SellerID  string
	Quantity  int32
	UnitPrice Money
	Freight   Money
	// Category is the product's category path, filled in by the store from
	// the catalog when the order is written and updated when the product's
	// category changes. Callers may leave it empty.
	Category []string
}

// Payment is one payment of an order; an order may be paid in several parts.
type Payment struct {
	Type         string // "credit_card", "boleto", "voucher", "debit_card", ...
	Installments int32
	Value        Money
}

// Total returns the sum of item prices times quantities, without freight.
func (o *Order) Total() Money {
	var sum Money
	for _, it := range o.Items {
		sum += it.UnitPrice * Money(it.Quantity)
	}
	return sum
}

// SellerIDs returns the distinct sellers of the order's items in item order.
func (o *Order) SellerIDs() []string {
	var ids []string
	seen := map[string]bool{}
	for _, it := range o.Items {
		if it.SellerID != "" && !seen[it.SellerID] {
			seen[it.SellerID] = true
			ids = append(ids, it.SellerID)
		}
	}
	return ids
}

// Review is a customer's rating and text about a product.
type Review struct {
	ID        string
	ProductID string
	UserID    string
	OrderID   string
	Rating    int32 // 1 to 5
	Title     string
	Text      string
	Language  string
	CreatedAt time.Time
}

// EventType is the kind of a behaviour event.
type EventType uint8

// Behaviour event types, in funnel order.
const (
	EventView EventType = iota + 1
	EventCart
	EventPurchase
	EventSearch
)

var eventTypeNames = [...]string{EventView: "view", EventCart: "cart", EventPurchase: "purchase", EventSearch: "search"}

// String returns the lower-case name used in files and the API.
func (t EventType) String() string {
	if int(t) < len(eventTypeNames) && eventTypeNames[t] != "" {
		return eventTypeNames[t]
	}
	return fmt.Sprintf("EventType(%d)", uint8(t))
}

// ParseEventType parses "view", "cart", "purchase" or "search" in any case.
func ParseEventType(s string) (EventType, error) {
	for t, name := range eventTypeNames {
		if name != "" && strings.EqualFold(name, strings.TrimSpace(s)) {
			return EventType(t), nil
		}
	}
	return 0, fmt.Errorf("invalid event type %q: use view, cart, purchase or search", s)
}

// Event is one behaviour event of a user in a session.
type Event struct {
	ID        string
	UserID    string
	SessionID string
	ProductID string // empty for search events without a clicked product
	Type      EventType
	Query     string // search text for EventSearch
	At        time.Time
	Region    Region
}
