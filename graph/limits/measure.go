package limits

import (
	"encoding/json"
	"math"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopsight/shopsight/graph/errcode"
)

// measurement is the result of walking one operation.
type measurement struct {
	depth      int
	complexity int
	aliases    int
	// visited counts field visits; the walk stops once it passes
	// MaxComplexity, which bounds the work for fragments that are spread
	// many times.
	visited int
	err     *errcode.Error
}

// measure walks the operation and returns its size, or the first limit it
// exceeds. Introspection fields (names starting with "__") are not counted:
// their size is bounded by the schema, and gqlparser's validation already
// limits introspection depth.
func measure(set ast.SelectionSet, vars map[string]any, opts Options) measurement {
	w := &walker{vars: vars, opts: opts}
	w.m.complexity = w.cost(set, 0)
	m := w.m
	if m.err != nil {
		return m
	}
	switch {
	case m.depth > opts.MaxDepth:
		m.err = errcode.Limit("depth", m.depth, opts.MaxDepth, "query depth %d exceeds the limit of %d", m.depth, opts.MaxDepth)
	case m.aliases > opts.MaxAliases:
		m.err = errcode.Limit("aliases", m.aliases, opts.MaxAliases, "alias count %d exceeds the limit of %d", m.aliases, opts.MaxAliases)
	case m.complexity > opts.MaxComplexity:
		m.err = errcode.Limit("complexity", m.complexity, opts.MaxComplexity,
			"query complexity %d exceeds the limit of %d; lower `first` on nested lists or select fewer fields", m.complexity, opts.MaxComplexity)
	}
	return m
}

type walker struct {
	vars map[string]any
	opts Options
	m    measurement
}

// cost returns the cost of a selection set at depth (the depth of its
// parent field), saturating at math.MaxInt32 so that deep nesting of large
// pages cannot overflow.
func (w *walker) cost(set ast.SelectionSet, depth int) int {
	total := 0
	for _, sel := range set {
		if w.m.err != nil {
			return total
		}
		switch s := sel.(type) {
		case *ast.Field:
			total = saturatingAdd(total, w.fieldCost(s, depth+1))
		case *ast.FragmentSpread:
			if s.Definition != nil {
				total = saturatingAdd(total, w.cost(s.Definition.SelectionSet, depth))
			}
		case *ast.InlineFragment:
			total = saturatingAdd(total, w.cost(s.SelectionSet, depth))
		}
	}
	return total
}

func (w *walker) fieldCost(f *ast.Field, depth int) int {
	if strings.HasPrefix(f.Name, "__") {
		return 0
	}
	w.m.visited++
	if w.m.visited > w.opts.MaxComplexity {
		w.m.err = errcode.Limit("complexity", w.m.visited, w.opts.MaxComplexity,
			"query complexity exceeds the limit of %d: the operation has more than %d fields after expanding fragments", w.opts.MaxComplexity, w.opts.MaxComplexity)
		return 0
	}
	if f.Alias != "" && f.Alias != f.Name {
		w.m.aliases++
	}
	w.m.depth = max(w.m.depth, depth)

	multiplier := 1
	if f.Definition != nil && f.Definition.Arguments.ForName("first") != nil {
		first, ok := w.first(f)
		if !ok {
			return 0
		}
		multiplier = max(first, 1)
	}
	child := w.cost(f.SelectionSet, depth)
	return saturatingAdd(1, saturatingMul(multiplier, child))
}

// first returns the page size a field requests and checks it against
// MaxPageSize. It returns false after recording an error.
func (w *walker) first(f *ast.Field) (int, bool) {
	arg := f.Arguments.ForName("first")
	if arg == nil || arg.Value == nil {
		return w.opts.DefaultPageSize, true
	}
	v, err := arg.Value.Value(w.vars)
	if err != nil || v == nil {
		return w.opts.DefaultPageSize, true
	}
	n, ok := toInt(v)
	if !ok {
		// Validation rejects non-integers before this runs; count the
		// default so the cost is never zero.
		return w.opts.DefaultPageSize, true
	}
	if n < 0 {
		w.m.err = errcode.BadInput("first", "invalid first %d on field %s: must be between 0 and %d", n, f.Alias, w.opts.MaxPageSize)
		return 0, false
	}
	if n > int64(w.opts.MaxPageSize) {
		w.m.err = errcode.Limit("pageSize", int(min(n, math.MaxInt32)), w.opts.MaxPageSize,
			"page size %d (first on field %s) exceeds the limit of %d", n, f.Alias, w.opts.MaxPageSize)
		return 0, false
	}
	return int(n), true
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case float64:
		return int64(x), x == math.Trunc(x)
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	}
	return 0, false
}

func saturatingAdd(a, b int) int {
	if a > math.MaxInt32-b {
		return math.MaxInt32
	}
	return a + b
}

func saturatingMul(a, b int) int {
	if a != 0 && b > math.MaxInt32/a {
		return math.MaxInt32
	}
	return a * b
}
