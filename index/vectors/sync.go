package vectors

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/ml/embed"
	"github.com/shopsight/shopsight/storage"
)

// Embedder turns texts into vectors; *embed.Encoder and *embed.Batcher
// implement it.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	ModelID() string
	Dimensions() int
}

// Progress is the state of a Sync, passed to its progress function after
// every batch and at the end of each kind.
type Progress struct {
	// Kind is the record kind being synchronized.
	Kind storage.Kind
	// Done is the number of records checked so far over all kinds, Total
	// the number of records of the synchronized kinds when the sync started.
	Done, Total int64
	// Embedded and Deleted count the vectors written and removed so far.
	Embedded, Deleted int64
}

// ProgressFunc receives Sync's progress; it runs on Sync's goroutine.
type ProgressFunc func(Progress)

// ProductText returns the text a product's vector is made from: title,
// description and category path, separated by spaces.
func ProductText(p *storage.Product) string {
	return joinNonEmpty(p.Title, p.Description, strings.Join(p.Category, " "))
}

// ReviewText returns the text a review's vector is made from: title and
// text, separated by a space.
func ReviewText(r *storage.Review) string {
	return joinNonEmpty(r.Title, r.Text)
}

func joinNonEmpty(parts ...string) string {
	nonEmpty := parts[:0:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return strings.Join(nonEmpty, " ")
}

// hashText returns the FNV-64a hash stored beside a vector; it is never 0,
// because 0 marks a vector stored by Put without its text.
func hashText(text string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(text))
	if v := h.Sum64(); v != 0 {
		return v
	}
	return 1
}

// Sync makes the vectors of the embedder's model match the records. It
// embeds every product and review that has no vector yet or whose text
// changed since its vector was made, and deletes the vectors of records that
// no longer exist. After both kinds succeed, it deletes the vectors of every
// other model id. So a changed model re-embeds everything, and the old
// vectors stay readable until the new ones are complete.
//
// Sync writes each batch in its own transaction, so an interrupted Sync
// keeps the vectors it wrote and the next one continues from there.
func (s *Store) Sync(ctx context.Context, progress ProgressFunc) (Progress, error) {
	return s.syncKinds(ctx, []storage.Kind{storage.KindProduct, storage.KindReview}, true, progress)
}

// SyncKind does what Sync does for one kind, product or review, but keeps
// the vectors of other model ids. Progress.Total counts the records of that
// kind only.
func (s *Store) SyncKind(ctx context.Context, kind storage.Kind, progress ProgressFunc) (Progress, error) {
	if kind != storage.KindProduct && kind != storage.KindReview {
		return Progress{}, fmt.Errorf("vectors: sync of kind %q is not supported; use product or review", kind)
	}
	return s.syncKinds(ctx, []storage.Kind{kind}, false, progress)
}

// syncKinds synchronizes the vectors of kinds in order and, when prune is
// set and all kinds succeed, deletes the vectors of other model ids.
func (s *Store) syncKinds(ctx context.Context, kinds []storage.Kind, prune bool, progress ProgressFunc) (Progress, error) {
	if s.enc == nil {
		return Progress{}, embed.ErrNoTextModel
	}
	if progress == nil {
		progress = func(Progress) {}
	}
	modelID := s.enc.ModelID()
	if err := checkKeyParts(modelID, storage.KindProduct, ""); err != nil {
		return Progress{}, err
	}
	counts, err := s.records.Counts(ctx)
	if err != nil {
		return Progress{}, fmt.Errorf("vectors: count records: %w", err)
	}
	started := time.Now()
	var state Progress
	for _, kind := range kinds {
		state.Total += counts[kind]
	}
	s.opts.Logger.Info("vector sync started", "model", modelID, "kinds", kinds, "records", state.Total)

	for _, kind := range kinds {
		state.Kind = kind
		if err := s.syncKind(ctx, modelID, kind, &state, progress); err != nil {
			s.opts.Logger.Warn("vector sync stopped; the next sync continues from the vectors written", "model", modelID, "kind", kind,
				"done", state.Done, "total", state.Total, "embedded", state.Embedded, "err", err)
			return state, err
		}
		progress(state)
	}

	pruned := 0
	if prune {
		if pruned, err = s.pruneOtherModels(ctx, modelID); err != nil {
			return state, err
		}
	}
	s.opts.Logger.Info("vector sync finished", "model", modelID, "kinds", kinds, "records", state.Done, "embedded", state.Embedded,
		"deleted", state.Deleted, "pruned_other_models", pruned, "seconds", time.Since(started).Seconds())
	return state, nil
}

