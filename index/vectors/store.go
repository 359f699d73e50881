// Package vectors keeps the sentence vectors of products and reviews in the
// store's Badger database, tagged with the id of the model that made them,
// and keeps them in step with the records (Sync, EnsureOne).
//
// Key layout, in a key family of its own behind the byte 0x03:
//
//	\x03vec/<modelID>\x00<kind>\x00<id>   8-byte little-endian FNV-64a hash of the
//	                                      embedded text (0 = unknown), then the
//	                                      vector as little-endian float32
//	\x03meta/<modelID>                    JSON {"dimensions": N, "count": N}
//
// The 0x00 separators keep one model's keys a contiguous range even when
// one model id is a prefix of another. So model ids, kinds and record ids
// may not contain 0x00. The count in the metadata is updated in the same
// transaction as the vectors it counts.
package vectors

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/storage"
)

// ErrNotFound is returned by Get for a record without a vector of the model.
var ErrNotFound = errors.New("vector not found")

const (
	vectorPrefix = "\x03vec/"
	metaPrefix   = "\x03meta/"
	hashSize     = 8
	// maxConflictRetries bounds the retries of a write transaction that
	// conflicts with a concurrent writer of the same keys.
	maxConflictRetries = 10
)

// Meta describes the stored vectors of one model.
type Meta struct {
	Dimensions int   `json:"dimensions"`
	Count      int64 `json:"count"`
}

// Options configures a Store. Start from DefaultOptions and change single
// settings with the With methods.
type Options struct {
	// BatchSize is the number of records Sync embeds per call to the
	// embedder and writes per transaction.
	BatchSize int
	// Logger receives progress and pruning messages of Sync.
	Logger *slog.Logger
}

// DefaultOptions returns batches of 64 records and the default logger.
func DefaultOptions() Options {
	return Options{BatchSize: 64, Logger: slog.Default()}
}

// WithBatchSize returns o with BatchSize set to n records.
func (o Options) WithBatchSize(n int) Options { o.BatchSize = n; return o }

// WithLogger returns o with Logger set to l.
func (o Options) WithLogger(l *slog.Logger) Options { o.Logger = l; return o }

// Store reads and writes vectors beside the records of a storage.Store.
// It is safe for concurrent use.
type Store struct {
	db      *badger.DB
	records *storage.Store
	enc     Embedder
	opts    Options
}

// New returns a Store over the database of records. enc embeds the texts
// for Sync and EnsureOne. It may be nil when no model is configured: then
// those two return embed.ErrNoTextModel, and Put, Get, Delete and Each
// still work.
func New(records *storage.Store, enc Embedder, opts Options) (*Store, error) {
	if records == nil {
		return nil, errors.New("vectors: New needs a record store, got nil")
	}
	if opts.BatchSize <= 0 {
		return nil, fmt.Errorf("vectors: invalid batch size %d: it must be positive", opts.BatchSize)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Store{db: records.DB(), records: records, enc: enc, opts: opts}, nil
}

func checkKeyParts(modelID string, kind storage.Kind, id string) error {
	if modelID == "" || strings.IndexByte(modelID, 0) >= 0 {
		return fmt.Errorf("vectors: invalid model id %q: it must be non-empty without NUL bytes", modelID)
	}
	if kind == "" || strings.IndexByte(string(kind), 0) >= 0 {
		return fmt.Errorf("vectors: invalid kind %q: it must be non-empty without NUL bytes", kind)
	}
	if strings.IndexByte(id, 0) >= 0 {
		return fmt.Errorf("vectors: invalid record id %q: it contains a NUL byte", id)
	}
	return nil
}

func modelPrefix(modelID string) []byte { return []byte(vectorPrefix + modelID + "\x00") }

func kindPrefix(modelID string, kind storage.Kind) []byte {
	return []byte(vectorPrefix + modelID + "\x00" + string(kind) + "\x00")
}

func vectorKey(modelID string, kind storage.Kind, id string) []byte {
	return append(kindPrefix(modelID, kind), id...)
}

func metaKey(modelID string) []byte { return []byte(metaPrefix + modelID) }

// modelOfKey returns the model id of a vector key.
func modelOfKey(key []byte) string {
	rest := key[len(vectorPrefix):]
	if i := strings.IndexByte(string(rest), 0); i >= 0 {
		return string(rest[:i])
	}
	return string(rest)
}

func encodeVector(textHash uint64, vec []float32) []byte {
	b := make([]byte, hashSize+4*len(vec))
	binary.LittleEndian.PutUint64(b, textHash)
	for i, v := range vec {
		binary.LittleEndian.PutUint32(b[hashSize+4*i:], math.Float32bits(v))
	}
	return b
}

func decodeVector(b []byte) (textHash uint64, vec []float32, err error) {
	if len(b) < hashSize || (len(b)-hashSize)%4 != 0 {
		return 0, nil, fmt.Errorf("vectors: stored value of %d bytes is not an 8-byte hash plus float32 values", len(b))
	}
	textHash = binary.LittleEndian.Uint64(b)
	vec = make([]float32, (len(b)-hashSize)/4)
	for i := range vec {
		vec[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[hashSize+4*i:]))
	}
	return textHash, vec, nil
}

