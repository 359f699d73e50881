package storage

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// dirUsage sums the disk usage of Badger's .sst and .vlog files in dir.
// It reads the directory at each call, unlike badger.DB.Size, which
// refreshes once a minute and reports a value log's apparent size: Badger
// preallocates each value log file sparsely (2 GiB by default), so the
// apparent size overstates the space used. Badger keeps these files
// directly in dir, so subdirectories are not read.
func dirUsage(dir string) (lsm, vlog int64) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		name := e.Name()
		switch {
		case strings.HasSuffix(name, ".sst"):
			lsm += diskUsage(filepath.Join(dir, name))
		case strings.HasSuffix(name, ".vlog"):
			vlog += diskUsage(filepath.Join(dir, name))
		}
	}
	return lsm, vlog
}

// diskUsage returns the bytes allocated to the file at path (its blocks
// times 512, as stat(2) counts them), so that a sparse file counts only
// its written parts. It returns 0 for a file that compaction removed
// since the directory was read.
func diskUsage(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return int64(st.Blocks) * 512
	}
	return info.Size()
}
