package resolvers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopsight/shopsight/graph/limits"
	"github.com/shopsight/shopsight/ml/recommend"
	"github.com/shopsight/shopsight/ml/recommend/service"
)

// recItemFields selects every field of a Recommendation.
const recItemFields = `product { id title category } score
	reasons { kind model relatedProduct { id title } region regionName window score text }`

// recItem is a decoded Recommendation.
type recItem struct {
	Product struct {
		ID       string
		Title    string
		Category []string
	}
	Score   float64
	Reasons []recReason
}

type recReason struct {
	Kind           string
	Model          string
	RelatedProduct *struct{ ID, Title string }
	Region         *string
	RegionName     *string
	Window         *string
	Score          float64
	Text           string
}

// recStatus is a decoded RecommendationStatus.
type recStatus struct {
	Running     bool
	Stage       *string
	Done, Total int
	StartedAt   *string
	LastVersion *string
	LastError   *string
}

const recommendationsQuery = `query($user: ID!, $first: Int, $context: RecommendationContext) {
	recommendations(userId: $user, first: $first, context: $context) { ` + recItemFields + ` } }`

const trendingQuery = `query($region: String, $window: TrendingWindow, $first: Int) {
	trending(region: $region, window: $window, first: $first) { ` + recItemFields + ` } }`

const boughtTogetherQuery = `query($product: ID!, $first: Int) {
	frequentlyBoughtTogether(productId: $product, first: $first) { ` + recItemFields + ` } }`

const statusQuery = `{ recommendationStatus { running stage done total startedAt lastVersion lastError } }`

const trainMutation = `mutation { trainRecommendations { running stage done total startedAt lastVersion lastError } }`

// queryItems runs a document whose only field returns a Recommendation
// list and returns that list.
func queryItems(s *testServer, query string, vars map[string]any) []recItem {
	s.t.Helper()
	var data map[string][]recItem
	s.ok(query, vars, &data)
	if len(data) != 1 {
		s.t.Fatalf("response has fields %v, want one", data)
	}
	for _, items := range data {
		return items
	}
	return nil
}

// checkMatchesService compares a GraphQL list with the service's list for
// the same request: products, order, reason kinds, related products,
// regions, windows and sentences.
func checkMatchesService(t *testing.T, got []recItem, want []service.Item) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d items, the service returns %d", len(got), len(want))
	}
	// The trending model names the 24-hour window "1d" in its reasons.
	windows := map[string]string{service.Window24h: "DAY", "1d": "DAY", service.Window7d: "WEEK", service.Window30d: "MONTH"}
	for i, w := range want {
		g := got[i]
		if g.Product.ID != w.ProductID || g.Product.Title != w.Title {
			t.Errorf("item %d product = %s %q, want %s %q", i, g.Product.ID, g.Product.Title, w.ProductID, w.Title)
		}
		if g.Score != w.Score {
			t.Errorf("item %d score = %v, want %v", i, g.Score, w.Score)
		}
		if len(g.Reasons) != len(w.Reasons) {
			t.Errorf("item %d has %d reasons, want %d", i, len(g.Reasons), len(w.Reasons))
			continue
		}
		for j, wr := range w.Reasons {
			gr := g.Reasons[j]
			if gr.Kind != strings.ToUpper(string(wr.Kind)) {
				t.Errorf("item %d reason %d kind = %s, want %s", i, j, gr.Kind, wr.Kind)
			}
			if gr.Text != wr.Text {
				t.Errorf("item %d reason %d text = %q, want %q", i, j, gr.Text, wr.Text)
			}
			if gr.Model != wr.Model {
				t.Errorf("item %d reason %d model = %q, want %q", i, j, gr.Model, wr.Model)
			}
			if related := relatedID(gr); related != wr.RelatedProductID {
				t.Errorf("item %d reason %d related product = %q, want %q", i, j, related, wr.RelatedProductID)
			}
			if deref(gr.Region) != wr.Region || deref(gr.RegionName) != wr.RegionName {
				t.Errorf("item %d reason %d region = %q %q, want %q %q", i, j, deref(gr.Region), deref(gr.RegionName), wr.Region, wr.RegionName)
			}
			if deref(gr.Window) != windows[wr.Window] {
				t.Errorf("item %d reason %d window = %q, want the enum value of %q", i, j, deref(gr.Window), wr.Window)
			}
		}
	}
}

