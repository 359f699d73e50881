package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Field names of the generic CSV and JSONL formats, per entity. docs/import.md
// describes each one.
var (
	userFields    = []string{"id", "name", "email", "country", "state", "city", "zip", "lat", "lon", "signup_at"}
	sellerFields  = []string{"id", "name", "country", "state", "city", "zip", "lat", "lon"}
	productFields = []string{"id", "title", "description", "category", "price", "currency", "attributes", "language", "created_at"}
	// orderFields are the order-level fields; every row of an order repeats
	// them or leaves them empty.
	orderFields = []string{"id", "user_id", "status", "purchased_at", "approved_at", "delivered_at", "estimated_delivery_at",
		"country", "state", "city", "zip", "lat", "lon", "payments"}
	// itemFields are the per-item fields of an order row, or of one element
	// of a JSONL order's items array.
	itemFields   = []string{"product_id", "seller_id", "quantity", "unit_price", "freight"}
	reviewFields = []string{"id", "product_id", "user_id", "order_id", "rating", "title", "text", "language", "created_at"}
	eventFields  = []string{"id", "user_id", "session_id", "product_id", "type", "query", "at", "country", "state", "city", "zip"}
)

// entityFields returns the known fields and the required fields of kind's
// rows. A CSV file must have a column for each required field.
func entityFields(kind storage.Kind) (known, required []string) {
	switch kind {
	case storage.KindUser:
		return userFields, []string{"id"}
	case storage.KindSeller:
		return sellerFields, []string{"id"}
	case storage.KindProduct:
		return productFields, []string{"id"}
	case storage.KindOrder:
		return append(append([]string(nil), orderFields...), itemFields...), []string{"id", "purchased_at"}
	case storage.KindReview:
		return reviewFields, []string{"id", "product_id", "rating", "created_at"}
	case storage.KindEvent:
		return eventFields, []string{"user_id", "type", "at"}
	}
	return nil, nil
}

func parseUser(r row, loc *time.Location) (storage.User, error) {
	id, err := requiredField(r, "id")
	if err != nil {
		return storage.User{}, err
	}
	u := storage.User{ID: id, Name: r.get("name"), Email: r.get("email"), Region: regionFields(r)}
	if u.Location, err = pointFields(r); err != nil {
		return u, err
	}
	if u.SignupAt, err = timeField(r, "signup_at", loc, false); err != nil {
		return u, err
	}
	return u, storage.ValidateUser(&u)
}

func parseSeller(r row) (storage.Seller, error) {
	id, err := requiredField(r, "id")
	if err != nil {
		return storage.Seller{}, err
	}
	s := storage.Seller{ID: id, Name: r.get("name"), Region: regionFields(r)}
	if s.Location, err = pointFields(r); err != nil {
		return s, err
	}
	return s, storage.ValidateSeller(&s)
}

func parseProduct(r row, loc *time.Location) (storage.Product, error) {
	id, err := requiredField(r, "id")
	if err != nil {
		return storage.Product{}, err
	}
	p := storage.Product{
		ID:          id,
		Title:       r.get("title"),
		Description: r.raw("description"),
		Currency:    strings.ToUpper(r.get("currency")),
		Language:    r.get("language"),
	}
	if p.Category, err = parseCategory(r.get("category")); err != nil {
		return p, err
	}
	if p.Price, err = moneyField(r, "price", false); err != nil {
		return p, err
	}
	if p.Attributes, err = parseAttributes(r.get("attributes")); err != nil {
		return p, err
	}
	if p.CreatedAt, err = timeField(r, "created_at", loc, false); err != nil {
		return p, err
	}
	return p, storage.ValidateProduct(&p)
}

