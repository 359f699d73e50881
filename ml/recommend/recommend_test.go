package recommend

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// shopLog is a small synthetic log: two taste groups (phones, books), a
// basket pattern (phone + case), regions and one recent burst.
func shopLog() []Interaction {
	var out []Interaction
	add := func(user, item string, day int, ev EventType, region, order string) {
		out = append(out, Interaction{User: user, Item: item, Time: t0.Add(time.Duration(day) * 24 * time.Hour), Event: ev, Region: region, Order: order})
	}
	for u := range 6 {
		user := fmt.Sprintf("p%d", u)
		add(user, "phone", u, EventView, "SP", "")
		add(user, "phone", u, EventPurchase, "SP", "o"+user)
		add(user, "case", u, EventPurchase, "SP", "o"+user)
		add(user, "charger", u+1, EventView, "SP", "")
	}
	for u := range 6 {
		user := fmt.Sprintf("b%d", u)
		add(user, "novel", u, EventView, "RJ", "")
		add(user, "poetry", u, EventCart, "RJ", "")
		add(user, "atlas", u+1, EventView, "RJ", "")
	}
	for u := range 4 {
		add(fmt.Sprintf("t%d", u), "fan", 29, EventView, "RJ", "")
	}
	add("b0", "fan", 10, EventView, "RJ", "")
	return out
}

func mustDataset(t *testing.T, data []Interaction) *Dataset {
	t.Helper()
	ds, err := NewDataset(data, DefaultWeightOptions().WithHalfLife(14*24*time.Hour))
	if err != nil {
		t.Fatalf("NewDataset: %v", err)
	}
	return ds
}

