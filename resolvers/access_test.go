package resolvers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/graph/auth"
	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/analytics"
)

// keyedServer serves the GraphQL handler behind the real API key
// middleware, with one key per role.
type keyedServer struct {
	t     *testing.T
	store *storage.Store
	url   string
	keys  map[auth.Role]string
}

// newKeyedServer seeds a store (see seed), adds the records of
// seedPersonalData and serves it behind auth.Handler.
func newKeyedServer(t *testing.T, configure ...func(Options) Options) *keyedServer {
	t.Helper()
	store := openMemoryStore(t, storage.DefaultOptions(""))
	seed(t, store)
	seedPersonalData(t, store)
	return serveKeyed(t, store, configure...)
}

func serveKeyed(t *testing.T, store *storage.Store, configure ...func(Options) Options) *keyedServer {
	t.Helper()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts := DefaultOptions().WithLogger(discard)
	for _, c := range configure {
		opts = c(opts)
	}
	h, err := NewHandler(store, opts)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	keys := auth.NewKeys(store)
	srv := httptest.NewServer(auth.Handler(keys, discard, h))
	t.Cleanup(srv.Close)
	s := &keyedServer{t: t, store: store, url: srv.URL, keys: map[auth.Role]string{}}
	for _, role := range []auth.Role{auth.RoleViewer, auth.RoleAnalyst, auth.RoleAdmin} {
		plain, _, err := keys.Create(context.Background(), "test "+role.String(), role)
		if err != nil {
			t.Fatalf("create %s key: %v", role, err)
		}
		s.keys[role] = plain
	}
	return s
}

// postAs sends query with the bearer token key.
func (s *keyedServer) postAs(key, query string, vars map[string]any) gqlResponse {
	s.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		s.t.Fatalf("encode request: %v", err)
	}
	req, err := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("POST: %v", err)
	}
	return decodeResponse(s.t, res)
}

// okAs sends query with role's key, fails on any error and decodes the
// data into out.
func (s *keyedServer) okAs(role auth.Role, query string, vars map[string]any, out any) {
	s.t.Helper()
	resp := s.postAs(s.keys[role], query, vars)
	if len(resp.Errors) > 0 {
		s.t.Fatalf("query as %s failed: %+v\nquery: %s", role, resp.Errors, query)
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		s.t.Fatalf("decode data %s: %v", resp.Data, err)
	}
}

// Personal data of user u01 and its order o-pii, with values that masking
// must change.
var (
	piiLocation = storage.GeoPoint{Lat: -23.5617, Lon: -46.6559}
	piiZip      = "01310-100"
)

// seedPersonalData gives u01 an exact location and zip, and adds a
// delivered order of u01 with that location.
func seedPersonalData(t *testing.T, store *storage.Store) {
	t.Helper()
	ctx := context.Background()
	u, err := store.User(ctx, "u01")
	if err != nil {
		t.Fatal(err)
	}
	loc := piiLocation
	u.Name, u.Email, u.Location, u.Region.Zip = "Ana Souza", "ana.souza@example.com", &loc, piiZip
	if err := store.PutUsers(ctx, []storage.User{u}); err != nil {
		t.Fatal(err)
	}
	order := storage.Order{ID: "o-pii", UserID: "u01", Status: storage.OrderDelivered,
		PurchasedAt: base, DeliveredAt: base.Add(72 * time.Hour), ShipTo: u.Region, Location: &loc,
		Items:    []storage.OrderItem{{ProductID: "p01", SellerID: "s1", Quantity: 1, UnitPrice: 1990}},
		Payments: []storage.Payment{{Type: "credit_card", Installments: 1, Value: 1990}}}
	if err := store.PutOrders(ctx, []storage.Order{order}); err != nil {
		t.Fatal(err)
	}
	events := []storage.Event{{ID: "e-pii", UserID: "u01", SessionID: "sess-pii", Type: storage.EventView, ProductID: "p01",
		At: base, Region: u.Region}}
	if err := store.PutEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
}

// errorsAt returns the errors whose path starts with path.
func errorsAt(resp gqlResponse, path ...any) []gqlError {
	var out []gqlError
	for _, e := range resp.Errors {
		if len(e.Path) >= len(path) && slices.Equal(e.Path[:len(path)], path) {
			out = append(out, e)
		}
	}
	return out
}

