package limits

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/shopsight/shopsight/graph/errcode"
)

// MutateOperationParameters rejects a query document that is too large
// before gqlgen parses and validates it. gqlparser's validation takes time
// quadratic in the number of fields of a selection set (the "overlapping
// fields can be merged" rule compares field pairs), so a short document of
// repeated fields would cost seconds of CPU before MutateOperationContext
// measures it. This check parses the document once more, which takes time
// linear in its size, and counts its selections.
func (e *Extension) MutateOperationParameters(_ context.Context, params *graphql.RawParams) *gqlerror.Error {
	if err := checkDocument(params.Query, e.opts); err != nil {
		return err.GQL()
	}
	return nil
}

// checkDocument returns the first document limit that query exceeds, or
// nil. A document that does not parse passes, so that gqlgen reports the
// syntax error with its position.
func checkDocument(query string, opts Options) *errcode.Error {
	if len(query) > opts.MaxQueryBytes {
		return errcode.Limit("query bytes", len(query), opts.MaxQueryBytes,
			"query document of %d bytes exceeds the limit of %d bytes; send a shorter query, or use fragments and variables for repeated parts",
			len(query), opts.MaxQueryBytes)
	}
	// Every selection takes at least two bytes (a name and a separator or
	// brace), so a short document cannot exceed MaxSelections and need not
	// be parsed here.
	if len(query) <= 2*opts.MaxSelections {
		return nil
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil
	}
	selections := 0
	for _, op := range doc.Operations {
		selections += countSelections(op.SelectionSet)
	}
	for _, frag := range doc.Fragments {
		selections += countSelections(frag.SelectionSet)
	}
	if selections > opts.MaxSelections {
		return errcode.Limit("selections", selections, opts.MaxSelections,
			"query document has %d selections, more than the limit of %d; select fewer fields, and do not repeat a field or fragment spread",
			selections, opts.MaxSelections)
	}
	return nil
}

// countSelections returns the number of selections written in set and
// in the selection sets nested in it: fields, fragment spreads and inline
// fragments. It does not follow fragment spreads, because the caller
// counts each fragment definition once.
func countSelections(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		n++
		switch s := sel.(type) {
		case *ast.Field:
			n += countSelections(s.SelectionSet)
		case *ast.InlineFragment:
			n += countSelections(s.SelectionSet)
		}
	}
	return n
}

// InterceptResponse caps the number of errors in a response at
// MaxErrors: the first MaxErrors-1 errors are kept, followed by one error
// that counts the rest. A document with thousands of invalid fields would
// otherwise get a response with one error for each.
func (e *Extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || len(resp.Errors) <= e.opts.MaxErrors {
		return resp
	}
	kept := e.opts.MaxErrors - 1
	more := len(resp.Errors) - kept
	summary := errcode.Limit("errors", len(resp.Errors), e.opts.MaxErrors,
		"… %d more errors: the response lists at most %d errors; fix the errors above and send the query again", more, e.opts.MaxErrors).GQL()
	resp.Errors = append(resp.Errors[:kept:kept], summary)
	return resp
}
