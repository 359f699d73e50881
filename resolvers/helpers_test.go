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
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopsight/shopsight/graph/auth"
	"github.com/shopsight/shopsight/storage"
)

// testServer is a real HTTP server over an in-memory Badger store.
type testServer struct {
	t     *testing.T
	store *storage.Store
	url   string
	rec   *statsRecorder
}

// statsRecorder keeps what OnOperation reported.
type statsRecorder struct {
	mu    sync.Mutex
	stats []OperationStats
}

// with returns s reporting failures to t, for use in subtests.
func (s *testServer) with(t *testing.T) *testServer {
	return &testServer{t: t, store: s.store, url: s.url, rec: s.rec}
}

func newTestServer(t *testing.T, configure ...func(Options) Options) *testServer {
	t.Helper()
	return serveStore(t, openMemoryStore(t, storage.DefaultOptions("")), configure...)
}

// openMemoryStore opens an in-memory store with opts and closes it when the
// test ends.
func openMemoryStore(t testing.TB, opts storage.Options) *storage.Store {
	t.Helper()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := storage.Open(opts.WithInMemory(true).WithLogger(discard))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// serveStore starts a GraphQL test server over store.
func serveStore(t *testing.T, store *storage.Store, configure ...func(Options) Options) *testServer {
	t.Helper()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	ts := &testServer{t: t, store: store, rec: &statsRecorder{}}
	// A longer loader wait than the default keeps batches whole on a busy
	// test machine, where the N+1 test would otherwise flake.
	opts := DefaultOptions().WithLogger(discard).WithLoaderWait(10 * time.Millisecond).
		WithOnOperation(func(_ context.Context, s OperationStats) {
			ts.rec.mu.Lock()
			ts.rec.stats = append(ts.rec.stats, s)
			ts.rec.mu.Unlock()
		})
	for _, c := range configure {
		opts = c(opts)
	}
	h, err := NewHandler(store, opts)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	// auth.Open gives every request role admin, as the demo does. The
	// access tests put the key middleware in front instead.
	srv := httptest.NewServer(auth.Open(h))
	t.Cleanup(srv.Close)
	ts.url = srv.URL
	return ts
}

// gqlError is one error of a GraphQL response.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) code() string  { s, _ := e.Extensions["code"].(string); return s }
func (e gqlError) field() string { s, _ := e.Extensions["field"].(string); return s }

// gqlResponse is a decoded GraphQL HTTP response.
type gqlResponse struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

func decodeResponse(t *testing.T, res *http.Response) gqlResponse {
	t.Helper()
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	var out gqlResponse
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decode response %q: %v", body, err)
	}
	out.Status = res.StatusCode
	return out
}

// post sends a GraphQL document with variables as a JSON POST.
func (s *testServer) post(query string, vars map[string]any) gqlResponse {
	s.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		s.t.Fatalf("encode request: %v", err)
	}
	return s.postRaw("application/json", body)
}

func (s *testServer) postRaw(contentType string, body []byte) gqlResponse {
	s.t.Helper()
	res, err := http.Post(s.url, contentType, bytes.NewReader(body))
	if err != nil {
		s.t.Fatalf("POST: %v", err)
	}
	return decodeResponse(s.t, res)
}

// get sends a GraphQL document as URL parameters.
func (s *testServer) get(query string, vars map[string]any) gqlResponse {
	s.t.Helper()
	params := url.Values{"query": {query}}
	if vars != nil {
		b, _ := json.Marshal(vars)
		params.Set("variables", string(b))
	}
	res, err := http.Get(s.url + "?" + params.Encode())
	if err != nil {
		s.t.Fatalf("GET: %v", err)
	}
	return decodeResponse(s.t, res)
}

// ok sends query by POST, fails the test on any error and decodes the data
// into out.
func (s *testServer) ok(query string, vars map[string]any, out any) {
	s.t.Helper()
	resp := s.post(query, vars)
	if len(resp.Errors) > 0 {
		s.t.Fatalf("query failed: %+v\nquery: %s", resp.Errors, query)
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		s.t.Fatalf("decode data %s: %v", resp.Data, err)
	}
}

// fail sends query by POST and returns its only error, failing the test
// when there is not exactly one.
func (s *testServer) fail(query string, vars map[string]any) gqlError {
	s.t.Helper()
	resp := s.post(query, vars)
	if len(resp.Errors) != 1 {
		s.t.Fatalf("got %d errors, want 1: %+v\ndata: %s\nquery: %s", len(resp.Errors), resp.Errors, resp.Data, query)
	}
	return resp.Errors[0]
}

func (s *testServer) lastStats() OperationStats {
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	if len(s.rec.stats) == 0 {
		s.t.Fatal("OnOperation was never called")
	}
	return s.rec.stats[len(s.rec.stats)-1]
}

// base is the time of the first seeded record.
var base = time.Date(2018, 3, 1, 12, 0, 0, 0, time.UTC)

