package storage

import (
	"bytes"
	"context"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// MaxPageSize is the largest page a listing returns.
const MaxPageSize = 1000

// TimeRange selects times t with From <= t < To. A zero bound is open.
type TimeRange struct {
	From time.Time
	To   time.Time
}

func (r TimeRange) validate() error {
	if !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) {
		return fmt.Errorf("invalid time range: from %s is not before to %s; swap them or widen the range",
			r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
	}
	return nil
}

// Contains reports whether t is in the range.
func (r TimeRange) Contains(t time.Time) bool {
	return (r.From.IsZero() || !t.Before(r.From)) && (r.To.IsZero() || t.Before(r.To))
}

// Page is one page of a listing in sort order.
type Page[T any] struct {
	Items []T
	// Cursors holds the cursor of each item, for Relay edges.
	Cursors []string
	// HasNext reports whether more items follow the last one.
	HasNext bool
	// TotalCount is the number of items matching the filter over all pages,
	// or -1 when the caller did not ask for it.
	TotalCount int
}

// PageRequest selects a page: First items after the After cursor, in
// ascending time order unless Desc.
type PageRequest struct {
	First      int
	After      string
	Desc       bool
	CountTotal bool
}

func (p PageRequest) validate() error {
	if p.First < 0 || p.First > MaxPageSize {
		return fmt.Errorf("invalid page size %d: first must be between 0 and %d", p.First, MaxPageSize)
	}
	return nil
}

// scan describes one listing over one index group.
type scan[T any] struct {
	prefix []byte
	times  TimeRange
	page   PageRequest
	load   func(txn *badger.Txn, id string) (*T, error)
	keep   func(txn *badger.Txn, v *T) (bool, error)
	// total, when not nil, returns the total count without a scan.
	total func(txn *badger.Txn) (int, error)
}

// run executes the scan in txn.
func (sc *scan[T]) run(ctx context.Context, txn *badger.Txn) (Page[T], error) {
	page := Page[T]{TotalCount: -1}
	var after []byte
	if sc.page.After != "" {
		var err error
		if after, err = decodeCursor(sc.page.After); err != nil {
			return page, err
		}
	}
	err := sc.iterate(ctx, txn, after, func(t time.Time, id string, v *T) bool {
		if len(page.Items) == sc.page.First {
			page.HasNext = true
			return false
		}
		page.Items = append(page.Items, *v)
		page.Cursors = append(page.Cursors, EncodeCursor(t, id))
		return true
	})
	if err != nil {
		return page, err
	}
	if sc.page.CountTotal {
		if sc.total != nil {
			page.TotalCount, err = sc.total(txn)
			return page, err
		}
		n := 0
		err = sc.iterate(ctx, txn, nil, func(time.Time, string, *T) bool { n++; return true })
		page.TotalCount = n
	}
	return page, err
}

// iterate calls visit for every kept record from the position after the
// cursor suffix (or the start of the time range) until visit returns false.
func (sc *scan[T]) iterate(ctx context.Context, txn *badger.Txn, after []byte, visit func(time.Time, string, *T) bool) error {
	opts := badger.IteratorOptions{Prefix: sc.prefix, Reverse: sc.page.Desc}
	it := txn.NewIterator(opts)
	defer it.Close()

	var seek []byte
	switch {
	case after != nil:
		seek = append(append([]byte{}, sc.prefix...), after...)
	case !sc.page.Desc && !sc.times.From.IsZero():
		tb := timeBytes(sc.times.From)
		seek = append(append([]byte{}, sc.prefix...), tb[:]...)
	case sc.page.Desc && !sc.times.To.IsZero():
		tb := timeBytes(sc.times.To)
		seek = append(append([]byte{}, sc.prefix...), tb[:]...)
	case sc.page.Desc:
		seek = append(append([]byte{}, sc.prefix...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	default:
		seek = sc.prefix
	}
	for it.Seek(seek); it.Valid(); it.Next() {
		key := it.Item().Key()
		if after != nil && bytes.Equal(key, seek) {
			continue
		}
		if n := len(sc.prefix); len(key) >= n+8 && bytes.IndexByte(key[n+8:], 0) >= 0 {
			// A longer group under the same prefix bytes cannot occur,
			// because group fields never contain NUL; skip defensively.
			continue
		}
		t, id, err := splitIndexKey(sc.prefix, key)
		if err != nil {
			return err
		}
		if !sc.page.Desc && !sc.times.To.IsZero() && !t.Before(sc.times.To) {
			return nil
		}
		if sc.page.Desc && !sc.times.From.IsZero() && t.Before(sc.times.From) {
			return nil
		}
		if !sc.times.Contains(t) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		v, err := sc.load(txn, id)
		if err != nil {
			return err
		}
		if v == nil {
			return fmt.Errorf("%w: index key %q points at a missing record", ErrCorruptRecord, key)
		}
		if sc.keep != nil {
			ok, err := sc.keep(txn, v)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		if !visit(t, id, v) {
			return nil
		}
	}
	return nil
}

func loader[T any](kind Kind, decode func([]byte) (T, error)) func(*badger.Txn, string) (*T, error) {
	return func(txn *badger.Txn, id string) (*T, error) {
		raw, err := getRaw(txn, primaryKey(kind, id))
		if err != nil || raw == nil {
			return nil, err
		}
		v, err := decode(raw)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", kind, id, err)
		}
		return &v, nil
	}
}

// countTotal returns a total function that reads the kind's record count,
// usable when the scan is over every record of the kind.
func countTotal(kind Kind) func(*badger.Txn) (int, error) {
	return func(txn *badger.Txn) (int, error) {
		n, err := readCount(txn, kind)
		return int(n), err
	}
}

// runScans runs scans in one read transaction and counts one read call.
func runScans[T any](s *Store, ctx context.Context, scans []*scan[T]) ([]Page[T], error) {
	s.reads.Add(1)
	for _, sc := range scans {
		if err := sc.page.validate(); err != nil {
			return nil, err
		}
		if err := sc.times.validate(); err != nil {
			return nil, err
		}
	}
	out := make([]Page[T], len(scans))
	err := s.db.View(func(txn *badger.Txn) error {
		for i, sc := range scans {
			p, err := sc.run(ctx, txn)
			if err != nil {
				return err
			}
			out[i] = p
		}
		return nil
	})
	return out, err
}

func runScan[T any](s *Store, ctx context.Context, sc *scan[T]) (Page[T], error) {
	pages, err := runScans(s, ctx, []*scan[T]{sc})
	if err != nil {
		return Page[T]{}, err
	}
	return pages[0], nil
}

func regionMatches(filter, r Region) bool {
	return (filter.Country == "" || filter.Country == r.Country) &&
		(filter.State == "" || filter.State == r.State) &&
		(filter.City == "" || filter.City == r.City)
}

func categoryHasPrefix(path, prefix []string) bool {
	if len(prefix) > len(path) {
		return false
	}
	for i := range prefix {
		if path[i] != prefix[i] {
			return false
		}
	}
	return true
}