// parseOrderHead parses the order-level fields of an order row.
func parseOrderHead(r row, loc *time.Location) (storage.Order, error) {
	id, err := requiredField(r, "id")
	if err != nil {
		return storage.Order{}, err
	}
	o := storage.Order{ID: id, UserID: r.get("user_id"), Status: strings.ToLower(r.get("status")), ShipTo: regionFields(r)}
	if o.PurchasedAt, err = timeField(r, "purchased_at", loc, true); err != nil {
		return o, err
	}
	if o.ApprovedAt, err = timeField(r, "approved_at", loc, false); err != nil {
		return o, err
	}
	if o.DeliveredAt, err = timeField(r, "delivered_at", loc, false); err != nil {
		return o, err
	}
	if o.EstimatedDeliveryAt, err = timeField(r, "estimated_delivery_at", loc, false); err != nil {
		return o, err
	}
	if o.Location, err = pointFields(r); err != nil {
		return o, err
	}
	if o.Payments, err = parsePayments(r.get("payments")); err != nil {
		return o, err
	}
	return o, nil
}

// parseOrderItem parses the item fields of an order row. It returns false
// when product_id is empty, for a row that only carries an order without
// items.
func parseOrderItem(r row) (storage.OrderItem, bool, error) {
	it := storage.OrderItem{ProductID: r.get("product_id"), SellerID: r.get("seller_id")}
	if it.ProductID == "" {
		for _, f := range itemFields[1:] {
			if r.get(f) != "" {
				return it, false, &rowError{Class: "missing product_id", Err: fmt.Errorf("missing product_id: the row sets %s, so it is an item and needs a product", f)}
			}
		}
		return it, false, nil
	}
	q, err := intField(r, "quantity", 1)
	if err != nil {
		return it, false, err
	}
	if q <= 0 || q > 1<<31-1 {
		return it, false, invalidField("quantity", "%d: must be between 1 and %d", q, 1<<31-1)
	}
	it.Quantity = int32(q)
	if it.UnitPrice, err = moneyField(r, "unit_price", true); err != nil {
		return it, false, err
	}
	if it.Freight, err = moneyField(r, "freight", false); err != nil {
		return it, false, err
	}
	return it, true, nil
}

func parseReview(r row, loc *time.Location) (storage.Review, error) {
	id, err := requiredField(r, "id")
	if err != nil {
		return storage.Review{}, err
	}
	rv := storage.Review{
		ID:        id,
		ProductID: r.get("product_id"),
		UserID:    r.get("user_id"),
		OrderID:   r.get("order_id"),
		Title:     r.raw("title"),
		Text:      r.raw("text"),
		Language:  r.get("language"),
	}
	rating, err := intField(r, "rating", 0)
	if err != nil {
		return rv, err
	}
	if rating < 1 || rating > 5 {
		return rv, invalidField("rating", "%q: must be a whole number from 1 to 5", r.get("rating"))
	}
	rv.Rating = int32(rating)
	if rv.CreatedAt, err = timeField(r, "created_at", loc, true); err != nil {
		return rv, err
	}
	return rv, storage.ValidateReview(&rv)
}

// parseEvent parses an event row. An empty id is replaced by "ev-" and the
// first 24 hex digits of a SHA-256 over the event's other fields, so the
// same event gets the same id in every run and in both formats. Two rows
// that agree in every field therefore collapse into one event.
func parseEvent(r row, loc *time.Location) (storage.Event, error) {
	e := storage.Event{
		ID:        r.get("id"),
		UserID:    r.get("user_id"),
		SessionID: r.get("session_id"),
		ProductID: r.get("product_id"),
		Query:     r.get("query"),
		Region:    regionFields(r),
	}
	if e.UserID == "" {
		return e, missingField("user_id")
	}
	typ := r.get("type")
	if typ == "" {
		return e, missingField("type")
	}
	t, err := storage.ParseEventType(typ)
	if err != nil {
		return e, &rowError{Class: "invalid type", Err: err}
	}
	e.Type = t
	if e.At, err = timeField(r, "at", loc, true); err != nil {
		return e, err
	}
	if e.ID == "" {
		e.ID = derivedEventID(&e)
	}
	return e, storage.ValidateEvent(&e)
}

func derivedEventID(e *storage.Event) string {
	h := sha256.New()
	for _, f := range []string{e.UserID, e.SessionID, e.ProductID, e.Type.String(), e.Query,
		e.At.UTC().Format(time.RFC3339Nano), e.Region.Country, e.Region.State, e.Region.City, e.Region.Zip} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return "ev-" + hex.EncodeToString(h.Sum(nil))[:24]
}
