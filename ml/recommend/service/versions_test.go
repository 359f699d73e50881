package service

import (
	"context"
	"errors"
	"testing"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/shopsight/shopsight/storage"
)

func completeVersions(t *testing.T, store *storage.Store) (complete, partial []string) {
	t.Helper()
	versions, err := listVersions(store.DB())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range versions {
		if v.complete {
			complete = append(complete, v.id)
		} else {
			partial = append(partial, v.id)
		}
	}
	return complete, partial
}

func TestCancelledTrainingKeepsPreviousVersion(t *testing.T) {
	store := newDemoStore(t)
	first := mustTrain(t, store, testOptions())

	// Cancel after the first blob is written, as a crash in the middle of
	// saving would.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Train(ctx, store, testOptions(), func(stage string, done, total int) {
		if stage == StageSave && done == 1 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Train with a cancelled context: error %v, want context.Canceled", err)
	}
	current, err := currentVersion(store.DB())
	if err != nil || current != first.ID {
		t.Fatalf("current version = %q (%v), want the first version %q", current, err, first.ID)
	}
	complete, partial := completeVersions(t, store)
	if len(complete) != 1 || len(partial) != 1 {
		t.Fatalf("after the interrupted training: complete %v, partial %v; want one of each", complete, partial)
	}

	svc := mustOpen(t, store, testOptions())
	if v, ok := svc.Version(); !ok || v.ID != first.ID {
		t.Errorf("Open serves %q, want %q", v.ID, first.ID)
	}
	complete, partial = completeVersions(t, store)
	if len(complete) != 1 || len(partial) != 0 {
		t.Errorf("after Open: complete %v, partial %v; want the partial version deleted", complete, partial)
	}
}

func TestPruneKeepsNewestVersions(t *testing.T) {
	store := newDemoStore(t)
	opts := testOptions().WithKeep(2)
	var ids []string
	for range 3 {
		ids = append(ids, mustTrain(t, store, opts).ID)
	}
	complete, _ := completeVersions(t, store)
	if len(complete) != 2 || complete[0] != ids[1] || complete[1] != ids[2] {
		t.Errorf("kept versions %v, want the last two of %v", complete, ids)
	}
	current, _ := currentVersion(store.DB())
	if current != ids[2] {
		t.Errorf("current version %q, want the newest %q", current, ids[2])
	}
}

func TestChunkedBlobsRoundTrip(t *testing.T) {
	store := newDemoStore(t)
	opts := testOptions().WithChunkSize(4 << 10).WithModel(ModelBPR)
	v := mustTrain(t, store, opts)
	chunked := false
	for _, b := range v.Blobs {
		if b.Chunks > 1 {
			chunked = true
		}
		if want := max(1, (b.Size+opts.ChunkSize-1)/opts.ChunkSize); b.Chunks != want {
			t.Errorf("blob %s of %d bytes has %d chunks, want %d", b.Name, b.Size, b.Chunks, want)
		}
	}
	if !chunked {
		t.Fatalf("no blob was split into chunks of %d bytes: %+v", opts.ChunkSize, v.Blobs)
	}
	svc := mustOpen(t, store, opts)
	if got, ok := svc.Version(); !ok || got.Model != ModelBPR {
		t.Fatalf("loaded version %+v, want the BPR version", got)
	}
	user, _ := buyer(t)
	items, err := svc.Recommend(context.Background(), user, 5, RecContext{})
	if err != nil {
		t.Fatal(err)
	}
	checkItems(t, items, 5)
}

func TestCorruptBlobFallsBackToPopularity(t *testing.T) {
	store := newDemoStore(t)
	v := mustTrain(t, store, testOptions())
	err := store.DB().Update(func(txn *badger.Txn) error {
		return txn.Set(chunkKey(v.ID, blobFBT, 0), []byte("garbage"))
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := mustOpen(t, store, testOptions())
	if _, ok := svc.Version(); ok {
		t.Error("a corrupt version is serving")
	}
	if st := svc.Status(); st.LastError == "" {
		t.Error("Status has no error after loading a corrupt version")
	}
	items, err := svc.Recommend(context.Background(), "someone", 5, RecContext{})
	if err != nil {
		t.Fatal(err)
	}
	checkItems(t, items, 5)
}
