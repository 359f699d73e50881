package search

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/index/fulltext"
	"github.com/shopsight/shopsight/storage"
)

// envRebuildChild turns the test binary into a child process that opens
// the search service over the store in the named directory, which rebuilds
// a missing full-text index, for TestRebuildSurvivesSIGKILL.
const envRebuildChild = "SHOPSIGHT_SEARCH_REBUILD_CHILD"

// Log messages of Open that the parent waits for.
const (
	msgRebuildStarts = "full-text index needs a rebuild"
	msgRebuilt       = "full-text index rebuilt"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envRebuildChild); dir != "" {
		os.Exit(runRebuildChild(dir))
	}
	os.Exit(m.Run())
}

// runRebuildChild opens the store under dir/store and the search service
// under dir/index, logging to stdout, and returns the exit code.
func runRebuildChild(dir string) int {
	store, err := storage.Open(storage.DefaultOptions(filepath.Join(dir, "store")).WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open store:", err)
		return 2
	}
	defer store.Close()
	logger := slog.New(slog.NewTextHandler(os.Stdout, nil))
	svc, err := Open(context.Background(), store, filepath.Join(dir, "index"), nil, testOptions().WithLogger(logger))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open search:", err)
		return 3
	}
	if err := svc.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "child: close search:", err)
		return 4
	}
	return 0
}

// writeKillStore writes the store of TestRebuildSurvivesSIGKILL into dir:
// the fixture catalog with 800 more products and 4,000 reviews, so that a
// rebuild takes long enough to be killed part way.
func writeKillStore(t *testing.T, dir string) {
	t.Helper()
	store, err := storage.Open(storage.DefaultOptions(dir).WithLogger(quietLogger()))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer store.Close()
	seedStore(t, store)

	ctx := context.Background()
	words := strings.Fields("steel pot pan lid handle kitchen cooking boil simmer heavy light durable cheap sturdy rusty shiny")
	rng := rand.New(rand.NewPCG(2026, 12))
	var products []storage.Product
	for i := range 800 {
		products = append(products, storage.Product{ID: fmt.Sprintf("p-extra%04d", i), Title: fmt.Sprintf("Kitchen item %d", i),
			Description: "Cookware for every kitchen.", Category: []string{"home", "kitchen"}, Price: storage.Money(500 + i),
			Currency: "USD", Language: "en", CreatedAt: fixtureTime.Add(time.Duration(i) * time.Second)})
	}
	if err := store.PutProducts(ctx, products); err != nil {
		t.Fatalf("put products: %v", err)
	}
	putVectors(t, store, products)

	var reviews []storage.Review
	for i := range 4000 {
		text := make([]string, 30)
		for j := range text {
			text[j] = words[rng.IntN(len(words))]
		}
		reviews = append(reviews, storage.Review{ID: fmt.Sprintf("r-extra%05d", i), ProductID: products[i%len(products)].ID,
			UserID: fmt.Sprintf("u%d", i%97), Rating: int32(1 + i%5), Title: "Kitchen review", Text: strings.Join(text, " "),
			Language: "en", CreatedAt: fixtureTime.Add(time.Duration(i) * time.Second)})
	}
	if err := store.PutReviews(ctx, reviews); err != nil {
		t.Fatalf("put reviews: %v", err)
	}
}

// TestRebuildSurvivesSIGKILL deletes the full-text index, kills a child
// process at seeded random moments of the rebuild that Open starts, and
// checks that the next Open leaves both indexes equal to the store.
func TestRebuildSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds the search index in child processes")
	}
	dir := t.TempDir()
	writeKillStore(t, filepath.Join(dir, "store"))

	// A complete run builds both indexes and measures the rebuild.
	rebuild, finished := runRebuildChildProcess(t, dir, -1)
	if !finished {
		t.Fatal("the first child run did not finish")
	}
	t.Logf("full-text rebuild took %s in the child", rebuild)

	// The kills land in the first 60% of the measured rebuild, because a
	// later rebuild may run faster on a warm page cache.
	rng := rand.New(rand.NewPCG(20261204, 1))
	landed := 0
	for i := range 2 {
		if err := os.RemoveAll(filepath.Join(dir, "index", FulltextDir)); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration((0.05 + 0.55*rng.Float64()) * float64(rebuild))
		_, finished := runRebuildChildProcess(t, dir, delay)
		t.Logf("kill %d: %s into the rebuild (child finished first: %v)", i, delay, finished)
		if !finished {
			landed++
		}
	}
	if landed == 0 {
		t.Error("every child finished its rebuild before the kill, so no kill was tested")
	}

	store, err := storage.Open(storage.DefaultOptions(filepath.Join(dir, "store")).WithLogger(quietLogger()))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer store.Close()
	s := openService(t, store, filepath.Join(dir, "index"))
	defer s.Close()

	want := storeProductIDs(t, store)
	text, vector := indexedIDs(t, s)
	if !slices.Equal(text, want) {
		t.Errorf("full-text index has %d products, want the store's %d", len(text), len(want))
	}
	if !slices.Equal(vector, want) {
		t.Errorf("vector index has %d products, want the store's %d", len(vector), len(want))
	}
	counts, err := store.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	reviews, err := s.SearchReviews(context.Background(), fulltext.ReviewRequest{Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	if int64(reviews.Total) != counts[storage.KindReview] {
		t.Errorf("full-text index has %d reviews, want the store's %d", reviews.Total, counts[storage.KindReview])
	}
	if s.Watermark() == 0 {
		t.Error("watermark is 0 after Open, want the store's last change")
	}
}

// runRebuildChildProcess runs runRebuildChild on dir. With killAfter >= 0
// it sends SIGKILL that long after the child logs the start of the
// rebuild. It returns the time from the start of the rebuild to its end,
// and whether the child finished.
func runRebuildChildProcess(t *testing.T, dir string, killAfter time.Duration) (time.Duration, bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRebuildChild+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}

	var started time.Time
	var rebuild time.Duration
	killed := false
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		line := lines.Text()
		switch {
		case strings.Contains(line, msgRebuildStarts):
			started = time.Now()
			if killAfter >= 0 {
				time.AfterFunc(killAfter, func() { cmd.Process.Kill() })
				killed = true
			}
		case strings.Contains(line, msgRebuilt) && !started.IsZero():
			rebuild = time.Since(started)
		}
	}
	io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	if started.IsZero() {
		t.Fatalf("the child never started a rebuild: %v: %s", err, stderr.String())
	}
	if err != nil && !killed {
		t.Fatalf("child: %v: %s", err, stderr.String())
	}
	return rebuild, err == nil
}
