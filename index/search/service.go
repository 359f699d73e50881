// Package search is ShopSight's search service. It owns the Bleve index of
// products and reviews (package fulltext, directory <data>/fulltext) and
// the HNSW index of product vectors (package hnsw, file
// <data>/vectors.hnsw), keeps both in step with the store by following its
// change log, and answers keyword, semantic and hybrid product searches
// with the same filters in both retrievers.
//
// Consistency: the indexes only ever apply changes that the store has
// committed, in change log order, and each records the last sequence
// number it applied (the watermark): the Bleve metadata after every applied
// batch, the HNSW file whenever it is saved. Open replays the change log
// from the lower of the two, so after a crash both indexes catch up; a
// replayed change reads the record's current state, so applying it twice is
// harmless. A missing, damaged or stale index, or a change log trimmed past
// the watermark, makes Open rebuild that index from the store.
package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopsight/shopsight/index/fulltext"
	"github.com/shopsight/shopsight/index/hnsw"
	"github.com/shopsight/shopsight/index/vectors"
	"github.com/shopsight/shopsight/storage"
)

// File names inside the data directory.
const (
	FulltextDir = "fulltext"
	VectorFile  = "vectors.hnsw"
)

// ErrClosed is returned by a closed Service.
var ErrClosed = errors.New("search: service is closed")

// errChangesTrimmed reports that the change log no longer holds the changes
// after a watermark, so the indexes must be rebuilt.
var errChangesTrimmed = errors.New("the change log was trimmed past the index watermark")

// Service is the search service. Create one with Open; it is safe for
// concurrent use, and Follow is its only writer after Open.
type Service struct {
	store *storage.Store
	dir   string
	enc   vectors.Embedder // nil without a text model
	vecs  *vectors.Store
	opts  Options
	log   *slog.Logger

	text  *fulltext.Index
	attrs *attrTable

	// modelID names the vector space of graph; "" when there is none.
	modelID string
	// graph is the vector index, nil when no product vectors exist.
	graph atomic.Pointer[hnsw.Index]

	// applyMu serializes change application, saves and Close.
	applyMu   sync.Mutex
	applied   atomic.Uint64 // watermark: the last change log sequence applied
	savedSeq  uint64        // watermark in the saved vector file
	lastSave  time.Time
	closed    atomic.Bool
	followErr int // consecutive failed polls, for log rate limiting
}