func TestDatasetWeights(t *testing.T) {
	data := []Interaction{
		{User: "u", Item: "a", Time: t0, Event: EventView},
		{User: "u", Item: "a", Time: t0.Add(10 * 24 * time.Hour), Event: EventPurchase},
		{User: "u", Item: "b", Time: t0.Add(10 * 24 * time.Hour), Event: EventCart},
	}
	ds, err := NewDataset(data, DefaultWeightOptions().WithHalfLife(10*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	h, _ := NewHistories(ds).Of("u")
	want := map[string]HistoryItem{
		"a": {Item: "a", Weight: 0.5*1 + 5, Event: EventPurchase}, // the view is one half-life old
		"b": {Item: "b", Weight: 3, Event: EventCart},
	}
	for _, got := range h {
		w := want[got.Item]
		if got.Event != w.Event {
			t.Errorf("item %s event = %v, want %v", got.Item, got.Event, w.Event)
		}
		if d := got.Weight - w.Weight; d > 1e-6 || d < -1e-6 {
			t.Errorf("item %s weight = %v, want %v", got.Item, got.Weight, w.Weight)
		}
	}
}

func TestDatasetRejectsBadInput(t *testing.T) {
	cases := []struct {
		name string
		in   Interaction
		opts WeightOptions
	}{
		{"empty user", Interaction{Item: "a", Event: EventView}, DefaultWeightOptions()},
		{"missing event", Interaction{User: "u", Item: "a"}, DefaultWeightOptions()},
		{"zero weight", Interaction{User: "u", Item: "a", Event: EventView}, DefaultWeightOptions().WithEventWeights(0, 1, 1)},
		{"negative half-life", Interaction{User: "u", Item: "a", Event: EventView}, DefaultWeightOptions().WithHalfLife(-time.Hour)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := NewDataset([]Interaction{c.in}, c.opts); err == nil {
				t.Error("NewDataset returned no error")
			}
		})
	}
}

func TestParseEventType(t *testing.T) {
	cases := map[string]EventType{"pv": EventView, "View": EventView, "fav": EventCart, "cart": EventCart, "buy": EventPurchase, "purchase": EventPurchase}
	for in, want := range cases {
		got, err := ParseEventType(in)
		if err != nil || got != want {
			t.Errorf("ParseEventType(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseEventType("like"); err == nil {
		t.Error(`ParseEventType("like") returned no error`)
	}
}

func candidateItems(c []Candidate) []string {
	out := make([]string, len(c))
	for i := range c {
		out[i] = c[i].Item
	}
	return out
}

func TestALSRanksSameGroupFirst(t *testing.T) {
	ds := mustDataset(t, shopLog())
	als, err := TrainALS(context.Background(), ds, DefaultALSOptions().WithFactors(4).WithRegularization(0.1).WithIterations(10))
	if err != nil {
		t.Fatal(err)
	}
	// Every phone buyer also viewed the charger, so the charger is the
	// closest item left for p0 once the purchases are excluded.
	q := &Query{User: "p0", Exclude: map[string]struct{}{"phone": {}, "case": {}}}
	got, err := als.Candidates(context.Background(), q, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].Item != "charger" {
		t.Errorf("ALS top items for p0 = %v, want charger first", candidateItems(got))
	}
	if got[0].Reasons[0].Kind != ReasonCollaborative {
		t.Errorf("ALS reason = %v, want %v", got[0].Reasons[0].Kind, ReasonCollaborative)
	}
}

func TestBPRReproducible(t *testing.T) {
	ds := mustDataset(t, shopLog())
	opts := DefaultBPROptions().WithFactors(8).WithEpochs(20).WithSeed(7)
	a, err := TrainBPR(context.Background(), ds, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := TrainBPR(context.Background(), ds, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.UserVecs, b.UserVecs) || !slices.Equal(a.ItemVecs, b.ItemVecs) || !slices.Equal(a.ItemBias, b.ItemBias) {
		t.Error("two BPR runs with the same seed differ")
	}
	c, _ := TrainBPR(context.Background(), ds, opts.WithSeed(8))
	if slices.Equal(a.ItemVecs, c.ItemVecs) {
		t.Error("BPR runs with different seeds are identical")
	}
}

func TestItemKNNNeighbours(t *testing.T) {
	ds := mustDataset(t, shopLog())
	for _, sim := range []Similarity{Cosine, Jaccard} {
		knn, err := TrainItemKNN(context.Background(), ds, DefaultItemKNNOptions().WithSimilarity(sim).WithNeighbors(2))
		if err != nil {
			t.Fatal(err)
		}
		got := candidateItems(knn.Similar("novel", 2))
		slices.Sort(got)
		if !slices.Equal(got, []string{"atlas", "poetry"}) {
			t.Errorf("similarity %d: neighbours of novel = %v, want atlas and poetry", sim, got)
		}
	}
}

func TestItemKNNReasonNamesHistoryItem(t *testing.T) {
	ds := mustDataset(t, shopLog())
	knn, _ := TrainItemKNN(context.Background(), ds, DefaultItemKNNOptions())
	q := &Query{History: []HistoryItem{{Item: "phone", Weight: 5, Event: EventPurchase}}, Exclude: map[string]struct{}{"phone": {}}}
	got, _ := knn.Candidates(context.Background(), q, 3)
	if len(got) == 0 {
		t.Fatal("no candidates")
	}
	r := got[0].Reasons[0]
	if r.Kind != ReasonSimilarToPurchased || r.Item != "phone" {
		t.Errorf("reason = %+v, want similar_to_purchased phone", r)
	}
}

func TestFBTLiftAndConfidence(t *testing.T) {
	ds := mustDataset(t, shopLog())
	for _, measure := range []AssociationMeasure{Lift, Confidence} {
		fbt, err := TrainFBT(context.Background(), ds, DefaultFBTOptions().WithMeasure(measure))
		if err != nil {
			t.Fatal(err)
		}
		got := fbt.Together("phone", 5)
		if len(got) != 1 || got[0].Item != "case" {
			t.Fatalf("measure %d: bought with phone = %v, want [case]", measure, candidateItems(got))
		}
		// Six baskets, each with phone and case: lift 6·6/(6·6) = 1, confidence 6/6 = 1.
		if got[0].Score != 1 {
			t.Errorf("measure %d: score = %v, want 1", measure, got[0].Score)
		}
	}
	high, _ := TrainFBT(context.Background(), ds, DefaultFBTOptions().WithMinSupport(7))
	if got := high.Together("phone", 5); len(got) != 0 {
		t.Errorf("min support 7: bought with phone = %v, want none", candidateItems(got))
	}
}

func TestPopularityTrendingPerRegion(t *testing.T) {
	ds := mustDataset(t, shopLog())
	pop, err := TrainPopularity(context.Background(), ds, DefaultPopularityOptions())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := pop.Candidates(context.Background(), &Query{Region: "RJ"}, 3)
	if len(got) != 3 {
		t.Fatalf("got %d candidates, want 3", len(got))
	}
	want := Reason{Kind: ReasonTrending, Model: "trending", Region: "RJ", Window: "7d"}
	r := got[0].Reasons[0]
	r.Score = 0
	if got[0].Item != "fan" || r != want {
		t.Errorf("top RJ candidate = %s %+v, want fan %+v", got[0].Item, r, want)
	}
	all, _ := pop.Candidates(context.Background(), &Query{}, 100)
	if len(all) != ds.Items.Len() {
		t.Errorf("candidates over the whole catalog = %d, want %d", len(all), ds.Items.Len())
	}
}

func TestSessionWeightsRecency(t *testing.T) {
	ds := mustDataset(t, shopLog())
	knn, _ := TrainItemKNN(context.Background(), ds, DefaultItemKNNOptions())
	s, err := NewSession(knn, DefaultWeightOptions(), DefaultSessionOptions().WithDecay(0.1))
	if err != nil {
		t.Fatal(err)
	}
	q := &Query{Session: []SessionEvent{{Item: "novel", Event: EventView}, {Item: "phone", Event: EventView}},
		Exclude: map[string]struct{}{"novel": {}, "phone": {}}}
	got, _ := s.Candidates(context.Background(), q, 10)
	if len(got) == 0 {
		t.Fatal("no candidates")
	}
	r := got[0].Reasons[0]
	if r.Kind != ReasonSession || r.Item != "phone" {
		t.Errorf("top session reason = %+v, want session from the newest item phone", r)
	}
}

func TestTextIndexSimilar(t *testing.T) {
	texts := map[string]string{
		"a": "Red running shoes for trail running",
		"b": "Blue running shoes, lightweight",
		"c": "Ceramic coffee mug",
		"d": "Coffee beans, dark roast",
	}
	x, err := NewTextIndex(texts, DefaultTextOptions())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := x.Similar(context.Background(), "a", 3)
	if len(got) != 1 || got[0].Item != "b" {
		t.Errorf("similar to a = %v, want [b]", candidateItems(got))
	}
	got, _ = x.Similar(context.Background(), "c", 3)
	if len(got) != 1 || got[0].Item != "d" {
		t.Errorf("similar to c = %v, want [d]", candidateItems(got))
	}
	if got, _ := x.Similar(context.Background(), "missing", 3); got != nil {
		t.Errorf("similar to an unknown item = %v, want nil", got)
	}
}