// Meta returns the dimensions and count of the vectors of modelID, and
// false when none are stored.
func (s *Store) Meta(ctx context.Context, modelID string) (Meta, bool, error) {
	var m Meta
	found := false
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		m, found, err = readMeta(txn, modelID)
		return err
	})
	return m, found, err
}

func readMeta(txn *badger.Txn, modelID string) (Meta, bool, error) {
	var m Meta
	item, err := txn.Get(metaKey(modelID))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("vectors: read metadata of model %s: %w", modelID, err)
	}
	err = item.Value(func(v []byte) error { return json.Unmarshal(v, &m) })
	if err != nil {
		return m, false, fmt.Errorf("vectors: decode metadata of model %s: %w", modelID, err)
	}
	return m, true, nil
}

func writeMeta(txn *badger.Txn, modelID string, m Meta) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return txn.Set(metaKey(modelID), b)
}

// entry is one vector to write.
type entry struct {
	kind     storage.Kind
	id       string
	textHash uint64
	vec      []float32
}

// Put stores vec as the vector of record kind/id under modelID, replacing
// any earlier one. Every vector of a model must have the same length.
func (s *Store) Put(ctx context.Context, modelID string, kind storage.Kind, id string, vec []float32) error {
	return s.putEntries(ctx, modelID, []entry{{kind: kind, id: id, vec: vec}})
}

// putEntries writes entries and the model's metadata in one transaction.
func (s *Store) putEntries(ctx context.Context, modelID string, entries []entry) error {
	if len(entries) == 0 {
		return nil
	}
	dims := len(entries[0].vec)
	for _, e := range entries {
		if err := checkKeyParts(modelID, e.kind, e.id); err != nil {
			return err
		}
		if len(e.vec) == 0 || len(e.vec) != dims {
			return fmt.Errorf("vectors: %s %s has %d dimensions, the batch %d; every vector of model %s needs the same non-zero length", e.kind, e.id, len(e.vec), dims, modelID)
		}
	}
	return s.update(ctx, func(txn *badger.Txn) error {
		m, found, err := readMeta(txn, modelID)
		if err != nil {
			return err
		}
		if found && m.Dimensions != dims {
			return fmt.Errorf("vectors: model %s stores %d-dimensional vectors, got %d; delete its vectors before storing another size", modelID, m.Dimensions, dims)
		}
		m.Dimensions = dims
		for _, e := range entries {
			key := vectorKey(modelID, e.kind, e.id)
			_, err := txn.Get(key)
			switch {
			case errors.Is(err, badger.ErrKeyNotFound):
				m.Count++
			case err != nil:
				return err
			}
			if err := txn.Set(key, encodeVector(e.textHash, e.vec)); err != nil {
				return err
			}
		}
		return writeMeta(txn, modelID, m)
	})
}