// Open loads or rebuilds the indexes under dataDir and catches them up with
// the store's change log. enc embeds query texts and changed products and
// reviews; nil disables text-to-vector search, but searches with a client
// vector still work over imported vectors (see Options.VectorModel).
func Open(ctx context.Context, store *storage.Store, dataDir string, enc vectors.Embedder, opts Options) (*Service, error) {
	if store == nil {
		return nil, errors.New("search: Open needs a store, got nil")
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := registerAnalyzers(); err != nil {
		return nil, err
	}
	vecs, err := vectors.New(store, enc, vectors.DefaultOptions().WithLogger(opts.Logger))
	if err != nil {
		return nil, err
	}
	s := &Service{store: store, dir: dataDir, enc: enc, vecs: vecs, opts: opts, log: opts.Logger}
	started := time.Now()
	s.log.Info("opening search index", "dir", dataDir)

	if s.attrs, err = loadAttrs(ctx, store); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	textSeq, err := s.openText(ctx)
	if err != nil {
		return nil, err
	}
	vecSeq, err := s.openVectors(ctx)
	if err != nil {
		s.text.Close()
		return nil, err
	}
	s.applied.Store(min(textSeq, vecSeq))
	if err := s.startUpCatchUp(ctx); err != nil {
		s.text.Close()
		return nil, err
	}
	if err := s.verify(ctx); err != nil {
		s.text.Close()
		return nil, err
	}
	if err := s.checkpoint(ctx, true); err != nil {
		s.text.Close()
		return nil, err
	}
	g := s.graph.Load()
	vectorCount := 0
	if g != nil {
		vectorCount = g.Len()
	}
	s.log.Info("search index ready", "products", len(s.attrs.products), "model", s.modelID,
		"product_vectors", vectorCount, "store_seq", s.applied.Load(), "seconds", time.Since(started).Seconds())
	return s, nil
}

// startUpCatchUp applies the changes after the watermark and rebuilds both
// indexes when the change log was trimmed past it.
func (s *Service) startUpCatchUp(ctx context.Context) error {
	err := s.CatchUp(ctx)
	if !errors.Is(err, errChangesTrimmed) {
		return err
	}
	s.log.Warn("rebuilding search indexes", "reason", err)
	seq, err := s.rebuildText(ctx)
	if err != nil {
		return err
	}
	vecSeq, err := s.rebuildVectors(ctx)
	if err != nil {
		return err
	}
	s.applied.Store(min(seq, vecSeq))
	return s.CatchUp(ctx)
}

// openText opens the Bleve index, or rebuilds it when it is missing,
// damaged or has no watermark, and returns its watermark.
func (s *Service) openText(ctx context.Context) (uint64, error) {
	dir := filepath.Join(s.dir, FulltextDir)
	x, err := fulltext.Open(dir, s.opts.Fulltext)
	switch {
	case err == nil:
		meta, err := x.Meta()
		if err != nil {
			x.Close()
			return 0, fmt.Errorf("search: read full-text index metadata: %w", err)
		}
		seq, err := parseSeq(meta.StoreVersion)
		if err == nil {
			s.text = x
			return seq, nil
		}
		// An index without a watermark cannot catch up, so it is rebuilt.
		x.Close()
	case !errors.Is(err, fulltext.ErrNeedsRebuild):
		return 0, fmt.Errorf("search: open full-text index: %w", err)
	}
	s.log.Warn("full-text index needs a rebuild", "dir", dir, "reason", err)
	if s.text, err = fulltext.Create(dir, s.opts.Fulltext); err != nil {
		return 0, fmt.Errorf("search: create full-text index: %w", err)
	}
	return s.rebuildText(ctx)
}

// rebuildText refills the Bleve index from the store and returns the
// sequence number read before the rebuild started; the changes after it
// are replayed by the catch-up.
func (s *Service) rebuildText(ctx context.Context) (uint64, error) {
	seq, err := s.store.LastSeq(ctx)
	if err != nil {
		return 0, fmt.Errorf("search: read change log position: %w", err)
	}
	started := time.Now()
	last := time.Now()
	progress := func(done, total int) {
		if time.Since(last) >= 2*time.Second || done == total {
			last = time.Now()
			s.log.Info("rebuilding full-text index", "done", done, "total", total)
		}
	}
	if err := s.text.Rebuild(ctx, s.store, formatSeq(seq), progress); err != nil {
		return 0, fmt.Errorf("search: %w", err)
	}
	s.log.Info("full-text index rebuilt", "store_seq", seq, "seconds", time.Since(started).Seconds())
	return seq, nil
}

// verify compares the index sizes with the store after the catch-up and
// rebuilds an index whose count differs.
func (s *Service) verify(ctx context.Context) error {
	counts, err := s.store.Counts(ctx)
	if err != nil {
		return fmt.Errorf("search: count store records: %w", err)
	}
	meta, err := s.text.Meta()
	if err != nil {
		return fmt.Errorf("search: read full-text index counts: %w", err)
	}
	if int64(meta.Products) != counts[storage.KindProduct] || int64(meta.Reviews) != counts[storage.KindReview] {
		s.log.Warn("full-text index is stale; rebuilding", "indexed_products", meta.Products, "store_products", counts[storage.KindProduct],
			"indexed_reviews", meta.Reviews, "store_reviews", counts[storage.KindReview])
		seq, err := s.rebuildText(ctx)
		if err != nil {
			return err
		}
		if err := s.catchUpFrom(ctx, seq); err != nil {
			return err
		}
	}
	return s.verifyVectors(ctx)
}

// Close saves the vector index with the watermark and closes the Bleve
// index. Stop Follow before calling Close. Later calls return nil.
func (s *Service) Close() error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	if s.closed.Swap(true) {
		return nil
	}
	err := s.saveLocked(context.Background())
	return errors.Join(err, s.text.Close())
}

// Watermark returns the sequence number of the last change log entry the
// indexes have applied.
func (s *Service) Watermark() uint64 { return s.applied.Load() }

// ModelID returns the model id of the product vectors, or "" when there is
// no vector index.
func (s *Service) ModelID() string { return s.modelID }

// HasTextModel reports whether the service can embed query texts.
func (s *Service) HasTextModel() bool { return s.enc != nil }

// Dimensions returns the dimension of the product vectors, or 0 when there
// is no vector index.
func (s *Service) Dimensions() int {
	if g := s.graph.Load(); g != nil {
		return g.Dim()
	}
	if s.enc != nil {
		return s.enc.Dimensions()
	}
	return 0
}

// Text returns the full-text index, for callers that search it directly.
func (s *Service) Text() *fulltext.Index { return s.text }

const seqPrefix = "seq:"

func formatSeq(seq uint64) string { return seqPrefix + strconv.FormatUint(seq, 10) }

func parseSeq(v string) (uint64, error) {
	n, err := strconv.ParseUint(strings.TrimPrefix(v, seqPrefix), 10, 64)
	if !strings.HasPrefix(v, seqPrefix) || err != nil {
		return 0, fmt.Errorf("invalid store version %q in the index metadata: want %q and a change log sequence number", v, seqPrefix)
	}
	return n, nil
}
