//go:build unix

package safetensors

import (
	"fmt"
	"math"
	"os"
	"syscall"
)

// mmapFile maps the file read-only. A file too large for an int or a failed
// mapping falls back to reading it.
func mmapFile(fh *os.File, size int64) ([]byte, func() error, error) {
	if size > math.MaxInt {
		return nil, nil, errNoMmap
	}
	data, err := syscall.Mmap(int(fh.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errNoMmap, err)
	}
	return data, func() error { return syscall.Munmap(data) }, nil
}
