package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

var timeZero time.Time

// ErrExists reports an insert of an id that is already in the store.
var ErrExists = errors.New("already exists")

// WriteMode selects what a write does when a record with the same id exists
// or is missing. The check and the write happen in one transaction, so two
// concurrent inserts of one id cannot both succeed.
type WriteMode uint8

// Write modes.
const (
	// Upsert creates a missing record or replaces an existing one.
	Upsert WriteMode = iota
	// InsertOnly fails with ErrExists when the id exists.
	InsertOnly
	// UpdateOnly fails with ErrNotFound when the id is missing.
	UpdateOnly
)

func checkMode(kind Kind, id string, exists bool, mode WriteMode) error {
	switch {
	case mode == InsertOnly && exists:
		return fmt.Errorf("%s %q: %w", kind, id, ErrExists)
	case mode == UpdateOnly && !exists:
		return fmt.Errorf("%s %q: %w", kind, id, ErrNotFound)
	}
	return nil
}

// RecordWrite describes one record write to write hooks. Old is nil for a
// new record and New is nil for a delete; otherwise each is a pointer to
// the record type of Kind, such as *Order for KindOrder.
type RecordWrite struct {
	Kind Kind
	ID   string
	Old  any
	New  any
}

// WriteHook runs inside the transaction of every record write, after the
// record and its indexes are staged. Hooks maintain derived data, such as
// rollups, that must commit atomically with the record; an error aborts the
// transaction. Hooks must only write keys of their own family.
type WriteHook func(txn *badger.Txn, w RecordWrite) error

// TxnHook observes the record writes of one transaction. The store makes
// one from each factory given to Options.WithTxnHook per transaction, calls
// Record for every write in order and Flush once before the commit. A hook
// that derives data from many records (such as daily rollups) can so merge
// the writes of a whole batch into one write per derived key, instead of
// rewriting the same key once per record, which inflates Badger's
// transaction size.
type TxnHook interface {
	Record(txn *badger.Txn, w RecordWrite) error
	Flush(txn *badger.Txn) error
}

// maxConflictRetries bounds how often a transaction that lost a write
// conflict (two writers updating the same counter or record) is retried.
const maxConflictRetries = 8

// txnState carries per-transaction bookkeeping: count deltas and change
// log entries are written once at commit.
type txnState struct {
	db       *badger.DB
	txn      *badger.Txn
	hooks    []WriteHook
	txnHooks []TxnHook
	counts   map[Kind]int64
	changes  []pendingChange
}

// update runs fn in a read-write transaction, retrying on write conflicts.
func (s *Store) update(ctx context.Context, fn func(st *txnState) error) error {
	if err := s.CheckFreeSpace(); err != nil {
		return err
	}
	var err error
	for attempt := 0; attempt < maxConflictRetries; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err = s.db.Update(func(txn *badger.Txn) error {
			st := &txnState{db: s.db, txn: txn, hooks: s.opts.Hooks, counts: map[Kind]int64{}}
			for _, newHook := range s.opts.TxnHooks {
				st.txnHooks = append(st.txnHooks, newHook())
			}
			if err := fn(st); err != nil {
				return err
			}
			for _, h := range st.txnHooks {
				if err := h.Flush(txn); err != nil {
					return fmt.Errorf("flush transaction hook: %w", err)
				}
			}
			if err := st.flushCounts(); err != nil {
				return err
			}
			return st.flushChanges()
		})
		if !errors.Is(err, badger.ErrConflict) {
			break
		}
		s.log.Debug("write conflict, retrying", "attempt", attempt+1)
	}
	if err == nil {
		s.writes.Add(1)
	}
	return err
}

func (st *txnState) flushCounts() error {
	for k, delta := range st.counts {
		if delta == 0 {
			continue
		}
		n, err := readCount(st.txn, k)
		if err != nil {
			return err
		}
		n += delta
		if n < 0 {
			n = 0
		}
		if err := st.txn.Set(countKey(k), binary.BigEndian.AppendUint64(nil, uint64(n))); err != nil {
			return err
		}
	}
	return nil
}

