// Package vecio reads and writes the .fvecs and .ivecs formats of the
// TEXMEX ANN benchmark sets (SIFT1M, GIST1M): each vector is a
// little-endian int32 dimension followed by that many little-endian
// float32 (.fvecs) or int32 (.ivecs) values. Every vector in a file must
// have the same dimension.
package vecio

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// MaxDim bounds the dimension a reader accepts, so a corrupt length field
// cannot make it allocate gigabytes.
const MaxDim = 1 << 20

// ErrFormat reports a malformed or truncated file. Errors from the readers
// wrap it, so test with errors.Is.
var ErrFormat = errors.New("vecio: malformed vector file")

// ReadFvecs reads every vector from an .fvecs stream.
func ReadFvecs(r io.Reader) ([][]float32, error) {
	var out [][]float32
	err := readVectors(r, func(raw []byte, dim int) {
		v := make([]float32, dim)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		out = append(out, v)
	})
	return out, err
}

// ReadIvecs reads every vector from an .ivecs stream, such as the
// ground-truth neighbour ids of a benchmark set.
func ReadIvecs(r io.Reader) ([][]int32, error) {
	var out [][]int32
	err := readVectors(r, func(raw []byte, dim int) {
		v := make([]int32, dim)
		for i := range v {
			v[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		out = append(out, v)
	})
	return out, err
}

// readVectors calls add with the raw values of each vector in r.
func readVectors(r io.Reader, add func(raw []byte, dim int)) error {
	br := bufio.NewReaderSize(r, 1<<16)
	var header [4]byte
	var raw []byte
	firstDim := -1
	var offset int64
	for index := 0; ; index++ {
		n, err := io.ReadFull(br, header[:])
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: vector %d at byte %d: dimension field truncated after %d of 4 bytes", ErrFormat, index, offset, n)
		}
		dim := int(int32(binary.LittleEndian.Uint32(header[:])))
		if dim <= 0 || dim > MaxDim {
			return fmt.Errorf("%w: vector %d at byte %d: invalid dimension %d, expected 1..%d", ErrFormat, index, offset, dim, MaxDim)
		}
		if firstDim >= 0 && dim != firstDim {
			return fmt.Errorf("%w: vector %d at byte %d: dimension %d differs from the first vector's %d", ErrFormat, index, offset, dim, firstDim)
		}
		firstDim = dim
		if cap(raw) < 4*dim {
			raw = make([]byte, 4*dim)
		}
		raw = raw[:4*dim]
		if n, err := io.ReadFull(br, raw); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return fmt.Errorf("%w: vector %d at byte %d: truncated after %d of %d value bytes", ErrFormat, index, offset, n, 4*dim)
			}
			return fmt.Errorf("vecio: read vector %d at byte %d: %w", index, offset, err)
		}
		add(raw, dim)
		offset += 4 + int64(4*dim)
	}
}

// WriteFvecs writes vectors in .fvecs format. All vectors must have the same, non-zero length.
func WriteFvecs(w io.Writer, vectors [][]float32) error {
	return writeVectors(w, len(vectors), func(i int) int { return len(vectors[i]) }, func(buf []byte, i int) {
		for j, x := range vectors[i] {
			binary.LittleEndian.PutUint32(buf[4*j:], math.Float32bits(x))
		}
	})
}

// WriteIvecs writes vectors in .ivecs format. All vectors must have the same, non-zero length.
func WriteIvecs(w io.Writer, vectors [][]int32) error {
	return writeVectors(w, len(vectors), func(i int) int { return len(vectors[i]) }, func(buf []byte, i int) {
		for j, x := range vectors[i] {
			binary.LittleEndian.PutUint32(buf[4*j:], uint32(x))
		}
	})
}

func writeVectors(w io.Writer, count int, dimOf func(int) int, encode func([]byte, int)) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var buf []byte
	for i := range count {
		dim := dimOf(i)
		if dim == 0 || dim > MaxDim || (i > 0 && dim != dimOf(0)) {
			return fmt.Errorf("vecio: vector %d has dimension %d: every vector needs the same dimension in 1..%d", i, dim, MaxDim)
		}
		if cap(buf) < 4+4*dim {
			buf = make([]byte, 4+4*dim)
		}
		buf = buf[:4+4*dim]
		binary.LittleEndian.PutUint32(buf, uint32(dim))
		encode(buf[4:], i)
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("vecio: write vector %d: %w", i, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("vecio: flush: %w", err)
	}
	return nil
}

// ReadFvecsFile reads an .fvecs file.
func ReadFvecsFile(path string) ([][]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vecio: %w", err)
	}
	defer f.Close()
	v, err := ReadFvecs(f)
	if err != nil {
		return nil, fmt.Errorf("vecio: read %s: %w", path, err)
	}
	return v, nil
}

// ReadIvecsFile reads an .ivecs file.
func ReadIvecsFile(path string) ([][]int32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vecio: %w", err)
	}
	defer f.Close()
	v, err := ReadIvecs(f)
	if err != nil {
		return nil, fmt.Errorf("vecio: read %s: %w", path, err)
	}
	return v, nil
}

// WriteFvecsFile writes vectors to path in .fvecs format.
func WriteFvecsFile(path string, vectors [][]float32) error {
	return writeFile(path, func(w io.Writer) error { return WriteFvecs(w, vectors) })
}

// WriteIvecsFile writes vectors to path in .ivecs format.
func WriteIvecsFile(path string, vectors [][]int32) error {
	return writeFile(path, func(w io.Writer) error { return WriteIvecs(w, vectors) })
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("vecio: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("vecio: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("vecio: close %s: %w", path, err)
	}
	return nil
}
