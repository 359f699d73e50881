package importer

import (
	"context"
	"fmt"

	"github.com/shopsight/shopsight/storage"
)

// orderMerger merges consecutive generic order rows with the same id into
// one order. A row that repeats an order-level field must repeat it with the
// same value. An invalid row drops its whole order, because writing the
// order without that item would store a wrong total.
type orderMerger struct {
	im    *importer
	stats *FileStats
	out   *batch[storage.Order]

	cur       *storage.Order
	curHead   row // first row of cur, for the consistency check
	curLine   int
	dropped   string // id of the order whose rows are being skipped
	dropLine  int
	seenLines map[string]int // order id → first line, to catch split orders
}

func newOrderMerger(im *importer, stats *FileStats, out *batch[storage.Order]) *orderMerger {
	return &orderMerger{im: im, stats: stats, out: out, seenLines: map[string]int{}}
}

// addRow merges r into the current order or starts a new one. It returns a
// *rowError for an invalid row; the caller reports it.
func (m *orderMerger) addRow(ctx context.Context, r row) error {
	id := r.get("id")
	if id != "" && id == m.dropped {
		return &rowError{Class: "order dropped", Err: fmt.Errorf("order %q is dropped because its row at line %d is invalid", id, m.dropLine)}
	}
	if m.cur != nil && id == m.cur.ID {
		if err := m.mergeRow(r); err != nil {
			m.drop(id, r.line)
			return err
		}
		return nil
	}
	if err := m.flush(ctx); err != nil {
		return err
	}
	if first, ok := m.seenLines[id]; ok && id != "" {
		m.drop(id, r.line)
		return &rowError{Class: "order split", Err: fmt.Errorf("order %q already ended at line %d: keep all rows of an order together", id, first)}
	}
	o, err := parseOrderHead(r, m.im.loc)
	if err != nil {
		m.drop(id, r.line)
		return err
	}
	item, ok, err := parseOrderItem(r)
	if err != nil {
		m.drop(id, r.line)
		return err
	}
	if ok {
		o.Items = append(o.Items, item)
	}
	m.seenLines[id] = r.line
	m.cur, m.curHead, m.curLine = &o, r, r.line
	return nil
}

// addOrder validates a complete order, as parsed from one JSONL object, and
// batches it.
func (m *orderMerger) addOrder(ctx context.Context, o storage.Order, line int) error {
	if first, ok := m.seenLines[o.ID]; ok {
		return &rowError{Class: "duplicate id", Err: fmt.Errorf("order %q already appears at line %d", o.ID, first)}
	}
	m.seenLines[o.ID] = line
	if err := storage.ValidateOrder(&o); err != nil {
		return err
	}
	return m.out.add(ctx, o)
}

func (m *orderMerger) drop(id string, line int) {
	if m.cur != nil && m.cur.ID == id {
		m.cur = nil
	}
	m.dropped, m.dropLine = id, line
	if id != "" {
		if _, ok := m.seenLines[id]; !ok {
			m.seenLines[id] = line
		}
	}
}

// mergeRow adds the item of r to the current order after checking that r's
// order-level fields agree with the order's first row.
func (m *orderMerger) mergeRow(r row) error {
	for _, f := range orderFields {
		if v := r.raw(f); v != "" && v != m.curHead.raw(f) {
			return &rowError{Class: "conflicting order fields", Err: fmt.Errorf(
				"field %s is %q but the first row of order %q (line %d) has %q: repeat the order's fields or leave them empty",
				f, v, m.cur.ID, m.curLine, m.curHead.raw(f))}
		}
	}
	item, ok, err := parseOrderItem(r)
	if err != nil {
		return err
	}
	if ok {
		m.cur.Items = append(m.cur.Items, item)
	}
	return nil
}

// flush validates and batches the current order. A validation failure is
// reported on the order's first line.
func (m *orderMerger) flush(ctx context.Context) error {
	if m.cur == nil {
		return nil
	}
	o, line := *m.cur, m.curLine
	m.cur = nil
	if err := storage.ValidateOrder(&o); err != nil {
		if rerr := m.im.rejectRow(m.stats, line, err); rerr != nil {
			return rerr
		}
		return nil
	}
	return m.out.add(ctx, o)
}