// writeBatches applies put to records [0, n) in transactions of at most
// BatchSize records. A batch that exceeds Badger's transaction limit is
// split in half and retried, so callers never see ErrTxnTooBig for large
// inputs. Batches commit in order; a failure leaves earlier batches
// committed, and re-running the same input is idempotent.
func (s *Store) writeBatches(ctx context.Context, n int, put func(st *txnState, i int) error) error {
	for start := 0; start < n; start += s.opts.BatchSize {
		end := min(start+s.opts.BatchSize, n)
		if err := s.writeRange(ctx, start, end, put); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) writeRange(ctx context.Context, start, end int, put func(st *txnState, i int) error) error {
	err := s.update(ctx, func(st *txnState) error {
		for i := start; i < end; i++ {
			if err := put(st, i); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, badger.ErrTxnTooBig) && end-start > 1 {
		mid := start + (end-start)/2
		if err := s.writeRange(ctx, start, mid, put); err != nil {
			return err
		}
		return s.writeRange(ctx, mid, end, put)
	}
	return err
}

// getRaw returns a copy of the value at key, or nil when absent.
func getRaw(txn *badger.Txn, key []byte) ([]byte, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// recordOps holds the per-kind functions of the generic write path.
type recordOps[T any] struct {
	kind   Kind
	id     func(*T) string
	encode func(*T) []byte
	decode func([]byte) (T, error)
	keys   func(*T) [][]byte
}

var (
	userOps    = recordOps[User]{KindUser, func(v *User) string { return v.ID }, encodeUser, decodeUser, userIndexKeys}
	productOps = recordOps[Product]{KindProduct, func(v *Product) string { return v.ID }, encodeProduct, decodeProduct, productIndexKeys}
	sellerOps  = recordOps[Seller]{KindSeller, func(v *Seller) string { return v.ID }, encodeSeller, decodeSeller, sellerIndexKeys}
	orderOps   = recordOps[Order]{KindOrder, func(v *Order) string { return v.ID }, encodeOrder, decodeOrder, orderIndexKeys}
	reviewOps  = recordOps[Review]{KindReview, func(v *Review) string { return v.ID }, encodeReview, decodeReview, reviewIndexKeys}
	eventOps   = recordOps[Event]{KindEvent, func(v *Event) string { return v.ID }, encodeEvent, decodeEvent, eventIndexKeys}
)

// readOld returns the stored version of id, or nil when absent.
func (ops recordOps[T]) readOld(st *txnState, id string) (*T, error) {
	raw, err := getRaw(st.txn, primaryKey(ops.kind, id))
	if err != nil || raw == nil {
		return nil, err
	}
	v, err := ops.decode(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", ops.kind, id, err)
	}
	return &v, nil
}

// write stages rec over old (nil when new): the primary value, the index
// entries that changed, the count, the change log entry and the hooks. It
// reports whether anything changed; an identical record writes nothing.
func (ops recordOps[T]) write(st *txnState, old, rec *T) (bool, error) {
	id := ops.id(rec)
	newVal := ops.encode(rec)
	var oldKeys [][]byte
	if old != nil {
		if bytes.Equal(ops.encode(old), newVal) {
			return false, nil
		}
		oldKeys = ops.keys(old)
	}
	removed, added := diffKeys(oldKeys, ops.keys(rec))
	for _, k := range removed {
		if err := st.txn.Delete(k); err != nil {
			return false, err
		}
	}
	for _, k := range added {
		if err := st.txn.Set(k, nil); err != nil {
			return false, err
		}
	}
	if err := st.txn.Set(primaryKey(ops.kind, id), newVal); err != nil {
		return false, err
	}
	if old == nil {
		st.counts[ops.kind]++
	}
	return true, st.recordChange(ops.kind, id, old, rec)
}

// remove stages the delete of old and its index entries.
func (ops recordOps[T]) remove(st *txnState, old *T) error {
	id := ops.id(old)
	for _, k := range ops.keys(old) {
		if err := st.txn.Delete(k); err != nil {
			return err
		}
	}
	if err := st.txn.Delete(primaryKey(ops.kind, id)); err != nil {
		return err
	}
	st.counts[ops.kind]--
	return st.recordChange(ops.kind, id, old, nil)
}

// recordChange appends a change log entry and runs the write hooks. Typed
// nil pointers become untyped nil so hooks can test Old == nil.
func (st *txnState) recordChange(kind Kind, id string, old, rec any) error {
	st.changes = append(st.changes, pendingChange{kind: kind, id: id})
	if len(st.hooks) == 0 && len(st.txnHooks) == 0 {
		return nil
	}
	w := RecordWrite{Kind: kind, ID: id, Old: nilIfNilPointer(old), New: nilIfNilPointer(rec)}
	for _, h := range st.hooks {
		if err := h(st.txn, w); err != nil {
			return fmt.Errorf("write hook on %s %q: %w", kind, id, err)
		}
	}
	for _, h := range st.txnHooks {
		if err := h.Record(st.txn, w); err != nil {
			return fmt.Errorf("transaction hook on %s %q: %w", kind, id, err)
		}
	}
	return nil
}

func nilIfNilPointer(v any) any {
	switch p := v.(type) {
	case *User:
		if p == nil {
			return nil
		}
	case *Product:
		if p == nil {
			return nil
		}
	case *Seller:
		if p == nil {
			return nil
		}
	case *Order:
		if p == nil {
			return nil
		}
	case *Review:
		if p == nil {
			return nil
		}
	case *Event:
		if p == nil {
			return nil
		}
	}
	return v
}

// writeAll validates every record, then writes them in batches in mode.
// before, when not nil, runs on each record and its old version before the
// write; after runs when the write changed something.
func writeAll[T any](s *Store, ctx context.Context, ops recordOps[T], records []T, mode WriteMode,
	validate func(*T) error, before, after func(st *txnState, old, rec *T) error) error {
	for i := range records {
		if err := validate(&records[i]); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
	}
	return s.writeBatches(ctx, len(records), func(st *txnState, i int) error {
		copied := records[i] // before may change fields; the caller's slice stays as it was
		rec := &copied
		id := ops.id(rec)
		old, err := ops.readOld(st, id)
		if err != nil {
			return err
		}
		if err := checkMode(ops.kind, id, old != nil, mode); err != nil {
			return err
		}
		if before != nil {
			if err := before(st, old, rec); err != nil {
				return err
			}
		}
		changed, err := ops.write(st, old, rec)
		if err != nil || !changed || after == nil {
			return err
		}
		return after(st, old, rec)
	})
}

// deleteByID removes the record id of ops' kind; before runs first on the
// old version.
func deleteByID[T any](s *Store, ctx context.Context, ops recordOps[T], id string, before func(st *txnState, old *T) error) error {
	return s.update(ctx, func(st *txnState) error {
		old, err := ops.readOld(st, id)
		if err != nil {
			return err
		}
		if old == nil {
			return fmt.Errorf("%s %q: %w", ops.kind, id, ErrNotFound)
		}
		if before != nil {
			if err := before(st, old); err != nil {
				return err
			}
		}
		return ops.remove(st, old)
	})
}
