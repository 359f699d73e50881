package eval

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/shopsight/shopsight/ml/recommend"
)

// Options sets an evaluation run.
type Options struct {
	// K is the ranking cut-off.
	K          int
	Weights    recommend.WeightOptions
	ALS        recommend.ALSOptions
	BPR        recommend.BPROptions
	ItemKNN    recommend.ItemKNNOptions
	Popularity recommend.PopularityOptions
	FBT        recommend.FBTOptions
	// HybridWeights maps model names (als, bpr, itemknn, bought_together,
	// trending) to their blend weights. A missing name weighs 0.
	HybridWeights map[string]float64
	HybridDepth   int
	// Models names the models evaluated alone, besides the hybrid and
	// popularity, which are always evaluated. Nil means all.
	Models []string
	// Workers is the number of goroutines scoring users. Zero means
	// GOMAXPROCS.
	Workers int
}

// DefaultOptions returns k = 10, default model options and hybrid weights
// als 1, bpr 0.5, itemknn 0.5, bought_together 0.3, trending 0.1.
func DefaultOptions() Options {
	return Options{
		K:          10,
		Weights:    recommend.DefaultWeightOptions(),
		ALS:        recommend.DefaultALSOptions(),
		BPR:        recommend.DefaultBPROptions(),
		ItemKNN:    recommend.DefaultItemKNNOptions(),
		Popularity: recommend.DefaultPopularityOptions(),
		FBT:        recommend.DefaultFBTOptions(),
		HybridWeights: map[string]float64{
			"als": 1, "bpr": 0.5, "itemknn": 0.5, "bought_together": 0.3, "trending": 0.1,
		},
		HybridDepth: 100,
	}
}

// Row holds one model's metrics, averaged over the evaluated users.
type Row struct {
	Model     string
	Precision float64
	Recall    float64
	NDCG      float64
	HitRate   float64
	MAP       float64
	// Coverage is the share of the training catalog recommended to at
	// least one user.
	Coverage  float64
	TrainTime time.Duration
}

// Table is the result of an evaluation.
type Table struct {
	K    int
	Rows []Row
	// Users is the number of evaluated users: test users with at least one
	// test item outside their training history. ColdUsers of them have no
	// training history.
	Users, ColdUsers                    int
	TrainInteractions, TestInteractions int
	Items                               int
}

// Row returns the row of a model, and false when it was not evaluated.
func (t *Table) Row(model string) (Row, bool) {
	for _, r := range t.Rows {
		if r.Model == model {
			return r, true
		}
	}
	return Row{}, false
}

// WriteText writes the table as aligned text.
func (t *Table) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "model\tP@%d\tR@%d\tnDCG@%d\tHR@%d\tMAP@%d\tcoverage\ttrain\t\n", t.K, t.K, t.K, t.K, t.K)
	for _, r := range t.Rows {
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%v\t\n", r.Model, r.Precision, r.Recall, r.NDCG, r.HitRate, r.MAP, r.Coverage, r.TrainTime.Round(time.Millisecond))
	}
	fmt.Fprintf(tw, "users %d (cold %d), items %d, train %d, test %d interactions\n", t.Users, t.ColdUsers, t.Items, t.TrainInteractions, t.TestInteractions)
	return tw.Flush()
}

// EvaluateFiles trains on every interaction of trainPath and scores the
// rankings against testPath, usually a later period.
func EvaluateFiles(ctx context.Context, trainPath, testPath string, format Format, opts Options) (*Table, error) {
	train, err := ReadFile(trainPath, format)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	test, err := ReadFile(testPath, format)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	return Evaluate(ctx, train, test, opts)
}

// EvaluateSplit applies split to data and evaluates.
func EvaluateSplit(ctx context.Context, data []recommend.Interaction, split Split, opts Options) (*Table, error) {
	train, test, err := split.Apply(data)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	return Evaluate(ctx, train, test, opts)
}

// model is a trained model under evaluation.
type model struct {
	name      string
	recommend func(ctx context.Context, q *recommend.Query, user, region string) ([]string, error)
	trainTime time.Duration
}