func TestFieldRoles(t *testing.T) {
	s := newKeyedServer(t)
	cases := []struct {
		query    string
		path     []any
		required auth.Role
	}{
		{`{ products(first: 1) { totalCount } }`, []any{"products"}, auth.RoleViewer},
		{`{ product(id: "p01") { id reviews(first: 1) { totalCount } } }`, []any{"product"}, auth.RoleViewer},
		{`{ sellers(first: 1) { totalCount } }`, []any{"sellers"}, auth.RoleViewer},
		{`{ seller(id: "s1") { id location { lat } } }`, []any{"seller"}, auth.RoleViewer},
		{`{ reviews(first: 1) { totalCount } }`, []any{"reviews"}, auth.RoleViewer},
		{`{ search(query: "phone") { totalCount } }`, []any{"search"}, auth.RoleViewer},
		{`{ similarProducts(id: "p01") { score } }`, []any{"similarProducts"}, auth.RoleViewer},
		{`{ searchReviews(query: "text") { totalCount } }`, []any{"searchReviews"}, auth.RoleViewer},
		{`{ metrics(measures: [ORDERS], dimensions: [STATE]) { truncated } }`, []any{"metrics"}, auth.RoleViewer},
		{`{ geoHeatmap(by: STATE) { key } }`, []any{"geoHeatmap"}, auth.RoleViewer},
		{`{ geoHeatmap(precision: 5) { key } }`, []any{"geoHeatmap"}, auth.RoleViewer},
		{`{ geoHeatmap(precision: 6) { key } }`, []any{"geoHeatmap"}, auth.RoleAdmin},
		{`{ funnel(steps: [SEARCH, VIEW]) { time } }`, []any{"funnel"}, auth.RoleViewer},
		{`{ cohorts { users } }`, []any{"cohorts"}, auth.RoleViewer},
		{`{ timeSeries(metric: UNITS, groupBy: ALL, granularity: DAY) { id } }`, []any{"timeSeries"}, auth.RoleViewer},

		{`{ users(first: 1) { totalCount } }`, []any{"users"}, auth.RoleAnalyst},
		{`{ user(id: "u01") { id } }`, []any{"user"}, auth.RoleAnalyst},
		{`{ orders(first: 1) { totalCount } }`, []any{"orders"}, auth.RoleAnalyst},
		{`{ order(id: "o01-1") { id } }`, []any{"order"}, auth.RoleAnalyst},
		{`{ events(first: 1) { totalCount } }`, []any{"events"}, auth.RoleAnalyst},
		{`{ event(id: "e01-1") { id } }`, []any{"event"}, auth.RoleAnalyst},
		{`{ ordersNear(lat: -23.56, lon: -46.65, radiusKm: 5) { distanceKm } }`, []any{"ordersNear"}, auth.RoleAnalyst},
		{`{ reviews(first: 1) { edges { node { user { id } } } } }`, []any{"reviews", "edges", float64(0), "node", "user"}, auth.RoleAnalyst},
		{`{ reviews(first: 1) { edges { node { order { id } } } } }`, []any{"reviews", "edges", float64(0), "node", "order"}, auth.RoleAnalyst},
		{`{ forecast(metric: UNITS, groupBy: ALL, granularity: DAY, horizon: 3) { model } }`, []any{"forecast"}, auth.RoleAnalyst},
		{`{ anomalies(metric: UNITS, groupBy: ALL, granularity: DAY) { score } }`, []any{"anomalies"}, auth.RoleAnalyst},
		{`{ watchedAnomalies { timeZone } }`, []any{"watchedAnomalies"}, auth.RoleAnalyst},
		{`{ recommendations(userId: "u01") { score } }`, []any{"recommendations"}, auth.RoleAnalyst},
		{`{ trending { score } }`, []any{"trending"}, auth.RoleAnalyst},
		{`{ frequentlyBoughtTogether(productId: "p01") { score } }`, []any{"frequentlyBoughtTogether"}, auth.RoleAnalyst},

		{`{ recommendationStatus { running } }`, []any{"recommendationStatus"}, auth.RoleAdmin},
		{`{ apiKeys { id } }`, []any{"apiKeys"}, auth.RoleAdmin},
		{`mutation { trainRecommendations { running } }`, []any{"trainRecommendations"}, auth.RoleAdmin},
		{`mutation { createApiKey(name: "matrix", role: VIEWER) { id } }`, []any{"createApiKey"}, auth.RoleAdmin},
		{`mutation { revokeApiKey(id: "0000000000000000") { id } }`, []any{"revokeApiKey"}, auth.RoleAdmin},
		{`mutation { createProduct(input: {id: "p-new", title: "New", price: "1.00"}) { id } }`, []any{"createProduct"}, auth.RoleAdmin},
		{`mutation { updateProduct(id: "missing", input: {title: "T"}) { id } }`, []any{"updateProduct"}, auth.RoleAdmin},
		{`mutation { deleteProduct(id: "missing") }`, []any{"deleteProduct"}, auth.RoleAdmin},
		{`mutation { createUser(input: {id: "u-new", name: "New"}) { id } }`, []any{"createUser"}, auth.RoleAdmin},
		{`mutation { updateUser(id: "missing", input: {name: "N"}) { id } }`, []any{"updateUser"}, auth.RoleAdmin},
		{`mutation { deleteUser(id: "missing") }`, []any{"deleteUser"}, auth.RoleAdmin},
		{`mutation { deleteUser(id: "missing", erase: true) }`, []any{"deleteUser"}, auth.RoleAdmin},
		{`mutation { createReview(input: {id: "r-new", productId: "p01", userId: "u01", rating: 5}) { id } }`, []any{"createReview"}, auth.RoleAdmin},
		{`mutation { updateReview(id: "missing", input: {rating: 3}) { id } }`, []any{"updateReview"}, auth.RoleAdmin},
		{`mutation { deleteReview(id: "missing") }`, []any{"deleteReview"}, auth.RoleAdmin},
	}
	for _, role := range []auth.Role{auth.RoleViewer, auth.RoleAnalyst, auth.RoleAdmin} {
		for _, c := range cases {
			resp := s.postAs(s.keys[role], c.query, nil)
			errs := errorsAt(resp, c.path...)
			forbidden := slices.IndexFunc(errs, func(e gqlError) bool { return e.code() == "FORBIDDEN" }) >= 0
			if role.Includes(c.required) {
				if forbidden {
					t.Errorf("%s: %s got FORBIDDEN, want it allowed (role %s): %+v", role, c.query, c.required, errs)
				}
				continue
			}
			if len(errs) != 1 || !forbidden {
				t.Errorf("%s: %s errors at %v = %+v, want one FORBIDDEN", role, c.query, c.path, errs)
				continue
			}
			if got := errs[0].Extensions["role"]; got != role.String() {
				t.Errorf("%s: %s extensions.role = %v, want %s", role, c.query, got, role)
			}
			if got := errs[0].Extensions["requiredRole"]; got != c.required.String() {
				t.Errorf("%s: %s extensions.requiredRole = %v, want %s", role, c.query, got, c.required)
			}
		}
	}
}

