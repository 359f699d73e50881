//go:build !unix

package safetensors

import "os"

// mmapFile reports that mapping is not available on this platform, so the
// file is read instead.
func mmapFile(*os.File, int64) ([]byte, func() error, error) {
	return nil, nil, errNoMmap
}
