package resolvers

import (
	"testing"
)

func TestQueryUser(t *testing.T) {
	s := newSeededServer(t)
	var data struct {
		User struct {
			ID, Name, Email, SignupAt string
			Region                    struct{ Country, State, City, Zip string }
			Location                  *struct{ Lat, Lon float64 }
			Orders                    connectionIDs
			Reviews                   connectionIDs
		}
		Missing *struct{ ID string }
	}
	s.ok(`{
		user(id: "u01") { id name email signupAt region { country state city zip } location { lat lon }
			orders(first: 5) { edges { node { id } } totalCount }
			reviews { edges { node { id } } } }
		missing: user(id: "nope") { id }
	}`, nil, &data)
	u := data.User
	if u.ID != "u01" || u.Name != "User 1" || u.Email != "u1@example.com" {
		t.Errorf("user = %+v", u)
	}
	if u.SignupAt != "2018-03-01T12:00:00Z" {
		t.Errorf("signupAt = %q, want RFC 3339 UTC 2018-03-01T12:00:00Z", u.SignupAt)
	}
	if u.Region.Country != "BR" || u.Region.State != "SP" || u.Region.City != "Sao Paulo" || u.Region.Zip != "01000" {
		t.Errorf("region = %+v", u.Region)
	}
	if u.Location == nil || u.Location.Lat != -23.55 {
		t.Errorf("location = %+v, want lat -23.55", u.Location)
	}
	if got := joinIDs(u.Orders.ids()); got != "o01-1,o01-2" {
		t.Errorf("orders = %s, want o01-1,o01-2", got)
	}
	if u.Orders.TotalCount != 2 {
		t.Errorf("orders totalCount = %d, want 2", u.Orders.TotalCount)
	}
	if len(u.Reviews.Edges) != 6 {
		t.Errorf("reviews = %v, want 6 (one per reviewed product)", u.Reviews.ids())
	}
	if data.Missing != nil {
		t.Errorf("user(id: nope) = %+v, want null", data.Missing)
	}
}

func TestQueryProduct(t *testing.T) {
	s := newSeededServer(t)
	var data struct {
		Product struct {
			ID, Title, Description, Currency, Language, CreatedAt, Price string
			Category                                                     []string
			Attributes                                                   []struct{ Key, Value string }
			AverageRating                                                *float64
			ReviewCount                                                  int
			Reviews                                                      connectionIDs
		}
		Unreviewed struct {
			AverageRating *float64
			ReviewCount   int
		}
	}
	s.ok(`{
		product(id: "p01") { id title description category price currency attributes { key value } language createdAt
			averageRating reviewCount reviews(first: 2) { edges { node { id } } pageInfo { hasNextPage } } }
		unreviewed: product(id: "p10") { averageRating reviewCount }
	}`, nil, &data)
	p := data.Product
	if p.Price != "19.90" {
		t.Errorf("price = %q, want Decimal string 19.90", p.Price)
	}
	if joinIDs(p.Category) != "electronics,phones" || p.Currency != "BRL" || p.Language != "pt" {
		t.Errorf("product = %+v", p)
	}
	if len(p.Attributes) != 2 || p.Attributes[0].Key != "brand" || p.Attributes[1].Key != "color" {
		t.Errorf("attributes = %+v, want brand then color", p.Attributes)
	}
	// Ratings of p01 are 1, 2 and 3.
	if p.AverageRating == nil || *p.AverageRating != 2 || p.ReviewCount != 3 {
		t.Errorf("averageRating = %v, reviewCount = %d, want 2 and 3", p.AverageRating, p.ReviewCount)
	}
	if got := joinIDs(p.Reviews.ids()); got != "r01-1,r01-2" || !p.Reviews.PageInfo.HasNextPage {
		t.Errorf("reviews = %s hasNext %v, want r01-1,r01-2 and a next page", got, p.Reviews.PageInfo.HasNextPage)
	}
	if data.Unreviewed.AverageRating != nil || data.Unreviewed.ReviewCount != 0 {
		t.Errorf("product without reviews = %+v, want null rating and count 0", data.Unreviewed)
	}
}