// update runs fn in a write transaction, retrying when it conflicts with a
// concurrent writer.
func (s *Store) update(ctx context.Context, fn func(txn *badger.Txn) error) error {
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := s.db.Update(fn)
		if errors.Is(err, badger.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return fmt.Errorf("vectors: write: %w", err)
		}
		return nil
	}
}

// Get returns the vector of record kind/id under modelID, or an error
// wrapping ErrNotFound.
func (s *Store) Get(ctx context.Context, modelID string, kind storage.Kind, id string) ([]float32, error) {
	_, vec, err := s.get(ctx, modelID, kind, id)
	return vec, err
}

func (s *Store) get(ctx context.Context, modelID string, kind storage.Kind, id string) (uint64, []float32, error) {
	if err := checkKeyParts(modelID, kind, id); err != nil {
		return 0, nil, err
	}
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	var textHash uint64
	var vec []float32
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(vectorKey(modelID, kind, id))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("vectors: %s %s under model %s: %w", kind, id, modelID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			textHash, vec, err = decodeVector(v)
			return err
		})
	})
	return textHash, vec, err
}

// Delete removes the vector of record kind/id under modelID. Deleting a
// missing vector is not an error.
func (s *Store) Delete(ctx context.Context, modelID string, kind storage.Kind, id string) error {
	if err := checkKeyParts(modelID, kind, id); err != nil {
		return err
	}
	return s.deleteIDs(ctx, modelID, kind, []string{id})
}

// deleteIDs removes vectors and updates the model's count in one
// transaction.
func (s *Store) deleteIDs(ctx context.Context, modelID string, kind storage.Kind, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.update(ctx, func(txn *badger.Txn) error {
		m, found, err := readMeta(txn, modelID)
		if err != nil {
			return err
		}
		removed := int64(0)
		for _, id := range ids {
			key := vectorKey(modelID, kind, id)
			_, err := txn.Get(key)
			if errors.Is(err, badger.ErrKeyNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := txn.Delete(key); err != nil {
				return err
			}
			removed++
		}
		if !found || removed == 0 {
			return nil
		}
		m.Count = max(m.Count-removed, 0)
		return writeMeta(txn, modelID, m)
	})
}

// Each calls fn with every vector of kind under modelID, in record id
// order. Each call gets a fresh slice, so fn may keep it. An error from fn
// stops the scan and is returned.
func (s *Store) Each(ctx context.Context, modelID string, kind storage.Kind, fn func(id string, vec []float32) error) error {
	if err := checkKeyParts(modelID, kind, ""); err != nil {
		return err
	}
	return s.eachEntry(ctx, modelID, kind, true, func(id string, _ uint64, vec []float32) error {
		return fn(id, vec)
	})
}

// eachEntry scans the vectors of kind under modelID; with withVectors false
// it decodes only the text hash.
func (s *Store) eachEntry(ctx context.Context, modelID string, kind storage.Kind, withVectors bool, fn func(id string, textHash uint64, vec []float32) error) error {
	prefix := kindPrefix(modelID, kind)
	return s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefix
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			item := it.Item()
			id := string(item.Key()[len(prefix):])
			var textHash uint64
			var vec []float32
			err := item.Value(func(v []byte) error {
				if !withVectors {
					if len(v) < hashSize {
						return fmt.Errorf("vectors: stored value of %s %s has %d bytes, less than the 8-byte hash", kind, id, len(v))
					}
					textHash = binary.LittleEndian.Uint64(v)
					return nil
				}
				var err error
				textHash, vec, err = decodeVector(v)
				return err
			})
			if err != nil {
				return err
			}
			if err := fn(id, textHash, vec); err != nil {
				return err
			}
		}
		return nil
	})
}
