package hnsw

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	base, queries := testData(1500, 20, 24)
	opts := testOptions().WithMetadata("model=all-MiniLM-L6-v2").WithSeed(5)
	ix := buildIndex(t, base, opts)
	for i := 0; i < 100; i++ {
		ix.Delete(uint64(i * 7))
	}
	path := filepath.Join(t.TempDir(), "products.hnsw")
	if err := ix.Save(context.Background(), path); err != nil {
		t.Fatalf("Save: %v", err)
	}
	loaded, err := Load(context.Background(), path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	if loaded.Metadata() != opts.Metadata {
		t.Errorf("Metadata = %q, want %q", loaded.Metadata(), opts.Metadata)
	}
	if loaded.Options() != ix.Options() {
		t.Errorf("Options = %+v, want %+v", loaded.Options(), ix.Options())
	}
	if loaded.Len() != ix.Len() || loaded.Tombstones() != ix.Tombstones() {
		t.Errorf("Len, Tombstones = %d, %d; want %d, %d", loaded.Len(), loaded.Tombstones(), ix.Len(), ix.Tombstones())
	}
	for i, q := range queries {
		want, _ := ix.Search(q, 10, 0, nil)
		got, err := loaded.Search(q, 10, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("query %d after Load = %v, want %v", i, got, want)
		}
	}
	if err := loaded.Add(99999, base[0]); err != nil {
		t.Errorf("Add after Load: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp-*"))
	if len(matches) != 0 {
		t.Errorf("Save left temporary files: %v", matches)
	}
}

func TestSaveLoadEmptyIndex(t *testing.T) {
	ix, err := New(8, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := ix.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := Read(context.Background(), &buf)
	if err != nil {
		t.Fatalf("Read of an empty index: %v", err)
	}
	if loaded.Len() != 0 || loaded.Dim() != 8 {
		t.Errorf("Len, Dim = %d, %d; want 0, 8", loaded.Len(), loaded.Dim())
	}
}

func TestReadRejectsDamagedFiles(t *testing.T) {
	base, _ := testData(200, 1, 8)
	ix := buildIndex(t, base, testOptions().WithMetadata("m"))
	var buf bytes.Buffer
	if _, err := ix.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	headerLen := len(fileMagic) + fixedHeaderLen + 1 + 16

	flip := func(at int) []byte {
		b := bytes.Clone(good)
		b[at] ^= 0x40
		return b
	}
	withVersion := func(v uint16) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint16(b[len(fileMagic):], v)
		return b
	}
	// badEntry rewrites the entry point to a missing node and fixes the
	// header checksum, so only the structural check can catch it.
	badEntry := func() []byte {
		b := bytes.Clone(good)
		entryAt := len(fileMagic) + 45
		binary.LittleEndian.PutUint64(b[entryAt:], packEntry(5000, 0))
		crc := crc32.ChecksumIEEE(b[len(fileMagic) : headerLen-4])
		binary.LittleEndian.PutUint32(b[headerLen-4:], crc)
		return b
	}

	for _, tc := range []struct {
		name    string
		data    []byte
		version bool
	}{
		{"empty", nil, false},
		{"wrong magic", flip(0), false},
		{"truncated in header", good[:20], false},
		{"truncated in metadata", good[:headerLen-10], false},
		{"truncated in body", good[:len(good)/2], false},
		{"last byte missing", good[:len(good)-1], false},
		{"flipped header byte", flip(len(fileMagic) + 4), false},
		{"flipped body byte", flip(headerLen + 100), false},
		{"flipped last byte", flip(len(good) - 1), false},
		{"entry point out of range", badEntry(), false},
		{"newer version", withVersion(fileVersion + 1), true},
		{"version 0", withVersion(0), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read(context.Background(), bytes.NewReader(tc.data))
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Read error = %v, want ErrCorrupt", err)
			}
			if got != nil {
				t.Errorf("Read returned an index along with error %v", err)
			}
			if tc.version && !errors.Is(err, ErrVersion) {
				t.Errorf("Read error = %v, want ErrVersion", err)
			}
		})
	}
}

func TestLoadDamagedFileKeepsNothing(t *testing.T) {
	base, _ := testData(100, 1, 8)
	ix := buildIndex(t, base, testOptions())
	path := filepath.Join(t.TempDir(), "i.hnsw")
	if err := ix.Save(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data[:len(data)-3], 0o600); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(context.Background(), path)
	if !errors.Is(err, ErrCorrupt) || loaded != nil {
		t.Errorf("Load of a truncated file = %v, %v; want nil and ErrCorrupt", loaded, err)
	}
}
