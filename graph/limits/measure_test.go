package limits

import (
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

const testSchema = `
type Query { items(first: Int): [Item!]! item: Item }
type Item { id: ID! children(first: Int): [Item!]! parent: Item }
`

func operation(t *testing.T, query string) *ast.OperationDefinition {
	t.Helper()
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: testSchema})
	doc, errs := gqlparser.LoadQuery(schema, query)
	if errs != nil {
		t.Fatalf("load query: %v", errs)
	}
	return doc.Operations[0]
}

func TestMeasure(t *testing.T) {
	tests := []struct {
		name       string
		query      string
		depth      int
		complexity int
		aliases    int
	}{
		{"flat", `{ item { id } }`, 2, 2, 0},
		{"first multiplies its selection", `{ items(first: 10) { id children(first: 3) { id } } }`, 3, 1 + 10*(1+1+3*1), 0},
		{"default page size", `{ items { id } }`, 2, 1 + 20, 0},
		{"first 0 still counts the selection once", `{ items(first: 0) { id } }`, 2, 2, 0},
		{"aliases and fragments", `{ a: item { ...F } b: item { ...F } } fragment F on Item { parent { id } }`, 3, 6, 2},
		{"introspection is free", `{ __typename item { __typename id } }`, 2, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := measure(operation(t, tt.query).SelectionSet, nil, DefaultOptions())
			if m.err != nil {
				t.Fatalf("measure: %v", m.err)
			}
			if m.depth != tt.depth || m.complexity != tt.complexity || m.aliases != tt.aliases {
				t.Errorf("depth, complexity, aliases = %d, %d, %d; want %d, %d, %d",
					m.depth, m.complexity, m.aliases, tt.depth, tt.complexity, tt.aliases)
			}
		})
	}
}

func TestMeasureStopsOnExpandedFragments(t *testing.T) {
	// Each fragment spreads the previous one twice, so the expanded
	// operation has 2^16 fields although the document is short.
	query := `{ item { ...F16 } }
fragment F0 on Item { id }`
	for i := 1; i <= 16; i++ {
		query += "\nfragment F" + itoa(i) + " on Item { parent { ...F" + itoa(i-1) + " } children(first: 1) { ...F" + itoa(i-1) + " } }"
	}
	opts := DefaultOptions().WithMaxDepth(100)
	m := measure(operation(t, query).SelectionSet, nil, opts)
	if m.err == nil || m.err.Extensions["limit"] != "complexity" {
		t.Fatalf("err = %v, want a complexity limit error", m.err)
	}
	if m.visited > opts.MaxComplexity+1 {
		t.Errorf("visited %d fields, want the walk to stop after %d", m.visited, opts.MaxComplexity+1)
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func TestOptionsValidate(t *testing.T) {
	if err := DefaultOptions().Validate(); err != nil {
		t.Errorf("default options: %v", err)
	}
	bad := map[string]Options{
		"zero depth":        DefaultOptions().WithMaxDepth(0),
		"zero complexity":   DefaultOptions().WithMaxComplexity(0),
		"zero aliases":      DefaultOptions().WithMaxAliases(0),
		"default above max": DefaultOptions().WithMaxPageSize(10),
		"zero default page": DefaultOptions().WithDefaultPageSize(0),
	}
	for name, o := range bad {
		if err := o.Validate(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
