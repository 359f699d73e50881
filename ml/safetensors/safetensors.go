// Package safetensors reads tensors from files in the safetensors format: an
// 8-byte little-endian header length N, N bytes of JSON header that map each
// tensor name to its dtype, shape and byte range, then the data buffer.
//
// Open maps the file read-only where the platform supports it and reads it
// into memory otherwise. Every offset, shape and length in the header is
// checked before any tensor is exposed, so a truncated or inconsistent file
// fails at Open with an error naming the file and the tensor.
package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
)

// maxHeaderLen bounds the JSON header. The format's reference implementation
// rejects headers over 100 MB.
const maxHeaderLen = 100 << 20

// DType is a tensor's element type as the header spells it ("F32", "BF16", …).
type DType string

// Element types found in common checkpoints.
const (
	F64  DType = "F64"
	F32  DType = "F32"
	F16  DType = "F16"
	BF16 DType = "BF16"
	I64  DType = "I64"
	I32  DType = "I32"
	I16  DType = "I16"
	I8   DType = "I8"
	U8   DType = "U8"
	Bool DType = "BOOL"
)

// Size returns the element size in bytes, or 0 for a dtype this package does
// not know.
func (d DType) Size() int {
	switch d {
	case F64, I64, "U64":
		return 8
	case F32, I32, "U32":
		return 4
	case F16, BF16, I16, "U16":
		return 2
	case I8, U8, Bool, "F8_E4M3", "F8_E5M2":
		return 1
	}
	return 0
}

// Tensor describes one tensor of a file. Data is the tensor's raw
// little-endian bytes inside the file's buffer; it stays valid until the
// File is closed and must not be written to.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte
}

// NumElements returns the product of the shape (1 for a scalar).
func (t Tensor) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is an open safetensors file. Its methods are safe for concurrent use
// until Close.
type File struct {
	path     string
	data     []byte // the whole file
	unmap    func() error
	tensors  map[string]Tensor
	names    []string
	metadata map[string]string
}

// Open maps or reads path and validates its header.
func Open(path string) (*File, error) {
	data, unmap, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: open %s: %w", path, err)
	}
	f := &File{path: path, data: data, unmap: unmap}
	if err := f.parse(); err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// Close releases the file's mapping. Tensor data obtained before must not be
// used after Close.
func (f *File) Close() error {
	if f.unmap == nil {
		return nil
	}
	unmap := f.unmap
	f.unmap = nil
	f.data = nil
	if err := unmap(); err != nil {
		return fmt.Errorf("safetensors: close %s: %w", f.path, err)
	}
	return nil
}

// Path returns the path the file was opened from.
func (f *File) Path() string { return f.path }

// Bytes returns the whole file content, for example to hash it. It stays
// valid until Close.
func (f *File) Bytes() []byte { return f.data }

// Names returns the tensor names in sorted order.
func (f *File) Names() []string { return append([]string(nil), f.names...) }

// Metadata returns the header's "__metadata__" map (nil when absent).
func (f *File) Metadata() map[string]string { return f.metadata }

// Tensor returns the tensor called name.
func (f *File) Tensor(name string) (Tensor, bool) {
	t, ok := f.tensors[name]
	return t, ok
}

// Float32s returns a new slice with the elements of the tensor called name
// converted to float32. F32, F16 and BF16 tensors are supported.
func (f *File) Float32s(name string) ([]float32, error) {
	t, ok := f.tensors[name]
	if !ok {
		return nil, fmt.Errorf("safetensors: %s: tensor %q not found", f.path, name)
	}
	out, err := t.Float32s()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", f.path, err)
	}
	return out, nil
}

// Float32s returns a new slice with the tensor's elements converted to
// float32. F32, F16 and BF16 tensors are supported.
func (t Tensor) Float32s() ([]float32, error) {
	n := t.NumElements()
	out := make([]float32, n)
	switch t.DType {
	case F32:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
		}
	case F16:
		for i := range out {
			out[i] = Float16ToFloat32(binary.LittleEndian.Uint16(t.Data[2*i:]))
		}
	case BF16:
		for i := range out {
			out[i] = BFloat16ToFloat32(binary.LittleEndian.Uint16(t.Data[2*i:]))
		}
	default:
		return nil, fmt.Errorf("tensor %q has dtype %s; only F32, F16 and BF16 convert to float32", t.Name, t.DType)
	}
	return out, nil
}

