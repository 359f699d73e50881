package storage

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

func TestOpenMustExistRejects(t *testing.T) {
	unrelated := t.TempDir()
	if err := os.WriteFile(filepath.Join(unrelated, "notes.txt"), []byte("not a store"), 0o644); err != nil {
		t.Fatal(err)
	}
	plainBadger := t.TempDir()
	db, err := badger.Open(badger.DefaultOptions(plainBadger).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		dir    string
		reason string
	}{
		{"missing directory", filepath.Join(t.TempDir(), "no", "such", "dir"), "it does not exist"},
		{"unrelated files", unrelated, "it has no Badger MANIFEST file"},
		{"badger without schema", plainBadger, "its Badger database has no ShopSight schema version"},
		{"regular file", file, "it is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadDir(tt.dir)
			s, err := Open(DefaultOptions(tt.dir).WithLogger(quietLogger()).WithMustExist(true))
			if err == nil {
				s.Close()
				t.Fatal("Open returned no error")
			}
			if !errors.Is(err, ErrNoStore) {
				t.Errorf("error = %v, want ErrNoStore", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "data directory "+tt.dir+" has no ShopSight store") {
				t.Errorf("error %q does not start with the directory", msg)
			}
			if !strings.Contains(msg, tt.reason) {
				t.Errorf("error %q does not give the reason %q", msg, tt.reason)
			}
			if !strings.Contains(msg, "shopsight demo --data "+tt.dir) {
				t.Errorf("error %q does not give the fix", msg)
			}
			if tt.name == "missing directory" {
				if _, err := os.Stat(tt.dir); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("Open created %s: stat error %v", tt.dir, err)
				}
			}
			if tt.name == "unrelated files" {
				after, _ := os.ReadDir(tt.dir)
				if len(after) != len(before) {
					t.Errorf("Open changed %s: %d entries before, %d after", tt.dir, len(before), len(after))
				}
			}
		})
	}
}

func TestOpenMustExistAcceptsStore(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(DefaultOptions(dir).WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(DefaultOptions(dir).WithLogger(quietLogger()).WithMustExist(true))
	if err != nil {
		t.Fatalf("Open existing store: %v", err)
	}
	s.Close()
}
