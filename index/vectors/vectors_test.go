package vectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopsight/shopsight/internal/shareddata"
	"github.com/shopsight/shopsight/ml/embed"
	"github.com/shopsight/shopsight/storage"
)

// countingEmbedder wraps an Encoder, counts the texts it embeds and may
// report another model id.
type countingEmbedder struct {
	*embed.Encoder
	id    string
	texts atomic.Int64
}

func (c *countingEmbedder) ModelID() string {
	if c.id != "" {
		return c.id
	}
	return c.Encoder.ModelID()
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.texts.Add(int64(len(texts)))
	return c.Encoder.Embed(ctx, texts)
}

// goldenEmbedder loads the small golden checkpoint; id, when not empty,
// replaces its model id.
func goldenEmbedder(t *testing.T, id string) *countingEmbedder {
	t.Helper()
	dir := filepath.Join(shareddata.Dir(t, "golden/bert"), "models", "bert-tiny-h32-l2")
	enc, err := embed.Load(context.Background(), dir, embed.DefaultEncoderOptions())
	if err != nil {
		t.Fatal(err)
	}
	return &countingEmbedder{Encoder: enc, id: id}
}

var baseTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func testProducts() []storage.Product {
	return []storage.Product{
		{ID: "p1", Title: "Wireless earbuds", Description: "Noise cancelling, 30 hours battery", Category: []string{"electronics", "audio"}, Price: 4999, Currency: "USD", CreatedAt: baseTime},
		{ID: "p2", Title: "Phone case", Description: "Shockproof silicone", Category: []string{"electronics", "phones", "cases"}, Price: 999, Currency: "USD", CreatedAt: baseTime.Add(time.Hour)},
		{ID: "p3", Title: "蓝牙无线耳机", Description: "降噪 超长续航", Category: []string{"数码"}, Price: 19900, Currency: "CNY", CreatedAt: baseTime.Add(2 * time.Hour)},
		{ID: "p4", Title: "Coffee grinder", Category: []string{"kitchen"}, Price: 2999, Currency: "USD", CreatedAt: baseTime.Add(3 * time.Hour)},
		{ID: "p5", Title: "", Description: "", Price: 100, Currency: "USD", CreatedAt: baseTime.Add(4 * time.Hour)},
	}
}

func testReviews() []storage.Review {
	return []storage.Review{
		{ID: "r1", ProductID: "p1", UserID: "u1", Rating: 5, Title: "Great", Text: "Battery lasts all week.", CreatedAt: baseTime.Add(5 * time.Hour)},
		{ID: "r2", ProductID: "p1", UserID: "u2", Rating: 1, Title: "Broke", Text: "Stopped charging after two weeks.", CreatedAt: baseTime.Add(6 * time.Hour)},
		{ID: "r3", ProductID: "p2", UserID: "u1", Rating: 4, Text: "Fits well.", CreatedAt: baseTime.Add(7 * time.Hour)},
		{ID: "r4", ProductID: "p3", UserID: "u3", Rating: 5, Title: "质量很好", Text: "物流很快！", CreatedAt: baseTime.Add(8 * time.Hour)},
	}
}

const testRecords = 9 // len(testProducts()) + len(testReviews())

func openTestStore(t *testing.T) *storage.Store {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	records, err := storage.Open(storage.DefaultOptions("").WithInMemory(true).WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { records.Close() })
	ctx := context.Background()
	if err := records.PutProducts(ctx, testProducts()); err != nil {
		t.Fatal(err)
	}
	if err := records.PutReviews(ctx, testReviews()); err != nil {
		t.Fatal(err)
	}
	return records
}

