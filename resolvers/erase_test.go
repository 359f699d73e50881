package resolvers

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/shopsight/shopsight/graph/auth"
	"github.com/shopsight/shopsight/index/search"
	"github.com/shopsight/shopsight/storage"
)

// seedEraseUser writes user u-erase with personal data in every place that
// an erase must reach: the user record, two orders, a review whose text
// names the user, and two events, one a search for the user's street.
func seedEraseUser(t *testing.T, store *storage.Store) {
	t.Helper()
	ctx := context.Background()
	home := storage.GeoPoint{Lat: -23.5871, Lon: -46.6823}
	region := storage.Region{Country: "BR", State: "SP", City: "Sao Paulo", Zip: "04567-000"}
	user := storage.User{ID: "u-erase", Name: "Zelda Quixote", Email: "zelda.quixote@example.com", Region: region,
		Location: &home, SignupAt: base}
	if err := store.PutUsers(ctx, []storage.User{user}); err != nil {
		t.Fatal(err)
	}

	var orders []storage.Order
	for _, id := range []string{"o-erase-1", "o-erase-2"} {
		orders = append(orders, storage.Order{ID: id, UserID: user.ID, Status: storage.OrderDelivered, PurchasedAt: base,
			DeliveredAt: base.Add(48 * time.Hour), ShipTo: region, Location: &home,
			Items:    []storage.OrderItem{{ProductID: "p02", SellerID: "s1", Quantity: 1, UnitPrice: 2990}},
			Payments: []storage.Payment{{Type: "boleto", Installments: 1, Value: 2990}}})
	}
	if err := store.PutOrders(ctx, orders); err != nil {
		t.Fatal(err)
	}

	review := storage.Review{ID: "r-erase", ProductID: "p02", UserID: user.ID, OrderID: "o-erase-1", Rating: 4,
		Title: "Zelda recommends", Text: "Delivered to Zelda Quixote at Rua Xylofone 42, very fast.", Language: "en", CreatedAt: base}
	if err := store.PutReviews(ctx, []storage.Review{review}); err != nil {
		t.Fatal(err)
	}
	events := []storage.Event{
		{ID: "e-erase-1", UserID: user.ID, SessionID: "s-erase", Type: storage.EventSearch, Query: "rua xylofone", At: base, Region: region},
		{ID: "e-erase-2", UserID: user.ID, SessionID: "s-erase", Type: storage.EventView, ProductID: "p02", At: base.Add(time.Minute), Region: region},
	}
	if err := store.PutEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
}

