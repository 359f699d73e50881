// Package limits rejects GraphQL operations that would cost the server too
// much, before any resolver runs: the size of the query document and its
// number of selections (checked before gqlgen validates the document),
// query depth, query complexity (where a
// field with a `first` argument multiplies the cost of its selection by
// `first`), the number of aliases, and the page size `first`. It is a gqlgen
// handler extension; violations fail the whole request with
// extensions.code LIMIT_EXCEEDED and a message that names the limit and its
// value, such as "query depth 14 exceeds the limit of 12". It also caps the
// number of errors in a response.
package limits

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Options configures the limits. Start from DefaultOptions and change
// fields with the WithX methods.
type Options struct {
	// MaxDepth is the deepest field nesting an operation may have; a root
	// field has depth 1.
	MaxDepth int
	// MaxComplexity bounds the cost of an operation. Each field costs 1 plus
	// the cost of its selection, and a field with a `first` argument costs 1
	// plus `first` (DefaultPageSize when absent, at least 1) times the cost
	// of its selection.
	MaxComplexity int
	// MaxAliases is the largest number of aliased fields in an operation.
	MaxAliases int
	// MaxPageSize is the largest `first` a listing accepts.
	MaxPageSize int
	// DefaultPageSize is the page size of a listing without `first`.
	DefaultPageSize int
	// MaxQueryBytes is the largest query document, in bytes.
	MaxQueryBytes int
	// MaxSelections is the largest number of selections (fields, fragment
	// spreads and inline fragments) written in a query document, counting
	// each fragment definition once. It bounds the work of gqlgen's
	// validation, which takes time quadratic in the number of selections
	// of a selection set: on a noisy 2-core machine, 2000 repeated
	// `__typename` fields took about 0.2 s to validate and 1000 took 55 ms.
	MaxSelections int
	// MaxErrors is the largest number of errors in a response; the last
	// one counts the errors left out.
	MaxErrors int
}

// DefaultOptions returns depth 12, complexity 5000, 30 aliases, pages of at
// most 100 records and 20 records by default, query documents of at most
// 64 KiB with at most 1000 selections, and at most 100 errors per
// response.
func DefaultOptions() Options {
	return Options{
		MaxDepth: 12, MaxComplexity: 5000, MaxAliases: 30, MaxPageSize: 100, DefaultPageSize: 20,
		MaxQueryBytes: 64 << 10, MaxSelections: 1000, MaxErrors: 100,
	}
}

// WithMaxDepth sets the maximum field nesting depth.
func (o Options) WithMaxDepth(n int) Options { o.MaxDepth = n; return o }

// WithMaxComplexity sets the maximum operation cost.
func (o Options) WithMaxComplexity(n int) Options { o.MaxComplexity = n; return o }

// WithMaxAliases sets the maximum number of aliased fields.
func (o Options) WithMaxAliases(n int) Options { o.MaxAliases = n; return o }

// WithMaxPageSize sets the largest accepted `first`.
func (o Options) WithMaxPageSize(n int) Options { o.MaxPageSize = n; return o }

// WithDefaultPageSize sets the page size used when `first` is absent.
func (o Options) WithDefaultPageSize(n int) Options { o.DefaultPageSize = n; return o }

// WithMaxQueryBytes sets the largest query document in bytes.
func (o Options) WithMaxQueryBytes(n int) Options { o.MaxQueryBytes = n; return o }

// WithMaxSelections sets the largest number of selections in a query
// document.
func (o Options) WithMaxSelections(n int) Options { o.MaxSelections = n; return o }

// WithMaxErrors sets the largest number of errors in a response.
func (o Options) WithMaxErrors(n int) Options { o.MaxErrors = n; return o }

// Validate reports a setting that cannot work.
func (o Options) Validate() error {
	checks := []struct {
		name  string
		value int
	}{
		{"max depth", o.MaxDepth},
		{"max complexity", o.MaxComplexity},
		{"max aliases", o.MaxAliases},
		{"max page size", o.MaxPageSize},
		{"default page size", o.DefaultPageSize},
		{"max query bytes", o.MaxQueryBytes},
		{"max selections", o.MaxSelections},
		{"max errors", o.MaxErrors},
	}
	for _, c := range checks {
		if c.value < 1 {
			return fmt.Errorf("invalid GraphQL limits: %s %d must be at least 1", c.name, c.value)
		}
	}
	if o.DefaultPageSize > o.MaxPageSize {
		return fmt.Errorf("invalid GraphQL limits: default page size %d exceeds the max page size %d; lower the default or raise the max",
			o.DefaultPageSize, o.MaxPageSize)
	}
	return nil
}

// Extension is the gqlgen handler extension that enforces Options.
type Extension struct {
	opts Options
}

var (
	_ graphql.HandlerExtension          = (*Extension)(nil)
	_ graphql.OperationContextMutator   = (*Extension)(nil)
	_ graphql.OperationParameterMutator = (*Extension)(nil)
	_ graphql.ResponseInterceptor       = (*Extension)(nil)
)

// New returns an extension enforcing opts, or an error when opts are
// invalid.
func New(opts Options) (*Extension, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Extension{opts: opts}, nil
}

// ExtensionName returns the name gqlgen uses for the extension.
func (e *Extension) ExtensionName() string { return "ShopSightLimits" }

// Validate checks the options when the extension is added to a server.
func (e *Extension) Validate(graphql.ExecutableSchema) error { return e.opts.Validate() }

// MutateOperationContext measures the operation selected by the request
// and rejects it when it exceeds a limit. It runs after parsing and
// validation, so fragment spreads are resolved and variables are coerced.
func (e *Extension) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	m := measure(opCtx.Operation.SelectionSet, opCtx.Variables, e.opts)
	if m.err != nil {
		return m.err.GQL()
	}
	return nil
}