func newTestVectors(t *testing.T, records *storage.Store, enc Embedder, batchSize int) *Store {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := New(records, enc, DefaultOptions().WithBatchSize(batchSize).WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// storedIDs returns the record ids with a vector of kind under modelID.
func storedIDs(t *testing.T, s *Store, modelID string, kind storage.Kind) []string {
	t.Helper()
	var ids []string
	err := s.Each(context.Background(), modelID, kind, func(id string, _ []float32) error {
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func maxAbsDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	worst := 0.0
	for i := range a {
		worst = math.Max(worst, math.Abs(float64(a[i])-float64(b[i])))
	}
	return worst
}

func TestSyncEmbedsEveryRecord(t *testing.T) {
	records := openTestStore(t)
	enc := goldenEmbedder(t, "")
	s := newTestVectors(t, records, enc, 4)
	ctx := context.Background()

	var last Progress
	calls := 0
	final, err := s.Sync(ctx, func(p Progress) { last = p; calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if final.Done != testRecords || final.Total != testRecords || final.Embedded != testRecords {
		t.Errorf("final progress = %+v, want done, total and embedded %d", final, testRecords)
	}
	if last != final {
		t.Errorf("last progress report %+v differs from the result %+v", last, final)
	}
	if calls < 3 {
		t.Errorf("progress reported %d times, want one per batch and kind", calls)
	}

	modelID := enc.ModelID()
	if got := storedIDs(t, s, modelID, storage.KindProduct); !slices.Equal(got, []string{"p1", "p2", "p3", "p4", "p5"}) {
		t.Errorf("product vectors = %v", got)
	}
	if got := storedIDs(t, s, modelID, storage.KindReview); !slices.Equal(got, []string{"r1", "r2", "r3", "r4"}) {
		t.Errorf("review vectors = %v", got)
	}
	meta, found, err := s.Meta(ctx, modelID)
	if err != nil || !found {
		t.Fatalf("Meta: found %v, err %v", found, err)
	}
	if meta.Count != testRecords || meta.Dimensions != enc.Dimensions() {
		t.Errorf("Meta = %+v, want count %d and %d dimensions", meta, testRecords, enc.Dimensions())
	}

	for _, p := range testProducts() {
		want, err := enc.Encoder.Embed(ctx, []string{ProductText(&p)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, modelID, storage.KindProduct, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := maxAbsDiff(got, want[0]); d > 1e-6 {
			t.Errorf("product %s: stored vector differs from its text's embedding by %.2e", p.ID, d)
		}
	}

	before := enc.texts.Load()
	again, err := s.Sync(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Embedded != 0 || enc.texts.Load() != before {
		t.Errorf("second Sync embedded %d records (%d texts), want 0", again.Embedded, enc.texts.Load()-before)
	}
}

func TestProductAndReviewText(t *testing.T) {
	p := testProducts()[0]
	if got, want := ProductText(&p), "Wireless earbuds Noise cancelling, 30 hours battery electronics audio"; got != want {
		t.Errorf("ProductText = %q, want %q", got, want)
	}
	r := testReviews()[2]
	if got, want := ReviewText(&r), "Fits well."; got != want {
		t.Errorf("ReviewText without title = %q, want %q", got, want)
	}
}

func TestSyncModelChangeReembeds(t *testing.T) {
	records := openTestStore(t)
	ctx := context.Background()
	oldModel := goldenEmbedder(t, "model-a")
	if _, err := newTestVectors(t, records, oldModel, 64).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}

	newModel := goldenEmbedder(t, "model-a:max16")
	s := newTestVectors(t, records, newModel, 64)
	progress, err := s.Sync(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if progress.Embedded != testRecords || newModel.texts.Load() != testRecords {
		t.Errorf("after a model change Sync embedded %d records (%d texts), want %d", progress.Embedded, newModel.texts.Load(), testRecords)
	}
	if got := storedIDs(t, s, "model-a:max16", storage.KindReview); len(got) != 4 {
		t.Errorf("new model has %d review vectors, want 4", len(got))
	}
	for _, kind := range []storage.Kind{storage.KindProduct, storage.KindReview} {
		if got := storedIDs(t, s, "model-a", kind); len(got) != 0 {
			t.Errorf("old model still has %s vectors %v after a successful Sync", kind, got)
		}
	}
	if _, found, err := s.Meta(ctx, "model-a"); err != nil || found {
		t.Errorf("old model metadata: found %v, err %v; want it pruned", found, err)
	}
}

func TestSyncRestartAfterCancel(t *testing.T) {
	records := openTestStore(t)
	enc := goldenEmbedder(t, "")
	s := newTestVectors(t, records, enc, 2)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := s.Sync(ctx, func(p Progress) {
		if p.Embedded >= 4 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Sync: err = %v, want context.Canceled", err)
	}
	meta, _, err := s.Meta(context.Background(), enc.ModelID())
	if err != nil {
		t.Fatal(err)
	}
	if meta.Count < 4 || meta.Count >= testRecords {
		t.Fatalf("interrupted Sync stored %d vectors, want between 4 and %d", meta.Count, testRecords-1)
	}

	resumed := goldenEmbedder(t, "")
	progress, err := newTestVectors(t, records, resumed, 2).Sync(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := testRecords - meta.Count; progress.Embedded != want || resumed.texts.Load() != want {
		t.Errorf("resumed Sync embedded %d records (%d texts), want the %d missing ones", progress.Embedded, resumed.texts.Load(), want)
	}
	final, _, err := s.Meta(context.Background(), enc.ModelID())
	if err != nil {
		t.Fatal(err)
	}
	if final.Count != testRecords {
		t.Errorf("after the resumed Sync the count is %d, want %d", final.Count, testRecords)
	}
}

func TestSyncDeletesVectorsOfDeletedRecords(t *testing.T) {
	records := openTestStore(t)
	enc := goldenEmbedder(t, "")
	s := newTestVectors(t, records, enc, 64)
	ctx := context.Background()
	if _, err := s.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}

	if err := records.DeleteProduct(ctx, "p2"); err != nil {
		t.Fatal(err)
	}
	if err := records.DeleteReview(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	progress, err := s.Sync(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if progress.Deleted != 2 || progress.Embedded != 0 {
		t.Errorf("progress = %+v, want 2 deleted and 0 embedded", progress)
	}
	if _, err := s.Get(ctx, enc.ModelID(), storage.KindProduct, "p2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("vector of deleted product: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Get(ctx, enc.ModelID(), storage.KindReview, "r1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("vector of deleted review: err = %v, want ErrNotFound", err)
	}
	meta, _, err := s.Meta(ctx, enc.ModelID())
	if err != nil {
		t.Fatal(err)
	}
	if meta.Count != testRecords-2 {
		t.Errorf("count = %d, want %d", meta.Count, testRecords-2)
	}
}

func TestSyncReembedsChangedText(t *testing.T) {
	records := openTestStore(t)
	enc := goldenEmbedder(t, "")
	s := newTestVectors(t, records, enc, 64)
	ctx := context.Background()
	if _, err := s.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	before, err := s.Get(ctx, enc.ModelID(), storage.KindProduct, "p4")
	if err != nil {
		t.Fatal(err)
	}

	changed := testProducts()[3]
	changed.Title = "Electric kettle"
	if err := records.PutProducts(ctx, []storage.Product{changed}); err != nil {
		t.Fatal(err)
	}
	progress, err := s.Sync(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if progress.Embedded != 1 {
		t.Errorf("Sync after one title change embedded %d records, want 1", progress.Embedded)
	}
	after, err := s.Get(ctx, enc.ModelID(), storage.KindProduct, "p4")
	if err != nil {
		t.Fatal(err)
	}
	if maxAbsDiff(before, after) == 0 {
		t.Error("vector of the changed product did not change")
	}
}

func TestEnsureOne(t *testing.T) {
	records := openTestStore(t)
	enc := goldenEmbedder(t, "")
	s := newTestVectors(t, records, enc, 64)
	ctx := context.Background()
	modelID := enc.ModelID()

	if err := s.EnsureOne(ctx, storage.KindProduct, "p1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, modelID, storage.KindProduct, "p1"); err != nil {
		t.Fatalf("after EnsureOne of a new record: %v", err)
	}

	embedded := enc.texts.Load()
	if err := s.EnsureOne(ctx, storage.KindProduct, "p1"); err != nil {
		t.Fatal(err)
	}
	if enc.texts.Load() != embedded {
		t.Error("EnsureOne re-embedded an unchanged record")
	}

	review := testReviews()[0]
	review.Text = "Battery died after a month."
	if err := records.PutReviews(ctx, []storage.Review{review}); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureOne(ctx, storage.KindReview, "r1"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, modelID, storage.KindReview, "r1")
	if err != nil {
		t.Fatal(err)
	}
	want, err := enc.Encoder.Embed(ctx, []string{ReviewText(&review)})
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(got, want[0]); d > 1e-6 {
		t.Errorf("vector of the changed review differs from its new text's embedding by %.2e", d)
	}

	if err := records.DeleteProduct(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureOne(ctx, storage.KindProduct, "p1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, modelID, storage.KindProduct, "p1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after EnsureOne of a deleted record: err = %v, want ErrNotFound", err)
	}
	meta, _, err := s.Meta(ctx, modelID)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Count != 1 {
		t.Errorf("count = %d, want 1 (only r1)", meta.Count)
	}

	if err := s.EnsureOne(ctx, storage.KindUser, "u1"); err == nil {
		t.Error("EnsureOne accepted kind user")
	}
}

func TestWithoutEmbedder(t *testing.T) {
	s := newTestVectors(t, openTestStore(t), nil, 64)
	if _, err := s.Sync(context.Background(), nil); !errors.Is(err, embed.ErrNoTextModel) {
		t.Errorf("Sync without an embedder: err = %v, want ErrNoTextModel", err)
	}
	if err := s.EnsureOne(context.Background(), storage.KindProduct, "p1"); !errors.Is(err, embed.ErrNoTextModel) {
		t.Errorf("EnsureOne without an embedder: err = %v, want ErrNoTextModel", err)
	}
}

func TestPutGetDeleteEach(t *testing.T) {
	s := newTestVectors(t, openTestStore(t), nil, 64)
	ctx := context.Background()
	vec := []float32{1, -2.5, float32(math.Pi)}

	if err := s.Put(ctx, "m", storage.KindProduct, "a/b", vec); err != nil {
		t.Fatal(err)
	}
	// "m:x" starts with "m"; its vectors must stay out of model m's range.
	if err := s.Put(ctx, "m:x", storage.KindProduct, "c", []float32{9}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "m", storage.KindProduct, "a/b")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, vec) {
		t.Errorf("Get = %v, want %v", got, vec)
	}
	if ids := storedIDs(t, s, "m", storage.KindProduct); !slices.Equal(ids, []string{"a/b"}) {
		t.Errorf("Each(m) ids = %v, want [a/b]", ids)
	}

	tests := []struct {
		name    string
		modelID string
		kind    storage.Kind
		id      string
		vec     []float32
	}{
		{"dimension mismatch", "m", storage.KindProduct, "d", []float32{1, 2}},
		{"empty vector", "m", storage.KindProduct, "d", nil},
		{"empty model id", "", storage.KindProduct, "d", vec},
		{"NUL in model id", "m\x00", storage.KindProduct, "d", vec},
		{"NUL in record id", "m", storage.KindProduct, "d\x00", vec},
		{"empty kind", "m", "", "d", vec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Put(ctx, tt.modelID, tt.kind, tt.id, tt.vec); err == nil {
				t.Error("Put accepted invalid input")
			}
		})
	}

	meta, _, err := s.Meta(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if meta.Count != 1 || meta.Dimensions != 3 {
		t.Errorf("Meta(m) = %+v, want count 1 and 3 dimensions", meta)
	}
	if err := s.Put(ctx, "m", storage.KindProduct, "a/b", []float32{0, 0, 1}); err != nil {
		t.Fatal(err)
	}
	if meta, _, _ := s.Meta(ctx, "m"); meta.Count != 1 {
		t.Errorf("count after replacing a vector = %d, want 1", meta.Count)
	}

	if err := s.Delete(ctx, "m", storage.KindProduct, "a/b"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "m", storage.KindProduct, "a/b"); err != nil {
		t.Errorf("deleting a missing vector: %v", err)
	}
	if _, err := s.Get(ctx, "m", storage.KindProduct, "a/b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	if meta, _, _ := s.Meta(ctx, "m"); meta.Count != 0 {
		t.Errorf("count after Delete = %d, want 0", meta.Count)
	}
	if _, err := s.Get(ctx, "m:x", storage.KindProduct, "c"); err != nil {
		t.Errorf("vector of model m:x after deleting model m's: %v", err)
	}
}

func TestEachStopsOnError(t *testing.T) {
	s := newTestVectors(t, openTestStore(t), nil, 64)
	ctx := context.Background()
	for i := range 3 {
		if err := s.Put(ctx, "m", storage.KindReview, fmt.Sprint(i), []float32{float32(i)}); err != nil {
			t.Fatal(err)
		}
	}
	stop := errors.New("stop")
	calls := 0
	err := s.Each(ctx, "m", storage.KindReview, func(string, []float32) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Each returned %v after %d calls, want the callback's error after 1", err, calls)
	}
}

func TestSyncKindReviewsOnly(t *testing.T) {
	records := openTestStore(t)
	ctx := context.Background()
	if _, err := newTestVectors(t, records, goldenEmbedder(t, "model-a"), 64).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}

	newModel := goldenEmbedder(t, "model-b")
	s := newTestVectors(t, records, newModel, 2)
	progress, err := s.SyncKind(ctx, storage.KindReview, nil)
	if err != nil {
		t.Fatal(err)
	}
	reviews := int64(len(testReviews()))
	if progress.Total != reviews || progress.Done != reviews || progress.Embedded != reviews {
		t.Errorf("SyncKind progress %+v, want %d reviews checked and embedded", progress, reviews)
	}
	if got := newModel.texts.Load(); got != reviews {
		t.Errorf("SyncKind embedded %d texts, want %d", got, reviews)
	}
	if got := storedIDs(t, s, "model-b", storage.KindProduct); len(got) != 0 {
		t.Errorf("SyncKind of reviews wrote product vectors %v", got)
	}
	for _, kind := range []storage.Kind{storage.KindProduct, storage.KindReview} {
		if got := storedIDs(t, s, "model-a", kind); len(got) == 0 {
			t.Errorf("SyncKind pruned the %s vectors of another model", kind)
		}
	}
	if _, err := s.SyncKind(ctx, storage.KindOrder, nil); err == nil {
		t.Error("SyncKind of orders: got nil error, want unsupported kind")
	}
}