func TestForbiddenFieldKeepsOthers(t *testing.T) {
	s := newKeyedServer(t)
	resp := s.postAs(s.keys[auth.RoleViewer], `{ products(first: 1) { totalCount } users(first: 1) { totalCount } }`, nil)
	if resp.Status != http.StatusOK {
		t.Errorf("status = %d, want 200", resp.Status)
	}
	var data struct {
		Products *struct{ TotalCount int }
		Users    *struct{ TotalCount int }
	}
	if err := json.Unmarshal(resp.Data, &data); err != nil {
		t.Fatalf("decode data %s: %v", resp.Data, err)
	}
	if data.Products == nil || data.Products.TotalCount != 10 {
		t.Errorf("products = %+v, want totalCount 10", data.Products)
	}
	if data.Users != nil {
		t.Errorf("users = %+v, want null", data.Users)
	}
	if len(resp.Errors) != 1 || resp.Errors[0].code() != "FORBIDDEN" {
		t.Fatalf("errors = %+v, want one FORBIDDEN", resp.Errors)
	}
	if !slices.Equal(resp.Errors[0].Path, []any{"users"}) {
		t.Errorf("error path = %v, want [users]", resp.Errors[0].Path)
	}
}

func TestNoKeyIsUnauthenticated(t *testing.T) {
	s := newKeyedServer(t)
	resp := s.postAs("ss_0000000000000000.00000000000000000000000000000000", `{ products(first: 1) { totalCount } }`, nil)
	if resp.Status != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401", resp.Status)
	}
}

// piiData is the personal data of u01 as the API returns it.
type piiData struct {
	User struct {
		Name     string
		Email    string
		Location struct{ Lat, Lon float64 }
		Region   struct{ Zip string }
	}
	Order struct {
		ShipTo   struct{ Zip string }
		Location struct{ Lat, Lon float64 }
	}
	Events struct {
		Edges []struct {
			Node struct{ Region struct{ Zip string } }
		}
	}
	OrdersNear []struct {
		Order      struct{ ID string }
		DistanceKm float64
	}
}

