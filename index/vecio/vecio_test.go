package vecio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

func TestFvecsRoundTrip(t *testing.T) {
	want := [][]float32{{1, -2.5, 3}, {0, 1e-7, -1e30}}
	path := filepath.Join(t.TempDir(), "base.fvecs")
	if err := WriteFvecsFile(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFvecsFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("read %d vectors, want %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("vector %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestIvecsRoundTrip(t *testing.T) {
	want := [][]int32{{5, 1, -1, 7}, {0, 2, 3, 4}}
	var buf bytes.Buffer
	if err := WriteIvecs(&buf, want); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 2*(4+16) {
		t.Errorf("encoded %d bytes, want 40", buf.Len())
	}
	if dim := binary.LittleEndian.Uint32(buf.Bytes()); dim != 4 {
		t.Errorf("first dimension field = %d, want 4 little-endian", dim)
	}
	got, err := ReadIvecs(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("vector %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestReadEmptyStream(t *testing.T) {
	got, err := ReadFvecs(bytes.NewReader(nil))
	if err != nil || len(got) != 0 {
		t.Errorf("ReadFvecs of empty input = %v, %v; want no vectors, no error", got, err)
	}
}

func TestReadRejectsMalformed(t *testing.T) {
	var good bytes.Buffer
	if err := WriteFvecs(&good, [][]float32{{1, 2, 3}, {4, 5, 6}}); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	withDim := func(dim int32) []byte {
		b := bytes.Clone(good.Bytes())
		le.PutUint32(b[16:], uint32(dim))
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"truncated dimension", good.Bytes()[:18]},
		{"truncated values", good.Bytes()[:good.Len()-2]},
		{"dimension zero", withDim(0)},
		{"negative dimension", withDim(-3)},
		{"huge dimension", withDim(MaxDim + 1)},
		{"dimension changes", withDim(2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ReadFvecs(bytes.NewReader(tc.data)); !errors.Is(err, ErrFormat) {
				t.Errorf("ReadFvecs error = %v, want ErrFormat", err)
			}
			if _, err := ReadIvecs(bytes.NewReader(tc.data)); !errors.Is(err, ErrFormat) {
				t.Errorf("ReadIvecs error = %v, want ErrFormat", err)
			}
		})
	}
}

func TestWriteRejectsRaggedVectors(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteFvecs(&buf, [][]float32{{1, 2}, {3}}); err == nil {
		t.Error("WriteFvecs accepted vectors of different dimensions")
	}
	if err := WriteIvecs(&buf, [][]int32{{}}); err == nil {
		t.Error("WriteIvecs accepted an empty vector")
	}
}