// seed writes a small catalog: 3 sellers, 30 users (u01 to u05 share one
// signup time), 10 products in two category trees, 2 orders per user, 3
// reviews on each of the first 6 products and 2 events per user for the
// first 10 users.
func seed(t testing.TB, store *storage.Store) {
	t.Helper()
	ctx := context.Background()
	regions := []storage.Region{
		{Country: "BR", State: "SP", City: "Sao Paulo", Zip: "01000"},
		{Country: "BR", State: "RJ", City: "Rio de Janeiro", Zip: "20000"},
		{Country: "US", State: "CA", City: "San Francisco", Zip: "94103"},
	}
	sellers := make([]storage.Seller, 3)
	for i := range sellers {
		sellers[i] = storage.Seller{ID: fmt.Sprintf("s%d", i+1), Name: fmt.Sprintf("Seller %d", i+1), Region: regions[i]}
	}
	users := make([]storage.User, 30)
	for i := range users {
		signup := base.Add(time.Duration(i) * time.Hour)
		if i < 5 {
			signup = base
		}
		users[i] = storage.User{
			ID: fmt.Sprintf("u%02d", i+1), Name: fmt.Sprintf("User %d", i+1), Email: fmt.Sprintf("u%d@example.com", i+1),
			Region: regions[i%3], SignupAt: signup,
		}
	}
	users[0].Location = &storage.GeoPoint{Lat: -23.55, Lon: -46.63}
	categories := [][]string{{"electronics", "phones"}, {"electronics", "laptops"}, {"home", "kitchen"}}
	products := make([]storage.Product, 10)
	for i := range products {
		products[i] = storage.Product{
			ID: fmt.Sprintf("p%02d", i+1), Title: fmt.Sprintf("Product %d", i+1), Description: "A product",
			Category: categories[i%3], Price: storage.Money(1000*(i+1) + 990), Currency: "BRL",
			Attributes: map[string]string{"color": "black", "brand": "Acme"}, Language: "pt",
			CreatedAt: base.Add(time.Duration(i/2) * time.Minute), // pairs tie on time
		}
	}
	var orders []storage.Order
	for i, u := range users {
		for j := 0; j < 2; j++ {
			p1, p2 := products[(i+j)%10], products[(i+j+3)%10]
			orders = append(orders, storage.Order{
				ID: fmt.Sprintf("o%02d-%d", i+1, j+1), UserID: u.ID, Status: []string{storage.OrderDelivered, storage.OrderShipped}[j],
				PurchasedAt: base.Add(time.Duration(i*2+j) * time.Hour), ApprovedAt: base.Add(time.Duration(i*2+j)*time.Hour + time.Minute),
				ShipTo: u.Region,
				Items: []storage.OrderItem{
					{ProductID: p1.ID, SellerID: sellers[i%3].ID, Quantity: 2, UnitPrice: p1.Price, Freight: 1500},
					{ProductID: p2.ID, SellerID: sellers[(i+1)%3].ID, Quantity: 1, UnitPrice: p2.Price, Freight: 250},
				},
				Payments: []storage.Payment{{Type: "credit_card", Installments: 3, Value: 2*p1.Price + p2.Price + 1750}},
			})
		}
	}
	var reviews []storage.Review
	for i := 0; i < 6; i++ {
		for j := 0; j < 3; j++ {
			reviews = append(reviews, storage.Review{
				ID: fmt.Sprintf("r%02d-%d", i+1, j+1), ProductID: products[i].ID, UserID: users[j].ID, OrderID: orders[j*2].ID,
				Rating: int32(1 + (i+j)%5), Title: "Review", Text: "Text", Language: "pt",
				CreatedAt: base.Add(time.Duration(i*3+j) * time.Minute),
			})
		}
	}
	var events []storage.Event
	for i := 0; i < 10; i++ {
		events = append(events,
			storage.Event{ID: fmt.Sprintf("e%02d-1", i+1), UserID: users[i].ID, SessionID: fmt.Sprintf("sess%d", i), Type: storage.EventSearch,
				Query: "phone", At: base.Add(time.Duration(i) * time.Minute), Region: users[i].Region},
			storage.Event{ID: fmt.Sprintf("e%02d-2", i+1), UserID: users[i].ID, SessionID: fmt.Sprintf("sess%d", i), Type: storage.EventView,
				ProductID: products[i].ID, At: base.Add(time.Duration(i)*time.Minute + time.Second), Region: users[i].Region},
		)
	}
	steps := []struct {
		name string
		put  func() error
	}{
		{"sellers", func() error { return store.PutSellers(ctx, sellers) }},
		{"users", func() error { return store.PutUsers(ctx, users) }},
		{"products", func() error { return store.PutProducts(ctx, products) }},
		{"orders", func() error { return store.PutOrders(ctx, orders) }},
		{"reviews", func() error { return store.PutReviews(ctx, reviews) }},
		{"events", func() error { return store.PutEvents(ctx, events) }},
	}
	for _, s := range steps {
		if err := s.put(); err != nil {
			t.Fatalf("seed %s: %v", s.name, err)
		}
	}
}

func newSeededServer(t *testing.T, configure ...func(Options) Options) *testServer {
	t.Helper()
	s := newTestServer(t, configure...)
	seed(t, s.store)
	return s
}

// ids returns the node ids of a connection decoded into connectionIDs.
type connectionIDs struct {
	Edges []struct {
		Cursor string `json:"cursor"`
		Node   struct {
			ID string `json:"id"`
		} `json:"node"`
	} `json:"edges"`
	PageInfo struct {
		HasNextPage     bool    `json:"hasNextPage"`
		HasPreviousPage bool    `json:"hasPreviousPage"`
		StartCursor     *string `json:"startCursor"`
		EndCursor       *string `json:"endCursor"`
	} `json:"pageInfo"`
	TotalCount int `json:"totalCount"`
}

func (c connectionIDs) ids() []string {
	out := make([]string, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node.ID
	}
	return out
}

func joinIDs(ids []string) string { return strings.Join(ids, ",") }