func TestQueryOrder(t *testing.T) {
	s := newSeededServer(t)
	var data struct {
		Order struct {
			ID, Status, PurchasedAt, Total, FreightTotal string
			ApprovedAt, DeliveredAt, EstimatedDeliveryAt *string
			User                                         struct{ ID string }
			ShipTo                                       struct{ Country string }
			Items                                        []struct {
				Product            struct{ ID, Title string }
				Seller             struct{ ID, Name string }
				Quantity           int
				UnitPrice, Freight string
				Category           []string
			}
			Payments []struct {
				Type         string
				Installments int
				Value        string
			}
		}
	}
	s.ok(`{ order(id: "o01-1") { id status purchasedAt approvedAt deliveredAt estimatedDeliveryAt user { id } shipTo { country }
		items { product { id title } seller { id name } quantity unitPrice freight category }
		payments { type installments value } total freightTotal } }`, nil, &data)
	o := data.Order
	if o.User.ID != "u01" || o.Status != "delivered" || o.ShipTo.Country != "BR" {
		t.Errorf("order = %+v", o)
	}
	if o.ApprovedAt == nil || *o.ApprovedAt != "2018-03-01T12:01:00Z" {
		t.Errorf("approvedAt = %v, want 2018-03-01T12:01:00Z", o.ApprovedAt)
	}
	if o.DeliveredAt != nil || o.EstimatedDeliveryAt != nil {
		t.Errorf("unknown times = %v, %v, want null", o.DeliveredAt, o.EstimatedDeliveryAt)
	}
	// Items: 2 x p01 (19.90) + 1 x p04 (49.90); freight 15.00 + 2.50.
	if o.Total != "89.70" || o.FreightTotal != "17.50" {
		t.Errorf("total = %s freightTotal = %s, want 89.70 and 17.50", o.Total, o.FreightTotal)
	}
	if len(o.Items) != 2 || o.Items[0].Product.Title != "Product 1" || o.Items[0].Seller.Name != "Seller 1" || o.Items[0].UnitPrice != "19.90" {
		t.Fatalf("items = %+v", o.Items)
	}
	if joinIDs(o.Items[0].Category) != "electronics,phones" {
		t.Errorf("item category = %v, want the product's category", o.Items[0].Category)
	}
	if len(o.Payments) != 1 || o.Payments[0].Value != "107.20" || o.Payments[0].Installments != 3 {
		t.Errorf("payments = %+v", o.Payments)
	}
}

func TestQueryReviewEventSeller(t *testing.T) {
	s := newSeededServer(t)
	var data struct {
		Reviews struct {
			Edges []struct {
				Node struct {
					ID, Title, Text, Language, CreatedAt string
					Rating                               int
					OrderID                              *string
					Product, User, Order                 struct{ ID string }
				}
			}
		}
		Event struct {
			ID, SessionID, Type, At string
			Query, ProductID        *string
			User                    struct{ ID string }
			Product                 *struct{ ID string }
			Region                  struct{ State string }
		}
		View struct {
			Type    string
			Product struct{ ID string }
			Query   *string
		}
		Seller struct {
			ID, Name string
			Region   struct{ City string }
		}
	}
	s.ok(`{
		reviews(first: 1) { edges { node { id rating title text language createdAt orderId product { id } user { id } order { id } } } }
		event(id: "e01-1") { id sessionId type query at productId user { id } product { id } region { state } }
		view: event(id: "e02-2") { type product { id } query }
		seller(id: "s2") { id name region { city } }
	}`, nil, &data)
	r := data.Reviews.Edges[0].Node
	if r.ID != "r01-1" || r.Product.ID != "p01" || r.User.ID != "u01" || r.Order.ID != "o01-1" || r.OrderID == nil {
		t.Errorf("review = %+v", r)
	}
	e := data.Event
	if e.Type != "SEARCH" || e.Query == nil || *e.Query != "phone" || e.ProductID != nil || e.Product != nil || e.User.ID != "u01" {
		t.Errorf("search event = %+v", e)
	}
	if data.View.Type != "VIEW" || data.View.Product.ID != "p02" || data.View.Query != nil {
		t.Errorf("view event = %+v", data.View)
	}
	if data.Seller.Name != "Seller 2" || data.Seller.Region.City != "Rio de Janeiro" {
		t.Errorf("seller = %+v", data.Seller)
	}
}

