package service

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/shopsight/shopsight/ml/recommend"
	"github.com/shopsight/shopsight/storage"
)

// checkItems fails when items is not a list of n distinct products, each
// with at least one reason that has a sentence.
func checkItems(t *testing.T, items []Item, n int) {
	t.Helper()
	if len(items) != n {
		t.Fatalf("got %d items, want %d", len(items), n)
	}
	seen := make(map[string]bool)
	for _, it := range items {
		if seen[it.ProductID] {
			t.Errorf("product %s appears twice", it.ProductID)
		}
		seen[it.ProductID] = true
		if it.Title == "" {
			t.Errorf("product %s has no title", it.ProductID)
		}
		if len(it.Reasons) == 0 {
			t.Errorf("product %s has no reasons", it.ProductID)
			continue
		}
		for _, r := range it.Reasons {
			if r.Text == "" || r.Kind == "" || r.Model == "" {
				t.Errorf("product %s has an incomplete reason %+v", it.ProductID, r)
			}
		}
	}
}

func hasReason(items []Item, kind ReasonKind) bool {
	for _, it := range items {
		for _, r := range it.Reasons {
			if r.Kind == kind {
				return true
			}
		}
	}
	return false
}

func TestTrainAndServe(t *testing.T) {
	ctx := context.Background()
	store := newDemoStore(t)
	var stages []string
	v, err := Train(ctx, store, testOptions(), func(stage string, done, total int) {
		if len(stages) == 0 || stages[len(stages)-1] != stage {
			stages = append(stages, stage)
		}
	})
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	wantStages := []string{StageLoad, StageDataset, StageFactors, StageCoPurchase, StageCoView, StageFBT, StagePopularity, StageContent, StageSave}
	if strings.Join(stages, ",") != strings.Join(wantStages, ",") {
		t.Errorf("stages = %v, want %v", stages, wantStages)
	}
	if v.Interactions == 0 || v.Sessions == 0 || v.Items == 0 || len(v.Blobs) != 10 {
		t.Errorf("version = %+v, want interactions, sessions, items and 10 blobs", v)
	}

	svc := mustOpen(t, store, testOptions())
	if got, ok := svc.Version(); !ok || got.ID != v.ID {
		t.Fatalf("serving version %q (trained: %v), want %q", got.ID, ok, v.ID)
	}

	user, bought := buyer(t)
	items, err := svc.Recommend(ctx, user, 10, RecContext{})
	if err != nil {
		t.Fatalf("Recommend: %v", err)
	}
	checkItems(t, items, 10)
	for _, it := range items {
		if bought[it.ProductID] {
			t.Errorf("user %s bought %s, which was recommended", user, it.ProductID)
		}
	}
	if !hasReason(items, recommend.ReasonCollaborative) {
		t.Errorf("no collaborative reason for known user %s: %+v", user, items)
	}
}

func TestTrendingReasons(t *testing.T) {
	store := newDemoStore(t)
	mustTrain(t, store, testOptions())
	svc := mustOpen(t, store, testOptions())
	for _, window := range Windows() {
		items, err := svc.Trending(context.Background(), "SP", window, 5)
		if err != nil {
			t.Fatalf("Trending(SP, %s): %v", window, err)
		}
		checkItems(t, items, 5)
		r := items[0].Reasons[0]
		if r.Kind == recommend.ReasonTrending && r.Region == "BR-SP" {
			want := "trending in São Paulo " + windowPhrase(window)
			if r.Text != want {
				t.Errorf("window %s: reason text %q, want %q", window, r.Text, want)
			}
		}
	}
	if _, err := svc.Trending(context.Background(), "SP", "1y", 5); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Trending with window 1y: error %v, want ErrInvalidArgument", err)
	}
}

