package recommend

import (
	"cmp"
	"slices"
)

// Matrix is a sparse matrix in compressed sparse row (CSR) form with, for
// each stored cell, the strongest event type and latest time that produced
// it. Duplicate (row, column) events are summed.
type Matrix struct {
	Rows, Cols int
	// RowPtr has Rows+1 entries, and row r occupies [RowPtr[r], RowPtr[r+1]).
	RowPtr []int
	Col    []int32
	Value  []float32
	Event  []EventType
	Time   []int64
}

type entry struct {
	row, col int32
	value    float32
	event    EventType
	time     int64
}

func newMatrix(rows, cols int, entries []entry) *Matrix {
	slices.SortFunc(entries, func(a, b entry) int {
		if c := cmp.Compare(a.row, b.row); c != 0 {
			return c
		}
		return cmp.Compare(a.col, b.col)
	})
	m := &Matrix{Rows: rows, Cols: cols, RowPtr: make([]int, rows+1)}
	for i := 0; i < len(entries); {
		e := entries[i]
		j := i + 1
		for ; j < len(entries) && entries[j].row == e.row && entries[j].col == e.col; j++ {
			e.value += entries[j].value
			e.event = max(e.event, entries[j].event)
			e.time = max(e.time, entries[j].time)
		}
		m.Col = append(m.Col, e.col)
		m.Value = append(m.Value, e.value)
		m.Event = append(m.Event, e.event)
		m.Time = append(m.Time, e.time)
		m.RowPtr[e.row+1]++
		i = j
	}
	for r := 0; r < rows; r++ {
		m.RowPtr[r+1] += m.RowPtr[r]
	}
	return m
}

// NNZ returns the number of stored cells.
func (m *Matrix) NNZ() int { return len(m.Col) }

// Row returns the column indexes and values of row r.
func (m *Matrix) Row(r int) ([]int32, []float32) {
	lo, hi := m.RowPtr[r], m.RowPtr[r+1]
	return m.Col[lo:hi], m.Value[lo:hi]
}

// Transpose returns the column-major copy of m.
func (m *Matrix) Transpose() *Matrix {
	entries := make([]entry, 0, m.NNZ())
	for r := 0; r < m.Rows; r++ {
		for k := m.RowPtr[r]; k < m.RowPtr[r+1]; k++ {
			entries = append(entries, entry{row: m.Col[k], col: int32(r), value: m.Value[k], event: m.Event[k], time: m.Time[k]})
		}
	}
	return newMatrix(m.Cols, m.Rows, entries)
}

// contains reports whether row r has a cell in column c.
func (m *Matrix) contains(r int, c int32) bool {
	cols, _ := m.Row(r)
	_, found := slices.BinarySearch(cols, c)
	return found
}