// Sync synchronizes the vectors of records with enc's model using the
// default options; see Store.Sync.
func Sync(ctx context.Context, records *storage.Store, enc Embedder, progress ProgressFunc) (Progress, error) {
	s, err := New(records, enc, DefaultOptions())
	if err != nil {
		return Progress{}, err
	}
	return s.Sync(ctx, progress)
}

// pending is a record waiting in a Sync batch.
type pending struct {
	id       string
	text     string
	textHash uint64
}

// syncKind embeds the missing and changed vectors of one kind and deletes
// the vectors of its missing records.
func (s *Store) syncKind(ctx context.Context, modelID string, kind storage.Kind, state *Progress, progress ProgressFunc) error {
	// stored holds the text hash of every vector of this kind. Records seen
	// in the scan are removed from it, so what is left at the end belongs to
	// deleted records.
	stored := map[string]uint64{}
	err := s.eachEntry(ctx, modelID, kind, false, func(id string, textHash uint64, _ []float32) error {
		stored[id] = textHash
		return nil
	})
	if err != nil {
		return fmt.Errorf("vectors: read stored %s vectors of model %s: %w", kind, modelID, err)
	}

	var batch []pending
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := s.embedAndPut(ctx, modelID, kind, batch); err != nil {
			return err
		}
		state.Embedded += int64(len(batch))
		batch = batch[:0]
		progress(*state)
		return nil
	}
	visit := func(id, text string) error {
		state.Done++
		textHash := hashText(text)
		old, ok := stored[id]
		delete(stored, id)
		// A hash of 0 comes from Put, which does not know the text; such a
		// vector is kept as it is.
		if ok && (old == textHash || old == 0) {
			return nil
		}
		batch = append(batch, pending{id: id, text: text, textHash: textHash})
		if len(batch) >= s.opts.BatchSize {
			return flush()
		}
		return nil
	}

	switch kind {
	case storage.KindProduct:
		err = s.records.EachProduct(ctx, storage.ProductFilter{}, func(p *storage.Product) error {
			return visit(p.ID, ProductText(p))
		})
	case storage.KindReview:
		err = s.records.EachReview(ctx, storage.ReviewFilter{}, func(r *storage.Review) error {
			return visit(r.ID, ReviewText(r))
		})
	default:
		return fmt.Errorf("vectors: sync of kind %q is not supported; use product or review", kind)
	}
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}

	deletedIDs := make([]string, 0, len(stored))
	for id := range stored {
		deletedIDs = append(deletedIDs, id)
	}
	for start := 0; start < len(deletedIDs); start += deleteBatch {
		ids := deletedIDs[start:min(start+deleteBatch, len(deletedIDs))]
		if err := s.deleteIDs(ctx, modelID, kind, ids); err != nil {
			return fmt.Errorf("vectors: delete vectors of deleted %s records: %w", kind, err)
		}
		state.Deleted += int64(len(ids))
	}
	return nil
}

// deleteBatch is the number of keys deleted per transaction, well below
// Badger's transaction size limit.
const deleteBatch = 1000

func (s *Store) embedAndPut(ctx context.Context, modelID string, kind storage.Kind, batch []pending) error {
	texts := make([]string, len(batch))
	for i, p := range batch {
		texts[i] = p.text
	}
	vectors, err := s.enc.Embed(ctx, texts)
	if err != nil {
		return fmt.Errorf("vectors: embed %d %s records starting at %s: %w", len(batch), kind, batch[0].id, err)
	}
	if len(vectors) != len(batch) {
		return fmt.Errorf("vectors: embedder returned %d vectors for %d texts", len(vectors), len(batch))
	}
	entries := make([]entry, len(batch))
	for i, p := range batch {
		entries[i] = entry{kind: kind, id: p.id, textHash: p.textHash, vec: vectors[i]}
	}
	return s.putEntries(ctx, modelID, entries)
}

