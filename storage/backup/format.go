// Package backup writes a ShopSight store to one file and restores it into
// a new directory.
//
// A backup is Badger's backup stream (length-prefixed protobuf KV lists, as
// DB.Backup writes them) between a header and a trailer:
//
//	header   8 bytes  magic "SSBACKUP"
//	         4 bytes  format version, big-endian (FormatVersion)
//	         4 bytes  storage.SchemaVersion of the store, big-endian
//	         8 bytes  creation time, Unix nanoseconds, big-endian
//	body     Badger's backup stream of every live key at one read timestamp
//	trailer  8 bytes  magic "SSBAKEND"
//	         8 bytes  body length in bytes, big-endian
//	        32 bytes  SHA-256 of header and body
//
// Backup runs online: Badger streams a consistent snapshot while writes go
// on. Only what is in Badger is saved. The full-text and vector indexes live
// in files beside it, so a server started on the restored directory finds
// them missing and rebuilds them.
package backup

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// FormatVersion is the version of the file layout that this package writes
// and reads.
const FormatVersion uint32 = 1

const (
	headerMagic  = "SSBACKUP"
	trailerMagic = "SSBAKEND"
	headerLen    = 8 + 4 + 4 + 8
	trailerLen   = 8 + 8 + 32
)

// ErrCorrupt reports a backup file that is truncated, damaged or not a
// backup.
var ErrCorrupt = errors.New("corrupt backup")

// Info describes a backup.
type Info struct {
	FormatVersion uint32
	SchemaVersion uint32
	Created       time.Time
	// Bytes is the size of the whole backup, header and trailer included.
	Bytes int64
}

func encodeHeader(h Info) []byte {
	b := make([]byte, 0, headerLen)
	b = append(b, headerMagic...)
	b = binary.BigEndian.AppendUint32(b, h.FormatVersion)
	b = binary.BigEndian.AppendUint32(b, h.SchemaVersion)
	return binary.BigEndian.AppendUint64(b, uint64(h.Created.UnixNano()))
}

func decodeHeader(b []byte) (Info, error) {
	if len(b) < headerLen || string(b[:8]) != headerMagic {
		return Info{}, fmt.Errorf("%w: the file does not start with a ShopSight backup header", ErrCorrupt)
	}
	h := Info{
		FormatVersion: binary.BigEndian.Uint32(b[8:12]),
		SchemaVersion: binary.BigEndian.Uint32(b[12:16]),
		Created:       time.Unix(0, int64(binary.BigEndian.Uint64(b[16:24]))).UTC(),
	}
	if h.FormatVersion != FormatVersion {
		return h, fmt.Errorf("unsupported backup format version %d: this binary reads version %d; restore with the ShopSight release that wrote the backup",
			h.FormatVersion, FormatVersion)
	}
	return h, nil
}

func encodeTrailer(bodyLen uint64, sum []byte) []byte {
	b := make([]byte, 0, trailerLen)
	b = append(b, trailerMagic...)
	b = binary.BigEndian.AppendUint64(b, bodyLen)
	return append(b, sum...)
}
