package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/storage"
)

// Restore reads a backup from r into dir, which must be empty or not
// exist, and returns the backup's header. It checks the header before
// loading and the trailer's length and SHA-256 after. On any failure it
// removes what it wrote, so dir is left as it was found. Last it opens the
// restored store, which checks its schema version.
func Restore(ctx context.Context, r io.Reader, dir string) (Info, error) {
	created, err := prepareDir(dir)
	if err != nil {
		return Info{}, err
	}
	info, err := restoreInto(ctx, r, dir)
	if err != nil {
		cleanup(dir, created)
		return info, err
	}
	return info, nil
}

// prepareDir creates dir or checks that it is empty. created reports
// whether Restore made it.
func prepareDir(dir string) (created bool, err error) {
	if dir == "" {
		return false, errors.New("missing restore directory: pass a new, empty --data directory")
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return false, fmt.Errorf("create restore directory %s: %w", dir, err)
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("read restore directory %s: %w", dir, err)
	case len(entries) > 0:
		return false, fmt.Errorf("restore into %s: the directory is not empty (%d entries, such as %s); restore into a new or empty directory so no data is overwritten",
			dir, len(entries), entries[0].Name())
	}
	return false, nil
}

// cleanup removes what a failed restore wrote into dir.
func cleanup(dir string, created bool) {
	if created {
		os.RemoveAll(dir)
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

func restoreInto(ctx context.Context, r io.Reader, dir string) (Info, error) {
	header := make([]byte, headerLen)
	if _, err := io.ReadFull(r, header); err != nil {
		return Info{}, fmt.Errorf("%w: read header: %w", ErrCorrupt, err)
	}
	info, err := decodeHeader(header)
	if err != nil {
		return info, err
	}
	if info.SchemaVersion != storage.SchemaVersion {
		return info, fmt.Errorf("%w: the backup has schema version %d, this binary reads version %d; restore with the ShopSight release that wrote it",
			storage.ErrSchemaVersion, info.SchemaVersion, storage.SchemaVersion)
	}

	sum := sha256.New()
	sum.Write(header)
	body := &bodyReader{ctx: ctx, r: r, sum: sum}
	if err := load(dir, body); err != nil {
		return info, err
	}
	if err := body.verifyTrailer(); err != nil {
		return info, err
	}
	info.Bytes = headerLen + body.n + trailerLen

	// storage.Open checks the schema version key that the backup carried.
	store, err := storage.Open(storage.DefaultOptions(dir).WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return info, fmt.Errorf("open restored store in %s: %w", dir, err)
	}
	if err := store.Close(); err != nil {
		return info, err
	}
	return info, nil
}

// load streams body into a new Badger database in dir.
func load(dir string, body *bodyReader) error {
	// A nil logger silences Badger; errors come back from Load.
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil).WithNumVersionsToKeep(1))
	if err != nil {
		return fmt.Errorf("create store in %s: %w", dir, err)
	}
	loadErr := db.Load(body, 256)
	closeErr := db.Close()
	switch {
	case body.ctx.Err() != nil:
		return fmt.Errorf("restore into %s cancelled: %w", dir, body.ctx.Err())
	case loadErr != nil:
		return fmt.Errorf("%w: load the body into %s: %w", ErrCorrupt, dir, loadErr)
	case closeErr != nil:
		return fmt.Errorf("close restored store in %s: %w", dir, closeErr)
	}
	return nil
}

// bodyReader passes the body through and holds back the last trailerLen
// bytes of the input, which are the trailer once the input ends.
type bodyReader struct {
	ctx  context.Context
	r    io.Reader
	sum  hash.Hash
	n    int64
	held []byte // the last bytes read, not yet passed on
	eof  bool
	buf  []byte
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	for len(b.held) <= trailerLen && !b.eof {
		if b.buf == nil {
			b.buf = make([]byte, 64<<10)
		}
		n, err := b.r.Read(b.buf)
		b.held = append(b.held, b.buf[:n]...)
		if errors.Is(err, io.EOF) {
			b.eof = true
		} else if err != nil {
			return 0, fmt.Errorf("read backup: %w", err)
		}
	}
	avail := len(b.held) - trailerLen
	if avail <= 0 {
		return 0, io.EOF
	}
	n := copy(p, b.held[:avail])
	b.sum.Write(p[:n])
	b.n += int64(n)
	b.held = b.held[n:]
	return n, nil
}

// verifyTrailer reads what is left after the body and checks it against
// the body's length and hash.
func (b *bodyReader) verifyTrailer() error {
	// Badger stops at the end of its stream. Bytes it left unread fail
	// the trailer check, whether they belong to the body or are garbage.
	rest, err := io.ReadAll(b)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: %d bytes after the last record of the body", ErrCorrupt, len(rest))
	}
	t := b.held
	if len(t) != trailerLen || string(t[:8]) != trailerMagic {
		return fmt.Errorf("%w: the trailer is missing, so the file is truncated", ErrCorrupt)
	}
	if got := binary.BigEndian.Uint64(t[8:16]); got != uint64(b.n) {
		return fmt.Errorf("%w: the trailer gives a body of %d bytes, the file has %d", ErrCorrupt, got, b.n)
	}
	if !bytes.Equal(t[16:], b.sum.Sum(nil)) {
		return fmt.Errorf("%w: SHA-256 checksum mismatch, the file was changed or damaged after it was written", ErrCorrupt)
	}
	return nil
}

// Verify reads a whole backup from r and checks its header, length and
// SHA-256 without restoring it, for a file just downloaded.
func Verify(ctx context.Context, r io.Reader) (Info, error) {
	header := make([]byte, headerLen)
	if _, err := io.ReadFull(r, header); err != nil {
		return Info{}, fmt.Errorf("%w: read header: %w", ErrCorrupt, err)
	}
	info, err := decodeHeader(header)
	if err != nil {
		return info, err
	}
	sum := sha256.New()
	sum.Write(header)
	body := &bodyReader{ctx: ctx, r: r, sum: sum}
	if _, err := io.Copy(io.Discard, body); err != nil {
		return info, err
	}
	if err := body.verifyTrailer(); err != nil {
		return info, err
	}
	info.Bytes = headerLen + body.n + trailerLen
	return info, nil
}
