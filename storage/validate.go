package storage

import (
	"fmt"
	"math"
	"strings"
)

// FieldError is a validation failure of one field of a record. The GraphQL
// layer maps it to BAD_USER_INPUT with the field name.
type FieldError struct {
	Kind   Kind
	ID     string
	Field  string
	Reason string
}

func (e *FieldError) Error() string {
	if e.ID == "" {
		return fmt.Sprintf("invalid %s: field %s: %s", e.Kind, e.Field, e.Reason)
	}
	return fmt.Sprintf("invalid %s %q: field %s: %s", e.Kind, e.ID, e.Field, e.Reason)
}

func fieldErr(k Kind, id, field, format string, args ...any) error {
	return &FieldError{Kind: k, ID: id, Field: field, Reason: fmt.Sprintf(format, args...)}
}

func checkKeyField(k Kind, id, field, v string) error {
	if err := checkKeyPart(field, v); err != nil {
		return &FieldError{Kind: k, ID: id, Field: field, Reason: err.Error()}
	}
	return nil
}

func checkRecordID(k Kind, id string) error {
	if err := checkID("id", id); err != nil {
		return &FieldError{Kind: k, ID: id, Field: "id", Reason: err.Error()}
	}
	return nil
}

func validateRegion(k Kind, id, field string, r Region) error {
	parts := []struct{ name, v string }{{"country", r.Country}, {"state", r.State}, {"city", r.City}, {"zip", r.Zip}}
	for _, p := range parts {
		if err := checkKeyField(k, id, field+"."+p.name, p.v); err != nil {
			return err
		}
	}
	if r.Country == "" && (r.State != "" || r.City != "") {
		return fieldErr(k, id, field+".country", "missing while state or city is set; add the ISO country code")
	}
	if r.State == "" && r.City != "" {
		return fieldErr(k, id, field+".state", "missing while city is set; add the state code")
	}
	return nil
}

func validatePoint(k Kind, id, field string, p *GeoPoint) error {
	if p == nil {
		return nil
	}
	if math.IsNaN(p.Lat) || p.Lat < -90 || p.Lat > 90 {
		return fieldErr(k, id, field+".lat", "%v is outside -90..90 degrees", p.Lat)
	}
	if math.IsNaN(p.Lon) || p.Lon < -180 || p.Lon > 180 {
		return fieldErr(k, id, field+".lon", "%v is outside -180..180 degrees", p.Lon)
	}
	return nil
}

func validateCategory(k Kind, id, field string, path []string) error {
	for i, c := range path {
		if strings.TrimSpace(c) == "" {
			return fieldErr(k, id, field, "element %d is empty; drop empty levels from the category path", i)
		}
		if err := checkKeyField(k, id, field, c); err != nil {
			return err
		}
	}
	return nil
}

// ValidateUser checks u before it is written.
func ValidateUser(u *User) error {
	if err := checkRecordID(KindUser, u.ID); err != nil {
		return err
	}
	if u.Email != "" && !strings.Contains(u.Email, "@") {
		return fieldErr(KindUser, u.ID, "email", "%q is not an e-mail address", u.Email)
	}
	if err := validateRegion(KindUser, u.ID, "region", u.Region); err != nil {
		return err
	}
	return validatePoint(KindUser, u.ID, "location", u.Location)
}

// ValidateProduct checks p before it is written.
func ValidateProduct(p *Product) error {
	if err := checkRecordID(KindProduct, p.ID); err != nil {
		return err
	}
	if p.Price < 0 {
		return fieldErr(KindProduct, p.ID, "price", "%s is negative", p.Price)
	}
	if p.Currency != "" && len(p.Currency) != 3 {
		return fieldErr(KindProduct, p.ID, "currency", "%q is not a three-letter ISO 4217 code", p.Currency)
	}
	return validateCategory(KindProduct, p.ID, "category", p.Category)
}

// ValidateSeller checks s before it is written.
func ValidateSeller(s *Seller) error {
	if err := checkRecordID(KindSeller, s.ID); err != nil {
		return err
	}
	if err := validateRegion(KindSeller, s.ID, "region", s.Region); err != nil {
		return err
	}
	return validatePoint(KindSeller, s.ID, "location", s.Location)
}

// ValidateOrder checks o before it is written.
func ValidateOrder(o *Order) error {
	if err := checkRecordID(KindOrder, o.ID); err != nil {
		return err
	}
	if o.UserID != "" {
		if err := checkKeyField(KindOrder, o.ID, "userId", o.UserID); err != nil {
			return err
		}
	}
	if o.PurchasedAt.IsZero() {
		return fieldErr(KindOrder, o.ID, "purchasedAt", "missing; every order needs a purchase time")
	}
	if err := validateRegion(KindOrder, o.ID, "shipTo", o.ShipTo); err != nil {
		return err
	}
	if err := validatePoint(KindOrder, o.ID, "location", o.Location); err != nil {
		return err
	}
	for i, it := range o.Items {
		f := fmt.Sprintf("items[%d]", i)
		if err := checkID(f+".productId", it.ProductID); err != nil {
			return &FieldError{Kind: KindOrder, ID: o.ID, Field: f + ".productId", Reason: err.Error()}
		}
		if err := checkKeyField(KindOrder, o.ID, f+".sellerId", it.SellerID); err != nil {
			return err
		}
		if it.Quantity <= 0 {
			return fieldErr(KindOrder, o.ID, f+".quantity", "%d is not positive", it.Quantity)
		}
		if it.UnitPrice < 0 {
			return fieldErr(KindOrder, o.ID, f+".unitPrice", "%s is negative", it.UnitPrice)
		}
		if it.Freight < 0 {
			return fieldErr(KindOrder, o.ID, f+".freight", "%s is negative", it.Freight)
		}
	}
	for i, p := range o.Payments {
		if p.Value < 0 {
			return fieldErr(KindOrder, o.ID, fmt.Sprintf("payments[%d].value", i), "%s is negative", p.Value)
		}
	}
	return nil
}

// ValidateReview checks r before it is written.
func ValidateReview(r *Review) error {
	if err := checkRecordID(KindReview, r.ID); err != nil {
		return err
	}
	// ProductID may be empty: some marketplaces review an order whose
	// items are unknown. Such a review is listed by time and user only.
	if err := checkKeyField(KindReview, r.ID, "productId", r.ProductID); err != nil {
		return err
	}
	if err := checkKeyField(KindReview, r.ID, "userId", r.UserID); err != nil {
		return err
	}
	if r.Rating < 1 || r.Rating > 5 {
		return fieldErr(KindReview, r.ID, "rating", "%d is outside 1..5", r.Rating)
	}
	if r.CreatedAt.IsZero() {
		return fieldErr(KindReview, r.ID, "createdAt", "missing; every review needs a time")
	}
	return nil
}

// ValidateEvent checks e before it is written.
func ValidateEvent(e *Event) error {
	if err := checkRecordID(KindEvent, e.ID); err != nil {
		return err
	}
	if err := checkKeyField(KindEvent, e.ID, "userId", e.UserID); err != nil {
		return err
	}
	if e.Type < EventView || e.Type > EventSearch {
		return fieldErr(KindEvent, e.ID, "type", "%d is not view, cart, purchase or search", e.Type)
	}
	if e.At.IsZero() {
		return fieldErr(KindEvent, e.ID, "at", "missing; every event needs a time")
	}
	return validateRegion(KindEvent, e.ID, "region", e.Region)
}