const piiQuery = `{
	user(id: "u01") { name email location { lat lon } region { zip } }
	order(id: "o-pii") { shipTo { zip } location { lat lon } }
	events(filter: {userId: "u01", sessionId: "sess-pii"}) { edges { node { region { zip } } } }
	ordersNear(lat: -23.56, lon: -46.65, radiusKm: 10) { order { id } distanceKm }
}`

func TestPersonalDataMasking(t *testing.T) {
	s := newKeyedServer(t)
	coarse := storage.CoarsenPoint(&piiLocation)
	tests := []struct {
		role                     auth.Role
		name, email, zip         string
		lat, lon                 float64
		distanceFromLat, fromLon float64
	}{
		{auth.RoleAnalyst, "A. S.", "a***@example.com", "01***", coarse.Lat, coarse.Lon, coarse.Lat, coarse.Lon},
		{auth.RoleAdmin, "Ana Souza", "ana.souza@example.com", piiZip, piiLocation.Lat, piiLocation.Lon, piiLocation.Lat, piiLocation.Lon},
	}
	for _, tt := range tests {
		t.Run(tt.role.String(), func(t *testing.T) {
			var got piiData
			s.t = t
			s.okAs(tt.role, piiQuery, nil, &got)
			if got.User.Name != tt.name {
				t.Errorf("user name = %q, want %q", got.User.Name, tt.name)
			}
			if got.User.Email != tt.email {
				t.Errorf("user email = %q, want %q", got.User.Email, tt.email)
			}
			if got.User.Region.Zip != tt.zip {
				t.Errorf("user zip = %q, want %q", got.User.Region.Zip, tt.zip)
			}
			if got.User.Location.Lat != tt.lat || got.User.Location.Lon != tt.lon {
				t.Errorf("user location = %+v, want %v, %v", got.User.Location, tt.lat, tt.lon)
			}
			if got.Order.ShipTo.Zip != tt.zip {
				t.Errorf("order zip = %q, want %q", got.Order.ShipTo.Zip, tt.zip)
			}
			if got.Order.Location.Lat != tt.lat || got.Order.Location.Lon != tt.lon {
				t.Errorf("order location = %+v, want %v, %v", got.Order.Location, tt.lat, tt.lon)
			}
			if len(got.Events.Edges) != 1 || got.Events.Edges[0].Node.Region.Zip != tt.zip {
				t.Errorf("event zips = %+v, want one %q", got.Events.Edges, tt.zip)
			}
			if len(got.OrdersNear) != 1 || got.OrdersNear[0].Order.ID != "o-pii" {
				t.Fatalf("ordersNear = %+v, want o-pii", got.OrdersNear)
			}
			want := analytics.HaversineKm(-23.56, -46.65, tt.distanceFromLat, tt.fromLon)
			if d := got.OrdersNear[0].DistanceKm; d < want-0.06 || d > want+0.06 {
				t.Errorf("ordersNear distanceKm = %v, want %.2f (from the location the role sees)", d, want)
			}
		})
	}
}