// pruneOtherModels deletes the vectors and metadata of every model id but
// keep, and returns the number of vectors deleted.
func (s *Store) pruneOtherModels(ctx context.Context, keep string) (int, error) {
	keys, err := s.otherModelKeys(ctx, keep)
	if err != nil {
		return 0, err
	}
	models := map[string]bool{}
	vectorsDeleted := 0
	for start := 0; start < len(keys); start += deleteBatch {
		chunk := keys[start:min(start+deleteBatch, len(keys))]
		err := s.update(ctx, func(txn *badger.Txn) error {
			for _, k := range chunk {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return vectorsDeleted, fmt.Errorf("vectors: prune vectors of other models: %w", err)
		}
		for _, k := range chunk {
			if strings.HasPrefix(string(k), vectorPrefix) {
				models[modelOfKey(k)] = true
				vectorsDeleted++
			}
		}
	}
	for model := range models {
		s.opts.Logger.Info("pruned vectors of a replaced model", "model", model, "kept_model", keep)
	}
	return vectorsDeleted, nil
}

// otherModelKeys lists the vector keys of every model but keep, then their
// metadata keys, so an interrupted prune leaves metadata only where vectors
// remain.
func (s *Store) otherModelKeys(ctx context.Context, keep string) ([][]byte, error) {
	var vectorKeys, metaKeys [][]byte
	keepStart := modelPrefix(keep)
	keepEnd := []byte(vectorPrefix + keep + "\x01")
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()

		prefix := []byte(vectorPrefix)
		for it.Seek(prefix); it.ValidForPrefix(prefix); {
			if err := ctx.Err(); err != nil {
				return err
			}
			key := it.Item().KeyCopy(nil)
			if string(key) >= string(keepStart) && string(key) < string(keepEnd) {
				it.Seek(keepEnd)
				continue
			}
			vectorKeys = append(vectorKeys, key)
			it.Next()
		}

		prefix = []byte(metaPrefix)
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			key := it.Item().KeyCopy(nil)
			if string(key) != string(metaKey(keep)) {
				metaKeys = append(metaKeys, key)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("vectors: list vectors of other models: %w", err)
	}
	return append(vectorKeys, metaKeys...), nil
}

// EnsureOne brings the vector of one product or review in step with its
// record after a change: it embeds the record when its vector is missing or
// its text changed, and deletes the vector when the record no longer
// exists. It works on the embedder's model id only; vectors of other models
// go at the next Sync. Without an embedder it returns embed.ErrNoTextModel.
//
// NOTE: a Sync that runs at the same time may write a vector from its
// snapshot after EnsureOne deleted it; the next Sync removes it.
func (s *Store) EnsureOne(ctx context.Context, kind storage.Kind, id string) error {
	if s.enc == nil {
		return embed.ErrNoTextModel
	}
	modelID := s.enc.ModelID()
	if err := checkKeyParts(modelID, kind, id); err != nil {
		return err
	}

	var text string
	var err error
	switch kind {
	case storage.KindProduct:
		var p storage.Product
		p, err = s.records.Product(ctx, id)
		text = ProductText(&p)
	case storage.KindReview:
		var r storage.Review
		r, err = s.records.Review(ctx, id)
		text = ReviewText(&r)
	default:
		return fmt.Errorf("vectors: kind %q has no vectors; use product or review", kind)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return s.Delete(ctx, modelID, kind, id)
	}
	if err != nil {
		return fmt.Errorf("vectors: read %s %s: %w", kind, id, err)
	}

	textHash := hashText(text)
	old, _, err := s.get(ctx, modelID, kind, id)
	if err == nil && old == textHash {
		return nil
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return s.embedAndPut(ctx, modelID, kind, []pending{{id: id, text: text, textHash: textHash}})
}
