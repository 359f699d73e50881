package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"

	badger "github.com/dgraph-io/badger/v4"
)

// Checksum returns a SHA-256 over every key and value in key order. Two stores with the same records, indexes and counters
// have the same checksum, so tests use it to compare an interrupted and
// resumed import with a clean one.
func (s *Store) Checksum(ctx context.Context) (string, error) {
	s.reads.Add(1)
	h := sha256.New()
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		var n [8]byte
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			item := it.Item()
			if bytes.HasPrefix(item.Key(), changeLogFamily) || bytes.Equal(item.Key(), keySeq) {
				continue
			}
			binary.BigEndian.PutUint64(n[:], uint64(len(item.Key())))
			h.Write(n[:])
			h.Write(item.Key())
			err := item.Value(func(v []byte) error {
				binary.BigEndian.PutUint64(n[:], uint64(len(v)))
				h.Write(n[:])
				h.Write(v)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
