package storage

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// ErrDiskFull reports a data directory whose file system has less free
// space than Options.MinFreeBytes. Writes fail with it until space is freed;
// reads keep working.
var ErrDiskFull = errors.New("not enough free disk space")

// minFreeBytes returns the free space a write requires. Badger writes its
// memtable log (2 × MemTableSize) and its value log through memory maps, and
// a write into a mapped page that the file system cannot back kills the
// process with SIGBUS instead of returning an error. The default therefore
// keeps room for one full memtable log plus 16 MiB for tables that a flush
// writes.
func (o Options) minFreeBytes() int64 {
	if o.MinFreeBytes != 0 {
		return o.MinFreeBytes
	}
	return 2*o.MemTableSize + 16<<20
}

// CheckFreeSpace returns an error wrapping ErrDiskFull when the file system
// of the data directory has less free space than the store requires for a
// write. Record writes call it before each transaction; packages that write
// their own key families through DB() should call it too. In-memory stores
// and a negative MinFreeBytes skip the check.
//
// NOTE: the check runs before a transaction, not inside Badger, so a
// compaction or another process that fills the disk after it can still
// reach the SIGBUS described at minFreeBytes.
func (s *Store) CheckFreeSpace() error {
	need := s.opts.minFreeBytes()
	if s.opts.InMemory || need < 0 {
		return nil
	}
	var st unix.Statfs_t
	if err := unix.Statfs(s.opts.Dir, &st); err != nil {
		return fmt.Errorf("check free space of data directory %s: %w", s.opts.Dir, err)
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	if free < need {
		return fmt.Errorf("%w: data directory %s has %d bytes free, writes need at least %d; free disk space, then retry (reads still work)",
			ErrDiskFull, s.opts.Dir, free, need)
	}
	return nil
}
