package resolvers

import (
	"strings"
	"testing"
)

func TestBadInputErrors(t *testing.T) {
	s := newSeededServer(t)
	tests := []struct {
		name    string
		query   string
		vars    map[string]any
		code    string
		field   string
		message string // a substring of the message
	}{
		{"malformed query", `{ users { edges `, nil, "GRAPHQL_PARSE_FAILED", "", "Expected Name"},
		{"unknown field", `{ users { nodes { id } } }`, nil, "GRAPHQL_VALIDATION_FAILED", "", `Cannot query field "nodes"`},
		{"wrong argument type", `{ users(first: "ten") { totalCount } }`, nil, "GRAPHQL_VALIDATION_FAILED", "", "Int"},
		{"wrong variable type", `query($n: Int) { users(first: $n) { totalCount } }`, map[string]any{"n": "ten"}, "GRAPHQL_VALIDATION_FAILED", "", "Int"},
		{"bad cursor", `{ users(after: "not-a-cursor") { totalCount } }`, nil, "BAD_USER_INPUT", "after", "invalid cursor"},
		{"bad nested cursor", `{ user(id: "u01") { reviews(after: "not-a-cursor") { totalCount } } }`, nil, "BAD_USER_INPUT", "after", "invalid cursor"},
		{"cursor with NUL id", `{ orders(after: "AQAAAAAAAAAAAA") { totalCount } }`, nil, "BAD_USER_INPUT", "after", "invalid cursor"},
		{"negative first", `{ users(first: -1) { totalCount } }`, nil, "BAD_USER_INPUT", "first", "invalid first -1"},
		{"bad decimal in filter", `{ products(filter: {price: {min: "ten"}}) { totalCount } }`, nil, "BAD_USER_INPUT", "price.min", "invalid money amount"},
		{"too many decimals", `{ products(filter: {price: {max: 1.999}}) { totalCount } }`, nil, "BAD_USER_INPUT", "price.max", "two fraction digits"},
		{"bad datetime", `{ orders(filter: {purchased: {from: "yesterday"}}) { totalCount } }`, nil, "BAD_USER_INPUT", "purchased.from", "RFC 3339"},
		{"reversed time range", `{ orders(filter: {purchased: {from: "2019-01-01T00:00:00Z", to: "2018-01-01T00:00:00Z"}}) { totalCount } }`,
			nil, "BAD_USER_INPUT", "purchased", "not before"},
		{"city without state", `{ users(filter: {region: {country: "BR", city: "Santos"}}) { totalCount } }`, nil, "BAD_USER_INPUT", "region.state", "state"},
		{"rating out of range", `{ products(filter: {rating: {min: 6}}) { totalCount } }`, nil, "BAD_USER_INPUT", "rating.min", "1 to 5"},
		{"first beyond int32", `query($n: Int) { users(first: $n) { totalCount } }`, map[string]any{"n": 3000000000}, "LIMIT_EXCEEDED", "", "exceeds the limit of 100"},
		{"input beyond int32", `query($n: Int) { reviews(filter: {rating: {min: $n}}) { totalCount } }`, map[string]any{"n": 3000000000}, "BAD_USER_INPUT", "rating.min", "overflows"},
		{"unknown enum value", `{ events(filter: {type: CLICK}) { totalCount } }`, nil, "GRAPHQL_VALIDATION_FAILED", "", "CLICK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := s.with(t).fail(tt.query, tt.vars)
			if e.code() != tt.code {
				t.Errorf("code = %q, want %s (message %q)", e.code(), tt.code, e.Message)
			}
			if e.field() != tt.field {
				t.Errorf("field = %q, want %q", e.field(), tt.field)
			}
			if !strings.Contains(e.Message, tt.message) {
				t.Errorf("message = %q, want it to contain %q", e.Message, tt.message)
			}
		})
	}
}

func TestUnknownIDsReadNull(t *testing.T) {
	s := newSeededServer(t)
	var data map[string]any
	s.ok(`{ user(id: "x") { id } product(id: "x") { id } order(id: "x") { id } seller(id: "x") { id } event(id: "x") { id } }`, nil, &data)
	for name, v := range data {
		if v != nil {
			t.Errorf("%s = %v, want null", name, v)
		}
	}
}

func TestUndecodableBody(t *testing.T) {
	s := newTestServer(t)
	resp := s.postRaw("application/json", []byte(`{"query": `))
	if len(resp.Errors) != 1 || resp.Errors[0].code() != "GRAPHQL_PARSE_FAILED" {
		t.Fatalf("errors = %+v, want one GRAPHQL_PARSE_FAILED", resp.Errors)
	}
	if resp.Status != 400 {
		t.Errorf("status = %d, want 400", resp.Status)
	}
}