func TestMaskHelpers(t *testing.T) {
	tests := []struct {
		fn       func(string) string
		in, want string
	}{
		{maskName, "Ana Souza", "A. S."},
		{maskName, "jean-luc  picard", "J. L. P."},
		{maskName, "Ágata", "Á."},
		{maskName, "", ""},
		{maskEmail, "ana@example.com", "a***@example.com"},
		{maskEmail, "no-at-sign", "***"},
		{maskEmail, "@example.com", "***"},
		{maskEmail, "", ""},
		{maskZip, "01310-100", "01***"},
		{maskZip, "9", "9***"},
		{maskZip, "", ""},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAPIKeyLifecycle(t *testing.T) {
	s := newKeyedServer(t)
	var created struct {
		CreateAPIKey struct {
			Key, ID, Name, Role string
		} `json:"createApiKey"`
	}
	s.okAs(auth.RoleAdmin, `mutation { createApiKey(name: "dashboard", role: ANALYST) { key id name role } }`, nil, &created)
	k := created.CreateAPIKey
	if k.Role != "ANALYST" || k.Name != "dashboard" || !strings.HasPrefix(k.Key, "ss_"+k.ID+"_") {
		t.Fatalf("createApiKey = %+v, want an ANALYST key named dashboard whose plaintext starts with ss_<id>_", k)
	}

	resp := s.postAs(k.Key, `{ users(first: 1) { totalCount } }`, nil)
	if len(resp.Errors) > 0 {
		t.Fatalf("users with the new analyst key: %+v", resp.Errors)
	}

	var listed struct {
		APIKeys []struct {
			ID, Role string
			Revoked  bool
		} `json:"apiKeys"`
	}
	s.okAs(auth.RoleAdmin, `{ apiKeys { id role revoked } }`, nil, &listed)
	i := slices.IndexFunc(listed.APIKeys, func(x struct {
		ID, Role string
		Revoked  bool
	}) bool {
		return x.ID == k.ID
	})
	if i < 0 || listed.APIKeys[i].Role != "ANALYST" || listed.APIKeys[i].Revoked {
		t.Errorf("apiKeys = %+v, want %s as an active ANALYST key", listed.APIKeys, k.ID)
	}

	var revoked struct {
		RevokeAPIKey struct {
			Revoked   bool
			RevokedAt *string
		} `json:"revokeApiKey"`
	}
	s.okAs(auth.RoleAdmin, `mutation($id: ID!) { revokeApiKey(id: $id) { revoked revokedAt } }`, map[string]any{"id": k.ID}, &revoked)
	if !revoked.RevokeAPIKey.Revoked || revoked.RevokeAPIKey.RevokedAt == nil {
		t.Errorf("revokeApiKey = %+v, want revoked with a time", revoked.RevokeAPIKey)
	}

	resp = s.postAs(k.Key, `{ products(first: 1) { totalCount } }`, nil)
	if resp.Status != http.StatusUnauthorized {
		t.Errorf("request with the revoked key: status %d, want 401", resp.Status)
	}
	if len(resp.Errors) != 1 || resp.Errors[0].code() != "UNAUTHENTICATED" {
		t.Errorf("request with the revoked key: errors %+v, want UNAUTHENTICATED", resp.Errors)
	}

	resp = s.postAs(s.keys[auth.RoleAdmin], `mutation { revokeApiKey(id: "0123456789abcdef") { id } }`, nil)
	if len(resp.Errors) != 1 || resp.Errors[0].code() != "NOT_FOUND" {
		t.Errorf("revoke unknown id: errors %+v, want NOT_FOUND", resp.Errors)
	}
	resp = s.postAs(s.keys[auth.RoleAdmin], `mutation { createApiKey(name: " ", role: VIEWER) { id } }`, nil)
	if len(resp.Errors) != 1 || resp.Errors[0].code() != "BAD_USER_INPUT" || resp.Errors[0].field() != "name" {
		t.Errorf("blank key name: errors %+v, want BAD_USER_INPUT on name", resp.Errors)
	}
}

func TestOrdersNearMaskedRadius(t *testing.T) {
	s := newKeyedServer(t)
	s.t = t
	// A tiny radius around the exact location must not find the order
	// below admin, because the search uses the rounded location (-23.6,
	// -46.7), about 5 km away.
	query := fmt.Sprintf(`{ ordersNear(lat: %v, lon: %v, radiusKm: 0.01) { order { id } distanceKm } }`, piiLocation.Lat, piiLocation.Lon)
	var got struct {
		OrdersNear []struct {
			Order      struct{ ID string }
			DistanceKm float64
		}
	}
	s.okAs(auth.RoleAnalyst, query, nil, &got)
	if len(got.OrdersNear) != 0 {
		t.Errorf("analyst ordersNear at the exact location, radius 0.01 km = %+v, want none", got.OrdersNear)
	}
	s.okAs(auth.RoleAdmin, query, nil, &got)
	if len(got.OrdersNear) != 1 {
		t.Errorf("admin ordersNear at the exact location = %+v, want o-pii", got.OrdersNear)
	}
	coarse := storage.CoarsenPoint(&piiLocation)
	query = fmt.Sprintf(`{ ordersNear(lat: %v, lon: %v, radiusKm: 0.01) { order { id } distanceKm } }`, coarse.Lat, coarse.Lon)
	s.okAs(auth.RoleAnalyst, query, nil, &got)
	if len(got.OrdersNear) != 1 || got.OrdersNear[0].DistanceKm != 0 {
		t.Errorf("analyst ordersNear at the rounded location = %+v, want o-pii at 0 km", got.OrdersNear)
	}
}
