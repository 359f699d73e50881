package resolvers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopsight/shopsight/graph/limits"
)

func TestLimitsRejectWithCode(t *testing.T) {
	s := newSeededServer(t)
	manyAliases := make([]string, 31)
	for i := range manyAliases {
		manyAliases[i] = fmt.Sprintf("a%d: user(id: \"u01\") { id }", i)
	}
	tests := []struct {
		name    string
		query   string
		vars    map[string]any
		limit   string
		message string
	}{
		{"depth", `{ users { edges { node { orders { edges { node { user { orders { edges { node { user { orders { edges { node { id } } } } } } } } } } } } } } }`,
			nil, "depth", "query depth 15 exceeds the limit of 12"},
		{"complexity", `{ users(first: 100) { edges { node { orders(first: 100) { edges { node { id } } } } } } }`,
			nil, "complexity", "query complexity 30301 exceeds the limit of 5000"},
		{"aliases", "{ " + strings.Join(manyAliases, " ") + " }", nil, "aliases", "alias count 31 exceeds the limit of 30"},
		{"page size literal", `{ users(first: 500) { edges { node { id } } } }`, nil, "pageSize", "page size 500 (first on field users) exceeds the limit of 100"},
		{"page size variable", `query($n: Int) { products(first: $n) { edges { node { id } } } }`, map[string]any{"n": 101},
			"pageSize", "page size 101 (first on field products) exceeds the limit of 100"},
		{"page size nested in fragment", `{ users(first: 1) { edges { node { ...F } } } } fragment F on User { orders(first: 1000) { totalCount } }`,
			nil, "pageSize", "page size 1000 (first on field orders) exceeds the limit of 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s.with(t)
			e := s.fail(tt.query, tt.vars)
			if e.code() != "LIMIT_EXCEEDED" {
				t.Errorf("code = %q, want LIMIT_EXCEEDED", e.code())
			}
			if !strings.HasPrefix(e.Message, tt.message) {
				t.Errorf("message = %q, want prefix %q", e.Message, tt.message)
			}
			if e.Extensions["limit"] != tt.limit {
				t.Errorf("extensions.limit = %v, want %s", e.Extensions["limit"], tt.limit)
			}
			if st := s.lastStats(); st.Code != "LIMIT_EXCEEDED" {
				t.Errorf("OnOperation code = %q, want LIMIT_EXCEEDED", st.Code)
			}
		})
	}
}

func TestLimitsAllowAtTheLimit(t *testing.T) {
	s := newSeededServer(t)
	manyAliases := make([]string, 30)
	for i := range manyAliases {
		manyAliases[i] = fmt.Sprintf("a%d: user(id: \"u01\") { id }", i)
	}
	queries := map[string]string{
		"depth 12":    `{ users(first: 1) { edges { node { orders(first: 1) { edges { node { user { orders(first: 1) { edges { node { user { id } } } } } } } } } } } }`,
		"30 aliases":  "{ " + strings.Join(manyAliases, " ") + " }",
		"page of 100": `{ users(first: 100) { edges { node { id } } } }`,
		// 1 + 20 × (1 + 1 + (1 + 5 × 5)) = 561.
		"nested pages": `{ users(first: 20) { edges { node { orders(first: 5) { edges { node { items { product { title } } } } } } } } }`,
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			var data map[string]any
			s.with(t).ok(q, nil, &data)
		})
	}
}

func TestLimitsConfigurable(t *testing.T) {
	s := newSeededServer(t, func(o Options) Options {
		return o.WithLimits(limits.DefaultOptions().WithMaxDepth(3).WithMaxPageSize(5).WithDefaultPageSize(2))
	})
	e := s.fail(`{ users { edges { node { id } } } }`, nil)
	if e.Message != "query depth 4 exceeds the limit of 3" {
		t.Errorf("message = %q", e.Message)
	}
	var data struct{ C connectionIDs }
	s.ok(`{ c: sellers { edges { cursor } pageInfo { hasNextPage } } }`, nil, &data)
	if len(data.C.Edges) != 2 || !data.C.PageInfo.HasNextPage {
		t.Errorf("default page = %d edges, hasNextPage %v; want 2 and true", len(data.C.Edges), data.C.PageInfo.HasNextPage)
	}
}

func TestNewHandlerRejectsBadOptions(t *testing.T) {
	s := newTestServer(t)
	bad := []Options{
		DefaultOptions().WithLimits(limits.DefaultOptions().WithMaxDepth(0)),
		DefaultOptions().WithLimits(limits.DefaultOptions().WithDefaultPageSize(200)),
		DefaultOptions().WithQueryCacheSize(0),
	}
	for i, o := range bad {
		if _, err := NewHandler(s.store, o); err == nil {
			t.Errorf("options %d: NewHandler returned no error", i)
		}
	}
	if _, err := NewHandler(nil, DefaultOptions()); err == nil {
		t.Error("nil store: NewHandler returned no error")
	}
}

func TestLimitsRejectLargeDocuments(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name    string
		query   string
		limit   string
		message string
	}{
		{"repeated fields", "{" + strings.Repeat(`product(id: "p00001") { id } `, 1000) + "}", "selections",
			"query document has 2000 selections, more than the limit of 1000"},
		{"query bytes", "{ __typename }" + strings.Repeat(" ", 64<<10), "query bytes",
			"query document of 65550 bytes exceeds the limit of 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s.with(t)
			e := s.fail(tt.query, nil)
			if e.code() != "LIMIT_EXCEEDED" {
				t.Errorf("code = %q, want LIMIT_EXCEEDED", e.code())
			}
			if e.Extensions["limit"] != tt.limit {
				t.Errorf("extensions.limit = %v, want %s", e.Extensions["limit"], tt.limit)
			}
			if !strings.HasPrefix(e.Message, tt.message) {
				t.Errorf("message = %q, want prefix %q", e.Message, tt.message)
			}
		})
	}
}

func TestLimitsCapErrors(t *testing.T) {
	s := newTestServer(t)
	fields := make([]string, 150)
	for i := range fields {
		fields[i] = fmt.Sprintf("missing%d", i)
	}
	resp := s.post("{ "+strings.Join(fields, " ")+" }", nil)
	if len(resp.Errors) != 100 {
		t.Fatalf("got %d errors, want 100", len(resp.Errors))
	}
	last := resp.Errors[99]
	if !strings.HasPrefix(last.Message, "… 51 more errors") {
		t.Errorf("last message = %q, want prefix \"… 51 more errors\"", last.Message)
	}
	if last.code() != "LIMIT_EXCEEDED" {
		t.Errorf("last code = %q, want LIMIT_EXCEEDED", last.code())
	}
	if resp.Errors[0].code() != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("first code = %q, want GRAPHQL_VALIDATION_FAILED", resp.Errors[0].code())
	}
}