// checkReadable checks that every item has a product with a title and at
// least one reason with a sentence.
func checkReadable(t *testing.T, items []recItem) {
	t.Helper()
	for i, it := range items {
		if it.Product.ID == "" || it.Product.Title == "" {
			t.Errorf("item %d product = %+v, want an id and a title", i, it.Product)
		}
		if len(it.Reasons) == 0 {
			t.Errorf("item %d (%s) has no reasons", i, it.Product.ID)
		}
		for j, r := range it.Reasons {
			if r.Text == "" || r.Kind == "" || r.Model == "" {
				t.Errorf("item %d reason %d = %+v, want kind, model and text", i, j, r)
			}
		}
	}
}

func relatedID(r recReason) string {
	if r.RelatedProduct == nil {
		return ""
	}
	return r.RelatedProduct.ID
}

func productIDs(items []recItem) []string {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.Product.ID
	}
	return ids
}

func TestRecommendationQueries(t *testing.T) {
	store, records := newDemoStore(t, true)
	svc := openRecommender(t, store, true)
	s := serveStore(t, store, withRecommender(svc))
	ctx := context.Background()

	t.Run("known user", func(t *testing.T) {
		s := s.with(t)
		user := topBuyer(records)
		got := queryItems(s, recommendationsQuery, map[string]any{"user": user, "first": 5})
		if len(got) != 5 {
			t.Fatalf("got %d items, want 5", len(got))
		}
		checkReadable(t, got)
		want, err := svc.Recommend(ctx, user, 5, service.RecContext{})
		if err != nil {
			t.Fatalf("service Recommend: %v", err)
		}
		checkMatchesService(t, got, want)
		personal := false
		for _, it := range got {
			for _, r := range it.Reasons {
				personal = personal || r.Kind == "COLLABORATIVE" || strings.HasPrefix(r.Kind, "SIMILAR_TO_")
			}
		}
		if !personal {
			t.Errorf("no reason of %s is collaborative or similar to the history: %+v", user, got)
		}
	})

	t.Run("unknown user gets a cold start list", func(t *testing.T) {
		s := s.with(t)
		got := queryItems(s, recommendationsQuery, map[string]any{"user": "no-such-user"})
		if len(got) != 10 {
			t.Fatalf("got %d items for an unknown user, want the default 10", len(got))
		}
		checkReadable(t, got)
	})

	t.Run("session context", func(t *testing.T) {
		s := s.with(t)
		anchor := basketProduct(records)
		when := time.Date(2025, 1, 10, 15, 0, 0, 0, time.UTC)
		session := []string{records.products[0].ID, anchor}
		vars := map[string]any{"user": "no-such-user", "first": 8, "context": map[string]any{
			"region": "SP", "time": when.Format(time.RFC3339), "sessionProductIds": session,
		}}
		got := queryItems(s, recommendationsQuery, vars)
		checkReadable(t, got)
		want, err := svc.Recommend(ctx, "no-such-user", 8, service.RecContext{Region: "SP", Time: when, SessionProductIDs: session})
		if err != nil {
			t.Fatalf("service Recommend: %v", err)
		}
		checkMatchesService(t, got, want)
		fromSession := false
		for _, it := range got {
			if slices.Contains(session, it.Product.ID) {
				t.Errorf("session product %s was recommended back", it.Product.ID)
			}
			for _, r := range it.Reasons {
				fromSession = fromSession || slices.Contains(session, relatedID(r))
			}
		}
		if !fromSession {
			t.Errorf("no reason names a session product %v: %+v", session, got)
		}
	})

	t.Run("category filter", func(t *testing.T) {
		s := s.with(t)
		category := records.products[0].Category[0]
		got := queryItems(s, recommendationsQuery, map[string]any{
			"user": topBuyer(records), "first": 10, "context": map[string]any{"category": []string{strings.ToUpper(category)}},
		})
		if len(got) == 0 {
			t.Fatalf("no recommendations in category %q", category)
		}
		for _, it := range got {
			if len(it.Product.Category) == 0 || it.Product.Category[0] != category {
				t.Errorf("product %s category = %v, want under %q", it.Product.ID, it.Product.Category, category)
			}
		}
	})

	t.Run("trending by region and window", func(t *testing.T) {
		tests := []struct {
			region     any // nil sends null
			window     string
			wantRegion string
			wantName   string
		}{
			{region: "BR-SP", window: "DAY", wantRegion: "BR-SP", wantName: "São Paulo"},
			{region: "SP", window: "WEEK", wantRegion: "BR-SP", wantName: "São Paulo"},
			{region: "us-ca", window: "MONTH", wantRegion: "US-CA", wantName: "California"},
			{region: nil, window: "MONTH"},
		}
		serviceWindows := map[string]string{"DAY": service.Window24h, "WEEK": service.Window7d, "MONTH": service.Window30d}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%v %s", tt.region, tt.window), func(t *testing.T) {
				s := s.with(t)
				got := queryItems(s, trendingQuery, map[string]any{"region": tt.region, "window": tt.window, "first": 6})
				if len(got) != 6 {
					t.Fatalf("got %d trending items, want 6", len(got))
				}
				checkReadable(t, got)
				region, _ := tt.region.(string)
				want, err := svc.Trending(ctx, region, serviceWindows[tt.window], 6)
				if err != nil {
					t.Fatalf("service Trending: %v", err)
				}
				checkMatchesService(t, got, want)
				for _, it := range got {
					for _, r := range it.Reasons {
						if r.Window != nil && *r.Window != tt.window {
							t.Errorf("product %s reason window = %s, want %s", it.Product.ID, *r.Window, tt.window)
						}
						if deref(r.Region) != tt.wantRegion || deref(r.RegionName) != tt.wantName {
							t.Errorf("product %s reason region = %q %q, want %q %q", it.Product.ID,
								deref(r.Region), deref(r.RegionName), tt.wantRegion, tt.wantName)
						}
					}
				}
			})
		}
	})

	t.Run("trending window defaults to WEEK", func(t *testing.T) {
		s := s.with(t)
		got := queryItems(s, `{ trending(region: "BR-SP", first: 3) { `+recItemFields+` } }`, nil)
		want, err := svc.Trending(ctx, "BR-SP", service.Window7d, 3)
		if err != nil {
			t.Fatalf("service Trending: %v", err)
		}
		checkMatchesService(t, got, want)
	})

	t.Run("frequently bought together", func(t *testing.T) {
		s := s.with(t)
		anchor := basketProduct(records)
		got := queryItems(s, boughtTogetherQuery, map[string]any{"product": anchor, "first": 5})
		if len(got) == 0 {
			t.Fatalf("nothing bought together with %s", anchor)
		}
		checkReadable(t, got)
		want, err := svc.FrequentlyBoughtTogether(ctx, anchor, 5)
		if err != nil {
			t.Fatalf("service FrequentlyBoughtTogether: %v", err)
		}
		checkMatchesService(t, got, want)
		for _, it := range got {
			if it.Product.ID == anchor {
				t.Errorf("the product %s is listed as bought together with itself", anchor)
			}
			for _, r := range it.Reasons {
				if r.Kind != "BOUGHT_TOGETHER" && r.Kind != "ALSO_BOUGHT" {
					t.Errorf("product %s reason kind = %s, want BOUGHT_TOGETHER or ALSO_BOUGHT", it.Product.ID, r.Kind)
				}
				if relatedID(r) != anchor || r.RelatedProduct.Title == "" {
					t.Errorf("product %s related product = %+v, want %s with its title", it.Product.ID, r.RelatedProduct, anchor)
				}
			}
		}
	})

	t.Run("products are batched", func(t *testing.T) {
		s := s.with(t)
		query := `{ recommendations(userId: "%s", first: %d) { ` + recItemFields + ` } }`
		user := topBuyer(records)
		few := readsFor(t, s, fmt.Sprintf(query, user, 3))
		many := readsFor(t, s, fmt.Sprintf(query, user, 30))
		if many != few {
			t.Errorf("store reads: %d for 3 items, %d for 30; want the same count", few, many)
		}
		if many > 5 {
			t.Errorf("store reads for 30 items = %d, want at most 5", many)
		}
	})

	t.Run("status after training", func(t *testing.T) {
		s := s.with(t)
		var data struct{ RecommendationStatus recStatus }
		s.ok(statusQuery, nil, &data)
		st := data.RecommendationStatus
		v, _ := svc.Version()
		if st.Running || deref(st.LastVersion) != v.ID || st.LastError != nil {
			t.Errorf("status = %+v, want not running, last version %s and no error", st, v.ID)
		}
		if deref(st.Stage) != service.StageSave || st.StartedAt == nil {
			t.Errorf("status = %+v, want stage %s and a start time", st, service.StageSave)
		}
	})
}