// TestEraseUser erases a user through the API and then looks for the
// user's personal data in every listing and in the search index.
func TestEraseUser(t *testing.T) {
	ctx := context.Background()
	store := openMemoryStore(t, storage.DefaultOptions(""))
	seed(t, store)
	seedEraseUser(t, store)
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := search.Open(ctx, store, t.TempDir(), nil, search.DefaultOptions().WithLogger(discard))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	s := serveKeyed(t, store, func(o Options) Options { return o.WithSearch(func() *search.Service { return svc }) })

	const reviewSearch = `query($q: String!) { searchReviews(query: $q) { totalCount edges { node { id userId title text } } } }`
	type reviewHits struct {
		SearchReviews struct {
			TotalCount int
			Edges      []struct {
				Node struct{ ID, UserID, Title, Text string }
			}
		}
	}
	var before reviewHits
	s.okAs(auth.RoleViewer, reviewSearch, map[string]any{"q": "Xylofone"}, &before)
	if before.SearchReviews.TotalCount != 1 {
		t.Fatalf("searchReviews(Xylofone) before the erase found %d reviews, want 1", before.SearchReviews.TotalCount)
	}

	resp := s.postAs(s.keys[auth.RoleAnalyst], `mutation { deleteUser(id: "u-erase", erase: true) }`, nil)
	if len(resp.Errors) != 1 || resp.Errors[0].code() != "FORBIDDEN" {
		t.Fatalf("erase as analyst: errors %+v, want FORBIDDEN", resp.Errors)
	}
	var erased struct{ DeleteUser string }
	s.okAs(auth.RoleAdmin, `mutation { deleteUser(id: "u-erase", erase: true) }`, nil, &erased)
	if erased.DeleteUser != "u-erase" {
		t.Errorf("deleteUser = %q, want u-erase", erased.DeleteUser)
	}
	// The server's Follow loop applies the change log within a poll
	// interval, and the test applies it at once.
	if err := svc.CatchUp(ctx); err != nil {
		t.Fatalf("search CatchUp: %v", err)
	}

	for _, q := range []string{"Xylofone", "Zelda", "Quixote"} {
		var after reviewHits
		s.okAs(auth.RoleViewer, reviewSearch, map[string]any{"q": q}, &after)
		if after.SearchReviews.TotalCount != 0 {
			t.Errorf("searchReviews(%s) after the erase = %+v, want no hits", q, after.SearchReviews.Edges)
		}
	}

	var data struct {
		User  *struct{ ID string }
		Users struct {
			Edges []struct {
				Node struct{ ID, Name, Email string }
			}
		}
		Events struct{ TotalCount int }
		Review struct {
			Edges []struct {
				Node struct{ ID, UserID, Title, Text string }
			}
		}
		UserReviews struct{ TotalCount int }
		Orders      struct {
			Edges []struct {
				Node struct {
					ID       string
					UserID   string
					User     *struct{ ID string }
					ShipTo   struct{ Zip string }
					Location struct{ Lat, Lon float64 }
				}
			}
		}
		OrdersNear []struct{ Order struct{ ID string } }
	}
	s.okAs(auth.RoleAdmin, `{
		user(id: "u-erase") { id }
		users(first: 100) { edges { node { id name email } } }
		events(filter: {userId: "u-erase"}) { totalCount }
		review: reviews(filter: {productId: "p02"}, first: 100) { edges { node { id userId title text } } }
		userReviews: reviews(filter: {userId: "u-erase"}) { totalCount }
		orders(filter: {userId: "u-erase"}) { edges { node { id userId user { id } shipTo { zip } location { lat lon } } } }
		ordersNear(lat: -23.5871, lon: -46.6823, radiusKm: 1) { order { id } }
	}`, nil, &data)

	if data.User != nil {
		t.Errorf("user(u-erase) = %+v, want null", data.User)
	}
	for _, e := range data.Users.Edges {
		if e.Node.ID == "u-erase" || e.Node.Name == "Zelda Quixote" || e.Node.Email == "zelda.quixote@example.com" {
			t.Errorf("users lists the erased user: %+v", e.Node)
		}
	}
	if data.Events.TotalCount != 0 {
		t.Errorf("events of u-erase = %d, want 0", data.Events.TotalCount)
	}
	if data.UserReviews.TotalCount != 0 {
		t.Errorf("reviews of u-erase = %d, want 0", data.UserReviews.TotalCount)
	}
	foundReview := false
	for _, e := range data.Review.Edges {
		if e.Node.ID != "r-erase" {
			continue
		}
		foundReview = true
		if e.Node.UserID != "" || e.Node.Title != storage.ErasedText || e.Node.Text != storage.ErasedText {
			t.Errorf("erased review = %+v, want no user id and title and text %q", e.Node, storage.ErasedText)
		}
	}
	if !foundReview {
		t.Error("the erased user's review is gone, want it kept with its rating")
	}
	if len(data.Orders.Edges) != 2 {
		t.Fatalf("orders of u-erase = %d, want 2 (orders stay)", len(data.Orders.Edges))
	}
	for _, e := range data.Orders.Edges {
		o := e.Node
		if o.User != nil {
			t.Errorf("order %s user = %+v, want null", o.ID, o.User)
		}
		if o.ShipTo.Zip != "04" {
			t.Errorf("order %s zip = %q, want 04", o.ID, o.ShipTo.Zip)
		}
		if o.Location.Lat != -23.6 || o.Location.Lon != -46.7 {
			t.Errorf("order %s location = %+v, want -23.6, -46.7", o.ID, o.Location)
		}
	}
	for _, n := range data.OrdersNear {
		if n.Order.ID == "o-erase-1" || n.Order.ID == "o-erase-2" {
			t.Errorf("ordersNear within 1 km of the erased address returns %s", n.Order.ID)
		}
	}

	resp = s.postAs(s.keys[auth.RoleAdmin], `mutation { deleteUser(id: "u-erase", erase: true) }`, nil)
	if len(resp.Errors) != 1 || resp.Errors[0].code() != "NOT_FOUND" {
		t.Errorf("second erase: errors %+v, want NOT_FOUND", resp.Errors)
	}
}
