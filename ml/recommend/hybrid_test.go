package recommend

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// shopHybrid trains every model on shopLog and blends them.
func shopHybrid(t *testing.T, opts HybridOptions) *Hybrid {
	t.Helper()
	ctx := context.Background()
	ds := mustDataset(t, shopLog())
	als, err := TrainALS(ctx, ds, DefaultALSOptions().WithFactors(4).WithRegularization(0.1))
	if err != nil {
		t.Fatal(err)
	}
	knn, _ := TrainItemKNN(ctx, ds, DefaultItemKNNOptions())
	fbt, _ := TrainFBT(ctx, ds, DefaultFBTOptions())
	trending, _ := TrainPopularity(ctx, ds, DefaultPopularityOptions())
	popular, _ := TrainPopularity(ctx, ds, DefaultPopularityOptions().WithTrending(false))
	session, _ := NewSession(knn, ds.Weights, DefaultSessionOptions())
	texts := map[string]string{
		"phone": "smartphone 128 GB black", "case": "smartphone case black silicone", "charger": "usb charger for smartphone",
		"novel": "novel paperback", "poetry": "poetry paperback", "atlas": "world atlas hardcover", "fan": "desk fan",
		"lamp": "desk lamp led",
	}
	text, _ := NewTextIndex(texts, DefaultTextOptions())
	content, _ := NewContent(text.Similar, 10, 5)
	h, err := NewHybrid(NewHistories(ds), popular, opts,
		Component{als, 1}, Component{knn, 0.5}, Component{fbt, 0.5}, Component{trending, 0.2},
		Component{session, 1}, Component{content, 0.3})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func recItems(recs []Recommendation) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Item
	}
	return out
}

func hasReason(r Recommendation, kind ReasonKind, item string) bool {
	for _, reason := range r.Reasons {
		if reason.Kind == kind && (item == "" || reason.Item == item) {
			return true
		}
	}
	return false
}

func TestHybridKnownUser(t *testing.T) {
	h := shopHybrid(t, DefaultHybridOptions())
	recs, err := h.Recommend(context.Background(), Request{User: "p0", Region: "SP", K: 3})
	if err != nil {
		t.Fatal(err)
	}
	items := recItems(recs)
	if slices.Contains(items, "phone") || slices.Contains(items, "case") {
		t.Errorf("recommendations %v contain purchased items", items)
	}
	if !slices.Contains(items, "charger") {
		t.Fatalf("recommendations %v lack charger", items)
	}
	for _, r := range recs {
		if len(r.Reasons) == 0 {
			t.Errorf("item %s has no reasons", r.Item)
		}
	}
	// Viewed items may come back under ExcludePurchased.
	viewed := shopHybrid(t, DefaultHybridOptions().WithExclude(ExcludeInteracted))
	recs, _ = viewed.Recommend(context.Background(), Request{User: "p0", Region: "SP", K: 8})
	if slices.Contains(recItems(recs), "charger") {
		t.Errorf("ExcludeInteracted: recommendations %v contain the viewed charger", recItems(recs))
	}
}

func TestHybridBoughtTogetherReason(t *testing.T) {
	h := shopHybrid(t, DefaultHybridOptions())
	recs, _ := h.Recommend(context.Background(), Request{Session: []SessionEvent{{Item: "phone", Event: EventCart}}, K: 3})
	i := slices.IndexFunc(recs, func(r Recommendation) bool { return r.Item == "case" })
	if i < 0 {
		t.Fatalf("recommendations %v lack case", recItems(recs))
	}
	if !hasReason(recs[i], ReasonBoughtTogether, "phone") {
		t.Errorf("case reasons = %+v, want bought_together with phone", recs[i].Reasons)
	}
}

func TestHybridColdStart(t *testing.T) {
	h := shopHybrid(t, DefaultHybridOptions())
	cases := []struct {
		name    string
		req     Request
		kind    ReasonKind
		fromItm string
	}{
		{"nothing known", Request{User: "new", Region: "RJ", K: 5}, ReasonTrending, ""},
		{"touched item", Request{User: "new", Region: "RJ", K: 5, Touched: []string{"lamp"}}, ReasonSimilarContent, "lamp"},
		{"unknown region", Request{User: "new", Region: "XX", K: 5}, ReasonTrending, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs, err := h.Recommend(context.Background(), c.req)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != c.req.K {
				t.Fatalf("got %d recommendations, want %d", len(recs), c.req.K)
			}
			found := false
			for _, r := range recs {
				found = found || hasReason(r, c.kind, c.fromItm)
			}
			if !found {
				t.Errorf("no recommendation carries reason %s %s: %v", c.kind, c.fromItm, recs)
			}
		})
	}
}

func TestHybridFilters(t *testing.T) {
	unavailable := func(item string) bool { return item != "charger" }
	h := shopHybrid(t, DefaultHybridOptions().WithAvailable(unavailable))
	books := func(item string) bool { return slices.Contains([]string{"novel", "poetry", "atlas"}, item) }
	recs, err := h.Recommend(context.Background(), Request{User: "p0", K: 5, Allow: books})
	if err != nil {
		t.Fatal(err)
	}
	items := recItems(recs)
	slices.Sort(items)
	if !slices.Equal(items, []string{"atlas", "novel", "poetry"}) {
		t.Errorf("book-only recommendations = %v, want the three books", items)
	}
	recs, _ = h.Recommend(context.Background(), Request{User: "p0", K: 10})
	if slices.Contains(recItems(recs), "charger") {
		t.Errorf("recommendations %v contain the unavailable charger", recItems(recs))
	}
	none, _ := h.Recommend(context.Background(), Request{User: "p0", K: 3, Allow: func(string) bool { return false }})
	if len(none) != 0 {
		t.Errorf("a predicate rejecting every item gave %v", recItems(none))
	}
}

func TestHybridRejectsBadK(t *testing.T) {
	h := shopHybrid(t, DefaultHybridOptions())
	_, err := h.Recommend(context.Background(), Request{User: "p0"})
	if err == nil || !strings.Contains(err.Error(), "invalid K") {
		t.Errorf("K = 0: error = %v, want invalid K", err)
	}
}
