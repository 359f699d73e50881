package backup

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/shopsight/shopsight/storage"
)

// Backup writes every live key of store to w, as of one read timestamp, so
// writes that run meanwhile are either wholly in the backup or not at all.
// Cancelling ctx stops the backup with ctx's error; w then holds a partial
// backup that Restore rejects.
func Backup(ctx context.Context, store *storage.Store, w io.Writer) (Info, error) {
	info := Info{FormatVersion: FormatVersion, SchemaVersion: storage.SchemaVersion, Created: time.Now().UTC()}
	bw := bufio.NewWriterSize(w, 256<<10)
	sum := sha256.New()
	header := encodeHeader(info)
	sum.Write(header)
	if _, err := bw.Write(header); err != nil {
		return info, fmt.Errorf("write backup header: %w", err)
	}

	body := &bodyWriter{ctx: ctx, w: bw, sum: sum}
	stream := store.DB().NewStream()
	stream.LogPrefix = "shopsight backup"
	// Each stream producer reads in its own transaction, so several
	// producers would copy key ranges at different times and the backup
	// could hold an order without its counter update. One producer reads
	// every range at one timestamp (Badger v4.9.6, stream.go produceKVs).
	stream.NumGo = 1
	if _, err := stream.Backup(body, 0); err != nil {
		if ctx.Err() != nil {
			return info, fmt.Errorf("backup of store in %s cancelled: %w", store.Dir(), ctx.Err())
		}
		return info, fmt.Errorf("stream store in %s to the backup: %w", store.Dir(), err)
	}

	if _, err := bw.Write(encodeTrailer(uint64(body.n), sum.Sum(nil))); err != nil {
		return info, fmt.Errorf("write backup trailer: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return info, fmt.Errorf("write backup: %w", err)
	}
	info.Bytes = headerLen + body.n + trailerLen
	return info, nil
}

// bodyWriter hashes and counts the Badger stream and fails once ctx is
// done, which is how a cancellation reaches Badger's stream.
type bodyWriter struct {
	ctx context.Context
	w   io.Writer
	sum hash.Hash
	n   int64
}

func (b *bodyWriter) Write(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := b.w.Write(p)
	b.sum.Write(p[:n])
	b.n += int64(n)
	return n, err
}