// Evaluate trains every model on train and scores its top-K ranking of each
// test user's items. A user's training items are excluded from the ranking
// and from the relevant set, so re-interactions do not count as hits.
func Evaluate(ctx context.Context, train, test []recommend.Interaction, opts Options) (*Table, error) {
	if opts.K <= 0 {
		return nil, fmt.Errorf("evaluate: invalid K %d: must be positive", opts.K)
	}
	if len(train) == 0 || len(test) == 0 {
		return nil, fmt.Errorf("evaluate: %d train and %d test interactions: both sets must be non-empty", len(train), len(test))
	}

	ds, err := recommend.NewDataset(train, opts.Weights)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	models, err := trainModels(ctx, ds, opts)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}

	histories := recommend.NewHistories(ds)
	users := TestUsers(test, histories)
	table := &Table{K: opts.K, Users: len(users), TrainInteractions: len(train), TestInteractions: len(test), Items: ds.Items.Len()}
	for _, u := range users {
		if len(u.History) == 0 {
			table.ColdUsers++
		}
	}

	for _, m := range models {
		row, err := scoreModel(ctx, m, users, opts)
		if err != nil {
			return nil, fmt.Errorf("evaluate: model %s: %w", m.name, err)
		}
		row.Coverage /= float64(max(1, ds.Items.Len()))
		table.Rows = append(table.Rows, row)
	}
	return table, nil
}

// TestUser is one evaluated user: the training history, the items excluded
// from rankings (the history's items) and the relevant test items.
type TestUser struct {
	ID, Region string
	History    []recommend.HistoryItem
	Exclude    map[string]struct{}
	Relevant   map[string]struct{}
}

// TestUsers groups test interactions by user, in order of first
// appearance, keeping users with at least one test item outside their
// training history.
func TestUsers(test []recommend.Interaction, histories *recommend.Histories) []TestUser {
	byID := make(map[string]*TestUser)
	var order []string
	for _, in := range test {
		u := byID[in.User]
		if u == nil {
			history, _ := histories.Of(in.User)
			u = &TestUser{ID: in.User, Region: in.Region, History: history,
				Exclude: make(map[string]struct{}, len(history)), Relevant: make(map[string]struct{})}
			for _, h := range history {
				u.Exclude[h.Item] = struct{}{}
			}
			byID[in.User] = u
			order = append(order, in.User)
		}
		if _, seen := u.Exclude[in.Item]; !seen {
			u.Relevant[in.Item] = struct{}{}
		}
	}
	out := make([]TestUser, 0, len(order))
	for _, id := range order {
		if u := byID[id]; len(u.Relevant) > 0 {
			out = append(out, *u)
		}
	}
	return out
}

// scoreModel averages the metrics of m over users, in parallel.
func scoreModel(ctx context.Context, m model, users []TestUser, opts Options) (Row, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = 2
	}
	type partial struct {
		sum   UserMetrics
		items map[string]struct{}
		err   error
	}

	parts := make([]partial, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &parts[w]
			p.items = make(map[string]struct{})
			for k := w; k < len(users); k += workers {
				u := users[k]
				q := &recommend.Query{User: u.ID, Region: u.Region, History: u.History, Exclude: u.Exclude}
				ranked, err := m.recommend(ctx, q, u.ID, u.Region)
				if err != nil {
					p.err = fmt.Errorf("user %q: %w", u.ID, err)
					return
				}
				um := ScoreRanking(ranked, u.Relevant, opts.K)
				p.sum.Precision += um.Precision
				p.sum.Recall += um.Recall
				p.sum.NDCG += um.NDCG
				p.sum.Hit += um.Hit
				p.sum.AP += um.AP
				for _, item := range ranked {
					p.items[item] = struct{}{}
				}
			}
		}()
	}
	wg.Wait()

	row := Row{Model: m.name, TrainTime: m.trainTime}
	covered := make(map[string]struct{})
	for _, p := range parts {
		if p.err != nil {
			return Row{}, p.err
		}
		row.Precision += p.sum.Precision
		row.Recall += p.sum.Recall
		row.NDCG += p.sum.NDCG
		row.HitRate += p.sum.Hit
		row.MAP += p.sum.AP
		for item := range p.items {
			covered[item] = struct{}{}
		}
	}
	n := float64(max(1, len(users)))

	row.Precision /= n
	row.Recall /= n
	row.NDCG /= n
	row.HitRate /= n
	row.MAP /= n
	row.Coverage = float64(len(covered))
	return row, nil
}

