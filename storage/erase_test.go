package storage

import (
	"context"
	"errors"
	"testing"
)

func TestEraseUser(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	home := &GeoPoint{Lat: -23.5871, Lon: -46.6823}
	region := Region{Country: "BR", State: "SP", City: "Sao Paulo", Zip: "04567-000"}
	users := []User{
		{ID: "u1", Name: "Zelda Quixote", Email: "zelda@example.com", Region: region, Location: home, SignupAt: t0},
		{ID: "u2", Name: "Other", Region: region, Location: home, SignupAt: t0},
	}
	if err := s.PutUsers(ctx, users); err != nil {
		t.Fatal(err)
	}
	if err := s.PutProducts(ctx, []Product{sampleProduct("p1", "home")}); err != nil {
		t.Fatal(err)
	}
	items := []OrderItem{{ProductID: "p1", Quantity: 1, UnitPrice: 1990}}
	orders := []Order{
		{ID: "o1", UserID: "u1", PurchasedAt: t0, ShipTo: region, Location: home, Items: items},
		{ID: "o2", UserID: "u2", PurchasedAt: t0, ShipTo: region, Location: home, Items: items},
	}
	if err := s.PutOrders(ctx, orders); err != nil {
		t.Fatal(err)
	}
	reviews := []Review{
		{ID: "r1", ProductID: "p1", UserID: "u1", Rating: 5, Title: "Zelda", Text: "Sent to Rua Xylofone 42", CreatedAt: t0},
		{ID: "r2", ProductID: "p1", UserID: "u2", Rating: 3, Title: "Fine", Text: "ok", CreatedAt: t0},
	}
	if err := s.PutReviews(ctx, reviews); err != nil {
		t.Fatal(err)
	}
	events := []Event{
		{ID: "e1", UserID: "u1", SessionID: "s", Type: EventSearch, Query: "rua xylofone", At: t0, Region: region},
		{ID: "e2", UserID: "u2", SessionID: "s2", Type: EventView, ProductID: "p1", At: t0, Region: region},
	}
	if err := s.PutEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	seqBefore, err := s.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}

	res, err := s.EraseUser(ctx, "u1")
	if err != nil {
		t.Fatalf("EraseUser: %v", err)
	}
	if res != (EraseResult{Orders: 1, Reviews: 1, Events: 1}) {
		t.Errorf("EraseUser result = %+v, want 1 order, 1 review, 1 event", res)
	}

	if _, err := s.User(ctx, "u1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("User(u1) after the erase: err = %v, want ErrNotFound", err)
	}
	o1, err := s.Order(ctx, "o1")
	if err != nil {
		t.Fatal(err)
	}
	if o1.UserID != "u1" || o1.ShipTo.Zip != "04" || *o1.Location != (GeoPoint{Lat: -23.6, Lon: -46.7}) {
		t.Errorf("order o1 = user %q, zip %q, location %+v; want u1, 04, -23.6/-46.7", o1.UserID, o1.ShipTo.Zip, *o1.Location)
	}
	r1, err := s.Review(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if r1.UserID != "" || r1.Title != ErasedText || r1.Text != ErasedText || r1.Rating != 5 {
		t.Errorf("review r1 = %+v, want no user, %q title and text, rating 5", r1, ErasedText)
	}
	if _, err := s.Event(ctx, "e1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Event(e1) after the erase: err = %v, want ErrNotFound", err)
	}
	stats, err := s.RatingStats(ctx, []string{"p1"})
	if err != nil {
		t.Fatal(err)
	}
	if stats[0] != (RatingStats{Sum: 8, Count: 2}) {
		t.Errorf("rating statistics of p1 = %+v, want sum 8 of 2 reviews", stats[0])
	}

	// The other user's records are untouched.
	if o2, _ := s.Order(ctx, "o2"); o2.ShipTo.Zip != region.Zip || *o2.Location != *home {
		t.Errorf("order o2 of u2 = zip %q, location %+v; want them unchanged", o2.ShipTo.Zip, *o2.Location)
	}
	if r2, _ := s.Review(ctx, "r2"); r2.UserID != "u2" || r2.Text != "ok" {
		t.Errorf("review r2 of u2 = %+v, want it unchanged", r2)
	}

	changes, err := s.Changes(ctx, seqBefore, 100)
	if err != nil {
		t.Fatal(err)
	}
	type record struct {
		kind Kind
		id   string
	}
	changed := map[record]bool{}
	for _, c := range changes {
		changed[record{c.Kind, c.ID}] = true
	}
	for _, want := range []record{{KindUser, "u1"}, {KindOrder, "o1"}, {KindReview, "r1"}, {KindEvent, "e1"}} {
		if !changed[want] {
			t.Errorf("change log after the erase lacks %s %s; has %v", want.kind, want.id, changed)
		}
	}

	if _, err := s.EraseUser(ctx, "u1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second EraseUser(u1): err = %v, want ErrNotFound", err)
	}
}

func TestZipPrefixAndCoarsenPoint(t *testing.T) {
	for in, want := range map[string]string{"04567-000": "04", "1": "1", "": "", "ÄÖÜ12": "ÄÖ"} {
		if got := ZipPrefix(in); got != want {
			t.Errorf("ZipPrefix(%q) = %q, want %q", in, got, want)
		}
	}
	if CoarsenPoint(nil) != nil {
		t.Error("CoarsenPoint(nil) != nil")
	}
	if got := *CoarsenPoint(&GeoPoint{Lat: 48.8566, Lon: 2.3522}); got != (GeoPoint{Lat: 48.9, Lon: 2.4}) {
		t.Errorf("CoarsenPoint(48.8566, 2.3522) = %+v, want 48.9, 2.4", got)
	}
}
