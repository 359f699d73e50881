package fulltext

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

const metaFile = "meta.json"

// Metadata describes an index directory. Open compares MappingVersion with
// the code's; callers compare StoreVersion with their store to decide on a
// rebuild.
type Metadata struct {
	MappingVersion int `json:"mapping_version"`
	// Products and Reviews are the document counts when the file was written.
	Products uint64 `json:"products"`
	Reviews  uint64 `json:"reviews"`
	// StoreVersion is the caller's checksum or sequence of the store the
	// index reflects, as passed to Rebuild or SetStoreVersion.
	StoreVersion string    `json:"store_version"`
	BuiltAt      time.Time `json:"built_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func readMeta(dir string) (Metadata, error) {
	var m Metadata
	raw, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("parse %s: %w", filepath.Join(dir, metaFile), err)
	}
	return m, nil
}

// writeMeta replaces the metadata file atomically (write, sync, rename).
func writeMeta(dir string, m Metadata) error {
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, metaFile)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write index metadata: %w", err)
	}
	_, err = f.Write(raw)
	err = errors.Join(err, f.Sync(), f.Close())
	if err != nil {
		return fmt.Errorf("write index metadata %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write index metadata: %w", err)
	}
	return nil
}
