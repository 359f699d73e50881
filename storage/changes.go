package storage

import (
	"context"
	"encoding/binary"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// The change log lists every record write and delete in commit order, so
// that indexes kept outside Badger (full text, vectors, cached forecasts)
// can follow the store. Each keeps the sequence number it has applied and,
// after a crash, replays the changes after it. An entry names the record
// only; a consumer reads the record's current state (or learns it was
// deleted) from the store, so replaying an entry twice is harmless.
//
//	\x01chg/<8-byte sequence><4-byte index>  →  <kind>\x00<id>
//	\x00m/seq                                  the last sequence number used
//
// Every transaction that writes records takes the next sequence number and
// numbers its entries within it, so entries sort in commit order.

var (
	keySeq          = []byte("\x00m/seq")
	changeLogFamily = []byte("\x01chg/")
)

// Change is one record write or delete.
type Change struct {
	Seq  uint64
	Kind Kind
	ID   string
}

type pendingChange struct {
	kind Kind
	id   string
}

func (st *txnState) flushChanges() error {
	if len(st.changes) == 0 {
		return nil
	}
	raw, err := getRaw(st.txn, keySeq)
	if err != nil {
		return err
	}
	var seq uint64
	if len(raw) == 8 {
		seq = binary.BigEndian.Uint64(raw)
	}
	seq++
	for i, c := range st.changes {
		key := binary.BigEndian.AppendUint64(append([]byte{}, changeLogFamily...), seq)
		key = binary.BigEndian.AppendUint32(key, uint32(i))
		if err := st.txn.Set(key, []byte(string(c.kind)+"\x00"+c.id)); err != nil {
			return err
		}
	}
	return st.txn.Set(keySeq, binary.BigEndian.AppendUint64(nil, seq))
}

// LastSeq returns the sequence number of the newest change, 0 when none.
func (s *Store) LastSeq(ctx context.Context) (uint64, error) {
	var seq uint64
	err := s.db.View(func(txn *badger.Txn) error {
		raw, err := getRaw(txn, keySeq)
		if len(raw) == 8 {
			seq = binary.BigEndian.Uint64(raw)
		}
		return err
	})
	return seq, err
}

// Changes returns up to limit changes with a sequence number above after,
// in commit order. A caller that applied every returned change continues
// from the last one's Seq.
func (s *Store) Changes(ctx context.Context, after uint64, limit int) ([]Change, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("invalid change limit %d: must be positive", limit)
	}
	var out []Change
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: changeLogFamily, PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		start := binary.BigEndian.AppendUint64(append([]byte{}, changeLogFamily...), after+1)
		for it.Seek(start); it.Valid() && len(out) < limit; it.Next() {
			key := it.Item().Key()
			if len(key) != len(changeLogFamily)+12 {
				return fmt.Errorf("%w: change log key %q", ErrCorruptRecord, key)
			}
			seq := binary.BigEndian.Uint64(key[len(changeLogFamily):])
			err := it.Item().Value(func(v []byte) error {
				kind, id, ok := cutByte(v, 0)
				if !ok {
					return fmt.Errorf("%w: change log entry %q", ErrCorruptRecord, v)
				}
				out = append(out, Change{Seq: seq, Kind: Kind(kind), ID: id})
				return nil
			})
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// TrimChanges deletes the change log entries with a sequence number at or
// below upTo, once every consumer has applied them.
func (s *Store) TrimChanges(ctx context.Context, upTo uint64) error {
	end := binary.BigEndian.AppendUint64(append([]byte{}, changeLogFamily...), upTo+1)
	for {
		var keys [][]byte
		err := s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: changeLogFamily})
			defer it.Close()
			for it.Rewind(); it.Valid() && len(keys) < 10000; it.Next() {
				k := it.Item().KeyCopy(nil)
				if string(k) >= string(end) {
					break
				}
				keys = append(keys, k)
			}
			return nil
		})
		if err != nil || len(keys) == 0 {
			return err
		}
		wb := s.db.NewWriteBatch()
		for _, k := range keys {
			if err := wb.Delete(k); err != nil {
				wb.Cancel()
				return err
			}
		}
		if err := wb.Flush(); err != nil {
			return fmt.Errorf("trim change log: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

func cutByte(b []byte, sep byte) (string, string, bool) {
	for i, c := range b {
		if c == sep {
			return string(b[:i]), string(b[i+1:]), true
		}
	}
	return "", "", false
}
