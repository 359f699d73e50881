package service

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Key layout of the model versions, a key family of its own behind the byte
// 0x02 so that it sorts after the store's records:
//
//	\x02rec/current                         id of the serving version
//	\x02rec/v/<id>/manifest                 Version as JSON
//	\x02rec/v/<id>/blob/<name>/<chunk>      chunk of a model blob, chunk a
//	                                        4-byte big-endian index
//
// Training writes every chunk first, then the manifest and the current
// pointer in one transaction. A version without a manifest is therefore
// partial: a crash left it, and cleanPartial deletes it.
const (
	keyFamily      = "\x02rec/"
	keyCurrent     = keyFamily + "current"
	keyVersions    = keyFamily + "v/"
	manifestSuffix = "manifest"
)

// versionIDLayout names a version by its UTC creation time, so that ids
// sort in creation order.
const versionIDLayout = "20060102T150405.000000000Z"

// Version describes one complete set of trained models.
type Version struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	// Reference is the time trending windows and decay were measured from.
	Reference time.Time `json:"reference"`
	// Model is the factor model, als or bpr.
	Model string `json:"model"`
	// Interactions counts user interactions, Sessions session events.
	Interactions int           `json:"interactions"`
	Sessions     int           `json:"sessions"`
	Users        int           `json:"users"`
	Items        int           `json:"items"`
	Duration     time.Duration `json:"duration"`
	Blobs        []BlobInfo    `json:"blobs"`
}

// BlobInfo describes one stored model blob.
type BlobInfo struct {
	Name   string `json:"name"`
	Size   int    `json:"size"`
	Chunks int    `json:"chunks"`
	CRC32  uint32 `json:"crc32"`
}

func versionPrefix(id string) []byte { return []byte(keyVersions + id + "/") }

func manifestKey(id string) []byte { return []byte(keyVersions + id + "/" + manifestSuffix) }

func chunkKey(id, blob string, chunk int) []byte {
	k := []byte(keyVersions + id + "/blob/" + blob + "/")
	return binary.BigEndian.AppendUint32(k, uint32(chunk))
}

// blob is a serialised model with its name.
type blob struct {
	name string
	data []byte
}

// writeBlobs writes every blob in chunks of at most chunkSize bytes and
// returns their descriptions. It checks ctx between blobs, so a cancelled
// training leaves a partial version behind, as a crash would.
func writeBlobs(ctx context.Context, db *badger.DB, id string, blobs []blob, chunkSize int, progress func(done int)) ([]BlobInfo, error) {
	infos := make([]BlobInfo, 0, len(blobs))
	for i, b := range blobs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("write model %s of version %s: %w", b.name, id, err)
		}
		wb := db.NewWriteBatch()
		chunks := 0
		for off := 0; off < len(b.data) || chunks == 0; off += chunkSize {
			end := min(off+chunkSize, len(b.data))
			if err := wb.Set(chunkKey(id, b.name, chunks), b.data[off:end]); err != nil {
				wb.Cancel()
				return nil, fmt.Errorf("write model %s of version %s, chunk %d: %w", b.name, id, chunks, err)
			}
			chunks++
		}
		if err := wb.Flush(); err != nil {
			return nil, fmt.Errorf("write model %s of version %s: %w", b.name, id, err)
		}
		infos = append(infos, BlobInfo{Name: b.name, Size: len(b.data), Chunks: chunks, CRC32: crc32.ChecksumIEEE(b.data)})
		if progress != nil {
			progress(i + 1)
		}
	}
	return infos, nil
}

// commitVersion writes the manifest of v and points current at it, in one
// transaction: readers see either the old version or the complete new one.
func commitVersion(db *badger.DB, v Version) error {
	manifest, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode manifest of version %s: %w", v.ID, err)
	}
	err = db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(manifestKey(v.ID), manifest); err != nil {
			return err
		}
		return txn.Set([]byte(keyCurrent), []byte(v.ID))
	})
	if err != nil {
		return fmt.Errorf("commit model version %s: %w", v.ID, err)
	}
	return nil
}

// errNoVersion reports a store without a committed model version.
var errNoVersion = errors.New("no trained recommendation models")

// currentVersion returns the id of the serving version, or errNoVersion.
func currentVersion(db *badger.DB) (string, error) {
	var id string
	err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keyCurrent))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return errNoVersion
		}
		if err != nil {
			return err
		}
		v, err := item.ValueCopy(nil)
		id = string(v)
		return err
	})
	if err != nil && !errors.Is(err, errNoVersion) {
		return "", fmt.Errorf("read the current model version: %w", err)
	}
	return id, err
}

