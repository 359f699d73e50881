package service

import (
	"context"
	"fmt"
	"time"

	"github.com/shopsight/shopsight/ml/recommend"
	"github.com/shopsight/shopsight/ml/recommend/eval"
	"github.com/shopsight/shopsight/storage"
)

// StoreEvaluation is the offline evaluation of the served models on a
// store's orders.
type StoreEvaluation struct {
	// All scores every test user, Returning only those with a purchase or
	// event in the training period.
	All, Returning *eval.Table
	// TestFrom is the time of the first test purchase under a time split.
	TestFrom time.Time
}

// EvaluateStore splits the store's interactions with split, trains every
// served model on the training part and scores top-k rankings against the
// test part's purchases. As in package eval, a user's training items are
// excluded from the ranking and from the relevant set. Each user is ranked
// in the region of their first test order. Session events after the last
// training interaction are left out, so the co-view model is trained on
// no test-period data.
//
// Rows: popularity (all regions), popularity_region, trending_7d_region and
// trending_30d_region (the user's region), bought_together, copurchase,
// content (TF-IDF neighbours of the history), the factor model (als or bpr)
// and hybrid, the blend Recommend serves.
func EvaluateStore(ctx context.Context, store *storage.Store, split eval.Split, k int, opts Options) (*StoreEvaluation, error) {
	if k <= 0 {
		return nil, fmt.Errorf("evaluate store: invalid k %d: must be positive", k)
	}
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("evaluate store: %w", err)
	}
	data, err := loadInteractions(ctx, store, nil)
	if err != nil {
		return nil, fmt.Errorf("evaluate store: %w", err)
	}
	cat, err := loadCatalog(ctx, store)
	if err != nil {
		return nil, fmt.Errorf("evaluate store: %w", err)
	}
	train, test, err := split.Apply(data.users)
	if err != nil {
		return nil, fmt.Errorf("evaluate store: %w", err)
	}
	var testPurchases []recommend.Interaction
	for _, in := range test {
		if in.Event == recommend.EventPurchase {
			testPurchases = append(testPurchases, in)
		}
	}
	if len(train) == 0 || len(testPurchases) == 0 {
		return nil, fmt.Errorf("evaluate store: %d training interactions and %d test purchases; both must be non-empty, so import more orders or change the split", len(train), len(testPurchases))
	}
	var lastTrain time.Time
	for _, in := range train {
		if in.Time.After(lastTrain) {
			lastTrain = in.Time
		}
	}
	trainData := &interactions{users: train}
	for _, in := range data.sessions {
		if !in.Time.After(lastTrain) {
			trainData.sessions = append(trainData.sessions, in)
		}
	}

	m, ds, err := trainModels(ctx, trainData, cat, opts, func(string, int, int) {})
	if err != nil {
		return nil, fmt.Errorf("evaluate store: %w", err)
	}
	snap, err := newSnapshot(nil, m, cat, opts)
	if err != nil {
		return nil, fmt.Errorf("evaluate store: %w", err)
	}
	rankers, err := storeRankers(m, snap, k)
	if err != nil {
		return nil, fmt.Errorf("evaluate store: %w", err)
	}

	users := eval.TestUsers(testPurchases, m.histories)
	var returning []eval.TestUser
	for _, u := range users {
		if len(u.History) > 0 {
			returning = append(returning, u)
		}
	}
	out := &StoreEvaluation{}
	if split.Kind == eval.SplitTime {
		out.TestFrom = testPurchases[0].Time
	}
	for _, set := range []struct {
		table **eval.Table
		users []eval.TestUser
	}{{&out.All, users}, {&out.Returning, returning}} {
		t := &eval.Table{K: k, Users: len(set.users), TrainInteractions: len(train), TestInteractions: len(testPurchases), Items: ds.Items.Len()}
		for _, u := range set.users {
			if len(u.History) == 0 {
				t.ColdUsers++
			}
		}
		for _, r := range rankers {
			row, err := scoreRanker(ctx, r, set.users, k)
			if err != nil {
				return nil, fmt.Errorf("evaluate store: model %s: %w", r.name, err)
			}
			row.Coverage /= float64(max(1, ds.Items.Len()))
			t.Rows = append(t.Rows, row)
		}
		*set.table = t
	}
	return out, nil
}

// ranker is a model under evaluation: it ranks items for a query.
type ranker struct {
	name string
	rank func(ctx context.Context, q *recommend.Query) ([]string, error)
}

func scorerRanker(name string, s recommend.Scorer, k int, region bool) ranker {
	return ranker{name: name, rank: func(ctx context.Context, q *recommend.Query) ([]string, error) {
		query := *q
		if !region {
			query.Region = ""
		}
		cands, err := s.Candidates(ctx, &query, k)
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

func storeRankers(m *models, snap *snapshot, k int) ([]ranker, error) {
	content, err := recommend.NewContent(snap.text.Similar, 20, 5)
	if err != nil {
		return nil, err
	}
	rankers := []ranker{
		scorerRanker("popularity", m.popular, k, false),
		scorerRanker("popularity_region", m.popular, k, true),
		scorerRanker("trending_7d_region", m.trending[Window7d], k, true),
		scorerRanker("trending_30d_region", m.trending[Window30d], k, true),
		scorerRanker("bought_together", m.fbt, k, true),
		scorerRanker("copurchase", m.copurchase, k, true),
		scorerRanker("content", content, k, true),
		scorerRanker(m.factors.Name(), m.factors, k, true),
	}
	hybrid := ranker{name: "hybrid", rank: func(ctx context.Context, q *recommend.Query) ([]string, error) {
		recs, err := snap.hybrid.Recommend(ctx, recommend.Request{User: q.User, Region: q.Region, K: k,
			Allow: func(item string) bool { _, excluded := q.Exclude[item]; return !excluded }})
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(recs))
		for i, r := range recs {
			ids[i] = r.Item
		}
		return ids, nil
	}}
	return append(rankers, hybrid), nil
}

// scoreRanker averages the top-k metrics of r over users. Coverage is
// returned as a count of distinct recommended items.
func scoreRanker(ctx context.Context, r ranker, users []eval.TestUser, k int) (eval.Row, error) {
	row := eval.Row{Model: r.name}
	covered := make(map[string]struct{})
	for _, u := range users {
		q := &recommend.Query{User: u.ID, Region: u.Region, History: u.History, Exclude: u.Exclude}
		ranked, err := r.rank(ctx, q)
		if err != nil {
			return eval.Row{}, fmt.Errorf("user %q: %w", u.ID, err)
		}
		um := eval.ScoreRanking(ranked, u.Relevant, k)
		row.Precision += um.Precision
		row.Recall += um.Recall
		row.NDCG += um.NDCG
		row.HitRate += um.Hit
		row.MAP += um.AP
		for _, item := range ranked {
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
