package bert

import (
	"context"
	"math"
	"testing"
)

// TestForwardMaskedKeysHaveNoEffect changes the ids of padded positions in
// the middle and at the end of a row: the rows of real tokens must not
// change, because masked keys get exactly zero attention weight.
func TestForwardMaskedKeysHaveNoEffect(t *testing.T) {
	m, err := NewRandom(tinyConfig(), 5, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	mask := [][]int32{{1, 1, 0, 1, 1, 0, 0, 1, 0, 0}}
	forward := func(ids []int32) *Output {
		t.Helper()
		out, err := m.Forward(context.Background(), Batch{IDs: [][]int32{ids}, Mask: mask})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a := forward([]int32{1, 7, 3, 9, 4, 5, 6, 2, 0, 0})
	b := forward([]int32{1, 7, 30, 9, 4, 40, 41, 2, 42, 43})
	for pos, real := range mask[0] {
		if real == 0 {
			continue
		}
		ha, hb := a.Hidden(0, pos), b.Hidden(0, pos)
		for i := range ha {
			if ha[i] != hb[i] {
				t.Fatalf("position %d element %d: %g with one padding, %g with another", pos, i, ha[i], hb[i])
			}
		}
	}
}

// TestForwardAllPaddingRow runs a row whose mask is all zero next to a
// normal row: the normal row must match its unbatched output and the
// padded row must stay finite.
func TestForwardAllPaddingRow(t *testing.T) {
	m, err := NewRandom(tinyConfig(), 5, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	ids := []int32{1, 7, 3, 9, 2}
	batched, err := m.Forward(context.Background(), Batch{
		IDs:  [][]int32{ids, {0, 0, 0, 0, 0}},
		Mask: [][]int32{{1, 1, 1, 1, 1}, {0, 0, 0, 0, 0}},
	})
	if err != nil {
		t.Fatal(err)
	}
	alone, err := m.Forward(context.Background(), Batch{IDs: [][]int32{ids}})
	if err != nil {
		t.Fatal(err)
	}
	for pos := range ids {
		got, want := batched.Hidden(0, pos), alone.Hidden(0, pos)
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-6 {
				t.Fatalf("position %d element %d = %g batched, %g alone", pos, i, got[i], want[i])
			}
		}
	}
	for pos := range ids {
		for i, v := range batched.Hidden(1, pos) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("padded row position %d element %d = %g", pos, i, v)
			}
		}
	}
}
