package safetensors

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
)

// Float32Tensor returns an F32 Tensor holding values with the given shape, for
// Write.
func Float32Tensor(name string, shape []int, values []float32) Tensor {
	data := make([]byte, 4*len(values))
	for i, v := range values {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(v))
	}
	return Tensor{Name: name, DType: F32, Shape: slices.Clone(shape), Data: data}
}

// Write writes tensors in the safetensors format: the header lists them
// with metadata, padded with spaces to a multiple of 8 bytes, and the data
// follows in the order given, with no gaps.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header := make(map[string]any, len(tensors)+1)
	if metadata != nil {
		header["__metadata__"] = metadata
	}
	offset := 0
	for _, t := range tensors {
		if _, dup := header[t.Name]; dup || t.Name == "" {
			return fmt.Errorf("safetensors: write: tensor name %q is empty, duplicate or reserved", t.Name)
		}
		if want := t.NumElements() * t.DType.Size(); want != len(t.Data) || t.DType.Size() == 0 {
			return fmt.Errorf("safetensors: write: tensor %q has %d data bytes, but dtype %s and shape %v need %d", t.Name, len(t.Data), t.DType, t.Shape, want)
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[t.Name] = headerEntry{DType: t.DType, Shape: shape, DataOffsets: [2]int64{int64(offset), int64(offset + len(t.Data))}}
		offset += len(t.Data)
	}
	h, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("safetensors: write: encode header: %w", err)
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	bw := bufio.NewWriter(w)
	_ = binary.Write(bw, binary.LittleEndian, uint64(len(h)))
	_, _ = bw.Write(h)
	for _, t := range tensors {
		_, _ = bw.Write(t.Data)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("safetensors: write: %w", err)
	}
	return nil
}

// WriteFile writes tensors to path with Write.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if err := Write(f, tensors, metadata); err != nil {
		f.Close()
		return fmt.Errorf("%w (file %s)", err, path)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("safetensors: close %s: %w", path, err)
	}
	return nil
}