// headerEntry is one tensor's record in the JSON header.
type headerEntry struct {
	DType       DType    `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

func (f *File) parse() error {
	size := int64(len(f.data))
	if size < 8 {
		return fmt.Errorf("safetensors: %s: file is %d bytes, shorter than the 8-byte header length; the file is truncated or not a safetensors file", f.path, size)
	}
	headerLen := binary.LittleEndian.Uint64(f.data[:8])
	if headerLen > maxHeaderLen {
		return fmt.Errorf("safetensors: %s: header length %d exceeds the maximum of %d bytes; the file is corrupt or not a safetensors file", f.path, headerLen, maxHeaderLen)
	}
	if int64(headerLen) > size-8 {
		return fmt.Errorf("safetensors: %s: header length %d is beyond the end of the %d-byte file; the file is truncated", f.path, headerLen, size)
	}
	header := f.data[8 : 8+headerLen]
	buffer := f.data[8+headerLen:]

	var raw map[string]json.RawMessage
	if err := json.Unmarshal(header, &raw); err != nil {
		return fmt.Errorf("safetensors: %s: invalid JSON header: %w", f.path, err)
	}

	f.tensors = make(map[string]Tensor, len(raw))
	type span struct {
		name       string
		begin, end int64
	}
	spans := make([]span, 0, len(raw))
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.metadata); err != nil {
				return fmt.Errorf("safetensors: %s: invalid __metadata__ (expected a string-to-string map): %w", f.path, err)
			}
			continue
		}
		var e headerEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return fmt.Errorf("safetensors: %s: tensor %q: invalid header entry: %w", f.path, name, err)
		}
		t, err := f.checkEntry(name, e, int64(len(buffer)))
		if err != nil {
			return err
		}
		t.Data = buffer[e.DataOffsets[0]:e.DataOffsets[1]:e.DataOffsets[1]]
		f.tensors[name] = t
		f.names = append(f.names, name)
		spans = append(spans, span{name, e.DataOffsets[0], e.DataOffsets[1]})
	}
	sort.Strings(f.names)

	sort.Slice(spans, func(i, j int) bool {
		if spans[i].begin != spans[j].begin {
			return spans[i].begin < spans[j].begin
		}
		return spans[i].end < spans[j].end
	})
	// widest is the non-empty span seen so far that reaches furthest, so a
	// span nested in an earlier long one is caught too.
	var widest *span
	for i := range spans {
		cur := &spans[i]
		if cur.end == cur.begin {
			continue
		}
		if widest != nil && cur.begin < widest.end {
			return fmt.Errorf("safetensors: %s: tensor %q bytes [%d, %d) overlap tensor %q bytes [%d, %d); the header is corrupt",
				f.path, cur.name, cur.begin, cur.end, widest.name, widest.begin, widest.end)
		}
		if widest == nil || cur.end > widest.end {
			widest = cur
		}
	}
	return nil
}

// checkEntry validates one header entry against the data buffer's length.
func (f *File) checkEntry(name string, e headerEntry, bufferLen int64) (Tensor, error) {
	if e.DType == "" {
		return Tensor{}, fmt.Errorf("safetensors: %s: tensor %q has no dtype", f.path, name)
	}
	elemSize := e.DType.Size()
	if elemSize == 0 {
		return Tensor{}, fmt.Errorf("safetensors: %s: tensor %q has unknown dtype %q", f.path, name, e.DType)
	}
	elements := int64(1)
	for _, d := range e.Shape {
		if d < 0 {
			return Tensor{}, fmt.Errorf("safetensors: %s: tensor %q has negative dimension in shape %v", f.path, name, e.Shape)
		}
		if d > 0 && elements > math.MaxInt64/int64(d)/int64(elemSize) {
			return Tensor{}, fmt.Errorf("safetensors: %s: tensor %q shape %v overflows", f.path, name, e.Shape)
		}
		elements *= int64(d)
	}
	begin, end := e.DataOffsets[0], e.DataOffsets[1]
	if begin < 0 || end < begin {
		return Tensor{}, fmt.Errorf("safetensors: %s: tensor %q has invalid data_offsets [%d, %d]", f.path, name, begin, end)
	}
	if end > bufferLen {
		return Tensor{}, fmt.Errorf("safetensors: %s: tensor %q data_offsets [%d, %d] exceed the %d-byte data buffer; the file is truncated or corrupt",
			f.path, name, begin, end, bufferLen)
	}
	if want := elements * int64(elemSize); end-begin != want {
		return Tensor{}, fmt.Errorf("safetensors: %s: tensor %q has %d data bytes but dtype %s and shape %v need %d",
			f.path, name, end-begin, e.DType, e.Shape, want)
	}
	shape := e.Shape
	if shape == nil {
		shape = []int{}
	}
	return Tensor{Name: name, DType: e.DType, Shape: shape}, nil
}

// errNoMmap reports that the platform or file cannot be mapped, so readFile
// falls back to reading it.
var errNoMmap = errors.New("mmap not available")

// readFile maps path or, where mapping is not available, reads it whole.
func readFile(path string) ([]byte, func() error, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return nil, nil, err
	}
	if info.Size() > 0 && info.Mode().IsRegular() {
		data, unmap, err := mmapFile(fh, info.Size())
		if err == nil {
			return data, unmap, nil
		}
		if !errors.Is(err, errNoMmap) {
			return nil, nil, err
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return nil }, nil
}
