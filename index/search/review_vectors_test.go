package search

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/shopsight/shopsight/index/vectors"
	"github.com/shopsight/shopsight/internal/shareddata"
	"github.com/shopsight/shopsight/ml/embed"
	"github.com/shopsight/shopsight/storage"
)

// TestReviewVectorsFollowStore checks, with the golden text model, that
// Follow embeds the reviews written before Open and that the catch-up
// embeds new and changed reviews and deletes the vectors of deleted ones.
func TestReviewVectorsFollowStore(t *testing.T) {
	dir := filepath.Join(shareddata.Dir(t, "golden/bert"), "models", "bert-h384-l1")
	ctx := context.Background()
	enc, err := embed.Load(ctx, dir, embed.DefaultEncoderOptions())
	if err != nil {
		t.Fatal(err)
	}
	store := openTestStore(t)
	if err := store.PutProducts(ctx, fixtureProducts()[:2]); err != nil {
		t.Fatal(err)
	}
	before := []storage.Review{
		{ID: "r-old1", ProductID: "p-shoe1", UserID: "u1", Rating: 5, Text: "Great for running.", Language: "en", CreatedAt: fixtureTime},
		{ID: "r-old2", ProductID: "p-shoe2", UserID: "u2", Rating: 2, Title: "Too small", Language: "en", CreatedAt: fixtureTime},
	}
	if err := store.PutReviews(ctx, before); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, store, t.TempDir(), enc, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stored, err := vectors.New(store, nil, vectors.DefaultOptions().WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	vectorOf := func(id string) ([]float32, error) {
		return stored.Get(ctx, enc.ModelID(), storage.KindReview, id)
	}

	followCtx, stop := context.WithCancel(ctx)
	followed := make(chan error, 1)
	go func() { followed <- s.Follow(followCtx) }()
	defer func() {
		stop()
		if err := <-followed; !errors.Is(err, context.Canceled) {
			t.Errorf("Follow returned %v, want context.Canceled", err)
		}
	}()

	// Follow embeds the reviews written before Open in the background.
	deadline := time.Now().Add(10 * time.Second)
	for _, r := range before {
		for {
			_, err := vectorOf(r.ID)
			if err == nil {
				break
			}
			if !errors.Is(err, vectors.ErrNotFound) || time.Now().After(deadline) {
				t.Fatalf("vector of review %s written before Open: %v", r.ID, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	added := storage.Review{ID: "r-new", ProductID: "p-shoe1", UserID: "u3", Rating: 4, Text: "Comfortable shoes.", Language: "en", CreatedAt: fixtureTime}
	if err := store.PutReviews(ctx, []storage.Review{added}); err != nil {
		t.Fatal(err)
	}
	if err := s.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	vec, err := vectorOf("r-new")
	if err != nil {
		t.Fatalf("vector of new review after catch-up: %v", err)
	}
	if len(vec) != enc.Dimensions() {
		t.Errorf("vector of new review has %d dimensions, want %d", len(vec), enc.Dimensions())
	}

	changed := added
	changed.Text = "The soles came apart after a week."
	if err := store.PutReviews(ctx, []storage.Review{changed}); err != nil {
		t.Fatal(err)
	}
	if err := s.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if again, err := vectorOf("r-new"); err != nil || slices.Equal(again, vec) {
		t.Errorf("vector of changed review: err %v, unchanged %v; want a new vector", err, slices.Equal(again, vec))
	}

	if err := store.DeleteReview(ctx, "r-old1"); err != nil {
		t.Fatal(err)
	}
	if err := s.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := vectorOf("r-old1"); !errors.Is(err, vectors.ErrNotFound) {
		t.Errorf("vector of deleted review: %v, want ErrNotFound", err)
	}
	if _, err := vectorOf("r-old2"); err != nil {
		t.Errorf("vector of kept review: %v", err)
	}
}