func TestRecommendationErrors(t *testing.T) {
	store, records := newDemoStore(t, true)
	svc := openRecommender(t, store, false)
	s := serveStore(t, store, withRecommender(svc))
	wide := serveStore(t, store, withRecommender(svc), func(o Options) Options {
		return o.WithLimits(limits.DefaultOptions().WithMaxPageSize(500).WithMaxComplexity(100_000))
	})
	product := records.products[0].ID

	tests := []struct {
		name      string
		server    *testServer
		query     string
		vars      map[string]any
		wantCode  string
		wantField string
	}{
		{"first zero", s, recommendationsQuery, map[string]any{"user": "u", "first": 0}, "BAD_USER_INPUT", "first"},
		{"first negative", s, trendingQuery, map[string]any{"first": -1}, "BAD_USER_INPUT", "first"},
		{"first over the page size limit", s, recommendationsQuery, map[string]any{"user": "u", "first": 101}, "LIMIT_EXCEEDED", ""},
		{"first over 100 with a larger limit", wide, recommendationsQuery, map[string]any{"user": "u", "first": 101}, "BAD_USER_INPUT", "first"},
		{"first over 100 on trending", wide, trendingQuery, map[string]any{"first": 200}, "BAD_USER_INPUT", "first"},
		{"first zero on bought together", s, boughtTogetherQuery, map[string]any{"product": product, "first": 0}, "BAD_USER_INPUT", "first"},
		{"unknown product", s, boughtTogetherQuery, map[string]any{"product": "no-such-product"}, "NOT_FOUND", "productId"},
		{"unknown session product", s, recommendationsQuery,
			map[string]any{"user": "u", "context": map[string]any{"sessionProductIds": []string{product, "no-such-product"}}},
			"NOT_FOUND", "context.sessionProductIds"},
		{"too many session products", s, recommendationsQuery,
			map[string]any{"user": "u", "context": map[string]any{"sessionProductIds": slices.Repeat([]string{product}, 101)}},
			"BAD_USER_INPUT", "context.sessionProductIds"},
		{"region name instead of code", s, recommendationsQuery,
			map[string]any{"user": "u", "context": map[string]any{"region": "Sao Paulo"}}, "BAD_USER_INPUT", "context.region"},
		{"region with unknown country", s, trendingQuery, map[string]any{"region": "XX-SP"}, "BAD_USER_INPUT", "region"},
		{"region with long subdivision", s, trendingQuery, map[string]any{"region": "BR-SPXX"}, "BAD_USER_INPUT", "region"},
		{"unknown window", s, trendingQuery, map[string]any{"window": "YEAR"}, "GRAPHQL_VALIDATION_FAILED", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.server.with(t).fail(tt.query, tt.vars)
			if e.code() != tt.wantCode {
				t.Errorf("code = %q, want %q (message %q)", e.code(), tt.wantCode, e.Message)
			}
			if e.field() != tt.wantField {
				t.Errorf("field = %q, want %q (message %q)", e.field(), tt.wantField, e.Message)
			}
		})
	}
}