// trainModels trains the requested models, the popularity baseline and the
// hybrid.
func trainModels(ctx context.Context, ds *recommend.Dataset, opts Options) ([]model, error) {
	want := func(name string) bool { return opts.Models == nil || slices.Contains(opts.Models, name) }
	needed := func(name string) bool { return want(name) || opts.HybridWeights[name] > 0 }
	scorers := make(map[string]recommend.Scorer)
	times := make(map[string]time.Duration)
	timed := func(name string, train func() (recommend.Scorer, error)) error {
		if !needed(name) {
			return nil
		}
		start := time.Now()
		s, err := train()
		if err != nil {
			return err
		}
		times[name] = time.Since(start)
		scorers[name] = s
		slog.Debug("model trained", "model", name, "duration", times[name])
		return nil
	}
	steps := []struct {
		name  string
		train func() (recommend.Scorer, error)
	}{
		{"als", func() (recommend.Scorer, error) { return recommend.TrainALS(ctx, ds, opts.ALS) }},
		{"bpr", func() (recommend.Scorer, error) { return recommend.TrainBPR(ctx, ds, opts.BPR) }},
		{"itemknn", func() (recommend.Scorer, error) {
			return recommend.TrainItemKNN(ctx, ds, opts.ItemKNN.WithName("itemknn"))
		}},
		{"bought_together", func() (recommend.Scorer, error) { return recommend.TrainFBT(ctx, ds, opts.FBT) }},
		{"trending", func() (recommend.Scorer, error) {
			return recommend.TrainPopularity(ctx, ds, opts.Popularity.WithTrending(true))
		}},
	}
	for _, s := range steps {
		if err := timed(s.name, s.train); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	popularity, err := recommend.TrainPopularity(ctx, ds, opts.Popularity.WithTrending(false))
	if err != nil {
		return nil, err
	}
	popTime := time.Since(start)

	var out []model
	for _, s := range steps {
		if sc, ok := scorers[s.name]; ok && want(s.name) {
			out = append(out, scorerModel(sc, opts.K, times[s.name]))
		}
	}
	out = append(out, scorerModel(popularity, opts.K, popTime))

	hybrid, err := hybridModel(ds, popularity, scorers, times, popTime, opts)
	if err != nil {
		return nil, err
	}
	return append(out, hybrid), nil
}

// hybridModel blends the trained scorers by opts.HybridWeights, excluding
// every training item as the other models do.
func hybridModel(ds *recommend.Dataset, popularity *recommend.Popularity, scorers map[string]recommend.Scorer,
	times map[string]time.Duration, popTime time.Duration, opts Options) (model, error) {
	var components []recommend.Component
	trainTime := popTime
	for _, name := range slices.Sorted(maps.Keys(opts.HybridWeights)) {
		w := opts.HybridWeights[name]
		if w <= 0 {
			continue
		}
		s, ok := scorers[name]
		if !ok {
			return model{}, fmt.Errorf("hybrid weight for unknown model %q: use als, bpr, itemknn, bought_together or trending", name)
		}
		components = append(components, recommend.Component{Scorer: s, Weight: w})
		trainTime += times[name]
	}
	depth := opts.HybridDepth
	if depth <= 0 {
		depth = 100
	}
	hybrid, err := recommend.NewHybrid(recommend.NewHistories(ds), popularity,
		recommend.DefaultHybridOptions().WithDepth(depth).WithExclude(recommend.ExcludeInteracted), components...)
	if err != nil {
		return model{}, err
	}
	return model{name: "hybrid", trainTime: trainTime,
		recommend: func(ctx context.Context, _ *recommend.Query, user, region string) ([]string, error) {
			recs, err := hybrid.Recommend(ctx, recommend.Request{User: user, Region: region, K: opts.K})
			if err != nil {
				return nil, err
			}
			ids := make([]string, len(recs))
			for k, r := range recs {
				ids[k] = r.Item
			}
			return ids, nil
		}}, nil
}

func scorerModel(s recommend.Scorer, k int, trainTime time.Duration) model {
	return model{name: s.Name(), trainTime: trainTime,
		recommend: func(ctx context.Context, q *recommend.Query, _, _ string) ([]string, error) {
			cands, err := s.Candidates(ctx, q, k)
			if err != nil {
				return nil, err
			}
			ids := make([]string, len(cands))
			for i, c := range cands {
				ids[i] = c.Item
			}
			return ids, nil
		}}
}
