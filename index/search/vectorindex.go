package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/shopsight/shopsight/index/hnsw"
	"github.com/shopsight/shopsight/index/vectors"
	"github.com/shopsight/shopsight/storage"
)

// vectorMeta is the metadata string of the saved HNSW file.
type vectorMeta struct {
	// Model is the model id of the vectors (vectors.Embedder.ModelID).
	Model string `json:"model"`
	// Products is the number of product vectors in the index.
	Products int `json:"product_vectors"`
	// StoreSeq is the change log sequence number the index reflects.
	StoreSeq uint64 `json:"store_seq"`
}

// noWatermark is the watermark of an absent vector index, so that the
// catch-up starts at the full-text index's watermark.
const noWatermark = math.MaxUint64

func (s *Service) vectorPath() string { return filepath.Join(s.dir, VectorFile) }

// loadGraph reads the HNSW file and its metadata.
func loadGraph(ctx context.Context, path string) (*hnsw.Index, vectorMeta, error) {
	var meta vectorMeta
	g, err := hnsw.Load(ctx, path)
	if err != nil {
		return nil, meta, err
	}
	if err := json.Unmarshal([]byte(g.Metadata()), &meta); err != nil {
		return nil, meta, fmt.Errorf("invalid metadata in %s: %w", path, err)
	}
	if meta.Products != g.Len() {
		return nil, meta, fmt.Errorf("%s records %d product vectors but contains %d", path, meta.Products, g.Len())
	}
	return g, meta, nil
}

// openVectors loads the HNSW file, or rebuilds it from the vectors in the
// store when it is missing, damaged or made by another model, and returns
// its watermark.
func (s *Service) openVectors(ctx context.Context) (uint64, error) {
	path := s.vectorPath()
	s.modelID = s.opts.VectorModel
	if s.enc != nil {
		s.modelID = s.enc.ModelID()
	}
	g, meta, err := loadGraph(ctx, path)
	var reason string
	switch {
	case err == nil && (s.modelID == "" || meta.Model == s.modelID):
		s.modelID = meta.Model
		s.graph.Store(g)
		s.savedSeq, s.lastSave = meta.StoreSeq, time.Now()
		return meta.StoreSeq, nil
	case err == nil:
		reason = fmt.Sprintf("built with model %q, the service uses %q", meta.Model, s.modelID)
	case errors.Is(err, fs.ErrNotExist):
		reason = "the file is missing"
	default:
		reason = err.Error()
	}
	if s.modelID == "" {
		s.log.Info("no vector index: start with a text model or set the vector model of imported vectors", "path", path, "reason", reason)
		return noWatermark, nil
	}
	s.log.Warn("vector index needs a rebuild", "path", path, "model", s.modelID, "reason", reason)
	return s.rebuildVectors(ctx)
}

// rebuildVectors builds the HNSW index from the product vectors stored for
// the model, embedding the products without one first when an encoder is
// present. It returns the change log position read before it started.
func (s *Service) rebuildVectors(ctx context.Context) (uint64, error) {
	seq, err := s.store.LastSeq(ctx)
	if err != nil {
		return 0, fmt.Errorf("search: read change log position: %w", err)
	}
	started := time.Now()
	if s.enc != nil {
		if err := s.embedMissing(ctx); err != nil {
			return 0, err
		}
	}
	var keys []uint64
	var vecs [][]float32
	s.attrs.mu.RLock()
	err = s.vecs.Each(ctx, s.modelID, storage.KindProduct, func(id string, vec []float32) error {
		if _, ok := s.attrs.products[id]; ok {
			keys = append(keys, productKey(id))
			vecs = append(vecs, vec)
		}
		return nil
	})
	s.attrs.mu.RUnlock()
	if err != nil {
		return 0, fmt.Errorf("search: read product vectors of model %q: %w", s.modelID, err)
	}

	dim := 0
	switch {
	case len(vecs) > 0:
		dim = len(vecs[0])
	case s.enc != nil:
		dim = s.enc.Dimensions()
	default:
		s.log.Warn("no product vectors stored for the vector model; semantic search is off", "model", s.modelID)
		s.graph.Store(nil)
		return noWatermark, nil
	}
	g, err := hnsw.New(dim, s.opts.HNSW.WithMetadata(""))
	if err != nil {
		return 0, fmt.Errorf("search: create vector index: %w", err)
	}
	const chunk = 5000
	for start := 0; start < len(keys); start += chunk {
		end := min(start+chunk, len(keys))
		if err := g.AddBatch(ctx, keys[start:end], vecs[start:end], runtime.GOMAXPROCS(0)); err != nil {
			return 0, fmt.Errorf("search: build vector index: %w", err)
		}
		s.log.Info("building vector index", "done", end, "total", len(keys))
	}
	s.graph.Store(g)
	s.savedSeq = 0
	s.lastSave = time.Time{}
	s.log.Info("vector index rebuilt", "model", s.modelID, "product_vectors", len(keys), "dimensions", dim,
		"seconds", time.Since(started).Seconds())
	return seq, nil
}