func TestListingFilters(t *testing.T) {
	s := newSeededServer(t)
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{"users by state", `{ c: users(filter: {region: {country: "US", state: "CA"}}, first: 3) { edges { node { id } } } }`, "u03,u06,u09"},
		{"users by signup range", `{ c: users(filter: {signedUp: {from: "2018-03-01T17:00:00Z", to: "2018-03-01T19:00:00Z"}}) { edges { node { id } } } }`, "u06,u07"},
		{"products by category subtree", `{ c: products(filter: {category: ["home"]}) { edges { node { id } } } }`, "p03,p06,p09"},
		{"products by price range", `{ c: products(filter: {price: {min: "30.99", max: "49.90"}}) { edges { node { id } } } }`, "p03,p04"},
		// Mean ratings: p01 2, p02 3, p03 4, p04 3.33, p05 2.67, p06 2.
		{"products by rating", `{ c: products(filter: {rating: {min: 3, max: 3.5}}) { edges { node { id } } } }`, "p02,p04"},
		{"products by language and time", `{ c: products(filter: {language: "pt", created: {from: "2018-03-01T12:04:00Z"}}) { edges { node { id } } } }`, "p09,p10"},
		{"orders by user", `{ c: orders(filter: {userId: "u02"}) { edges { node { id } } } }`, "o02-1,o02-2"},
		{"orders by product and status", `{ c: orders(filter: {productId: "p01", status: "shipped"}) { edges { node { id } } } }`, "o07-2,o10-2,o17-2,o20-2,o27-2,o30-2"},
		{"orders by seller in region", `{ c: orders(filter: {sellerId: "s1", region: {country: "US"}}, first: 2) { edges { node { id } } } }`, "o03-1,o03-2"},
		{"orders by category", `{ c: orders(filter: {category: ["electronics", "laptops"], purchased: {to: "2018-03-01T16:00:00Z"}}) { edges { node { id } } } }`, "o01-2,o02-1"},
		{"reviews by rating", `{ c: reviews(filter: {productId: "p02", rating: {min: 3}}) { edges { node { id } } } }`, "r02-2,r02-3"},
		{"reviews by user desc", `{ c: reviews(filter: {userId: "u03"}, first: 2, orderBy: DESC) { edges { node { id } } } }`, "r06-3,r05-3"},
		{"events by type", `{ c: events(filter: {type: VIEW, at: {to: "2018-03-01T12:02:00Z"}}) { edges { node { id } } } }`, "e01-2,e02-2"},
		{"events by user", `{ c: events(filter: {userId: "u03", sessionId: "sess2"}) { edges { node { id } } } }`, "e03-1,e03-2"},
		{"sellers by region", `{ c: sellers(filter: {region: {country: "BR"}}) { edges { node { id } } } }`, "s1,s2"},
		{"sellers desc", `{ c: sellers(orderBy: DESC) { edges { node { id } } } }`, "s3,s2,s1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var data struct{ C connectionIDs }
			s.with(t).ok(tt.query, nil, &data)
			if got := joinIDs(data.C.ids()); got != tt.want {
				t.Errorf("ids = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestTotalCount(t *testing.T) {
	s := newSeededServer(t)
	var data struct{ All, Filtered, Products connectionIDs }
	s.ok(`{
		all: users(first: 1) { totalCount edges { node { id } } }
		filtered: users(first: 1, filter: {region: {country: "BR"}}) { totalCount }
		products(first: 0, filter: {category: ["electronics"]}) { totalCount pageInfo { hasNextPage startCursor endCursor } }
	}`, nil, &data)
	if data.All.TotalCount != 30 || data.Filtered.TotalCount != 20 {
		t.Errorf("totalCount = %d and %d, want 30 and 20", data.All.TotalCount, data.Filtered.TotalCount)
	}
	p := data.Products
	if p.TotalCount != 7 || !p.PageInfo.HasNextPage || p.PageInfo.StartCursor != nil || p.PageInfo.EndCursor != nil {
		t.Errorf("empty page = %+v, want totalCount 7, hasNextPage and null cursors", p)
	}
}

func TestIntrospection(t *testing.T) {
	s := newTestServer(t)
	var data struct {
		Schema struct{ QueryType, MutationType struct{ Name string } } `json:"__schema"`
		Type   struct{ Description string }                            `json:"__type"`
	}
	s.ok(`{ __schema { queryType { name } mutationType { name } } __type(name: "Decimal") { description } }`, nil, &data)
	if data.Schema.QueryType.Name != "Query" || data.Schema.MutationType.Name != "Mutation" {
		t.Errorf("schema = %+v", data.Schema)
	}
	if data.Type.Description == "" {
		t.Error("Decimal has no description")
	}
}
