package resolvers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/shopsight/shopsight/graph/auth"
	"github.com/shopsight/shopsight/storage"
)

// listingFilterQuery lists every filtered connection with the same
// variables, so one fuzzed input reaches the filter conversion of each.
const listingFilterQuery = `query Listings($product: ProductFilter, $order: OrderFilter, $review: ReviewFilter,
  $user: UserFilter, $seller: SellerFilter, $event: EventFilter,
  $first: Int, $after: String, $orderBy: SortDirection) {
  products(filter: $product, first: $first, after: $after, orderBy: $orderBy) { pageInfo { ...page } edges { node { id price } } }
  orders(filter: $order, first: $first, after: $after, orderBy: $orderBy) { pageInfo { ...page } edges { node { id status } } }
  reviews(filter: $review, first: $first, after: $after, orderBy: $orderBy) { pageInfo { ...page } edges { node { id rating } } }
  users(filter: $user, first: $first, after: $after, orderBy: $orderBy) { pageInfo { ...page } edges { node { id } } }
  sellers(filter: $seller, first: $first, after: $after, orderBy: $orderBy) { pageInfo { ...page } edges { node { id } } }
  events(filter: $event, first: $first, after: $after, orderBy: $orderBy) { pageInfo { ...page } edges { node { id } } }
}
fragment page on PageInfo { hasNextPage endCursor }
`

// filterInput holds the fuzzed parts of the listing filters. Empty strings
// leave their field out.
type filterInput struct {
	from, to, country, state, city, category string
	priceMin, priceMax                       string
	ratingMin, ratingMax                     float64
	status, language, orderBy, after         string
	first                                    int
	// mode selects how values are sent: bit 0 puts them inline as literals
	// instead of variables, bit 1 sends number-like Decimal strings as JSON
	// numbers, bit 2 sends ratings as strings and bit 3 leaves first out.
	mode uint8
}

// decimalValue returns s as a JSON number when it is one and mode requests
// numbers, and as a string otherwise.
func (in filterInput) decimalValue(s string) any {
	if in.mode&2 != 0 && json.Valid([]byte(s)) {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return json.RawMessage(s)
		}
	}
	return s
}

// ratingValue returns v as a JSON value: a float, an int when integral
// and asInt is set, or a string when v has no JSON form or mode requests strings.
func (in filterInput) ratingValue(v float64, asInt bool) any {
	switch {
	case in.mode&4 != 0 || math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'g', -1, 64)
	case asInt && v == math.Trunc(v) && math.Abs(v) < 1<<40:
		return int64(v)
	}
	return v
}

// variables builds the GraphQL variables of listingFilterQuery.
func (in filterInput) variables() map[string]any {
	put := func(m map[string]any, key string, s string) {
		if s != "" {
			m[key] = s
		}
	}
	timeRange := map[string]any{}
	put(timeRange, "from", in.from)
	put(timeRange, "to", in.to)
	region := map[string]any{}
	put(region, "country", in.country)
	put(region, "state", in.state)
	put(region, "city", in.city)
	var category []string
	if in.category != "" {
		category = strings.Split(in.category, "/")
	}
	price := map[string]any{}
	if in.priceMin != "" {
		price["min"] = in.decimalValue(in.priceMin)
	}
	if in.priceMax != "" {
		price["max"] = in.decimalValue(in.priceMax)
	}

	product := map[string]any{
		"created": timeRange, "price": price,
		"rating": map[string]any{"min": in.ratingValue(in.ratingMin, false), "max": in.ratingValue(in.ratingMax, false)},
	}
	order := map[string]any{"purchased": timeRange, "region": region}
	review := map[string]any{
		"created": timeRange,
		"rating":  map[string]any{"min": in.ratingValue(in.ratingMin, true), "max": in.ratingValue(in.ratingMax, true)},
	}
	if category != nil {
		product["category"] = category
		order["category"] = category
	}
	put(product, "language", in.language)
	put(review, "language", in.language)
	put(order, "status", in.status)
	vars := map[string]any{
		"product": product, "order": order, "review": review,
		"user":   map[string]any{"region": region, "signedUp": timeRange},
		"seller": map[string]any{"region": region},
		"event":  map[string]any{"at": timeRange},
	}
	if in.mode&8 == 0 {
		vars["first"] = in.first
	}
	put(vars, "after", in.after)
	put(vars, "orderBy", in.orderBy)
	return vars
}