func TestUnknownUserGetsTrendingAndSession(t *testing.T) {
	ctx := context.Background()
	store := newDemoStore(t)
	mustTrain(t, store, testOptions())
	svc := mustOpen(t, store, testOptions())

	items, err := svc.Recommend(ctx, "no-such-user", 10, RecContext{Region: "BR-RJ"})
	if err != nil {
		t.Fatalf("Recommend for unknown user: %v", err)
	}
	checkItems(t, items, 10)
	if !hasReason(items, recommend.ReasonTrending) && !hasReason(items, recommend.ReasonPopular) {
		t.Errorf("unknown user got no trending or popular reason: %+v", items)
	}

	records, _ := demoRecords()
	viewed := records.products[3].ID
	items, err = svc.Recommend(ctx, "", 10, RecContext{SessionProductIDs: []string{viewed}})
	if err != nil {
		t.Fatalf("Recommend for anonymous session: %v", err)
	}
	checkItems(t, items, 10)
	for _, it := range items {
		if it.ProductID == viewed {
			t.Errorf("session product %s was recommended back", viewed)
		}
	}
	if !hasReason(items, recommend.ReasonSimilarContent) && !hasReason(items, recommend.ReasonSession) {
		t.Errorf("anonymous session got no content or session reason: %+v", items)
	}
}

func TestOpenWithoutVersionServesPopularity(t *testing.T) {
	store := newDemoStore(t)
	svc := mustOpen(t, store, testOptions())
	if _, ok := svc.Version(); ok {
		t.Fatal("Version reports a trained version in a store never trained")
	}
	items, err := svc.Recommend(context.Background(), "nobody", 5, RecContext{})
	if err != nil {
		t.Fatalf("Recommend: %v", err)
	}
	checkItems(t, items, 5)
	if !hasReason(items, recommend.ReasonTrending) && !hasReason(items, recommend.ReasonPopular) {
		t.Errorf("bootstrap recommendations lack a popularity reason: %+v", items)
	}
}

func TestCatalogOnlyStore(t *testing.T) {
	store := newEmptyStore(t)
	ctx := context.Background()
	err := store.PutProducts(ctx, []storage.Product{
		{ID: "a", Title: "Red kettle"}, {ID: "b", Title: "Blue kettle"}, {ID: "c", Title: "Green mug"},
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := mustOpen(t, store, testOptions())
	items, err := svc.Recommend(ctx, "u1", 3, RecContext{})
	if err != nil {
		t.Fatalf("Recommend: %v", err)
	}
	checkItems(t, items, 3)
	if _, err := Train(ctx, store, testOptions(), nil); !errors.Is(err, ErrNoInteractions) {
		t.Errorf("Train on a catalog-only store: error %v, want ErrNoInteractions", err)
	}
}

func TestNewProductContentNeighbours(t *testing.T) {
	ctx := context.Background()
	store := newDemoStore(t)
	mustTrain(t, store, testOptions())
	records, _ := demoRecords()
	model := records.products[10]
	newProduct := storage.Product{ID: "new-product", Title: model.Title + " deluxe", Description: model.Description, Category: model.Category}
	if err := store.PutProducts(ctx, []storage.Product{newProduct}); err != nil {
		t.Fatal(err)
	}
	svc := mustOpen(t, store, testOptions())

	items, err := svc.SimilarProducts(ctx, newProduct.ID, 5)
	if err != nil {
		t.Fatalf("SimilarProducts(new product): %v", err)
	}
	checkItems(t, items, 5)
	if items[0].ProductID != model.ID {
		t.Errorf("closest product to %q is %s, want %s (%q)", newProduct.Title, items[0].ProductID, model.ID, model.Title)
	}
	r := items[0].Reasons[0]
	if r.Kind != recommend.ReasonSimilarContent || r.RelatedProductID != newProduct.ID || r.Text != "similar to "+newProduct.Title {
		t.Errorf("reason = %+v, want similar_content on %s", r, newProduct.ID)
	}
}

func TestSimilarAndBoughtTogether(t *testing.T) {
	ctx := context.Background()
	store := newDemoStore(t)
	mustTrain(t, store, testOptions())
	svc := mustOpen(t, store, testOptions())
	records, _ := demoRecords()
	var anchor string
	for _, o := range records.orders {
		if len(o.Items) >= 2 && o.Status != storage.OrderCanceled {
			anchor = o.Items[0].ProductID
			break
		}
	}
	similar, err := svc.SimilarProducts(ctx, anchor, 8)
	if err != nil {
		t.Fatalf("SimilarProducts: %v", err)
	}
	checkItems(t, similar, 8)
	together, err := svc.FrequentlyBoughtTogether(ctx, anchor, 3)
	if err != nil {
		t.Fatalf("FrequentlyBoughtTogether: %v", err)
	}
	if len(together) == 0 {
		t.Fatalf("no product bought together with %s, which shares an order with others", anchor)
	}
	for _, it := range together {
		if it.ProductID == anchor {
			t.Errorf("product %s is bought together with itself", anchor)
		}
	}
}

func TestRequestErrors(t *testing.T) {
	ctx := context.Background()
	store := newDemoStore(t)
	svc := mustOpen(t, store, testOptions())
	for _, k := range []int{0, -1, MaxK + 1} {
		if _, err := svc.Recommend(ctx, "u", k, RecContext{}); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("Recommend with k=%d: error %v, want ErrInvalidArgument", k, err)
		}
		if _, err := svc.Trending(ctx, "", Window7d, k); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("Trending with k=%d: error %v, want ErrInvalidArgument", k, err)
		}
	}
	if _, err := svc.SimilarProducts(ctx, "no-such-product", 5); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SimilarProducts of an unknown product: error %v, want storage.ErrNotFound", err)
	}
	if _, err := svc.FrequentlyBoughtTogether(ctx, "no-such-product", 5); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("FrequentlyBoughtTogether of an unknown product: error %v, want storage.ErrNotFound", err)
	}
}