// readVersion reads the manifest and every blob of version id, checking
// sizes and checksums.
func readVersion(db *badger.DB, id string) (Version, map[string][]byte, error) {
	var v Version
	blobs := make(map[string][]byte)
	err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(manifestKey(id))
		if err != nil {
			return fmt.Errorf("read manifest: %w", err)
		}
		raw, err := item.ValueCopy(nil)
		if err != nil {
			return fmt.Errorf("read manifest: %w", err)
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("decode manifest: %w", err)
		}
		for _, b := range v.Blobs {
			data := make([]byte, 0, b.Size)
			for c := range b.Chunks {
				item, err := txn.Get(chunkKey(id, b.Name, c))
				if err != nil {
					return fmt.Errorf("read model %s, chunk %d: %w", b.Name, c, err)
				}
				err = item.Value(func(val []byte) error {
					data = append(data, val...)
					return nil
				})
				if err != nil {
					return fmt.Errorf("read model %s, chunk %d: %w", b.Name, c, err)
				}
			}
			if len(data) != b.Size || crc32.ChecksumIEEE(data) != b.CRC32 {
				return fmt.Errorf("model %s is corrupt: %d bytes, CRC-32 %08x; the manifest records %d bytes, %08x",
					b.Name, len(data), crc32.ChecksumIEEE(data), b.Size, b.CRC32)
			}
			blobs[b.Name] = data
		}
		return nil
	})
	if err != nil {
		return Version{}, nil, fmt.Errorf("load model version %s: %w; retrain with \"shopsight train recommend\"", id, err)
	}
	return v, blobs, nil
}

// storedVersion is a version id found in the key family.
type storedVersion struct {
	id       string
	complete bool
}

// listVersions returns every version in the store, oldest first.
func listVersions(db *badger.DB) ([]storedVersion, error) {
	found := make(map[string]bool)
	err := db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = []byte(keyVersions)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			rest := strings.TrimPrefix(string(it.Item().Key()), keyVersions)
			id, tail, _ := strings.Cut(rest, "/")
			found[id] = found[id] || tail == manifestSuffix
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list model versions: %w", err)
	}
	out := make([]storedVersion, 0, len(found))
	for id, complete := range found {
		out = append(out, storedVersion{id, complete})
	}
	slices.SortFunc(out, func(a, b storedVersion) int { return strings.Compare(a.id, b.id) })
	return out, nil
}

// deleteVersion removes every key of version id.
func deleteVersion(db *badger.DB, id string) error {
	var keys [][]byte
	err := db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = versionPrefix(id)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete model version %s: %w", id, err)
	}
	wb := db.NewWriteBatch()
	for _, k := range keys {
		if err := wb.Delete(k); err != nil {
			wb.Cancel()
			return fmt.Errorf("delete model version %s: %w", id, err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("delete model version %s: %w", id, err)
	}
	return nil
}

// cleanPartial deletes every version without a manifest. Call it only when
// no training runs, because a running training's version has no manifest
// yet. It returns the deleted ids.
func cleanPartial(db *badger.DB) ([]string, error) {
	versions, err := listVersions(db)
	if err != nil {
		return nil, err
	}
	var deleted []string
	for _, v := range versions {
		if v.complete {
			continue
		}
		if err := deleteVersion(db, v.id); err != nil {
			return deleted, err
		}
		deleted = append(deleted, v.id)
	}
	return deleted, nil
}

// prune deletes the oldest complete versions beyond keep, never current,
// and the partial versions older than current. It returns the deleted ids.
func prune(db *badger.DB, current string, keep int) ([]string, error) {
	versions, err := listVersions(db)
	if err != nil {
		return nil, err
	}
	var complete []string
	var deleted []string
	for _, v := range versions {
		switch {
		case v.complete:
			complete = append(complete, v.id)
		case v.id < current:
			if err := deleteVersion(db, v.id); err != nil {
				return deleted, err
			}
			deleted = append(deleted, v.id)
		}
	}
	excess := len(complete) - keep
	for _, id := range complete {
		if excess <= 0 {
			break
		}
		if id == current {
			continue
		}
		if err := deleteVersion(db, id); err != nil {
			return deleted, err
		}
		deleted = append(deleted, id)
		excess--
	}
	return deleted, nil
}
