package limits

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopsight/shopsight/graph/errcode"
)

func TestCheckDocument(t *testing.T) {
	opts := DefaultOptions().WithMaxQueryBytes(4000).WithMaxSelections(100)
	tests := []struct {
		name    string
		query   string
		limit   string // "" when the document passes
		value   int
		message string
	}{
		{"short", `{ item { id } }`, "", 0, ""},
		{"at the selection limit", "{" + strings.Repeat("__typename ", 100) + "}", "", 0, ""},
		{"repeated fields", "{" + strings.Repeat(`item { id } `, 51) + "}", "selections", 102,
			"query document has 102 selections, more than the limit of 100"},
		{"repeated spreads", "{ item { " + strings.Repeat("...F ", 101) + "} } fragment F on Item { id }", "selections", 103, ""},
		{"fragment counted once", "{ a: item { ...F } b: item { ...F } } fragment F on Item { " + strings.Repeat("id ", 90) + "}", "", 0, ""},
		{"inline fragments", "{ item { " + strings.Repeat("... on Item { id } ", 50) + "} }", "selections", 101, ""},
		{"too many bytes", "{ item { id } }" + strings.Repeat(" ", 4000), "query bytes", 4015,
			"query document of 4015 bytes exceeds the limit of 4000 bytes"},
		{"syntax error is left to the parser", "{" + strings.Repeat("item { id ", 200), "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkDocument(tt.query, opts)
			if tt.limit == "" {
				if err != nil {
					t.Fatalf("checkDocument: %v, want no error", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("checkDocument returned no error, want limit %s", tt.limit)
			}
			if err.Code != errcode.LimitExceeded {
				t.Errorf("code = %q, want LIMIT_EXCEEDED", err.Code)
			}
			if err.Extensions["limit"] != tt.limit {
				t.Errorf("extensions.limit = %v, want %s", err.Extensions["limit"], tt.limit)
			}
			if err.Extensions["value"] != tt.value {
				t.Errorf("extensions.value = %v, want %d", err.Extensions["value"], tt.value)
			}
			if !strings.HasPrefix(err.Message, tt.message) {
				t.Errorf("message = %q, want prefix %q", err.Message, tt.message)
			}
		})
	}
}

func TestInterceptResponseCapsErrors(t *testing.T) {
	ext, err := New(DefaultOptions().WithMaxErrors(3))
	if err != nil {
		t.Fatal(err)
	}
	respond := func(n int) graphql.ResponseHandler {
		return func(context.Context) *graphql.Response {
			resp := &graphql.Response{}
			for i := range n {
				resp.Errors = append(resp.Errors, gqlerror.Errorf("error %d", i))
			}
			return resp
		}
	}

	resp := ext.InterceptResponse(context.Background(), respond(3))
	if len(resp.Errors) != 3 {
		t.Errorf("3 errors: got %d, want all 3 kept", len(resp.Errors))
	}

	resp = ext.InterceptResponse(context.Background(), respond(10))
	if len(resp.Errors) != 3 {
		t.Fatalf("10 errors: got %d, want 3", len(resp.Errors))
	}
	if resp.Errors[1].Message != "error 1" {
		t.Errorf("second error = %q, want error 1", resp.Errors[1].Message)
	}
	last := resp.Errors[2]
	if !strings.HasPrefix(last.Message, "… 8 more errors") {
		t.Errorf("last error = %q, want prefix \"… 8 more errors\"", last.Message)
	}
	if errcode.CodeOf(last) != errcode.LimitExceeded {
		t.Errorf("last error code = %q, want LIMIT_EXCEEDED", errcode.CodeOf(last))
	}
}

func TestOptionsValidateDocumentLimits(t *testing.T) {
	for _, o := range []Options{
		DefaultOptions().WithMaxQueryBytes(0),
		DefaultOptions().WithMaxSelections(0),
		DefaultOptions().WithMaxErrors(0),
	} {
		if err := o.Validate(); err == nil {
			t.Errorf("Validate(%+v) returned no error", o)
		}
	}
}