func TestTrainRecommendationsMutation(t *testing.T) {
	store, records := newDemoStore(t, true)
	svc := openRecommender(t, store, false)
	s := serveStore(t, store, withRecommender(svc))
	anchor := basketProduct(records)

	var before struct{ RecommendationStatus recStatus }
	s.ok(statusQuery, nil, &before)
	if st := before.RecommendationStatus; st.Running || st.LastVersion != nil || st.Stage != nil || st.StartedAt != nil {
		t.Errorf("status before training = %+v, want idle without version, stage or start time", st)
	}
	if got := queryItems(s, recommendationsQuery, map[string]any{"user": "no-such-user"}); len(got) != 10 {
		t.Errorf("popularity before training: %d items for an unknown user, want 10", len(got))
	}
	if got := queryItems(s, boughtTogetherQuery, map[string]any{"product": anchor}); len(got) != 0 {
		t.Errorf("bought together before training: %d items, want none", len(got))
	}

	var started struct{ TrainRecommendations recStatus }
	s.ok(trainMutation, nil, &started)
	if st := started.TrainRecommendations; !st.Running || st.StartedAt == nil {
		t.Fatalf("mutation returned %+v, want a running training with a start time", st)
	}
	// Training takes about 0.2 s here, far longer than one request, so
	// the next start finds it running. A start that still succeeds means
	// the machine stalled the test until the training ended; it starts a
	// new training and the loop tries again.
	conflict := false
	for attempt := 0; attempt < 5 && !conflict; attempt++ {
		resp := s.post(trainMutation, nil)
		if len(resp.Errors) == 0 {
			continue
		}
		e := resp.Errors[0]
		if e.code() != "CONFLICT" || !strings.Contains(e.Message, "already running") {
			t.Fatalf("second start: code %q message %q, want CONFLICT saying it is already running", e.code(), e.Message)
		}
		conflict = true
	}
	if !conflict {
		t.Error("five starts during a training all succeeded, want CONFLICT")
	}

	var status recStatus
	deadline := time.Now().Add(60 * time.Second)
	for {
		var data struct{ RecommendationStatus recStatus }
		s.ok(statusQuery, nil, &data)
		status = data.RecommendationStatus
		if !status.Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("training still running after 60 s: %+v", status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status.LastVersion == nil || status.LastError != nil {
		t.Fatalf("status after training = %+v, want a version and no error", status)
	}
	if got := queryItems(s, boughtTogetherQuery, map[string]any{"product": anchor}); len(got) == 0 {
		t.Errorf("bought together after training: no items for %s", anchor)
	}
}

func TestRecommendationsColdStartCatalogOnly(t *testing.T) {
	store, records := newDemoStore(t, false)
	svc := openRecommender(t, store, false)
	s := serveStore(t, store, withRecommender(svc))
	for _, user := range []string{"no-such-user", records.users[0].ID} {
		got := queryItems(s, recommendationsQuery, map[string]any{"user": user, "first": 4})
		if len(got) != 4 {
			t.Errorf("user %s: got %d items from a catalog without orders, want 4", user, len(got))
		}
		checkReadable(t, got)
	}
}

func TestRecommendationsWithoutService(t *testing.T) {
	s := newTestServer(t)
	e := s.fail(`{ recommendations(userId: "u") { score } }`, nil)
	if e.code() != "INTERNAL" {
		t.Errorf("code = %q, want INTERNAL", e.code())
	}
}

func TestReasonKindsHaveEnumValues(t *testing.T) {
	kinds := []service.ReasonKind{
		recommend.ReasonCollaborative, recommend.ReasonSimilarToViewed, recommend.ReasonSimilarToCarted,
		recommend.ReasonSimilarToPurchased, recommend.ReasonBoughtTogether, recommend.ReasonSession,
		recommend.ReasonSimilarContent, recommend.ReasonTrending, recommend.ReasonPopular,
		service.ReasonViewedTogether, service.ReasonAlsoBought, service.ReasonCatalog,
	}
	for _, kind := range kinds {
		if _, err := reasonKind(kind); err != nil {
			t.Errorf("reasonKind(%q): %v", kind, err)
		}
	}
	if _, err := reasonKind("no_such_kind"); err == nil {
		t.Error("reasonKind(no_such_kind) succeeded, want an error")
	}
	for _, w := range service.Windows() {
		if got, err := reasonWindow(w); err != nil || got == nil {
			t.Errorf("reasonWindow(%q) = %v, %v, want an enum value", w, got, err)
		}
	}
}

func TestCheckRegion(t *testing.T) {
	tests := []struct {
		region string
		valid  bool
	}{
		{"", true},
		{"BR-SP", true},
		{"br-sp", true},
		{"SP", true},
		{"CN-GD", true},
		{"US-CA", true},
		{"BR", true},
		{"FR-75C", true},
		{"BR-", false},
		{"-SP", false},
		{"XX-SP", false},
		{"BRA-SP", false},
		{"BR-SPXX", false},
		{"Sao Paulo", false},
		{"SP;", false},
		{"BR-S P", false},
	}
	for _, tt := range tests {
		err := checkRegion("region", tt.region)
		if (err == nil) != tt.valid {
			t.Errorf("checkRegion(%q) = %v, want valid %v", tt.region, err, tt.valid)
		}
	}
}