// graphQLLiteral writes v, a value built by variables, as a GraphQL input
// literal. Strings use JSON escapes, which GraphQL string literals share,
// and an order direction becomes an enum literal.
func graphQLLiteral(key string, v any) string {
	switch v := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(v))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + graphQLLiteral(k, v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []string:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = graphQLLiteral("", s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		if key == "orderBy" {
			return v
		}
		b, _ := json.Marshal(v)
		return string(b)
	case json.RawMessage:
		return string(v)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// inlineQuery returns listingFilterQuery with every variable replaced by
// its literal, and no variable definitions.
func inlineQuery(vars map[string]any) string {
	q := listingFilterQuery[strings.Index(listingFilterQuery, "{"):]
	q = "query Listings " + q
	names := []string{"product", "order", "review", "user", "seller", "event", "first", "after", "orderBy"}
	for _, name := range names {
		lit := "null"
		if v, ok := vars[name]; ok {
			lit = graphQLLiteral(name, v)
		}
		q = strings.ReplaceAll(q, "$"+name+")", lit+")")
		q = strings.ReplaceAll(q, "$"+name+",", lit+",")
	}
	return q
}

// FuzzListingFilters sends fuzzed filter, page and order arguments of every
// listing through the real handler and checks that the response is a
// well-formed client error or success, never a panic or an internal error.
func FuzzListingFilters(f *testing.F) {
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := openMemoryStore(f, storage.DefaultOptions(""))
	seed(f, store)
	h, err := NewHandler(store, DefaultOptions().WithLogger(discard))
	if err != nil {
		f.Fatalf("NewHandler: %v", err)
	}
	handler := auth.Open(h)
	// The seeds are in testdata/fuzz/FuzzListingFilters.
	f.Fuzz(func(t *testing.T, from, to, country, state, city, category, priceMin, priceMax string,
		ratingMin, ratingMax float64, status, language, orderBy string, first int, after string, mode uint8) {
		in := filterInput{from: from, to: to, country: country, state: state, city: city, category: category,
			priceMin: priceMin, priceMax: priceMax, ratingMin: ratingMin, ratingMax: ratingMax,
			status: status, language: language, orderBy: orderBy, after: after, first: first, mode: mode}
		vars := in.variables()
		body := map[string]any{"query": listingFilterQuery, "variables": vars}
		if mode&1 != 0 {
			body = map[string]any{"query": inlineQuery(vars)}
		}
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("encode request %v: %v", body, err)
		}

		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)

		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusUnprocessableEntity:
		default:
			t.Fatalf("status %d, want 200, 400 or 422\nrequest: %s\nresponse: %s", rec.Code, raw, rec.Body)
		}
		var resp struct {
			Data   json.RawMessage `json:"data"`
			Errors []gqlError      `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("response is not JSON: %v\nrequest: %s\nresponse: %s", err, raw, rec.Body)
		}
		if rec.Code != http.StatusOK && len(resp.Errors) == 0 {
			t.Fatalf("status %d without errors\nrequest: %s\nresponse: %s", rec.Code, raw, rec.Body)
		}
		for _, e := range resp.Errors {
			switch e.code() {
			case "INTERNAL":
				t.Fatalf("internal error %q\nrequest: %s", e.Message, raw)
			case "":
				t.Fatalf("error %q has no extensions.code\nrequest: %s", e.Message, raw)
			}
		}
		if len(resp.Errors) == 0 && !bytes.Contains(resp.Data, []byte(`"products"`)) {
			t.Fatalf("success without data: %s\nrequest: %s", rec.Body, raw)
		}
	})
}

// TestListingFiltersReachResolvers checks that a valid filter input
// succeeds in each mode of filterInput, so that FuzzListingFilters can get
// past validation to the filter conversion and the store.
func TestListingFiltersReachResolvers(t *testing.T) {
	s := newSeededServer(t)
	in := filterInput{from: "2018-03-01T00:00:00Z", to: "2018-04-01T00:00:00Z", country: "BR", state: "SP",
		category: "electronics", priceMin: "10.00", priceMax: "99.99", ratingMin: 1, ratingMax: 5,
		status: "delivered", language: "pt", orderBy: "ASC", first: 5}
	for _, mode := range []uint8{0, 1, 2, 3} {
		t.Run(fmt.Sprintf("mode %d", mode), func(t *testing.T) {
			in.mode = mode
			vars := in.variables()
			var resp gqlResponse
			if mode&1 != 0 {
				resp = s.with(t).post(inlineQuery(vars), nil)
			} else {
				resp = s.with(t).post(listingFilterQuery, vars)
			}
			if resp.Status != http.StatusOK || len(resp.Errors) > 0 {
				t.Fatalf("status %d, errors %+v", resp.Status, resp.Errors)
			}
			var data map[string]connectionIDs
			if err := json.Unmarshal(resp.Data, &data); err != nil {
				t.Fatal(err)
			}
			if len(data["orders"].Edges) == 0 {
				t.Errorf("orders filter matched nothing: %s", resp.Data)
			}
		})
	}
}