// embedMissing embeds every product without a vector of the model, with
// Options.EmbedWorkers concurrent calls so that a batching encoder can
// group them.
func (s *Service) embedMissing(ctx context.Context) error {
	have := map[string]bool{}
	err := s.vecs.Each(ctx, s.modelID, storage.KindProduct, func(id string, _ []float32) error {
		have[id] = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("search: list product vectors of model %q: %w", s.modelID, err)
	}
	var missing []string
	s.attrs.mu.RLock()
	for id := range s.attrs.products {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	s.attrs.mu.RUnlock()
	if len(missing) == 0 {
		return nil
	}
	s.log.Info("embedding products without a vector", "model", s.modelID, "products", len(missing))
	if err := s.ensureVectors(ctx, storage.KindProduct, missing); err != nil {
		return err
	}
	s.log.Info("products embedded", "model", s.modelID, "products", len(missing))
	return nil
}

// ensureVectors brings the stored vectors of the records of kind named by
// ids in step with the records (vectors.Store.EnsureOne), with
// Options.EmbedWorkers concurrent calls so that a batching encoder can
// group them. It logs progress every 2 seconds.
func (s *Service) ensureVectors(ctx context.Context, kind storage.Kind, ids []string) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	queue := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done, last := 0, time.Now()
	for range min(s.opts.EmbedWorkers, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range queue {
				if err := s.vecs.EnsureOne(ctx, kind, id); err != nil {
					cancel(fmt.Errorf("search: embed %s %q: %w", kind, id, err))
					return
				}
				mu.Lock()
				done++
				if time.Since(last) >= 2*time.Second {
					last = time.Now()
					s.log.Info("embedding vectors", "kind", kind, "done", done, "total", len(ids))
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, id := range ids {
		select {
		case queue <- id:
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()
	return context.Cause(ctx)
}

// syncReviewVectors embeds every review without a vector of the text
// model, or whose text changed since its vector was made, and deletes the
// vectors of deleted reviews, logging progress every 2 seconds. Changes
// after it starts also reach the vectors through the change log. A failure
// is logged, and the next start of the service continues from the vectors
// written.
//
// NOTE: it keeps the vectors of other model ids; only vectors.Store.Sync
// prunes them.
func (s *Service) syncReviewVectors(ctx context.Context) {
	started, last := time.Now(), time.Now()
	progress := func(p vectors.Progress) {
		if time.Since(last) >= 2*time.Second {
			last = time.Now()
			s.log.Info("embedding review vectors", "model", s.modelID, "done", p.Done, "total", p.Total, "embedded", p.Embedded)
		}
	}
	state, err := s.vecs.SyncKind(ctx, storage.KindReview, progress)
	switch {
	case err != nil && ctx.Err() != nil:
		s.log.Info("review vector sync stopped", "model", s.modelID, "done", state.Done, "total", state.Total, "embedded", state.Embedded)
	case err != nil:
		s.log.Error("review vector sync failed; the next start continues from the vectors written", "model", s.modelID,
			"done", state.Done, "total", state.Total, "err", err)
	default:
		s.log.Info("review vectors in step", "model", s.modelID, "reviews", state.Done, "embedded", state.Embedded,
			"deleted", state.Deleted, "seconds", time.Since(started).Seconds())
	}
}

// verifyVectors rebuilds the vector index when its size differs from the
// number of stored product vectors of existing products, or, with an
// encoder, from the number of products.
func (s *Service) verifyVectors(ctx context.Context) error {
	if s.modelID == "" {
		return nil
	}
	stored := 0
	s.attrs.mu.RLock()
	products := len(s.attrs.products)
	err := s.vecs.Each(ctx, s.modelID, storage.KindProduct, func(id string, _ []float32) error {
		if _, ok := s.attrs.products[id]; ok {
			stored++
		}
		return nil
	})
	s.attrs.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("search: count product vectors of model %q: %w", s.modelID, err)
	}
	g := s.graph.Load()
	indexed := 0
	if g != nil {
		indexed = g.Len()
	}
	switch {
	case s.enc != nil && (stored < products || g == nil || g.Dim() != s.enc.Dimensions()):
	case indexed != stored:
	default:
		return nil
	}
	s.log.Warn("vector index is stale; rebuilding", "model", s.modelID, "indexed", indexed, "stored_vectors", stored, "products", products)
	seq, err := s.rebuildVectors(ctx)
	if err != nil {
		return err
	}
	return s.catchUpFrom(ctx, seq)
}

// checkpoint records the watermark in the Bleve metadata and saves the
// vector index when force is set or Options.SaveInterval has passed.
func (s *Service) checkpoint(ctx context.Context, force bool) error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	if err := s.text.SetStoreVersion(formatSeq(s.applied.Load())); err != nil {
		return fmt.Errorf("search: record full-text watermark: %w", err)
	}
	if force || time.Since(s.lastSave) >= s.opts.SaveInterval {
		return s.saveLocked(ctx)
	}
	return nil
}

// saveLocked writes the vector index with its watermark when it changed
// since the last save. The caller holds applyMu.
func (s *Service) saveLocked(ctx context.Context) error {
	g := s.graph.Load()
	seq := s.applied.Load()
	if g == nil || (seq == s.savedSeq && !s.lastSave.IsZero()) {
		return nil
	}
	raw, err := json.Marshal(vectorMeta{Model: s.modelID, Products: g.Len(), StoreSeq: seq})
	if err != nil {
		return err
	}
	if err := g.SetMetadata(string(raw)); err != nil {
		return err
	}
	started := time.Now()
	if err := g.Save(ctx, s.vectorPath()); err != nil {
		return fmt.Errorf("search: save vector index: %w", err)
	}
	s.savedSeq, s.lastSave = seq, time.Now()
	s.log.Debug("vector index saved", "path", s.vectorPath(), "store_seq", seq, "seconds", time.Since(started).Seconds())
	return nil
}