func TestFilters(t *testing.T) {
	ctx := context.Background()
	store := newDemoStore(t)
	mustTrain(t, store, testOptions())
	svc := mustOpen(t, store, testOptions())
	user, _ := buyer(t)

	before, err := svc.Recommend(ctx, user, 5, RecContext{})
	if err != nil {
		t.Fatal(err)
	}
	deleted := before[0].ProductID
	if err := store.DeleteProduct(ctx, deleted); err != nil {
		t.Fatal(err)
	}
	after, err := svc.Recommend(ctx, user, 5, RecContext{})
	if err != nil {
		t.Fatal(err)
	}
	checkItems(t, after, 5)
	for _, it := range after {
		if it.ProductID == deleted {
			t.Errorf("deleted product %s was recommended", deleted)
		}
	}

	records, _ := demoRecords()
	category := records.products[0].Category[:1]
	items, err := svc.Recommend(ctx, user, 5, RecContext{Category: category})
	if err != nil {
		t.Fatal(err)
	}
	checkItems(t, items, 5)
	snap := svc.snap.Load()
	for _, it := range items {
		if !snap.inCategory(it.ProductID, category) {
			t.Errorf("product %s is outside category %v", it.ProductID, category)
		}
	}
}

func TestBackgroundTrainingSwapsVersion(t *testing.T) {
	ctx := context.Background()
	store := newDemoStore(t)
	svc := mustOpen(t, store, testOptions())
	user, _ := buyer(t)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var readErr error
	var mu sync.Mutex
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				items, err := svc.Recommend(ctx, user, 10, RecContext{SessionProductIDs: []string{"p00001"}})
				if err == nil && len(items) != 10 {
					err = errors.New("short list during training")
				}
				if err != nil {
					mu.Lock()
					readErr = err
					mu.Unlock()
					return
				}
			}
		}()
	}

	if err := svc.StartTraining(ctx); err != nil {
		t.Fatalf("StartTraining: %v", err)
	}
	if err := svc.StartTraining(ctx); !errors.Is(err, ErrTrainingRunning) {
		t.Errorf("second StartTraining: error %v, want ErrTrainingRunning", err)
	}
	if st := svc.Status(); !st.Running || st.StartedAt.IsZero() {
		t.Errorf("status while training = %+v, want running with a start time", st)
	}
	svc.Wait()
	close(stop)
	wg.Wait()
	if readErr != nil {
		t.Errorf("Recommend during training: %v", readErr)
	}
	st := svc.Status()
	if st.Running || st.LastError != "" || st.LastVersion == "" || st.Stage != StageSave {
		t.Errorf("status after training = %+v, want finished at stage save with a version", st)
	}
	if v, ok := svc.Version(); !ok || v.ID != st.LastVersion {
		t.Errorf("serving version %q, want the trained %q", v.ID, st.LastVersion)
	}
}

func TestStartTrainingCancelled(t *testing.T) {
	store := newDemoStore(t)
	svc := mustOpen(t, store, testOptions())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := svc.StartTraining(ctx); err != nil {
		t.Fatalf("StartTraining: %v", err)
	}
	svc.Wait()
	st := svc.Status()
	if st.Running || st.LastError == "" || st.LastVersion != "" {
		t.Errorf("status after a cancelled training = %+v, want an error and no version", st)
	}
	if _, ok := svc.Version(); ok {
		t.Error("a cancelled training became the serving version")
	}
}
